"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);
var __async = (__this, __arguments, generator) => {
  return new Promise((resolve, reject) => {
    var fulfilled = (value) => {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    };
    var rejected = (value) => {
      try {
        step(generator.throw(value));
      } catch (e) {
        reject(e);
      }
    };
    var step = (x) => x.done ? resolve(x.value) : Promise.resolve(x.value).then(fulfilled, rejected);
    step((generator = generator.apply(__this, __arguments)).next());
  });
};

// src/services/cloud.ts
var cloud_exports = {};
__export(cloud_exports, {
  callFunction: () => callFunction,
  parseResult: () => parseResult
});
module.exports = __toCommonJS(cloud_exports);
var import_errors = require("../core/errors");
var import_wechatCodes = require("../core/wechatCodes");
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function errorFromResult(value) {
  if (!isObject(value) || !(0, import_errors.isErrorCode)(value.code)) return (0, import_errors.errorInfo)("CLOUD_FUNCTION_FAILED");
  const extra = {};
  if (typeof value.wechatCode === "number") extra.wechatCode = value.wechatCode;
  if (typeof value.field === "string") extra.field = value.field;
  const info = (0, import_errors.errorInfo)(value.code, extra);
  if (typeof value.retryable === "boolean") info.retryable = value.retryable;
  return info;
}
function parseResult(result) {
  if (!isObject(result) || typeof result.ok !== "boolean") return { ok: false, error: (0, import_errors.errorInfo)("CLOUD_FUNCTION_FAILED") };
  if (result.ok) {
    if (!isObject(result.data)) return { ok: false, error: (0, import_errors.errorInfo)("CLOUD_FUNCTION_FAILED") };
    return { ok: true, data: result.data };
  }
  return { ok: false, error: errorFromResult(result.error) };
}
function callFunction(name, data) {
  return __async(this, null, function* () {
    if (!wx.cloud) return { ok: false, error: (0, import_errors.errorInfo)("CLOUD_NOT_INITIALIZED") };
    try {
      const res = yield wx.cloud.callFunction({ name, data });
      return parseResult(res.result);
    } catch (err) {
      return { ok: false, error: (0, import_wechatCodes.fromCallFunctionError)(err) };
    }
  });
}

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

// src/services/phoneBinding.ts
var phoneBinding_exports = {};
__export(phoneBinding_exports, {
  bindFromButton: () => bindFromButton
});
module.exports = __toCommonJS(phoneBinding_exports);
var import_errors = require("../core/errors");
var import_wechatCodes = require("../core/wechatCodes");
var import_cloud = require("./cloud");
var import_session = require("./session");
var import_wxAsync = require("./wxAsync");
var STALE_SESSION = /* @__PURE__ */ new Set(["DECRYPT_FAILED", "DECRYPT_SESSION_KEY_MISMATCH", "DECRYPT_ILLEGAL_SESSION_KEY", "LOGIN_REQUIRED"]);
function settle(source, res) {
  return res.ok ? { kind: "bound", source, data: res.data } : { kind: "failed", source, error: res.error };
}
function bindLegacy(encryptedData, iv, opts) {
  return __async(this, null, function* () {
    if (!opts.legacy) return { kind: "failed", source: "legacy", error: (0, import_errors.errorInfo)("LEGACY_NOT_CONFIGURED") };
    if (!(yield (0, import_wxAsync.checkSession)())) {
      yield (0, import_session.relogin)();
      return { kind: "failed", source: "legacy", error: (0, import_errors.errorInfo)("LOGIN_REQUIRED") };
    }
    const res = yield (0, import_cloud.callFunction)("getOpenData", { encryptedData, iv });
    if (!res.ok && STALE_SESSION.has(res.error.code)) yield (0, import_session.relogin)();
    return settle("legacy", res);
  });
}
function bindFromButton(detail, opts) {
  return __async(this, null, function* () {
    const outcome = (0, import_wechatCodes.classifyPhoneButtonDetail)(detail);
    switch (outcome.kind) {
      case "denied":
        return { kind: "denied", error: outcome.error };
      case "failed":
        return { kind: "failed", source: null, error: outcome.error };
      case "code":
        return settle("code", yield (0, import_cloud.callFunction)("getPhoneNumber", { code: outcome.code }));
      case "cloudID": {
        if (!opts.features.cloudID) {
          if (detail.encryptedData && detail.iv) return bindLegacy(detail.encryptedData, detail.iv, opts);
          return { kind: "failed", source: "cloudID", error: (0, import_errors.errorInfo)("NOT_SUPPORTED") };
        }
        const cloudID = wx.cloud.CloudID(outcome.cloudID);
        return settle("cloudID", yield (0, import_cloud.callFunction)("getOpenData", { cloudID }));
      }
      case "legacy":
        return bindLegacy(outcome.encryptedData, outcome.iv, opts);
    }
  });
}

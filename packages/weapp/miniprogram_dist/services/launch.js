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

// src/services/launch.ts
var launch_exports = {};
__export(launch_exports, {
  initCloud: () => initCloud
});
module.exports = __toCommonJS(launch_exports);
var import_baseLibrary = require("../core/baseLibrary");
function initCloud(env) {
  if (!wx.cloud) {
    console.warn(`[phonebind] wx.cloud is unavailable: base library ≥ ${import_baseLibrary.MIN_BASE_LIBRARY.cloud} with cloud development is required`);
    return false;
  }
  if (env) wx.cloud.init({ env, traceUser: true });
  else wx.cloud.init({ traceUser: true });
  return true;
}

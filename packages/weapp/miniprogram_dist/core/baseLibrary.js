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

// ../../core/baseLibrary.ts
var baseLibrary_exports = {};
__export(baseLibrary_exports, {
  MIN_BASE_LIBRARY: () => MIN_BASE_LIBRARY,
  hasFeature: () => hasFeature
});
module.exports = __toCommonJS(baseLibrary_exports);
var import_wechatCodes = require("./wechatCodes");
var MIN_BASE_LIBRARY = {
  /** `wx.cloud` (callFunction, CloudID). */
  cloud: "2.2.3",
  /** The phone button delivers `cloudID`. */
  cloudID: "2.8.0",
  /** The phone button delivers `code` (the preferred path). */
  code: "2.21.2",
  /** `open-type="getRealtimePhoneNumber"`. */
  realtime: "2.24.4",
  /** `wx.getPrivacySetting`, `wx.onNeedPrivacyAuthorization`, `agreePrivacyAuthorization`. */
  privacy: "2.32.3"
};
function hasFeature(version, feature) {
  return (0, import_wechatCodes.compareVersion)(version, MIN_BASE_LIBRARY[feature]) >= 0;
}

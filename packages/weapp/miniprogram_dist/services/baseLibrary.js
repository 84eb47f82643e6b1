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

// src/services/baseLibrary.ts
var baseLibrary_exports = {};
__export(baseLibrary_exports, {
  phoneFeatures: () => phoneFeatures,
  privacyApi: () => privacyApi,
  sdkVersion: () => sdkVersion
});
module.exports = __toCommonJS(baseLibrary_exports);
var import_baseLibrary = require("../core/baseLibrary");
function sdkVersion() {
  try {
    if (typeof wx.getAppBaseInfo === "function") return wx.getAppBaseInfo().SDKVersion;
    return wx.getSystemInfoSync().SDKVersion;
  } catch (e) {
    return "0.0.0";
  }
}
function phoneFeatures(version = sdkVersion()) {
  const cloud = !!wx.cloud && (0, import_baseLibrary.hasFeature)(version, "cloud");
  return {
    version,
    cloud,
    cloudID: cloud && (0, import_baseLibrary.hasFeature)(version, "cloudID"),
    code: (0, import_baseLibrary.hasFeature)(version, "code"),
    realtime: (0, import_baseLibrary.hasFeature)(version, "realtime"),
    privacy: (0, import_baseLibrary.hasFeature)(version, "privacy") && privacyApi() !== null
  };
}
function privacyApi() {
  const api = wx;
  if (typeof api.getPrivacySetting !== "function" || typeof api.onNeedPrivacyAuthorization !== "function") return null;
  return api;
}

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

// src/services/wxAsync.ts
var wxAsync_exports = {};
__export(wxAsync_exports, {
  checkSession: () => checkSession,
  loginCode: () => loginCode
});
module.exports = __toCommonJS(wxAsync_exports);
function checkSession() {
  return new Promise((resolve) => {
    wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) });
  });
}
function loginCode() {
  return new Promise((resolve) => {
    wx.login({
      success: (res) => resolve(typeof res.code === "string" && res.code ? res.code : null),
      fail: () => resolve(null)
    });
  });
}

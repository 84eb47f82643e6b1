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

// src/index.ts
var index_exports = {};
__export(index_exports, {
  ERROR_CODES: () => import_errors.ERROR_CODES,
  MIN_BASE_LIBRARY: () => import_baseLibrary2.MIN_BASE_LIBRARY,
  callFunction: () => import_cloud.callFunction,
  errorInfo: () => import_errors.errorInfo,
  getSession: () => import_session.getSession,
  initCloud: () => import_launch.initCloud,
  isErrorCode: () => import_errors.isErrorCode,
  parseResult: () => import_cloud.parseResult,
  phoneFeatures: () => import_baseLibrary.phoneFeatures,
  relogin: () => import_session.relogin,
  resetSession: () => import_session.resetSession,
  startSession: () => import_session.startSession
});
module.exports = __toCommonJS(index_exports);
var import_launch = require("./services/launch");
var import_session = require("./services/session");
var import_cloud = require("./services/cloud");
var import_baseLibrary = require("./services/baseLibrary");
var import_baseLibrary2 = require("./core/baseLibrary");
var import_errors = require("./core/errors");

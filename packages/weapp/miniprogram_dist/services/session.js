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

// src/services/session.ts
var session_exports = {};
__export(session_exports, {
  getSession: () => getSession,
  relogin: () => relogin,
  resetSession: () => resetSession,
  startSession: () => startSession
});
module.exports = __toCommonJS(session_exports);
var import_errors = require("../core/errors");
var import_cloud = require("./cloud");
var import_wxAsync = require("./wxAsync");
var current = null;
var options = { legacy: false };
function withCode() {
  return __async(this, null, function* () {
    const code = yield (0, import_wxAsync.loginCode)();
    if (!code) return { ok: false, error: (0, import_errors.errorInfo)("LOGIN_REQUIRED") };
    return (0, import_cloud.callFunction)("login", { code });
  });
}
function launch(opts) {
  return __async(this, null, function* () {
    if (!opts.legacy) return (0, import_cloud.callFunction)("login", {});
    if (yield (0, import_wxAsync.checkSession)()) {
      const res = yield (0, import_cloud.callFunction)("login", {});
      if (!res.ok || res.data.legacyReady) return res;
    }
    return withCode();
  });
}
function startSession(opts) {
  if (!current) {
    options = opts;
    current = remember(launch(opts));
  }
  return current;
}
function remember(attempt) {
  attempt.then((res) => {
    if (!res.ok && current === attempt) current = null;
  }, () => {
    if (current === attempt) current = null;
  });
  return attempt;
}
function getSession() {
  return current != null ? current : startSession(options);
}
function relogin() {
  current = remember(withCode());
  return current;
}
function resetSession() {
  current = null;
  options = { legacy: false };
}

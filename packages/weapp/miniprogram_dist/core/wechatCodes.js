"use strict";
var __defProp = Object.defineProperty;
var __defProps = Object.defineProperties;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropDescs = Object.getOwnPropertyDescriptors;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getOwnPropSymbols = Object.getOwnPropertySymbols;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __propIsEnum = Object.prototype.propertyIsEnumerable;
var __defNormalProp = (obj, key, value) => key in obj ? __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
var __spreadValues = (a, b) => {
  for (var prop in b || (b = {}))
    if (__hasOwnProp.call(b, prop))
      __defNormalProp(a, prop, b[prop]);
  if (__getOwnPropSymbols)
    for (var prop of __getOwnPropSymbols(b)) {
      if (__propIsEnum.call(b, prop))
        __defNormalProp(a, prop, b[prop]);
    }
  return a;
};
var __spreadProps = (a, b) => __defProps(a, __getOwnPropDescs(b));
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

// ../../core/wechatCodes.ts
var wechatCodes_exports = {};
__export(wechatCodes_exports, {
  classifyPhoneButtonDetail: () => classifyPhoneButtonDetail,
  compareVersion: () => compareVersion,
  fromCallFunctionError: () => fromCallFunctionError,
  fromCloudSdkError: () => fromCloudSdkError,
  fromWeChatErrcode: () => fromWeChatErrcode,
  isDuplicateWriteError: () => isDuplicateWriteError,
  isTransactionConflictError: () => isTransactionConflictError
});
module.exports = __toCommonJS(wechatCodes_exports);
var import_errors = require("./errors");
var COMMON = {
  [-1]: "WECHAT_BUSY",
  // system busy: a fresh tap / wx.login, never the same code
  40163: "JS_CODE_USED",
  40226: "JS_CODE_BLOCKED",
  45011: "RATE_LIMITED",
  45009: "DAILY_QUOTA_REACHED",
  40125: "APP_CREDENTIALS_INVALID",
  41002: "APP_CREDENTIALS_INVALID",
  // appid missing
  41004: "APP_CREDENTIALS_INVALID",
  // secret missing
  // access_token invalid / illegal / expired / missing: the server refreshes once; a new tap works
  40001: ["WECHAT_ERROR", true],
  40014: ["WECHAT_ERROR", true],
  42001: ["WECHAT_ERROR", true],
  41001: ["WECHAT_ERROR", true],
  87009: "LOGIN_REQUIRED",
  // checksession: the stored session_key is no longer valid
  // official WXBizDataCrypt sample codes
  [-41001]: "DECRYPT_ILLEGAL_SESSION_KEY",
  [-41002]: "DECRYPT_ILLEGAL_IV",
  [-41003]: "DECRYPT_ILLEGAL_BUFFER",
  [-41004]: "DECRYPT_ILLEGAL_BUFFER",
  // declared, never returned by the sample
  // wx-server-sdk ERR_CODE: WeChat side of cloud calls
  [-601001]: "WECHAT_BUSY",
  [-601002]: ["WECHAT_ERROR", false],
  // args error: our bug, a retry cannot help
  [-601003]: "NETWORK_ERROR",
  [-601004]: "API_PERMISSION_DENIED",
  [-601005]: "CLOUDID_INVALID",
  [-601006]: "CLOUDID_EXPIRED",
  [-601007]: "CLOUDID_USER_MISMATCH",
  [-601008]: "WECHAT_BUSY",
  // server-side timeout
  [-601009]: "MISSING_PHONE",
  [-602001]: ["DATABASE_ERROR", false],
  // query result over 1 MB
  [-604001]: ["CLOUD_FUNCTION_FAILED", false],
  // function result over 1 MB
  [-604100]: ["WECHAT_ERROR", false],
  // API not found
  [-604101]: "API_PERMISSION_DENIED",
  // config.json permissions missing or not yet applied
  [-604102]: "WECHAT_BUSY",
  // openapi timeout
  [-604103]: "WECHAT_BUSY",
  // openapi system error
  [-604104]: ["WECHAT_ERROR", false],
  // illegal source of invocation
  // TCB generic / database / functions
  [-501e3]: "CLOUD_FUNCTION_NOT_FOUND",
  [-501001]: "DATABASE_ERROR",
  // SYS_ERR, and every unmapped TCB code name (incl. duplicate write)
  [-501002]: "DATABASE_ERROR",
  // SERVER_TIMEOUT
  [-501003]: "RATE_LIMITED",
  [-501004]: "RATE_LIMITED",
  [-501005]: "CLOUD_FUNCTION_NOT_FOUND",
  // INVALIID_ENV: wrong env id
  [-501006]: ["DATABASE_ERROR", false],
  [-501007]: ["DATABASE_ERROR", false],
  [-501008]: ["DATABASE_ERROR", false],
  [-501009]: ["DATABASE_ERROR", false],
  [-502001]: "DATABASE_ERROR",
  [-502002]: ["DATABASE_ERROR", false],
  [-502003]: ["DATABASE_ERROR", false],
  [-502004]: ["DATABASE_ERROR", false],
  [-502005]: ["DATABASE_ERROR", false],
  // collection missing: run the provisioning script
  [-504001]: "CLOUD_FUNCTION_FAILED",
  [-504002]: "CLOUD_FUNCTION_FAILED"
};
function resolveMapping(errcode, api) {
  if (errcode === 40029) return api === "jscode2session" ? "JS_CODE_INVALID" : "CODE_INVALID";
  if (errcode === 40013) return api === "jscode2session" ? "APP_CREDENTIALS_INVALID" : "APPID_MISMATCH";
  if (errcode === 40003 && api === "getPhoneNumber") return "CODE_INVALID";
  const exact = COMMON[errcode];
  if (exact !== void 0) return exact;
  if (errcode <= -601010 && errcode >= -601017) return ["WECHAT_ERROR", false];
  if (errcode <= -501e3 && errcode > -503e3) return "DATABASE_ERROR";
  if (errcode <= -503e3 && errcode > -504e3) return "INTERNAL_ERROR";
  return void 0;
}
function fromWeChatErrcode(errcode, api) {
  const mapping = resolveMapping(errcode, api);
  if (mapping === void 0) {
    return __spreadProps(__spreadValues({}, (0, import_errors.errorInfo)("WECHAT_ERROR", { wechatCode: errcode })), { retryable: errcode < 0 });
  }
  if (typeof mapping === "string") return (0, import_errors.errorInfo)(mapping, { wechatCode: errcode });
  return __spreadProps(__spreadValues({}, (0, import_errors.errorInfo)(mapping[0], { wechatCode: errcode })), { retryable: mapping[1] });
}
function field(err, name) {
  if (err === null || typeof err !== "object" && typeof err !== "function") return void 0;
  try {
    return err[name];
  } catch (e) {
    return void 0;
  }
}
function messageOf(err) {
  var _a;
  if (typeof err === "string") return err;
  const m = (_a = field(err, "errMsg")) != null ? _a : field(err, "message");
  return typeof m === "string" ? m : "";
}
var NETWORK_TEXT = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|socket hang up|network|timed? ?out|request:fail/i;
var DUPLICATE_TEXT = /E11000|duplicate key|index key duplicate|DATABASE_DUPLICATE_WRITE/i;
var CONFLICT_TEXT = /DATABASE_TRANSACTION_CONFLICT|TransactionConflict|Transaction is conflict|transaction conflict|write ?conflict/i;
function isDuplicateWriteError(err) {
  return DUPLICATE_TEXT.test(allText(err));
}
function isTransactionConflictError(err) {
  return CONFLICT_TEXT.test(allText(err));
}
function allText(err) {
  if (typeof err === "string") return err;
  return ["code", "errMsg", "message"].map((k) => field(err, k)).filter((v) => typeof v === "string").join(" ");
}
function numericCode(v) {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d{1,9}$/.test(v)) return Number(v);
  return void 0;
}
function fromCloudSdkError(err, api = "cloud") {
  var _a, _b, _c;
  const msg = messageOf(err);
  const code = (_c = numericCode((_a = field(err, "errCode")) != null ? _a : field(err, "errcode"))) != null ? _c : numericCode((_b = /error code:? (-?\d+)/i.exec(msg)) == null ? void 0 : _b[1]);
  if (code !== void 0 && code !== 0) {
    if (code === -1 && api === "cloud") {
      if (/^(collection|document)\./.test(msg)) return (0, import_errors.errorInfo)("DATABASE_ERROR", { wechatCode: -1 });
      if (/callFunction/.test(msg)) return (0, import_errors.errorInfo)("CLOUD_FUNCTION_FAILED", { wechatCode: -1 });
    }
    return fromWeChatErrcode(code, api);
  }
  const svrkit = /internal svrkit error, code (-?\d+)/.exec(msg);
  if (svrkit) return __spreadProps(__spreadValues({}, (0, import_errors.errorInfo)("WECHAT_ERROR", { wechatCode: Number(svrkit[1]) })), { retryable: true });
  const nodeCode = field(err, "code");
  if (typeof nodeCode === "string" && /^E[A-Z_]+$/.test(nodeCode) || NETWORK_TEXT.test(msg)) return (0, import_errors.errorInfo)("NETWORK_ERROR");
  return (0, import_errors.errorInfo)("INTERNAL_ERROR");
}
var nonEmpty = (v) => typeof v === "string" && v.length > 0;
function classifyPhoneButtonDetail(detail) {
  const d = detail != null ? detail : {};
  const errMsg = typeof d.errMsg === "string" ? d.errMsg : "";
  const errno = typeof d.errno === "number" ? d.errno : void 0;
  const extra = errno !== void 0 ? { wechatCode: errno } : void 0;
  if (/:ok$/.test(errMsg)) {
    if (nonEmpty(d.code)) return { kind: "code", code: d.code };
    if (nonEmpty(d.cloudID)) return { kind: "cloudID", cloudID: d.cloudID };
    if (nonEmpty(d.encryptedData) && nonEmpty(d.iv)) return { kind: "legacy", encryptedData: d.encryptedData, iv: d.iv };
    return { kind: "failed", error: __spreadProps(__spreadValues({}, (0, import_errors.errorInfo)("WECHAT_ERROR")), { retryable: true }) };
  }
  if (errno === 1400001) return { kind: "failed", error: (0, import_errors.errorInfo)("QUOTA_EXHAUSTED", extra) };
  if (errno === 112 || /not declared in the privacy/i.test(errMsg)) return { kind: "failed", error: (0, import_errors.errorInfo)("PRIVACY_NOT_DECLARED", extra) };
  if (errno === 104 || errno === 103 || /privacy permission is not authorized/i.test(errMsg)) {
    return { kind: "denied", error: (0, import_errors.errorInfo)("PRIVACY_NOT_AUTHORIZED", extra) };
  }
  if (/deny|cancel/i.test(errMsg)) return { kind: "denied", error: (0, import_errors.errorInfo)("USER_DENIED", extra) };
  if (/no permission|没有权限/i.test(errMsg)) return { kind: "failed", error: (0, import_errors.errorInfo)("APP_NOT_ELIGIBLE", extra) };
  if (/短信验证|需要进行验证|sms/i.test(errMsg)) return { kind: "failed", error: (0, import_errors.errorInfo)("PHONE_NEEDS_SMS_VERIFICATION", extra) };
  if (/not supported|no openid/i.test(errMsg) || errno === 10100005) return { kind: "failed", error: (0, import_errors.errorInfo)("NOT_SUPPORTED", extra) };
  return { kind: "failed", error: __spreadProps(__spreadValues({}, (0, import_errors.errorInfo)("WECHAT_ERROR", extra)), { retryable: true }) };
}
function fromCallFunctionError(err) {
  const msg = messageOf(err);
  const outer = field(err, "errCode");
  const inner = /error code:? (-?\d+)/i.exec(msg);
  const code = inner ? Number(inner[1]) : typeof outer === "number" ? outer : void 0;
  const extra = code !== void 0 ? { wechatCode: code } : void 0;
  if (/call init first|Cloud API isn't enabled/i.test(msg)) return (0, import_errors.errorInfo)("CLOUD_NOT_INITIALIZED", extra);
  if (code === -501e3 || code === -501005 || /FunctionName parameter could not be found|Environment not found|env.*not ?found/i.test(msg)) {
    return (0, import_errors.errorInfo)("CLOUD_FUNCTION_NOT_FOUND", extra);
  }
  if (code !== void 0 && code <= -601e3 && code > -605e3) return fromWeChatErrcode(code, "cloud");
  if (code === -504001 || code === -504002 || code === -404011) return (0, import_errors.errorInfo)("CLOUD_FUNCTION_FAILED", extra);
  if (NETWORK_TEXT.test(msg) || code !== void 0 && code <= -404001 && code >= -404009) return (0, import_errors.errorInfo)("NETWORK_ERROR", extra);
  return (0, import_errors.errorInfo)("CLOUD_FUNCTION_FAILED", extra);
}
function compareVersion(a, b) {
  var _a, _b;
  const pa = String(a).split(".");
  const pb = String(b).split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = parseInt((_a = pa[i]) != null ? _a : "0", 10) || 0;
    const y = parseInt((_b = pb[i]) != null ? _b : "0", 10) || 0;
    if (x !== y) return x > y ? 1 : -1;
  }
  return 0;
}

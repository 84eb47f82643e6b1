"use strict";
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

// src/phone-auth/index.ts
var import_baseLibrary = require("../core/baseLibrary");
var import_errors = require("../core/errors");
var import_baseLibrary2 = require("../services/baseLibrary");
var import_phoneBinding = require("../services/phoneBinding");
var import_outcomes = require("./outcomes");
var hidden = /* @__PURE__ */ new WeakMap();
var AGREE_BUTTON_ID = "phone-auth-privacy-agree";
var PRIVACY_LOCKOUT_MS = 1e4;
function stateOf(owner) {
  let h = hidden.get(owner);
  if (!h) {
    h = { features: (0, import_baseLibrary2.phoneFeatures)(), inFlight: false, pendingPrivacy: null, declinedAt: 0 };
    hidden.set(owner, h);
  }
  return h;
}
function openTypeFor(realtime, features) {
  return realtime && features.realtime ? "getRealtimePhoneNumber" : "getPhoneNumber";
}
function logFailure(error) {
  const hint = (0, import_outcomes.developerHint)(error);
  if (hint) console.warn(`[phone-auth] ${error.code}${error.wechatCode !== void 0 ? ` (${error.wechatCode})` : ""}: ${hint}`);
}
Component({
  externalClasses: ["pa-class", "pa-class-button", "pa-class-status", "pa-class-error", "pa-class-privacy"],
  properties: {
    realtime: { type: Boolean, value: false },
    text: { type: String, value: "手机号快捷验证 / Verify with WeChat phone" },
    buttonLabel: { type: String, value: "使用微信手机号 / Use WeChat phone number" },
    // Off by default: the legacy path needs the AppSecret on `login`, and hints are for developers.
    legacy: { type: Boolean, value: false },
    debug: { type: Boolean, value: false },
    disabled: { type: Boolean, value: false }
  },
  data: {
    openType: "getPhoneNumber",
    busy: false,
    /** idle | bound | unsupported */
    phase: "idle",
    privacyOpen: false,
    privacyContractName: "《用户隐私保护指引》",
    masked: "",
    statusZh: "",
    statusEn: "",
    errorZh: "",
    errorEn: "",
    nextZh: "",
    nextEn: "",
    hint: ""
  },
  observers: {
    realtime(realtime) {
      this.setData({ openType: openTypeFor(realtime, stateOf(this).features) });
    }
  },
  lifetimes: {
    attached() {
      const h = stateOf(this);
      h.features = (0, import_baseLibrary2.phoneFeatures)();
      this.setData({ openType: openTypeFor(this.data.realtime, h.features) });
      if (!this.checkSupport()) return;
      this.watchPrivacy();
    },
    detached() {
      const h = stateOf(this);
      if (h.pendingPrivacy) h.pendingPrivacy({ event: "disagree" });
      h.pendingPrivacy = null;
    }
  },
  methods: {
    /** Public: back to the idle button, e.g. when the page lets the user change the number. */
    reset() {
      stateOf(this).inFlight = false;
      this.setData({ phase: "idle", busy: false, masked: "", statusZh: "", statusEn: "", errorZh: "", errorEn: "", nextZh: "", nextEn: "", hint: "" });
    },
    /** No `wx.cloud` or a base library that can deliver neither code nor cloudID: say so up front. */
    checkSupport() {
      const { features } = stateOf(this);
      let error = null;
      if (!(0, import_baseLibrary.hasFeature)(features.version, "cloud")) error = (0, import_errors.errorInfo)("NOT_SUPPORTED");
      else if (!features.cloud) error = (0, import_errors.errorInfo)("CLOUD_NOT_INITIALIZED");
      else if (!features.cloudID && !this.data.legacy) error = (0, import_errors.errorInfo)("NOT_SUPPORTED");
      if (!error) return true;
      this.setData({ phase: "unsupported" });
      this.showFailure(null, error);
      return false;
    },
    watchPrivacy() {
      const api = stateOf(this).features.privacy ? (0, import_baseLibrary2.privacyApi)() : null;
      if (!api) return;
      api.onNeedPrivacyAuthorization((resolve) => {
        stateOf(this).pendingPrivacy = resolve;
        this.setData({ privacyOpen: true });
        resolve({ event: "exposureAuthorization" });
      });
      api.getPrivacySetting({
        success: (res) => {
          if (!res.needAuthorization) return;
          this.setData({ privacyOpen: true, privacyContractName: res.privacyContractName || this.data.privacyContractName });
        }
      });
    },
    onOpenContract() {
      const api = (0, import_baseLibrary2.privacyApi)();
      if (api) api.openPrivacyContract({});
    },
    /** Must be the `agreePrivacyAuthorization` button's event: a plain tap does not count (errno 104). */
    onAgreePrivacy() {
      const h = stateOf(this);
      if (h.pendingPrivacy) h.pendingPrivacy({ event: "agree", buttonId: AGREE_BUTTON_ID });
      h.pendingPrivacy = null;
      this.setData({ privacyOpen: false, errorZh: "", errorEn: "", nextZh: "", nextEn: "", hint: "", statusZh: "已同意隐私保护指引，请点击按钮获取手机号", statusEn: "Privacy guide accepted: tap the button to share your number" });
    },
    onDisagreePrivacy() {
      const h = stateOf(this);
      if (h.pendingPrivacy) h.pendingPrivacy({ event: "disagree" });
      h.pendingPrivacy = null;
      h.declinedAt = Date.now();
      this.setData({ privacyOpen: false });
      this.showDenied("privacy-sheet", (0, import_errors.errorInfo)("PRIVACY_NOT_AUTHORIZED"));
    },
    /** `getphonenumber` / `getrealtimephonenumber`. One event → at most one cloud call. */
    onPhone(e) {
      return __async(this, null, function* () {
        const h = stateOf(this);
        if (h.inFlight || this.data.phase !== "idle" || this.data.disabled) return;
        h.inFlight = true;
        this.setData({ busy: true, statusZh: "正在验证手机号…", statusEn: "Verifying your number…", errorZh: "", errorEn: "", nextZh: "", nextEn: "", hint: "" });
        let attempt;
        try {
          attempt = yield (0, import_phoneBinding.bindFromButton)(e.detail || { errMsg: "" }, { features: h.features, legacy: this.data.legacy });
        } catch (e2) {
          attempt = { kind: "failed", source: null, error: (0, import_errors.errorInfo)("INTERNAL_ERROR") };
        }
        h.inFlight = false;
        this.setData({ busy: false });
        this.present(attempt);
      });
    },
    present(attempt) {
      if (attempt.kind === "bound") {
        const { phone, change } = attempt.data;
        const msg = (0, import_outcomes.boundMessage)(phone.masked, change);
        this.setData({ phase: "bound", masked: phone.masked, statusZh: msg.zh, statusEn: msg.en });
        const detail = { source: attempt.source, phone, change };
        this.triggerEvent("bound", detail);
      } else if (attempt.kind === "denied") {
        this.showDenied("phone-button", attempt.error);
      } else {
        this.showFailure(attempt.source, attempt.error);
      }
    },
    shouldReopenPrivacy(source, error) {
      if (source === "privacy-sheet") return false;
      if (error.code === "PRIVACY_NOT_AUTHORIZED") {
        const h = stateOf(this);
        return h.features.privacy && Date.now() - h.declinedAt >= PRIVACY_LOCKOUT_MS;
      }
      return this.data.privacyOpen;
    },
    showDenied(source, error) {
      var _a;
      const next = import_outcomes.NEXT_STEP_TEXT[(0, import_outcomes.nextStepFor)(error)];
      if (source === "phone-button") logFailure(error);
      this.setData({
        statusZh: error.message,
        statusEn: error.messageEn,
        errorZh: "",
        errorEn: "",
        nextZh: next.zh,
        nextEn: next.en,
        hint: this.data.debug ? (_a = (0, import_outcomes.developerHint)(error)) != null ? _a : "" : "",
        // errno 104 from the button: bring the consent sheet back so the next tap can succeed.
        privacyOpen: this.shouldReopenPrivacy(source, error)
      });
      const detail = { source, error };
      this.triggerEvent("denied", detail);
    },
    showFailure(source, error) {
      var _a;
      const nextStep = (0, import_outcomes.nextStepFor)(error);
      const next = import_outcomes.NEXT_STEP_TEXT[nextStep];
      logFailure(error);
      this.setData({
        statusZh: "",
        statusEn: "",
        errorZh: error.message,
        errorEn: error.messageEn,
        nextZh: next.zh,
        nextEn: next.en,
        hint: this.data.debug ? (_a = (0, import_outcomes.developerHint)(error)) != null ? _a : "" : "",
        privacyOpen: this.shouldReopenPrivacy(source, error)
      });
      const detail = { source, error, nextStep };
      this.triggerEvent("failed", detail);
    }
  }
});

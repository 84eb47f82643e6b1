/** Initialises `wx.cloud`; false when it does not exist (base library < 2.2.3). Both options are
 * always passed because WeChat's docs disagree on their defaults. An empty env means "the
 * environment selected in devtools". */
export declare function initCloud(env: string): boolean;

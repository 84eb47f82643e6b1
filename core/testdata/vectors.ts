/** Published and constructed test vectors from the WeChat reference (§15). */
export const V1 = {
  appid: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
  plaintext:
    '{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1477314187,"appid":"wx4f4bc4dec97d474b"}}',
}

export const P2 = {
  appid: V1.appid,
  sessionKey: V1.sessionKey,
  iv: V1.iv,
  encryptedData:
    'xT8p8W6jIVdEWQ+ccHuD2e4wlKOvkPACqSwR7g001A10cjwdM46gdn01GiQUKaqPzPDRMqCU65RqoH1SV87iasZARr/+0tJRzfFqQAAyBnqrunz9Sbe6xQGlPr95Uo9yHE/LKp97H4l9LFLl3jCYCYX3VHQfxTKDArCGxbNajS+Ddr0x/VEgMWyamZFQf54Du/xQ5mEl8viuEOVP283w5w==',
  plaintext:
    '{"phoneNumber":"13800138000","purePhoneNumber":"13800138000","countryCode":"86","watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}',
}

export const P3 = {
  appid: V1.appid,
  sessionKey: V1.sessionKey,
  iv: V1.iv,
  encryptedData:
    'xT8p8W6jIVdEWQ+ccHuD2S6o1JP6ozCdqSypDnib8DQdsfOw3CG24gbDdWn7nVGmz68Gh4WGlxoYRlGO5nLONWwtDgXF852/Aaqn9kjw6j6+1W8kgoPnacyBb3p4zVnsBVphhvZ9cm7R29z3vjTjfb2N4YE2H1pIz3OgwOWuRn8Yj6yompoLqedpQ1RZhvHVhPSwtD+BT4TcN9Q9NOtZhw==',
  plaintext:
    '{"phoneNumber":"+85261234567","purePhoneNumber":"61234567","countryCode":"852","watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}',
}

/** Own key/iv; the watermark appid is deliberately not a syntactically valid appid. */
export const P1 = {
  appid: 'wx1b022th0rba666f7',
  sessionKey: 'BnW0kBJZyIdEMh9AgGoHXA==',
  iv: '3O/KQvJ1T2lEdj6QfAtRwg==',
  encryptedData:
    'koCM/4uFNBmktd4rYGTyM25s0TjF374a0pM749jI2s+X16KnDf/Y3ikNoRtr5JKRHwCT+Ecriy8lSSxTJo58PejIJyaFbC9n3wG5mEgOyc+hCuhO55QIJJM3pSahBtVWnLRYKlSfuyn5GOPjIWPWu1+/XhQlzmgiEkhCKAQapQ5eNxQ3hMkgB8PKyCJIAXWXYhE+DcxGTG34U4G+CTpkrw==',
  plaintext:
    '{"phoneNumber":"13588888888","purePhoneNumber":"13588888888","countryCode":"86","watermark":{"timestamp":1581352610,"appid":"wx1b022th0rba666f7"}}',
}

/** Seed 001: a blog's Java demo whose ciphertext decrypts to a placeholder, not JSON. */
export const SEED001 = {
  sessionKey: 'zF6lhhRqTdWJ8sb45RTxsw==',
  iv: 'CO5eq/F5TTv9SuwiMLDNaA==',
  encryptedData:
    'JXZ5dxBn7EqgRWTbqt50rxrN69Y9okDdL0YzvrSwNjKA9blYJagZbhovcwbhFy8vVaqjVVEjIl451JOCXIB2fpNpq0sbIxV+B28pKWLA8y2jn7R1iTE7O7k/tW1yVDMZwqRQyTw9lV/qlISw+HX887DeVWCfem6lx8jZ/C+kshJdig4Li06AIA9A9smToZYI',
}

export const S1 = {
  rawData:
    '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}',
  sessionKey: 'HyVFkGl5F5OQWJZZaNzBBg==',
  signature: '75e81ceda165f4ffa64f4068af58c64b8f54b88c',
}

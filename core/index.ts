/**
 * @module core — phonebind's platform-free domain logic. Everything public is re-exported here.
 */
export * from './contracts'
export * from './errors'
export * from './crypto'
export * from './phone'
export * from './wechatCodes'
export * from './validate'
export * from './binding'
export * from './accounts'
export * from './memoryStore'
export * from './auditTrail'
export * from './baseLibrary'

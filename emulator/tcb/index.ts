/** @module emulator/tcb — the CloudBase `/admin` endpoint: envelope, dispatch, database actions. */
export { createAdminRoute, type AdminRouteOptions } from './server'
export { createDatabaseActions, type DatabaseActionsOptions } from './database'

/**
 * @module console/page/state — the little the panels share: test users, the chosen user and
 * path, the app (quota, privacy) and active faults. Panels subscribe and re-render.
 */
import type { EmulatorApp, EmulatorUser, FaultApi, FaultSpec } from '../../client'
import { client, messageOf } from './api'
import { toast } from './dom'
import type { BindPath } from './flow'

export interface ConsoleState {
  users: EmulatorUser[]
  openid?: string
  path: BindPath
  app?: EmulatorApp
  faults: Partial<Record<FaultApi, FaultSpec>>
  /** The phone button's `phone-number-no-quota-toast` (WeChat's own notice when the quota is spent). */
  noQuotaToast: boolean
}

export const state: ConsoleState = { users: [], path: 'code', faults: {}, noQuotaToast: true }

const listeners = new Set<() => void>()

export function onChange(listener: () => void): void {
  listeners.add(listener)
}

export function changed(): void {
  for (const l of listeners) l()
}

export function selectedUser(): EmulatorUser | undefined {
  return state.users.find((u) => u.openid === state.openid)
}

/** Reloads users, app and faults from the emulator. */
export async function refreshState(): Promise<void> {
  const [users, apps, faults] = await Promise.all([client.users(), client.apps(), client.faults()])
  state.users = users.filter((u) => u.appid === apps.defaultAppid)
  state.app = apps.apps.find((a) => a.appid === apps.defaultAppid)
  state.faults = faults
  if (!selectedUser()) state.openid = state.users[0]?.openid
  changed()
}

/** A button's handler: run the request, reload the state, and say how it went in a toast. */
export function action(label: string, fn: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    try {
      await fn()
      await refreshState()
      toast(label)
    } catch (e) {
      toast(messageOf(e), 'error')
    }
  }
}

/**
 * @module server/bind — runs core's bind/unbind rules for the calling user on CloudBase and
 * shapes the client's view (masked unless the deployment opted in to full numbers).
 */
import { bindPhone, unbindPhone } from '../core/binding'
import type { BindData, PhoneSource, Result, UnbindData } from '../core/contracts'
import { ok } from '../core/errors'
import type { PhoneRecord } from '../core/phone'
import { callerAccount } from './accounts'
import { cloudBindingStore } from './cloudbaseStore'
import type { Invocation } from './handler'
import { phoneViewOf } from './view'

export async function bindForCaller(inv: Invocation, phone: PhoneRecord, source: PhoneSource): Promise<Result<BindData>> {
  const outcome = await bindPhone(cloudBindingStore(inv.db), {
    openid: inv.openid,
    // The number's owner: the caller's unionid account or its openid (PHONEBIND_ACCOUNT_KEY).
    account: callerAccount(inv),
    appid: inv.appid,
    unionid: inv.unionid,
    phone,
    source,
    // The clock, not a time: core reads it inside each transaction attempt (audit order).
    now: inv.now,
    policy: inv.config.conflictPolicy,
    onAuditFailure: (err) => inv.log.error('conflict audit event not written', { error: err }),
  })
  if (!outcome.ok) {
    inv.log.info('bind refused', { failure: outcome.error.code, masked: phone.masked, source })
    return outcome
  }
  const view = phoneViewOf(outcome.data.user, inv.config.returnFullPhone)
  if (!view) throw new Error('bindPhone returned a user without a phone') // a bug, not a business failure
  inv.log.info('bound', { change: outcome.data.change, masked: phone.masked, source })
  return ok({ phone: view, change: outcome.data.change })
}

export async function unbindForCaller(inv: Invocation): Promise<Result<UnbindData>> {
  const outcome = await unbindPhone(cloudBindingStore(inv.db), { openid: inv.openid, account: callerAccount(inv), now: inv.now })
  if (outcome.ok) inv.log.info('unbind', { released: outcome.data.released })
  return outcome
}

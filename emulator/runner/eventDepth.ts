/**
 * @module emulator/runner/eventDepth — how deeply an event may nest before the emulator refuses it.
 *
 * A function's event travels as JSON. V8's `JSON.stringify` overflows its stack somewhere past
 * 4 000 nested levels (4 185 for arrays at the top of node 20's stack, fewer deeper in a call),
 * so neither the mini program's `wx.cloud.callFunction` nor wx-server-sdk's `cloud.callFunction`
 * can send such data: the real platform never receives it. The emulator's own HTTP routes can
 * (JSON.parse does not recurse), so they refuse it up front rather than let it reach a worker.
 *
 * 512 is our pick, not a documented platform limit: 8× below V8's overflow, far above any real
 * payload (phonebind's events nest 2 levels).
 */

/** Containers (objects and arrays) nested inside each other; the event object itself is level 1. */
export const MAX_EVENT_DEPTH = 512

/**
 * True when `value` nests more than `max` levels of objects/arrays. Walks with an explicit stack
 * (a recursive walk would overflow on exactly the input it exists to refuse) and stops as soon
 * as the bound is passed.
 */
export function nestsDeeperThan(value: unknown, max: number = MAX_EVENT_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}

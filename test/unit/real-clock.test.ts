// The engine's real clock: a deadline is never checked before its time (libuv timers alone can
// fire up to 1 ms early), and a cancelled timer never fires.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {realClock} from '../../src/engines/trace/transport.js'

const NS_PER_MS = 1_000_000n

describe('realClock.setTimer', () => {
  it('never fires before its time, for whole and fractional ms', async () => {
    for (const ms of [0, 0.3, 1, 2.5, 7.9, 12]) {
      const start = realClock.now()
      const firedAt = await new Promise<bigint>((resolve) => realClock.setTimer(() => resolve(realClock.now()), ms))
      const waited = Number(firedAt - start) / Number(NS_PER_MS)
      assert.ok(waited >= ms, `setTimer(${ms}) fired after ${waited.toFixed(3)} ms`)
    }
  })

  it('a timer cancelled before its time never fires: at once, in its setTimeout, or in its last fraction', async () => {
    const elapsedMs = (from: bigint): number => Number(realClock.now() - from) / Number(NS_PER_MS)
    for (const [ms, cancelAt] of [[3.5, 0], [6.5, 2], [6.5, 6.1]] as const) {
      let fired = false
      const start = realClock.now()
      const cancel = realClock.setTimer(() => (fired = true), ms)
      // spin the event loop (setImmediate still polls) until cancelAt ms have passed
      while (elapsedMs(start) < cancelAt) await new Promise((r) => setImmediate(r))
      const at = elapsedMs(start)
      cancel()
      await new Promise((r) => setTimeout(r, ms + 10))
      // on a stalled machine the cancel may come after the due time; then firing is allowed
      if (at < ms) assert.equal(fired, false, `setTimer(${ms}) cancelled at ${at.toFixed(3)} ms fired`)
    }
  })
})

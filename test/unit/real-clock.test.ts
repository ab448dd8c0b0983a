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

  it('a cancelled timer does not fire, in its setTimeout or its last fraction', async () => {
    let fired = 0
    realClock.setTimer(() => fired++, 3.5)()
    const cancelLate = realClock.setTimer(() => fired++, 1.5)
    await new Promise((r) => setTimeout(r, 1)) // cancel during or near the sub-ms phase
    cancelLate()
    await new Promise((r) => setTimeout(r, 10))
    assert.equal(fired, 0)
  })
})

// The watch's round schedule must not follow steps of the wall clock: before, a +30 s step ended a
// 10 s watch at 3 s and a -30 s step sent nothing for 30 s. Timestamps stay wall-clock.
import assert from 'node:assert/strict'
import {afterEach, test} from 'node:test'

import type {Observation} from '../../src/model/watch.js'
import {runRounds} from '../../src/vantage/live/loop.js'
import type {Prober} from '../../src/vantage/live/probe.js'

const realNow = Date.now
afterEach(() => {
  Date.now = realNow
})

const prober: Prober = async () => ({answered: true, rttMs: 1, pop: 'FRA', receivedAt: Date.now()})

async function stepped(stepMs: number): Promise<{seen: Observation[]; seenAt: number[]; skipped: number; elapsedMs: number}> {
  const seen: Observation[] = []
  /** the real time each observation came back (under load, seconds after it was sent) */
  const seenAt: number[] = []
  let offset = 0
  Date.now = () => realNow() + offset // the machine's wall clock, which will step mid-watch
  const t0 = performance.now()
  const startAt = Date.now() + 10
  const {skipped} = await runRounds({
    vantageId: 'local',
    prober,
    intervalMs: 20,
    flows: 1,
    startAt,
    durationMs: 200,
    onObservation: (o) => {
      seen.push(o)
      seenAt.push(realNow())
      if (seen.length === 3) offset = stepMs
    },
  })
  return {seen, seenAt, skipped, elapsedMs: performance.now() - t0}
}

for (const step of [30_000, -30_000]) {
  test(`a ${step > 0 ? '+' : ''}${step / 1000} s wall-clock step neither ends nor stalls the watch`, async () => {
    const {seen, seenAt, skipped, elapsedMs} = await stepped(step)
    // every round of the 200 ms watch is sent in order, or skipped when a loaded machine held the
    // loop up past half an interval (loop.ts keeps the cadence): none is lost to the step
    const rounds = seen.map((o) => o.round)
    assert.deepEqual(rounds, [...rounds].sort((a, b) => a - b), 'in order')
    assert.ok(rounds.every((r) => r >= 0 && r < 10), rounds.join(','))
    assert.equal(rounds.length + skipped, 10, `sent ${rounds.join(',')}, skipped ${skipped}`)
    // a stalled watch would wait out the 30 s step; 10 s leaves a loaded machine room
    assert.ok(elapsedMs < 10_000, `the watch took ${elapsedMs.toFixed(0)} ms for 200 ms`)
    // timestamps are the wall clock's: the ones sent after the step carry it (compared with the real
    // time each came back, not with the time the test ends: a loaded machine may take seconds); a
    // machine so loaded that every round after the step was skipped has none to compare
    for (let i = 3; i < seen.length; i++) {
      const lag = seenAt[i]! + step - seen[i]!.sentAt
      assert.ok(lag >= -50 && lag < 5000, `sentAt of round ${seen[i]!.round} is wall-clock time (off by ${lag} ms)`)
    }
    for (let i = 0; i < Math.min(3, seen.length); i++) assert.ok(Math.abs(seenAt[i]! - seen[i]!.sentAt) < 5000, 'before the step: the real clock')
  })
}

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

async function stepped(stepMs: number): Promise<{seen: Observation[]; skipped: number; elapsedMs: number}> {
  const seen: Observation[] = []
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
      if (seen.length === 3) offset = stepMs
    },
  })
  return {seen, skipped, elapsedMs: performance.now() - t0}
}

for (const step of [30_000, -30_000]) {
  test(`a ${step > 0 ? '+' : ''}${step / 1000} s wall-clock step neither ends nor stalls the watch`, async () => {
    const {seen, skipped, elapsedMs} = await stepped(step)
    // every round of the 200 ms watch is sent in order, or skipped when a loaded machine held the
    // loop up past half an interval (loop.ts keeps the cadence): none is lost to the step
    const rounds = seen.map((o) => o.round)
    assert.deepEqual(rounds, [...rounds].sort((a, b) => a - b), 'in order')
    assert.ok(rounds.every((r) => r >= 0 && r < 10), rounds.join(','))
    assert.equal(rounds.length + skipped, 10, `sent ${rounds.join(',')}, skipped ${skipped}`)
    // a stalled watch would wait out the 30 s step; 10 s leaves a loaded machine room
    assert.ok(elapsedMs < 10_000, `the watch took ${elapsedMs.toFixed(0)} ms for 200 ms`)
    // timestamps are the wall clock's: the later ones carry the step
    const last = seen.at(-1)!
    assert.ok(Math.abs(last.sentAt - (realNow() + step)) < 1000, 'sentAt is wall-clock time')
  })
}

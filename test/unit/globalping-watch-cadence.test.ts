// watch --from globalping: keeps its cadence as the local/netns/ssh loops do (src/vantage/live/loop.ts):
// a round that cannot start within half an interval of its time, because the measurement before it
// took longer than the interval, is skipped (no observation: the summary's skippedRounds and
// anyprobe_rounds_skipped_total count it), never sent right after the late one. Before, the late
// round was created as soon as the previous one finished and the next followed on time: two
// measurements of the same probes seconds apart, a failover gap measured across them too small.
// Injected clock; the outcomes are the Globalping parser's reading of a real finished DNS
// measurement (test/fixtures/globalping/dns-finished.json). The 100 s round is the shape of a
// Globalping measurement waiting for a slow probe (the API finishes a measurement only when every
// probe has reported or timed out; reference/globalping-api.md).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {analyze, createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {RoundEvent, RoundsPlan, VantageOutcome} from '../../src/model/probe.js'
import type {Observation, WatchSummaryEvent} from '../../src/model/watch.js'
import {parseMeasurement} from '../../src/vantage/globalping/parse.js'
import {globalpingRounds} from '../../src/vantage/globalping/rounds.js'
import {WatchMetrics} from '../../src/watch/metrics.js'

const T0 = 1_765_000_000_000
const I = 60_000
const fixture = JSON.parse(readFileSync('test/fixtures/globalping/dns-finished.json', 'utf8')) as Parameters<typeof parseMeasurement>[0]
const outcomes: VantageOutcome[] = parseMeasurement(fixture, {target: '193.0.14.129'})

interface Run {
  events: RoundEvent[]
  /** clock time each measurement was created, by call */
  started: number[]
}

/** globalpingRounds on a fake clock; measurement k takes took(k) ms. */
async function run(plan: Partial<RoundsPlan>, took: (k: number) => number): Promise<Run> {
  let t = T0
  const started: number[] = []
  const events: RoundEvent[] = []
  const full = {method: 'dns', target: '193.0.14.129', intervalMs: I, count: null, durationMs: null, ...plan} as RoundsPlan
  const rounds = globalpingRounds(
    full,
    {
      async *measure(_prev, _plan, _signal, onId) {
        const k = started.length
        started.push(t)
        onId(`gpcadence${k}`)
        t += took(k)
        yield* outcomes
      },
      hasToken: true,
      probes: null,
      rate: {limitPerHour: 1_000_000, minMs: 10},
      now: () => t,
      sleep: async (ms) => {
        if (ms > 0) t += ms
      },
    },
    new AbortController().signal,
  )
  for await (const e of rounds) events.push(e)
  return {events, started}
}

const observations = (r: Run): Observation[] => r.events.flatMap((e) => (e.type === 'observation' ? [e.observation] : []))
const roundsMeasured = (r: Run): number[] => [...new Set(observations(r).map((o) => o.round))]

describe('watch --from globalping: the cadence is kept', () => {
  it('precondition: the fixture gives one observation per probe, answered', () => {
    assert.ok(outcomes.length >= 2)
    assert.ok(outcomes.some((o) => o.result !== null))
  })

  it('a measurement that overran by 40 s: the round it overran is skipped (not sent late), --count still measures 6 rounds', async () => {
    // round 1 takes 100 s; the others 5 s
    const r = await run({count: 6}, (k) => (k === 1 ? 100_000 : 5_000))
    assert.deepEqual(roundsMeasured(r), [0, 1, 3, 4, 5, 6])
    assert.equal(r.started.length, 6)
    // every measurement created within half an interval of its round's time, none within half an interval of the one before
    const rounds = roundsMeasured(r)
    r.started.forEach((at, k) => assert.ok(at - (T0 + rounds[k]! * I) <= I / 2, `round ${rounds[k]} created ${(at - T0 - rounds[k]! * I) / 1000} s late`))
    for (let k = 1; k < r.started.length; k++) assert.ok(r.started[k]! - r.started[k - 1]! >= I / 2, `measurements ${k - 1} and ${k} created ${(r.started[k]! - r.started[k - 1]!) / 1000} s apart`)
    // said once, on stderr's channel
    const notes = r.events.filter((e) => e.type === 'note' && /skipped/.test(e.text))
    assert.equal(notes.length, 1)
  })

  it('the skipped round is counted in the summary and the metric, per probe, as for a local watch', async () => {
    const r = await run({count: 6}, (k) => (k === 1 ? 100_000 : 5_000))
    const obs = observations(r)
    const sum = analyze(obs, {intervalMs: I, flows: 1}).at(-1) as WatchSummaryEvent
    assert.equal(sum.type, 'summary')
    assert.equal(sum.skippedRounds, outcomes.length)
    assert.deepEqual(new Set(sum.vantagePoints.map((v) => v.skippedRounds)), new Set([1]))
    // the watch's metrics for a Globalping watch (whole rounds: reorder window 1), told by the analyser
    const m = new WatchMetrics()
    const a = createWatchAnalyzer({intervalMs: I, flows: 1, reorderRounds: 1, onGaps: (vp, g) => m.gaps(vp, g)})
    for (const o of obs) {
      m.observe(o)
      a.push(o)
    }
    a.finish()
    const text = await m.text()
    const id = obs[0]!.vantageId
    const counted = new RegExp(`^anyprobe_rounds_skipped_total\\{vantage="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\} (\\d+)$`, 'm').exec(text)?.[1]
    assert.equal(counted, '1')
  })

  it('--duration is time: a skipped round is not made up at the end', async () => {
    const r = await run({durationMs: 6 * I}, (k) => (k === 1 ? 100_000 : 5_000))
    assert.deepEqual(roundsMeasured(r), [0, 1, 3, 4, 5])
  })

  it('a round a little late (under half an interval) is measured, not skipped', async () => {
    const r = await run({count: 4}, (k) => (k === 1 ? 85_000 : 5_000))
    assert.deepEqual(roundsMeasured(r), [0, 1, 2, 3])
    assert.equal(r.events.filter((e) => e.type === 'note' && /skipped/.test(e.text)).length, 0)
  })
})

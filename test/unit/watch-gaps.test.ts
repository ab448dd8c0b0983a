// Rounds of a vantage point with no observation (analysis/watch/gaps.ts): one rule for the watch
// summary (skippedRounds, unmeasuredRounds) and the metrics (anyprobe_rounds_skipped_total,
// anyprobe_rounds_unmeasured_total). Before, the summary counted by the span of rounds seen and the
// metric by its own horizon: a round skipped just before the end was in the summary and never in
// the metric; a round Globalping could not measure was counted as skipped, "not sent on time",
// which it was not (it was asked for on time; the API did not measure it).
// The session tests go through WatchSession as the watch command does (consume, finish), with the
// RoundEvents a backend yields; the metric is read from the session's registry after the end.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {newRoundGaps, roundObserved, roundUnmeasured, settleGaps, unmeasuredAtEnd} from '../../src/analysis/watch/gaps.js'
import {createWatchAnalyzer, optionsOfStart, WatchReplay} from '../../src/analysis/watch/index.js'
import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart, type WatchSummaryEvent} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {schemaErrors} from '../helpers/schema.js'

const T0 = 1_765_000_000_000
const I = 1000

describe('gaps: the rule', () => {
  it('a settled round with no observation is skipped, or unmeasured when the backend said so; an observed one is neither', () => {
    const g = newRoundGaps(3)
    for (const r of [3, 4, 7]) roundObserved(g, r)
    roundUnmeasured(g, 6)
    roundUnmeasured(g, 7) // marked and observed: it was measured after all
    assert.deepEqual(settleGaps(g, 7), {skipped: 1, unmeasured: 1}) // 5 skipped, 6 unmeasured
    assert.deepEqual([g.skippedRounds, g.unmeasuredRounds], [1, 1])
  })

  it('rounds before the first are not its own; nothing past the newest round seen is settled (it may have stopped)', () => {
    const g = newRoundGaps(10)
    roundObserved(g, 10)
    assert.deepEqual(settleGaps(g, 1000), {skipped: 0, unmeasured: 0})
    roundObserved(g, 2) // before its first
    roundUnmeasured(g, 14)
    assert.deepEqual(settleGaps(g, Infinity), {skipped: 3, unmeasured: 1}) // 11..13 skipped, 14 unmeasured
  })

  it('settled is final: an observation of a settled round does not take it back (the counter cannot), and a jump of many rounds is counted at once', () => {
    const g = newRoundGaps(0)
    roundObserved(g, 0)
    roundObserved(g, 2)
    settleGaps(g, 2)
    roundObserved(g, 1) // late
    roundObserved(g, 1_000_000_002)
    assert.deepEqual(settleGaps(g, Infinity), {skipped: 999_999_999, unmeasured: 0})
    assert.equal(g.skippedRounds, 1_000_000_000)
  })
})

const start: WatchStart = {schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '192.0.2.1', method: 'dns', intervalMs: I, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 1}
const vantage = (id: string): VantagePoint => ({kind: 'globalping', id, name: null, asn: null, country: null, lat: null, lon: null})
const ob = (id: string, round: number): Observation => ({vantageId: id, round, flow: 0, sentAt: T0 + round * I, receivedAt: T0 + round * I + 5, rttMs: 5, pop: 'FRA', answered: true})

async function* stream(events: RoundEvent[]): AsyncIterable<RoundEvent> {
  yield* events
}

describe('gaps: the newest round not measured (unmeasuredAtEnd: the watch\'s state at the end unknown)', () => {
  it('true while the newest round is a mark with no observation, through settling; an observation of it, or of a later round, ends it', () => {
    const g = newRoundGaps(0)
    for (const r of [0, 1]) roundObserved(g, r)
    assert.equal(unmeasuredAtEnd(g), false)
    roundUnmeasured(g, 2)
    roundUnmeasured(g, 3)
    assert.equal(unmeasuredAtEnd(g), true)
    settleGaps(g, Infinity) // the end settles every round: the answer must not go with the marks
    assert.equal(unmeasuredAtEnd(g), true)
    roundObserved(g, 3) // came late, after its round was settled: the state at round 3 is known after all
    assert.equal(unmeasuredAtEnd(g), false)
    roundUnmeasured(g, 1) // an older mark than an observation says nothing of the end
    assert.equal(unmeasuredAtEnd(g), false)
    roundUnmeasured(g, 4)
    roundObserved(g, 5)
    assert.equal(unmeasuredAtEnd(g), false)
  })

  it('the analyser answers it per vantage point, after finish too; false for one it never observed', () => {
    const a = createWatchAnalyzer(optionsOfStart(start))
    for (const r of [0, 1, 2]) {
      a.push(ob('a', r))
      if (r < 2) a.push(ob('b', r))
    }
    a.unmeasured('b', 2)
    a.unmeasured('c', 2) // no observation: the rounds before its first are not its own
    a.flushRound(2)
    a.finish()
    assert.deepEqual(['a', 'b', 'c'].map((id) => a.unmeasuredAtEnd(id)), [false, true, false])
  })
})

/** A watch session fed `events` (as a backend yields them); its summary, its text and its two round counters per vantage point. */
async function watch(events: RoundEvent[], json = true): Promise<{summary: WatchSummaryEvent; text: string; metric: (name: string, id: string) => number | null}> {
  let text = ''
  const session = await WatchSession.open({start, json, write: (t) => (text += t), tty: false, report: () => {}, extras: {}})
  await session.consume(stream(events))
  const end = await session.finish('test')
  const metrics = await session.metrics.text()
  return {
    summary: end.summary,
    text,
    metric: (name, id) => {
      const m = new RegExp(`^${name}\\{vantage="${id}"\\} (\\d+)$`, 'm').exec(metrics)
      return m === null ? null : Number(m[1])
    },
  }
}

const observation = (id: string, round: number): RoundEvent => ({type: 'observation', vantage: vantage(id), observation: ob(id, round)})

describe('gaps: the summary and the metric count alike', () => {
  it('a round skipped just before the end is in both (the metric left it out: its horizon never passed it)', async () => {
    // rounds 0, 1, 3 sent (2 skipped by a loop held up); the watch ends after round 3
    const w = await watch([0, 1, 3].map((r) => observation('vp', r)))
    assert.equal(w.summary.skippedRounds, 1)
    assert.equal(w.metric('anyprobe_rounds_skipped_total', 'vp'), 1)
  })

  it('a round whose observation came after it was judged (late) is counted alike in both', async () => {
    // reorder window 1: round 2 is judged without its observation once round 5 is in
    const w = await watch([0, 1, 3, 4, 5, 2, 6].map((r) => observation('vp', r)))
    assert.equal(w.summary.late, 1)
    assert.equal(w.metric('anyprobe_rounds_skipped_total', 'vp'), w.summary.vantagePoints[0]!.skippedRounds)
  })

  it('rounds the backend did not measure are unmeasured in the summary, the metric and the text, not skipped', async () => {
    // two probes; rounds 2 and 3 Globalping could not measure ('unmeasured', as globalping/rounds.ts says them); round 5 skipped for b
    const events: RoundEvent[] = []
    for (let r = 0; r < 7; r++) {
      for (const id of ['a', 'b']) {
        if (r === 2 || r === 3) events.push({type: 'unmeasured', vantage: vantage(id), round: r} as RoundEvent)
        else if (!(id === 'b' && r === 5)) events.push(observation(id, r))
      }
      events.push({type: 'round', round: r})
    }
    const w = await watch(events, false)
    assert.deepEqual(
      w.summary.vantagePoints.map((v) => [v.vantageId, v.skippedRounds, v.unmeasuredRounds, v.lost, v.outages]),
      [
        ['a', 0, 2, 0, 0],
        ['b', 1, 2, 0, 0],
      ],
    )
    assert.deepEqual([w.summary.skippedRounds, w.summary.unmeasuredRounds], [1, 4])
    for (const [id, skipped] of [['a', 0], ['b', 1]] as const) {
      assert.equal(w.metric('anyprobe_rounds_skipped_total', id), skipped, id)
      assert.equal(w.metric('anyprobe_rounds_unmeasured_total', id), 2, id)
    }
    assert.deepEqual(schemaErrors('watch-event.schema.json', w.summary), [])
    assert.match(w.text, /^summary: 7 rounds \(1 vantage-point round skipped: not sent on time; 4 vantage-point rounds not measured: the backend could not\),/m)
    assert.match(w.text, /^ {2}a +now FRA +5 answered, 0 lost, 2 rounds not measured, 0 flips/m)
    assert.match(w.text, /^ {2}b +now FRA +4 answered, 0 lost, 1 round skipped, 2 rounds not measured, 0 flips/m)
  })

  it('a summary written before unmeasuredRounds (and skippedRounds) existed is still valid and reads as before', async () => {
    const w = await watch([0, 1, 2].map((r) => observation('vp', r)))
    const {unmeasuredRounds: _u, skippedRounds: _s, ...old} = w.summary
    const oldRows = old.vantagePoints.map(({unmeasuredRounds: _a, skippedRounds: _b, ...v}) => v)
    assert.deepEqual(schemaErrors('watch-event.schema.json', {...old, vantagePoints: oldRows}), [])
    assert.equal(w.summary.unmeasuredRounds, 0)
  })

  it('a saved watch judged again (WatchReplay) counts the rounds said unmeasured as the live watch did', () => {
    const r = new WatchReplay()
    r.start(start)
    for (const round of [0, 1, 4]) r.push(ob('a', round))
    r.unmeasured('a', 2)
    const sum = r.finish().at(-1) as WatchSummaryEvent
    assert.deepEqual([sum.skippedRounds, sum.unmeasuredRounds], [1, 1])
  })
})

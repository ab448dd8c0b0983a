// The round loop's cadence (src/vantage/live/loop.ts) on an injected clock: a round that could not
// be sent within half an interval of when it was due is skipped and counted, never sent back to
// back with the next one (a burst made a failover's gap read 0 ms); --count counts rounds sent;
// with countFromFirst, --duration runs from the first round the loop sends (a netns/ssh child that
// took longer to start than the duration sent nothing at all).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {analyze, createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {Observation, WatchSummaryEvent} from '../../src/model/watch.js'
import {renderWatchSummary} from '../../src/render/watch.js'
import {onTimeRound, runRounds} from '../../src/vantage/live/loop.js'
import type {Prober} from '../../src/vantage/live/probe.js'
import {WatchMetrics} from '../../src/watch/metrics.js'
import {schemaErrors} from '../helpers/schema.js'

const T0 = 1_765_000_000_000

/** A clock that moves only when the loop sleeps; `stall(ms)` makes the next sleep overshoot (a busy machine). */
function fakeClock(): {now: () => number; sleep: (ms: number) => Promise<void>; stall: (ms: number) => void} {
  let t = T0
  let extra = 0
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms + extra
      extra = 0
    },
    stall: (ms) => {
      extra = ms
    },
  }
}

const answered: Prober = async () => ({answered: true, rttMs: 1, pop: 'FRA', receivedAt: null})

/** A prober whose 4th call (round 3) holds the loop up for `ms` (a prober slow to return, a busy event loop). */
function stallingProber(clock: ReturnType<typeof fakeClock>, ms: number): Prober {
  let calls = 0
  return async () => {
    if (++calls === 4) clock.stall(ms)
    return {answered: true, rttMs: 1, pop: 'FRA', receivedAt: null}
  }
}

describe('the round loop keeps its cadence', () => {
  it('onTimeRound: a round up to half an interval late is sent; later, the first round whose slot is not half over', () => {
    assert.equal(onTimeRound(4, T0, 100, T0 + 400 + 50), 4)
    assert.equal(onTimeRound(4, T0, 100, T0 + 400 + 51), 5)
    assert.equal(onTimeRound(4, T0, 100, T0 + 750), 7)
    assert.equal(onTimeRound(4, T0, 100, T0 + 760), 8)
  })

  it('a stall of 3.5 intervals skips the 3 rounds it missed (counted) instead of sending them at once; --count still sends 10 rounds', async () => {
    const clock = fakeClock()
    const seen: Observation[] = []
    const complete: number[] = []
    const r = await runRounds({
      vantageId: 'x',
      prober: stallingProber(clock, 350),
      intervalMs: 100,
      flows: 1,
      startAt: T0,
      count: 10,
      countFromFirst: true,
      now: clock.now,
      wallNow: clock.now,
      sleep: clock.sleep,
      // the loop is held up for 350 ms after sending round 3
      onObservation: (o) => seen.push(o),
      onRoundComplete: (round) => complete.push(round),
    })
    const rounds = seen.map((o) => o.round).sort((a, b) => a - b)
    assert.deepEqual(rounds, [0, 1, 2, 3, 7, 8, 9, 10, 11, 12])
    assert.deepEqual(r, {rounds: 10, skipped: 3})
    // every round sent within half an interval of its slot, and no two closer than half an interval
    const sorted = [...seen].sort((a, b) => a.round - b.round)
    for (const o of sorted) assert.ok(o.sentAt - (T0 + o.round * 100) <= 50, `round ${o.round} sent ${o.sentAt - T0 - o.round * 100} ms late`)
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.sentAt - sorted[i - 1]!.sentAt >= 50, `rounds ${sorted[i - 1]!.round} and ${sorted[i]!.round} sent ${sorted[i]!.sentAt - sorted[i - 1]!.sentAt} ms apart`)
    // the skipped rounds are complete too (nothing was sent in them), in order
    assert.deepEqual(complete, [...Array(13).keys()])
  })

  it('--duration is time: rounds skipped in it are not made up', async () => {
    const clock = fakeClock()
    const seen: number[] = []
    const r = await runRounds({
      vantageId: 'x',
      prober: stallingProber(clock, 350),
      intervalMs: 100,
      flows: 1,
      startAt: T0,
      durationMs: 1000,
      now: clock.now,
      wallNow: clock.now,
      sleep: clock.sleep,
      onObservation: (o) => seen.push(o.round),
    })
    assert.deepEqual(seen.sort((a, b) => a - b), [0, 1, 2, 3, 7, 8, 9])
    assert.deepEqual(r, {rounds: 7, skipped: 3})
  })

  it('with countFromFirst, --duration runs from the first round sent: a loop that joins 2.5 s into a 1 s watch still probes 1 s', async () => {
    const clock = fakeClock()
    const seen: number[] = []
    // round 0 was 2.5 s ago (a netns child, an ssh login, an Atlas measurement being created)
    await runRounds({
      vantageId: 'x',
      prober: answered,
      intervalMs: 100,
      flows: 1,
      startAt: T0 - 2500,
      durationMs: 1000,
      countFromFirst: true,
      now: clock.now,
      wallNow: clock.now,
      sleep: clock.sleep,
      onObservation: (o) => seen.push(o.round),
    })
    assert.deepEqual(seen.sort((a, b) => a - b), [25, 26, 27, 28, 29, 30, 31, 32, 33, 34])
  })

  it('fromRound: a failed child\'s unanswered rounds end when its own --duration would have', async () => {
    const clock = fakeClock()
    const seen: number[] = []
    // the child sent from round 5 and failed at round 12 (now); a 1 s duration at 100 ms: rounds 5..14
    await runRounds({
      vantageId: 'x',
      prober: answered,
      intervalMs: 100,
      flows: 1,
      startAt: T0 - 1150,
      durationMs: 1000,
      countFromFirst: true,
      fromRound: 5,
      now: clock.now,
      wallNow: clock.now,
      sleep: clock.sleep,
      onObservation: (o) => seen.push(o.round),
    })
    assert.deepEqual(seen.sort((a, b) => a - b), [12, 13, 14])
  })
})

describe('skipped rounds in the summary, the text and the metrics', () => {
  const ob = (round: number, flow = 0, answered = true): Observation => ({vantageId: 'vp', round, flow, sentAt: T0 + round * 100 + flow, receivedAt: null, rttMs: answered ? 1 : null, pop: answered ? 'FRA' : null, answered})

  it('a round with no observation between the first and the last is skipped: counted per vantage point and in all, valid against the schema', () => {
    // rounds 0..3 and 7..12 sent (4..6 skipped by the loop); round 2 has two flows, one answered late
    const obs = [0, 1, 2, 3, 7, 8, 9, 10, 11, 12].map((r) => ob(r)).concat([ob(2, 1, false), {...ob(0), vantageId: 'other'}, {...ob(1), vantageId: 'other'}])
    const sum = analyze(obs, {intervalMs: 100, flows: 2}).at(-1) as WatchSummaryEvent
    assert.equal(sum.type, 'summary')
    assert.deepEqual(sum.vantagePoints.map((v) => [v.vantageId, v.skippedRounds, v.rounds]), [['other', 0, 2], ['vp', 3, 10]])
    assert.equal(sum.skippedRounds, 3)
    assert.deepEqual(schemaErrors('watch-event.schema.json', sum), [])
    const text = renderWatchSummary(sum)
    assert.match(text, /^summary: 13 rounds \(3 vantage-point rounds skipped: not sent on time\),/)
    assert.match(text, /vp +now FRA +10 answered, 1 lost, 3 rounds skipped, 0 flips/)
    assert.doesNotMatch(text, /other .*skipped/)
  })

  it('a round judged without an observation stays counted when its observation comes late (counted late): the count never goes back, as the metric cannot', () => {
    // (until the summary and the metric shared one rule, analysis/watch/gaps.ts, the summary
    // took the round back and the metric kept it: they disagreed)
    const a = createWatchAnalyzer({intervalMs: 100, reorderRounds: 0})
    for (const r of [0, 1, 3, 4]) a.push(ob(r))
    a.push(ob(2))
    const sum = a.finish().at(-1) as WatchSummaryEvent
    assert.equal(sum.late, 1)
    assert.equal(sum.skippedRounds, 1)
  })

  it('anyprobe_rounds_skipped_total counts a missing round once the analyser has judged past it, never a round that arrives out of order', async () => {
    const m = new WatchMetrics()
    const a = createWatchAnalyzer({intervalMs: 100, reorderRounds: 1, onGaps: (id, g) => m.gaps(id, g)})
    const push = (o: Observation): void => {
      m.observe(o)
      a.push(o)
    }
    const skipped = async (): Promise<string> => /^anyprobe_rounds_skipped_total\{vantage="vp"\} (\d+)$/m.exec(await m.text())?.[1] ?? '-'
    push(ob(5))
    assert.equal(await skipped(), '0', 'the rounds before its first are not its own')
    push(ob(7))
    push(ob(6)) // out of order, within the window
    push(ob(8))
    push(ob(9))
    assert.equal(await skipped(), '0')
    for (const r of [13, 14, 15, 16]) push(ob(r))
    assert.equal(await skipped(), '3', 'rounds 10..12 were not sent')
    const sum = a.finish().at(-1) as WatchSummaryEvent
    assert.equal(sum.skippedRounds, 3)
    assert.equal(await skipped(), '3')
  })
})

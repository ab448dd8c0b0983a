// anyprobe watch analysis, from scenario data files (test/fixtures/watch/*.json): per vantage point
// a list of [sentAtOffsetMs, pop | null (answered, PoP not named) | "*" (no answer), rttMs, flow?, round?].
// Without an explicit round, the n-th entry of a flow is round n.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {analyze, createWatchAnalyzer, nearestRank, niceInterval, WATCH_DEFAULTS, type WatchAnalyzerOptions, type ReplayEvent, WatchReplay} from '../../src/analysis/watch/index.js'
import type {Observation, WatchEvent, WatchStart, WatchSummaryEvent} from '../../src/model/watch.js'
import {renderWatchEvent} from '../../src/render/watch.js'
import {schemaErrors} from '../helpers/schema.js'

type Entry = [number, string | null, number | null, number?, number?]

interface Fixture {
  description: string
  intervalMs: number
  flows: number
  start: number
  timeoutMs: number
  options?: Partial<WatchAnalyzerOptions>
  truth?: Record<string, number>
  vps: Record<string, Entry[]>
}

const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`../fixtures/watch/${name}.json`, import.meta.url), 'utf8')) as Fixture

function observations(f: Fixture): Observation[] {
  const out: Observation[] = []
  for (const [vantageId, entries] of Object.entries(f.vps)) {
    const nextRound = new Map<number, number>()
    for (const [off, pop, rtt, flowIn, roundIn] of entries) {
      const flow = flowIn ?? 0
      const round = roundIn ?? nextRound.get(flow) ?? 0
      nextRound.set(flow, round + 1)
      const answered = pop !== '*'
      const sentAt = f.start + off
      out.push({
        vantageId,
        round,
        flow,
        sentAt,
        receivedAt: answered && rtt !== null ? sentAt + rtt : null,
        rttMs: answered ? rtt : null,
        pop: answered ? pop : null,
        answered,
      })
    }
  }
  return out
}

const optionsOf = (f: Fixture, over: Partial<WatchAnalyzerOptions> = {}): WatchAnalyzerOptions => ({
  intervalMs: f.intervalMs,
  flows: f.flows,
  now: () => f.start,
  ...f.options,
  ...over,
})

/** When an observation reaches the analyser in a live run: nominal send time + RTT (or the timeout). */
const arrival = (f: Fixture, o: Observation): number => o.round * f.intervalMs + o.flow * 0.01 + (o.answered ? (o.rttMs ?? 0) : f.timeoutMs)

function byArrival(f: Fixture, obs: Observation[]): Observation[] {
  return obs
    .map((o, i) => ({o, i, t: arrival(f, o)}))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.o)
}

/** A harsher arrival order: each observation delayed by a random part of `rounds` intervals (never beyond the reorder window). */
function shuffled(f: Fixture, obs: Observation[], rounds: number): Observation[] {
  let seed = 42
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  return obs
    .map((o, i) => ({o, i, t: o.round * f.intervalMs + rnd() * rounds * f.intervalMs}))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.o)
}

/** The live path: push in arrival order (optionally flushing each round once its timeout passed), then finish. */
function stream(f: Fixture, obs: Observation[], {flush = false, over = {}}: {flush?: boolean; over?: Partial<WatchAnalyzerOptions>} = {}): WatchEvent[] {
  const a = createWatchAnalyzer(optionsOf(f, {reorderRounds: Math.ceil(f.timeoutMs / f.intervalMs), ...over}))
  const out: WatchEvent[] = []
  let flushed = -1
  for (const o of obs) {
    if (flush) {
      const t = arrival(f, o)
      while ((flushed + 1) * f.intervalMs + f.timeoutMs < t) out.push(...a.flushRound(++flushed))
    }
    out.push(...a.push(o))
  }
  out.push(...a.finish())
  return out
}

const run = (name: string, over: Partial<WatchAnalyzerOptions> = {}): {f: Fixture; events: WatchEvent[]} => {
  const f = fixture(name)
  return {f, events: analyze(observations(f), optionsOf(f, over))}
}

const ofType = <T extends WatchEvent['type']>(events: WatchEvent[], type: T): Array<Extract<WatchEvent, {type: T}>> =>
  events.filter((e): e is Extract<WatchEvent, {type: T}> => e.type === type)
const forVp = <E extends WatchEvent>(events: E[], id: string): E[] => events.filter((e) => 'vantageId' in e && e.vantageId === id)
const summaryOf = (events: WatchEvent[]): WatchSummaryEvent => {
  const s = ofType(events, 'summary')
  assert.equal(s.length, 1, 'exactly one summary')
  assert.equal(events[events.length - 1], s[0], 'the summary comes last')
  return s[0]!
}
const vpSummary = (events: WatchEvent[], id: string) => summaryOf(events).vantagePoints.find((v) => v.vantageId === id)!
const types = (events: WatchEvent[]): string[] => events.map((e) => ('vantageId' in e ? `${e.type}:${e.vantageId}` : e.type))

const FIXTURES = ['stable', 'graceful-withdrawal', 'silent-cut', 'flapping', 'ecmp', 'never-answers', 'out-of-order', 'clock-jump', 'summary']

describe('watch analysis: scenarios', () => {
  it('stable catchment: no events but the summary; one lost probe is not an outage', () => {
    const {events} = run('stable')
    assert.deepEqual(types(events), ['summary'])
    const s = summaryOf(events)
    assert.equal(s.rounds, 30)
    assert.equal(s.observations, 90)
    assert.equal(s.flippingVantagePoints, 0)
    assert.equal(s.flippingShare, 0)
    assert.deepEqual(s.failover, {count: 0, p50Ms: null, p90Ms: null, maxMs: null, resolutionMs: 1000})
    const c = vpSummary(events, 'vp-c')
    assert.equal(c.lost, 1)
    assert.equal(c.unlocated, 1)
    assert.equal(c.outages, 0)
    assert.equal(c.flipRate, 0)
    assert.equal(c.pop, 'FRA')
    assert.deepEqual(s.pops.map((p) => [p.pop, p.observations, p.vantagePoints, p.current]), [
      ['FRA', 58, 2, 2],
      ['AMS', 30, 1, 1],
    ])
  })

  it('graceful withdrawal: one shift within one interval, zero probes lost, no failover', () => {
    const {f, events} = run('graceful-withdrawal')
    assert.deepEqual(types(events), ['shift:vp-a', 'summary'])
    const s = ofType(events, 'shift')[0]!
    assert.equal(s.from, 'FRA')
    assert.equal(s.to, 'AMS')
    assert.equal(s.round, 10)
    assert.equal(s.lostProbes, 0)
    assert.ok(s.gapMs > 0 && s.gapMs <= f.intervalMs + 50, `gap ${s.gapMs} is about one interval`)
    assert.equal(s.resolutionMs, 1000)
    // reported within one interval of the withdrawal
    const at = Date.parse(s.at) - f.start
    assert.ok(at >= f.truth!.withdrawnAtMs! && at - f.truth!.withdrawnAtMs! <= f.intervalMs, `shift at ${at} ms`)
    assert.ok(s.rttBeforeMs! >= 12 && s.rttBeforeMs! < 16, 'RTT before is FRA-like')
    assert.ok(s.rttAfterMs! >= 18 && s.rttAfterMs! < 22, 'RTT after is AMS-like')
    assert.equal(s.clockJump, false)
  })

  it('silent cut: outage, recovered, then a shift and a failover whose gap brackets the true loss', () => {
    const {f, events} = run('silent-cut')
    assert.deepEqual(types(events), ['outage:vp-a', 'recovered:vp-a', 'shift:vp-a', 'failover:vp-a', 'summary'])
    const o = ofType(events, 'outage')[0]!
    assert.equal(o.round, 11, 'certain after two unanswered rounds')
    assert.equal(Date.parse(o.since) - f.start, observations(f).find((x) => x.vantageId === 'vp-a' && x.round === 10)!.sentAt - f.start)
    assert.equal(o.lostProbes, 2)
    assert.equal(o.lastPop, 'FRA')
    assert.notEqual(o.lastAnswerAt, null)
    const r = ofType(events, 'recovered')[0]!
    assert.equal(r.lostProbes, 7)
    assert.equal(r.pop, 'AMS')
    const fo = ofType(events, 'failover')[0]!
    assert.equal(fo.from, 'FRA')
    assert.equal(fo.to, 'AMS')
    assert.equal(fo.lostProbes, 7)
    assert.equal(fo.resolutionMs, f.intervalMs)
    const truth = f.truth!.lossMs!
    assert.ok(fo.gapMinMs < truth && truth < fo.gapMs, `true loss ${truth} within (${fo.gapMinMs}, ${fo.gapMs})`)
    assert.ok(Math.abs(fo.gapMs - truth) <= 2 * f.intervalMs, 'gap within two intervals of ground truth')
    assert.equal(r.durationMs, fo.gapMs, 'the outage lasted as long as the failover gap')
    // the lines a person reads add up: the outage line's last answer + the recovered line's ms = its time
    // (the duration runs from the last answer, not from "since", the first probe lost)
    const clockMs = (t: string): number => {
      const [h, m, sec] = t.split(':').map(Number)
      return ((h! * 60 + m!) * 60 + sec!) * 1000
    }
    const oLine = renderWatchEvent(o)
    const rLine = renderWatchEvent(r)
    const last = /last at FRA (\d\d:\d\d:\d\d\.\d{3})\)/.exec(oLine)
    const back = /^(\d\d:\d\d:\d\d\.\d{3}) vp-a recovered at AMS: (\d+) ms since the last answer \(7 lost\)$/.exec(rLine)
    assert.ok(last !== null, oLine)
    assert.ok(back !== null, rLine)
    assert.equal(Math.round(clockMs(last[1]!) + Number(back[2])), Math.round(clockMs(back[1]!)), `${oLine}\n${rLine}`)
    const s = ofType(events, 'shift')[0]!
    assert.equal(s.lostProbes, 7)
    assert.equal(s.gapMs, fo.gapMs)
    const sum = summaryOf(events)
    assert.equal(sum.failover.count, 1)
    assert.equal(sum.failover.p50Ms, fo.gapMs)
    assert.equal(vpSummary(events, 'vp-a').inOutage, false)
  })

  it('repeated withdraw/restore: one flap event per episode with the right flip count, none after flapping stops', () => {
    const {events} = run('flapping')
    const flaps = ofType(events, 'flap')
    // vp-a: one long episode (flips keep coming within the window), then stable: exactly one flap event
    const a = forVp(flaps, 'vp-a')
    assert.equal(a.length, 1)
    assert.equal(a[0]!.round, 9, 'emitted when the third flip crosses the threshold')
    assert.equal(a[0]!.flips, 3)
    assert.deepEqual(a[0]!.pops, ['AMS', 'FRA'])
    assert.equal(a[0]!.flipsPerMinute, 3)
    assert.equal(a[0]!.threshold, 3)
    assert.equal(a[0]!.windowMs, 60_000)
    assert.equal(forVp(ofType(events, 'shift'), 'vp-a').length, 9, 'every flip is still a shift')
    assert.equal(vpSummary(events, 'vp-a').flips, 9)
    assert.equal(vpSummary(events, 'vp-a').flapEpisodes, 1)
    // vp-b: stable for more than a window between two bursts: a second episode
    const b = forVp(flaps, 'vp-b')
    assert.deepEqual(b.map((e) => [e.round, e.flips]), [[9, 3], [107, 3]])
    assert.equal(vpSummary(events, 'vp-b').flapEpisodes, 2)
    // nothing after the last flip; vp-c never flaps
    const lastFlap = Math.max(...flaps.map((e) => e.round))
    assert.ok(lastFlap <= 109)
    assert.equal(forVp(flaps, 'vp-c').length, 0)
    assert.equal(ofType(events, 'failover').length, 0)
  })

  it('each flap episode ends in one flap-end, a full window after its last flip (the clear of the flap alert)', () => {
    const {events} = run('flapping')
    const ends = ofType(events, 'flap-end')
    for (const e of ends) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    // vp-b: flap (round 9), flap-end, flap again (round 107), flap-end: raised and cleared twice, in that order
    const b = events.filter((e) => (e.type === 'flap' || e.type === 'flap-end') && e.vantageId === 'vp-b').map((e) => [e.type, (e as {round: number}).round])
    assert.deepEqual(b, [['flap', 9], ['flap-end', 75], ['flap', 107], ['flap-end', 170]])
    const [b1] = forVp(ends, 'vp-b')
    // its first round judged at or after last flip + 60 s; all 5 flips of the episode counted
    assert.equal(b1!.lastFlipAt, '2024-06-10T06:13:35.009Z')
    assert.equal(b1!.at, '2024-06-10T06:14:35.019Z')
    assert.ok(Date.parse(b1!.at) - Date.parse(b1!.lastFlipAt) >= 60_000)
    assert.deepEqual([b1!.since, b1!.flips, b1!.windowMs, b1!.pop], ['2024-06-10T06:13:23.001Z', 5, 60_000, 'AMS'])
    // vp-a: one episode of all its 9 flips, ended once; vp-c never flapped, so nothing ends
    assert.deepEqual(forVp(ends, 'vp-a').map((e) => [e.round, e.flips]), [[169, 9]])
    assert.equal(forVp(ends, 'vp-c').length, 0)
  })

  it('a flap-end judged on a round with no answer names no PoP (the vantage point is nowhere now), one with an answer names it', () => {
    // one vantage point flips AMS/FRA every 10 s for 50 s (a flap episode), then stays at FRA; the
    // round a full window after the last flip is unanswered in one run, answered in the other
    const f = (last: string | null): Fixture => ({
      description: 'flap then quiet', intervalMs: 10_000, flows: 1, start: Date.parse('2024-06-10T06:00:00Z'), timeoutMs: 2000,
      vps: {'vp-a': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((r): Entry => [r * 10_000, r <= 5 ? (r % 2 === 0 ? 'AMS' : 'FRA') : r === 11 ? last : 'FRA', 12])},
    })
    const endOf = (last: string | null) => {
      const fx = f(last)
      const events = analyze(observations(fx), optionsOf(fx))
      assert.equal(ofType(events, 'flap').length, 1)
      const [end] = ofType(events, 'flap-end')
      assert.ok(end !== undefined, 'the episode ends')
      assert.deepEqual(schemaErrors('watch-event.schema.json', end), [])
      return end!
    }
    assert.equal(endOf('*').pop, null)
    assert.equal(endOf('FRA').pop, 'FRA')
  })

  it('ECMP across two PoPs with 2 flows: load-balanced once, no flap, no shift; a move caught mid-round is a shift', () => {
    const {events} = run('ecmp')
    const lb = ofType(events, 'load-balanced')
    assert.deepEqual(lb.map((e) => [e.vantageId, e.pops]), [
      ['vp-a', ['AMS', 'FRA']],
      ['vp-c', ['AMS', 'FRA']],
    ])
    assert.equal(lb[0]!.round, 1, 'confirmed by the second mixed round')
    for (const id of ['vp-a', 'vp-b', 'vp-c']) {
      assert.equal(forVp(ofType(events, 'shift'), id).length, 0, `${id} does not shift`)
      assert.equal(forVp(ofType(events, 'flap'), id).length, 0, `${id} does not flap`)
      assert.equal(vpSummary(events, id).flips, 0)
    }
    assert.equal(vpSummary(events, 'vp-a').loadBalanced, true)
    assert.equal(vpSummary(events, 'vp-a').pop, 'AMS+FRA')
    assert.equal(vpSummary(events, 'vp-b').loadBalanced, false)
    const d = forVp(ofType(events, 'shift'), 'vp-d')
    assert.equal(d.length, 1)
    assert.equal(d[0]!.round, 10)
    assert.equal(d[0]!.lostProbes, 0)
    assert.ok(d[0]!.gapMs < 100, 'old and new answers within the same round')
    assert.equal(forVp(lb, 'vp-d').length, 0)
    assert.equal(vpSummary(events, 'vp-d').loadBalanced, false)
    // a lost flow just before the first answer from the new PoP, in the same round, is a lost probe
    assert.deepEqual(types(forVp(events, 'vp-e')), ['shift:vp-e', 'failover:vp-e'])
    const e = forVp(ofType(events, 'failover'), 'vp-e')[0]!
    assert.equal(e.lostProbes, 1)
    assert.equal(e.round, 10)
    assert.ok(e.gapMs > 900 && e.gapMs < 1100, 'last FRA answer was the round before')
  })

  it('a vantage point that never answers: one outage, no recovery, no failover', () => {
    const {f, events} = run('never-answers')
    assert.deepEqual(types(events), ['outage:vp-a', 'summary'])
    const o = ofType(events, 'outage')[0]!
    assert.equal(o.lastAnswerAt, null)
    assert.equal(o.lastPop, null)
    assert.equal(Date.parse(o.since) - f.start, f.vps['vp-a']![0]![0])
    const a = vpSummary(events, 'vp-a')
    assert.equal(a.inOutage, true)
    assert.equal(a.lost, 15)
    assert.equal(a.pop, null)
    assert.equal(a.flipRate, null, 'no located rounds: no flip rate (not 0)')
    assert.equal(summaryOf(events).flippingShare, 0, 'only vp-b is comparable')
  })

  it('out-of-order arrival within the reorder window: the live path and analyze() agree', () => {
    const f = fixture('out-of-order')
    const obs = observations(f)
    const live = byArrival(f, obs)
    assert.notDeepEqual(live, [...obs].sort((a, b) => a.sentAt - b.sentAt), 'the arrival order really is shuffled')
    const expected = analyze(obs, optionsOf(f))
    assert.deepEqual(types(expected), ['outage:vp-a', 'shift:vp-b', 'recovered:vp-a', 'shift:vp-a', 'failover:vp-a', 'summary'])
    assert.deepEqual(stream(f, live), expected)
    assert.deepEqual(stream(f, live, {flush: true}), expected)
    // the window matters: with none, round 12 (2.5 s RTT) arrives after round 13 was judged and is late
    assert.equal(summaryOf(stream(f, live, {over: {reorderRounds: 0}})).late, 2)
    // analyze() does not depend on the order it is given
    assert.deepEqual(analyze([...obs].reverse(), optionsOf(f)), expected)
    assert.equal(summaryOf(expected).late, 0)
  })

  it('an observation later than the reorder window is counted as late and ignored for state', () => {
    const f = fixture('stable')
    const obs = observations(f).filter((o) => o.vantageId === 'vp-a')
    const i = obs.findIndex((o) => o.round === 5)
    const [tardy] = obs.splice(i, 1)
    const lhr = {...tardy!, pop: 'LHR'} // would be a shift (and one back) if it were used
    obs.splice(i + 3, 0, lhr) // arrives after round 8's
    const events = stream(f, obs, {over: {reorderRounds: 1}})
    assert.deepEqual(types(events), ['summary'])
    const s = summaryOf(events)
    assert.equal(s.late, 1)
    assert.equal(vpSummary(events, 'vp-a').late, 1)
    assert.equal(vpSummary(events, 'vp-a').observations, 30, 'kept in the counts')
    assert.deepEqual(vpSummary(events, 'vp-a').pops, [{pop: 'FRA', observations: 29}, {pop: 'LHR', observations: 1}])
    assert.equal(vpSummary(events, 'vp-a').rounds, 29)
    // a duplicate of a pending (round, flow) is counted and ignored too
    const a = createWatchAnalyzer(optionsOf(f))
    a.push(obs[0]!)
    a.push({...obs[0]!, pop: 'LHR'})
    const end = a.finish()
    assert.equal(summaryOf(end).duplicates, 1)
    assert.equal(vpSummary(end, 'vp-a').pop, 'FRA')
  })

  it('clock steps backwards and forwards: no phantom events, no negative or absurd gaps', () => {
    const {f, events} = run('clock-jump')
    assert.deepEqual(forVp(events, 'vp-a'), [], 'a stable vantage point with a stepping clock has no events')
    assert.equal(vpSummary(events, 'vp-a').clockJumps, 2)
    for (const id of ['vp-b', 'vp-c']) {
      assert.deepEqual(types(forVp(events, id)), [`outage:${id}`, `recovered:${id}`, `shift:${id}`, `failover:${id}`])
      const fo = forVp(ofType(events, 'failover'), id)[0]!
      assert.equal(fo.lostProbes, 4)
      assert.equal(fo.clockJump, true)
      assert.ok(fo.gapMs >= 0 && fo.gapMinMs >= 0)
      // last FRA probe round 9, first AMS probe round 14: 5 intervals, give or take the send jitter
      assert.ok(Math.abs(fo.gapMs - 5 * f.intervalMs) <= 50, `${id} gap ${fo.gapMs} is about 5 s`)
      assert.ok(fo.gapMinMs <= fo.gapMs)
      const r = forVp(ofType(events, 'recovered'), id)[0]!
      assert.equal(r.clockJump, true)
      assert.ok(r.durationMs !== null && Math.abs(r.durationMs - 5 * f.intervalMs) <= 50)
    }
    for (const e of events) {
      for (const k of ['gapMs', 'gapMinMs', 'durationMs'] as const) {
        const v = (e as unknown as Record<string, unknown>)[k]
        if (typeof v === 'number') assert.ok(v >= 0 && v < 60_000, `${e.type} ${k} = ${v}`)
      }
    }
    assert.equal(summaryOf(events).clockJumps, 4)
  })

  it('summary figures: flip rate, flipping share and nearest-rank failover percentiles', () => {
    const {events} = run('summary')
    const s = summaryOf(events)
    const gaps = ofType(events, 'failover').map((e) => e.gapMs)
    assert.equal(gaps.length, 5)
    // gaps are (lost + 1) intervals give or take the send jitter
    assert.deepEqual(gaps.map((g) => Math.round(g / 1000)).sort((a, b) => a - b), [2, 3, 4, 6, 10])
    const sorted = [...gaps].sort((a, b) => a - b)
    assert.equal(s.failover.count, 5)
    assert.equal(s.failover.p50Ms, sorted[2], 'p50 of 5 = 3rd value (nearest rank)')
    assert.equal(s.failover.p90Ms, sorted[4], 'p90 of 5 = 5th value')
    assert.equal(s.failover.maxMs, sorted[4])
    assert.equal(s.failover.resolutionMs, 1000)
    // vp-a lost 1 of 30 rounds: 29 located rounds, 1 flip -> 1/28
    assert.equal(vpSummary(events, 'vp-a').flipRate, Math.round((1 / 28) * 10_000) / 10_000)
    assert.equal(vpSummary(events, 'vp-e').flipRate, Math.round((1 / 20) * 10_000) / 10_000)
    assert.equal(vpSummary(events, 'vp-f').flipRate, 0)
    assert.equal(vpSummary(events, 'vp-g').flips, 2)
    assert.equal(vpSummary(events, 'vp-g').flipRate, Math.round((2 / 29) * 10_000) / 10_000)
    assert.equal(ofType(events, 'shift').length, 7, 'graceful shifts are shifts, not failovers')
    assert.equal(s.flippingVantagePoints, 6)
    assert.equal(vpSummary(events, 'vp-h').locatedRounds, 0)
    assert.equal(s.flippingShare, Math.round((6 / 7) * 10_000) / 10_000, 'vp-h (never located) is not in the denominator')
    const fra = s.pops.find((p) => p.pop === 'FRA')!
    assert.equal(fra.vantagePoints, 6)
    assert.equal(fra.current, 1, 'only vp-g ends in FRA')
  })
})

describe('watch analysis: live path, schema and API', () => {
  for (const name of FIXTURES) {
    it(`${name}: streaming (push only, with flushRound, shuffled within the window) gives the same events as analyze()`, () => {
      const f = fixture(name)
      const obs = observations(f)
      const expected = analyze(obs, optionsOf(f))
      assert.deepEqual(stream(f, byArrival(f, obs)), expected)
      assert.deepEqual(stream(f, byArrival(f, obs), {flush: true}), expected)
      const mixed = shuffled(f, obs, 2)
      assert.notDeepEqual(mixed, byArrival(f, obs))
      assert.deepEqual(stream(f, mixed, {over: {reorderRounds: 2}}), expected)
    })

    it(`${name}: every event validates against watch-event.schema.json`, () => {
      const {events} = run(name)
      for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], `${e.type} ${JSON.stringify(e).slice(0, 200)}`)
    })
  }

  it('events are certain when returned: a flushed round is judged at once, a shift waits for nothing', () => {
    const f = fixture('graceful-withdrawal')
    const obs = observations(f).filter((o) => o.vantageId === 'vp-a')
    const a = createWatchAnalyzer(optionsOf(f))
    const seen: Array<[number, string[]]> = []
    for (const o of obs) {
      const ev = [...a.push(o), ...a.flushRound(o.round)]
      if (ev.length > 0) seen.push([o.round, ev.map((e) => e.type)])
    }
    assert.deepEqual(seen, [[10, ['shift']]])
    assert.equal(a.summary().vantagePoints[0]!.pop, 'AMS')
    const end = a.finish()
    assert.deepEqual(types(end), ['summary'])
    assert.throws(() => a.push(obs[0]!), {code: 'E_INTERNAL'})
  })

  it('summary of nothing uses the injected clock; unknowns are null, not 0', () => {
    const events = analyze([], {intervalMs: 1000, now: () => Date.UTC(2024, 0, 2, 3, 4, 5)})
    const s = summaryOf(events)
    assert.equal(s.at, '2024-01-02T03:04:05.000Z')
    assert.equal(s.firstAt, null)
    assert.equal(s.rounds, 0)
    assert.equal(s.flippingShare, null)
    assert.deepEqual(schemaErrors('watch-event.schema.json', s), [])
  })

  it('rejects bad options and bad observations with stable codes', () => {
    assert.throws(() => createWatchAnalyzer({intervalMs: 0}), {code: 'E_USAGE'})
    assert.throws(() => createWatchAnalyzer({intervalMs: 1000, flapThreshold: 0}), {code: 'E_USAGE'})
    const a = createWatchAnalyzer({intervalMs: 1000})
    const ok: Observation = {vantageId: 'v', round: 0, flow: 0, sentAt: 1, receivedAt: null, rttMs: null, pop: null, answered: false}
    assert.throws(() => a.push({...ok, round: -1}), {code: 'E_BAD_INPUT'})
    assert.throws(() => a.push({...ok, sentAt: Number.NaN}), {code: 'E_BAD_INPUT'})
    assert.throws(() => a.push({...ok, vantageId: ''}), {code: 'E_BAD_INPUT'})
    assert.deepEqual(a.push(ok), [])
  })

  it('nearest-rank percentiles', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]
    assert.equal(nearestRank(ten, 50), 5)
    assert.equal(nearestRank(ten, 90), 9)
    assert.equal(nearestRank(ten, 91), 10)
    assert.equal(nearestRank(ten, 100), 10)
    assert.equal(nearestRank(ten, 0), 1)
    assert.equal(nearestRank([42], 90), 42)
    assert.equal(nearestRank([], 50), null)
    assert.equal(nearestRank(Array.from({length: 30}, (_, i) => i + 1), 90), 27, 'no floating-point rank drift')
  })
})

describe('watch analysis: a saved watch judged again (report on watch --out)', () => {
  const startOf = (f: Fixture, reorderRounds: number): WatchStart => {
    const o = optionsOf(f)
    return {
      schemaVersion: 1, kind: 'watch-start', at: '', target: '198.51.100.10', method: 'dns',
      intervalMs: o.intervalMs, flows: o.flows ?? 1, flapThreshold: o.flapThreshold ?? WATCH_DEFAULTS.flapThreshold,
      flapWindowMs: o.flapWindowMs ?? WATCH_DEFAULTS.flapWindowMs, outageAfter: o.outageAfter ?? WATCH_DEFAULTS.outageAfter, reorderRounds,
    }
  }
  // the analysis's events (the replay also gives each vantage point's starting state: report-watch-state.test.ts)
  const analysed = (events: ReplayEvent[]): WatchEvent[] => events.filter((e): e is WatchEvent => e.type !== 'state')
  const replayAll = (items: Array<WatchStart | Observation>): WatchEvent[] => {
    const r = new WatchReplay()
    const out: ReplayEvent[] = []
    for (const it of items) out.push(...('kind' in it ? r.start(it) : r.push(it)))
    out.push(...r.finish())
    return analysed(out)
  }

  for (const name of FIXTURES) {
    it(`${name}: the file in arrival order, with its start line, gives the live events exactly (late ones included)`, () => {
      const f = fixture(name)
      const mixed = shuffled(f, observations(f), 2)
      const live = stream(f, mixed, {over: {reorderRounds: 2}})
      assert.deepEqual(replayAll([startOf(f, 2), ...mixed]), live)
      // a narrower window than the arrivals need: some observations are late, live and replayed alike
      assert.deepEqual(replayAll([startOf(f, 0), ...mixed]), stream(f, mixed, {over: {reorderRounds: 0}}))
    })
  }

  it('without a start line the interval and flows are read from the observations', () => {
    for (const name of ['graceful-withdrawal', 'silent-cut', 'flapping', 'ecmp']) {
      const f = fixture(name)
      if (f.options?.flapThreshold !== undefined || f.options?.flapWindowMs !== undefined) continue
      const obs = byArrival(f, observations(f))
      const r = new WatchReplay()
      const events: WatchEvent[] = []
      for (const o of obs) events.push(...analysed(r.push(o)))
      events.push(...analysed(r.finish()))
      assert.equal(r.watches.length, 1)
      assert.equal(r.watches[0]!.start, null)
      assert.equal(r.watches[0]!.options.intervalMs, f.intervalMs, `${name}: interval read despite send jitter`)
      assert.equal(r.watches[0]!.options.flows, f.flows)
      assert.deepEqual(events, analyze(observations(f), {...optionsOf(f), now: undefined}), name)
    }
    assert.deepEqual([49.7, 50.2, 198, 1004, 1490, 2000, 75].map(niceInterval), [50, 50, 200, 1000, 1500, 2000, 75])
  })

  it('a file of two watches (--out appends): each judged with its own settings, each with its summary', () => {
    const a = fixture('graceful-withdrawal')
    const b = fixture('ecmp')
    const events = replayAll([startOf(a, 1), ...byArrival(a, observations(a)), startOf(b, 1), ...byArrival(b, observations(b))])
    const sums = events.filter((e): e is WatchSummaryEvent => e.type === 'summary')
    assert.equal(sums.length, 2)
    assert.deepEqual(sums.map((s) => [s.intervalMs, s.flows]), [[a.intervalMs, a.flows], [b.intervalMs, b.flows]])
    const alone = analyze(observations(b), {...optionsOf(b), now: undefined})
    assert.deepEqual(events.slice(events.indexOf(sums[0]!) + 1), alone, 'the second watch is judged on its own, as if alone')
    assert.equal(events.indexOf(sums[0]!) < events.findIndex((e) => e.type === 'load-balanced'), true, 'the first summary comes before the second watch\'s events')
  })
})

// What the live outputs of a watch say a vantage point is at when its answers name a PoP only as a
// hint (under 0.5, model/pop-confidence.ts): --metrics' anyprobe_site_info and the live catchment
// line, beside the watch analyser's "now" (its summary row: pop, popConfidence when only a hint).
// The analyser's rule (analysis/watch/analyzer.ts hintRound): a hint of a PoP of the confident
// catchment agrees with it ("now" stays that catchment, said without '?'); a hint of another PoP is
// "now" only a hint ('LONDON?'), never a shift. Reported: an agreeing hint shown as 'NRT?'. Seen:
// the catchment line said every agreeing hint 'NRT?'; site_info kept 'NRT' while it showed NRT, but
// said 'NRT?' for the agreeing hint that followed a disagreeing one (and 'AMS?' for a hint of a
// PoP of a load-balanced catchment), where the analyser is back at NRT (at AMS+FRA).
// Review (the catchment rebuilt from the analyser's events): FRA and AMS across flows, then only AMS
// settles the first catchment at AMS with no event; site_info stayed FRA and both outputs marked
// the hints inverted (AMS? for an agreeing hint, FRA for a disagreeing one). They ask the analyser now.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {Observation} from '../../src/model/watch.js'
import {WatchMetrics} from '../../src/watch/metrics.js'
import {LiveView} from '../../src/watch/view.js'
import {WatchSession} from '../../src/watch/session.js'
import {watchEndFixture} from '../helpers/watch-end-fixture.js'

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0)
const I = 250
const V = 'ap-vp-tyo'

/** an answer naming `pop` with `confidence` ('*': lost) */
type Answer = readonly [string, number] | '*'
const NRT = ['NRT', 0.9] as const
const NRT_HINT = ['NRT', 0.45] as const
const LONDON_HINT = ['LONDON', 0.48] as const
const LHR = ['LHR', 0.9] as const

interface After {
  /** the analyser's "now": its summary row's pop, '?' when only a hint ('-': none) */
  now: string
  /** anyprobe_site_info's site labels ('-': none) */
  site: string
  /** the live catchment line's PoP */
  line: string
  siteChanges: number
  failovers: number
}

/** Each round (flows answers each) through the analyser, the metrics and a terminal's live view, as the live session feeds them. */
async function live(rounds: ReadonlyArray<readonly Answer[]>, flows = 1): Promise<After[]> {
  const a = createWatchAnalyzer({intervalMs: I, flows, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 0})
  // as the session makes them: both ask the analyser for the catchment a hint agrees with
  const m = new WatchMetrics((id) => a.catchment(id))
  let screen = ''
  const view = new LiveView((t) => (screen += t), true, {firstCatchment: true, catchment: (id) => a.catchment(id)})
  const out: After[] = []
  for (const [round, answers] of rounds.entries()) {
    for (const [flow, x] of answers.entries()) {
      const o: Observation = {
        vantageId: V, round, flow, sentAt: T0 + round * I + flow, receivedAt: x === '*' ? null : T0 + round * I + flow + 1,
        rttMs: x === '*' ? null : 0.4, pop: x === '*' ? null : x[0], ...(x === '*' ? {} : {popConfidence: x[1]}), answered: x !== '*',
      }
      // the session's order: the analyser takes it, then the outputs, then the analyser's events
      const events = a.push(o)
      m.observe(o)
      view.observe(o)
      for (const e of events) {
        m.event(e)
        view.event(e)
      }
    }
    for (const e of a.flushRound(round)) {
      m.event(e)
      view.event(e)
    }
    const row = a.summary().vantagePoints[0]!
    const text = await m.text()
    // a line above the block redraws it at once: its last line is the vantage point's
    screen = ''
    view.line('-')
    out.push({
      now: row.inOutage ? '-' : row.pop === null ? '-' : `${row.pop}${row.popConfidence === undefined ? '' : '?'}`,
      site: [...text.matchAll(/^anyprobe_site_info\{vantage="[^"]*",site="([^"]*)"\} 1$/gm)].map((x) => x[1]).join(' ') || '-',
      line: new RegExp(`^${V}\\s+(?:no answer \\(outage; last at (\\S+)\\)|(\\S+)\\s+rtt)`, 'm').exec(screen)?.slice(1).find((x) => x !== undefined) ?? '?!',
      siteChanges: Number(/^anyprobe_site_changes_total\{vantage="[^"]*"\} (\d+)$/m.exec(text)?.[1]),
      failovers: Number(/^anyprobe_failovers_total\{vantage="[^"]*"\} (\d+)$/m.exec(text)?.[1]),
    })
  }
  view.close()
  return out
}

const one = (xs: readonly Answer[]): Answer[][] => xs.map((x) => [x])

describe('a confident verdict, an agreeing hint, a disagreeing hint: metrics and the live line say what the analyser says', () => {
  it('a confident NRT, then hints of NRT: NRT everywhere, no ?', async () => {
    const got = await live(one([NRT, NRT, NRT_HINT, NRT_HINT]))
    for (const g of got) {
      assert.equal(g.now, 'NRT')
      assert.equal(g.site, 'NRT', 'site_info does not flip labels for an agreeing hint')
      assert.equal(g.line, 'NRT')
    }
  })

  it('a hint of another PoP is that hint now (LONDON?), never a site change; an agreeing hint after it is NRT again', async () => {
    const got = await live(one([NRT, NRT, LONDON_HINT, LONDON_HINT, NRT_HINT, NRT_HINT]))
    assert.deepEqual(got.map((g) => g.now), ['NRT', 'NRT', 'LONDON?', 'LONDON?', 'NRT', 'NRT'])
    assert.deepEqual(got.map((g) => g.site), got.map((g) => g.now))
    assert.deepEqual(got.map((g) => g.line), got.map((g) => g.now))
    assert.deepEqual(got.map((g) => g.siteChanges + g.failovers), [0, 0, 0, 0, 0, 0])
  })

  it('a confident move after hints is one site change to the new PoP', async () => {
    const got = await live(one([NRT, LONDON_HINT, NRT_HINT, LHR, LHR]))
    assert.deepEqual(got.map((g) => g.now), ['NRT', 'LONDON?', 'NRT', 'LHR', 'LHR'])
    assert.deepEqual(got.map((g) => g.site), got.map((g) => g.now))
    assert.deepEqual(got.map((g) => g.line), got.map((g) => g.now))
    assert.deepEqual(got.map((g) => g.siteChanges), [0, 0, 0, 1, 1])
  })

  it('a recovery at an agreeing hint is at NRT, not NRT?', async () => {
    const got = await live(one([NRT, NRT, '*', '*', NRT_HINT, NRT_HINT]))
    assert.deepEqual(got.map((g) => g.now), ['NRT', 'NRT', 'NRT', '-', 'NRT', 'NRT'])
    assert.deepEqual(got.map((g) => g.site).slice(3), ['-', 'NRT', 'NRT'])
    assert.deepEqual(got.map((g) => g.line).slice(4), ['NRT', 'NRT'])
  })

  it('a hint of a PoP of a load-balanced catchment agrees with it: site_info keeps its labels, no ?', async () => {
    const FRA = ['FRA', 0.9] as const
    const AMS = ['AMS', 0.9] as const
    const AMS_HINT = ['AMS', 0.45] as const
    const got = await live([[FRA, AMS], [FRA, AMS], [FRA, AMS], [AMS_HINT, AMS_HINT]], 2)
    assert.equal(got.at(-1)!.now, 'AMS+FRA')
    // site_info has a series for each PoP of a load-balanced catchment (./watch-metrics-load-balanced.test.ts); an agreeing hint leaves them
    assert.deepEqual(got.at(-1)!.site.split(' ').sort(), ['AMS', 'FRA'])
    assert.equal(got.at(-2)!.site, got.at(-1)!.site)
    assert.doesNotMatch(got.at(-1)!.site, /\?/)
    assert.doesNotMatch(got.at(-1)!.line, /\?/)
  })
})

describe('the live line of a load-balanced vantage point', () => {
  it('says the catchment as the analyser does (AMS+FRA), not whichever flow answered last', async () => {
    const FRA = ['FRA', 0.9] as const
    const AMS = ['AMS', 0.9] as const
    const got = await live([[FRA, AMS], [FRA, AMS], [AMS, FRA], [FRA, AMS]], 2)
    assert.equal(got.at(-1)!.now, 'AMS+FRA')
    // every round after the analyser settled it: the same line, whatever flow came last
    assert.deepEqual(got.slice(1).map((g) => g.line), got.slice(1).map((g) => g.now))
  })
})

describe('a catchment the analyser settles without an event: metrics and the live line follow the analyser, not its events', () => {
  it('two PoPs across flows, then only AMS: AMS is the catchment (no event says it); a hint of AMS agrees, a hint of FRA does not', async () => {
    const FRA = ['FRA', 0.9] as const
    const AMS = ['AMS', 0.9] as const
    const AMS_HINT = ['AMS', 0.45] as const
    const FRA_HINT = ['FRA', 0.45] as const
    const got = await live([[FRA, AMS], [AMS, AMS], [AMS, AMS], [AMS_HINT, AMS_HINT], [FRA_HINT, FRA_HINT]], 2)
    const now = got.map((g) => g.now)
    assert.deepEqual(now.slice(1), ['AMS', 'AMS', 'AMS', 'FRA?'])
    assert.deepEqual(got.map((g) => g.site).slice(1), now.slice(1))
    assert.deepEqual(got.map((g) => g.line).slice(1), now.slice(1))
    assert.deepEqual(got.map((g) => g.siteChanges + g.failovers), [0, 0, 0, 0, 0])
  })
})

describe('the live session asks the analyser after it judged the rounds before the observation', () => {
  it('no round events (reorderRounds 0: the next round judges one): a hint of AMS right after the round that settled AMS is AMS', async () => {
    const start = {...watchEndFixture(T0).start, intervalMs: I, flows: 2, reorderRounds: 0}
    const session = await WatchSession.open({start, json: false, write: () => {}, tty: false, report: () => {}, extras: {}})
    /** site_info after each answer of the round */
    const feed = async (round: number, answers: ReadonlyArray<readonly [string, number]>): Promise<string[]> => {
      const sites: string[] = []
      for (const [flow, [pop, c]] of answers.entries()) {
        session.observe({vantageId: V, round, flow, sentAt: T0 + round * I + flow, receivedAt: T0 + round * I + flow + 1, rttMs: 0.4, pop, popConfidence: c, answered: true})
        sites.push([...(await session.metrics.text()).matchAll(/^anyprobe_site_info\{vantage="[^"]*",site="([^"]*)"\} 1$/gm)].map((x) => x[1]).join(' '))
      }
      return sites
    }
    await feed(0, [['FRA', 0.9], ['AMS', 0.9]])
    await feed(1, [['AMS', 0.9], ['AMS', 0.9]])
    // the first observation of round 2 has the analyser judge round 1: AMS, the catchment the hint agrees with
    const sites = await feed(2, [['AMS', 0.45], ['AMS', 0.45]])
    const end = await session.finish('test')
    assert.equal(end.summary.vantagePoints[0]!.pop, 'AMS')
    assert.equal(end.summary.vantagePoints[0]!.popConfidence, undefined)
    assert.deepEqual(sites, ['AMS', 'AMS'])
  })
})

// A load-balanced catchment that loses a member (watch --flows N behind ECMP, FRA+IAD, then IAD
// withdrawn or cut: every flow now lands on FRA). Reported: the set was never shrunk, so the live
// line, --metrics' anyprobe_site_info{site="IAD"} and the summary kept saying FRA+IAD exactly while
// a site had failed. The rule (analysis/watch/analyzer.ts header): a member not seen for located
// rounds whose chance of missing it, ((S-1)/S)^F per round with F confident answers and S PoPs in
// the set, multiplies to under 1e-6 over at least 2 rounds, is gone: one shift from the set to the
// rest, counted as a flip. Rounds with few answers add little evidence; a member seen resets it.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {Observation, WatchEvent} from '../../src/model/watch.js'
import {WatchMetrics} from '../../src/watch/metrics.js'
import {LiveView} from '../../src/watch/view.js'
import {schemaErrors} from '../helpers/schema.js'

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0)
const I = 100
const V = 'ap-vp-ecmp'

/** one PoP per flow; null: the flow's probe was lost */
type Round = ReadonlyArray<string | null>

interface After {
  /** events the round's judging gave */
  events: WatchEvent[]
  /** the analyser's "now" (summary row) and whether it calls the vantage point load-balanced */
  now: string
  loadBalanced: boolean
  flips: number
  /** anyprobe_site_info's sites, and anyprobe_site_changes_total */
  sites: string
  siteChanges: number
  /** the live catchment line's PoP */
  line: string
}

/** Each round through the analyser, the metrics and a terminal's live view, fed as the live session feeds them. */
async function live(rounds: readonly Round[]): Promise<After[]> {
  const flows = rounds[0]!.length
  const a = createWatchAnalyzer({intervalMs: I, flows, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 0})
  const m = new WatchMetrics((id) => a.catchment(id))
  let screen = ''
  const view = new LiveView((t) => (screen += t), true, {firstCatchment: true, catchment: (id) => a.catchment(id)})
  const out: After[] = []
  for (const [round, pops] of rounds.entries()) {
    const events: WatchEvent[] = []
    const take = (es: WatchEvent[]): void => {
      for (const e of es) {
        events.push(e)
        m.event(e)
        view.event(e)
      }
    }
    for (const [flow, pop] of pops.entries()) {
      const o: Observation = {
        vantageId: V, round, flow, sentAt: T0 + round * I + flow, receivedAt: pop === null ? null : T0 + round * I + flow + 1,
        rttMs: pop === null ? null : 0.4, pop, ...(pop === null ? {} : {popConfidence: 0.9}), answered: pop !== null,
      }
      const es = a.push(o)
      m.observe(o)
      view.observe(o)
      take(es)
    }
    take(a.flushRound(round))
    const row = a.summary().vantagePoints[0]!
    const text = await m.text()
    screen = ''
    view.line('-')
    out.push({
      events,
      now: row.pop ?? '-',
      loadBalanced: row.loadBalanced,
      flips: row.flips,
      sites: [...text.matchAll(/^anyprobe_site_info\{vantage="[^"]*",site="([^"]*)"\} 1$/gm)].map((x) => x[1]).sort().join(' ') || '-',
      siteChanges: Number(/^anyprobe_site_changes_total\{vantage="[^"]*"\} (\d+)$/m.exec(text)?.[1]),
      line: new RegExp(`^${V}\\s+(\\S+)\\s+rtt`, 'm').exec(screen)?.[1] ?? '?!',
    })
  }
  view.close()
  return out
}

const times = (r: Round, n: number): Round[] => Array.from({length: n}, () => r)
const shifts = (got: After[]) => got.flatMap((g) => g.events).filter((e) => e.type === 'shift')
const ofType = (got: After[], type: WatchEvent['type']) => got.flatMap((g) => g.events).filter((e) => e.type === type)

// 8 flows, half of them hashed to each PoP
const LB: Round = ['FRA', 'IAD', 'FRA', 'IAD', 'FRA', 'IAD', 'FRA', 'IAD']
// IAD withdrawn: its flows rehash to FRA
const FRA: Round = Array.from({length: 8}, () => 'FRA')
// IAD cut: its flows are lost, FRA's still answer (4 answers a round)
const CUT: Round = ['FRA', null, 'FRA', null, 'FRA', null, 'FRA', null]
// only 2 of the 8 flows answered
const FEW: Round = ['FRA', null, 'FRA', null, null, null, null, null]

describe('watch: a load-balanced set shrinks when a member is gone', () => {
  it('8 flows, IAD withdrawn: after K = 3 rounds (0.5^8 a round) one shift FRA+IAD -> FRA; site_info, the live line and the summary follow', async () => {
    const got = await live([...times(LB, 3), ...times(FRA, 4)])
    // rounds 3 and 4 miss IAD: (1/2)^16 = 1.5e-5, not yet; round 5 makes (1/2)^24 = 6e-8
    assert.equal(got[0]!.now, '-', 'one round of both PoPs is held undecided')
    for (const g of got.slice(1, 5)) {
      assert.equal(g.now, 'FRA+IAD')
      assert.equal(g.sites, 'FRA IAD')
      assert.equal(g.line, 'FRA+IAD')
      assert.equal(g.loadBalanced, true)
    }
    const s = shifts(got)
    assert.equal(s.length, 1)
    assert.ok(got[5]!.events.includes(s[0]!), 'said when the third round without IAD is judged')
    const shift = s[0]! as Extract<WatchEvent, {type: 'shift'}>
    assert.equal(shift.from, 'FRA+IAD')
    assert.equal(shift.to, 'FRA')
    assert.equal(shift.round, 3, 'timed at the first round without IAD')
    assert.equal(shift.firstNewAt, new Date(T0 + 3 * I).toISOString())
    assert.equal(shift.lostProbes, 0)
    assert.deepEqual(schemaErrors('watch-event.schema.json', shift), [])
    assert.equal(ofType(got, 'failover').length, 0, 'nothing was lost: a graceful shift')
    for (const g of got.slice(5)) {
      assert.equal(g.now, 'FRA')
      assert.equal(g.sites, 'FRA', 'no IAD series left behind')
      assert.equal(g.line, 'FRA')
      assert.equal(g.loadBalanced, false)
      assert.equal(g.flips, 1, 'a member lost is a catchment change: one flip')
      assert.equal(g.siteChanges, 1)
    }
  })

  it('8 flows, IAD cut: its flows lost while FRA answers is loss, not a move (the set stays); once BGP moves them to FRA, K = 3 complete rounds, timed at the first round without IAD', async () => {
    const got = await live([...times(LB, 3), ...times(CUT, 6), ...times(FRA, 3)])
    assert.deepEqual(got.slice(1, 11).map((g) => g.now), times(['FRA+IAD'], 10).flat())
    assert.deepEqual(got.slice(1, 11).map((g) => g.sites), times(['FRA IAD'], 10).flat())
    assert.equal(shifts(got.slice(0, 11)).length, 0, 'six rounds of IAD\'s flows lost: no shrink')
    assert.equal(got[11]!.now, 'FRA')
    const s = shifts(got)
    assert.equal(s.length, 1)
    assert.ok(got[11]!.events.includes(s[0]!))
    assert.equal((s[0] as Extract<WatchEvent, {type: 'shift'}>).round, 3, 'timed at the first round IAD was not named')
    assert.equal(ofType(got, 'outage').length, 0, 'FRA still answers: no outage')
  })

  it('3 PoPs (AMS+FRA+IAD), IAD gone: K = 5 rounds ((2/3)^8 a round), the set shrinks to AMS+FRA and stays load-balanced', async () => {
    const three: Round = ['AMS', 'FRA', 'IAD', 'AMS', 'FRA', 'IAD', 'AMS', 'FRA']
    const two: Round = ['AMS', 'FRA', 'AMS', 'AMS', 'FRA', 'FRA', 'AMS', 'FRA']
    const got = await live([...times(three, 3), ...times(two, 6)])
    assert.deepEqual(got.slice(1).map((g) => g.now), [...times(['AMS+FRA+IAD'], 6).flat(), 'AMS+FRA', 'AMS+FRA'])
    assert.deepEqual(got.map((g) => g.sites).at(-1), 'AMS FRA')
    assert.equal(got.at(-1)!.line, 'AMS+FRA')
    assert.equal(got.at(-1)!.loadBalanced, true)
  })

  it('rounds with lost flows cannot tell: 2 of 8 flows answering for 12 rounds shrink nothing', async () => {
    const got = await live([...times(LB, 3), ...times(FEW, 12)])
    for (const g of got.slice(1)) {
      assert.equal(g.now, 'FRA+IAD')
      assert.equal(g.sites, 'FRA IAD')
    }
    assert.equal(shifts(got).length, 0)
  })

  it('the member\'s own flow losing answers now and then (12 flows, 1 on IAD): no shift, no flap', async () => {
    const lb: Round = ['IAD', ...Array.from({length: 11}, () => 'FRA')]
    const blip: Round = [null, ...Array.from({length: 11}, () => 'FRA')]
    const rounds: Round[] = [...times(lb, 3)]
    for (let i = 0; i < 5; i++) rounds.push(blip, blip, lb, lb)
    const got = await live(rounds)
    assert.equal(shifts(got).length, 0)
    assert.equal(ofType(got, 'flap').length, 0)
    assert.equal(got.at(-1)!.now, 'FRA+IAD')
  })

  it('a member named as a hint is not missing (a hint is never a move)', async () => {
    const fra11 = Array.from({length: 11}, () => 'FRA')
    const got = await live([...times(['IAD', ...fra11], 3), ...times(['IAD?', ...fra11], 4)])
    assert.equal(shifts(got).length, 0)
    assert.equal(got.at(-1)!.loadBalanced, true)
    assert.equal(got.at(-1)!.flips, 0)
  })

  it('an outage in between: what was missed before it is forgotten (no shrink timed before the outage)', async () => {
    const dark: Round = Array.from({length: 8}, () => null)
    const got = await live([...times(LB, 3), ...times(FRA, 2), ...times(dark, 4), ...times(FRA, 3)])
    const s = shifts(got)
    assert.equal(s.length, 1)
    const recovered = ofType(got, 'recovered')
    assert.equal(recovered.length, 1)
    assert.ok((s[0] as Extract<WatchEvent, {type: 'shift'}>).round >= 9, `shift timed at round ${(s[0] as Extract<WatchEvent, {type: 'shift'}>).round}, before the outage`)
    assert.ok(got[11]!.events.includes(s[0]!), 'three complete rounds after the outage')
  })

  it('3 PoPs losing two one after the other: the second shrink is timed at its own first round without it', async () => {
    const three: Round = ['AMS', 'FRA', 'IAD', 'AMS', 'FRA', 'IAD', 'AMS', 'FRA']
    const noIad: Round = ['AMS', 'FRA', 'AMS', 'AMS', 'FRA', 'FRA', 'AMS', 'FRA']
    const ams: Round = Array.from({length: 8}, () => 'AMS')
    const got = await live([...times(three, 3), ...times(noIad, 2), ...times(ams, 8)])
    const s = shifts(got) as Array<Extract<WatchEvent, {type: 'shift'}>>
    assert.deepEqual(s.map((e) => [e.from, e.to, e.round]), [['AMS+FRA+IAD', 'AMS+FRA', 3], ['AMS+FRA', 'AMS', 5]])
  })

  it('IAD missing for K-1 rounds, then back: nothing said, the set stays; the evidence starts over', async () => {
    const got = await live([...times(LB, 3), ...times(FRA, 2), LB, ...times(FRA, 2), LB, LB])
    assert.equal(shifts(got).length, 0)
    assert.equal(ofType(got, 'load-balanced').length, 1, 'only the first confirmation')
    for (const g of got.slice(1)) {
      assert.equal(g.now, 'FRA+IAD')
      assert.equal(g.sites, 'FRA IAD')
      assert.equal(g.loadBalanced, true)
      assert.equal(g.flips, 0)
    }
  })

  it('IAD back after the shrink: the existing confirmation again (two rounds of both), a new load-balanced event, no shift', async () => {
    const got = await live([...times(LB, 3), ...times(FRA, 3), LB, LB, LB])
    assert.equal(got[6]!.now, 'FRA', 'one round of both is held undecided')
    assert.equal(got[7]!.now, 'FRA+IAD')
    const lb = ofType(got, 'load-balanced')
    assert.equal(lb.length, 2)
    assert.ok(got[7]!.events.includes(lb[1]!))
    assert.equal(shifts(got).length, 1, 'only the shrink')
    assert.equal(got.at(-1)!.sites, 'FRA IAD')
    assert.equal(got.at(-1)!.line, 'FRA+IAD')
    assert.equal(got.at(-1)!.loadBalanced, true)
    assert.equal(got.at(-1)!.flips, 1)
  })
})

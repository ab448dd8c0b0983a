// --metrics for a vantage point load-balanced across PoPs (watch --flows N behind ECMP: each flow
// lands on one PoP; the analyser's catchment is the set, e.g. FRA+IAD). Reported: anyprobe_site_info
// labelled it with its first PoP only (site="FRA" while a quarter of the flows went to IAD). An info
// metric has one series per PoP answering the vantage point, each 1, and a series goes when its PoP
// is no longer in the catchment (a shift away, an outage), as the outage already took its series away.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {Observation} from '../../src/model/watch.js'
import {WatchMetrics} from '../../src/watch/metrics.js'

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0)
const I = 100
const V = 'ap-vp-ecmp'

/** Each round's answers (a PoP per flow, null: lost) through the analyser and the metrics as the session feeds them; site_info after each round. */
async function siteInfo(rounds: ReadonlyArray<ReadonlyArray<string | null>>): Promise<string[][]> {
  const flows = rounds[0]!.length
  const a = createWatchAnalyzer({intervalMs: I, flows, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 0})
  const m = new WatchMetrics((id) => a.catchment(id))
  const out: string[][] = []
  for (const [round, pops] of rounds.entries()) {
    for (const [flow, pop] of pops.entries()) {
      const o: Observation = {
        vantageId: V, round, flow, sentAt: T0 + round * I + flow, receivedAt: pop === null ? null : T0 + round * I + flow + 1,
        rttMs: pop === null ? null : 0.4, pop, ...(pop === null ? {} : {popConfidence: 0.9}), answered: pop !== null,
      }
      const events = a.push(o)
      m.observe(o)
      for (const e of events) m.event(e)
    }
    for (const e of a.flushRound(round)) m.event(e)
    const text = await m.text()
    // every series of the metric, with its value (a stale one would show as 0 or linger)
    out.push([...text.matchAll(/^anyprobe_site_info\{vantage="([^"]*)",site="([^"]*)"\} (\S+)$/gm)].map((x) => `${x[1]} ${x[2]} ${x[3]}`).sort())
  }
  return out
}

const lb = ['FRA', 'FRA', 'FRA', 'IAD'] as const

describe('--metrics: anyprobe_site_info of a load-balanced vantage point', () => {
  it('one series per PoP of the load-balanced catchment (FRA and IAD, both 1), not its first PoP only', async () => {
    const got = await siteInfo([lb, lb, lb, lb])
    assert.deepEqual(got.at(-1), [`${V} FRA 1`, `${V} IAD 1`])
    // the rounds after the one that confirmed it say the same
    assert.deepEqual(got.at(-2), got.at(-1))
  })

  it('a shift away from the set leaves only the new PoP: no FRA or IAD series left behind', async () => {
    const ams = ['AMS', 'AMS', 'AMS', 'AMS'] as const
    const got = await siteInfo([lb, lb, lb, ams, ams])
    assert.deepEqual(got[2], [`${V} FRA 1`, `${V} IAD 1`])
    assert.deepEqual(got.at(-1), [`${V} AMS 1`])
  })

  it('a member gone (8 flows, IAD withdrawn): the IAD series goes once the set shrinks to FRA, not kept at 1', async () => {
    const lb8 = [...lb, ...lb]
    const fra = Array.from({length: 8}, () => 'FRA')
    const got = await siteInfo([lb8, lb8, lb8, fra, fra, fra, fra])
    assert.deepEqual(got[4], [`${V} FRA 1`, `${V} IAD 1`], 'two rounds without IAD can be chance')
    assert.deepEqual(got[5], [`${V} FRA 1`])
    assert.deepEqual(got.at(-1), [`${V} FRA 1`])
  })

  it('an outage takes every series away; back at the set, both PoPs again', async () => {
    const lost = [null, null, null, null] as const
    const got = await siteInfo([lb, lb, lb, lost, lost, lost, lb, lb])
    assert.deepEqual(got[5], [], 'no PoP answers it during the outage')
    assert.deepEqual(got.at(-1), [`${V} FRA 1`, `${V} IAD 1`])
  })
})

describe('--metrics without the analyser to ask (events only)', () => {
  it("the load-balanced event's PoPs are its series", async () => {
    const a = createWatchAnalyzer({intervalMs: I, flows: 4, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 0})
    const m = new WatchMetrics()
    for (let round = 0; round < 3; round++) {
      for (const [flow, pop] of lb.entries()) {
        const o: Observation = {vantageId: V, round, flow, sentAt: T0 + round * I + flow, receivedAt: T0 + round * I + flow + 1, rttMs: 0.4, pop, popConfidence: 0.9, answered: true}
        m.observe(o)
        for (const e of a.push(o)) m.event(e)
      }
      for (const e of a.flushRound(round)) m.event(e)
    }
    const sites = [...(await m.text()).matchAll(/^anyprobe_site_info\{vantage="[^"]*",site="([^"]*)"\} 1$/gm)].map((x) => x[1]).sort()
    assert.deepEqual(sites, ['FRA', 'IAD'])
  })
})

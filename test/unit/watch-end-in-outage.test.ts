// A watch stopped (Ctrl-C, SIGTERM, --duration, --count) while the target does not answer a vantage
// point: seen in the lab (cut IAD, Ctrl-C 1 s later) as "ap-vp-nyc now IAD ... 1 outages" and exit 0,
// i.e. "the target answered every vantage point", while nyc and sao had had no answer for a second.
// The summary's JSON said inOutage: true; the text and the exit code did not. Now the text says
// "no answer (outage; last at IAD)" and the exit code counts such a vantage point as not answered
// (9 when others answer at the end, 4 when none does), with a warning saying which.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import {renderWatchSummary} from '../../src/render/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {watchEndFixture} from '../helpers/watch-end-fixture.js'
import {LiveView} from '../../src/watch/view.js'

const T0 = Date.parse('2026-12-07T04:28:28.000Z')
const {start, vp, ob} = watchEndFixture(T0)

/** 30 rounds; `lostFrom[id]`: the round from which that vantage point gets no answer (to the end) */
async function run(lostFrom: Record<string, number>): Promise<{text: string; reports: string[]; exitCode: number | undefined; summary: {vantagePoints: Array<{vantageId: string; inOutage: boolean; pop: string | null}>}}> {
  const events: RoundEvent[] = []
  for (let r = 0; r < 30; r++) {
    for (const [id, pop] of [['ap-vp-ber', 'FRA'], ['ap-vp-nyc', 'IAD']] as const) {
      events.push({type: 'observation', vantage: vp(id), observation: ob(id, r, r >= (lostFrom[id] ?? Infinity) ? null : pop)})
    }
    events.push({type: 'round', round: r})
  }
  let text = ''
  const reports: string[] = []
  const session = await WatchSession.open({start, json: false, write: (t) => (text += t), tty: false, report: (l) => reports.push(l), extras: {}})
  await session.consume((async function* () { yield* events })())
  const end = await session.finish('test')
  return {text, reports, exitCode: end.exitCode, summary: end.summary}
}

describe('a watch that ends during an outage', () => {
  it('one vantage point in an outage at the end: the summary says no answer (not "now IAD"), exit 9 with a warning naming it', async () => {
    const r = await run({'ap-vp-nyc': 20})
    const nyc = r.summary.vantagePoints.find((v) => v.vantageId === 'ap-vp-nyc')!
    assert.equal(nyc.inOutage, true)
    assert.match(r.text, /ap-vp-nyc\s+now no answer \(outage; last at IAD\) 20 answered, 10 lost/)
    assert.doesNotMatch(r.text, /ap-vp-nyc\s+now IAD/)
    assert.match(r.text, /ap-vp-ber\s+now FRA\s+30 answered, 0 lost/)
    assert.equal(r.exitCode, 9)
    assert.ok(r.reports.includes('warning: 1 vantage point(s) in an outage when the watch ended (exit 9): ap-vp-nyc'), r.reports.join('\n'))
  })

  it('every vantage point in an outage at the end: exit 4, and the warning does not say "no probe was answered"', async () => {
    const r = await run({'ap-vp-ber': 25, 'ap-vp-nyc': 20})
    assert.equal(r.exitCode, 4)
    assert.ok(r.reports.some((l) => /answered no vantage point at the end: each was in an outage/.test(l)), r.reports.join('\n'))
  })

  it('an outage that ended before the watch did leaves exit 0 (the vantage point answers at the end)', async () => {
    const events = await run({})
    assert.equal(events.exitCode ?? 0, 0)
    assert.ok(!events.reports.some((l) => l.startsWith('warning')), events.reports.join('\n'))
  })

  it('renderWatchSummary: the JSON summary\'s inOutage shows in the text', () => {
    const line = renderWatchSummary({
      schemaVersion: 1, kind: 'watch-event', type: 'summary', at: '2026-12-07T04:28:32.362Z', intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2,
      rounds: 38, firstAt: null, lastAt: null, observations: 34, late: 0, duplicates: 0, clockJumps: 0,
      vantagePoints: [{vantageId: 'ap-vp-sao', vantage: null, observations: 38, answered: 27, lost: 11, unlocated: 0, late: 0, duplicates: 0, rounds: 38, locatedRounds: 27, flips: 0, flipRate: 0, pop: 'IAD', pops: [{pop: 'IAD', observations: 27}], loadBalanced: false, flapEpisodes: 0, outages: 1, inOutage: true, clockJumps: 0}],
      pops: [], failover: {count: 0, p50Ms: null, p90Ms: null, maxMs: null, resolutionMs: 100}, flippingVantagePoints: 0, flippingShare: 0,
    } as never)
    assert.match(line, /ap-vp-sao\s+now no answer \(outage; last at IAD\) 27 answered, 11 lost/)
  })
})

describe('the live view on a terminal during an outage', () => {
  it('the catchment block says no answer from the outage event until the vantage point answers again', () => {
    let screen = ''
    const view = new LiveView((t) => (screen += t), true)
    view.observe(ob('ap-vp-nyc', 0, 'IAD'))
    assert.match(screen, /ap-vp-nyc\s+IAD\s+rtt/)
    view.observe(ob('ap-vp-nyc', 1, null))
    view.observe(ob('ap-vp-nyc', 2, null))
    screen = ''
    view.event({schemaVersion: 1, kind: 'watch-event', type: 'outage', at: new Date(T0 + 200).toISOString(), vantageId: 'ap-vp-nyc', round: 2, since: new Date(T0 + 100).toISOString(), lostProbes: 2, lastAnswerAt: new Date(T0).toISOString(), lastPop: 'IAD'})
    assert.match(screen, /ap-vp-nyc\s+no answer \(outage; last at IAD\)\s+1 answered, 2 lost\n$/)
    screen = ''
    view.observe(ob('ap-vp-nyc', 3, 'IAD'))
    view.close()
    assert.match(screen, /ap-vp-nyc\s+IAD\s+rtt/)
    assert.doesNotMatch(screen, /no answer/)
  })
})

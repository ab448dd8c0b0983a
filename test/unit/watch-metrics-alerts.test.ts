// --metrics through an outage and a flap episode: anyprobe_site_info said the last PoP all through it (lab: ap-vp-nyc
// "site=IAD" = 1 during a cut of IAD, while anyprobe_probe_success was 0). Now the outage takes
// the series away and `recovered` puts back the PoP it answers from (also the same one, which has
// no shift). The events come from the real analyser over a stream of observations.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {Observation} from '../../src/model/watch.js'
import {WatchMetrics} from '../../src/watch/metrics.js'

const T0 = Date.parse('2026-12-07T04:28:28.000Z')
const ob = (round: number, pop: string | null): Observation => ({
  vantageId: 'ap-vp-nyc', round, flow: 0, sentAt: T0 + round * 100, receivedAt: pop === null ? null : T0 + round * 100 + 1, rttMs: pop === null ? null : 0.5, pop, answered: pop !== null,
})

/** site_info lines of the scrape after each round */
async function scrape(pops: Array<string | null>): Promise<string[]> {
  const m = new WatchMetrics()
  const a = createWatchAnalyzer({intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 0})
  const out: string[] = []
  for (const [r, pop] of pops.entries()) {
    const o = ob(r, pop)
    m.observe(o)
    for (const e of [...a.push(o), ...a.flushRound(r)]) m.event(e)
    out.push(((await m.text()).match(/^anyprobe_site_info\{.*$/gm) ?? []).join(' ') || '-')
  }
  return out
}

describe('--metrics: anyprobe_site_info through an outage', () => {
  it('gone during the outage, back at the same PoP after it', async () => {
    const got = await scrape(['IAD', 'IAD', null, null, null, 'IAD', 'IAD'])
    assert.equal(got[1], 'anyprobe_site_info{vantage="ap-vp-nyc",site="IAD"} 1')
    assert.equal(got[4], '-', 'no site while the target does not answer it')
    assert.equal(got[6], 'anyprobe_site_info{vantage="ap-vp-nyc",site="IAD"} 1')
  })

  it('anyprobe_probe_duration_seconds: absent while there is no answer (not the RTT from before the outage)', async () => {
    const m = new WatchMetrics()
    const rtt = async (): Promise<string> => /^anyprobe_probe_duration_seconds\{vantage="ap-vp-nyc"\} (\S+)$/m.exec(await m.text())?.[1] ?? '-'
    m.observe(ob(0, 'IAD'))
    assert.equal(await rtt(), '0.0005')
    m.observe(ob(1, null))
    assert.equal(await rtt(), '-')
    m.observe(ob(2, 'IAD'))
    assert.equal(await rtt(), '0.0005')
  })

  it('a failover through an outage ends at the new PoP only', async () => {
    const got = await scrape(['IAD', 'IAD', null, null, null, 'FRA', 'FRA'])
    assert.equal(got[4], '-')
    assert.equal(got[6], 'anyprobe_site_info{vantage="ap-vp-nyc",site="FRA"} 1')
  })
})

describe('--metrics: anyprobe_flapping, raised by flap and cleared by flap-end', () => {
  it('1 from the flap to a full window without a flip, then 0', async () => {
    const m = new WatchMetrics()
    // threshold 2 flips within 1 s, probing every 100 ms
    const a = createWatchAnalyzer({intervalMs: 100, flows: 1, flapThreshold: 2, flapWindowMs: 1000, outageAfter: 2, reorderRounds: 0})
    const pops = ['IAD', 'IAD', 'FRA', 'IAD', ...Array(14).fill('IAD')]
    const gauge: string[] = []
    const types: string[] = []
    for (const [r, pop] of pops.entries()) {
      const o = ob(r, pop)
      m.observe(o)
      for (const e of [...a.push(o), ...a.flushRound(r)]) {
        m.event(e)
        types.push(`${e.type}@${r}`)
      }
      gauge.push(/^anyprobe_flapping\{vantage="ap-vp-nyc"\} (\d)$/m.exec(await m.text())?.[1] ?? '-')
    }
    assert.deepEqual(types, ['shift@2', 'shift@3', 'flap@3', 'flap-end@13'])
    assert.equal(gauge.join(''), '000' + '1'.repeat(10) + '0'.repeat(5))
  })
})

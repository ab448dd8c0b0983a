// sites --from: each vantage point's lowest RTT over rounds (src/console/sites-measure.ts), and one
// rule for "the RTT allows the verdict's place" shared with trace / dns / http's own check
// (src/analysis/sites/fuse.ts, src/infer/rtt.ts), including verdicts the probe itself rejected.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {findSites, type SiteObservation} from '../../src/analysis/sites/index.js'
import {lowestRttOutcomes, SITES_ROUNDS, SITES_TRACE_ROUNDS, sitesConcurrency, sitesRounds} from '../../src/console/sites-measure.js'
import {observationFromOutcome} from '../../src/console/sites-input.js'
import {haversineKm} from '../../src/geo/distance.js'
import {rttFeasibility} from '../../src/infer/rtt.js'
import type {ProbeResult, VantageOutcome} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {parseFrom} from '../../src/vantage/from.js'

const vp = (id: string): VantagePoint => ({kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null})
const ping = (id: string, minMs: number | null): VantageOutcome => ({
  vantage: vp(id),
  result: {kind: 'ping', target: 't', minMs, received: minMs === null ? 0 : 3, pop: null} as unknown as ProbeResult,
  error: null,
})
const failed = (id: string): VantageOutcome => ({vantage: vp(id), result: null, error: {code: 'E_VP_DIED', message: 'x', hint: null}})
const rttOf = (o: VantageOutcome): number | null => (o.result as {minMs: number | null} | null)?.minMs ?? null

describe('sites: the lowest RTT of several rounds', () => {
  it('keeps each vantage point\'s lowest-RTT outcome, in first-seen order', () => {
    const out = lowestRttOutcomes([
      [ping('ber', 13.6), ping('nyc', 0.38), failed('tyo')],
      [ping('nyc', 3.8), ping('ber', 0.26), ping('tyo', 6.0)],
      [ping('ber', 7.7), ping('nyc', 0.4), ping('tyo', 0.42)],
    ])
    assert.deepEqual(out.map((o) => [o.vantage.id, rttOf(o)]), [['ber', 0.26], ['nyc', 0.38], ['tyo', 0.42]])
  })
  it('a result without RTT beats a failure; a failure stays when nothing else came', () => {
    const out = lowestRttOutcomes([[failed('a'), failed('b')], [ping('a', null), failed('b')]])
    assert.equal(out[0]!.result?.kind, 'ping')
    assert.equal(out[1]!.result, null)
  })
  it('several rounds only for userspace-timed methods at child-process vantage points', () => {
    assert.equal(sitesRounds(parseFrom(['netns:a,b']), 'dns'), SITES_ROUNDS)
    assert.equal(sitesRounds(parseFrom(['netns:a']), 'trace'), SITES_TRACE_ROUNDS)
    assert.ok(SITES_ROUNDS >= 3 && SITES_TRACE_ROUNDS >= 2)
    assert.equal(sitesRounds(parseFrom(['netns:a']), 'ping'), 1) // iputils: kernel timestamps
    assert.equal(sitesRounds(parseFrom(['atlas:area=WW,n=5']), 'dns'), 1) // another round = another paid measurement
    assert.equal(sitesRounds(parseFrom(['netns:a', 'atlas:area=WW,n=5']), 'http'), 1)
  })
  it('children on this host: at most one per core unless --concurrency was given', () => {
    assert.equal(sitesConcurrency(parseFrom(['netns:a,b,c,d']), 'dns', 8, false, 2), 2)
    assert.equal(sitesConcurrency(parseFrom(['netns:a,b,c,d']), 'dns', 8, true, 2), 8)
    assert.equal(sitesConcurrency(parseFrom(['netns:a,b,c,d']), 'ping', 8, false, 2), 8)
    assert.equal(sitesConcurrency(parseFrom(['ssh:h1,h2']), 'http', 8, false, 2), 8)
  })
})

const FRA = {lat: 50.11, lon: 8.68}
/** a place `km` east of Frankfurt (along the parallel: close enough for these distances) */
const east = (km: number): {lat: number; lon: number} => ({lat: FRA.lat, lon: FRA.lon + km / (111.32 * Math.cos((FRA.lat * Math.PI) / 180))})
const obsAt = (rttMs: number, place: {lat: number; lon: number}): SiteObservation => ({vp: 'ber', ...FRA, rttMs, identity: {code: 'xyz', city: 'X', country: 'XX', ...place, evidence: null}})

describe('sites: one rule for a verdict\'s place and its RTT', () => {
  it('a verdict is contradicted exactly when trace / dns / http\'s own check rejects it', () => {
    // 10 ms: the bare disc is 986 km; the check (slack included) allows 1,100 km
    for (const km of [500, 990, 1040, 1090, 1110, 1300]) {
      const place = east(km)
      const doc = findSites([obsAt(10, place)])
      const contradicted = doc.contradictions.some((c) => c.vp === 'ber')
      assert.equal(contradicted, !rttFeasibility(FRA, place, 10).feasible, `${km} km (${Math.round(haversineKm(FRA, place))})`)
      assert.equal(doc.sites.some((s) => s.code === 'xyz'), !contradicted, `${km} km`)
    }
  })
  it('a verdict the probe itself rejected (popRejected) is a contradiction too', () => {
    const result = {kind: 'trace', target: 't', pop: null, popRejected: [{code: 'iad', city: 'Washington, D.C.', signal: 'hop-hostname', reason: 'r', distanceKm: 3272, minRttMs: 30.7, measuredRttMs: 0.01}], hops: [{ttl: 1, probes: [{rttMs: 0.01, addr: '10.0.0.1'}]}], destinationReached: true} as unknown as ProbeResult
    const o = observationFromOutcome({vantage: {...vp('nyc'), lat: 64.18, lon: -51.72}, result: result, error: null}, null)
    assert.deepEqual(o.rejected, [{code: 'iad', distanceKm: 3272}])
    const doc = findSites([{...o, rttMs: 0.01}])
    assert.equal(doc.contradictions.length, 1, JSON.stringify(doc))
    assert.equal(doc.contradictions[0]!.code, 'iad')
    assert.equal(doc.contradictions[0]!.distanceKm, 3272)
  })
})

// The likely-disc rule (src/analysis/sites/likely.ts): after iGreedy's rounds, a vantage point whose
// disc holds a placed site only near its rim, farther than any measured path reaches, reached
// another site. Synthetic discs (logic only); the measured effect is in sites.test.ts.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {citySource, findSites, iGreedyBaseline, KM_PER_RTT_MS, type SiteObservation} from '../../src/analysis/sites/index.js'
import {distanceKm} from '../../src/analysis/sites/discs.js'
import {LIKELY_METRO_KM, likelyRadiusKm, PATH_EFFICIENCY} from '../../src/analysis/sites/likely.js'

const BERLIN = {lat: 52.52, lon: 13.4}
const NYC = {lat: 40.71, lon: -74.0}
const PARIS = {lat: 48.86, lon: 2.35}
const LONDON = {lat: 51.51, lon: -0.13}
const TOKYO = {lat: 35.68, lon: 139.69}
const km = distanceKm(PARIS, BERLIN) // ~878 km

function campaign(parisRttMs: number): SiteObservation[] {
  return [
    {vp: 'ber', ...BERLIN, rttMs: 1, identity: null},
    {vp: 'nyc', ...NYC, rttMs: 1, identity: null},
    {vp: 'par', ...PARIS, rttMs: parisRttMs, identity: null},
  ]
}

describe('sites: likely discs', () => {
  it('the likely radius is 0.85 of the disc plus 10 km, never more than the disc', () => {
    assert.equal(likelyRadiusKm(1000), PATH_EFFICIENCY * 1000 + 10)
    assert.equal(likelyRadiusKm(20), 20)
  })

  it('a disc whose only placed site lies beyond its likely radius holds another site (iGreedy misses it), placed at the vantage point\'s own metro', () => {
    // London at 10.1 ms: a 996 km disc holds Berlin (930 km: 0.93 of the radius, which no measured path reaches)
    const kmLon = distanceKm(LONDON, BERLIN)
    const rtt = 10.1
    assert.ok(kmLon / (rtt * KM_PER_RTT_MS) > PATH_EFFICIENCY && kmLon > likelyRadiusKm(rtt * KM_PER_RTT_MS))
    const obs = campaign(rtt).map((o) => (o.vp === 'par' ? {...o, vp: 'lon', ...LONDON} : o))
    const r = findSites(obs, {identities: false})
    assert.equal(r.anycast, true)
    assert.equal(r.lowerBound, 2, 'the lower bound stays the exact one')
    assert.equal(r.sites.length, 3, JSON.stringify(r.sites.map((s) => s.city)))
    const added = r.sites[2]!
    assert.equal(added.city, 'London')
    assert.ok(distanceKm(added, LONDON) <= LIKELY_METRO_KM)
    assert.equal(added.source, 'iteration')
    assert.equal(added.evidence[0]!.vp, 'lon')
    assert.match(added.evidence[0]!.note, /farthest a measured path reaches/)
    assert.deepEqual(r.notPlaced, [])
    assert.equal(iGreedyBaseline(obs, citySource).sites.length, 2)
  })

  it('such a site is only reported, not placed, when the most likely place is far from the vantage point', () => {
    // Paris at 9.5 ms: a 937 km disc holds Berlin (878 km: 0.94 of the radius); inside its likely
    // disc (806 km) London outweighs Paris, 344 km from the vantage point: where the site is, one disc cannot say
    const rtt = 9.5
    assert.ok(km / (rtt * KM_PER_RTT_MS) > PATH_EFFICIENCY)
    const r = findSites(campaign(rtt), {identities: false})
    assert.equal(r.anycast, true)
    assert.equal(r.sites.length, 2, JSON.stringify(r.sites.map((s) => s.city)))
    assert.equal(r.notPlaced.length, 1)
    assert.equal(r.notPlaced[0]!.vp, 'par')
    assert.equal(r.notPlaced[0]!.radiusKm, Math.round(likelyRadiusKm(rtt * KM_PER_RTT_MS)))
    assert.match(r.notPlaced[0]!.note, /most likely place \(London\) is 3\d\d km from it/)
  })

  it('two overlapping likely discs that hold no placed site are one site not placed, reported once', () => {
    // Paris and Beauvais (66 km apart), both at 9.5 ms: each disc (937 km) holds Berlin (878 and
    // 863 km) but each likely disc (806 km) misses it and would put the site in London; both may
    // have reached the same site, so it is one more site, not two
    const BEAUVAIS = {lat: 49.43, lon: 2.08}
    const rtt = 9.5
    for (const p of [PARIS, BEAUVAIS]) {
      const km = distanceKm(p, BERLIN)
      assert.ok(km > likelyRadiusKm(rtt * KM_PER_RTT_MS) && km < rtt * KM_PER_RTT_MS, `${km} km`)
    }
    const r = findSites([...campaign(rtt), {vp: 'bea', ...BEAUVAIS, rttMs: rtt, identity: null}], {identities: false})
    assert.equal(r.sites.length, 2, JSON.stringify(r.sites.map((s) => s.city)))
    assert.equal(r.notPlaced.length, 1, JSON.stringify(r.notPlaced))
  })

  it('a disc whose placed site lies well inside its likely radius adds nothing', () => {
    // Paris at 12 ms: 1183 km, Berlin at 0.74 of it
    const r = findSites(campaign(12), {identities: false})
    assert.equal(r.sites.length, 2, JSON.stringify(r.sites.map((s) => s.city)))
  })

  it('never adds a site to a unicast address (only once the exact discs prove anycast)', () => {
    // a unicast server in Berlin; Paris measures it at the straight-line fibre bound (1.0 of its disc)
    const obs: SiteObservation[] = [
      {vp: 'ber', ...BERLIN, rttMs: 1, identity: null},
      {vp: 'par', ...PARIS, rttMs: km / KM_PER_RTT_MS + 0.05, identity: null},
      {vp: 'nyc', ...NYC, rttMs: distanceKm(NYC, BERLIN) / KM_PER_RTT_MS * 1.5, identity: null},
      {vp: 'tyo', ...TOKYO, rttMs: distanceKm(TOKYO, BERLIN) / KM_PER_RTT_MS * 1.5, identity: null},
    ]
    const r = findSites(obs, {identities: false})
    assert.equal(r.anycast, false, r.anycastReason)
    assert.equal(r.sites.length, 1)
  })

  it('two sites that end at one place are one site (an identity moves the added site onto another)', () => {
    // Paris' verdict names Berlin, which its 937 km disc allows: the site added from its likely disc
    // moves to Berlin, where a site already is
    const obs = campaign(9.5)
    obs[2] = {...obs[2]!, identity: {code: 'ber', city: 'Berlin', country: 'DE', lat: BERLIN.lat, lon: BERLIN.lon, evidence: 'hostname ber1'}}
    const r = findSites(obs)
    assert.equal(r.sites.length, 2, JSON.stringify(r.sites.map((s) => s.city)))
    const ber = r.sites.find((s) => s.code === 'ber')!
    assert.equal(ber.confirmed, true)
    assert.ok(ber.evidence.some((e) => e.vp === 'par'))
  })
})

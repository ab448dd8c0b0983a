// A country's standing-for point (src/geo/country-centres.ts) as `sites` reads it: matched from any
// side of its 0.006 degree window, and a small country's point kept with a disc grown by the
// country's reach, which the identity check (fuse.ts verdictAllowsKm) counts as the disc does.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {findSites, type SiteObservation} from '../../src/analysis/sites/index.js'
import {cleanObservations} from '../../src/analysis/sites/clean.js'
import {likelyDisc} from '../../src/analysis/sites/likely.js'
import {rttRadiusKm} from '../../src/analysis/sites/discs.js'
import {countryCentreAt, countryReachKm, parseCountryCentres} from '../../src/geo/country-centres.js'

describe('country centres', () => {
  it('a point at x.5 is matched from both sides of the rounding boundary (RIPE Atlas fuzzes by ~0.003)', () => {
    for (const [lat, lon, cc] of [
      [52.503, 5.75, 'NL'],
      [52.497, 5.75, 'NL'],
      [52.5, 5.747, 'NL'],
      [-12.503, 18.5, 'AO'],
      [-12.497, 18.503, 'AO'],
      [40.497, 47.503, 'AZ'],
      [38.003, -96.997, 'US'],
    ] as const) assert.equal(countryCentreAt(lat, lon)?.country, cc, `${lat}, ${lon}`)
    assert.equal(countryCentreAt(52.49, 5.75), null)
    assert.equal(countryCentreAt(48, 2), null) // France's point is 46, 2
  })
  it('parses the table text, ignoring comments and malformed lines', () => {
    const t = parseCountryCentres('# c\nXX\t10.5\t20.5\nbad line\nYY\tnope\t1\n')
    assert.equal(countryCentreAt(10.497, 20.503, t)?.country, 'XX')
    assert.equal(countryCentreAt(1, 1, t), null)
  })
  it('a small country\'s point: its verdict is judged with the grown disc (feasible, confirmed), not the bare RTT', () => {
    // Cyprus's point (35, 33): the island reaches < 100 km from it, so the probe is kept
    const cy = countryCentreAt(35.0015, 32.9985)!
    const reach = countryReachKm(cy)!
    assert.ok(reach > 60 && reach <= 100, String(reach))
    const obs: SiteObservation[] = [
      {vp: 'atlas:1', lat: 35.0015, lon: 32.9985, rttMs: 0.1, identity: {code: 'xpa', city: 'Paralimni', country: 'CY', lat: 35.0375, lon: 33.9833, evidence: 'CHAOS xpa'}},
    ]
    const c = cleanObservations(obs)
    assert.equal(c.discs[0]!.locationSlackKm, reach)
    assert.ok(Math.abs(c.discs[0]!.radiusKm - (rttRadiusKm(0.1) + reach)) < 1e-9)
    // the likely disc shrinks the RTT's part only
    assert.ok(likelyDisc(c.discs[0]!).radiusKm >= reach)
    const r = findSites(obs)
    assert.equal(r.contradictions.length, 0, JSON.stringify(r.contradictions))
    assert.ok(r.sites.some((s) => s.confirmed && s.code === 'xpa'), JSON.stringify(r.sites))
  })
})

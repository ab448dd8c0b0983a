// The address-density table (src/geo/address-density.ts) and how `sites` weighs candidates with it
// (src/analysis/sites/place.ts candidateWeight).
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {addressesNear, DENSITY_METRO_KM, hasAddressDensity, parseDensityTable} from '../../src/geo/address-density.js'
import {candidateWeight, placeSite} from '../../src/analysis/sites/place.js'
import {citySource} from '../../src/analysis/sites/index.js'
import {makeDisc} from '../../src/analysis/sites/discs.js'
import type {Candidate} from '../../src/model/sites.js'

describe('address density table', () => {
  it('parses lat, lon and quarter powers of two, skipping comments and bad lines', () => {
    const t = parseDensityTable('# header\n50.00\t8.00\t80\nbad line\n50.10\t8.10\t40\n10.00\t10.00\t60\n')
    // 2^20 + 2^10 within 25 km of (50.05, 8.05); the third place is far away
    assert.equal(addressesNear(50.05, 8.05, t), 2 ** 20 + 2 ** 10)
    assert.equal(addressesNear(0, 0, t), 0)
    assert.equal(addressesNear(0, 0, null), null)
  })
  it('counts places within the metro radius only, across one-degree cells', () => {
    // 0.2 degrees of latitude is ~22 km: inside; 0.3 is ~33 km: outside; both across the 50th parallel
    const t = parseDensityTable('49.90\t8.00\t40\n50.40\t8.00\t48\n')
    assert.ok(DENSITY_METRO_KM >= 22 && DENSITY_METRO_KM < 33)
    assert.equal(addressesNear(50.1, 8.0, t), 2 ** 10)
  })
  it('the committed table is there and says where networks are, not where people are', () => {
    assert.ok(hasAddressDensity())
    const frankfurt = addressesNear(50.11, 8.68)!
    const koeln = addressesNear(50.94, 6.96)!
    assert.ok(frankfurt > 3 * koeln, `Frankfurt ${frankfurt} vs Köln ${koeln}`)
    assert.ok(addressesNear(0, -140)! === 0, 'the open Pacific has no addresses')
  })
  it('the committed table is what scripts/build-address-density.mjs writes from the bundled GeoLite2 City', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'density-')), 'd.tsv')
    execFileSync(process.execPath, [join(import.meta.dirname, '../../scripts/build-address-density.mjs'), out])
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(import.meta.dirname, '../../geodata/address-density.tsv'), 'utf8'))
  })
})

describe('candidate weight', () => {
  const city = (population: number, addresses: number | null): Candidate => ({name: 'x', country: 'XX', lat: 0, lon: 0, population, addresses})
  it('iGreedy (no addresses) weighs population; sites weighs sqrt(population x (addresses + 1))', () => {
    assert.equal(candidateWeight(city(1_000_000, 4_000_000), false), 1_000_000)
    assert.equal(candidateWeight(city(1_000_000, 4_000_000 - 1), true), 2_000_000)
    // unknown addresses: population, as before
    assert.equal(candidateWeight(city(500, null), true), 500)
  })
  it('a disc around Köln is placed at Frankfurt by sites, at Köln by population alone', () => {
    // a vantage point in Köln 4.3 ms from the site (an A-root case): a 424 km disc holding Köln,
    // Düsseldorf, Frankfurt (150 km) and, on its rim, Paris (iGreedy's most populous choice)
    const d = makeDisc(0, 'vp', 50.94, 6.96, 4.3)
    const pop = placeSite(d, [], citySource, {weighDistance: true}).candidate
    const both = placeSite(d, [], citySource, {weighDistance: true, addresses: true}).candidate
    assert.equal(pop?.name, 'Köln')
    assert.equal(both?.name, 'Frankfurt am Main')
  })
})

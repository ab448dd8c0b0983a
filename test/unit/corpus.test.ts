// The engine against the shared real-world corpus (/work/shared/corpus): targets from the brief.
// 100% of CDN header entries with a stated PoP code give that code; >= 95% of router names and DNS
// identities with a known place give the right city (same name or within 100 km); no entry whose
// place is unknown gets a confident (>= 0.5) city. Figures and misses: scripts/corpus-figures.ts.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {evaluateHeaders, evaluateIdentities, evaluateRouters, figures, sameMetro, type FileReport} from '../../scripts/corpus-figures.js'
import {corpusPath} from '../helpers/shared.js'

const DIR = corpusPath()
const skip = existsSync(DIR) ? false : `corpus directory ${DIR} not found: shared corpus not checked out here`

function misses(r: FileReport, category: string): string {
  return r.results
    .filter((x) => x.category === category && !x.ok)
    .map((x) => `\n  ${x.id} ${x.input}: want ${x.want}, got ${x.got}`)
    .join('')
}

describe('corpus', {skip}, () => {
  it('the evaluator can fail: a wrong city is not the same metro', () => {
    const ams = {city: 'Amsterdam', country: 'NL', lat: 52.31, lon: 4.76}
    assert.equal(sameMetro(ams, {city: 'Frankfurt', country: 'DE'}), false)
    assert.equal(sameMetro(ams, {city: 'Amsterdam', country: 'NL'}), true)
    assert.equal(sameMetro({city: 'Washington, D.C.', country: 'US', lat: 38.94, lon: -77.46}, {city: 'Washington (Dulles)', country: 'US'}), true)
    assert.equal(sameMetro({city: 'Newark', country: 'US', lat: 40.69, lon: -74.17}, {city: 'New York', country: 'US'}), true, 'within 100 km')
  })

  it('cdn_headers.json: every stated PoP code is read', () => {
    const r = evaluateHeaders(DIR)
    const f = figures(r)
    assert.ok(f.known >= 30, `only ${f.known} entries evaluated`)
    assert.equal(f.knownRight, f.known, misses(r, 'known'))
    assert.equal(f.unknownOk, f.unknown, misses(r, 'unknown'))
  })

  it('router_hostnames.json: >= 95% of known places right, no confident city where the place is unknown', () => {
    const r = evaluateRouters(DIR)
    const f = figures(r)
    assert.ok(f.known >= 50, `only ${f.known} entries with a known place`)
    assert.ok(f.knownRight / f.known >= 0.95, `${f.knownRight}/${f.known}${misses(r, 'known')}`)
    assert.equal(f.unknownOk, f.unknown, misses(r, 'unknown'))
    assert.equal(f.countryOk, f.country, misses(r, 'country'))
  })

  it('dns_identity.json: >= 95% of known places right, no confident city where the place is unknown', () => {
    const r = evaluateIdentities(DIR)
    const f = figures(r)
    assert.ok(f.known >= 15, `only ${f.known} entries with a known place`)
    assert.ok(f.knownRight / f.known >= 0.95, `${f.knownRight}/${f.known}${misses(r, 'known')}`)
    assert.equal(f.unknownOk, f.unknown, misses(r, 'unknown'))
  })
})

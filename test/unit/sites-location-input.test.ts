// sites --input with --location / --locations: the user's location wins over the data's. It was
// ignored unless the data's was a placeholder: `--location atlas:6002=-33.9,18.4` left the disc of
// atlas:6002 at Oslo with no word (a flag that did nothing), and a name that matched no vantage point
// read (`--location nosuch=1,2`) was not warned about with --input, as report and catchment warn.
// Probes and RTTs here are made up; the results have the RIPE Atlas ping download's shape.
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {haversineKm} from '../../src/geo/distance.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {placeTableRow, placeVantage} from '../../src/vantage/locations.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {atlasPing, atlasProbesBody} from '../helpers/sites-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-loc-'))
const PROBES = [
  {id: 101, lat: 59.94, lon: 10.84},
  {id: 102, lat: 50.08, lon: 14.44},
  {id: 103, lat: 37.34, lon: -121.89},
  {id: 104, lat: 35.69, lon: 139.69},
]
const results = join(dir, 'ping.json')
const probes = join(dir, 'probes.json')
writeFileSync(results, JSON.stringify(PROBES.map((p) => atlasPing(p.id, 1))))
writeFileSync(probes, JSON.stringify(atlasProbesBody(PROBES, 'XX')))

const CAPE_TOWN = {lat: -33.9, lon: 18.4}

/** The site whose evidence is this vantage point's disc. */
function siteOf(doc: {sites: Array<{lat: number; lon: number; evidence: Array<{vp: string}>}>}, vp: string): {lat: number; lon: number} | undefined {
  return doc.sites.find((s) => s.evidence.some((e) => e.vp === vp))
}

describe('sites --input --location: the location given wins over the data\'s', () => {
  for (const name of ['atlas:101', '101']) {
    it(`--location ${name}=-33.9,18.4 moves the probe's disc from Oslo to Cape Town`, async () => {
      const r = await runCommand('sites', ['--input', results, '--probes', probes, '--location', `${name}=${CAPE_TOWN.lat},${CAPE_TOWN.lon}`, '--json'])
      assert.equal(r.status, 0, r.stderr)
      const doc = JSON.parse(r.stdout)
      assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
      const site = siteOf(doc, 'atlas:101')
      assert.ok(site !== undefined, JSON.stringify(doc.sites))
      // a 1 ms disc is 99 km across
      assert.ok(haversineKm(site, CAPE_TOWN) < 100, JSON.stringify(site))
      assert.doesNotMatch(r.stderr, /matched no vantage point/)
    })
  }

  it('--locations FILE too, and a table line\'s own location is corrected the same way', async () => {
    const locs = join(dir, 'locs.txt')
    writeFileSync(locs, `atlas:101 ${CAPE_TOWN.lat} ${CAPE_TOWN.lon}\nt1 ${CAPE_TOWN.lat} ${CAPE_TOWN.lon}\n`)
    const r = await runCommand('sites', ['--input', results, '--probes', probes, '--locations', locs, '--json'])
    const site = siteOf(JSON.parse(r.stdout), 'atlas:101')
    assert.ok(site !== undefined && haversineKm(site, CAPE_TOWN) < 100, JSON.stringify(site))
    const table = join(dir, 't.tsv')
    writeFileSync(table, 't1 59.94 10.84 1\nt2 50.08 14.44 1\n')
    const t = await runCommand('sites', ['--input', table, '--location', `t1=${CAPE_TOWN.lat},${CAPE_TOWN.lon}`, '--json'])
    const row = siteOf(JSON.parse(t.stdout), 't1')
    assert.ok(row !== undefined && haversineKm(row, CAPE_TOWN) < 100, JSON.stringify(row))
  })

  it('a name that matches no vantage point read is a warning naming it, on stderr and in inputNotes', async () => {
    const r = await runCommand('sites', ['--input', results, '--probes', probes, '--location', 'nosuch=1,2', '--location', 'atlas:102=50.1,14.4', '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /warning: --location \/ --locations name nosuch matched no vantage point and placed nothing \(the 4 vantage points are atlas:101, /)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.ok(doc.inputNotes.some((n: string) => /name nosuch matched no vantage point/.test(n)), JSON.stringify(doc.inputNotes))
    // a latency table's ids are names too
    const table = join(dir, 't2.tsv')
    writeFileSync(table, 't1 59.94 10.84 1\nt2 50.08 14.44 1\n')
    const t = await runCommand('sites', ['--input', table, '--location', 't3=1,2', '--location', 't1=1,2'])
    assert.match(t.stderr, /name t3 matched no vantage point/)
    assert.doesNotMatch(t.stderr, /name t1/)
  })
})

describe('placeVantage / placeTableRow', () => {
  const atlas: VantagePoint = {kind: 'atlas', id: 'atlas:101', name: null, asn: null, country: 'NO', lat: 59.94, lon: 10.84}
  const locs = new Map([['atlas:101', {lat: -33.9, lon: 18.4, country: null}]])

  it('a location given replaces a real one (the country then unknown unless given), given: true', () => {
    const p = placeVantage(atlas, locs)
    assert.deepEqual([p.v.lat, p.v.lon, p.v.country, p.given, p.placeholder], [-33.9, 18.4, null, true, false])
    assert.equal(placeVantage(atlas, new Map([['atlas:101', {lat: -33.9, lon: 18.4, country: 'ZA'}]])).v.country, 'ZA')
  })
  it('it fills or replaces a placeholder and keeps the registry\'s country; without one the data stands', () => {
    const placeholder = {...atlas, lat: 60, lon: 10, tags: ['system-auto-geoip-country']}
    const p = placeVantage(placeholder, new Map([['atlas:101', {lat: 59.9, lon: 10.7, country: null}]]))
    assert.deepEqual([p.v.lat, p.v.country, p.given], [59.9, 'NO', true])
    assert.deepEqual(placeVantage(placeholder, null), {v: placeholder, given: false, placeholder: true})
    assert.deepEqual(placeVantage(atlas, new Map()), {v: atlas, given: false, placeholder: false})
  })
  it('a table line: the location given wins over the line\'s', () => {
    const o = {vp: 't1', lat: 59.94, lon: 10.84, rttMs: 1, identity: null}
    assert.deepEqual(placeTableRow(o, new Map([['t1', {lat: -33.9, lon: 18.4, country: null}]])), {...o, lat: -33.9, lon: 18.4, locationGiven: true})
    assert.equal(placeTableRow(o, new Map([['t2', {lat: 1, lon: 2, country: null}]])), o)
  })
})

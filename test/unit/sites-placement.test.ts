// Where `sites` takes a vantage point to be, and whether the user said so (whole degrees are then
// their rounding, not a registry's placeholder): a saved anyprobe file keeps the --location given
// when it was measured, a latency table's placeholder or missing location is corrected by
// --location, and a table's first line is a header only when it names its columns.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {atlasCampaignFiles} from '../helpers/sites-fixtures.js'

describe('sites: whose location it is', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-placement-'))
  })
  after(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('a saved catchment of netns vantage points placed with --location in whole degrees keeps them: the user\'s, not placeholders', async () => {
    // as `catchment --from netns:... --location ber=52,13 ... --json` writes it (schema-checked below)
    const row = (id: string, lat: number, lon: number, rttMs: number, code: string, city: string, country: string): unknown => ({
      vantage: {kind: 'netns', id, name: id, asn: null, country: null, lat, lon},
      pop: {code, city, country, confidence: 0.9},
      rttMs,
      evidence: `dns-identity s1.${code}.anycast.example`,
      reached: true,
      error: null,
    })
    const doc = {
      schemaVersion: 1,
      kind: 'catchment',
      target: '198.51.100.10',
      method: 'dns',
      vantagePoints: [
        row('ap-vp-ber', 52, 13, 0.8, 'fra', 'Frankfurt am Main', 'DE'),
        row('ap-vp-nyc', 41, -74, 1.2, 'iad', 'Washington', 'US'),
        row('ap-vp-tyo', 36, 140, 1.5, 'sin', 'Singapore', 'SG'),
      ],
      pops: [],
      summary: {vantagePoints: 3, measured: 3, located: 3, unlocated: 0, failed: 0},
    }
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    const file = join(dir, 'c.json')
    writeFileSync(file, JSON.stringify(doc))
    const r = await runCommand('sites', ['--input', file, '--json'])
    const out = JSON.parse(r.stdout)
    assert.equal(out.excluded.placeholderLocation, 0, JSON.stringify(out.excluded))
    assert.equal(out.vantagePoints.used, 3)
    assert.equal(out.anycast, true)
  })

  it('a latency table: a placeholder row is left out, and --location for it puts it where the user says', async () => {
    const file = join(dir, 't.tsv')
    writeFileSync(file, 'ams\t52.37\t4.89\t1\nnyc\t40.71\t-74.0\t1\njnb\t-29.0025\t23.9985\t3.8\n')
    const plain = JSON.parse((await runCommand('sites', ['--input', file, '--json'])).stdout)
    assert.equal(plain.excluded.placeholderLocation, 1)
    assert.equal(plain.vantagePoints.used, 2)
    const fixed = JSON.parse((await runCommand('sites', ['--input', file, '--location', 'jnb=-26.2,28.04', '--json'])).stdout)
    assert.equal(fixed.excluded.placeholderLocation, 0)
    assert.equal(fixed.vantagePoints.used, 3)
    assert.ok(fixed.sites.some((s: {city: string | null}) => s.city === 'Johannesburg'), JSON.stringify(fixed.sites.map((s: {city: string | null}) => s.city)))
    // the location given wins over the table's own too (review: --location that changed nothing did nothing, silently)
    const moved = JSON.parse((await runCommand('sites', ['--input', file, '--location', 'ams=10.5,10.5', '--json'])).stdout)
    assert.ok(!moved.sites.some((s: {city: string | null}) => s.city === 'Amsterdam'), JSON.stringify(moved.sites.map((s: {city: string | null}) => s.city)))
    assert.ok(moved.sites.some((s: {lat: number; lon: number}) => Math.abs(s.lat - 10.5) < 1.5 && Math.abs(s.lon - 10.5) < 1.5), JSON.stringify(moved.sites))
  })

  it('a first line with a location out of range is a line (counted as no location), not a header', async () => {
    const file = join(dir, 'h.tsv')
    writeFileSync(file, 'p0\t95\t10\t3\nams\t52.37\t4.89\t1\nnyc\t40.71\t-74.0\t1\n')
    const doc = JSON.parse((await runCommand('sites', ['--input', file, '--json'])).stdout)
    assert.equal(doc.vantagePoints.total, 3)
    assert.equal(doc.excluded.noLocation, 1)
  })
})

describe('sites: a probe RIPE Atlas placed at its country (system-auto-geoip-country)', () => {
  it('the tags are read from the daily archive (strings) and from the API ({name, slug} objects)', async () => {
    const {probeMetaFromApi} = await import('../../src/vantage/atlas/parse.js')
    assert.deepEqual(probeMetaFromApi({id: 1, latitude: 34.7705, longitude: 113.7205, tags: ['system-ipv4-works', 'system-auto-geoip-country']})?.tags, ['system-ipv4-works', 'system-auto-geoip-country'])
    assert.deepEqual(probeMetaFromApi({id: 2, geometry: {type: 'Point', coordinates: [4.9, 52.3]}, tags: [{name: 'Auto geoip city', slug: 'system-auto-geoip-city'}]})?.tags, ['system-auto-geoip-city'])
    assert.deepEqual(probeMetaFromApi({id: 3, tags: []})?.tags, [])
    // the vantage point carries only how Atlas placed the probe
    const {atlasVantage} = await import('../../src/vantage/atlas/parse.js')
    assert.deepEqual(atlasVantage(1, probeMetaFromApi({id: 1, latitude: 34.7705, longitude: 113.7205, tags: ['system-ipv4-works', 'system-auto-geoip-country']}))?.tags, ['system-auto-geoip-country'])
    assert.equal(atlasVantage(3, probeMetaFromApi({id: 3, tags: ['home']}))?.tags, undefined)
  })
  it('its location (not in whole degrees) is left out as a placeholder; --location for it puts it back', async () => {
    const f = atlasCampaignFiles('f-ripe.tsv')
    const archive = JSON.parse(readFileSync(f.probes, 'utf8')) as {objects: Array<{id: number; latitude: number; longitude: number; tags?: string[]}>}
    // probe 6002 (Oslo, 1 ms) as if Atlas had placed it from its address at a point standing for Norway
    const p = archive.objects.find((o) => o.id === 6002)!
    p.tags = ['system-ipv4-works', 'system-auto-geoip-country']
    writeFileSync(f.probes, JSON.stringify(archive))
    const r = JSON.parse((await runCommand('sites', ['--input', f.results, '--probes', f.probes, '--json'])).stdout)
    // the file's 2 probes on a country's point (Ukraine, the Netherlands) plus this one
    assert.equal(r.excluded.placeholderLocation, 3, JSON.stringify(r.excluded))
    assert.ok(r.excluded.examples.some((e: {vp: string; reason: string}) => e.vp === 'atlas:6002' && /system-auto-geoip-country/.test(e.reason)))
    const fixed = JSON.parse((await runCommand('sites', ['--input', f.results, '--probes', f.probes, '--location', `6002=${p.latitude},${p.longitude}`, '--json'])).stdout)
    assert.equal(fixed.excluded.placeholderLocation, 2)
  })
})

// Where `sites` takes a vantage point to be, and whether the user said so (whole degrees are then
// their rounding, not a registry's placeholder): a saved anyprobe file keeps the --location given
// when it was measured, a latency table's placeholder or missing location is corrected by
// --location, and a table's first line is a header only when it names its columns.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

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
    // a real location of the table's own stays, whatever --location says
    const kept = JSON.parse((await runCommand('sites', ['--input', file, '--location', 'ams=10.5,10.5', '--json'])).stdout)
    assert.ok(kept.sites.some((s: {city: string | null}) => s.city === 'Amsterdam'))
  })

  it('a first line with a location out of range is a line (counted as no location), not a header', async () => {
    const file = join(dir, 'h.tsv')
    writeFileSync(file, 'p0\t95\t10\t3\nams\t52.37\t4.89\t1\nnyc\t40.71\t-74.0\t1\n')
    const doc = JSON.parse((await runCommand('sites', ['--input', file, '--json'])).stdout)
    assert.equal(doc.vantagePoints.total, 3)
    assert.equal(doc.excluded.noLocation, 1)
  })
})

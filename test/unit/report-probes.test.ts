// report --probes FILE: raw RIPE Atlas results with the probes' metadata from a file (a saved API
// probes page, the daily probe archive's shape, probe objects), through the real command.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {readProbeFile} from '../../src/vantage/atlas/probe-file.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const F = 'test/fixtures/atlas/'
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-probes-'))
after(() => rmSync(dir, {recursive: true, force: true}))

interface Doc {
  vantagePoints: Array<{vantage: {id: string; asn: number | null; country: string | null; lat: number | null; lon: number | null; name: string | null}; pop: {city: string | null} | null}>
}

async function report(args: string[]): Promise<{status: number | null; doc: Doc | null; stderr: string}> {
  const r = await runCommand('report', [...args, '--no-rdns', '--json'])
  let doc: Doc | null = null
  try {
    doc = JSON.parse(r.stdout) as Doc
  } catch {
    // an error: stdout holds the error document
  }
  return {status: r.status, doc, stderr: r.stderr + r.stdout}
}

describe('report --probes: probe metadata for raw RIPE Atlas results', () => {
  it('without it a probe is only an id; with a saved API probes page it has its country, ASN and location', async () => {
    const bare = await report([`${F}results-1423386.json`])
    assert.equal(bare.status, 0, bare.stderr)
    assert.equal(bare.doc!.vantagePoints[0]!.vantage.country, null)

    const r = await report([`${F}results-1423386.json`, '--probes', `${F}probes-page2.json`])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(schemaErrors('catchment.schema.json', r.doc), [])
    const vp = r.doc!.vantagePoints[0]!
    assert.deepEqual(
      {id: vp.vantage.id, asn: vp.vantage.asn, country: vp.vantage.country, lat: vp.vantage.lat, lon: vp.vantage.lon},
      {id: 'atlas:6036', asn: 719, country: 'FI', lat: 60.17, lon: 24.94},
    )
    // the verdict is the same as without metadata: the metadata locates the probe, not the PoP
    assert.equal(vp.pop?.city, bare.doc!.vantagePoints[0]!.pop?.city)
  })

  it('the daily archive shape ({"objects": [...]}, flat latitude/longitude) and NDJSON of probes read the same', async () => {
    const archive = join(dir, 'archive.json')
    writeFileSync(archive, JSON.stringify({meta: {total_count: 2}, objects: [{id: 6036, asn_v4: 719, asn_v6: null, country_code: 'fi', latitude: 60.17, longitude: 24.94, description: 'x'}, {id: 1, latitude: 1, longitude: 2}]}))
    const a = await readProbeFile(archive)
    assert.deepEqual({...a.probes.get(6036)!, description: null}, {id: 6036, asnV4: 719, asnV6: null, country: 'FI', lat: 60.17, lon: 24.94, description: null, isAnchor: false, tags: []})
    assert.equal(a.probes.size, 2)

    const ndjson = join(dir, 'probes.ndjson')
    writeFileSync(ndjson, '{"id": 6036, "country_code": "FI", "geometry": {"type": "Point", "coordinates": [24.94, 60.17]}}\n\n{"no_id": true}\n')
    const n = await readProbeFile(ndjson)
    assert.equal(n.probes.get(6036)!.lat, 60.17)
    assert.equal(n.skipped, 1)

    const r = await report([`${F}results-1423386.json`, '--probes', archive])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.doc!.vantagePoints[0]!.vantage.country, 'FI')
  })

  it('a traceroute download: each probe gets its own metadata, probes missing from the file stay bare', async () => {
    const page = JSON.parse(readFileSync(`${F}probes-page1.json`, 'utf8')) as {results: Array<{id: number}>}
    const one = join(dir, 'one.json')
    writeFileSync(one, JSON.stringify(page.results.filter((p) => p.id === 12185)))
    const r = await report([`${F}results-3606560.json`, '--probes', one])
    assert.equal(r.status, 0, r.stderr)
    const byId = new Map(r.doc!.vantagePoints.map((v) => [v.vantage.id, v.vantage]))
    assert.equal(byId.get('atlas:12185')!.name, 'probe in Oakland')
    assert.equal(byId.get('atlas:12185')!.asn, 7922)
    assert.equal(byId.get('atlas:22880')!.country, null)
  })

  it('a bad file is a usage error with a hint, before any input is read', async () => {
    const garbage = join(dir, 'garbage.json')
    writeFileSync(garbage, '{"results": [')
    const bz = join(dir, 'x.json.bz2')
    writeFileSync(bz, Buffer.from('BZh91AY&SY\u0000\u0001', 'binary'))
    const empty = join(dir, 'empty.json')
    writeFileSync(empty, '[{"asn_v4": 3320}]')
    for (const [file, why] of [
      [garbage, /not JSON/],
      // a broken bzip2 file: the system's bzip2 says why (without one installed: how to undo it)
      [bz, /bzip2: Compressed file ends unexpectedly|bunzip2/],
      [empty, /no probe with an id/],
      [join(dir, 'missing.json'), /cannot read it \(ENOENT\)/],
    ] as const) {
      const r = await report([`${F}results-1423386.json`, '--probes', file])
      assert.equal(r.status, 2, `${file}: ${r.stderr}`)
      assert.match(r.stderr, /E_BAD_INPUT/)
      assert.match(r.stderr, why)
    }
  })
})

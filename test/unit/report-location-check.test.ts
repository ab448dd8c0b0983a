// report / diff --location: a location the user gives reaches the PoP verdict's speed-of-light
// check, as a RIPE Atlas probe's own location (report --probes) does. Inputs: the lab's saved
// catchments (test/fixtures/diff: catchment --json of DNS, --ndjson of traces, real CLI output).
// The lab's links are loopback-fast (0.36 ms to "Singapore"), so placing ap-vp-tyo in Tokyo is
// the impossible placement a typo or a wrong --locations file makes.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const DNS = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')
const TRACE = join(ROOT, 'test/fixtures/diff/lab-trace-withdraw-fra.ndjson')
type Row = {vantage: {id: string; lat: number | null}; pop: {code: string; contradiction?: {reason: string}} | null}
const rowOf = (doc: {vantagePoints: Row[]}, id: string): Row => doc.vantagePoints.find((r) => r.vantage.id === id)!

describe('report --location: the location given is checked against the RTT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loc-check-'))
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('a saved catchment row: Tokyo 0.36 ms from Singapore keeps SIN, flagged with why (text, --json, the page)', async () => {
    const html = join(dir, 'r.html')
    const r = await runCommand('report', [DNS, '--location', 'ap-vp-tyo=35.69,139.69', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /netns:ap-vp-tyo\s+35\.69,139\.69\s+-\s+SIN \(Singapore\) 0\.99 !/)
    assert.match(r.stdout, /ap-vp-tyo\s+Singapore is 5,3\d\d km from 35\.69,139\.69 .*needing >= \d+ ms, measured 0\.4 ms/)
    const page = readFileSync(html, 'utf8')
    assert.match(page, /stands against/)
    const j = await runCommand('report', [DNS, '--location', 'ap-vp-tyo=35.69,139.69', '--json'])
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(rowOf(doc, 'ap-vp-tyo').pop!.code, 'sin')
    assert.match(rowOf(doc, 'ap-vp-tyo').pop!.contradiction!.reason, /the location given or the PoP read is wrong/)
    // the others, not placed, are not judged
    assert.equal(rowOf(doc, 'ap-vp-ber').pop!.contradiction, undefined)
  })

  it('raw RIPE Atlas results: --location flags as --probes does (probe 6036 in Sydney, 1.35 ms from Helsinki)', async () => {
    // the probe metadata as RIPE Atlas's /api/v2/probes/ page gives it (geometry is [lon, lat])
    const probes = join(dir, 'probes.json')
    writeFileSync(probes, JSON.stringify({results: [{id: 6036, geometry: {type: 'Point', coordinates: [151.21, -33.87]}, country_code: 'AU', asn_v4: 1221, tags: []}]}))
    const atlas = join(ROOT, 'test/fixtures/atlas/results-dns-mixed.json')
    const byProbes = JSON.parse((await runCommand('report', [atlas, '--no-rdns', '--json', '--probes', probes])).stdout)
    const byLocation = JSON.parse((await runCommand('report', [atlas, '--no-rdns', '--json', '--location', '6036=-33.87,151.21'])).stdout)
    const a = rowOf(byProbes, 'atlas:6036') ?? rowOf(byProbes, '6036')
    const b = rowOf(byLocation, 'atlas:6036') ?? rowOf(byLocation, '6036')
    assert.match(a.pop!.contradiction!.reason, /helsinki rejected/)
    // the one verdict function, so the same words
    assert.equal(b.pop!.contradiction?.reason, a.pop!.contradiction!.reason)
  })

  it('a location the RTT allows (Singapore itself) flags nothing', async () => {
    const j = await runCommand('report', [DNS, '--location', 'ap-vp-tyo=SIN', '--json'])
    assert.equal(rowOf(JSON.parse(j.stdout), 'ap-vp-tyo').pop!.contradiction, undefined)
  })

  it('saved trace results are judged again with the location: router names the RTT rules out name no PoP', async () => {
    // ap-vp-nyc's IAD comes from hop names (be20.cr2.iad02..., edge1.ashburn1...), 0.02 ms away
    const plain = JSON.parse((await runCommand('report', [TRACE, '--no-rdns', '--json'])).stdout)
    assert.equal(rowOf(plain, 'ap-vp-nyc').pop?.code, 'iad')
    const far = JSON.parse((await runCommand('report', [TRACE, '--no-rdns', '--json', '--location', 'ap-vp-nyc=-33.87,151.21'])).stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', far), [])
    assert.equal(rowOf(far, 'ap-vp-nyc').pop, null)
    assert.equal(rowOf(far, 'ap-vp-nyc').vantage.lat, -33.87)
    // placed where its RTT allows, the same reading stands
    const near = JSON.parse((await runCommand('report', [TRACE, '--no-rdns', '--json', '--location', 'ap-vp-nyc=IAD'])).stdout)
    assert.equal(rowOf(near, 'ap-vp-nyc').pop?.code, 'iad')
  })

  it('diff --location judges both files with it: the page marks the impossible placement', async () => {
    const html = join(dir, 'd.html')
    const r = await runCommand('diff', [DNS, DNS, '--location', 'ap-vp-tyo=35.69,139.69', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.match(readFileSync(html, 'utf8'), /stands against/)
    // a trace file against itself, nyc placed in Sydney: its IAD is gone on both sides, no change
    const t = await runCommand('diff', [TRACE, TRACE, '--json', '--location', 'ap-vp-nyc=-33.87,151.21'])
    const d = JSON.parse(t.stdout)
    assert.equal(d.before.located, JSON.parse((await runCommand('diff', [TRACE, TRACE, '--json'])).stdout).before.located - 1)
  })
})

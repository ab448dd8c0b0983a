// `anyprobe sites --input` on the F-root campaign written out as a RIPE Atlas ping download plus a
// probe archive (the real probe ids, locations and min RTTs of test/fixtures/sites/f-ripe.tsv),
// read through the report reader; --json validated against schemas/sites.schema.json.
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {loadCampaign} from '../helpers/sites-fixtures.js'

function atlasFiles(): {results: string; probes: string} {
  const c = loadCampaign('f-ripe.tsv')
  const dir = mkdtempSync(join(tmpdir(), 'sites-'))
  const results = c.obs.map((o) => {
    const id = Number(o.vp.slice('atlas:'.length))
    return {fw: 5020, af: 4, dst_addr: '192.5.5.241', dst_name: '192.5.5.241', from: '192.0.2.1', msm_id: 1001, prb_id: id, proto: 'ICMP', type: 'ping', timestamp: 1457111609, size: 48, sent: 3, rcvd: 3, min: o.rttMs, avg: o.rttMs, max: o.rttMs, result: [{rtt: o.rttMs}, {rtt: o.rttMs}, {rtt: o.rttMs}]}
  })
  const probes = c.obs.map((o) => ({id: Number(o.vp.slice('atlas:'.length)), asn_v4: null, country_code: null, latitude: o.lat, longitude: o.lon}))
  writeFileSync(join(dir, 'ping.json'), JSON.stringify(results))
  writeFileSync(join(dir, 'probes.json'), JSON.stringify({objects: probes}))
  return {results: join(dir, 'ping.json'), probes: join(dir, 'probes.json')}
}

describe('anyprobe sites --input', () => {
  it('reads an Atlas ping download with probe locations: anycast, sites, schema-valid JSON', async () => {
    const f = atlasFiles()
    const r = await runCommand('sites', ['--input', f.results, '--probes', f.probes, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.equal(doc.kind, 'sites')
    assert.equal(doc.anycast, true)
    assert.equal(doc.target, '192.5.5.241')
    assert.equal(doc.vantagePoints.used, 276)
    assert.ok(doc.sites.length >= 25, String(doc.sites.length))
  })
  it('without probe locations nothing is placed and every vantage point is counted as unlocated', async () => {
    const f = atlasFiles()
    const r = await runCommand('sites', ['--input', f.results, '--json'])
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.anycast, null)
    assert.equal(doc.excluded.noLocation, 276)
    assert.deepEqual(doc.sites, [])
  })
  it('the table says yes, the lower bound and the sites', async () => {
    const f = atlasFiles()
    const r = await runCommand('sites', ['--input', f.results, '--probes', f.probes])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /anycast {5}yes/)
    assert.match(r.stdout, /at least \d+ \(mutually disjoint RTT discs\)/)
    assert.match(r.stdout, /Amsterdam/)
  })
  it('a bad --vp-location is a usage error', async () => {
    const r = await runCommand('sites', ['1.2.3.4', '--from', 'local', '--vp-location', 'x=200,1'])
    assert.equal(r.status, 2)
  })
})

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
import {atlasCampaignFiles, loadCampaign} from '../helpers/sites-fixtures.js'

const atlasFiles = (): {results: string; probes: string} => atlasCampaignFiles('f-ripe.tsv')

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
    // two probes of the 276 sit on the points standing for their country (48.9975, 32.0005: Ukraine;
    // 52.5005, 5.7485: the Netherlands, not in whole degrees): both reach far beyond 100 km
    assert.equal(doc.vantagePoints.total, 276)
    assert.equal(doc.excluded.placeholderLocation, 2)
    assert.ok(doc.excluded.examples.some((e: {vp: string; reason: string}) => e.vp === 'atlas:14026' && /standing for NL/.test(e.reason)), JSON.stringify(doc.excluded))
    assert.equal(doc.vantagePoints.used, 274)
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

describe('anyprobe sites: where vantage points are, --locations FILE / --location NAME=LAT,LON', () => {
  // the Atlas download alone carries no locations; the same locations given by file or by flag
  // place every probe as the probe archive does
  const locationLines = (): string[] => loadCampaign('f-ripe.tsv').obs.map((o) => `${o.vp} ${o.lat} ${o.lon}`)

  it('--locations FILE places the probes the download does not', async () => {
    const f = atlasFiles()
    const file = join(mkdtempSync(join(tmpdir(), 'sites-loc-')), 'vps.txt')
    writeFileSync(file, `# id lat lon\n${locationLines().join('\n')}\n`)
    const r = await runCommand('sites', ['--input', f.results, '--locations', file, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    // locations the user gave are never placeholders, whole degrees or not (49.00, 32.00 is one of them)
    assert.equal(doc.excluded.placeholderLocation, 0)
    assert.equal(doc.vantagePoints.used, 276)
    assert.equal(doc.anycast, true)
  })

  it('--location NAME=LAT,LON (repeatable; the name without "atlas:" too) and the old --vp-location spelling', async () => {
    const f = atlasFiles()
    const args = locationLines().slice(0, 40).flatMap((l, i) => {
      const [id, lat, lon] = l.split(' ')
      return [i % 2 ? '--location' : '--vp-location', `${i % 3 ? id!.slice('atlas:'.length) : id}=${lat},${lon}`]
    })
    const r = await runCommand('sites', ['--input', f.results, ...args, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.excluded.noLocation, 276 - 40)
  })

  it('a bad --location is a usage error naming it', async () => {
    const r = await runCommand('sites', ['1.2.3.4', '--from', 'local', '--location', 'vp1=45,999'])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--location vp1=45,999: expected NAME=LAT,LON/)
  })
})

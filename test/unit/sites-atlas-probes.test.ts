// `sites --input` on raw RIPE Atlas results with --probes api asks the Atlas API where the probes are
// (src/vantage/atlas/probe-locate.ts). Against the local Atlas stand-in (test/helpers/atlas-replay.ts),
// on the F-root campaign as an Atlas ping download: the same sites as with --probes FILE; a probe
// RIPE Atlas placed at its country's centre is left out as a placeholder; an API out of reach
// loses nothing but the locations it would have given (E_NETWORK, exit 6, the table still printed).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {type ReplayServer, startAtlasReplay} from '../helpers/atlas-replay.js'
import {runCommand} from '../helpers/cli.js'
import {atlasCampaignFiles, SITES_DIR} from '../helpers/sites-fixtures.js'
import {closedTcpPort} from '../helpers/loopback-server.js'

const f = atlasCampaignFiles('f-ripe.tsv')
const archive = JSON.parse(readFileSync(f.probes, 'utf8')) as {objects: Array<{id: number; latitude: number; longitude: number}>}
// the API's form of the same probes: GeoJSON points; the first one placed by RIPE Atlas from its address
const PLACEHOLDER = archive.objects[0]!.id
const apiProbes = archive.objects.map((p) => ({
  id: p.id,
  geometry: {type: 'Point', coordinates: [p.longitude, p.latitude]},
  country_code: null,
  asn_v4: null,
  tags: p.id === PLACEHOLDER ? [{name: 'System: Auto GeoIP country', slug: 'system-auto-geoip-country'}] : [],
}))

describe('sites --input: raw RIPE Atlas results with --probes api', () => {
  let srv: ReplayServer
  before(async () => {
    srv = await startAtlasReplay({
      routes: [
        {
          path: 'probes/',
          body: (q: Record<string, string>) => {
            const ids = new Set((q.id__in ?? '').split(',').map(Number))
            return {count: ids.size, next: null, previous: null, results: apiProbes.filter((p) => ids.has(p.id))}
          },
        },
      ],
    })
    process.env.ANYPROBE_ATLAS_URL = srv.url
    process.env.XDG_CONFIG_HOME = '/nonexistent'
    // a key is configured: probe metadata is public, so it must not travel
    process.env.ANYPROBE_ATLAS_KEY = '0a1b2c3d-0a1b-2c3d-4e5f-0a1b2c3d4e5f'
  })
  after(async () => {
    delete process.env.ANYPROBE_ATLAS_URL
    delete process.env.ANYPROBE_ATLAS_KEY
    await srv.close()
  })

  it('asks the API for every probe at once, and finds what --probes FILE with the same metadata finds', async () => {
    const saved = join(mkdtempSync(join(tmpdir(), 'sites-probes-')), 'probes-page.json')
    writeFileSync(saved, JSON.stringify({count: apiProbes.length, next: null, previous: null, results: apiProbes}))
    const live = await runCommand('sites', ['--input', f.results, '--probes', 'api', '--json'])
    assert.equal(live.status, 0, live.stderr)
    assert.match(live.stderr, /asking RIPE Atlas where 276 probes are/)
    const asked = srv.requests.filter((r) => r.path.endsWith('probes/'))
    assert.equal(asked.length, 1)
    assert.equal(asked[0]!.query.id__in!.split(',').length, 276)
    assert.equal(asked[0]!.headers.authorization, undefined, 'no key is sent for public probe metadata, though one is configured')
    const file = await runCommand('sites', ['--input', f.results, '--probes', saved, '--json'])
    assert.equal(file.status, 0, file.stderr)
    assert.equal(srv.requests.filter((r) => r.path.endsWith('probes/')).length, 1, 'with --probes FILE nothing is asked')
    const a = JSON.parse(live.stdout) as {sites: unknown[]; vantagePoints: {used: number}; excluded: {noLocation: number; placeholderLocation: number; examples: Array<{vp: string}>}}
    const b = JSON.parse(file.stdout) as typeof a
    assert.equal(a.excluded.noLocation, 0)
    assert.ok(a.excluded.examples.some((e) => e.vp === `atlas:${PLACEHOLDER}`), 'the probe RIPE Atlas placed at its country\'s centre is left out')
    assert.ok(a.sites.length >= 20)
    assert.deepEqual(a.excluded, b.excluded)
    assert.deepEqual(a.sites, b.sites)
    assert.equal(a.vantagePoints.used, b.vantagePoints.used)
  })

  it('--probes api with a latency table (its lines carry their locations) is a usage error, like --probes FILE', async () => {
    const before = srv.requests.length
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'c-atlas-100.tsv'), '--probes', 'api'])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /E_USAGE: --probes: .* is a latency table/)
    assert.equal(srv.requests.length, before)
  })

  it('without --probes nothing is asked: the probes stay unlocated, and a note says how to place them', async () => {
    const before = srv.requests.length
    const r = await runCommand('sites', ['--input', f.results])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(srv.requests.length, before)
    assert.match(r.stdout, /276 without location/)
    assert.match(r.stderr, /276 RIPE Atlas probes have no location here: give their metadata with --probes FILE, or --probes api/)
  })

  it('an API out of reach: the probes stay without location, E_NETWORK with the --probes hint, exit 6, the table still printed', async () => {
    // a port that was free a moment ago: connection refused
    const port = await closedTcpPort()
    process.env.ANYPROBE_ATLAS_URL = `http://127.0.0.1:${port}/api/v2/`
    try {
      const r = await runCommand('sites', ['--input', f.results, '--probes', 'api'])
      assert.equal(r.status, 6, r.stderr)
      assert.match(r.stderr, /E_NETWORK: the locations of 276 of 276 RIPE Atlas probes could not be fetched/)
      assert.match(r.stderr, /--probes FILE/)
      assert.match(r.stdout, /276 without location/)
    } finally {
      process.env.ANYPROBE_ATLAS_URL = srv.url
    }
  })
})

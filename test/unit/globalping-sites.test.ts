// `anyprobe sites --from globalping:` against the loopback replay server (127.0.0.1 only): a
// Globalping ping measurement (in progress, then finished; one failed probe) gives each probe's
// lowest RTT at the probe's own location, so the discs prove the sites; the failed probe is
// counted, not placed; the token travels only in the Authorization header.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {measurementRoutes, useGlobalpingReplay} from '../helpers/globalping-replay.js'
import {schemaErrors} from '../helpers/schema.js'

const TOKEN = 'gp-tok-5a1e77c0b3d94f2a8c6e0d1b9f4a7c33'
const PING_ID = '2Fr7pNg5QwXc8LmKe00120hQz'

describe('anyprobe sites --from globalping: (replay server)', () => {
  const {server, home} = useGlobalpingReplay(TOKEN, 'anyprobe-gp-sites-')

  it('pings from the probes, places each disc at the probe Globalping locates, finds the sites; the failed probe is counted', async () => {
    server().routes.push(...measurementRoutes(PING_ID, 6, 'ping-inprogress.json', 'ping-finished.json'))
    const html = join(home, 'sites.html')
    const r = await runCommand('sites', ['192.5.5.241', '--from', 'globalping:world,limit=6', '--json', '--html', html])
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    // what was asked: one ping measurement of the target
    const posts = server().requests.filter((q) => q.method === 'POST')
    assert.equal(posts.length, 1)
    const body = JSON.parse(posts[0]!.body)
    assert.equal(body.type, 'ping')
    assert.equal(body.target, '192.5.5.241')
    assert.deepEqual(body.locations, [{magic: 'world'}])
    assert.equal(body.limit, 6)
    // polled until finished
    assert.ok(server().requests.filter((q) => q.method === 'GET').length >= 3)
    // 1.2 ms from Frankfurt, 2.1 from Tokyo, 3.4 from Seattle, 1.8 from São Paulo, 0.9 from Sydney:
    // five discs of 90..340 km, mutually disjoint, so five sites at least and anycast
    assert.equal(doc.anycast, true)
    assert.equal(doc.lowerBound, 5)
    assert.equal(doc.vantagePoints.total, 6)
    assert.equal(doc.vantagePoints.used, 5)
    assert.equal(doc.excluded.noRtt, 1, 'the failed probe (Johannesburg) is counted, not placed')
    const near = (lat: number, lon: number) => doc.sites.some((s: {lat: number; lon: number}) => Math.hypot(s.lat - lat, s.lon - lon) < 4)
    for (const [lat, lon, where] of [[50.11, 8.68, 'Frankfurt'], [35.68, 139.69, 'Tokyo'], [47.61, -122.33, 'Seattle'], [-23.55, -46.63, 'São Paulo'], [-33.87, 151.21, 'Sydney']] as const) {
      assert.ok(near(lat, lon), `a site near ${where}: ${JSON.stringify(doc.sites.map((s: {city: string}) => s.city))}`)
    }
    // the disc of each site is the probe's own (its id names where Globalping says it is)
    const discVps = doc.sites.flatMap((s: {evidence: Array<{kind: string; vp: string}>}) => s.evidence.filter((e) => e.kind === 'disc').map((e) => e.vp))
    assert.ok(discVps.some((v: string) => /Frankfurt/.test(v)), discVps.join(','))
    // --html: the sites map has the five located probes; the failed one too (no RTT, still located)
    const page = readFileSync(html, 'utf8')
    assert.equal((page.match(/<path class="disc"/g) ?? []).length, 5)
    assert.equal((page.match(/<g class="site-mark"/g) ?? []).length, doc.sites.length)
    // the token only ever in the Authorization header
    for (const q of server().requests) {
      assert.equal(q.headers.authorization, `Bearer ${TOKEN}`)
      assert.ok(!q.url.includes(TOKEN) && !q.body.includes(TOKEN))
      assert.ok(!Object.entries(q.headers).some(([k, v]) => k !== 'authorization' && String(v).includes(TOKEN)))
    }
    assert.ok(![r.stdout, r.stderr, page].some((t) => t.includes(TOKEN)))
  })
})

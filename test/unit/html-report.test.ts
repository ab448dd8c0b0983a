// The pure parts of the HTML report and of `anyprobe diff`: escaping, the timeline's lanes, the
// refresh throttle, PoP places, --locations, the diff rules and its schema, and the diff / report
// --html commands end to end on files (offline). The browser checks are in html-browser.test.ts.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {diffCatchments} from '../../src/analysis/diff.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {esc} from '../../src/render/html/escape.js'
import {popLatLon} from '../../src/render/html/place.js'
import {TimelineCollector} from '../../src/render/html/timeline-data.js'
import {HtmlRefresher} from '../../src/render/html/write.js'
import {world} from '../../src/render/html/world.js'
import {htmlReport} from '../../src/render/html/index.js'
import {locateVantage, locationsOf, parseLocationArgs, parseLocations, withLocations} from '../../src/vantage/locations.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {EVIL, sampleCatchment, sampleObservations, sampleStart} from '../helpers/html-fixtures.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-html-unit-'))
after(() => rmSync(dir, {recursive: true, force: true, maxRetries: 3}))

describe('html: escaping and the page', () => {
  it('escapes markup and makes control characters visible', () => {
    assert.equal(esc(EVIL), '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;')
    assert.equal(esc('a\u001b[31mb'), 'a\\x1b[31mb')
    assert.equal(esc(null), '')
  })

  it('the page references nothing outside itself and forbids fetches', () => {
    const html = htmlReport({catchment: sampleCatchment()})
    assert.ok(html.includes("default-src 'none'"))
    // no URL the browser would load: no tag with src= or href=, no url(), no @import
    // (our attributes are always quoted; an escaped value shows `src=x`, unquoted, and is text)
    assert.doesNotMatch(html, /<[a-z][^>]*\s(?:src|href|xlink:href)=["']|url\((?!#)|@import/i)
    assert.ok(!html.includes(EVIL), 'hostile text is never written raw')
    assert.ok(html.length < 250_000, `size ${html.length}`)
  })

  it('the world outline is projected once, rounded to one decimal', () => {
    const w = world()
    assert.ok(w.land.length > 10_000 && w.land.length < 120_000, `land path ${w.land.length}`)
    assert.doesNotMatch(w.land.slice(0, 2000), /\d\.\d\d/)
    const [x1] = w.project(0, -170)!
    const [x2] = w.project(0, 170)!
    assert.ok(x1 < x2)
    assert.equal(w.project(95, 0), null)
  })

  it('finds a PoP\'s place from its city, else its code; null when neither is known', () => {
    const fra = popLatLon({code: 'fra', city: 'Frankfurt am Main', country: 'DE'})!
    assert.ok(Math.abs(fra.lat - 50.1) < 0.3 && Math.abs(fra.lon - 8.7) < 0.3)
    const sin = popLatLon({code: 'sin', city: null, country: null})!
    assert.ok(Math.abs(sin.lat - 1.35) < 0.3)
    assert.deepEqual(popLatLon({code: 'x', city: null, country: null, lat: 1, lon: 2}), {lat: 1, lon: 2})
    assert.equal(popLatLon({code: 'zzzq', city: null, country: null}), null)
  })
})

describe('html: timeline lanes', () => {
  it('merges rounds into segments, lost rounds into a gap, in round order even when observations arrive out of order', () => {
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    const obs = sampleObservations()
    ;[obs[5], obs[4]] = [obs[4]!, obs[5]!]
    for (const o of obs) t.observe(o)
    const d = t.data()
    const ber = d.lanes.find((l) => l.vantageId === 'ap-vp-ber')!
    assert.deepEqual(ber.segments.map((s) => [s.pop, s.rounds]), [['FRA', 20], [null, 12], ['IAD', 28]])
    assert.equal(d.intervalMs, 200)
    assert.equal(d.summary, null)
  })

  it('several PoPs in one round (flows) are one "+" state; an unnamed answer is "?"', () => {
    const t = new TimelineCollector()
    const base = {vantageId: 'v', sentAt: 0, receivedAt: 1, rttMs: 1, answered: true}
    t.observe({...base, round: 0, flow: 0, pop: 'FRA'})
    t.observe({...base, round: 0, flow: 1, pop: 'AMS'})
    t.observe({...base, round: 1, flow: 0, pop: null, sentAt: 1000})
    assert.deepEqual(t.data().lanes[0]!.segments.map((s) => s.pop), ['AMS+FRA', '?'])
  })
})

describe('html: refresh and write', () => {
  it('rewrites at most every everyMs, atomically (no temporary file left)', () => {
    let now = 0
    let built = 0
    const file = join(dir, 'live.html')
    const r = new HtmlRefresher(file, () => `page ${++built}`, 3000, () => now)
    assert.equal(r.poke(), true)
    now = 2999
    assert.equal(r.poke(), false)
    now = 3000
    assert.equal(r.poke(), true)
    r.flush()
    assert.equal(readFileSync(file, 'utf8'), 'page 3')
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('live')), ['live.html'])
  })

  it('a path it cannot write is E_WRITE (exit 10), kept, and not tried again', () => {
    let built = 0
    const r = new HtmlRefresher(join(dir, 'no/such/dir/x.html'), () => `page ${++built}`)
    assert.equal(r.flush(), false)
    assert.ok(r.failure instanceof AnyprobeError && r.failure.code === 'E_WRITE' && r.failure.exitCode === 10)
    assert.equal(r.flush(), false)
    assert.equal(built, 1, 'a failed page is not rebuilt on every poke')
  })
})

describe('--locations', () => {
  it('parses ID LAT LON [CC] lines; the location given wins over a vantage point\'s own (it corrects a wrong registration)', () => {
    const locs = parseLocations('# lab\n1005 48.1 11.6 de\n1001 0 0\n')
    assert.deepEqual(locs.get('1005'), {lat: 48.1, lon: 11.6, country: 'DE'})
    const c = withLocations(sampleCatchment(), locs)
    const row = (id: string) => c.vantagePoints.find((r) => r.vantage.id === id)!.vantage
    assert.equal(row('1005').lat, 48.1)
    assert.deepEqual([row('1001').lat, row('1001').lon, row('1001').country], [0, 0, null], 'the given location wins; the data\'s country went with its place')
    assert.equal(row('1002').lat, sampleCatchment().vantagePoints.find((r) => r.vantage.id === '1002')!.vantage.lat, 'one not named keeps its own')
  })

  it('--location NAME=LAT,LON joins the file and wins over it; a name matches the id with or without its kind, or the vantage name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-loc-'))
    writeFileSync(join(dir, 'vps.txt'), 'ap-vp-ber 52.52 13.405 DE\nap-vp-nyc 40.7 -74.0 US\n')
    const locs = locationsOf({locations: join(dir, 'vps.txt'), location: ['ap-vp-nyc=1.5,2.5', 'netns:ap-vp-tyo=35.69,139.69', 'edge-host=10,20']})!
    const vp = (id: string, name: string | null = null) => ({kind: 'netns' as const, id, name, asn: null, country: null, lat: null, lon: null})
    assert.deepEqual([locateVantage(vp('ap-vp-ber'), locs).lat, locateVantage(vp('ap-vp-ber'), locs).country], [52.52, 'DE'])
    assert.equal(locateVantage(vp('ap-vp-nyc'), locs).lat, 1.5, 'the flag wins over the file')
    assert.equal(locateVantage(vp('ap-vp-tyo'), locs).lon, 139.69, 'kind:id matches')
    assert.equal(locateVantage({...vp('user@198.51.100.1', 'edge-host'), kind: 'ssh'}, locs).lat, 10, 'the name matches')
    assert.equal(locateVantage(vp('elsewhere'), locs).lat, null)
    assert.equal(locationsOf({}), null)
    for (const bad of ['x=91,0', 'x=1', '=1,2', 'x 1,2', 'x=a,b']) {
      assert.throws(() => parseLocationArgs([bad]), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && e.message.includes('--location'), bad)
    }
  })

  it('a bad line is E_BAD_INPUT with its line number', () => {
    assert.throws(() => parseLocations('ok 1 2\nbad 91 0'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && /line 2/.test(e.message))
  })
})

describe('diff', () => {
  const changed = () => {
    const b = sampleCatchment()
    b.vantagePoints[0]!.pop = {code: 'iad', city: 'Ashburn', country: 'US', confidence: 0.9} // 1001 FRA -> IAD
    b.vantagePoints[1]!.reached = null // 1002 IAD -> failed
    b.vantagePoints[5]!.pop = {code: 'sin', city: 'Singapore', country: 'SG', confidence: 0.5} // 1006 none -> SIN
    b.vantagePoints[2]!.rttMs = 20 // 1003 stays at SIN, slower
    b.vantagePoints.pop() // EVIL only before
    b.vantagePoints.push({...b.vantagePoints[2]!, vantage: {...b.vantagePoints[2]!.vantage, id: '2000'}})
    b.pops = [
      {code: 'iad', city: 'Ashburn', country: 'US', vantagePoints: ['1001', '1004', '1005'], share: 0.5, medianRttMs: 5},
      {code: 'SIN', city: 'Singapore', country: 'SG', vantagePoints: ['1003', '1006', '2000'], share: 0.5, medianRttMs: 20},
    ]
    return b
  }

  it('lists what moved, lost and found its PoP, shares, RTT changes, and who is in only one', () => {
    const d = diffCatchments(sampleCatchment(), changed(), {before: 'a.json', after: 'b.json'})
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    assert.deepEqual(d.changes.map((c) => `${c.vantage.id} ${c.type} ${c.from?.code ?? c.fromState} ${c.to?.code ?? c.toState}`), ['1001 moved fra iad', '1002 lost iad failed', '1006 found unlocated SIN'])
    assert.deepEqual(d.summary, {common: 7, moved: 1, lost: 1, found: 1, uncertain: 0, unchanged: 4, measuredBoth: 5, onlyBefore: 1, onlyAfter: 1})
    assert.deepEqual(d.onlyBefore.map((v) => v.id), [EVIL])
    assert.deepEqual(d.onlyAfter.map((v) => v.id), ['2000'])
    const fra = d.pops.find((p) => p.code === 'fra')!
    // shares of the 5 with a result in both (1002 failed after, 1007 failed in both)
    assert.deepEqual([fra.shareBefore, fra.shareAfter, fra.shareDelta, fra.vantagePointsAfter], [0.2, 0, -0.2, 0])
    // SIN named "sin" before, "SIN" after: one PoP (grouped by place)
    assert.equal(d.pops.filter((p) => p.city === 'Singapore').length, 1)
    assert.deepEqual(d.rtt[0], {vantageId: '1003', vantageKind: 'atlas', pop: 'SIN', beforeMs: 12.5, afterMs: 20, deltaMs: 7.5})
  })

  it('diff --html prints RTTs as the CLI table does (1.80 and 42.9, not 1.798 and 42.923): lab DNS catchments before and after FRA withdrew', async () => {
    const was = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')
    const now = join(ROOT, 'test/fixtures/diff/lab-dns-withdraw-fra.json')
    const html = join(dir, 'diff-rtt.html')
    const r = await runCommand('diff', [was, now, '--html', html])
    assert.equal(r.status, 8, r.stderr)
    const page = readFileSync(html, 'utf8')
    const rows = [...page.matchAll(/<tr data-change="[^"]+" data-vantage="([^"]+)">.*?<td class="n">([^<]*)<\/td><td class="n">([^<]*)<\/td><\/tr>/g)].map((m) => [m[1]!, m[2]!, m[3]!])
    assert.ok(rows.length >= 1)
    for (const [id, b, a] of rows) {
      const line = r.stdout.split('\n').find((l) => l.split(' ')[0]!.replace(/^\w+:/, '') === id)
      assert.ok(line, `${id} in the CLI table`)
      const cells = line.trim().split(/\s+/)
      assert.deepEqual([b, a], cells.slice(-2), `${id}: page ${b} ${a}, terminal ${line}`)
    }
    assert.ok(rows.some(([, b, a]) => b === '1.80' && a === '42.9'), JSON.stringify(rows))
  })

  it('the same catchment twice: no change', () => {
    const d = diffCatchments(sampleCatchment(), sampleCatchment())
    assert.deepEqual(d.changes, [])
    assert.equal(d.summary.unchanged, 8)
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
  })

  it('anyprobe diff: table, --json (schema), --html, exit 8 when something moved and 0 when not', async () => {
    const a = join(dir, 'a.json')
    const b = join(dir, 'b.ndjson')
    writeFileSync(a, JSON.stringify(sampleCatchment(), null, 2))
    // the after file in another saved form: one catchment document on one NDJSON line
    writeFileSync(b, `${JSON.stringify(changed())}\n`)
    const html = join(dir, 'diff.html')
    const j = await runCommand('diff', [a, b, '--json', '--html', html])
    assert.equal(j.status, 8, j.stderr)
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.equal(doc.summary.moved, 1)
    assert.ok(readFileSync(html, 'utf8').includes('data-change="moved"'))
    const t = await runCommand('diff', [a, a])
    assert.equal(t.status, 0, t.stderr)
    assert.match(t.stdout, /0 moved.*\n\nno vantage point changed PoP/)
    const bad = await runCommand('diff', [a, join(dir, 'missing.json')])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /E_BAD_INPUT/)
  })

  it('report and diff take --location NAME=LAT,LON: the vantage point is placed in the JSON, the table and the map', async () => {
    const a = join(dir, 'loc-a.json')
    writeFileSync(a, JSON.stringify(sampleCatchment()))
    const r = await runCommand('report', [a, '--json', '--location', '1005=48.1,11.6'])
    assert.equal(r.status, 9, r.stderr) // the sample has vantage points not reached and one failed: some answered
    const row = JSON.parse(r.stdout).vantagePoints.find((v: {vantage: {id: string}}) => v.vantage.id === '1005')
    assert.deepEqual([row.vantage.lat, row.vantage.lon], [48.1, 11.6])
    const t = await runCommand('report', [a, '--location', '1005=48.1,11.6'])
    assert.match(t.stdout, /^1005 +48\.10,11\.60 /m)
    const html = join(dir, 'loc-diff.html')
    const d = await runCommand('diff', [a, a, '--html', html, '--location', '1005=48.1,11.6'])
    assert.equal(d.status, 0, d.stderr)
    assert.match(readFileSync(html, 'utf8'), /<circle class="vp[^"]*" data-vantage="1005"/)
    const bad = await runCommand('report', [a, '--location', '1005=48.1'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--location 1005=48\.1: expected NAME=LAT,LON/)
  })

  it('anyprobe catchment --html writes the page even when the vantage point fails (listed beside the map)', async () => {
    const html = join(dir, 'catchment.html')
    // nothing listens on UDP port 9 of loopback: the one (local) vantage point fails fast
    const r = await runCommand('catchment', ['127.0.0.1', '--method', 'dns', '--port', '9', '--timeout', '300ms', '--html', html])
    assert.equal(r.status, 4, r.stderr) // the only vantage point failed: none answered
    assert.match(readFileSync(html, 'utf8'), /<li class="vp-unplaced" data-vantage="local" data-pop="" data-state="failed">/)
  })

  it('anyprobe report --html that passes the up-front check but cannot be written (/dev/full): the measurement is still printed, E_WRITE, exit 10', async (t) => {
    // a missing directory is refused before the file is read (test/unit/report-diff-html-path.test.ts)
    if (!existsSync('/dev/full')) return t.skip('no /dev/full here')
    const w = join(dir, 'watch-unwritable.ndjson')
    writeFileSync(w, [sampleStart(), ...sampleObservations()].map((x) => JSON.stringify(x)).join('\n') + '\n')
    const r = await runCommand('report', [w, '--html', '/dev/full'])
    assert.equal(r.status, 10, r.stderr)
    assert.match(r.stderr, /error E_WRITE: --html \/dev\/full: cannot write \(ENOSPC\); what was measured is kept/)
    assert.match(r.stdout, /failover FRA -> IAD/)
  })

  it('anyprobe report --html of a watch --out file draws its timeline', async () => {
    const w = join(dir, 'watch.ndjson')
    writeFileSync(w, [sampleStart(), ...sampleObservations()].map((x) => JSON.stringify(x)).join('\n') + '\n')
    const html = join(dir, 'watch.html')
    const r = await runCommand('report', [w, '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.ok(existsSync(html))
    const page = readFileSync(html, 'utf8')
    assert.match(page, /data-event="failover" data-vantage="ap-vp-ber"/)
    assert.match(page, /failover FRA→IAD gap 2\.6 s/)
  })
})

// The catchment page says what the table and stderr say:
//  - what reading left out (report's input.notes: another measurement's failure, each probe's own
//    resolvers; catchment --atlas-msm's one-target notes): only stderr and --json had them, so the
//    page of a daily dump looked like the whole file;
//  - a verdict standing against the vantage point's stated location (pop.contradiction): the
//    table marks it '!' and lists why; the map drew it as any other dot;
//  - counts of one are singular ("1 vantage point", "1 round, 1 observation", "1 site from 1 disc").
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import type {CatchmentResult} from '../../src/model/catchment.js'
import {htmlReport} from '../../src/render/html/index.js'
import {sitesMapSection} from '../../src/render/html/sites-map.js'
import {probeResolverRoutes, type ReplayServer, startAtlasReplay, useAtlasReplayEnv} from '../helpers/atlas-replay.js'
import {runCommand} from '../helpers/cli.js'
import {EVIL, sampleCatchment, sampleObservations, sampleStart} from '../helpers/html-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-html-notes-'))
after(() => rmSync(dir, {recursive: true, force: true}))
type Raw = Record<string, unknown>
const json = (p: string): Raw[] => JSON.parse(readFileSync(p, 'utf8')) as Raw[]
const notesOf = (page: string): string[] => [...page.matchAll(/<p class="sub note" data-note>([^<]*)<\/p>/g)].map((m) => m[1]!)

describe('html: the catchment page carries what reading left out', () => {
  it('report --html of an Atlas download holding another measurement\'s failure: the note is on the page, as on stderr', async () => {
    // two real traceroutes of msm 3606560 to 194.0.25.10 and a real "name resolution failed" of
    // syndication.exoclick.com (msm 2906346), as a daily dump holds them together
    const p = join(dir, 'k-and-error.json')
    writeFileSync(p, JSON.stringify([...json('test/fixtures/atlas/results-3606560.json'), json('test/fixtures/atlas/results-errors.json')[1]]))
    const html = join(dir, 'k.html')
    const r = await runCommand('report', [p, '--no-rdns', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /1 failed measurement of other targets than 194\.0\.25\.10 was left out/)
    const page = readFileSync(html, 'utf8')
    const notes = notesOf(page)
    assert.equal(notes.length, 1, page)
    assert.match(notes[0]!, /1 failed measurement of other targets than 194\.0\.25\.10 was left out \(syndication\.exoclick\.com \(1\)\)/)
    // the probes have no location (no --probes): said beside the list, with how to place them
    assert.match(page, /<p class="sub" data-no-location="2">2 vantage points answered but have no location: --location NAME=LAT,LON or --locations FILE places them \(raw RIPE Atlas results read by report: --probes FILE\)<\/p>/)
    // inside the catchment section, under its heading
    assert.match(page, /<section class="catchment"><h2>Catchment<\/h2><p class="sub">[^<]*<\/p><p class="sub note" data-note>/)
  })

  it('nothing left out: no note', async () => {
    const html = join(dir, 'clean.html')
    const r = await runCommand('report', ['test/fixtures/atlas/results-3606560.json', '--no-rdns', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(notesOf(readFileSync(html, 'utf8')), [])
  })

  it('"no location" is said for answered vantage points only, and not once all are placed', () => {
    const c = sampleCatchment()
    const want = c.vantagePoints.filter((r) => r.reached !== null && r.vantage.lat === null).length
    assert.ok(want >= 1 && c.vantagePoints.some((r) => r.reached === null))
    assert.match(htmlReport({catchment: c}), new RegExp(`data-no-location="${want}">${want} vantage point${want === 1 ? ' answered but has' : 's answered but have'} no location`))
    const placed = {...c, vantagePoints: c.vantagePoints.map((r) => ({...r, vantage: {...r.vantage, lat: r.vantage.lat ?? 10, lon: r.vantage.lon ?? 10}}))}
    assert.doesNotMatch(htmlReport({catchment: placed}), /data-no-location/)
  })

  it('notes with no catchment (a page of watches only) are at the top; escaped', () => {
    const page = htmlReport({timelines: [], notes: [`left out ${EVIL}`]})
    assert.match(page, /<section class="notes"><p class="sub note" data-note>left out &lt;img/)
    assert.doesNotMatch(page, /<img/)
  })
})

describe('html: catchment --atlas-msm of a use_probe_resolver measurement (replay server)', () => {
  // a CHAOS TXT hostname.bind answer as the resolver would send it (base64 abuf, as Atlas stores it;
  // RIPE Atlas "dns" result format, atlas.ripe.net/docs/apis/result-format)
  const abuf = (id: number, txt: string): string =>
    dnsPacket
      .encode({type: 'response', id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: txt}]})
      .toString('base64')
  const dns = (prb: number, server: string, rt: number, name: string): Raw => {
    const t = 1765083600 + prb
    return {
      fw: 5080, lts: 20, msm_id: 5000001, prb_id: prb, timestamp: t, type: 'dns', from: '203.0.113.9', msm_name: 'Tdig', group_id: 5000001,
      resultset: [{af: 4, dst_addr: server, lts: 20, proto: 'UDP', src_addr: '192.168.1.10', subid: 1, submax: 1, time: t, result: {ANCOUNT: 1, ARCOUNT: 0, ID: 7, NSCOUNT: 0, QDCOUNT: 1, rt, size: 60, abuf: abuf(7, name)}}],
    }
  }
  let srv: ReplayServer
  let restoreEnv = (): void => {}
  before(async () => {
    // a home router (OpenWrt answers hostname.bind with its host name) beside Quad9 (PCH's naming)
    srv = await startAtlasReplay({routes: probeResolverRoutes([dns(10, '192.168.178.1', 0.5, 'OpenWrt'), dns(20, '9.9.9.9', 8, 'res100.ams.rrdns.pch.net'), dns(21, '9.9.9.9', 12, 'res200.fra.rrdns.pch.net')], 3)})
    restoreEnv = useAtlasReplayEnv(srv)
  })
  after(async () => {
    restoreEnv()
    await srv.close()
  })

  it('the home router left out is said on the page too', async () => {
    const html = join(dir, 'msm.html')
    const r = await runCommand('catchment', ['9.9.9.9', '--from', 'atlas:', '--atlas-msm', '5000001', '--method', 'dns', '--html', html])
    assert.match(r.stderr, /warning: RIPE Atlas measurement 5000001: 1 result measured an address private to each probe's network|warning: RIPE Atlas measurement 5000001: [^\n]*private to each probe/)
    const notes = notesOf(readFileSync(html, 'utf8'))
    assert.ok(notes.some((n) => /RIPE Atlas measurement 5000001: [^\n]*private to each probe/.test(n)), notes.join('\n'))
  })
})

describe('html: a verdict against the vantage point\'s stated location is marked on the map', () => {
  const REASON =
    "every strong signal is farther than the RTT allows (rejected fra (Frankfurt am Main, DE): 16476 km from the vantage point > 180 km a 1.8 ms RTT allows): the vantage point's location is the likelier error; the site the target names itself is kept"

  it('report --html of a saved catchment (lab DNS, ap-vp-ber stated at Sydney): the dot is ringed, its hover text and the side list say why', async () => {
    // the lab's recorded DNS catchment; ap-vp-ber given Sydney's coordinates, as fuse.ts flags it
    const doc = JSON.parse(readFileSync('test/fixtures/diff/lab-dns-before.json', 'utf8')) as CatchmentResult
    const ber = doc.vantagePoints[0]!
    assert.equal(ber.vantage.id, 'ap-vp-ber')
    ber.vantage = {...ber.vantage, lat: -33.87, lon: 151.21}
    ber.pop = {...ber.pop!, contradiction: {kind: 'vantage-location', reason: REASON}}
    const p = join(dir, 'contra.json')
    writeFileSync(p, JSON.stringify(doc))
    const html = join(dir, 'contra.html')
    // ap-vp-nyc placed where its lab RTT (0.52 ms to IAD) allows: New York, 330 km away, is now flagged too
    const r = await runCommand('report', [p, '--location', 'ap-vp-nyc=38.94,-77.46', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /FRA[^\n]* !/)
    const page = readFileSync(html, 'utf8')
    const mark = /<circle class="vp reached contradicted" data-vantage="ap-vp-ber" data-pop="fra" data-state="reached" data-contradiction="vantage-location"[^>]*><title>([^<]*)<\/title><\/circle><circle class="contra-ring"/.exec(page)
    assert.ok(mark, page)
    assert.match(mark[1]!, /! the PoP stands against the vantage point&#39;s stated location: every strong signal is farther than the RTT allows \(rejected fra/)
    // the other vantage point on the map is not marked
    assert.match(page, /<circle class="vp reached" data-vantage="ap-vp-nyc" data-pop="iad" data-state="reached" cx/)
    assert.equal(page.match(/data-contradiction=/g)?.length, 1)
    assert.match(page, /! The PoP stands against the vantage point's stated location \(1\)<\/h3><ul class="plain"><li data-contradiction-of="ap-vp-ber"><b>ap-vp-ber<\/b> FRA: every strong signal is farther than the RTT allows/)
    assert.match(page, /<span class="sw contra"><\/span>! PoP against the stated location/)
  })

  it('no contradiction: no mark, no list, no legend key', () => {
    const body = htmlReport({catchment: sampleCatchment()}).split('</style>')[1]!
    assert.doesNotMatch(body, /data-contradiction|contra-ring|sw contra|stated location/)
  })

  it('a vantage point off the map keeps its "!" in the list; the reason is escaped', () => {
    const c = sampleCatchment()
    const i = c.vantagePoints.findIndex((r) => r.pop !== null && r.reached !== null)
    const row = c.vantagePoints[i]!
    c.vantagePoints[i] = {...row, vantage: {...row.vantage, lat: null, lon: null}, pop: {...row.pop!, contradiction: {kind: 'vantage-location', reason: `far ${EVIL}`}}}
    const page = htmlReport({catchment: c})
    assert.match(page, new RegExp(`<li class="vp-unplaced" data-vantage="${row.vantage.id}"[^>]* data-contradiction="vantage-location"><title>[^<]*! the PoP stands against[^<]*far &lt;img[^<]*</title>.*· ${row.pop!.code.toUpperCase()} [0-9.]+ ms !</li>`))
    assert.doesNotMatch(page, /<img/)
  })
})

describe('html: counts of one are singular', () => {
  it('catchment: "1 vantage point:" and the PoP\'s hover "1 vantage point, share"', () => {
    const c = sampleCatchment()
    const one: CatchmentResult = {...c, vantagePoints: [c.vantagePoints[0]!], pops: [{...c.pops.find((p) => p.code === c.vantagePoints[0]!.pop!.code)!, vantagePoints: [c.vantagePoints[0]!.vantage.id], share: 1}], summary: {vantagePoints: 1, measured: 1, located: 1, unlocated: 0, failed: 0}}
    const page = htmlReport({catchment: one})
    assert.match(page, /<p class="sub">1 vantage point: 1 with a PoP named/)
    assert.match(page, /<title>PoP [^<]*\n1 vantage point, share 100\.0%/)
    assert.doesNotMatch(page, /\b1 vantage points|vantage point\(s\)|label\(s\)/)
    assert.match(htmlReport({catchment: c}), /<p class="sub">8 vantage points: /)
  })

  it('timeline: a watch file of one observation says "1 round, 1 observation"', async () => {
    const w = join(dir, 'one.ndjson')
    writeFileSync(w, [sampleStart(), sampleObservations(1)[0]!].map((x) => JSON.stringify(x)).join('\n') + '\n')
    const html = join(dir, 'one.html')
    const r = await runCommand('report', [w, '--html', html])
    assert.equal(r.status, 0, r.stderr)
    const page = readFileSync(html, 'utf8')
    assert.match(page, /<p class="sub">1 round, 1 observation<\/p>/)
    assert.doesNotMatch(page, /\b1 rounds|\b1 observations/)
  })

  it('sites: "1 site from 1 disc"', () => {
    const page = sitesMapSection({target: 'x', sites: [{code: 'FRA', city: 'Frankfurt', country: 'DE', lat: 50.1, lon: 8.7, evidence: 'e', areaKm: 100, confirmed: true, source: 'disjoint'}], discs: [{vantageId: 'v1', lat: 50, lon: 8, radiusKm: 100, rttMs: 1, site: 'FRA'}], vantagePoints: []})
    assert.match(page, /1 site from 1 disc/)
  })
})

// HTTP results from remote vantage points go through the same edge-trust input as a local probe
// (src/infer/edge-trust.ts, enrich/answer-asn.ts): the answering address, its network and the
// response headers. Globalping gives the address it connected to (resolvedAddress) and the headers;
// RIPE Atlas gives dst_addr and the headers the measurement asked for (header_bytes). Before, their
// results were judged on the headers alone: a cf-ray that Fastly passed on named Cloudflare's FRA.
//
// Fixture test/fixtures/globalping/http-fastly-cfray.json is written in the shape of the recorded
// http-finished.json: Fastly in front of a Cloudflare origin, answering from 151.101.65.10
// (Fastly's AS54113 in the bundled GeoLite2 database), the origin's "server: cloudflare" and
// "cf-ray: ...-FRA" passed on beside Fastly's own x-served-by AMS, x-cache, via varnish, x-timer
// (Wikia/app PR #2681, edge-trust.ts); the same response from a documentation address (no ASN)
// reads as before. The ASN database is the test's own: nothing is looked up anywhere else.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {catchment} from '../../src/analysis/catchment.js'
import type {AsnInfo, AsnLookup} from '../../src/enrich/asn.js'
import type {HttpResult} from '../../src/model/http.js'
import {CONFIDENT_POP} from '../../src/model/pop-confidence.js'
import type {ProbePlan, VantageOutcome} from '../../src/model/probe.js'
import {newStats, readSaved} from '../../src/store/read.js'
import {AtlasBackend} from '../../src/vantage/atlas/index.js'
import {enrichAtlasOutcomes} from '../../src/vantage/atlas/enrich.js'
import {parseAtlasResult} from '../../src/vantage/atlas/parse.js'
import {loadAtlasModule} from '../../src/vantage/index.js'
import {GlobalpingBackend} from '../../src/vantage/globalping/index.js'
import {parseMeasurement} from '../../src/vantage/globalping/parse.js'
import type {GlobalpingMeasurement} from '../../src/vantage/globalping/types.js'
import {startAtlasReplay} from '../helpers/atlas-replay.js'
import {gpFixture, rateHeaders, startGlobalpingReplay} from '../helpers/globalping-replay.js'

const FASTLY: AsnInfo = {asn: 54113, org: 'Fastly, Inc.'}
const HETZNER: AsnInfo = {asn: 24940, org: 'Hetzner Online GmbH'}

/** An ASN database holding only `table`, which records every address it was asked. */
function fakeAsn(table: Record<string, AsnInfo>): AsnLookup & {asked: string[]} {
  const asked: string[] = []
  return {asked, lookup: (a) => (asked.push(a), table[a] ?? null)}
}

const http = (r: VantageOutcome): HttpResult => {
  assert.equal(r.result?.kind, 'http')
  return r.result as HttpResult
}

describe('Globalping http: the answering network goes to the verdict', () => {
  const m = gpFixture<GlobalpingMeasurement>('http-fastly-cfray.json')

  it("a cf-ray passed on through Fastly (AS54113) names Fastly's AMS, not the origin's FRA", () => {
    const db = fakeAsn({'151.101.65.10': FASTLY})
    const [ams, doc] = parseMeasurement(m, {target: 'https://shop.example.com/', popHeaders: [], answerAsn: db}) as [VantageOutcome, VantageOutcome]
    const r = http(ams)
    assert.deepEqual(r.targetAsn, FASTLY)
    assert.equal(r.pop?.code, 'ams')
    assert.ok(r.pop!.confidence >= CONFIDENT_POP)
    // the cf-ray is kept as what disagreed, with why it is not the edge that answered
    const fra = r.pop!.conflicts.find((c) => c.code === 'fra')
    assert.ok(fra !== undefined)
    assert.match(fra.note, /AS54113 \(Fastly, Inc\.\) answered, fastly's network: passed on from further in/)
    // a documentation address has no network: never looked up, read as before (the cf-ray's priority)
    assert.equal(http(doc).targetAsn, null)
    assert.equal(http(doc).pop?.code, 'fra')
    assert.deepEqual(db.asked, ['151.101.65.10'])
  })

  it('a lone cf-ray from a hosting network is only a hint', () => {
    const lone = structuredClone(m)
    const res = lone.results[0]!.result as Record<string, unknown>
    res.headers = {'cf-ray': '8ed7a0c41b2e9f03-FRA', 'content-type': 'text/html'}
    const [oc] = parseMeasurement(lone, {target: 'https://shop.example.com/', popHeaders: [], answerAsn: fakeAsn({'151.101.65.10': HETZNER})})
    const pop = http(oc!).pop!
    assert.equal(pop.code, 'fra')
    assert.ok(pop.confidence < CONFIDENT_POP, `a hint, got ${pop.confidence}`)
  })

  const plan: ProbePlan = {method: 'http', target: 'https://shop.example.com/', cliArgs: [], options: {}}
  const id = '2Fst1yCfRay0nG1oba1ping0a'

  async function outcomesOfRun(asn: AsnLookup): Promise<VantageOutcome[]> {
    const srv = await startGlobalpingReplay({
      routes: [
        {method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, 2), body: {id, probesCount: 2}, times: 1},
        {path: `measurements/${id}`, fixture: 'http-fastly-cfray.json'},
      ],
    })
    try {
      const b = new GlobalpingBackend('Europe,limit=2', {env: {ANYPROBE_GLOBALPING_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, configFile: '/nonexistent/c.json', clientOptions: {sleep: async () => {}}, asn})
      const out: VantageOutcome[] = []
      for await (const o of b.run(plan, {concurrency: 1})) out.push(o)
      return out
    } finally {
      await srv.close()
    }
  }

  it('the backend looks the answering address up (http --from globalping:, and every watch round, which runs it)', async () => {
    const out = await outcomesOfRun(fakeAsn({'151.101.65.10': FASTLY}))
    const r = http(out.find((o) => o.vantage.city === 'Amsterdam')!)
    assert.deepEqual(r.targetAsn, FASTLY)
    assert.equal(r.pop?.code, 'ams')
  })

  it('catchment --method http --from globalping: the Amsterdam probe reached AMS', async () => {
    const out = await outcomesOfRun(fakeAsn({'151.101.65.10': FASTLY}))
    const c = catchment(out, {target: plan.target, method: 'http'})
    const row = c.vantagePoints.find((v) => v.vantage.city === 'Amsterdam')!
    assert.equal(row.pop?.code, 'ams')
    assert.deepEqual(c.pops.map((p) => p.code).sort(), ['ams', 'fra'])
  })
})

describe('RIPE Atlas http: the answering network goes to the verdict', () => {
  // the RIPE Atlas HTTP result format (https://atlas.ripe.net/docs/apis/result-format/, "http"),
  // `header` present because the measurement asked for header_bytes (vantage/atlas/create.ts)
  const raw = (dst: string) => ({
    fw: 5080,
    msm_id: 9100002,
    prb_id: 4201,
    type: 'http',
    uri: 'http://shop.example.com/',
    from: '203.0.113.9',
    timestamp: 1765125603,
    result: [
      {
        af: 4,
        method: 'GET',
        dst_addr: dst,
        src_addr: '10.0.0.9',
        res: 200,
        ver: '1.1',
        rt: 30.1,
        ttc: 9.5,
        ttfb: 21.2,
        hsize: 310,
        bsize: 612,
        header: ['HTTP/1.1 200 OK', 'Server: cloudflare', 'CF-RAY: 8ed7a0c41b2e9f03-FRA', 'Via: 1.1 varnish', 'X-Served-By: cache-ams21082-AMS', 'X-Cache: MISS', 'X-Timer: S1765125603.512118,VS0,VE22'],
      },
    ],
  })

  async function judged(dst: string, asn: AsnLookup): Promise<HttpResult> {
    const parsed = parseAtlasResult(raw(dst), null, {measurement: null})
    const [oc] = await enrichAtlasOutcomes(parsed.outcomes, {rdns: {reverse: async () => null}, answerAsn: asn})
    return http(oc!)
  }

  it("a cf-ray passed on through Fastly names Fastly's AMS", async () => {
    const r = await judged('151.101.65.10', fakeAsn({'151.101.65.10': FASTLY}))
    assert.deepEqual(r.targetAsn, FASTLY)
    assert.equal(r.pop?.code, 'ams')
  })

  it('a documentation address is not looked up: FRA, as before', async () => {
    const db = fakeAsn({})
    const r = await judged('192.0.2.80', db)
    assert.equal(r.targetAsn, null)
    assert.equal(r.pop?.code, 'fra')
    assert.deepEqual(db.asked, [])
  })

  it('the backend looks the answering address up (catchment --method http --from atlas: --atlas-msm)', async () => {
    const msm = {id: 9100002, type: 'http', af: 4, target: 'shop.example.com', is_oneoff: false, interval: 1800, status: {id: 2, name: 'Ongoing'}, stop_time: null, participant_count: 1}
    const srv = await startAtlasReplay({
      routes: [
        {path: 'measurements/9100002/', body: msm},
        {path: 'measurements/9100002/latest/', body: [raw('151.101.65.10')]},
        {path: 'probes/', body: {count: 0, next: null, results: []}},
      ],
    })
    try {
      const db = fakeAsn({'151.101.65.10': FASTLY})
      const b = new AtlasBackend('', {msmId: 9100002, env: {ANYPROBE_ATLAS_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, rdns: {reverse: async () => null}, asn: db})
      const out: VantageOutcome[] = []
      for await (const o of b.run({method: 'http', target: 'http://shop.example.com/', cliArgs: [], options: {asn: false}}, {concurrency: 1})) out.push(o)
      assert.equal(out.length, 1)
      // --no-asn drops hops' ASNs, not the answering network the verdict weighs
      assert.deepEqual(http(out[0]!).targetAsn, FASTLY)
      assert.equal(http(out[0]!).pop?.code, 'ams')
    } finally {
      await srv.close()
    }
  })

  it('report of a raw RIPE Atlas download judges it as the live backend does', async () => {
    async function* src(): AsyncGenerator<string> {
      yield JSON.stringify([raw('151.101.65.10')])
    }
    const db = fakeAsn({'151.101.65.10': FASTLY})
    const pops: Array<string | null> = []
    for await (const it of readSaved(src(), newStats(), {loadAtlas: loadAtlasModule, answerAsn: async () => db})) if (it.type === 'outcome') pops.push(http(it.outcome).pop?.code ?? null)
    assert.deepEqual(pops, ['ams'])
  })
})

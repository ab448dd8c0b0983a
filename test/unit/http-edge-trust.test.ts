// Is a CDN location header the PoP that answered? (round 8, src/infer/edge-trust.ts). Any server can
// send "CF-RAY: 0123456789abcdef-FRA"; the answering address's network (GeoLite2 ASN) and the
// vendor's other headers say whether to believe it. Header shapes are real ones, each marked with
// where it comes from; none is a corpus entry. ASNs are as the bundled GeoLite2 ASN database names
// them (104.16.0.1 Cloudflare AS13335, 151.101.1.1 Fastly AS54113, 13.32.0.1 Amazon AS16509,
// 23.32.0.1 Akamai AS20940).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {AnswerAsn} from '../../src/infer/edge-trust.js'
import {httpHeaderSignals} from '../../src/infer/signals.js'
import {popVerdictExplained, resultVerdict} from '../../src/infer/verdict.js'
import {CONFIDENT_POP} from '../../src/model/pop-confidence.js'
import type {HttpResult} from '../../src/model/http.js'
import type {PopVerdict} from '../../src/model/pop.js'
import {isPopHeader, parseHeader} from '../../src/infer/headers.js'
import {answerAsn} from '../../src/pipeline/http.js'
import {renderHttp} from '../../src/render/http.js'
import {checkResult} from '../../src/store/validate.js'
import {schemaErrors} from '../helpers/schema.js'

const HETZNER: AnswerAsn = {asn: 24940, org: 'Hetzner Online GmbH'}
const CLOUDFLARE: AnswerAsn = {asn: 13335, org: 'Cloudflare, Inc.'}
const FASTLY: AnswerAsn = {asn: 54113, org: 'Fastly, Inc.'}
const AMAZON: AnswerAsn = {asn: 16509, org: 'Amazon.com, Inc.'}
const AKAMAI: AnswerAsn = {asn: 20940, org: 'Akamai International B.V.'}
const AIRTEL: AnswerAsn = {asn: 9498, org: 'BHARTI Airtel Ltd.'}

function verdict(headers: Record<string, string>, asn: AnswerAsn | null): PopVerdict | null {
  return popVerdictExplained({method: 'http', headers: httpHeaderSignals(headers, [], null), answerAsn: asn, destinationAnswered: true, rttMs: null, vpLocation: null}).verdict
}

// the ray id format "230b030023ae2822-SJC" (cloudflare/cloudflare-docs PR #2701, http-request-headers)
const FAKE_RAY = {'cf-ray': '0123456789abcdef-FRA'}

describe('a lone cf-ray is not believed against the answering network', () => {
  it('from a hosting network, with no Server: cloudflare beside it: a hint with the reason', () => {
    const v = verdict(FAKE_RAY, HETZNER)!
    assert.equal(v.code, 'fra')
    assert.ok(v.confidence < CONFIDENT_POP, `a hint, got ${v.confidence}`)
    assert.match(v.evidence[0]!.note, /not the answering PoP \(AS24940 \(Hetzner Online GmbH\) answered, not cloudflare's network, and no server: cloudflare beside it/)
  })
  it('with no ASN (private address, the lab) it reads as before', () => {
    assert.ok(verdict(FAKE_RAY, null)!.confidence >= 0.9)
  })
  it("from Cloudflare's own network it stands", () => {
    assert.ok(verdict(FAKE_RAY, CLOUDFLARE)!.confidence >= 0.9)
  })
  it("with Server: cloudflare beside it (a customer's own prefix, BYOIP) it stands", () => {
    // Cloudflare cannot be made to change Server (developers.cloudflare.com rules/transform/response-header-modification)
    assert.ok(verdict({...FAKE_RAY, server: 'cloudflare'}, HETZNER)!.confidence >= 0.9)
  })
  it("from another edge vendor's network it is passed on, even with Server: cloudflare (Akamai in front of Cloudflare)", () => {
    // Cloudflare passes every origin header on (cloudflare-docs PR #18945), and so do Akamai and
    // CloudFront: an edge of another vendor answering shows the cf-ray came from behind it
    const v = verdict({...FAKE_RAY, server: 'cloudflare'}, AKAMAI)!
    assert.ok(v.confidence < CONFIDENT_POP)
    assert.match(v.evidence[0]!.note, /AS20940 \(Akamai International B\.V\.\) answered, akamai's network: passed on from further in/)
  })
  it('an origin on EC2 writing a cf-ray is not a Cloudflare PoP', () => {
    assert.ok(verdict(FAKE_RAY, AMAZON)!.confidence < CONFIDENT_POP)
  })
})

describe('the answering network says which of stacked CDNs is outermost', () => {
  // Fastly in front of a Cloudflare origin: Fastly passes server/cf-ray on and adds its own;
  // "X-Served-By: ..., cache-fra1229-FRA" with "X-Cache: ORIGIN, MISS, MISS" (Wikia/app PR #2681)
  const stacked = {...FAKE_RAY, server: 'cloudflare', 'x-served-by': 'cache-ams21082-AMS', 'x-cache': 'MISS', via: '1.1 varnish'}
  it("answered from Fastly's network: Fastly's AMS, not the passed-on cf-ray's FRA", () => {
    const v = verdict(stacked, FASTLY)!
    assert.equal(v.code, 'ams')
    assert.ok(v.confidence >= CONFIDENT_POP)
    assert.ok(v.conflicts.some((c) => c.code === 'fra'))
  })
  it("answered from Cloudflare's network: FRA, as the header priority says", () => {
    assert.equal(verdict(stacked, CLOUDFLARE)!.code, 'fra')
  })
})

describe('a smaller CDN renting a PoP in a cloud keeps it; in another CDN it does not', () => {
  // Bunny: "Server: BunnyCDN-DE1-1085" (docs.bunny.net/cdn/troubleshooting/run-traceroute, headers.ts)
  // with its CDN-* headers (CDN-PullZone, CDN-RequestId, CDN-Cache)
  const bunny = {server: 'BunnyCDN-DE1-1085', 'cdn-pullzone': '123456', 'cdn-requestid': '0f4c1b2a9d8e7f6a5b4c3d2e1f0a9b8c', 'cdn-cache': 'HIT'}
  it("from Amazon's cloud with Bunny's own headers: the PoP stands", () => {
    assert.ok(verdict(bunny, AMAZON)!.confidence >= 0.5)
  })
  it("from Amazon's cloud, the Server header alone: a hint", () => {
    assert.ok(verdict({server: 'BunnyCDN-DE1-1085'}, AMAZON)!.confidence < CONFIDENT_POP)
  })
  it("from Cloudflare's network, whatever beside it: passed on", () => {
    const v = verdict(bunny, CLOUDFLARE)!
    assert.ok(v.confidence < CONFIDENT_POP)
    assert.match(v.evidence[0]!.note, /cloudflare's network: passed on from further in/)
  })
})

describe('CloudFront, with its own headers or alone', () => {
  // "via: 1.1 7169....cloudfront.net (CloudFront)", "x-amz-cf-id: Rwbs...", "x-amz-cf-pop: DEL54-C1",
  // "x-cache: Miss from cloudfront" (aws-amplify/amplify-hosting issue #592)
  const full = {
    via: '1.1 716918b261f035549e3145e5fb7631d4.cloudfront.net (CloudFront)',
    'x-amz-cf-id': 'RwbsAOAz2BrOZqNfiS8H59cCaRnOgkzlXjsLjzZskKxZUXppuT50Mg==',
    'x-amz-cf-pop': 'DEL54-C1',
    'x-cache': 'Miss from cloudfront',
  }
  it("from Amazon's network: DEL stands", () => {
    assert.ok(verdict(full, AMAZON)!.confidence >= 0.9)
  })
  it("from an ISP's network with CloudFront's other headers (an embedded PoP): DEL stands", () => {
    assert.ok(verdict(full, AIRTEL)!.confidence >= 0.9)
  })
  it('two CloudFront tiers (Amplify): both x-amz-cf-pop lines, joined as received, name the last, the edge', () => {
    // amplify-hosting #592 sent "x-amz-cf-pop: BOM50-C1" and "x-amz-cf-pop: DEL54-C1" with two Via
    // entries; the response's repeated lines are joined with ", " (model/http.ts): it named nothing
    const two = {...full, via: '1.1 24412018db9f823badbcceb9b3bbdb6f.cloudfront.net (CloudFront), 1.1 716918b261f035549e3145e5fb7631d4.cloudfront.net (CloudFront)', 'x-amz-cf-pop': 'BOM50-C1, DEL54-C1'}
    const v = verdict(two, AMAZON)!
    assert.deepEqual([v.code, v.confidence >= 0.9], ['del', true])
    assert.deepEqual(parseHeader('x-amz-cf-pop', 'BOM50-C1, DEL54-C1')?.path, ['DEL54-C1', 'BOM50-C1'])
  })
  it("a lone x-amz-cf-pop from an ISP's network: a hint naming what was missing", () => {
    const v = verdict({'x-amz-cf-pop': 'DEL54-C1'}, AIRTEL)!
    assert.ok(v.confidence < CONFIDENT_POP)
    assert.match(v.evidence[0]!.note, /no via \.\.\. \(CloudFront\) or x-amz-cf-id/)
  })
})

describe('the answering network travels with the result', () => {
  const result = (targetAsn: HttpResult['targetAsn']): HttpResult => ({
    schemaVersion: 1,
    kind: 'http',
    target: 'http://203.0.113.7/',
    url: 'http://203.0.113.7/',
    targetAddr: '203.0.113.7',
    targetAsn,
    method: 'GET',
    vantage: {kind: 'local', id: 'local', name: null, asn: null, country: null, lat: null, lon: null},
    startedAt: '2026-12-07T12:00:00.000Z',
    params: {timeoutMs: 5000, host: null, follow: false, insecure: false, requestHeaders: {}, popHeaders: []},
    httpVersion: '1.1',
    status: 200,
    headers: {...FAKE_RAY},
    timings: {dnsMs: null, connectMs: 1, tlsMs: null, firstByteMs: 2, totalMs: 3},
    bodyBytes: 0,
    redirects: [],
    cfTrace: null,
    cfTraceError: null,
    pop: null,
  })
  it('a saved result read back (report) is judged with its targetAsn: schema-valid, a hint', () => {
    const saved = JSON.parse(JSON.stringify(result(HETZNER))) as unknown
    assert.deepEqual(schemaErrors('http.schema.json', saved), [])
    const r = checkResult(saved)
    assert.ok(typeof r !== 'string')
    const pop = resultVerdict(r)!
    assert.ok(pop.confidence < CONFIDENT_POP)
    assert.ok(resultVerdict(result(null))!.confidence >= 0.9)
    // the text output names the network, and the evidence line says why within what it shows
    const text = renderHttp({...(r as HttpResult), pop}, isPopHeader)
    assert.match(text, /answering network: AS24940 \(Hetzner Online GmbH\)/)
    assert.match(text, /PoP: FRA\? \(iata\) .*confidence 0\.28 \(a hint, not a verdict/)
    assert.match(text, /AS24940 \(Hetzner Online GmbH\) answered, not cloudflare's network, and no server: cloudflare beside it/)
  })
  it('a malformed targetAsn in a file is dropped, not trusted', () => {
    const r = checkResult(JSON.parse(JSON.stringify({...result(null), targetAsn: {asn: 'x', org: 1}})))
    assert.ok(typeof r !== 'string')
    assert.equal((r as HttpResult).targetAsn, null)
  })
  it('only a public address is looked up: the lab and loopback are never', async () => {
    const asked: string[] = []
    const db = {lookup: (a: string) => (asked.push(a), HETZNER)}
    assert.equal(await answerAsn('127.0.0.1', {asn: db}), null)
    assert.equal(await answerAsn('10.0.0.1', {asn: db}), null)
    assert.equal(await answerAsn('192.0.2.10', {asn: db}), null)
    assert.equal(await answerAsn(null, {asn: db}), null)
    assert.deepEqual(await answerAsn('104.16.0.1', {asn: db}), HETZNER)
    assert.deepEqual(asked, ['104.16.0.1'])
  })
})

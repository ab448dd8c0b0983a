// What sites say of themselves, as real services write it (round 5): CDN headers stacked and
// malformed, Edgecast and Fastly site codes, bare DNS identities. Each value's shape is marked
// with where it comes from; none is a corpus entry.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {identityCandidates, inferPopExplained, parseHeader, parseHeaders, type Observation} from '../../src/infer/index.js'

const hdr = (pairs: Array<[string, string]>): Observation[] => pairs.map(([header, input]) => ({signal: 'http-header', header, input}))

describe('Edgecast site ids are private codes, in both Server forms', () => {
  // "ECAcc (dab/4B9E)", "ECAcc (nyd/D10E)", "ECAcc (hkc/BD25)": curl output in public docs and code
  // (code search); "ECS (phl/9D60)", "ECS (nyb/1D07)": example.com responses
  for (const v of ['ECAcc (dab/4B9E)', 'ECAcc (nyd/D10E)', 'ECS (ama/1A2B)', 'ECS (phl/9D60)']) {
    it(v, () => {
      const r = parseHeader('server', v)
      assert.equal(r?.provider, 'edgecast', v)
      assert.equal(r?.codeType, 'operator', v)
      // "dab" read as IATA was Daytona Beach, "ama" Amarillo: Edgecast's Dallas and Amsterdam-style ids
      assert.equal(r?.hint.city, null, v)
      assert.equal(r?.hint.lat, null, v)
    })
  }
})

describe('Fastly POP codes are airport codes, small airfields included', () => {
  it('QPG (Paya Lebar) is Singapore, HHR (Hawthorne) Los Angeles; the shield path keeps the edge last', () => {
    // shapes: "cache-dfw-kdfw8210071-DFW, cache-qpg1226-QPG" (xkcd JSON fetched in a public README),
    // "cache-fra-etou8220141-FRA, cache-hhr-khhr2060043-HHR" (XIU2/CloudflareSpeedTest comment)
    const q = parseHeader('x-served-by', 'cache-dfw-kdfw8210071-DFW, cache-qpg1226-QPG')!
    assert.deepEqual([q.code, q.codeType, q.hint.country], ['qpg', 'iata', 'SG'])
    assert.deepEqual(q.path, ['cache-qpg1226-QPG', 'cache-dfw-kdfw8210071-DFW'])
    const h = parseHeader('x-served-by', 'cache-fra-etou8220141-FRA, cache-hhr-khhr2060043-HHR')!
    assert.deepEqual([h.code, h.hint.city], ['hhr', 'Los Angeles'])
  })
  it("another server's cache-* name is not Fastly, and cannot push the real edge inward", () => {
    assert.equal(parseHeader('x-served-by', 'cache-web01-prd'), null)
    const v = inferPopExplained(hdr([['x-served-by', 'cache-web01-prd'], ['x-vercel-id', 'fra1::iad1::abcde-1700000000000-0123456789ab']])).verdict!
    assert.deepEqual([v.code, v.confidence >= 0.8], ['fra', true])
  })
  it('a code that names no airport stays a private code (Fastly WDC)', () => {
    const r = parseHeader('x-served-by', 'cache-wdc5548-WDC')!
    assert.deepEqual([r.codeType, r.hint.city], ['operator', null])
  })
})

describe('stacked CDNs: a Server header one CDN always writes shows the others to be further in', () => {
  it("Bunny in front of Cloudflare: Bunny's Server survives, so the cf-ray colo is not the edge", () => {
    const obs = hdr([['server', 'BunnyCDN-DE1-1085'], ['cf-ray', '8a1b2c3d4e5f6789-SIN']])
    const v = inferPopExplained(obs).verdict!
    assert.notEqual(v.code, 'sin')
    assert.equal(v.code, 'de1')
    assert.equal(parseHeaders(Object.fromEntries(obs.map((o) => [o.header!, o.input])))[0]!.provider, 'bunny')
    // the cf-ray reading is listed as disagreeing, from an inner proxy
    assert.match(v.conflicts.map((c) => c.note).join(' '), /inner proxy/)
  })
  it('Cloudflare in front: Server "cloudflare", the cf-ray colo wins over an inner Fastly', () => {
    const v = inferPopExplained(hdr([['server', 'cloudflare'], ['cf-ray', '8a1b2c3d4e5f6789-SIN'], ['x-served-by', 'cache-fra-etou8220076-FRA']])).verdict!
    assert.equal(v.code, 'sin')
  })
  it('Cloudflare cannot change its Server value: any other Server beside a cf-ray was written further out', () => {
    // Vercel rewriting to an API behind Cloudflare: the cf-ray is the API's colo, the client reached Vercel's edge
    const v = inferPopExplained(hdr([['server', 'Vercel'], ['cf-ray', '8a1b2c3d4e5f6789-IAD'], ['x-vercel-id', 'cdg1::iad1::abcde-1700000000000-0123456789ab']])).verdict!
    assert.equal(v.code, 'cdg')
    // no Server header (a user pasting one header) says nothing: the cf-ray is read as before
    assert.equal(inferPopExplained(hdr([['cf-ray', '8a1b2c3d4e5f6789-IAD'], ['x-vercel-id', 'cdg1::abc-1']])).verdict?.code, 'iad')
  })
  it('several Server headers joined by a recorder say nothing', () => {
    const v = inferPopExplained(hdr([['server', 'cloudflare, nginx'], ['cf-ray', '8a1b2c3d4e5f6789-IAD'], ['x-vercel-id', 'cdg1::abc-1']])).verdict!
    assert.equal(v.code, 'iad')
  })
  it('Via lists proxies in the order they forwarded: the last Via writer is outside the others', () => {
    // CloudFront in front of Fastly: Fastly's "1.1 varnish" first, CloudFront's entry appended after it
    const cf = inferPopExplained(hdr([['via', '1.1 varnish, 1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront)'], ['x-served-by', 'cache-iad-kiad7000126-IAD'], ['x-amz-cf-pop', 'CDG50-C1']])).verdict!
    assert.equal(cf.code, 'cdg')
    // Fastly in front of CloudFront: the other way round
    const fa = inferPopExplained(hdr([['via', '1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront), 1.1 varnish'], ['x-amz-cf-pop', 'CDG50-C1'], ['x-served-by', 'cache-iad-kiad7000126-IAD']])).verdict!
    assert.equal(fa.code, 'iad')
    // Fly in front of CloudFront: Fly's lower table priority does not decide
    const fly = inferPopExplained(hdr([['via', '1.1 abc.cloudfront.net (CloudFront), 2 fly.io'], ['x-amz-cf-pop', 'CDG50-C1'], ['fly-request-id', '01HQ7Z5J6K3XW9ZB1G4V5N2M8P-ams']])).verdict!
    assert.equal(fly.code, 'ams')
    // Cloudflare writes no Via: a CloudFront entry alone says nothing of it
    assert.equal(inferPopExplained(hdr([['via', '1.1 abc.cloudfront.net (CloudFront)'], ['x-amz-cf-pop', 'CDG50-C1'], ['cf-ray', '8a1b2c3d4e5f6789-FRA']])).verdict?.code, 'fra')
  })
  it('a CDN that passes Server through (CloudFront) can still be the outermost', () => {
    const v = inferPopExplained(hdr([['server', 'BunnyCDN-DE1-1085'], ['x-amz-cf-pop', 'FRA56-P5']])).verdict!
    assert.equal(v.code, 'fra')
  })
})

describe('control characters and oversized values', () => {
  it('at either end they are framing debris: raw or as the sanitiser escaped them, the colo is read', () => {
    assert.equal(parseHeader('cf-ray', '8a1b2c3d4e5f6789-FRA\u0000')?.code, 'fra')
    // the engines sanitise header values before inference: a NUL arrives as the text "\x00"
    assert.equal(parseHeader('cf-ray', '8a1b2c3d4e5f6789-FRA\\x00')?.code, 'fra')
    assert.equal(parseHeader('cf-ray', '\u202e8a1b2c3d4e5f6789-FRA')?.code, 'fra')
  })
  it('inside the value they make it malformed: no PoP, and the reason says so', () => {
    for (const v of ['8a1b2c3d4e5f6789-\u001bFRA', '8a1b2c3d4e5f6789-\\x1bFRA', '8a1b2c3d4e5f\u00006789-FRA']) {
      assert.equal(parseHeader('cf-ray', v), null, JSON.stringify(v))
      const ex = inferPopExplained(hdr([['cf-ray', v]]))
      assert.equal(ex.verdict, null)
      assert.match(ex.reason ?? '', /cf-ray not read: control characters inside the value/)
    }
  })
  it('a value far longer than any PoP header is not read, with why', () => {
    const v = '8a1b2c3d4e5f6789-FRA' + ' '.repeat(5000) + 'x'
    assert.equal(parseHeader('cf-ray', v), null)
    assert.match(inferPopExplained(hdr([['cf-ray', v]])).reason ?? '', /longer than any known format/)
    assert.deepEqual(identityCandidates('res700.fra.rrdns.pch.net ' + 'x'.repeat(2000)), [])
  })
  it('a --pop-header value: the same rule', () => {
    const user = (input: string) => inferPopExplained([{signal: 'user', header: 'x-site', input}])
    assert.equal(user('fra03\u0000').verdict?.code, 'fra')
    assert.equal(user('fr\u001ba03').verdict, null)
    assert.match(user('fr\u001ba03').reason ?? '', /control characters inside the value/)
  })
  it('DNS identities: the same rule', () => {
    assert.equal(identityCandidates('res700.fra.rrdns.pch.net\u0000')[0]?.code, 'fra')
    assert.deepEqual(identityCandidates('res700.fra\u001b.rrdns.pch.net'), [])
    const ex = inferPopExplained([{signal: 'dns-identity', input: 'res700.fra\u001b.rrdns.pch.net'}])
    assert.match(ex.reason ?? '', /control characters inside the identity/)
  })
})

describe('headers that carry the CLIENT, not the PoP, are never read as a site', () => {
  // bunny.net cdn-requestcountrycode; Akamai EdgeScape; Cloudflare CF-IPCountry (request side)
  for (const [h, v] of [
    ['cdn-requestcountrycode', 'US'],
    ['x-akamai-edgescape', 'georegion=263,country_code=US,region_code=CA,city=SANJOSE,lat=37.33,long=-121.89'],
    ['cf-ipcountry', 'DE'],
    ['cf-trace', 'loc=DE'],
  ] as const) {
    it(h, () => assert.equal(inferPopExplained(hdr([[h, v]])).verdict, null))
  }
})

describe("Cloudflare's bare colo identity needs its own shape", () => {
  const via = (s: string): string | null => identityCandidates(s)[0]?.note ?? null
  it('"LHR" and "yul01" are Cloudflare colos', () => {
    assert.match(via('LHR')!, /Cloudflare colo/)
    assert.match(via('yul01')!, /Cloudflare colo/)
  })
  it('a bare lower-case word or a code of no scheduled airport is not read as a colo', () => {
    // "sun", "yes": server names; "nbg1": Hetzner's Nuremberg site (NBG is a US naval air station)
    for (const s of ['sun', 'yes', 'api', 'nbg1']) assert.doesNotMatch(via(s) ?? '', /Cloudflare colo/, s)
  })
})

describe('a lone word and number as a DNS identity is a server name, not a confident place', () => {
  const top = (s: string) => identityCandidates(s)[0] ?? null
  it('"nas1", "sun1", "rec1", "nbg1" (NAS box, resolver/recursor 1, Hetzner Nuremberg) are below 0.5', () => {
    // shapes: hostnames servers are given everywhere; their readings were Nassau 0.95, Hailey 0.85,
    // Recife 0.85, New Orleans 0.6
    for (const s of ['nas1', 'sun1', 'rec1', 'nbg1', 'nas01', 'rec-1', 'sun-01', 'rec1.isp.net', 'sun1.example.net']) {
      const c = top(s)
      assert.ok(c === null || c.confidence < 0.5, `${s}: ${c?.city} ${c?.confidence}`)
    }
  })
  it('a reading in the country of the name\'s own TLD, a known format or a structure still counts', () => {
    assert.equal(top('rec1.example.com.br')?.city, 'Recife')
    assert.ok(top('rec1.example.com.br')!.confidence >= 0.5)
    assert.equal(top('yul01')?.city, 'Montréal') // Cloudflare's colo shape
    const dal = top('ns1dns-dal04-918-5311')!
    assert.ok(dal.confidence >= 0.5 && dal.city === 'Dallas', `${dal.city} ${dal.confidence}`)
  })
})

describe("CloudFront's Server-Timing names the PoP like X-Amz-Cf-Pop", () => {
  it('cdn-pop;desc= among the other metrics', () => {
    // shape: the CloudFront Developer Guide's cache-miss example
    const v = 'cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=114,cdn-upstream-fbl;dur=177,cdn-cache-miss,cdn-pop;desc="PHX50-C2",cdn-rid;desc="yNPsyYn7skvTzwWkq3Wcc8Nj_foxUjQUe9H1ifslzWhb0w7aLbFvGg==",cdn-downstream-fbl;dur=436'
    const r = parseHeader('Server-Timing', v)!
    assert.deepEqual([r.provider, r.code, r.site, r.hint.city], ['cloudfront', 'phx', 'PHX50-C2', 'Phoenix'])
  })
  it("other CDNs' metrics and an emulator's placeholder name nothing", () => {
    assert.equal(parseHeader('server-timing', 'cdn-cache; desc=HIT, edge; dur=1, origin; dur=10'), null)
    assert.equal(parseHeader('server-timing', 'cdn-cache-miss,cdn-pop;desc="local"'), null)
    assert.equal(parseHeader('server-timing', 'cfEdge;dur=12,cfOrigin;dur=0'), null)
  })
})

describe('a DNS identity that is one bare word is a server name, not a confident place', () => {
  it('"nas", "delta", "aurora", "sun" stay below 0.5; codes with a node number or structure do not', () => {
    for (const w of ['nas', 'delta', 'aurora', 'sun', 'london']) {
      const top = identityCandidates(w)[0]
      assert.ok(top === undefined || top.confidence < 0.5, `${w}: ${JSON.stringify(top)}`)
    }
    // ("udns1.lax" was here: its "lax" stands where a TLD does and none we know, so it is a hint
    // now; infer-names-not-sites.test.ts)
    for (const [id, code] of [['yul01', 'yul'], ['LHR', 'lhr'], ['rootns-lax3', 'lax']]) {
      const top = identityCandidates(id!)[0]!
      assert.equal(top.code, code, id)
      assert.ok(top.confidence >= 0.8, id)
    }
  })
})

describe('public resolvers\' NSID forms', () => {
  it('Quad9 drops the domain in its NSID; Google writes gpdns-{IATA}; Cloudflare its colo and a 2-digit node', () => {
    // dig +nsid captures in public write-ups: 9.9.9.9 "res710.qbre1", 8.8.8.8 "gpdns-fra" / "gpdns-bud", 1.1.1.1 "waw03"
    const read = (s: string) => identityCandidates(s)[0]
    assert.deepEqual([read('res710.qbre1')?.code, read('res710.qbre1')?.city], ['bre', 'Bremen'])
    assert.equal(read('gpdns-bud')?.city, 'Budapest')
    assert.match(read('gpdns-bud')!.note, /Google Public DNS/)
    assert.equal(read('waw03')?.city, 'Warsaw')
  })
  it('a resolver named by its role and a number is not a Cloudflare colo (RES Resistencia, REC Recife)', () => {
    for (const s of ['res01', 'rec01', 'res2']) assert.doesNotMatch(identityCandidates(s)[0]?.note ?? '', /Cloudflare colo/, s)
  })
})

describe('root-server identities in every form the operators write', () => {
  // forms from ripe-atlas-soi-checker's per-letter regexes (a public RIPE Atlas root-site checker)
  const read = (s: string) => identityCandidates(s)[0]
  it('E-root with an instance character after the site, M-root with the exchange', () => {
    assert.equal(read('w01.sjcb.eroot')?.code, 'sjc')
    assert.equal(read('c02.ORDa.eroot')?.city, 'Chicago')
    assert.match(read('M-NRT-JPIX-1')!.note, /^M-root/)
  })
  it('Verisign: rootns- and nnn1- take the IATA, el+IATA and LOCODE-instance forms alike', () => {
    assert.match(read('rootns-lax3')!.note, /^A\/J-root/)
    assert.deepEqual([read('rootns-jptyo-1a')?.codeType, read('rootns-jptyo-1a')?.city], ['locode', 'Tokyo'])
    assert.equal(read('rootns-elfra1')?.code, 'fra')
  })
})

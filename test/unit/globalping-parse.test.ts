// Globalping results -> the model: probe location on every vantage point, failed probes kept as
// errors, header arrays, nullable timings, NSID from dig's hex, trace hop names and hints, ping
// RTTs; the selector grammar and the request bodies.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {DnsResult} from '../../src/model/dns.js'
import type {HttpResult} from '../../src/model/http.js'
import type {PingResult} from '../../src/model/ping.js'
import type {TraceResult} from '../../src/model/trace.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {parseFrom} from '../../src/vantage/from.js'
import {parseGlobalpingSelector} from '../../src/vantage/globalping/locations.js'
import {globalpingVantage, parseDigNsid, parseEntry, parseMeasurement} from '../../src/vantage/globalping/parse.js'
import {buildRequest} from '../../src/vantage/globalping/request.js'
import type {GlobalpingMeasurement} from '../../src/vantage/globalping/types.js'
import type {ProbePlan} from '../../src/vantage/types.js'
import {gpFixture} from '../helpers/globalping-replay.js'

const plan = (method: ProbePlan['method'], target: string, options: ProbePlan['options'] = {}): ProbePlan => ({method, target, cliArgs: [], options})

describe('globalping parse', () => {
  it('every vantage point carries the probe\'s place, network and tags; ids by position', () => {
    const m = gpFixture<GlobalpingMeasurement>('http-finished.json')
    const v = globalpingVantage(m.results[2]!.probe, 2)
    assert.deepEqual(v, {kind: 'globalping', id: '3.US.Seattle.AS7922', name: 'Seattle, WA, US — Comcast Cable Communications, LLC (AS7922)', asn: 7922, country: 'US', lat: 47.61, lon: -122.33, city: 'Seattle', state: 'WA', continent: 'NA', network: 'Comcast Cable Communications, LLC', tags: ['eyeball-network']})
    const empty = globalpingVantage(undefined, 0)
    assert.equal(empty.id, '1')
    assert.equal(empty.asn, null)
    assert.equal(empty.lat, null)
  })

  it('http: headers (arrays joined), timings (null stays null), PoP from the headers, the failed probe as an error', () => {
    const out = parseMeasurement(gpFixture('http-finished.json'), {target: 'https://cdn.example.com/', popHeaders: []})
    assert.equal(out.length, 6)
    const tokyo = out[1]!.result as HttpResult
    assert.equal(tokyo.headers['set-cookie'], 'ab=b; Path=/; Secure, region=apac; Path=/; Secure')
    assert.equal(tokyo.headers['x-served-by'], 'cache-nrt-rjtf7700039-NRT')
    assert.equal(tokyo.pop?.code, 'nrt')
    assert.equal(tokyo.httpVersion, '1.1')
    assert.equal(tokyo.targetAddr, '151.101.2.133')
    const seattle = out[2]!.result as HttpResult
    assert.deepEqual(seattle.timings, {dnsMs: null, connectMs: 11, tlsMs: 21, firstByteMs: 18, totalMs: 61})
    assert.equal(seattle.pop?.code, 'sea')
    const failed = out[5]!
    assert.equal(failed.result, null)
    assert.equal(failed.vantage.city, 'Johannesburg')
    assert.deepEqual(failed.error, {code: 'E_VP_FAILED', message: 'the test failed (target): Request timeout.', hint: 'the target did not answer this probe (or refused it)'})
  })

  it('http: a --pop-header names the PoP as a user signal', () => {
    const m = gpFixture<GlobalpingMeasurement>('http-finished.json')
    const r = m.results[0]!.result as Record<string, unknown>
    r.headers = {'x-edge-site': 'ams'}
    const oc = parseEntry(m.results[0], 0, m, {target: 'https://cdn.example.com/', popHeaders: ['x-edge-site']})!
    assert.equal((oc.result as HttpResult).pop?.evidence[0]?.signal, 'user')
    assert.equal((oc.result as HttpResult).pop?.code, 'ams')
  })

  it('the probe\'s location feeds the speed-of-light check: FRA 4 ms from Sydney is kept as a vantage-location contradiction, from Frankfurt it is clean', () => {
    const m = gpFixture<GlobalpingMeasurement>('http-finished.json')
    const e = m.results[4]!
    ;(e.result as Record<string, unknown>).headers = {'cf-ray': '8ed41c7a3b9f2e51-FRA', server: 'cloudflare'}
    ;((e.result as Record<string, unknown>).timings as Record<string, number>).tcp = 4
    // the site's own header is the strongest signal: when it is infeasible, the probe's location is the likelier error
    const far = (parseEntry(e, 4, m, {target: 'x'})!.result as HttpResult).pop
    assert.equal(far?.code, 'fra')
    assert.equal(far?.contradiction?.kind, 'vantage-location')
    assert.match(far?.contradiction?.reason ?? '', /16,\d{3} km from -33\.87,151\.21/)
    e.probe = {...e.probe, latitude: 50.1, longitude: 8.7}
    const near = (parseEntry(e, 4, m, {target: 'x'})!.result as HttpResult).pop
    assert.equal(near?.code, 'fra')
    assert.equal(near?.contradiction ?? null, null)
  })

  it('in-progress tests wait (null) until the measurement is final, then are E_VP_TIMEOUT', () => {
    const m = gpFixture<GlobalpingMeasurement>('http-inprogress.json')
    assert.equal(parseEntry(m.results[1], 1, m, {target: 'x'}), null)
    assert.notEqual(parseEntry(m.results[0], 0, m, {target: 'x'}), null, 'a finished test is out at once')
    assert.equal(parseEntry(m.results[1], 1, m, {target: 'x'}, true)?.error?.code, 'E_VP_TIMEOUT')
  })

  it('dns: the NSID is decoded from dig\'s hex, not its quoted rendering; CHAOS said unavailable', () => {
    const out = parseMeasurement(gpFixture('dns-finished.json'), {target: '193.0.14.129'})
    const fra = out[0]!.result as DnsResult
    assert.deepEqual(fra.identity.nsid, {text: 'ns1.de-fra.k.ripe.net', hex: Buffer.from('ns1.de-fra.k.ripe.net').toString('hex')})
    assert.equal(fra.params.chaos, false)
    assert.equal(fra.queries[0]!.qclass, 'IN')
    assert.equal(fra.queries[0]!.qtype, 'SOA')
    assert.equal(fra.queries[0]!.aa, true)
    assert.equal(fra.queries[0]!.rttMs, 2)
    assert.equal(fra.targetAddr, '193.0.14.129')
    assert.equal(fra.pop?.city, 'Frankfurt am Main')
    assert.equal(out[5]!.error?.code, 'E_VP_FAILED')
    assert.match(out[5]!.error!.message, /resolver.*no servers could be reached/)
    // the quoted text lies: the hex wins
    assert.equal(parseDigNsid('; NSID: 67 70 64 6e 73 2d 73 79 64 ("fake")')?.text, 'gpdns-syd')
    assert.equal(parseDigNsid('; NSID: 00 ff ("..")')?.text, null)
    assert.equal(parseDigNsid(';; no NSID here'), null)
  })

  it('trace: hop names, silent hops, not reached, not Paris-style', () => {
    const out = parseMeasurement(gpFixture('trace-finished.json'), {target: 'cdn.example.com'})
    const fra = out[0]!.result as TraceResult
    assert.equal(fra.hops.length, 6)
    assert.equal(fra.hops[0]!.hostname, null, 'a name equal to the address is no name')
    assert.equal(fra.hops[3]!.addr, null)
    assert.deepEqual(fra.hops[3]!.rttMs, [null, null])
    assert.equal(fra.hops[4]!.hostname, 'ae-3.edge2.fra1.anycast-cdn.example.net')
    assert.notEqual(fra.hops[4]!.hint, null)
    assert.equal(fra.destinationReached, true)
    assert.equal(fra.params.paris, false)
    assert.equal(fra.pop?.code, 'fra')
    const syd = out[4]!.result as TraceResult
    assert.equal(syd.destinationReached, false)
    assert.equal(syd.stopReason, 'gap-limit')
  })

  it('trace: a target that never answered names no PoP, however PoP-like the last router (the one verdict function)', () => {
    const m = gpFixture<GlobalpingMeasurement>('trace-finished.json')
    const syd = m.results[4]!
    const edge = {resolvedAddress: '203.50.6.90', resolvedHostname: 'ae-1.edge1.syd1.anycast-cdn.example.net', timings: [{rtt: 3.1}, {rtt: 3.2}]}
    const silent = {resolvedAddress: null, resolvedHostname: null, timings: [{rtt: null}, {rtt: null}]}
    const target = {resolvedAddress: '198.51.100.10', resolvedHostname: '198.51.100.10', timings: [{rtt: 3.4}, {rtt: 3.3}]}
    const hops = (syd.result as {hops: unknown[]}).hops.slice(0, 2)
    const withHops = (h: unknown[]) => ({...m, results: [{...syd, result: {...syd.result, hops: h}}]}) as GlobalpingMeasurement
    const cut = parseMeasurement(withHops([...hops, edge, silent, silent]), {target: 'cdn.example.com'})[0]!.result as TraceResult
    assert.equal(cut.destinationReached, false)
    assert.equal(cut.hops[2]!.hostname, 'ae-1.edge1.syd1.anycast-cdn.example.net')
    assert.equal(cut.pop, null, 'no answer from the target, no PoP')
    // the same path with the target answering after the edge router: SYD
    const ok = parseMeasurement(withHops([...hops, edge, target]), {target: 'cdn.example.com'})[0]!.result as TraceResult
    assert.equal(ok.destinationReached, true)
    assert.equal(ok.pop?.code.toLowerCase(), 'syd')
  })

  it('mtr hops carry their ASN; ping gives RTTs per packet, lost ones null', () => {
    const base = {id: 'x', status: 'finished', createdAt: '2026-12-06T16:00:00.000Z', target: 'cdn.example.com'}
    const probe = gpFixture<GlobalpingMeasurement>('http-finished.json').results[0]!.probe
    const mtr = {...base, type: 'mtr', measurementOptions: {packets: 2}, results: [{probe, result: {status: 'finished', resolvedAddress: '198.51.100.10', hops: [{resolvedAddress: '198.51.100.10', resolvedHostname: 'edge1.fra1.example.net', asn: [64500], timings: [{rtt: 5.1}, {rtt: 5.3}], stats: {}}]}}]} as GlobalpingMeasurement
    const t = parseMeasurement(mtr, {target: 'cdn.example.com'})[0]!.result as TraceResult
    assert.equal(t.hops[0]!.asn, 64500)
    assert.equal(t.params.engine, 'globalping mtr')
    const ping = {...base, type: 'ping', results: [{probe, result: {status: 'finished', resolvedAddress: '198.51.100.10', timings: [{rtt: 4.2, ttl: 57}, {rtt: 4.0, ttl: 57}], stats: {min: 4, avg: 4.1, max: 4.2, total: 3, rcv: 2, drop: 1, loss: 33.3}}}]} as GlobalpingMeasurement
    const p = parseMeasurement(ping, {target: 'cdn.example.com'})[0]!.result as PingResult
    assert.deepEqual(p.rttMs, [4.2, 4, null])
    assert.equal(p.sent, 3)
    assert.equal(p.received, 2)
    assert.equal(p.minMs, 4)
  })

  it('text from the network is sanitised', () => {
    const m = gpFixture<GlobalpingMeasurement>('http-finished.json')
    m.results[0]!.probe!.city = 'Evil\u001b[31mCity'
    ;(m.results[0]!.result as Record<string, unknown>).headers = {'x-served-by': 'cache-fra\u001b]0;pwn\u0007-FRA'}
    const oc = parseEntry(m.results[0], 0, m, {target: 'x'})!
    assert.ok(!JSON.stringify(oc).includes('\u001b'))
  })
})

describe('globalping selector and request', () => {
  it('LOC list, limit, msm, tool', () => {
    assert.deepEqual(parseGlobalpingSelector(''), {spec: 'world,limit=10', magic: ['world'], limit: 10, msm: null, mtr: false})
    assert.deepEqual(parseGlobalpingSelector('Comcast+Seattle, AS3320,limit=40'), {spec: 'Comcast+Seattle,AS3320,limit=40', magic: ['Comcast+Seattle', 'AS3320'], limit: 40, msm: null, mtr: false})
    assert.equal(parseGlobalpingSelector('msm=2Kq7cXw4RtPz9LmNa00120hQv').msm, '2Kq7cXw4RtPz9LmNa00120hQv')
    assert.equal(parseGlobalpingSelector('Germany,tool=mtr').mtr, true)
    for (const bad of ['limit=0', 'limit=501', 'world,,x', 'msm=a-b', 'msm=abc,limit=3', 'a+b+c+d+e', 'foo=1']) {
      assert.throws(() => parseGlobalpingSelector(bad), /--from "globalping:/, bad)
    }
  })

  it('limit=N is the limit of the whole list, prefix repeated or not: one measurement, N probes in all (Globalping\'s own limit)', () => {
    // review finding: globalping:DE,globalping:FR,limit=5 was two measurements, DE with the default 10 and FR with 5
    const bodyOf = (from: string): unknown => {
      const specs = parseFrom([from])
      assert.equal(specs.length, 1, `${from}: one measurement`)
      assert.equal(specs[0]!.kind, 'globalping')
      return buildRequest(plan('ping', '198.51.100.10'), parseGlobalpingSelector((specs[0] as {selector: string}).selector))
    }
    const want = bodyOf('globalping:DE,FR,limit=5')
    assert.deepEqual(want, {type: 'ping', target: '198.51.100.10', locations: [{magic: 'DE'}, {magic: 'FR'}], limit: 5, measurementOptions: {packets: 3, protocol: 'ICMP'}})
    for (const from of ['globalping:DE,globalping:FR,limit=5', 'globalping:DE, globalping:FR ,limit=5']) {
      assert.deepEqual(bodyOf(from), want, from)
    }
    // options before the last globalping: or in one of their own are refused (vantage-from.test.ts)
    for (const from of ['globalping:DE,limit=5,globalping:FR', 'globalping:DE,globalping:FR,globalping:limit=5']) {
      assert.throws(() => parseFrom([from]), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE', from)
    }
    assert.equal(parseGlobalpingSelector((parseFrom(['globalping:DE,globalping:FR,tool=mtr'])[0] as {selector: string}).selector).mtr, true)
  })

  it('an option given twice with two values is refused, not the last one taken', () => {
    for (const [from, why] of [
      // after two globalping: prefixes, from.ts refuses it first (each its own --from or one limit at the end)
      ['globalping:DE,limit=3,globalping:FR,limit=5', /options after more than one globalping: \(limit=3, limit=5\) are ambiguous/],
      ['globalping:DE,limit=3,FR,limit=5', /limit= given twice \(3 and 5\)/],
      ['globalping:msm=2Kq7cXw4RtPz9LmNa00120hQv,msm=2Tb4nWq9PzXc7LmKe00020hJ1', /msm= given twice/],
      ['globalping:DE,tool=mtr,tool=traceroute', /tool= given twice/],
    ] as const) {
      assert.throws(() => parseFrom([from]).map((s) => parseGlobalpingSelector((s as {selector: string}).selector)), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError, String(e))
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.ok(e.message.startsWith(`--from "${from}": `), e.message)
        assert.match(e.message, why)
        assert.match(e.hint ?? '', /its own --from|one --from each/)
        return true
      }, from)
    }
    // two msm= prefixes are two measurements, as they always were (each reuses its own probes)
    assert.equal(parseFrom(['globalping:msm=2Kq7cXw4RtPz9LmNa00120hQv,globalping:msm=2Tb4nWq9PzXc7LmKe00020hJ1']).length, 2)
    // the same value twice says the same thing: kept
    assert.equal(parseGlobalpingSelector('DE,limit=5,FR,limit=5').limit, 5)
  })

  it('http: an address with --host pins the address and sends request.host; headers pass through', () => {
    const body = buildRequest(plan('http', 'https://203.0.113.7:8443/x?y=1', {host: 'cdn.example.com', headers: ['X-Debug: 1'], method: 'HEAD'}), parseGlobalpingSelector('world,limit=5'))
    assert.deepEqual(body, {type: 'http', target: '203.0.113.7', locations: [{magic: 'world'}], limit: 5, measurementOptions: {request: {method: 'HEAD', path: '/x', query: 'y=1', host: 'cdn.example.com', headers: {'X-Debug': '1'}}, protocol: 'HTTPS', port: 8443}})
  })

  it('dns asks the target as resolver, trace/ping use the host, msm= reuses probes', () => {
    const sel = parseGlobalpingSelector('msm=2Kq7cXw4RtPz9LmNa00120hQv')
    assert.deepEqual(buildRequest(plan('dns', '193.0.14.129', {qname: 'example.com', qtype: 'txt', tcp: true}), sel), {type: 'dns', target: 'example.com', locations: '2Kq7cXw4RtPz9LmNa00120hQv', measurementOptions: {query: {type: 'TXT'}, resolver: '193.0.14.129', protocol: 'TCP', port: 53}})
    assert.throws(() => buildRequest(plan('dns', '193.0.14.129', {qtype: 'CH'}), sel), /qtype CH/)
    assert.deepEqual(buildRequest(plan('trace', 'https://cdn.example.com/', {protocol: 'tcp', port: 443}), parseGlobalpingSelector('world')).measurementOptions, {protocol: 'TCP', port: 443})
    assert.equal(buildRequest(plan('trace', 'cdn.example.com'), parseGlobalpingSelector('world,tool=mtr')).type, 'mtr')
    assert.deepEqual(buildRequest(plan('ping', '198.51.100.10', {probes: 5}), parseGlobalpingSelector('world')).measurementOptions, {packets: 5, protocol: 'ICMP'})
  })
})

// Building Atlas measurement requests (pure): the selector syntax, traceroute / dns / ping
// definitions, --dry-run with its credit estimate, and HTTP refused for anything but anchors.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {buildDefinition, dryRunMeasurement, estimateCredits} from '../../src/vantage/atlas/create.js'
import {atlasDryRun} from '../../src/vantage/atlas/index.js'
import {parseAtlasSelector, SELECTOR_SYNTAX} from '../../src/vantage/atlas/selector.js'
import type {ProbePlan} from '../../src/vantage/types.js'

const plan = (method: ProbePlan['method'], target: string, options: ProbePlan['options'] = {}): ProbePlan => ({method, target, cliArgs: [], options})

const usage = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AnyprobeError)
    assert.equal(e.code, 'E_USAGE')
    assert.equal(e.exitCode, 2)
    assert.match(e.message, re)
    assert.ok(e.hint !== null && e.hint.length > 0)
    return true
  })
}

describe('Atlas selector syntax', () => {
  it('maps each form to Atlas probe requests', () => {
    const cases: Array<[string, unknown, string]> = [
      ['atlas:country=NL,n=20', {type: 'country', value: 'NL', requested: 20}, 'country=NL,n=20'],
      ['country=nl', {type: 'country', value: 'NL', requested: 10}, 'country=NL,n=10'],
      ['atlas:area=WW,n=50', {type: 'area', value: 'WW', requested: 50}, 'area=WW,n=50'],
      ['area=north-central,n=3', {type: 'area', value: 'North-Central', requested: 3}, 'area=North-Central,n=3'],
      ['asn=3320,n=10', {type: 'asn', value: 3320, requested: 10}, 'asn=3320,n=10'],
      ['asn=AS3320', {type: 'asn', value: 3320, requested: 10}, 'asn=3320,n=10'],
      ['prefix=193.0.0.0/16,n=5', {type: 'prefix', value: '193.0.0.0/16', requested: 5}, 'prefix=193.0.0.0/16,n=5'],
      ['prefix=2001:db8::/32', {type: 'prefix', value: '2001:db8::/32', requested: 10}, 'prefix=2001:db8::/32,n=10'],
      ['atlas:probes=1001,1002', {type: 'probes', value: '1001,1002', requested: 2}, 'probes=1001,1002'],
      ['probes=1001,1002,1001,n=1', {type: 'probes', value: '1001,1002', requested: 1}, 'probes=1001,1002,n=1'],
      ['msm=12345', {type: 'msm', value: 12345, requested: 10}, 'msm=12345,n=10'],
      ['atlas:', {type: 'area', value: 'WW', requested: 10}, 'area=WW,n=10'],
      ['atlas', {type: 'area', value: 'WW', requested: 10}, 'area=WW,n=10'],
      ['country=DE,n=5,tags=system-ipv6-works+datacentre,exclude=system-anchor', {type: 'country', value: 'DE', requested: 5, tags: {include: ['system-ipv6-works', 'datacentre'], exclude: ['system-anchor']}}, 'country=DE,n=5,tags=system-ipv6-works+datacentre,exclude=system-anchor'],
    ]
    for (const [text, request, spec] of cases) {
      const s = parseAtlasSelector(text)
      assert.deepEqual(s.request, request, text)
      assert.equal(s.spec, spec, text)
    }
    assert.deepEqual(parseAtlasSelector('probes=7,8,9').probeIds, [7, 8, 9])
  })

  it('bad selectors are E_USAGE with the syntax as hint', () => {
    const bad: Array<[string, RegExp]> = [
      ['country=NLD', /two-letter/],
      ['country=', /needs a value/],
      ['area=Mars', /area "Mars" is not one of WW, West/],
      ['asn=-5', /ASN "-5"/],
      ['asn=99999999999', /not a positive whole number|out of range/],
      ['prefix=300.0.0.0/8', /not an IP prefix/],
      ['probes=1,x', /probe id "x"/],
      ['country=NL,x', /"x" in selector .* is not key=value/],
      ['probes=1,2,n=3', /more probes than the 2 listed/],
      ['n=0', /out of range/],
      ['n=1001', /out of range \(1\.\.1000\)/],
      ['country=NL,asn=3320', /names both country= and asn=/],
      ['city=Amsterdam', /unknown selector key "city"/],
      ['country=NL,,n=2', /empty item/],
      ['msm=abc', /measurement id "abc"/],
      ['tags=Bad Tag', /not a probe tag/],
    ]
    for (const [text, re] of bad) {
      usage(() => parseAtlasSelector(text), re)
      try {
        parseAtlasSelector(text)
      } catch (e) {
        assert.equal((e as AnyprobeError).hint?.includes('atlas:country=NL,n=20'), true)
      }
    }
    assert.match(SELECTOR_SYNTAX, /North-Central/)
  })
})

describe('Atlas measurement definitions and --dry-run', () => {
  it('traceroute: Paris (16), protocol, port for TCP, family from the address, a name resolves on the probe', () => {
    const d = buildDefinition(plan('trace', '193.0.14.129', {protocol: 'udp', maxHops: 30, probes: 3, timeoutMs: 1000}))
    assert.deepEqual(d, {
      type: 'traceroute',
      af: 4,
      target: '193.0.14.129',
      description: 'anyprobe trace 193.0.14.129',
      is_public: true,
      resolve_on_probe: false,
      protocol: 'UDP',
      paris: 16,
      packets: 3,
      first_hop: 1,
      max_hops: 30,
      response_timeout: 1000,
    })
    const tcp = buildDefinition(plan('trace', '2001:7fd::1', {protocol: 'tcp', port: 53}))
    assert.deepEqual([tcp.af, tcp.protocol, tcp.port, tcp.paris], [6, 'TCP', 53, 16])
    assert.equal(buildDefinition(plan('trace', '2001:7fd::1', {protocol: 'tcp'})).port, 80)
    const named = buildDefinition(plan('trace', 'k.root-servers.net'), {af: 6})
    assert.deepEqual([named.af, named.resolve_on_probe, named.protocol], [6, true, 'ICMP'])
    usage(() => buildDefinition(plan('trace', 'not a host!')), /neither an IP address nor a hostname/)
  })

  it('dns: CHAOS TXT hostname.bind with NSID, straight to the anycast address, not the probe resolver', () => {
    const d = buildDefinition(plan('dns', '193.0.14.129'))
    assert.deepEqual(
      {q: [d.query_class, d.query_type, d.query_argument], nsid: d.set_nsid_bit, resolver: d.use_probe_resolver, proto: d.protocol, qbuf: d.include_qbuf},
      {q: ['CHAOS', 'TXT', 'hostname.bind'], nsid: true, resolver: false, proto: 'UDP', qbuf: true},
    )
    const idServer = buildDefinition(plan('dns', '193.0.14.129', {qname: 'id.server', tcp: true}))
    assert.deepEqual([idServer.query_class, idServer.query_argument, idServer.protocol], ['CHAOS', 'id.server', 'TCP'])
    const ordinary = buildDefinition(plan('dns', '193.0.14.129', {qname: 'example.net.', qtype: 'soa'}))
    assert.deepEqual([ordinary.query_class, ordinary.query_type, ordinary.query_argument, ordinary.set_nsid_bit], ['IN', 'SOA', 'example.net', true])
  })

  it('ping', () => {
    assert.deepEqual(buildDefinition(plan('ping', '9.9.9.9', {probes: 5})), {
      type: 'ping',
      af: 4,
      target: '9.9.9.9',
      description: 'anyprobe ping 9.9.9.9',
      is_public: true,
      resolve_on_probe: false,
      packets: 5,
    })
  })

  it('http only towards RIPE Atlas anchors; an ordinary URL is a clear usage error', () => {
    const d = buildDefinition(plan('http', 'http://nl-ams-as3333.anchors.atlas.ripe.net/4096', {method: 'HEAD'}))
    assert.deepEqual([d.type, d.target, d.path, d.method, d.header_bytes], ['http', 'nl-ams-as3333.anchors.atlas.ripe.net', '/4096', 'HEAD', 2048])
    usage(() => buildDefinition(plan('http', 'https://www.example.com/')), /only against RIPE Atlas anchors; www\.example\.com is not an anchor/)
    usage(() => buildDefinition(plan('http', 'http://anchors.atlas.ripe.net.evil.example/')), /not an anchor/)
    usage(() => buildDefinition(plan('http', 'https://nl-ams-as3333.anchors.atlas.ripe.net/')), /plain HTTP/)
    usage(() => atlasDryRun('country=NL', plan('http', 'http://cdn.example/')), /anyprobe http --from|not an anchor/)
  })

  it('--dry-run: the exact request, one-off, and its cost from the published unit costs', () => {
    const trace = atlasDryRun('country=NL,n=20', plan('trace', '193.0.14.129'))
    assert.equal(trace.dryRun, true)
    assert.deepEqual(trace.request.probes, [{type: 'country', value: 'NL', requested: 20}])
    assert.equal(trace.request.is_oneoff, true)
    // traceroute: 10 x 3 packets x (int(40/1500)+1) = 30, one-off x2 = 60 per result
    assert.deepEqual([trace.estimate.perResult, trace.estimate.results, trace.estimate.total, trace.estimate.exact], [60, 20, 1200, true])
    assert.match(trace.note, /nothing was sent/)
    const dns = dryRunMeasurement(plan('dns', '193.0.14.129'), parseAtlasSelector('area=WW,n=50'))
    assert.deepEqual([dns.estimate.perResult, dns.estimate.total], [20, 1000]) // 10 (UDP) x2
    const dnsTcp = dryRunMeasurement(plan('dns', '193.0.14.129', {tcp: true}), parseAtlasSelector('probes=1,2,3'))
    assert.deepEqual([dnsTcp.estimate.perResult, dnsTcp.estimate.total], [40, 120]) // 20 (TCP) x2
    const ping = dryRunMeasurement(plan('ping', '9.9.9.9', {probes: 5}), parseAtlasSelector('asn=3320,n=10'))
    assert.deepEqual([ping.estimate.perResult, ping.estimate.total], [10, 100]) // 5 x (int(48/1500)+1) x2
    assert.match(ping.estimate.source, /atlas\.ripe\.net\/docs\/getting-started\/credits/)
    const http = estimateCredits(buildDefinition(plan('http', 'http://nl-ams-as3333.anchors.atlas.ripe.net/')), 4)
    assert.equal(http.exact, false)
    assert.equal(estimateCredits(buildDefinition(plan('ping', '9.9.9.9')), 10, false).perResult, 3)
  })
})

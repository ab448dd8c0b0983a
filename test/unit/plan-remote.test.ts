// Every probe flag reaches RIPE Atlas and Globalping, or is refused: never dropped
// (src/vantage/plan-flags.ts, src/vantage/atlas/create.ts ATLAS_FLAGS, src/vantage/globalping/
// request.ts GLOBALPING_FLAGS). The walk below takes every flag of PLAN_FLAGS for every method it
// applies to, builds the plan as the commands do, and asks each backend's dry run: the flag is in
// the request (checked against the value given) or the dry run is E_USAGE naming the flag and the
// backend, with a hint. A flag that is neither (a new one mapped nowhere) fails here.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {PLAN_FLAGS, planFromFlags} from '../../src/console/plan.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {ProbeMethod, ProbePlan} from '../../src/model/probe.js'
import {dryRunMeasurement} from '../../src/vantage/atlas/create.js'
import {parseAtlasSelector} from '../../src/vantage/atlas/selector.js'
import {parseGlobalpingSelector} from '../../src/vantage/globalping/locations.js'
import {dryRunRequest} from '../../src/vantage/globalping/request.js'

const METHODS: ProbeMethod[] = ['trace', 'dns', 'http', 'ping']

/** A value for each plan flag, unlike every backend's default. A new flag needs one. */
const SAMPLE: Record<string, unknown> = {
  protocol: 'tcp',
  port: 5353,
  'max-hops': 9,
  'first-hop': 3,
  probes: 2,
  timeout: '1s',
  rate: 10,
  'flow-id': 1234,
  'wait-factor': '2',
  'gap-limit': 3,
  dns: false,
  numeric: true,
  asn: false,
  'asn-db': ['asn.mmdb'],
  ipv4: true,
  ipv6: true,
  tcp: true,
  qname: 'example.net',
  qtype: 'NS',
  method: 'HEAD',
  host: 'foo.example',
  header: ['X-A: 1'],
  insecure: true,
  follow: true,
  'cf-trace': true,
  'pop-header': ['X-Edge'],
  'vp-location': 'FRA',
}

type Req = Record<string, unknown>
/** flag -> what the request (or, for flags applied to the results, the plan) must then hold */
type Reaches = Partial<Record<ProbeMethod, Record<string, (r: Req, p: ProbePlan) => unknown>>>
type Expect = Partial<Record<ProbeMethod, Record<string, unknown>>>

interface Backend {
  name: string
  target: Record<ProbeMethod, string>
  request: (p: ProbePlan) => Req
  reaches: Reaches
  want: Expect
}

const results = {
  dns: (_r: Req, p: ProbePlan) => p.options.rdns,
  numeric: (_r: Req, p: ProbePlan) => p.options.rdns,
  asn: (_r: Req, p: ProbePlan) => p.options.asn,
}

const atlasDef = (r: Req): Req => (r.definitions as Req[])[0]!
const ATLAS: Backend = {
  name: 'RIPE Atlas',
  target: {trace: 'example.com', dns: '193.0.14.129', http: 'http://nl-ams-as3333.anchors.atlas.ripe.net/', ping: 'example.com'},
  request: (p) => dryRunMeasurement(p, parseAtlasSelector('area=WW,n=10')).request as unknown as Req,
  reaches: {
    trace: {
      protocol: (r) => atlasDef(r).protocol,
      'max-hops': (r) => atlasDef(r).max_hops,
      'first-hop': (r) => atlasDef(r).first_hop,
      probes: (r) => atlasDef(r).packets,
      timeout: (r) => atlasDef(r).response_timeout,
      ipv4: (r) => atlasDef(r).af,
      ipv6: (r) => atlasDef(r).af,
      ...results,
    },
    dns: {
      timeout: (r) => atlasDef(r).timeout,
      tcp: (r) => atlasDef(r).protocol,
      qname: (r) => atlasDef(r).query_argument,
    },
    http: {method: (r) => atlasDef(r).method},
    ping: {probes: (r) => atlasDef(r).packets},
  },
  want: {
    trace: {protocol: 'TCP', 'max-hops': 9, 'first-hop': 3, probes: 2, timeout: 1000, ipv4: 4, ipv6: 6, dns: false, numeric: false, asn: false},
    dns: {timeout: 1000, tcp: 'TCP', qname: 'example.net'},
    http: {method: 'HEAD'},
    ping: {probes: 2},
  },
}

const gpOpts = (r: Req): Req => r.measurementOptions as Req
const GLOBALPING: Backend = {
  name: 'Globalping',
  target: {trace: 'example.com', dns: '193.0.14.129', http: 'https://cdn.example.com/', ping: 'example.com'},
  request: (p) => dryRunRequest(p, parseGlobalpingSelector('world,limit=3')).request as unknown as Req,
  reaches: {
    trace: {
      protocol: (r) => gpOpts(r).protocol,
      ipv4: (r) => gpOpts(r).ipVersion,
      ipv6: (r) => gpOpts(r).ipVersion,
      ...results,
    },
    dns: {
      port: (r) => gpOpts(r).port,
      tcp: (r) => gpOpts(r).protocol,
      qname: (r) => r.target,
      qtype: (r) => (gpOpts(r).query as Req).type,
    },
    http: {
      method: (r) => (gpOpts(r).request as Req).method,
      host: (r) => (gpOpts(r).request as Req).host,
      header: (r) => (gpOpts(r).request as Req).headers,
      // not a request field: the parser reads that response header as the site's name
      'pop-header': (_r, p) => p.options.popHeaders,
    },
    ping: {probes: (r) => gpOpts(r).packets},
  },
  want: {
    trace: {protocol: 'TCP', ipv4: 4, ipv6: 6, dns: false, numeric: false, asn: false},
    dns: {port: 5353, tcp: 'TCP', qname: 'example.net', qtype: 'NS'},
    http: {method: 'HEAD', host: 'foo.example', header: {'X-A': '1'}, 'pop-header': ['X-Edge']},
    ping: {probes: 2},
  },
}

function outcome(b: Backend, method: ProbeMethod, flag: string): {refused: AnyprobeError} | {refusedByPlan: AnyprobeError} | {request: Req; plan: ProbePlan} {
  let plan: ProbePlan
  try {
    plan = planFromFlags(method, b.target[method], {[flag]: SAMPLE[flag]})
  } catch (e) {
    if (e instanceof AnyprobeError) return {refusedByPlan: e}
    throw e
  }
  try {
    return {request: b.request(plan), plan}
  } catch (e) {
    if (e instanceof AnyprobeError) return {refused: e}
    throw e
  }
}

describe('every plan flag reaches RIPE Atlas and Globalping or is refused', () => {
  it('every plan flag has a sample value', () => {
    for (const flag of Object.keys(PLAN_FLAGS)) assert.ok(flag in SAMPLE, `no SAMPLE for --${flag}: add one`)
  })

  for (const b of [ATLAS, GLOBALPING]) {
    it(`${b.name}: each flag, each method`, () => {
      for (const method of METHODS) {
        for (const [flag, def] of Object.entries(PLAN_FLAGS)) {
          if (!def.methods.includes(method)) continue
          const o = outcome(b, method, flag)
          const check = b.reaches[method]?.[flag]
          if ('refusedByPlan' in o) {
            // trace --port alone is an ICMP trace's port: the plan refuses it for every vantage point,
            // as the trace command does (test/unit/trace-port-plan.test.ts); with tcp it is below
            assert.deepEqual([method, flag, o.refusedByPlan.code], ['trace', 'port', 'E_USAGE'], o.refusedByPlan.message)
            continue
          }
          if ('refused' in o) {
            assert.equal(check, undefined, `${b.name} ${method} --${flag}: refused, but listed as reaching the request (${o.refused.message})`)
            assert.equal(o.refused.code, 'E_USAGE', `${method} --${flag}`)
            assert.equal(o.refused.exitCode, 2)
            assert.ok(o.refused.message.includes(`--${flag}`) && o.refused.message.includes(b.name), `${method} --${flag}: "${o.refused.message}" names the flag and ${b.name}`)
            assert.ok((o.refused.hint ?? '').length > 10, `${method} --${flag}: a hint`)
          } else {
            assert.ok(check !== undefined, `${b.name} ${method} --${flag} was accepted but is not checked in the request: map it or refuse it`)
            assert.deepEqual(check(o.request, o.plan), b.want[method]![flag], `${b.name} ${method} --${flag} in the request`)
          }
        }
      }
    })
  }
})

describe('value-dependent cases', () => {
  const atlas = (p: ProbePlan): Req => atlasDef(ATLAS.request(p))
  const gp = (p: ProbePlan, sel = 'world,limit=3'): Req => gpOpts(dryRunRequest(p, parseGlobalpingSelector(sel)).request as unknown as Req)

  it('--port reaches a TCP traceroute (Atlas and Globalping), refused with another protocol', () => {
    assert.equal(atlas(planFromFlags('trace', 'example.com', {protocol: 'tcp', port: 443})).port, 443)
    assert.equal(gp(planFromFlags('trace', 'example.com', {protocol: 'tcp', port: 443})).port, 443)
    assert.throws(() => atlas(planFromFlags('trace', 'example.com', {protocol: 'udp', port: 53})), /--port does not reach RIPE Atlas traceroute/)
  })

  it('Atlas --qtype with --qname asks that IN query; without --qname it is refused (CHAOS asks TXT)', () => {
    const d = atlas(planFromFlags('dns', '193.0.14.129', {qname: 'example.net', qtype: 'NS'}))
    assert.deepEqual([d.query_class, d.query_type, d.query_argument], ['IN', 'NS', 'example.net'])
    assert.throws(() => atlas(planFromFlags('dns', '193.0.14.129', {qtype: 'NS'})), (e: AnyprobeError) => e.code === 'E_USAGE' && /add --qname/.test(e.hint ?? ''))
  })

  it('Globalping --probes reaches mtr packets; plain traceroute refuses it with the tool=mtr hint', () => {
    assert.equal(gp(planFromFlags('trace', 'example.com', {probes: 5}), 'world,limit=3,tool=mtr').packets, 5)
    assert.throws(() => gp(planFromFlags('trace', 'example.com', {probes: 5})), (e: AnyprobeError) => /tool=mtr/.test(e.hint ?? ''))
  })

  it('--ipv6 with an IPv4 address target is E_USAGE; with a matching address the address decides', () => {
    assert.throws(() => atlas(planFromFlags('trace', '192.0.2.1', {ipv6: true})), /--ipv6 asks for IPv6, but 192.0.2.1 is an IPv4 address/)
    assert.throws(() => gp(planFromFlags('trace', '192.0.2.1', {ipv6: true})), /--ipv6 asks for IPv6/)
    assert.equal(atlas(planFromFlags('trace', '2001:db8::1', {ipv6: true})).af, 6)
    assert.equal(gp(planFromFlags('trace', '2001:db8::1', {ipv6: true})).ipVersion, undefined)
  })

  it('a plan without `given` (watch builds its own) is not refused', () => {
    assert.equal(atlas({method: 'dns', target: '193.0.14.129', cliArgs: [], options: {qtype: 'NS'}}).query_type, 'TXT')
  })
})

// The verdict rules of issue 12: no PoP without an answer from the target; what the RTT check
// rejects is kept, with why, in the JSON and the table; a site naming itself outweighs a
// vantage location the RTT contradicts. Real inference engine, scenario transport, real schemas.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {FakeClock, type Scenario, ScenarioTransport} from '../../src/engines/trace/index.js'
import {nullAsnLookup} from '../../src/enrich/asn.js'
import {inferPop, inferPopExplained, NOT_REACHED, parseVpLocation} from '../../src/infer/index.js'
import type {PopVerdict} from '../../src/model/pop.js'
import type {DnsResult} from '../../src/model/dns.js'
import type {TraceResult} from '../../src/model/trace.js'
import {NO_ANSWER} from '../../src/infer/verdict.js'
import {traceAnswered} from '../../src/pipeline/pop-observations.js'
import {traceTarget, type TracePlan} from '../../src/pipeline/trace.js'
import {renderPop} from '../../src/render/pop.js'
import {renderTrace} from '../../src/render/trace.js'
import {explainAtlasPop} from '../../src/vantage/atlas/enrich.js'
import {schemaErrors} from '../helpers/schema.js'

const scenario = (name: string): Scenario =>
  JSON.parse(readFileSync(new URL(`../fixtures/trace-scenarios/${name}.json`, import.meta.url), 'utf8')) as Scenario

async function trace(name: string, names: Record<string, string>, over: Partial<TracePlan> = {}): Promise<TraceResult> {
  const s = scenario(name)
  const clock = new FakeClock()
  const plan: TracePlan = {
    target: s.options.target, protocol: s.options.protocol, port: null, maxHops: s.options.maxHops ?? 32, firstHop: 1,
    probes: s.options.probes ?? 3, timeoutMs: s.options.timeoutMs ?? 1000, rate: null, flowId: s.options.flowId ?? null,
    gapLimit: s.options.gapLimit ?? 5, family: null, dns: true, asn: false, asnDbs: [], vpLocation: null, ...over,
  }
  return clock.run(traceTarget(plan, {transport: () => new ScenarioTransport(s, clock), rdns: {reverse: async (a) => names[a] ?? null}, asn: nullAsnLookup, clock}))
}

describe('no PoP without an answer from the target', () => {
  it('a trace that never reached its target names no PoP, whatever hop 1 is called, and says why', async () => {
    // the lab's case: hop 1 is the vantage point's own router, named after its site
    const r = await trace('gap-limit', {'10.0.0.1': 'gw.fra1.lab.example', '10.0.1.1': 'ae1.cr1.fra03.transit.example'})
    assert.equal(r.destinationReached, false)
    assert.equal(r.pop, null)
    assert.equal(r.popReason, NOT_REACHED)
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    const text = renderTrace(r)
    assert.match(text, /PoP: unknown \(destination not reached/)
    assert.doesNotMatch(text, /PoP: FRA/)
  })

  it('a reached trace still names its PoP (popReason null)', async () => {
    const r = await trace('basic-icmp', {'203.0.113.5': 'et-0-0-1.edge1.frankfurt1.pop.anycast.example'})
    assert.equal(r.pop?.city, 'Frankfurt am Main')
    assert.equal(r.popReason, null)
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
  })

  it('an unreachable sent by the target itself is an answer from the target', async () => {
    const r = await trace('admin-prohibited-at-target', {'198.51.100.9': 'anycast1.ams2.example.net'})
    assert.equal(r.destinationReached, false)
    assert.equal(traceAnswered(r), true)
    assert.equal(r.pop?.code, 'ams')
  })

  it('the verdict function: destinationAnswered false is no verdict, with the reason, for every signal', () => {
    const obs = [
      {signal: 'dns-identity' as const, input: 's1.fra.anycast.example'},
      {signal: 'hop-hostname' as const, input: 'ae1.cr1.fra03.example.net', distance: 1},
    ]
    assert.equal(inferPop(obs)?.code, 'fra')
    const ex = inferPopExplained(obs, {destinationAnswered: false})
    assert.deepEqual([ex.verdict, ex.reason], [null, NOT_REACHED])
  })

  it('Atlas: a DNS result with no answer and a trace whose last hop is not dst_addr name no PoP', () => {
    const v = {kind: 'atlas' as const, id: '1', name: null, asn: null, country: null, lat: null, lon: null}
    const dns = {
      schemaVersion: 1, kind: 'dns', target: 'x', targetAddr: '198.51.100.1', port: 53, transport: 'udp', vantage: v, startedAt: '', durationMs: 1,
      params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'}, queries: [], identity: {hostnameBind: 's1.fra.anycast.example', idServer: null, nsid: null, versionBind: null},
      answered: false, pop: null,
    } as unknown as DnsResult
    const ex = explainAtlasPop(dns)
    // a DNS server is not a path: the reason says it sent no reply, not what routers' names say
    assert.deepEqual([ex.verdict, ex.reason], [null, NO_ANSWER.dns])
    assert.doesNotMatch(ex.reason!, /router/)
    assert.equal(explainAtlasPop({...dns, answered: true}).verdict?.code, 'fra')
  })
})

describe('what the RTT check rejects is kept, with why', () => {
  const gru = parseVpLocation('GRU')

  it('a rejected reading is listed in the verdict with distance, needed and measured RTT', () => {
    // a Frankfurt identity outweighs an Ashburn hop that a 0.9 ms RTT from Sao Paulo cannot reach either
    const ex = inferPopExplained([{signal: 'hop-hostname', input: 'ae1.cr1.ashburn1.example.net', distance: 1}, {signal: 'dest-hostname', input: 'anycast.gru1.example.net'}], {vpLocation: gru, rttMs: 0.9})
    assert.equal(ex.verdict?.city, 'São Paulo')
    const rej = ex.verdict!.rejected!
    assert.equal(rej.length, 1)
    assert.equal(rej[0]!.city, 'Ashburn')
    assert.ok(rej[0]!.distanceKm > 7000 && rej[0]!.distanceKm < 8000, String(rej[0]!.distanceKm))
    assert.ok(rej[0]!.minRttMs > 65, String(rej[0]!.minRttMs))
    assert.equal(rej[0]!.measuredRttMs, 0.9)
    assert.match(rej[0]!.reason, /^ashburn rejected: 7,\d{3} km from GRU needs >= \d+ ms, measured 0\.9 ms$/)
    assert.equal(ex.verdict!.contradiction, null)
    assert.match(renderPop(ex.verdict), /ruled out by the RTT:\n {2}ashburn rejected: 7,\d{3} km from GRU/)
  })

  it('no verdict left: the result says why and lists the rejections (JSON valid, table shows them)', () => {
    const ex = inferPopExplained([{signal: 'hop-hostname', input: 'ae1.cr1.ashburn1.example.net', distance: 1}], {vpLocation: gru, rttMs: 0.9, destinationAnswered: true})
    assert.equal(ex.verdict, null)
    assert.match(ex.reason!, /every reading is farther than the RTT allows \(ashburn rejected/)
    assert.equal(ex.rejected[0]!.code, 'ashburn')
    const text = renderPop(null, {popReason: ex.reason, popRejected: ex.rejected})
    assert.match(text, /PoP: unknown \(every reading is farther/)
    assert.match(text, /ruled out by the RTT:\n {2}ashburn rejected/)
  })

  it('every strong signal infeasible: the site the target names itself is kept and the vantage location flagged', () => {
    // a DNS identity says Ashburn; the vantage point claims GRU and measured 0.9 ms: a site does
    // not misname itself, a stated location is often wrong
    const ex = inferPopExplained(
      [{signal: 'dns-identity', input: 'res100.iad.rrdns.pch.net'}, {signal: 'hop-hostname', input: 'ae1.cr1.gru1.example.net', distance: 1}],
      {vpLocation: gru, rttMs: 0.9, destinationAnswered: true},
    )
    const v = ex.verdict as PopVerdict
    assert.equal(v.code, 'iad')
    assert.equal(v.contradiction?.kind, 'vantage-location')
    assert.match(v.contradiction!.reason, /rejected: 7,\d{3} km from GRU/)
    assert.ok(v.rejected!.some((r) => r.code === 'iad' && r.signal === 'dns-identity'))
    assert.match(renderPop(v), /^PoP: IAD .*\ncontradiction \(vantage-location\): every strong signal/)
    // the verdict is schema-valid inside a document
    const doc = {
      schemaVersion: 1, kind: 'dns', target: 'x', targetAddr: '198.51.100.1', port: 53, transport: 'udp',
      vantage: {kind: 'local', id: 'local', name: null, asn: null, country: null, lat: null, lon: null}, startedAt: '2026-01-01T00:00:00Z', durationMs: 1,
      params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'}, queries: [], identity: {hostnameBind: null, idServer: null, nsid: null, versionBind: null}, answered: true,
      pop: v, popReason: null,
    }
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
  })

  it('a strong signal that is feasible keeps the RTT rule as it was (no contradiction)', () => {
    const ex = inferPopExplained([{signal: 'dns-identity', input: 'res100.gru.rrdns.pch.net'}], {vpLocation: gru, rttMs: 0.9})
    assert.equal(ex.verdict?.code, 'gru')
    assert.equal(ex.verdict?.contradiction, null)
    assert.deepEqual(ex.verdict?.rejected, [])
  })
})

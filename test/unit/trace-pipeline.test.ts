// The whole trace pipeline without root: scenario transport + fake clock for the engine, a fixed
// reverse-DNS table, the real inference engine, the real renderer and the JSON schema.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {FakeClock, type Scenario, ScenarioTransport} from '../../src/engines/trace/index.js'
import type {ReverseResolver} from '../../src/enrich/rdns.js'
import {nullAsnLookup} from '../../src/enrich/asn.js'
import {traceTarget, type TracePlan} from '../../src/pipeline/trace.js'
import {renderTrace} from '../../src/render/trace.js'
import {traceExitCode} from '../../src/commands/trace.js'
import {schemaErrors} from '../helpers/schema.js'

const scenario = (name: string): Scenario =>
  JSON.parse(readFileSync(new URL(`../fixtures/trace-scenarios/${name}.json`, import.meta.url), 'utf8')) as Scenario

function rdnsOf(table: Record<string, string>): ReverseResolver {
  // raw, unsanitised names: the renderer must defend itself too
  return {reverse: async (a) => table[a] ?? null}
}

const plan = (s: Scenario, over: Partial<TracePlan> = {}): TracePlan => ({
  target: s.options.target, protocol: s.options.protocol, port: null, maxHops: s.options.maxHops ?? 32, firstHop: 1,
  probes: s.options.probes ?? 3, timeoutMs: s.options.timeoutMs ?? 1000, rate: null, flowId: s.options.flowId ?? null,
  gapLimit: 5, family: null, dns: true, asn: false, asnDbs: [], vpLocation: null, ...over,
})

async function run(name: string, names: Record<string, string>, over: Partial<TracePlan> = {}) {
  const s = scenario(name)
  const clock = new FakeClock()
  return clock.run(traceTarget(plan(s, over), {transport: () => new ScenarioTransport(s, clock), rdns: rdnsOf(names), asn: nullAsnLookup, clock}))
}

describe('trace pipeline (scenario transport, no root)', () => {
  it('enriches hops, names the PoP from the last hops, and validates against the schema', async () => {
    const r = await run('basic-icmp', {
      '10.0.0.1': 'gw.home.example',
      '10.0.1.1': 'ae1-0.cr1.ams02.transit.example',
      '203.0.113.5': 'et-0-0-1.edge1.frankfurt1.pop.anycast.example',
      '198.51.100.9': 'ns.anycast.example',
    })
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    assert.equal(r.flowId, 4242)
    assert.equal(r.targetHostname, 'ns.anycast.example')
    assert.equal(r.hops[2]!.hint?.city, 'Frankfurt am Main')
    // the edge (1 hop before) outweighs the transit hop (2 before) that says Amsterdam
    assert.equal(r.pop?.code, 'frankfurt')
    assert.ok(r.pop!.conflicts.some((c) => c.code === 'ams'), 'the disagreeing Amsterdam hop is listed, not hidden')
    assert.equal(r.targetInfo.class, 'documentation')
  })

  it('a DNS probe\'s answer (UDP to 53): the server\'s own identity is kept, shown, and outweighs the hop names', async () => {
    // the hops say Frankfurt; the name server says it is the Amsterdam one
    const r = await run('udp-dns-answer', {'10.0.1.1': 'ae1.cr1.fra03.transit.example'}, {port: 53})
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    assert.deepEqual(r.destinationIdentity, ['s2.ams.example', 'ams-s2'])
    assert.equal(r.pop?.code, 'ams')
    assert.ok(r.pop!.evidence.some((e) => e.signal === 'dns-identity' && e.input === 'ams-s2'))
    assert.match(renderTrace(r), /the server says it is: s2\.ams\.example, ams-s2/)
    // and a trace without one has no such field
    const plain = await run('basic-icmp', {})
    assert.equal('destinationIdentity' in plain, false)
  })

  it('a loopback target is not named after this machine: its hostname is shown, not read as a PoP', async () => {
    const s = {
      name: 'loopback', description: '',
      options: {target: '127.0.0.1', family: 4, protocol: 'icmp', maxHops: 4, probes: 3, timeoutMs: 1000, flowId: 7},
      hops: [{ttl: [1, 4], addr: '127.0.0.1', rttMs: 0.1, kind: 'echo-reply'}],
      expect: {stopReason: 'completed', destinationReached: true, hops: []},
    } as unknown as Scenario
    const clock = new FakeClock()
    // "fra1" would be read as Frankfurt anywhere else (and is, for a documentation address below)
    const names = rdnsOf({'127.0.0.1': 'fra1.example.net', '198.51.100.9': 'fra1.example.net'})
    const r = await clock.run(traceTarget(plan(s), {transport: () => new ScenarioTransport(s, clock), rdns: names, asn: nullAsnLookup, clock}))
    assert.equal(r.targetInfo.class, 'loopback')
    assert.equal(r.targetHostname, 'fra1.example.net')
    assert.equal(r.pop, null)
    const s2 = {...s, options: {...s.options, target: '198.51.100.9'}, hops: [{ttl: [1, 4], addr: '198.51.100.9', rttMs: 0.1, kind: 'echo-reply'}]} as unknown as Scenario
    const clock2 = new FakeClock()
    const r2 = await clock2.run(traceTarget(plan(s2), {transport: () => new ScenarioTransport(s2, clock2), rdns: names, asn: nullAsnLookup, clock: clock2}))
    assert.equal(r2.pop?.city, 'Frankfurt am Main')
  })

  it('a hop named by a local name (a home router called "london") is a hint, marked ? in the table; a public name is not', async () => {
    const r = await run('basic-icmp', {'10.0.0.1': 'london', '203.0.113.5': 'et-0-0-1.edge1.frankfurt1.pop.anycast.example'})
    const home = r.hops.find((h) => h.addr === '10.0.0.1')!
    assert.ok(home.hint !== null && home.hint.confidence < 0.5, JSON.stringify(home.hint))
    const text = renderTrace(r)
    assert.match(text, /^1\s+10\.0\.0\.1\s+london\s+.*\S+\? London$/m)
    assert.match(text, /frankfurt1\.pop\.anycast\.example\s+.*frankfurt Frankfurt am Main$/m)
  })

  it('silent hops stay null in JSON and * in the table; names from strangers are escaped', async () => {
    const r = await run('silent-hop-adaptive', {'10.0.3.1': 'evil\u001b]0;owned\u0007.example'})
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    const silent = r.hops.find((h) => h.ttl === 2)!
    assert.equal(silent.addr, null)
    assert.deepEqual(silent.rttMs, [null, null, null])
    const text = renderTrace(r)
    assert.match(text, /^2\s+\*\s+\*  \*  \*$/m)
    assert.ok(!text.includes('\u001b'), 'no raw escape reaches the terminal')
    assert.match(text, /evil\\x1b\]0;owned\\x07\.example/)
    assert.equal(r.pop, null)
    assert.match(text, /PoP: unknown/)
  })

  it('an unreachable trace says so and carries its stop reason', async () => {
    const r = await run('unreachable', {})
    assert.equal(r.destinationReached, false)
    assert.equal(r.stopReason, 'unreachable')
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    // who said it and what, as traceroute's !H (the row showed three RTTs and nothing else)
    const text = renderTrace(r)
    assert.match(text, /^3\s+10\.0\.2\.1\s+3\.00 !H  3\.00 !H  3\.00 !H$/m)
    assert.match(text, /destination not reached: 10\.0\.2\.1 at hop 3 says host unreachable \(!H, ICMP 3\/1\) after \d+ ms/)
  })

  it('a target that refuses the probes itself (a firewall\'s reject) is said to have answered, with what it said', async () => {
    const r = await run('admin-prohibited-at-target', {})
    assert.equal(r.stopReason, 'unreachable')
    const text = renderTrace(r)
    // the last row is the target's own address: "not reached (unreachable)" alone read as if it never answered
    assert.match(text, /destination not reached: the target answered at hop \d+ but refused the probes: communication administratively prohibited \(!X, ICMP 3\/13\)/)
    assert.match(text, / !X/)
    // answered, by the rule catchment and `trace --from` use: exit 0, not 4 beside a reply from the target
    assert.equal(traceExitCode(r), 0)
    assert.equal(traceExitCode(await run('unreachable', {})), 4)
    assert.equal(traceExitCode(await run('basic-icmp', {})), 0)
  })

  it('TCP: the JSON and the table say whether the port answered open (SYN-ACK) or closed (RST)', async () => {
    const closed = await run('tcp-rst', {}, {port: 80})
    assert.deepEqual(schemaErrors('trace.schema.json', closed), [])
    assert.deepEqual(closed.hops.at(-1)!.replies.map((x) => x.tcpAnswer), ['rst', 'rst', 'rst'])
    assert.equal(closed.hops[0]!.replies[0]!.tcpAnswer, undefined, 'a time exceeded is no TCP answer')
    assert.match(renderTrace(closed), /destination reached at hop 3 in \d+ ms: port 80 closed \(RST\)/)
    const s = scenario('tcp-rst')
    const synack: Scenario = {...s, hops: s.hops.map((h) => (h.kind === 'tcp-rst' ? {...h, kind: 'tcp-synack'} : h))}
    const clock = new FakeClock()
    const open = await clock.run(traceTarget(plan(synack, {port: 80}), {transport: () => new ScenarioTransport(synack, clock), rdns: rdnsOf({}), asn: nullAsnLookup, clock}))
    assert.deepEqual(schemaErrors('trace.schema.json', open), [])
    assert.deepEqual(open.hops.at(-1)!.replies.map((x) => x.tcpAnswer), ['syn-ack', 'syn-ack', 'syn-ack'])
    assert.match(renderTrace(open), /: port 80 open \(SYN-ACK\)/)
    // the schema refuses anything else there
    const bad = structuredClone(open) as unknown as {hops: Array<{replies: Array<Record<string, unknown>>}>}
    bad.hops.at(-1)!.replies[0]!.tcpAnswer = 'open'
    assert.notDeepEqual(schemaErrors('trace.schema.json', bad), [])
  })

  it('ICMPv6 unreachable codes are read as ICMPv6 (1/3 is address unreachable, not an IPv4 type 1)', async () => {
    const s = scenario('unreachable')
    const v6: Scenario = {...s, options: {...s.options, target: '2001:db8::9', family: 6},
      hops: [{ttl: 1, addr: '2001:db8:1::1', rttMs: 1}, {ttl: [2, 32], addr: '2001:db8:2::1', rttMs: 2, kind: 'unreachable', icmpType: 1, icmpCode: 3}] as Scenario['hops']}
    const clock = new FakeClock()
    const r = await clock.run(traceTarget(plan(v6), {transport: () => new ScenarioTransport(v6, clock), rdns: rdnsOf({}), asn: nullAsnLookup, clock}))
    const text = renderTrace(r)
    assert.match(text, /2001:db8:2::1 at hop 2 says address unreachable \(!H, ICMPv6 1\/3\)/)
    // a time exceeded (ICMPv6 3/0) is no unreachable: hop 1 has no mark
    assert.match(text, /^1\s+2001:db8:1::1\s+1\.00  1\.00  1\.00$/m)
  })
})

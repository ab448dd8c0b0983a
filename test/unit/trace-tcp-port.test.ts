// A TCP trace's verdict on the port. Every probe of a Paris trace shares one 4-tuple, so on a long
// path a later SYN meets the connection an earlier one half-opened and the server resets it: the lab
// (tcpdump in ap-s-iad, vp-sao 30 ms away, nginx listening on :80) showed the server answering
// SYN-ACK, RST, SYN-ACK, RST, ... and main called the open port "open to some probes, closed to
// others" 4 times of 4. The scenarios below answer as that server did.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {FakeClock, type ReplyKind, type Scenario, ScenarioTransport, tcpPortState} from '../../src/engines/trace/index.js'
import {nullAsnLookup} from '../../src/enrich/asn.js'
import type {TraceResult} from '../../src/model/trace.js'
import {traceTarget} from '../../src/pipeline/trace.js'
import {renderTrace} from '../../src/render/trace.js'
import {schemaErrors} from '../helpers/schema.js'

const base = JSON.parse(readFileSync(new URL('../fixtures/trace-scenarios/tcp-rst.json', import.meta.url), 'utf8')) as Scenario

/** tcp-rst.json's path, its target answering each probe index with these kinds (at every TTL that reaches it). */
async function traceWith(kinds: ReplyKind[]): Promise<TraceResult> {
  const s: Scenario = {...base, hops: base.hops.map((h) => (h.kind === 'tcp-rst' ? {...h, kind: kinds} : h))}
  const clock = new FakeClock()
  return clock.run(traceTarget(
    {target: s.options.target, protocol: 'tcp', port: 80, maxHops: 16, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, flowId: null, gapLimit: 5, family: null, dns: false, asn: false, asnDbs: [], vpLocation: null},
    {transport: () => new ScenarioTransport(s, clock), rdns: {reverse: async () => null}, asn: nullAsnLookup, clock},
  ))
}

describe('tcpPortState: the target\'s answers in arrival order', () => {
  it('a SYN-ACK proves the port open; RSTs after it are resets of a half-open connection of the same flow', () => {
    assert.deepEqual(tcpPortState(['syn-ack', 'rst', 'syn-ack', 'rst', 'syn-ack']), {state: 'open', synAcks: 3, rsts: 2, rstsAfterSynAck: 2})
    assert.deepEqual(tcpPortState(['syn-ack', 'syn-ack']), {state: 'open', synAcks: 2, rsts: 0, rstsAfterSynAck: 0})
  })
  it('RSTs only: closed; an RST before any SYN-ACK, then a SYN-ACK: mixed; nothing: null', () => {
    assert.deepEqual(tcpPortState(['rst', 'rst', 'rst']), {state: 'closed', synAcks: 0, rsts: 3, rstsAfterSynAck: 0})
    assert.deepEqual(tcpPortState(['rst', 'syn-ack', 'rst']), {state: 'mixed', synAcks: 1, rsts: 2, rstsAfterSynAck: 1})
    assert.equal(tcpPortState([]), null)
  })
})

describe('trace --protocol tcp: the port verdict', () => {
  it('the lab\'s SYN-ACK, RST, SYN-ACK from an open port is open, and says what the RSTs were', async () => {
    const r = await traceWith(['tcp-synack', 'tcp-rst', 'tcp-synack'])
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    // the per-probe answers are kept as they came
    assert.deepEqual(r.hops.at(-1)!.replies.map((x) => x.tcpAnswer), ['syn-ack', 'rst', 'syn-ack'])
    assert.equal(r.tcpPort?.state, 'open')
    assert.ok(r.tcpPort!.synAcks >= 2)
    assert.ok(r.tcpPort!.rsts >= 1)
    assert.equal(r.tcpPort!.rstsAfterSynAck, r.tcpPort!.rsts, 'every RST came after a SYN-ACK')
    const text = renderTrace(r)
    assert.match(text, /destination reached at hop 3 in \d+ ms: port 80 open \(SYN-ACK; the RST to \d+ later probes of this flow reset the connection an earlier one half-opened \(one 4-tuple\), not a closed port\)/)
    assert.doesNotMatch(text, /closed to others|closed to some/)
  })

  it('an RST before any SYN-ACK is the one case said as closed to some probes, open to others', async () => {
    const r = await traceWith(['tcp-rst', 'tcp-synack', 'tcp-synack'])
    assert.equal(r.tcpPort?.state, 'mixed')
    assert.match(renderTrace(r), /port 80 answered RST before any SYN-ACK, then SYN-ACK \(closed to some probes, open to others/)
  })

  it('RSTs only: closed; SYN-ACKs only: open, with no note', async () => {
    const closed = await traceWith(['tcp-rst', 'tcp-rst', 'tcp-rst'])
    assert.deepEqual(closed.tcpPort, {state: 'closed', synAcks: 0, rsts: 42, rstsAfterSynAck: 0}, '14 TTLs x 3 probes reached the target')
    assert.match(renderTrace(closed), /: port 80 closed \(RST\)$/m)
    const open = await traceWith(['tcp-synack', 'tcp-synack', 'tcp-synack'])
    assert.equal(open.tcpPort?.state, 'open')
    assert.match(renderTrace(open), /: port 80 open \(SYN-ACK\)$/m)
  })

  it('a file without tcpPort (older, no arrival order) still says open when a SYN-ACK came', async () => {
    const r = await traceWith(['tcp-synack', 'tcp-rst', 'tcp-synack'])
    delete r.tcpPort
    assert.match(renderTrace(r), /: port 80 open \(SYN-ACK\)$/m)
  })

  it('the schema refuses a state it does not know', async () => {
    const r = await traceWith(['tcp-synack', 'tcp-synack', 'tcp-synack'])
    const bad = structuredClone(r) as unknown as {tcpPort: Record<string, unknown>}
    bad.tcpPort.state = 'filtered'
    assert.notDeepEqual(schemaErrors('trace.schema.json', bad), [])
  })

  it('ICMP and UDP traces carry no tcpPort', async () => {
    assert.equal(tcpPortState([]), null)
    const s = JSON.parse(readFileSync(new URL('../fixtures/trace-scenarios/basic-icmp.json', import.meta.url), 'utf8')) as Scenario
    const clock = new FakeClock()
    const r = await clock.run(traceTarget(
      {target: s.options.target, protocol: 'icmp', port: null, maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, flowId: null, gapLimit: 5, family: null, dns: false, asn: false, asnDbs: [], vpLocation: null},
      {transport: () => new ScenarioTransport(s, clock), rdns: {reverse: async () => null}, asn: nullAsnLookup, clock},
    ))
    assert.equal(r.tcpPort, undefined)
  })
})

describe('a trace file read back: tcpPort is file text', () => {
  it('a state or count it does not know is not printed (the replies decide, as for an older file)', async () => {
    const r = await traceWith(['tcp-synack', 'tcp-rst', 'tcp-synack'])
    const bad = structuredClone(r) as unknown as {tcpPort: Record<string, unknown>}
    bad.tcpPort.rstsAfterSynAck = '\u001b]0;owned\u0007'
    const text = renderTrace(bad as unknown as TraceResult)
    assert.ok(!text.includes('\u001b'), 'no raw escape reaches the terminal')
    assert.match(text, /: port 80 open \(SYN-ACK\)$/m)
  })
})

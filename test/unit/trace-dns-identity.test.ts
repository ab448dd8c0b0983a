// A DNS probe's answer names its server by id.server (CH TXT) and/or NSID: the trace says which of
// the two answered. It labelled every identity "(id.server, NSID)", also from a server that sent no
// NSID (NSD without an nsid option, the lab's and many operators'), or only an NSID (a REFUSED
// CHAOS query with the NSID option set: how some public resolvers answer).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import * as dnsPacket from 'dns-packet'

import {dnsProbeIdentity} from '../../src/engines/trace/dns-identity.js'
import {FakeClock, type Scenario, ScenarioTransport} from '../../src/engines/trace/index.js'
import {nullAsnLookup} from '../../src/enrich/asn.js'
import {traceTarget} from '../../src/pipeline/trace.js'
import {renderTrace} from '../../src/render/trace.js'
import {schemaErrors} from '../helpers/schema.js'

/** A CH TXT id.server answer, as a name server encodes it, with an NSID option when given. */
function answer(opts: {txt: string | null; nsid: string | null; rcode?: 'NOERROR' | 'REFUSED'}): Buffer {
  const opt = {type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: opts.nsid === null ? [] : [{code: 3, data: Buffer.from(opts.nsid)}]}
  return dnsPacket.encode({
    type: 'response', id: 4711, flags: dnsPacket.AUTHORITATIVE_ANSWER | (opts.rcode === 'REFUSED' ? 5 : 0),
    questions: [{type: 'TXT', class: 'CH', name: 'id.server'}],
    answers: opts.txt === null ? [] : [{type: 'TXT', class: 'CH', name: 'id.server', ttl: 0, data: opts.txt}],
    additionals: [opt],
  } as unknown as dnsPacket.Packet)
}

describe('dnsProbeIdentity: which sources answered', () => {
  it('id.server only, NSID only, both', () => {
    assert.deepEqual(dnsProbeIdentity(answer({txt: 's1.iad.anycast.example', nsid: null})), {strings: ['s1.iad.anycast.example'], sources: ['id.server']})
    assert.deepEqual(dnsProbeIdentity(answer({txt: null, nsid: 'gpdns-fra', rcode: 'REFUSED'})), {strings: ['gpdns-fra'], sources: ['NSID']})
    assert.deepEqual(dnsProbeIdentity(answer({txt: 's1.fra.anycast.example', nsid: 'fra-s1'})), {strings: ['s1.fra.anycast.example', 'fra-s1'], sources: ['id.server', 'NSID']})
    assert.deepEqual(dnsProbeIdentity(Buffer.from('not dns')), {strings: [], sources: []})
  })
})

const base = JSON.parse(readFileSync(new URL('../fixtures/trace-scenarios/udp-dns-answer.json', import.meta.url), 'utf8')) as Scenario

async function traceSaying(identity: string[], identitySources?: Array<'id.server' | 'NSID'>) {
  const s: Scenario = {...base, hops: base.hops.map((h) => (h.kind === 'dns-reply' ? {...h, identity, ...(identitySources ? {identitySources} : {})} : h))}
  const clock = new FakeClock()
  return clock.run(traceTarget(
    {target: s.options.target, protocol: 'udp', port: 53, maxHops: 16, firstHop: 1, probes: 2, timeoutMs: 1000, rate: null, flowId: null, gapLimit: 5, family: null, dns: false, asn: false, asnDbs: [], vpLocation: null},
    {transport: () => new ScenarioTransport(s, clock), rdns: {reverse: async () => null}, asn: nullAsnLookup, clock},
  ))
}

describe('trace --protocol udp --port 53: the identity line names only the sources that answered', () => {
  it('id.server alone is labelled id.server, not "(id.server, NSID)"', async () => {
    const r = await traceSaying(['s1.iad.anycast.example'], ['id.server'])
    assert.deepEqual(schemaErrors('trace.schema.json', r), [])
    assert.deepEqual(r.destinationIdentitySources, ['id.server'])
    assert.match(renderTrace(r), /^the server says it is: s1\.iad\.anycast\.example \(id\.server\)$/m)
  })
  it('NSID alone, and both', async () => {
    assert.match(renderTrace(await traceSaying(['gpdns-fra'], ['NSID'])), /^the server says it is: gpdns-fra \(NSID\)$/m)
    assert.match(renderTrace(await traceSaying(['s1.fra.anycast.example', 'fra-s1'], ['id.server', 'NSID'])), /^the server says it is: s1\.fra\.anycast\.example, fra-s1 \(id\.server, NSID\)$/m)
  })
  it('a file that does not say which (older) claims neither: "id.server or NSID"', async () => {
    const r = await traceSaying(['s1.iad.anycast.example'])
    assert.equal(r.destinationIdentitySources, undefined)
    assert.match(renderTrace(r), /^the server says it is: s1\.iad\.anycast\.example \(id\.server or NSID\)$/m)
  })
  it('the schema takes only id.server and NSID there', async () => {
    const r = structuredClone(await traceSaying(['x'], ['id.server'])) as unknown as Record<string, unknown>
    r.destinationIdentitySources = ['hostname.bind']
    assert.notDeepEqual(schemaErrors('trace.schema.json', r), [])
  })
})

describe('a trace file read back: destinationIdentitySources is file text', () => {
  it('only id.server and NSID are printed, in that order', async () => {
    const r = await traceSaying(['s1.iad.anycast.example'], ['id.server'])
    ;(r as unknown as {destinationIdentitySources: unknown}).destinationIdentitySources = ['NSID', '\u001b[2Jx', 'id.server']
    assert.match(renderTrace(r), /^the server says it is: s1\.iad\.anycast\.example \(id\.server, NSID\)$/m)
  })
})

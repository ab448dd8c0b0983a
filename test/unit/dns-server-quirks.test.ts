// The DNS identity probe against small servers on loopback that behave as real ones do (each
// shape's source beside it): answers that are not answers to the CHAOS question, truncated UDP
// replies (response rate limiting's "slip"), replies from another port, late replies, IPv6.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import * as dnsPacket from 'dns-packet'

import {probeDns} from '../../src/engines/dns/probe.js'
import {resultVerdict} from '../../src/infer/verdict.js'
import type {DnsResult} from '../../src/model/dns.js'
import {renderDns} from '../../src/render/dns.js'
import {type DnsTestServer, localDnsResult, startDnsServer} from '../helpers/dns-server.js'
import {schemaErrors} from '../helpers/schema.js'

type Mode =
  /** ns1.parkingcrew.net: "CH TXT version.bind" answered with its wildcard "IN TXT" (zonemaster-engine issue 1291) */
  | 'other-class'
  /** a record of another owner name in the answer section */
  | 'other-name'
  /** a record of another type (an A record) */
  | 'other-type'
  /** NSD / BIND / Knot response rate limiting, slip: an empty reply with TC set over UDP, the real answer over TCP (NSD 4.6 rrl-slip, seen here) */
  | 'slip'
  /** slip over UDP, and nothing listening on TCP */
  | 'slip-no-tcp'
  /** the right id and question, but sent from another port of the server's host */
  | 'other-port'
  /** the answer comes after the client's timeout */
  | 'late'

type Srv = DnsTestServer

const AA = dnsPacket.AUTHORITATIVE_ANSWER

function reply(mode: Mode, query: dnsPacket.DecodedPacket, overTcp: boolean): Buffer {
  const q = query.questions![0]!
  const base = {type: 'response' as const, id: query.id, questions: query.questions}
  const opt = {type: 'OPT' as const, name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{code: 3, data: Buffer.from('lhr-ns1')} as unknown as dnsPacket.PacketOpt]}
  const wantsNsid = (query.additionals ?? []).some((rr) => rr.type === 'OPT')
  if ((mode === 'slip' || mode === 'slip-no-tcp') && !overTcp) {
    // what NSD sends when it slips: no answer, TC set, the OPT record echoed (without NSID here)
    return dnsPacket.encode({...base, flags: dnsPacket.TRUNCATED_RESPONSE, additionals: wantsNsid ? [{...opt, options: []}] : []})
  }
  if (q.class === 'CH') {
    const name = q.name
    const answers: dnsPacket.Answer[] =
      mode === 'other-class'
        ? [{type: 'TXT', class: 'IN', name, ttl: 3600, data: 'lhr-ns1'}]
        : mode === 'other-name'
          ? [{type: 'TXT', class: 'CH', name: 'server.lhr.example', ttl: 0, data: 'lhr-ns1'}]
          : mode === 'other-type'
            ? [{type: 'CNAME', class: 'CH', name, ttl: 0, data: 'lhr-ns1.example'}]
            : [{type: 'TXT', class: 'CH', name, ttl: 0, data: 's1.fra.anycast.example'}]
    return dnsPacket.encode({...base, flags: AA, answers})
  }
  return dnsPacket.encode({...base, flags: AA, answers: [], additionals: wantsNsid && mode !== 'other-class' && mode !== 'other-name' && mode !== 'other-type' ? [{...opt, options: [{code: 3, data: Buffer.from('fra-s1')} as unknown as dnsPacket.PacketOpt]}] : []})
}

function start(mode: Mode, host = '127.0.0.1'): Promise<Srv> {
  return startDnsServer({
    host,
    tcp: mode !== 'slip-no-tcp',
    otherPort: mode === 'other-port',
    answer: ({query, transport}) => reply(mode, query, transport === 'tcp'),
    sendUdp: (out, _ex, io) => {
      if (mode === 'other-port') io.sendFromOtherPort(out)
      else if (mode === 'late') setTimeout(() => io.send(out), 400)
      else io.send(out)
    },
  })
}

const asResult = (out: Awaited<ReturnType<typeof probeDns>>, port: number, addr = '127.0.0.1'): DnsResult => localDnsResult(out, {addr, port})

const base = {addr: '127.0.0.1', family: 4 as const, timeoutMs: 1000, qname: '.', qtype: 'SOA', transport: 'udp' as const}

describe('dns: records that do not answer the CHAOS question are never the identity', () => {
  const servers: Partial<Record<Mode, Srv>> = {}
  before(async () => {
    for (const m of ['other-class', 'other-name', 'other-type'] as const) servers[m] = await start(m)
  })
  after(async () => {
    for (const s of Object.values(servers)) await s!.close()
  })
  const shown: Record<string, RegExp> = {
    'other-class': /^hostname\.bind\. IN TXT lhr-ns1$/,
    'other-name': /^server\.lhr\.example\. CH TXT lhr-ns1$/,
    'other-type': /^hostname\.bind\. CH CNAME lhr-ns1\.example$/,
  }
  for (const mode of ['other-class', 'other-name', 'other-type'] as const) {
    it(`${mode}: no identity, no PoP; the record is kept apart and shown`, async () => {
      const out = await probeDns({...base, port: servers[mode]!.port})
      assert.deepEqual(out.identity, {hostnameBind: null, idServer: null, versionBind: null, nsid: null})
      const hb = out.queries[0]!
      assert.equal(hb.rcode, 'NOERROR')
      assert.deepEqual(hb.answers, [])
      assert.equal(hb.otherRecords?.length, 1)
      assert.match(hb.otherRecords![0]!, shown[mode]!)
      const r = asResult(out, servers[mode]!.port)
      // before: "lhr-ns1" was hostname.bind and id.server, and the verdict said LHR
      assert.equal(resultVerdict(r, null), null)
      assert.match(renderDns(r), /not an answer to the question: /)
      assert.deepEqual(schemaErrors('dns.schema.json', r), [])
    })
  }
})

describe('dns: a truncated UDP reply is asked again over TCP, as dig does', () => {
  const servers: Partial<Record<Mode, Srv>> = {}
  before(async () => {
    servers.slip = await start('slip')
    servers['slip-no-tcp'] = await start('slip-no-tcp')
  })
  after(async () => {
    for (const s of Object.values(servers)) await s!.close()
  })
  it('response rate limiting slipped every UDP reply: the identity comes over TCP, the UDP RTT is kept', async () => {
    const out = await probeDns({...base, port: servers.slip!.port})
    // before: every answer empty and truncated, identity all null
    assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
    assert.equal(out.identity.idServer, 's1.fra.anycast.example')
    assert.deepEqual(out.identity.nsid, {text: 'fra-s1', hex: Buffer.from('fra-s1').toString('hex')})
    assert.equal(servers.slip!.tcpQueries, 4)
    for (const q of out.queries) {
      assert.equal(q.truncated, false)
      assert.ok(q.tcpRetry && q.tcpRetry.error === null && q.tcpRetry.udpRttMs > 0, JSON.stringify(q))
      assert.ok(q.rttMs !== null && q.rttMs > 0)
    }
    const r = asResult(out, servers.slip!.port)
    assert.deepEqual(schemaErrors('dns.schema.json', r), [])
    assert.match(renderDns(r), /UDP reply truncated in [\d.]+ ms: answered over TCP/)
    assert.equal(resultVerdict(r, null)?.code.toUpperCase(), 'FRA')
  })
  it('TCP refused: the truncated UDP reply stays, with why TCP failed', async () => {
    const out = await probeDns({...base, port: servers['slip-no-tcp']!.port})
    for (const q of out.queries) {
      assert.equal(q.rcode, 'NOERROR')
      assert.equal(q.truncated, true)
      assert.deepEqual(q.answers, [])
      assert.equal(q.tcpRetry?.error, 'refused')
      assert.equal(q.rttMs, q.tcpRetry?.udpRttMs)
    }
    assert.equal(out.answered, true)
    const r = asResult(out, servers['slip-no-tcp']!.port)
    assert.deepEqual(schemaErrors('dns.schema.json', r), [])
    assert.match(renderDns(r), /truncated; asked again over TCP: refused/)
  })
  it('--tcp asks over TCP only: no retry field', async () => {
    const out = await probeDns({...base, transport: 'tcp', port: servers.slip!.port})
    assert.ok(out.queries.every((q) => q.tcpRetry === undefined && q.truncated === false))
  })
})

describe('dns: replies a client must not take', () => {
  const servers: Partial<Record<Mode, Srv>> = {}
  before(async () => {
    servers['other-port'] = await start('other-port')
    servers.late = await start('late')
  })
  after(async () => {
    for (const s of Object.values(servers)) await s!.close()
  })
  it('a reply from another port of the server (the id and question right) is ignored: a spoofer can guess those', async () => {
    const out = await probeDns({...base, timeoutMs: 300, port: servers['other-port']!.port})
    assert.deepEqual(out.queries.map((q) => q.error), ['timeout', 'timeout', 'timeout', 'timeout'])
    assert.equal(out.identity.hostnameBind, null)
  })
  it('a reply after the timeout is not taken (and does not crash the process)', async () => {
    const out = await probeDns({...base, timeoutMs: 150, port: servers.late!.port})
    assert.deepEqual(out.queries.map((q) => q.error), ['timeout', 'timeout', 'timeout', 'timeout'])
    await new Promise((res) => setTimeout(res, 400))
  })
})

describe('dns over IPv6 (::1)', () => {
  let srv: Srv
  before(async () => {
    srv = await start('slip', '::1')
  })
  after(() => srv.close())
  it('asks over UDP and retries a truncated reply over TCP, both on ::1', async () => {
    const out = await probeDns({...base, addr: '::1', family: 6, port: srv.port})
    assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
    assert.ok(out.queries.every((q) => q.tcpRetry?.error === null))
  })
})

describe('dns over udp: the identity queries of one probe are one flow', () => {
  it('all four leave from one source port, so a route split per flow (ECMP across sites) sends them to one server', async () => {
    // per-flow ECMP hashes the source port: before, each query had a socket of its own and
    // hostname.bind could come from FRA while NSID came from IAD (the lab's ap-vp-ecmp)
    const udp = await startDnsServer({
      answer: ({query: q, from}) => {
        // each source port is "another site": its name carries the port
        const answers: dnsPacket.Answer[] = q.questions![0]!.class === 'CH' ? [{type: 'TXT', class: 'CH', name: q.questions![0]!.name, data: `s1.p${from.port}`}] : []
        return {type: 'response', id: q.id, flags: AA, questions: q.questions, answers}
      },
    })
    const ports = udp.udpFrom
    try {
      const out = await probeDns({...base, port: udp.port})
      assert.equal(ports.length, 4)
      assert.equal(new Set(ports).size, 1, `source ports ${ports.join(', ')}`)
      assert.equal(out.identity.hostnameBind, out.identity.idServer)
      assert.ok(out.queries.every((q) => q.error === null && q.rttMs !== null))
    } finally {
      await udp.close()
    }
  })
})

/** A TCP DNS server counting connections; `onePerConnection`: it answers the first query and closes (as some do). */
async function tcpServer(onePerConnection: boolean): Promise<{port: number; connections: () => number; close: () => Promise<void>}> {
  const srv = await startDnsServer({
    udp: false,
    tcp: true,
    answer: ({query, onConnection}) => (onePerConnection && onConnection > 0 ? null : reply('other-port', query, true)),
    writeTcp: (framed, sock) => {
      if (onePerConnection) sock.end(framed)
      else sock.write(framed)
    },
  })
  return {port: srv.port, connections: () => srv.tcpConnections, close: srv.close}
}

describe('dns over tcp: the identity queries of one probe are one flow', () => {
  it('all four are pipelined on one connection (RFC 7766)', async () => {
    const srv = await tcpServer(false)
    try {
      const out = await probeDns({...base, transport: 'tcp', port: srv.port})
      assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
      assert.ok(out.queries.every((q) => q.error === null && q.rttMs !== null))
      // before: one connection (one source port, one flow) per query
      assert.equal(srv.connections(), 1)
    } finally {
      await srv.close()
    }
  })
  it('a server that answers one query per connection and closes: the rest are asked again, each alone', async () => {
    const srv = await tcpServer(true)
    try {
      const out = await probeDns({...base, transport: 'tcp', port: srv.port})
      assert.deepEqual(out.queries.map((q) => q.error), [null, null, null, null])
      assert.equal(out.identity.hostnameBind, 's1.fra.anycast.example')
      assert.equal(srv.connections(), 4)
    } finally {
      await srv.close()
    }
  })
})

describe('dns: an empty NOERROR answer (BIND with server-id none) is no identity', () => {
  it('hostname.bind answered NOERROR with no record, or with an empty string: null, not ""', async () => {
    const udp = await startDnsServer({
      answer: ({query: q}) => {
        const name = q.questions![0]!.name
        const answers: dnsPacket.Answer[] = name === 'id.server' ? [{type: 'TXT', class: 'CH', name, ttl: 0, data: ''}] : []
        return {type: 'response', id: q.id, flags: AA, questions: q.questions, answers}
      },
    })
    try {
      const out = await probeDns({...base, port: udp.port})
      assert.deepEqual(out.queries.map((q) => q.rcode), ['NOERROR', 'NOERROR', 'NOERROR', 'NOERROR'])
      assert.deepEqual(out.identity, {hostnameBind: null, idServer: null, versionBind: null, nsid: null})
      assert.equal(resultVerdict(asResult(out, udp.port), null), null)
    } finally {
      await udp.close()
    }
  })
})

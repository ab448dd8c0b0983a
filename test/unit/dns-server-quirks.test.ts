// The DNS identity probe against small servers on loopback that behave as real ones do (each
// shape's source beside it): answers that are not answers to the CHAOS question, truncated UDP
// replies (response rate limiting's "slip"), replies from another port, late replies, IPv6.
import assert from 'node:assert/strict'
import {createSocket, type Socket as UdpSocket} from 'node:dgram'
import {createServer, type Server, type Socket} from 'node:net'
import {after, before, describe, it} from 'node:test'

import * as dnsPacket from 'dns-packet'

import {probeDns} from '../../src/engines/dns/probe.js'
import {resultVerdict} from '../../src/infer/verdict.js'
import type {DnsResult} from '../../src/model/dns.js'
import {renderDns} from '../../src/render/dns.js'
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

interface Srv {
  port: number
  close(): Promise<void>
  tcpQueries: number
}

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

async function start(mode: Mode, host = '127.0.0.1'): Promise<Srv> {
  const family = host.includes(':') ? 'udp6' : 'udp4'
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp: UdpSocket = createSocket(family)
    await new Promise<void>((res) => udp.bind(0, host, () => res()))
    const port = udp.address().port
    const other: UdpSocket = createSocket(family)
    await new Promise<void>((res) => other.bind(0, host, () => res()))
    const tcp: Server = createServer()
    const sockets = new Set<Socket>()
    const ok = mode === 'slip-no-tcp' || (await new Promise<boolean>((res) => {
      tcp.once('error', () => res(false))
      tcp.listen(port, host, () => res(true))
    }))
    if (!ok) {
      udp.close()
      other.close()
      continue
    }
    const srv: Srv = {
      port,
      tcpQueries: 0,
      close: () =>
        new Promise<void>((res) => {
          udp.close()
          other.close()
          for (const s of sockets) s.destroy()
          if (mode === 'slip-no-tcp') res()
          else tcp.close(() => res())
        }),
    }
    udp.on('message', (msg, rinfo) => {
      const out = reply(mode, dnsPacket.decode(msg), false)
      if (mode === 'other-port') other.send(out, rinfo.port, rinfo.address)
      else if (mode === 'late') setTimeout(() => udp.send(out, rinfo.port, rinfo.address), 400)
      else udp.send(out, rinfo.port, rinfo.address)
    })
    tcp.on('connection', (sock) => {
      sockets.add(sock)
      sock.on('close', () => sockets.delete(sock))
      let buf = Buffer.alloc(0)
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk])
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
          buf = buf.subarray(2 + msg.length)
          srv.tcpQueries++
          const out = reply(mode, dnsPacket.decode(msg), true)
          const framed = Buffer.alloc(2 + out.length)
          framed.writeUInt16BE(out.length, 0)
          out.copy(framed, 2)
          sock.write(framed)
        }
      })
    })
    return srv
  }
  throw new Error('no free port')
}

function asResult(out: Awaited<ReturnType<typeof probeDns>>, port: number, addr = '127.0.0.1'): DnsResult {
  return {
    schemaVersion: 1,
    kind: 'dns',
    target: addr,
    targetAddr: addr,
    port,
    transport: 'udp',
    vantage: {kind: 'local', id: 'local', name: null, asn: null, country: null, lat: null, lon: null},
    startedAt: new Date().toISOString(),
    durationMs: out.durationMs,
    params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'},
    queries: out.queries,
    identity: out.identity,
    answered: out.answered,
    pop: null,
  }
}

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
    const ports: number[] = []
    const udp = createSocket('udp4')
    await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()))
    udp.on('message', (msg, rinfo) => {
      ports.push(rinfo.port)
      const q = dnsPacket.decode(msg)
      // each source port is "another site": its name carries the port
      const answers: dnsPacket.Answer[] = q.questions![0]!.class === 'CH' ? [{type: 'TXT', class: 'CH', name: q.questions![0]!.name, data: `s1.p${rinfo.port}`}] : []
      udp.send(dnsPacket.encode({type: 'response', id: q.id, flags: AA, questions: q.questions, answers}), rinfo.port, rinfo.address)
    })
    try {
      const out = await probeDns({...base, port: udp.address().port})
      assert.equal(ports.length, 4)
      assert.equal(new Set(ports).size, 1, `source ports ${ports.join(', ')}`)
      assert.equal(out.identity.hostnameBind, out.identity.idServer)
      assert.ok(out.queries.every((q) => q.error === null && q.rttMs !== null))
    } finally {
      udp.close()
    }
  })
})

/** A TCP DNS server counting connections; `onePerConnection`: it answers the first query and closes (as some do). */
async function tcpServer(onePerConnection: boolean): Promise<{port: number; connections: () => number; close: () => Promise<void>}> {
  let connections = 0
  const sockets = new Set<Socket>()
  const srv = createServer((sock) => {
    connections++
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => {})
    let buf = Buffer.alloc(0)
    let answered = false
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
        buf = buf.subarray(2 + msg.length)
        if (onePerConnection && answered) continue
        answered = true
        const out = reply('other-port', dnsPacket.decode(msg), true)
        const framed = Buffer.alloc(2 + out.length)
        framed.writeUInt16BE(out.length, 0)
        out.copy(framed, 2)
        if (onePerConnection) sock.end(framed)
        else sock.write(framed)
      }
    })
  })
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()))
  return {
    port: (srv.address() as {port: number}).port,
    connections: () => connections,
    close: () => new Promise<void>((res) => {
      for (const s of sockets) s.destroy()
      srv.close(() => res())
    }),
  }
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
    const udp = createSocket('udp4')
    await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()))
    udp.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg)
      const name = q.questions![0]!.name
      const answers: dnsPacket.Answer[] = name === 'id.server' ? [{type: 'TXT', class: 'CH', name, ttl: 0, data: ''}] : []
      udp.send(dnsPacket.encode({type: 'response', id: q.id, flags: AA, questions: q.questions, answers}), rinfo.port, rinfo.address)
    })
    try {
      const out = await probeDns({...base, port: udp.address().port})
      assert.deepEqual(out.queries.map((q) => q.rcode), ['NOERROR', 'NOERROR', 'NOERROR', 'NOERROR'])
      assert.deepEqual(out.identity, {hostnameBind: null, idServer: null, versionBind: null, nsid: null})
      assert.equal(resultVerdict(asResult(out, udp.address().port), null), null)
    } finally {
      udp.close()
    }
  })
})

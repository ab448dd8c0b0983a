// A DNS server on loopback for unit tests: UDP (and, when asked, TCP on the same port, RFC 7766
// framing), on 127.0.0.1 or ::1, a random port. What it answers is the test's own `answer`
// function (a CHAOS TXT identity, an NSID, a refusal, silence...); how a UDP reply leaves (late,
// from another port, after stray replies, held back) and how a TCP reply is written (split,
// closing the connection) can be the test's too. It counts what it was asked, by transport.
// Every test file used to write this server again (dns-probe, dns-server-quirks, watch-*, enrich).
import {createSocket, type RemoteInfo, type Socket as UdpSocket} from 'node:dgram'
import {createServer, type Server, type Socket} from 'node:net'

import dnsPacket from 'dns-packet'

import type {probeDns} from '../../src/engines/dns/probe.js'
import type {DnsResult} from '../../src/model/dns.js'
import {closeServer} from './loopback-server.js'

export interface DnsExchange {
  /** the decoded query (a query that does not decode is dropped, counted) */
  query: dnsPacket.DecodedPacket
  transport: 'udp' | 'tcp'
  /** the client's address and source port */
  from: {address: string; port: number}
  /** over TCP: which query of its connection this is (0: the first); over UDP 0 */
  onConnection: number
}

/** The reply to one query: a packet, its bytes, or null to stay silent. */
export type DnsAnswer = (ex: DnsExchange) => dnsPacket.Packet | Buffer | null

export interface UdpSend {
  /** send bytes to the client from the server's port */
  send(buf: Buffer): void
  /** send bytes to the client from another port of the server's host (option otherPort) */
  sendFromOtherPort(buf: Buffer): void
}

export interface DnsServerOptions {
  answer: DnsAnswer
  /** 127.0.0.1 unless given (::1: IPv6) */
  host?: string
  /** serve UDP (default true) */
  udp?: boolean
  /** serve TCP too, on the UDP port (ports are tried until both are free); default false */
  tcp?: boolean
  /** bind a second UDP socket on the host, for replies from another port */
  otherPort?: boolean
  /** how a UDP reply leaves; default: at once, from the server's port */
  sendUdp?: (reply: Buffer, ex: DnsExchange, io: UdpSend) => void
  /** how a framed TCP reply is written; default: one write. Replies of one connection are written one after the other. */
  writeTcp?: (framed: Buffer, sock: Socket, ex: DnsExchange) => void | Promise<void>
}

export interface DnsTestServer {
  port: number
  /** queries received over UDP / over TCP (counted before they are decoded) */
  udpQueries: number
  tcpQueries: number
  /** TCP connections accepted */
  tcpConnections: number
  /** the source port of each UDP query, in order */
  udpFrom: number[]
  close(): Promise<void>
}

/** Start a DNS test server (see DnsServerOptions). */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsTestServer> {
  const host = opts.host ?? '127.0.0.1'
  const family = host.includes(':') ? 'udp6' : 'udp4'
  const wantUdp = opts.udp ?? true
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp: UdpSocket | null = wantUdp ? createSocket(family) : null
    if (udp) await new Promise<void>((res) => udp.bind(0, host, () => res()))
    const other: UdpSocket | null = opts.otherPort ? createSocket(family) : null
    if (other) await new Promise<void>((res) => other.bind(0, host, () => res()))
    const tcp: Server | null = opts.tcp ? createServer() : null
    const ok =
      tcp === null ||
      (await new Promise<boolean>((res) => {
        tcp.once('error', () => res(false))
        tcp.listen(udp ? udp.address().port : 0, host, () => res(true))
      }))
    if (!ok) {
      udp?.close()
      other?.close()
      continue
    }
    const sockets = new Set<Socket>()
    const srv: DnsTestServer = {
      port: udp ? udp.address().port : (tcp!.address() as {port: number}).port,
      udpQueries: 0,
      tcpQueries: 0,
      tcpConnections: 0,
      udpFrom: [],
      close: async () => {
        udp?.close()
        other?.close()
        for (const s of sockets) s.destroy()
        if (tcp) await closeServer(tcp)
      },
    }
    if (udp) serveUdp(udp, other, srv, opts)
    if (tcp) serveTcp(tcp, sockets, srv, opts)
    return srv
  }
  throw new Error('no free port for the test DNS server')
}

function decode(msg: Buffer): dnsPacket.DecodedPacket | null {
  try {
    return dnsPacket.decode(msg)
  } catch {
    return null
  }
}

function bytes(reply: dnsPacket.Packet | Buffer | null): Buffer | null {
  return reply === null || Buffer.isBuffer(reply) ? reply : dnsPacket.encode(reply)
}

function serveUdp(udp: UdpSocket, other: UdpSocket | null, srv: DnsTestServer, opts: DnsServerOptions): void {
  udp.on('message', (msg, rinfo: RemoteInfo) => {
    srv.udpQueries++
    srv.udpFrom.push(rinfo.port)
    const query = decode(msg)
    if (!query) return
    const ex: DnsExchange = {query, transport: 'udp', from: {address: rinfo.address, port: rinfo.port}, onConnection: 0}
    const reply = bytes(opts.answer(ex))
    if (reply === null) return
    const io: UdpSend = {
      send: (buf) => udp.send(buf, rinfo.port, rinfo.address),
      sendFromOtherPort: (buf) => {
        if (!other) throw new Error('startDnsServer: sendFromOtherPort needs otherPort: true')
        other.send(buf, rinfo.port, rinfo.address)
      },
    }
    if (opts.sendUdp) opts.sendUdp(reply, ex, io)
    else io.send(reply)
  })
}

function serveTcp(tcp: Server, sockets: Set<Socket>, srv: DnsTestServer, opts: DnsServerOptions): void {
  tcp.on('connection', (sock) => {
    srv.tcpConnections++
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => {}) // a client that resets is not the test's failure
    let buf = Buffer.alloc(0)
    let seen = 0
    let chain = Promise.resolve()
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
        buf = buf.subarray(2 + msg.length)
        srv.tcpQueries++
        const query = decode(msg)
        if (!query) continue
        const ex: DnsExchange = {query, transport: 'tcp', from: {address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0}, onConnection: seen++}
        const reply = bytes(opts.answer(ex))
        if (reply === null) continue
        const framed = frame(reply)
        chain = chain.then(async () => {
          if (opts.writeTcp) await opts.writeTcp(framed, sock, ex)
          else sock.write(framed)
        })
      }
    })
  })
}

/** A DNS message with its TCP length prefix. */
export function frame(msg: Buffer): Buffer {
  const framed = Buffer.alloc(2 + msg.length)
  framed.writeUInt16BE(msg.length, 0)
  msg.copy(framed, 2)
  return framed
}

export const AA = dnsPacket.AUTHORITATIVE_ANSWER

/** The response frame of `query`: its id and question, AA set (flags as given), nothing in it yet. */
export function responseTo(query: dnsPacket.DecodedPacket, flags = AA): dnsPacket.Packet {
  return {type: 'response', id: query.id, flags, questions: query.questions}
}

/** An authoritative answer of one TXT record (class CH, the question's owner name unless given) holding `data`. */
export function txtReply(query: dnsPacket.DecodedPacket, data: string | string[], rr: {class?: 'CH' | 'IN'; name?: string; ttl?: number} = {}): dnsPacket.Packet {
  const name = rr.name ?? query.questions![0]!.name
  return {...responseTo(query), answers: [{type: 'TXT', class: rr.class ?? 'CH', name, ...(rr.ttl === undefined ? {} : {ttl: rr.ttl}), data}]}
}

/** An EDNS OPT record carrying NSID (option 3) `data`. */
export function nsidOpt(data: Buffer | string): dnsPacket.Answer {
  const nsid = typeof data === 'string' ? Buffer.from(data) : data
  return {type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{code: 3, data: nsid} as unknown as dnsPacket.PacketOpt]} as dnsPacket.Answer
}

/** The query carries an OPT record. */
export const hasOpt = (query: dnsPacket.DecodedPacket): boolean => (query.additionals ?? []).some((rr) => rr.type === 'OPT')

/** The query asks for NSID (an OPT record with option 3). */
export const asksNsid = (query: dnsPacket.DecodedPacket): boolean =>
  (query.additionals ?? []).some((rr) => rr.type === 'OPT' && ((rr as dnsPacket.OptAnswer).options as Array<{code: number}>).some((o) => o.code === 3))

/** The `dns` result document a local run of probeDns's `out` makes (for schema, verdict and render checks). */
export function localDnsResult(out: Awaited<ReturnType<typeof probeDns>>, at: {addr?: string; port?: number} = {}): DnsResult {
  const addr = at.addr ?? '127.0.0.1'
  return {
    schemaVersion: 1,
    kind: 'dns',
    target: addr,
    targetAddr: addr,
    port: at.port ?? 53,
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

// The real transport: raw sockets via @neuralegion/raw-socket (Linux; needs root or CAP_NET_RAW).
//
//  icmp: one raw ICMP (ICMPv6) socket sends echo requests and reads every reply.
//  udp:  a raw UDP socket sends our hand-built datagrams (receive paused); a raw ICMP socket reads
//        time exceeded / unreachable, since a dgram socket never reports ICMP errors to us.
//  tcp:  a raw TCP socket sends SYNs and reads SYN-ACK / RST; a raw ICMP socket reads the errors.
//
// The TTL / hop limit is set in send()'s beforeCallback, right before the packet leaves (sends are
// queued by the library), and that is also when the send time is taken. UDP and TCP over IPv4 carry
// an IP header we write (IP_HDRINCL), with the TTL and the source address their checksum used. Raw
// sockets see every packet of their protocol on the host: ProbeCodec keeps only this trace's replies.

import {createRequire} from 'node:module'
import {execFile} from 'node:child_process'
import * as dgram from 'node:dgram'
import * as os from 'node:os'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {TraceProtocol} from '../../model/trace.js'
import {DEFAULT_PORT, isValidFlowId, type MatchedReply, ProbeCodec, randomFlowId} from './flow.js'
import {DNS_PORT, encodeIcmpEcho, encodeIpv4Header, normalizeIp, parseIp} from './packet.js'
import type {ProbeIdentity} from './dns-identity.js'
import {type TraceIdLease, traceIds} from './trace-ids.js'
import type {OutgoingProbe, ReplyEvent, TraceTransport} from './transport.js'

type RawModule = typeof import('@neuralegion/raw-socket')
type RawSocket = import('@neuralegion/raw-socket').Socket

/** A raw send completes in microseconds; one whose callback has not come by then never will. */
export const SEND_DEADLINE_MS = 1000

export const NO_RAW_SOCKET_HINT = 'run as root, or grant CAP_NET_RAW: sudo setcap cap_net_raw+ep $(command -v node)'

let rawModule: RawModule | null = null

/** Load the native module only when a raw transport is actually made. */
function loadRaw(): RawModule {
  if (rawModule) return rawModule
  try {
    const require = createRequire(import.meta.url)
    rawModule = require('@neuralegion/raw-socket') as RawModule
    return rawModule
  } catch (e) {
    throw new AnyprobeError('E_INTERNAL', `cannot load the raw socket module: ${(e as Error).message}`, {cause: e})
  }
}

export interface RawTransportOptions {
  /** the address to trace to */
  target: string
  family: 4 | 6
  protocol: TraceProtocol
  /** destination port for UDP (default 33434) / TCP (default 80) */
  port?: number | null
  /** Paris flow id 1..65535; random when null or absent */
  flowId?: number | null
  /**
   * per-trace id 0..65535 that tells our replies from other traces'; when absent, one that no other
   * trace of this process has in flight (trace-ids.ts), held until close(). A caller that gives it
   * keeps it distinct itself (the watch prober draws it from the same registry).
   */
  traceId?: number
  /** our source address; found with a connected UDP socket (which sends nothing) when absent */
  source?: string | null
  /** receive buffer size requested for the receiving sockets (bytes) */
  recvBufferBytes?: number
}

function isPermissionError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e)
  const code = (e as {code?: unknown} | null)?.code
  return code === 'EPERM' || code === 'EACCES' || /operation not permitted|permission denied/i.test(msg)
}

function isTransientSendError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e)
  return /resource temporarily unavailable|no buffer space available/i.test(msg)
}

/**
 * E_NETWORK for a failed socket call. This host having no route (ENETUNREACH, EHOSTUNREACH: no
 * default route, a VPN or an interface down, an IPv6 target without IPv6 here) gets a hint saying
 * so: the bare 'Network is unreachable' read like an answer from the network.
 */
export function networkError(what: string, e: unknown): AnyprobeError {
  const msg = e instanceof Error ? e.message : String(e)
  const code = (e as {code?: unknown} | null)?.code
  const noRoute = code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || /network is unreachable|no route to host/i.test(msg)
  const hint = noRoute ? 'this host has no route to the target: "ip route get ADDRESS" shows what the kernel would do' : undefined
  return new AnyprobeError('E_NETWORK', `${what}: ${msg}`, {exitCode: EXIT.network, cause: e, ...(hint ? {hint} : {})})
}

function openSocket(raw: RawModule, family: 4 | 6, protocol: number, what: string): RawSocket {
  try {
    return raw.createSocket({
      addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
      protocol,
      bufferSize: 65535,
    })
  } catch (e) {
    if (isPermissionError(e)) {
      throw new AnyprobeError('E_NO_RAW_SOCKET', `cannot open a raw ${what} socket: ${(e as Error).message}`, {
        hint: NO_RAW_SOCKET_HINT,
        exitCode: EXIT.privilege,
        cause: e,
      })
    }
    throw networkError(`cannot open a raw ${what} socket`, e)
  }
}

/**
 * The source address the kernel would use toward `target` for the flow from source port `sport` to
 * `port`: connect a UDP socket bound to the flow's own source port (no packet is sent). With a
 * multipath route hashing on L4 ports, a random ephemeral port drew a random uplink, and its
 * address then went out on whichever uplink the raw socket's port-less route lookup chose: replies
 * came back the other way, RTTs and the PoP were those of a path the flow does not take. When the
 * port is busy here (another socket holds it without SO_REUSEADDR), an ephemeral port is used: the
 * raw socket is still pinned to that source's device (sourceDevice), so source and egress agree.
 */
export async function discoverSource(target: string, family: 4 | 6, port = 33434, sport: number | null = null): Promise<string> {
  if (sport !== null) {
    try {
      return await connectFrom(target, family, port, sport)
    } catch (e) {
      if ((e as {code?: unknown}).code !== 'EADDRINUSE' && (e as {code?: unknown}).code !== 'EACCES') throw networkError(`no route to ${target}`, e)
    }
  }
  return connectFrom(target, family, port, null).catch((e: unknown) => {
    throw networkError(`no route to ${target}`, e)
  })
}

/**
 * TCP: the source of the kernel's route for the flow's own 5-tuple, asked of `ip route get` (iproute2).
 * A UDP socket's lookup hashes protocol 17, and a multipath route hashing on L4 counts the protocol:
 * in the lab 3 flows in 8 went out the other uplink for TCP than for UDP with the same ports.
 * Falls back to the UDP lookup when `ip` is missing or says nothing.
 */
export async function discoverTcpSource(target: string, family: 4 | 6, port: number, sport: number): Promise<string> {
  const fromIp = await new Promise<string | null>((resolve) => {
    execFile('ip', ['-j', `-${family}`, 'route', 'get', target, 'ipproto', 'tcp', 'sport', String(sport), 'dport', String(port)], {timeout: 2000}, (err, stdout) => {
      if (err) return resolve(null)
      resolve(prefsrcOf(stdout))
    })
  })
  return fromIp ?? discoverSource(target, family, port, sport)
}

/** The prefsrc of `ip -j route get`'s answer, or null. */
export function prefsrcOf(json: string): string | null {
  try {
    const r = (JSON.parse(json) as Array<{prefsrc?: unknown}>)[0]
    return typeof r?.prefsrc === 'string' && parseIp(r.prefsrc) ? normalizeIp(r.prefsrc) : null
  } catch {
    return null
  }
}

function connectFrom(target: string, family: 4 | 6, port: number, sport: number | null): Promise<string> {
  return new Promise((resolve, reject) => {
    // reuseAddr: two traces of the same flow id at once may both look their route up
    const sock = dgram.createSocket({type: family === 4 ? 'udp4' : 'udp6', reuseAddr: true})
    const done = (fn: () => void): void => {
      try {
        sock.close()
      } catch {
        // already closed
      }
      fn()
    }
    sock.once('error', (e) => done(() => reject(e)))
    const connect = (): void =>
      sock.connect(port, target, () => {
        try {
          const {address} = sock.address()
          done(() => resolve(normalizeIp(address)))
        } catch (e) {
          done(() => reject(e))
        }
      })
    if (sport === null) connect()
    else sock.bind({port: sport}, connect)
  })
}

/**
 * The network device that holds `address` (the one a discovered source came from), or null when
 * none or several do, or it is a loopback one (an address on lo used as a route's src: pinning to
 * lo would send nothing out).
 */
export function sourceDevice(address: string, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string | null {
  const want = normalizeIp(address)
  const names = Object.entries(interfaces)
    .filter(([, infos]) => (infos ?? []).some((i) => !i.internal && normalizeIp(i.address.replace(/%.*$/, '')) === want))
    .map(([name]) => name)
  return names.length === 1 ? names[0]! : null
}

/**
 * Pin a send socket to the device that holds `source`. A raw socket's route lookup knows no ports,
 * so on a multipath route it picks one uplink for every flow, whatever the source address says;
 * pinned, it leaves by the device of the source that the flow's own route lookup chose. Only the
 * sending sockets are pinned: replies may come back on any device. Returns the device, or null
 * when there is none to pin to (the kernel then routes as before).
 */
function pinToDevice(raw: RawModule, sock: RawSocket, source: string): string | null {
  const device = sourceDevice(source)
  if (device === null) return null
  const SO_BINDTODEVICE = (raw.SocketOption as unknown as Record<string, number>).SO_BINDTODEVICE
  if (SO_BINDTODEVICE === undefined) return null
  const name = Buffer.from(`${device}\0`)
  try {
    sock.setOption(raw.SocketLevel.SOL_SOCKET, SO_BINDTODEVICE, name as unknown as number, name.length)
    return device
  } catch {
    return null // e.g. an old kernel without the privilege for it: the route lookup decides
  }
}

type Matcher = (buf: Buffer, src: string) => MatchedReply | null

export class RawTransport implements TraceTransport {
  readonly flowId: number
  readonly traceId: number
  /** our source address; null for ICMP over IPv4, where the kernel chooses it */
  readonly source: string | null
  readonly target: string
  readonly codec: ProbeCodec
  /**
   * UDP and TCP: the device the send socket is pinned to (SO_BINDTODEVICE), the one holding the
   * source address, so that probes leave where their source address says; null when not pinned.
   */
  readonly device: string | null = null
  /** packets read from the raw sockets, and how many of them were replies to this trace */
  readonly stats = {packets: 0, matched: 0}
  /** packets read from any socket so far (drain watches it) */
  private reads = 0
  private readonly raw: RawModule
  private readonly family: 4 | 6
  private readonly sendSocket: RawSocket
  private readonly sockets: RawSocket[] = []
  private onReply: ((r: ReplyEvent) => void) | null = null
  private onError: ((e: Error) => void) | null = null
  private closed = false
  private closing: Promise<void> | null = null
  /** packets read and not yet matched, with the time each was read (see receive) */
  private inbox: Array<{buf: Buffer; source: string; recvTime: bigint; match: Matcher}> = []
  private drainTimer: NodeJS.Timeout | null = null
  /** sends whose callback has not come yet: each settles once (callback, deadline or close) */
  private readonly pendingSends = new Set<(err: Error | null, at?: bigint) => void>()
  /** DNS probes (UDP to port 53): the socket bound to the flow's port, where the answers arrive */
  private readonly dnsSocket: dgram.Socket | null
  /**
   * UDP and TCP over IPv4: we write the IP header (IP_HDRINCL), so the packet carries the source
   * address its checksum was computed with (encodeIpv4Header says why); null otherwise.
   */
  private readonly ipHeader: {src: Buffer; dst: Buffer; protocol: number} | null = null
  /** the trace id drawn for this transport (none when the caller gave it), released on close */
  private readonly traceIdLease: TraceIdLease | null

  /** Use createRawTransport(): it finds the source address first (and binds DNS probes' port). */
  constructor(opts: RawTransportOptions & {source: string | null}, dns: DnsAnswers | null = null) {
    const dnsSocket = dns?.socket ?? null
    this.dnsSocket = dnsSocket
    this.raw = loadRaw()
    this.family = opts.family
    this.target = normalizeIp(opts.target)
    this.source = opts.source === null ? null : normalizeIp(opts.source)
    this.flowId = opts.flowId ?? randomFlowId()
    this.traceIdLease = opts.traceId === undefined ? traceIds.acquire(opts.protocol) : null
    this.traceId = opts.traceId ?? this.traceIdLease!.id
    try {
      this.codec = new ProbeCodec({
        family: opts.family,
        protocol: opts.protocol,
        target: this.target,
        source: this.source,
        port: opts.protocol === 'icmp' ? null : (opts.port ?? DEFAULT_PORT[opts.protocol]),
        flowId: this.flowId,
        traceId: this.traceId,
      })
    } catch (e) {
      this.traceIdLease?.release()
      dnsSocket?.close()
      throw e
    }
    const raw = this.raw
    const icmpProto = opts.family === 4 ? raw.Protocol.ICMP : raw.Protocol.ICMPv6
    const icmpName = opts.family === 4 ? 'ICMP' : 'ICMPv6'
    try {
      const icmp = this.track(openSocket(raw, opts.family, icmpProto, icmpName))
      this.receive(icmp, (buf, src) => this.codec.matchIcmpPacket(buf, src))
      if (opts.protocol === 'icmp') {
        this.sendSocket = icmp
      } else if (opts.protocol === 'udp') {
        this.sendSocket = this.track(openSocket(raw, opts.family, raw.Protocol.UDP, 'UDP'))
        // we only send on it; every UDP datagram for the host would otherwise be copied to us
        ;(this.sendSocket as unknown as {pauseRecv(): void}).pauseRecv()
      } else {
        // one socket sends (pinned to a device below), another hears SYN-ACK / RST on any device
        this.sendSocket = this.track(openSocket(raw, opts.family, raw.Protocol.TCP, 'TCP'))
        ;(this.sendSocket as unknown as {pauseRecv(): void}).pauseRecv()
        this.receive(this.track(openSocket(raw, opts.family, raw.Protocol.TCP, 'TCP')), (buf, src) => this.codec.matchTcpPacket(buf, src))
      }
      if (opts.protocol !== 'icmp' && this.source !== null) this.device = pinToDevice(raw, this.sendSocket, this.source)
      if (opts.protocol !== 'icmp' && opts.family === 4 && this.source !== null) {
        this.sendSocket.setOption(raw.SocketLevel.IPPROTO_IP, raw.SocketOption.IP_HDRINCL, 1)
        this.ipHeader = {src: parseIp(this.source)!, dst: parseIp(this.target)!, protocol: this.codec.ipProtocol}
      }
      const rcvbuf = opts.recvBufferBytes ?? 1 << 20
      for (const s of this.sockets) {
        try {
          s.setOption(raw.SocketLevel.SOL_SOCKET, raw.SocketOption.SO_RCVBUF, rcvbuf)
        } catch {
          // the default buffer will do
        }
      }
      if (dnsSocket) {
        dnsSocket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
          const recvTime = process.hrtime.bigint()
          this.enqueue(msg, rinfo.address, recvTime, (b, src) => {
            const m = this.codec.matchDnsReply(b, src, rinfo.port)
            if (!m) return null
            const said = dns!.identity(b)
            return {...m, identity: said.strings, identitySources: said.sources}
          })
        })
        dnsSocket.on('error', () => {}) // a lost answer is a silent probe
      }
    } catch (e) {
      for (const s of this.sockets) s.close()
      dnsSocket?.close()
      this.traceIdLease?.release()
      throw e
    }
  }

  private track(s: RawSocket): RawSocket {
    this.sockets.push(s)
    s.on('error', (e: Error) => {
      if (this.closed) return
      this.onError?.(networkError('raw socket error', e))
    })
    return s
  }

  private receive(s: RawSocket, match: Matcher): void {
    s.on('message', (buf: Buffer, source: string) => {
      // Only the time and a copy are taken here (the library reuses its receive buffer); matching
      // and the engine's evaluation run once the burst is read (deliver). The library reads one
      // packet per event-loop turn, so work done per packet delays the time taken for every packet
      // queued behind it: the 81 echo replies of a trace's far TTLs came out up to 2 ms slower than
      // they arrived, and the adaptive wait grew with them.
      const recvTime = process.hrtime.bigint()
      this.enqueue(Buffer.from(buf), source, recvTime, match)
    })
  }

  /** Keep a packet (read at recvTime) for deliver, which runs once the burst is read. */
  private enqueue(buf: Buffer, source: string, recvTime: bigint, match: Matcher): void {
    this.reads++
    if (this.closed || !this.onReply) return
    this.inbox.push({buf, source, recvTime, match})
    this.drainTimer ??= setTimeout(() => this.deliver(), 0)
  }

  /**
   * Read what is waiting, then deliver it (TraceTransport.drain says why). The library reads one
   * packet per socket per event-loop turn (level-triggered poll), and an immediate set from the
   * check phase runs after the next turn's poll: turns go on until one reads nothing (at most 256,
   * so a flood cannot hold the trace), then the packets read are matched and handed over at once.
   * (The first immediate may run in the current turn's check phase, with no poll before it: it only
   * takes the count.)
   */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      let turns = 0
      let before = -1
      const turn = (): void => {
        if (!this.closed && this.reads !== before && ++turns < 256) {
          before = this.reads
          setImmediate(turn)
          return
        }
        if (this.drainTimer) {
          clearTimeout(this.drainTimer)
          this.deliver()
        }
        resolve()
      }
      setImmediate(turn)
    })
  }

  private deliver(): void {
    this.drainTimer = null
    const batch = this.inbox
    this.inbox = []
    for (const p of batch) {
      if (this.closed || !this.onReply) return
      this.stats.packets++
      const m = p.match(p.buf, p.source)
      if (!m) continue
      this.stats.matched++
      this.onReply({...m, recvTime: p.recvTime})
    }
  }

  /**
   * Run the receive path once before the first probe: one ICMP echo to loopback, read back on the
   * ICMP socket (it sees its own request and the kernel's reply) and matched (it is not ours). The
   * first packet read was ~0.3 ms late while the library's and our handlers were compiled, so the
   * first probe at TTL 1 read 0.35-0.55 ms on a 0.03 ms hop, and the first burst of replies after a
   * long wait (a 30 ms path) read ~1-2 ms late. Best effort: a namespace without a
   * loopback just skips it. Loopback only, so nothing leaves the host.
   */
  async warmUp(timeoutMs = 20): Promise<void> {
    await Promise.all([this.warmIcmp(timeoutMs), this.warmDns(timeoutMs)])
  }

  /**
   * DNS probes: the same for the socket the answers arrive on (the first answers read ~1.2 ms late
   * where the wire showed 0.1 ms): one datagram to it from a socket of our own, delivered inside
   * the host (the address is ours).
   */
  private warmDns(timeoutMs: number): Promise<void> {
    const dns = this.dnsSocket
    if (!dns || this.source === null || this.closed) return Promise.resolve()
    const sock = dgram.createSocket(this.family === 4 ? 'udp4' : 'udp6')
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        dns.off('message', onMessage)
        try {
          sock.close()
        } catch {
          // already closed
        }
        resolve()
      }
      const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
        this.codec.matchDnsReply(msg, rinfo.address, rinfo.port)
        done()
      }
      const timer = setTimeout(done, timeoutMs)
      dns.on('message', onMessage)
      sock.on('error', done)
      sock.send(Buffer.alloc(12), this.flowId, this.source!, (err) => {
        if (err) done()
      })
    })
  }

  private warmIcmp(timeoutMs: number): Promise<void> {
    const icmp = this.sockets[0]
    if (!icmp || this.closed) return Promise.resolve()
    const v4 = this.family === 4
    const echo = encodeIcmpEcho({family: this.family, identifier: (this.traceId + 1) & 0xffff, sequence: 0xffff, checksum: this.flowId, ...(v4 ? {} : {src: parseIp('::1')!, dst: parseIp('::1')!})})
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        icmp.off('message', onMessage)
        resolve()
      }
      const onMessage = (buf: Buffer, src: string): void => {
        this.codec.matchIcmpPacket(buf, src)
        done()
      }
      const timer = setTimeout(done, timeoutMs)
      icmp.on('message', onMessage)
      // through sendOn, as the probes go: its code is compiled by the time the first probe leaves
      this.sendOn(icmp, echo, v4 ? '127.0.0.1' : '::1', 64).catch(done)
    })
  }

  send(probe: OutgoingProbe): Promise<bigint> {
    if (this.closed) return Promise.reject(new AnyprobeError('E_INTERNAL', 'send on a closed transport'))
    const l4 = this.codec.encode(probe.key)
    const ip = this.ipHeader
    // with our own IP header the TTL is in it; otherwise it is set on the socket right before the send
    const buf = ip ? Buffer.concat([encodeIpv4Header({...ip, ttl: probe.ttl, payloadLength: l4.length}), l4]) : l4
    return this.sendOn(this.sendSocket, buf, this.target, ip ? null : probe.ttl)
  }

  /** Send buf to address on sock (setting the TTL first unless null); resolves with the send time. */
  private sendOn(sock: RawSocket, buf: Buffer, address: string, ttl: number | null): Promise<bigint> {
    const level = this.family === 4 ? this.raw.SocketLevel.IPPROTO_IP : this.raw.SocketLevel.IPPROTO_IPV6
    const option = this.family === 4 ? this.raw.SocketOption.IP_TTL : this.raw.SocketOption.IPV6_UNICAST_HOPS
    return new Promise<bigint>((resolve0, reject0) => {
      // The library's send callback has been seen never to come (watch --method icmp|trace lost
      // 1.5-5% of probes that way, and a child then never ended): a send ends by its deadline,
      // or when the transport closes, as a network error, so the probe is lost, not hung.
      const deadline = setTimeout(() => settle(networkError(`cannot send a probe to ${address}`, new Error(`the send did not complete within ${SEND_DEADLINE_MS} ms`))), SEND_DEADLINE_MS)
      const settle = (err: Error | null, at = 0n): void => {
        if (!this.pendingSends.delete(settle)) return
        clearTimeout(deadline)
        if (err) reject0(err)
        else resolve0(at)
      }
      this.pendingSends.add(settle)
      const resolve = (at: bigint): void => settle(null, at)
      const reject = (err: Error): void => settle(err)
      let attempts = 0
      const attempt = (): void => {
        let sentAt = 0n
        sock.send(
          buf,
          0,
          buf.length,
          address,
          () => {
            if (ttl !== null) sock.setOption(level, option, ttl)
            sentAt = process.hrtime.bigint()
          },
          (err) => {
            if (!err) {
              resolve(sentAt)
            } else if (isTransientSendError(err) && attempts++ < 50 && !this.closed) {
              setTimeout(attempt, 2)
            } else {
              reject(networkError(`cannot send a probe to ${address}`, err))
            }
          },
        )
      }
      attempt()
    })
  }

  listen(onReply: (reply: ReplyEvent) => void, onError: (error: Error) => void): () => void {
    this.onReply = onReply
    this.onError = onError
    return () => {
      if (this.onReply === onReply) this.onReply = null
      if (this.onError === onError) this.onError = null
    }
  }

  close(): Promise<void> {
    if (this.closing) return this.closing
    this.closed = true
    // nothing of this trace is read any more: its id may go to the next trace
    this.traceIdLease?.release()
    for (const settle of [...this.pendingSends]) settle(new AnyprobeError('E_NETWORK', `the transport to ${this.target} closed before a probe was sent`, {exitCode: EXIT.network}))
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.inbox = []
    try {
      this.dnsSocket?.close()
    } catch {
      // already closed
    }
    this.onReply = null
    this.onError = null
    this.closing = Promise.all(
      this.sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 200)
            t.unref()
            s.once('close', () => {
              clearTimeout(t)
              resolve()
            })
            try {
              s.close()
            } catch {
              clearTimeout(t)
              resolve()
            }
          }),
      ),
    ).then(() => undefined)
    return this.closing
  }
}

/**
 * Open the raw sockets for one trace. Throws E_NO_RAW_SOCKET (exit 5) without privilege,
 * E_NETWORK when there is no route to the target, E_BAD_TARGET for a bad address.
 */
export async function createRawTransport(opts: RawTransportOptions): Promise<RawTransport> {
  const bytes = parseIp(opts.target)
  if (!bytes || bytes.length !== (opts.family === 4 ? 4 : 16)) {
    throw new AnyprobeError('E_BAD_TARGET', `${opts.target} is not an IPv${opts.family} address`, {exitCode: EXIT.usage})
  }
  if (opts.flowId !== undefined && opts.flowId !== null && !isValidFlowId(opts.flowId)) {
    throw new AnyprobeError('E_USAGE', `flow id must be an integer from 1 to 65535 (got ${opts.flowId})`, {exitCode: EXIT.usage})
  }
  const port = opts.protocol === 'icmp' ? null : (opts.port ?? DEFAULT_PORT[opts.protocol])
  if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new AnyprobeError('E_USAGE', `port must be an integer from 1 to 65535 (got ${port})`, {exitCode: EXIT.usage})
  }
  // ICMP over IPv4 has no pseudo-header checksum, so it needs no source address: the kernel picks
  // it, and a missing route shows as the first send failing (E_NETWORK) instead (~1.5 ms saved)
  const needSource = opts.protocol !== 'icmp' || opts.family === 6
  if (!needSource) return warm(new RawTransport({...opts, port, source: opts.source ?? null}))
  // UDP and TCP: the source is looked up for the flow's own ports (discoverSource says why), so the
  // flow id is drawn first. ICMP has no ports to hash.
  const sourceFor = (flowId: number | null): Promise<string> =>
    opts.source
      ? Promise.resolve(opts.source)
      : opts.protocol === 'tcp' && flowId !== null
        ? discoverTcpSource(opts.target, opts.family, port ?? 80, flowId)
        : discoverSource(opts.target, opts.family, port ?? 33434, flowId)
  if (opts.protocol !== 'udp' || port !== DNS_PORT) {
    const flowId = opts.protocol === 'icmp' ? (opts.flowId ?? null) : (opts.flowId ?? randomFlowId())
    return warm(new RawTransport({...opts, port, flowId, source: await sourceFor(opts.protocol === 'icmp' ? null : flowId)}))
  }
  const bound = await bindFlowPort(opts.family, sourceFor, opts.flowId ?? null)
  const {dnsProbeIdentity} = await import('./dns-identity.js')
  return warm(new RawTransport({...opts, port, source: bound.source, flowId: bound.port}, {socket: bound.socket, identity: dnsProbeIdentity}))
}

async function warm(t: RawTransport): Promise<RawTransport> {
  await t.warmUp()
  return t
}

/** DNS probes: where their answers arrive, and how to read what an answer says of its server. */
interface DnsAnswers {
  socket: dgram.Socket
  identity: (answer: Buffer) => ProbeIdentity
}

/**
 * DNS probes: a UDP socket bound to the flow's source port, so the server's answers reach us (and
 * the kernel does not answer them with port unreachable). A random flow id is drawn again when its
 * port is taken; a --flow-id whose port is taken is a usage error.
 */
async function bindFlowPort(family: 4 | 6, sourceFor: (port: number) => Promise<string>, flowId: number | null): Promise<{socket: dgram.Socket; port: number; source: string}> {
  for (let attempt = 1; ; attempt++) {
    const port = flowId ?? randomFlowId()
    const source = await sourceFor(port)
    const socket = dgram.createSocket(family === 4 ? 'udp4' : 'udp6')
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind({port, address: source, exclusive: true}, () => {
          socket.off('error', reject)
          resolve()
        })
      })
      return {socket, port, source}
    } catch (e) {
      socket.close()
      if (flowId !== null) {
        throw new AnyprobeError('E_USAGE', `--flow-id ${flowId}: UDP port ${flowId} is in use here, and DNS probes (UDP to port 53) receive their answers on it`, {
          hint: 'choose another --flow-id, or leave it out for a free one',
          exitCode: EXIT.usage,
          cause: e,
        })
      }
      if (attempt >= 8) throw networkError('cannot bind a UDP port for the DNS answers', e)
    }
  }
}

// The two ways a DNS message travels: one UDP datagram, or a TCP stream with a 2-byte length prefix
// (RFC 1035 4.2.2). Over UDP the exchanges of one probe share a socket (one flow, see UdpExchanger),
// replies matched to queries by id and question; over TCP they are pipelined on one connection.
// The probe logic talks only to `DnsExchanger`,
// so it can be driven by a fake in tests; these real transports are tested against local servers.
import {createSocket} from 'node:dgram'
import {connect as tcpConnect, type Socket} from 'node:net'

import type {DnsQueryError, DnsTransport} from '../../model/dns.js'
import {hasLocalRoute} from '../local-route.js'

export interface ExchangeReply {
  reply: Buffer
  /** from the moment the query was handed to the socket to the reply, from hrtime */
  rttMs: number
}

export class DnsExchangeError extends Error {
  readonly kind: DnsQueryError
  constructor(kind: DnsQueryError, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : {cause})
    this.name = 'DnsExchangeError'
    this.kind = kind
  }
}

export interface DnsExchanger {
  /**
   * Send one query; resolve with the first reply `accept` takes (others are ignored: late replies to
   * an earlier query, spoofed ids), or reject with a DnsExchangeError when none comes in `timeoutMs`.
   */
  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply>
}

export interface Endpoint {
  addr: string
  port: number
  family: 4 | 6
}

export function makeExchanger(transport: DnsTransport, to: Endpoint): DnsExchanger {
  return transport === 'tcp' ? new TcpExchanger(to) : new UdpExchanger(to)
}

function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6
}

/**
 * What a socket error says, for the one-shot probe and the watch's flows alike: refused (port
 * closed), unreachable (an ICMP unreachable or prohibited from a router or the target's firewall),
 * else network. Where the code could also be this host's own (no route: a TCP connect, a UDP
 * send), routeCheckedKind decides; a failed UDP connect is always 'network' (it sends nothing).
 */
function errorKind(err: NodeJS.ErrnoException): DnsQueryError {
  if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') return 'refused'
  return UNREACHABLE_CODES.has(err.code ?? '') ? 'unreachable' : 'network'
}

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EACCES'])

/**
 * An error code that an ICMP unreachable on the way and this host's own routing table both give
 * (ENETUNREACH, EHOSTUNREACH: a TCP connect that failed, a UDP send on a socket whose route has
 * gone since it connected): a UDP connect to the same address (nothing sent) tells which
 * (../local-route.ts): no route here is 'network', else the network said no, 'unreachable'.
 */
async function routeCheckedKind(err: NodeJS.ErrnoException, to: Endpoint): Promise<DnsQueryError> {
  const kind = errorKind(err)
  if (kind !== 'unreachable') return kind
  return (await hasLocalRoute(to.addr, to.port)) ? 'unreachable' : 'network'
}

type Finish = (err: DnsExchangeError | null, value?: ExchangeReply) => void

/**
 * An exchange waiting in `pending` (either exchanger's): settled once, by a reply, an error or its
 * timeout, then out of `pending`; `lastGone` closes the shared socket when it was the last.
 */
function waitFor<P extends {finish: Finish}>(
  pending: Set<P>,
  lastGone: () => void,
  timeoutMs: number,
  resolve: (v: ExchangeReply) => void,
  reject: (e: DnsExchangeError) => void,
  fields: Omit<P, 'finish'>,
): P {
  let done = false
  const p = {
    ...fields,
    finish: (err: DnsExchangeError | null, value?: ExchangeReply) => {
      if (done) return
      done = true
      clearTimeout(timer)
      pending.delete(p)
      if (pending.size === 0) lastGone()
      if (err) reject(err)
      else resolve(value!)
    },
  } as P
  const timer = setTimeout(() => p.finish(new DnsExchangeError('timeout', `no reply within ${timeoutMs} ms`)), timeoutMs)
  pending.add(p)
  return p
}

interface UdpPending {
  accept: (reply: Buffer) => boolean
  sentAt: bigint | null
  finish: Finish
}

export interface UdpExchangerOptions {
  /**
   * Keep the socket (so its source port: one flow) open between exchanges, until retire() or
   * close(): watch's flows (vantage/live/flows.ts), where a flow keeps its port round after round.
   * The socket does not keep the process alive. Default: closed when no exchange is left.
   */
  keepOpen?: boolean
}

/**
 * Over UDP the exchanges that run at the same time share one socket, so one source port: one
 * flow. An anycast route split per flow (ECMP across sites; the lab's ap-vp-ecmp) sent each
 * identity query on a socket of its own down its own path, and hostname.bind could come from FRA
 * while NSID came from IAD: one result naming two sites, the verdict picking by count. On one flow
 * they take one path, as `watch --flows` assumes. Replies are matched to their query by `accept`
 * (the probe gives each query its own id); the socket closes when no exchange is left, so a later
 * exchange gets a new one, unless `keepOpen` (the watch's flows, one exchanger each).
 */
export class UdpExchanger implements DnsExchanger {
  private sock: ReturnType<typeof createSocket> | null = null
  private connected = false
  private readonly pending = new Set<UdpPending>()
  /** queries waiting for the socket to connect */
  private queued: Array<{query: Buffer; p: UdpPending}> = []
  private keepOpen: boolean
  private port: number | null = null
  /** open() calls waiting for the socket to connect (or fail, or close) */
  private opening: Array<() => void> = []

  constructor(
    private readonly to: Endpoint,
    opts: UdpExchangerOptions = {},
  ) {
    this.keepOpen = opts.keepOpen ?? false
  }

  /** the socket's source port once connected; null without an open socket */
  get localPort(): number | null {
    return this.port
  }

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    return new Promise((resolve, reject) => {
      const p = waitFor<UdpPending>(this.pending, () => this.lastGone(), timeoutMs, resolve, reject, {accept, sentAt: null})
      const sock = this.socket()
      if (this.connected) this.send(sock, query, p)
      else this.queued.push({query, p})
    })
  }

  /**
   * Open the socket now (bound to its source port and connected) rather than at the first
   * exchange: resolves once it is connected, or its connect failed, or it was closed. A renewed
   * flow (vantage/live/flows.ts) takes its new port this way before the old socket lets its go.
   */
  open(): Promise<void> {
    this.socket()
    if (this.connected) return Promise.resolve()
    return new Promise((resolve) => this.opening.push(resolve))
  }

  /** No more exchanges for a kept socket: it closes when the last one in flight has ended. */
  retire(): void {
    this.keepOpen = false
    if (this.pending.size === 0) this.closeSocket()
  }

  /** End the exchanges in flight (a network error saying `reason`) and close the socket; a later exchange opens a new one. */
  close(reason = 'the exchanger was closed'): void {
    for (const p of [...this.pending]) p.finish(new DnsExchangeError('network', reason))
    this.closeSocket()
  }

  private lastGone(): void {
    if (!this.keepOpen) this.closeSocket()
  }

  private socket(): ReturnType<typeof createSocket> {
    if (this.sock !== null) return this.sock
    const sock = createSocket(this.to.family === 6 ? 'udp6' : 'udp4')
    this.sock = sock
    this.connected = false
    // a kept socket waits for the next round: the process ends when its work does, not when this closes
    if (this.keepOpen) sock.unref()
    // an ICMP error (port unreachable: ECONNREFUSED on a connected socket) ends every exchange on it
    sock.on('error', (err: NodeJS.ErrnoException) => {
      for (const p of [...this.pending]) p.finish(new DnsExchangeError(errorKind(err), err.message, err))
    })
    sock.on('message', (msg) => {
      // the time first, and the decoding (accept) after every reply already in is timed: the
      // identity queries' replies arrive together, and a first decode (~1 ms: dns-packet's code
      // is compiled) was counted in the RTT of every reply behind it
      const at = process.hrtime.bigint()
      const waiting = [...this.pending].filter((p) => p.sentAt !== null).map((p) => ({p, rttMs: Number(at - p.sentAt!) / 1e6}))
      if (waiting.length === 0) return
      setImmediate(() => {
        for (const {p, rttMs} of waiting) {
          if (!this.pending.has(p) || !p.accept(msg)) continue
          p.finish(null, {reply: msg, rttMs})
          return
        }
      })
    })
    // a connected socket only receives from the target and reports ICMP port unreachable as ECONNREFUSED
    // A connect that fails (no route: ENETUNREACH; an address of the other family: EINVAL) comes
    // to this callback, not as an 'error' event: it ends every exchange waiting for it. Sending on
    // the unconnected socket threw ERR_SOCKET_BAD_PORT out of the process.
    sock.connect(this.to.port, this.to.addr, (err?: NodeJS.ErrnoException) => {
      if (this.sock !== sock) return
      if (err) {
        // a UDP connect sends nothing: its failure is this host's (no route here)
        for (const p of [...this.pending]) p.finish(new DnsExchangeError('network', `cannot reach ${this.to.addr} port ${this.to.port}: ${err.message}`, err))
        // kept or not, this socket is no use: the next exchange tries a new one (the route may be back)
        this.closeSocket()
        return
      }
      this.connected = true
      this.port = sock.address().port
      const queued = this.queued
      this.queued = []
      for (const {query, p} of queued) if (this.pending.has(p)) this.send(sock, query, p)
      this.opened()
    })
    return sock
  }

  private send(sock: ReturnType<typeof createSocket>, query: Buffer, p: UdpPending): void {
    p.sentAt = process.hrtime.bigint()
    sock.send(query, (err: NodeJS.ErrnoException | null) => {
      if (err) this.sendFailed(err, p)
    })
  }

  /**
   * The kernel hands a connected socket's ICMP error (port unreachable: ECONNREFUSED; host or net
   * unreachable, prohibited) to the next call on it: a send of another query gets the error meant
   * for the one before, and no 'error' event follows. It is the flow's: every query of the flow
   * ends with it (the one it was meant for waited out its timeout). A send that failed on this
   * host (its route gone since the connect: ENETUNREACH too, the route check tells) is that
   * query's alone.
   */
  private sendFailed(err: NodeJS.ErrnoException, p: UdpPending): void {
    const flow = [...this.pending]
    const end = (kind: DnsQueryError): void => {
      for (const f of kind === 'network' ? [p] : flow) f.finish(new DnsExchangeError(kind, err.message, err))
    }
    const kind = errorKind(err)
    if (kind === 'unreachable') void routeCheckedKind(err, this.to).then(end)
    else end(kind)
  }

  private opened(): void {
    const waiting = this.opening
    this.opening = []
    for (const resolve of waiting) resolve()
  }

  private closeSocket(): void {
    this.opened()
    const sock = this.sock
    if (sock === null) return
    this.sock = null
    this.connected = false
    this.port = null
    this.queued = []
    sock.removeAllListeners('message')
    // keep a no-op error listener: a late ICMP error after close must not crash the process
    sock.removeAllListeners('error')
    sock.on('error', () => {})
    try {
      sock.close()
    } catch {
      // already closed
    }
  }
}

interface TcpPending {
  framed: Buffer
  query: Buffer
  accept: (reply: Buffer) => boolean
  sentAt: bigint | null
  /** when the exchange gives up (performance.now()) */
  deadline: number
  finish: Finish
}

function frame(query: Buffer): Buffer {
  const framed = Buffer.alloc(2 + query.length)
  framed.writeUInt16BE(query.length, 0)
  query.copy(framed, 2)
  return framed
}

/**
 * Over TCP the exchanges that run at the same time are pipelined on one connection (RFC 7766
 * 6.2.1): one flow, as over UDP (see UdpExchanger), so an ECMP split per flow cannot send one
 * probe's queries to two sites. A server may close the connection with queries unanswered (RFC
 * 7766 allows it; some answer one query per connection): those are asked again, each on a
 * connection of its own, within their own timeout.
 */
export class TcpExchanger implements DnsExchanger {
  private sock: Socket | null = null
  private connected = false
  private readonly pending = new Set<TcpPending>()
  private buffered = Buffer.alloc(0)

  constructor(private readonly to: Endpoint) {}

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    return new Promise((resolve, reject) => {
      const p = waitFor<TcpPending>(this.pending, () => this.closeSocket(), timeoutMs, resolve, reject, {framed: frame(query), query, accept, sentAt: null, deadline: performance.now() + timeoutMs})
      const sock = this.socket()
      if (this.connected) this.send(sock, p)
    })
  }

  private socket(): Socket {
    if (this.sock !== null) return this.sock
    const sock = tcpConnect({host: this.to.addr, port: this.to.port, family: this.to.family})
    this.sock = sock
    this.connected = false
    this.buffered = Buffer.alloc(0)
    const mine = (): boolean => this.sock === sock
    // a connect that failed: its error decides the queries waiting (after a route check), not the 'close' after it
    let connectFailed = false
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (!mine()) return
      // before the connection was up (refused, unreachable) every query of it fails; after, the
      // unanswered ones go on alone (the 'close' that follows)
      if (this.connected) return
      connectFailed = true
      const waiting = [...this.pending]
      void routeCheckedKind(err, this.to).then((kind) => {
        for (const p of waiting) p.finish(new DnsExchangeError(kind, err.message, err))
      })
    })
    sock.on('close', () => {
      if (!mine()) return
      const left = connectFailed ? [] : [...this.pending]
      const wasUp = this.connected
      this.sock = null
      this.connected = false
      for (const p of left) {
        const rest = p.deadline - performance.now()
        if (!wasUp || rest <= 0) {
          p.finish(new DnsExchangeError('closed', 'the server closed the connection without answering'))
          continue
        }
        exchangeAlone(this.to, p.query, p.accept, rest).then(
          (v) => p.finish(null, v),
          (e: unknown) => p.finish(e instanceof DnsExchangeError ? e : new DnsExchangeError('network', String(e))),
        )
      }
    })
    sock.on('connect', () => {
      if (!mine()) return
      this.connected = true
      for (const p of this.pending) if (p.sentAt === null) this.send(sock, p)
    })
    sock.on('data', (chunk: Buffer) => {
      if (!mine()) return
      // the time the chunk arrived, before any decoding (as for UDP)
      const at = process.hrtime.bigint()
      this.buffered = Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 2) {
        const len = this.buffered.readUInt16BE(0)
        if (this.buffered.length < 2 + len) return
        const msg = this.buffered.subarray(2, 2 + len)
        this.buffered = this.buffered.subarray(2 + len)
        const waiting = [...this.pending].filter((p) => p.sentAt !== null).map((p) => ({p, rttMs: Number(at - p.sentAt!) / 1e6}))
        // decoded after every reply already in is timed, as for UDP
        setImmediate(() => {
          for (const {p, rttMs} of waiting) {
            if (!this.pending.has(p) || !p.accept(msg)) continue
            p.finish(null, {reply: msg, rttMs})
            return
          }
        })
      }
    })
    return sock
  }

  private send(sock: Socket, p: TcpPending): void {
    p.sentAt = process.hrtime.bigint()
    sock.write(p.framed)
  }

  private closeSocket(): void {
    const sock = this.sock
    if (sock === null) return
    this.sock = null
    this.connected = false
    sock.destroy()
  }
}

/** One query on a connection of its own (a server that closed a pipelined connection early). */
function exchangeAlone(to: Endpoint, query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({host: to.addr, port: to.port, family: to.family})
    let sentAt: bigint | null = null
    let buffered = Buffer.alloc(0)
    let done = false
    const finish = (err: DnsExchangeError | null, value?: ExchangeReply): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      if (err) reject(err)
      else resolve(value!)
    }
    const timer = setTimeout(() => finish(new DnsExchangeError('timeout', `no reply within ${timeoutMs} ms`)), timeoutMs)
    let erred = false
    sock.on('error', (err: NodeJS.ErrnoException) => {
      erred = true
      if (sentAt !== null) finish(new DnsExchangeError(errorKind(err), err.message, err))
      else void routeCheckedKind(err, to).then((kind) => finish(new DnsExchangeError(kind, err.message, err)))
    })
    sock.on('close', () => {
      // after an error the error says why (decided above, perhaps after the route check)
      if (!erred) finish(new DnsExchangeError('closed', 'the server closed the connection without answering'))
    })
    sock.on('connect', () => {
      sentAt = process.hrtime.bigint()
      sock.write(frame(query))
    })
    sock.on('data', (chunk: Buffer) => {
      const rttMs = sentAt === null ? null : elapsedMs(sentAt)
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0)
        if (buffered.length < 2 + len) return
        const msg = buffered.subarray(2, 2 + len)
        buffered = buffered.subarray(2 + len)
        if (rttMs !== null) setImmediate(() => !done && accept(msg) && finish(null, {reply: msg, rttMs}))
      }
    })
  })
}

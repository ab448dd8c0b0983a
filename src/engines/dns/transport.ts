// The two ways a DNS message travels: one UDP datagram, or a TCP stream with a 2-byte length prefix
// (RFC 1035 4.2.2). Each exchange uses its own socket, so replies cannot be crossed between queries
// and a query id only has to be unique within the probe. The probe logic talks only to `DnsExchanger`,
// so it can be driven by a fake in tests; these real transports are tested against local servers.
import {createSocket} from 'node:dgram'
import {connect as tcpConnect} from 'node:net'

import type {DnsQueryError, DnsTransport} from '../../model/dns.js'

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

function errorKind(err: NodeJS.ErrnoException): DnsQueryError {
  return err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' ? 'refused' : 'network'
}

export class UdpExchanger implements DnsExchanger {
  constructor(private readonly to: Endpoint) {}

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(this.to.family === 6 ? 'udp6' : 'udp4')
      let sentAt: bigint | null = null
      let done = false
      const finish = (err: DnsExchangeError | null, value?: ExchangeReply): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        sock.removeAllListeners('message')
        // keep a no-op error listener: a late ICMP error after close must not crash the process
        sock.on('error', () => {})
        try {
          sock.close()
        } catch {
          // already closed
        }
        if (err) reject(err)
        else resolve(value!)
      }
      const timer = setTimeout(() => finish(new DnsExchangeError('timeout', `no reply within ${timeoutMs} ms`)), timeoutMs)
      sock.on('error', (err: NodeJS.ErrnoException) => finish(new DnsExchangeError(errorKind(err), err.message, err)))
      sock.on('message', (msg) => {
        // the time first, and the decoding (accept) after every reply already in is timed: the
        // identity queries' replies arrive together, each on its own socket, and a first decode
        // (~1 ms: dns-packet's code is compiled) was counted in the RTT of every reply behind it
        const rttMs = sentAt === null ? null : elapsedMs(sentAt)
        if (rttMs === null) return
        setImmediate(() => {
          if (!done && accept(msg)) finish(null, {reply: msg, rttMs})
        })
      })
      // a connected socket only receives from the target and reports ICMP port unreachable as ECONNREFUSED
      sock.connect(this.to.port, this.to.addr, () => {
        sentAt = process.hrtime.bigint()
        sock.send(query, (err) => {
          if (err) finish(new DnsExchangeError(errorKind(err), err.message, err))
        })
      })
    })
  }
}

export class TcpExchanger implements DnsExchanger {
  constructor(private readonly to: Endpoint) {}

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    return new Promise((resolve, reject) => {
      const sock = tcpConnect({host: this.to.addr, port: this.to.port, family: this.to.family})
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
      sock.on('error', (err: NodeJS.ErrnoException) => finish(new DnsExchangeError(errorKind(err), err.message, err)))
      sock.on('close', () => finish(new DnsExchangeError('closed', 'the server closed the connection without answering')))
      sock.on('connect', () => {
        const framed = Buffer.alloc(2 + query.length)
        framed.writeUInt16BE(query.length, 0)
        query.copy(framed, 2)
        sentAt = process.hrtime.bigint()
        sock.write(framed)
      })
      sock.on('data', (chunk: Buffer) => {
        // the time the chunk arrived, before any decoding (as for UDP)
        const rttMs = sentAt === null ? null : elapsedMs(sentAt)
        buffered = Buffer.concat([buffered, chunk])
        while (buffered.length >= 2) {
          const len = buffered.readUInt16BE(0)
          if (buffered.length < 2 + len) return
          const msg = buffered.subarray(2, 2 + len)
          buffered = buffered.subarray(2 + len)
          // decoded after every reply already in is timed, as for UDP
          if (rttMs !== null) setImmediate(() => !done && accept(msg) && finish(null, {reply: msg, rttMs}))
        }
      })
    })
  }
}

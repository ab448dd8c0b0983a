// What a flow id means for the watch DNS prober: one long-lived connected UDP socket per flow id,
// opened at its first probe and kept for the whole watch, so flow f keeps one source port (one
// 5-tuple) round after round, and N flows are N distinct source ports (the kernel never hands the
// same port to two bound sockets). An ECMP hash on L4 ports (Linux fib_multipath_hash_policy=1, most
// routers' default) therefore puts each flow on one path for good: several PoPs across the flows of
// a round are load balancing, and a flow that moves is a real move. (A fresh socket per probe, as
// before, drew a new port every round: with --flows 1 an ECMP vantage point hopped between its
// PoPs at random and looked like flapping.) It is also cheaper: no socket, bind and connect per
// probe.
//
// Several probes of one flow may be in flight at once (a timeout longer than the interval); each
// reply goes to the first pending probe whose accept() takes it (the DNS id decides), so a late
// reply to a probe that timed out is dropped. An ICMP error on the connected socket (port
// unreachable: ECONNREFUSED) fails every probe of that flow in flight: they share the path.
import {createSocket, type Socket} from 'node:dgram'

import {DnsExchangeError, type DnsExchanger, type Endpoint, type ExchangeReply} from '../engines/dns/transport.js'
import type {DnsQueryError} from '../model/dns.js'

interface Pending {
  accept: (reply: Buffer) => boolean
  sentAt: bigint | null
  timer: NodeJS.Timeout
  resolve: (v: ExchangeReply) => void
  reject: (e: DnsExchangeError) => void
}

function errorKind(err: NodeJS.ErrnoException): DnsQueryError {
  return err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' ? 'refused' : 'network'
}

/** One flow: one connected UDP socket, reopened only after it failed to connect or was closed. */
class FlowSocket implements DnsExchanger {
  private sock: Socket | null = null
  private ready: Promise<void> | null = null
  private readonly pending = new Set<Pending>()
  localPort: number | null = null

  constructor(private readonly to: Endpoint) {}

  private open(): Promise<void> {
    if (this.ready !== null) return this.ready
    const sock = createSocket(this.to.family === 6 ? 'udp6' : 'udp4')
    this.sock = sock
    // the watch ends when its rounds end, not when its sockets close
    sock.unref()
    sock.on('message', (msg: Buffer) => {
      for (const p of this.pending) {
        if (p.sentAt === null || !p.accept(msg)) continue
        this.settle(p, null, {reply: msg, rttMs: Number(process.hrtime.bigint() - p.sentAt) / 1e6})
        return
      }
    })
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const e = new DnsExchangeError(errorKind(err), err.message, err)
      for (const p of [...this.pending]) this.settle(p, e)
    })
    this.ready = new Promise<void>((resolve, reject) => {
      // connected: it only hears the target, and ICMP port unreachable comes back as ECONNREFUSED
      sock.connect(this.to.port, this.to.addr, (err?: Error) => {
        if (err) {
          // no route yet (say): the next probe tries again with a new socket
          this.drop(sock)
          reject(new DnsExchangeError(errorKind(err as NodeJS.ErrnoException), err.message, err))
          return
        }
        this.localPort = sock.address().port
        resolve()
      })
    })
    return this.ready
  }

  private drop(sock: Socket): void {
    if (this.sock !== sock) return
    this.sock = null
    this.ready = null
    this.localPort = null
    try {
      sock.close()
    } catch {
      // already closed
    }
  }

  private settle(p: Pending, err: DnsExchangeError | null, value?: ExchangeReply): void {
    if (!this.pending.delete(p)) return
    clearTimeout(p.timer)
    if (err) p.reject(err)
    else p.resolve(value!)
  }

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    return new Promise((resolve, reject) => {
      const p: Pending = {
        accept,
        sentAt: null,
        timer: setTimeout(() => this.settle(p, new DnsExchangeError('timeout', `no reply within ${timeoutMs} ms`)), timeoutMs),
        resolve,
        reject,
      }
      this.pending.add(p)
      const send = (): void => {
        const sock = this.sock
        if (!this.pending.has(p) || sock === null) return
        p.sentAt = process.hrtime.bigint()
        sock.send(query, (err) => {
          if (err) this.settle(p, new DnsExchangeError(errorKind(err as NodeJS.ErrnoException), err.message, err))
        })
      }
      if (this.localPort !== null) send()
      else this.open().then(send, (e: DnsExchangeError) => this.settle(p, e))
    })
  }

  close(): void {
    const e = new DnsExchangeError('network', 'the watch closed this flow')
    for (const p of [...this.pending]) this.settle(p, e)
    if (this.sock !== null) this.drop(this.sock)
  }
}

/** The exchangers of a watch's flows: flow id -> its own long-lived socket (created on first use). */
export class FlowExchangers {
  private readonly flows = new Map<number, FlowSocket>()

  constructor(private readonly to: Endpoint) {}

  get(flow: number): DnsExchanger {
    let f = this.flows.get(flow)
    if (f === undefined) {
      f = new FlowSocket(this.to)
      this.flows.set(flow, f)
    }
    return f
  }

  /** flow id -> its local (source) port, for the flows whose socket is open */
  ports(): Map<number, number> {
    const out = new Map<number, number>()
    for (const [flow, f] of this.flows) if (f.localPort !== null) out.set(flow, f.localPort)
    return out
  }

  /** Close every flow's socket (probes still in flight fail as network errors). */
  close(): void {
    for (const f of this.flows.values()) f.close()
    this.flows.clear()
  }
}

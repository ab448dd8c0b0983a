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
//
// A connected socket also keeps the source address it got at its first probe. If the host's
// address changes (a laptop on another network, a multihomed host losing a link), that address may
// never be answered again, where a fresh socket would be: so a flow whose last RENEW_AFTER probes
// all failed starts again on a new socket (new port, current source address), and the old socket
// closes once its probes in flight have ended. During an outage that is one new socket per
// RENEW_AFTER lost probes; a flow that is answered keeps its port.
import {createSocket, type Socket} from 'node:dgram'

import {DnsExchangeError, type DnsExchanger, type Endpoint, type ExchangeReply} from '../../engines/dns/transport.js'
import type {DnsQueryError} from '../../model/dns.js'

/** consecutive failed probes after which a flow gets a new socket */
export const RENEW_AFTER = 3

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

/** One connected UDP socket and the probes in flight on it. */
class Conn {
  readonly sock: Socket
  readonly ready: Promise<void>
  readonly pending = new Set<Pending>()
  localPort: number | null = null
  /** no new probes: closes when the last one in flight ends */
  retired = false
  closed = false

  constructor(to: Endpoint, onSettled: (conn: Conn, ok: boolean) => void) {
    const sock = createSocket(to.family === 6 ? 'udp6' : 'udp4')
    this.sock = sock
    // the watch ends when its rounds end, not when its sockets close
    sock.unref()
    sock.on('message', (msg: Buffer) => {
      for (const p of this.pending) {
        if (p.sentAt === null || !p.accept(msg)) continue
        this.settle(p, null, {reply: msg, rttMs: Number(process.hrtime.bigint() - p.sentAt) / 1e6})
        onSettled(this, true)
        return
      }
    })
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const e = new DnsExchangeError(errorKind(err), err.message, err)
      for (const p of [...this.pending]) {
        this.settle(p, e)
        onSettled(this, false)
      }
    })
    this.ready = new Promise<void>((resolve, reject) => {
      // connected: it only hears the target, and ICMP port unreachable comes back as ECONNREFUSED
      sock.connect(to.port, to.addr, (err?: Error) => {
        if (err) {
          reject(new DnsExchangeError(errorKind(err as NodeJS.ErrnoException), err.message, err))
          return
        }
        this.localPort = sock.address().port
        resolve()
      })
    })
    // a connect that failed is reported to each probe waiting on it; nothing else listens
    this.ready.catch(() => {})
  }

  settle(p: Pending, err: DnsExchangeError | null, value?: ExchangeReply): boolean {
    if (!this.pending.delete(p)) return false
    clearTimeout(p.timer)
    if (err) p.reject(err)
    else p.resolve(value!)
    if (this.retired && this.pending.size === 0) this.close()
    return true
  }

  send(p: Pending, query: Buffer, onSettled: (conn: Conn, ok: boolean) => void): void {
    if (!this.pending.has(p) || this.closed) return
    p.sentAt = process.hrtime.bigint()
    this.sock.send(query, (err) => {
      if (err && this.settle(p, new DnsExchangeError(errorKind(err as NodeJS.ErrnoException), err.message, err))) onSettled(this, false)
    })
  }

  retire(): void {
    this.retired = true
    if (this.pending.size === 0) this.close()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    const e = new DnsExchangeError('network', 'the watch closed this flow')
    for (const p of [...this.pending]) this.settle(p, e)
    try {
      this.sock.close()
    } catch {
      // already closed
    }
  }
}

/** One flow: its current socket, renewed after RENEW_AFTER failures in a row or a failed connect. */
class FlowSocket implements DnsExchanger {
  private conn: Conn | null = null
  private failures = 0
  private readonly onSettled = (conn: Conn, ok: boolean): void => {
    if (conn !== this.conn) return // an answer or a loss on a retired socket says nothing about the new one
    if (ok) {
      this.failures = 0
      return
    }
    if (++this.failures >= RENEW_AFTER) this.renew()
  }

  constructor(private readonly to: Endpoint) {}

  get localPort(): number | null {
    return this.conn?.localPort ?? null
  }

  private renew(): void {
    this.conn?.retire()
    this.conn = null
    this.failures = 0
  }

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    if (this.conn === null) this.conn = new Conn(this.to, this.onSettled)
    const conn = this.conn
    return new Promise((resolve, reject) => {
      const p: Pending = {
        accept,
        sentAt: null,
        timer: setTimeout(() => {
          if (conn.settle(p, new DnsExchangeError('timeout', `no reply within ${timeoutMs} ms`))) this.onSettled(conn, false)
        }, timeoutMs),
        resolve,
        reject,
      }
      conn.pending.add(p)
      if (conn.localPort !== null) conn.send(p, query, this.onSettled)
      else
        conn.ready.then(
          () => conn.send(p, query, this.onSettled),
          (e: DnsExchangeError) => {
            // no route yet (say): this probe fails, the next one tries a new socket
            if (this.conn === conn) this.renew()
            conn.settle(p, e)
          },
        )
    })
  }

  close(): void {
    this.conn?.close()
    this.conn = null
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

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
// The exchanges are engines/dns/transport.ts's UdpExchanger, the one the one-shot `dns` probe
// uses, kept open (keepOpen): several probes of one flow may be in flight at once (a timeout longer
// than the interval); each reply goes to the first pending probe whose accept() takes it (the DNS
// id decides), so a late reply to a probe that timed out is dropped; an ICMP error on the
// connected socket (port unreachable: ECONNREFUSED, also when it comes back on the next send)
// fails every probe of that flow in flight, and an ICMP unreachable or prohibited is
// 'unreachable', as for the one-shot probe. (This file had a socket class of its own that read
// those two cases apart from the one-shot probe.)
//
// A connected socket also keeps the source address it got at its first probe. If the host's
// address changes (a laptop on another network, a multihomed host losing a link), that address may
// never be answered again, where a fresh socket would be: so a flow whose last RENEW_AFTER probes
// all failed starts again on a new socket (new port, current source address), and the old socket
// closes once its probes in flight have ended. The new socket is bound and connected first, then
// the old one retired: closed first, its port was free again and the kernel could hand the new
// socket that very port (one renewal in ~28,000 in the default range), the same 5-tuple, so the
// same path behind ECMP: no renewal at all. During an outage that is one new socket per
// RENEW_AFTER lost probes; a flow that is answered keeps its port. A connect that fails (no route
// yet) fails the probes waiting for it and the next probe tries a new socket.
import {type DnsExchanger, type Endpoint, type ExchangeReply, UdpExchanger} from '../../engines/dns/transport.js'

/** consecutive failed probes after which a flow gets a new socket */
export const RENEW_AFTER = 3

/** One flow: its current socket (a kept-open exchanger), renewed after RENEW_AFTER failures in a row. */
class FlowSocket implements DnsExchanger {
  private ex: UdpExchanger | null = null
  private failures = 0
  /** retired sockets waiting for their successor to take its port (see renew) */
  private readonly retiring = new Set<UdpExchanger>()

  constructor(private readonly to: Endpoint) {}

  get localPort(): number | null {
    return this.ex?.localPort ?? null
  }

  exchange(query: Buffer, accept: (reply: Buffer) => boolean, timeoutMs: number): Promise<ExchangeReply> {
    this.ex ??= new UdpExchanger(this.to, {keepOpen: true})
    const ex = this.ex
    return ex.exchange(query, accept, timeoutMs).then(
      (v) => {
        this.settled(ex, true)
        return v
      },
      (e: unknown) => {
        this.settled(ex, false)
        throw e
      },
    )
  }

  private settled(ex: UdpExchanger, ok: boolean): void {
    if (ex !== this.ex) return // an answer or a loss on a retired socket says nothing about the new one
    if (ok) this.failures = 0
    else if (++this.failures >= RENEW_AFTER) this.renew()
  }

  private renew(): void {
    const old = this.ex
    this.failures = 0
    if (old === null) return
    // the new socket takes its port while the old one still holds its own: the two differ
    const next = new UdpExchanger(this.to, {keepOpen: true})
    this.ex = next
    this.retiring.add(old)
    void next.open().then(() => {
      this.retiring.delete(old)
      old.retire()
    })
  }

  close(): void {
    this.ex?.close('the watch closed this flow')
    this.ex = null
    for (const old of this.retiring) old.close('the watch closed this flow')
    this.retiring.clear()
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

// What a flow id means for the watch HTTP prober: one keep-alive connection per flow id, as
// flows.ts gives each DNS flow one UDP socket. A flow's agent holds at most one connection
// (maxSockets 1), opened at its first probe and reused round after round, so flow f keeps one
// source port (one 5-tuple) and N flows are N ports: behind an L4 ECMP hash each flow stays on one
// path, several PoPs across flows are load balancing and a flow that moves is a real move. (A new
// connection per probe drew a new port every round, and one flow hopped between the PoPs of an
// ECMP vantage point like a flap.) It also spares the watched service a TCP (and TLS) handshake
// per probe, 20 of them a second.
//
// The connection changes only when it has to: the server closed it (idle timeout, request limit),
// a probe timed out or broke on it (it is destroyed), or it was found dead when reused (request.ts
// sends that probe again at once on a new connection: what a moved anycast route looks like, the
// new PoP resetting the old connection). Each such change is a new source port, so behind ECMP it
// may land on the other path, as a DNS flow's renewed socket may.
//
// Probes of one flow in flight together (a timeout longer than the interval) queue for its one
// connection: HTTP/1.1 has one request at a time on a connection, and a second connection would be
// a second flow. So a flow answers at most one probe per round trip (plus the server's time): with
// a shorter interval probes queue, those that wait past their timeout are lost, and the flow goes
// failing (below) until one is answered. Keep --interval above the RTT for HTTP.
//
// A flow whose last probe was lost is `failing` until a probe is answered, and meanwhile each probe
// opens a connection of its own (agent: false), as every probe did before flows kept one. Queued
// behind one connection, the probes of an outage would each get the connection only when the one
// before gave up, with what was left of their timeout (less than one interval): too little to
// connect and ask once the route is back (two round trips), so the flow would never recover. Each
// with its own connection and its whole timeout, the first probe sent after the route is back is
// answered, and the failover gap is measured to within an interval. The next probe opens the
// flow's kept connection again. (Those connections of their own are new source ports: behind ECMP
// the probes of an outage may go either way, as any new connection may; a flow that answers keeps
// its one connection.)
import * as http from 'node:http'
import * as https from 'node:https'

interface Flow {
  agent: http.Agent
  failing: boolean
  /** sequence number of the newest probe whose outcome set `failing` */
  newest: number
}

/** How one probe goes: through the flow's agent, or (agent undefined) on a connection of its own. */
export interface FlowProbe {
  agent: http.Agent | undefined
  /** the probe's outcome, for the flow's state */
  settle(answered: boolean): void
}

export class HttpFlowAgents {
  private readonly flows = new Map<number, Flow>()
  private seq = 0
  /** probes sent again on a new connection after their flow's reused one had died */
  retries = 0

  constructor(private readonly tls: boolean) {}

  private flow(id: number): Flow {
    let f = this.flows.get(id)
    if (f === undefined) {
      // idle kept connections are unref'd by the agent: they never keep the process alive
      const opts: http.AgentOptions = {keepAlive: true, maxSockets: 1, maxFreeSockets: 1}
      f = {agent: this.tls ? new https.Agent(opts) : new http.Agent(opts), failing: false, newest: 0}
      this.flows.set(id, f)
    }
    return f
  }

  /** whether the flow's probes currently open a connection each (see above) */
  failing(id: number): boolean {
    return this.flows.get(id)?.failing ?? false
  }

  /** Start a probe of flow `id`: how to send it, and where to report how it went. */
  probe(id: number): FlowProbe {
    const f = this.flow(id)
    const n = ++this.seq
    return {
      agent: f.failing ? undefined : f.agent,
      settle(answered) {
        // probes may end out of order: an older one's loss does not undo a newer one's answer
        if (n < f.newest) return
        f.newest = n
        f.failing = !answered
      },
    }
  }

  /** flow id -> the local (source) port of its open connection, for the flows that have one */
  ports(): Map<number, number> {
    const out = new Map<number, number>()
    for (const [flow, {agent: a}] of this.flows) {
      const socks = [...Object.values(a.freeSockets), ...Object.values(a.sockets)].flat()
      const port = socks.find((s) => s?.localPort !== undefined)?.localPort
      if (port !== undefined) out.set(flow, port)
    }
    return out
  }

  /** Close every flow's connection (requests in flight fail); a flow reconnects on its next use. */
  close(): void {
    for (const f of this.flows.values()) f.agent.destroy()
    this.flows.clear()
  }
}

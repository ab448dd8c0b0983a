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
// a second flow.
import * as http from 'node:http'
import * as https from 'node:https'

export class HttpFlowAgents {
  private readonly agents = new Map<number, http.Agent>()
  /** probes sent again on a new connection after their flow's reused one had died */
  retries = 0

  constructor(private readonly tls: boolean) {}

  get(flow: number): http.Agent {
    let a = this.agents.get(flow)
    if (a === undefined) {
      // idle kept connections are unref'd by the agent: they never keep the process alive
      const opts: http.AgentOptions = {keepAlive: true, maxSockets: 1, maxFreeSockets: 1}
      a = this.tls ? new https.Agent(opts) : new http.Agent(opts)
      this.agents.set(flow, a)
    }
    return a
  }

  /** flow id -> the local (source) port of its open connection, for the flows that have one */
  ports(): Map<number, number> {
    const out = new Map<number, number>()
    for (const [flow, a] of this.agents) {
      const socks = [...Object.values(a.freeSockets), ...Object.values(a.sockets)].flat()
      const port = socks.find((s) => s?.localPort !== undefined)?.localPort
      if (port !== undefined) out.set(flow, port)
    }
    return out
  }

  /** Close every flow's connection (requests in flight fail); a flow reconnects on its next use. */
  close(): void {
    for (const a of this.agents.values()) a.destroy()
    this.agents.clear()
  }
}

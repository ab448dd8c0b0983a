// Which parts of a trace speak for the PoP: what a DNS destination said of itself (a DNS probe's
// answer: id.server, NSID), the destination's own name, and the names of the last
// responsive hops before it (the PoP's edge routers sit there). Farther hops are transit and say
// where the path went, not where it ended, so only the last few count, nearer ones more.
import type {TraceHop} from '../model/trace.js'

export interface TraceObservation {
  signal: 'hop-hostname' | 'dest-hostname' | 'dns-identity'
  input: string
  distance?: number
}

/** How many responsive hops before the destination are read for hints. */
export const HOPS_READ_FOR_POP = 3

export function traceObservations(hops: TraceHop[], destinationReached: boolean, targetHostname: string | null, identity: string[] = []): TraceObservation[] {
  const obs: TraceObservation[] = identity.map((input) => ({signal: 'dns-identity', input}))
  if (targetHostname) obs.push({signal: 'dest-hostname', input: targetHostname})
  // The last hop is the destination itself when reached; it is covered by targetHostname.
  const before = destinationReached ? hops.slice(0, -1) : hops
  let distance = 0
  for (let i = before.length - 1; i >= 0 && distance < HOPS_READ_FOR_POP; i--) {
    const hop = before[i]!
    // distance counts TTLs, silent ones included: a silent hop still separates the next one from the PoP
    const d = (hops.at(-1)?.ttl ?? hop.ttl) - hop.ttl + (destinationReached ? 0 : 1)
    if (hop.addr === null) continue
    distance++
    if (hop.hostname) obs.push({signal: 'hop-hostname', input: hop.hostname, distance: d})
  }
  return obs
}

/** Lowest RTT seen from the destination: the bound the RTT-feasibility check uses. */
export function minDestinationRtt(hops: TraceHop[], destinationReached: boolean): number | null {
  if (!destinationReached) return null
  const rtts = (hops.at(-1)?.rttMs ?? []).filter((r): r is number => r !== null)
  return rtts.length > 0 ? Math.min(...rtts) : null
}

/**
 * Did the target itself answer the trace? The destination was reached (echo reply, port
 * unreachable, TCP answer), a DNS probe's answer said what the server is, or the last hop that
 * answered is the destination address (an Atlas trace's last hop from dst_addr; an
 * administratively-prohibited unreachable sent by the target itself). Only then can a trace say
 * which site of the target answered.
 */
export function traceAnswered(t: {hops: readonly TraceHop[]; destinationReached: boolean; targetAddr: string; destinationIdentity?: readonly string[]}): boolean {
  if (t.destinationReached) return true
  if ((t.destinationIdentity?.length ?? 0) > 0) return true
  for (let i = t.hops.length - 1; i >= 0; i--) {
    const hop = t.hops[i]!
    if (hop.addr === null) continue
    return hop.addrs.includes(t.targetAddr) || hop.addr === t.targetAddr
  }
  return false
}

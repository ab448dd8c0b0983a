// Did the target itself answer? Only an answer from the target says which of its sites answered;
// the catchment (src/analysis/catchment.ts) and the verdict (src/infer/verdict.ts) read it alike.
import type {TraceHop} from './trace.js'

/**
 * Did the target itself answer the trace? The destination was reached (echo reply, port
 * unreachable, TCP answer), a DNS probe's answer said what the server is, or the last hop that
 * answered is the destination address (an Atlas trace's last hop from dst_addr; an
 * administratively-prohibited unreachable sent by the target itself). Only then can a trace say
 * which site of the target answered.
 */
export function traceAnswered(t: {hops: readonly TraceHop[]; destinationReached: boolean; targetAddr: string | null; destinationIdentity?: readonly string[] | null}): boolean {
  if (t.destinationReached) return true
  if ((t.destinationIdentity?.length ?? 0) > 0) return true
  if (t.targetAddr === null) return false
  for (let i = t.hops.length - 1; i >= 0; i--) {
    const hop = t.hops[i]!
    if (hop.addr === null) continue
    return hop.addrs.includes(t.targetAddr) || hop.addr === t.targetAddr
  }
  return false
}

// The raw-socket probers of `anyprobe watch`: --method trace (one Paris traceroute per probe, the
// PoP named from the names of the last hops and the destination, as `anyprobe trace` names it)
// and --method icmp (one echo request per probe: loss and RTT only, since an echo reply carries no
// site identity, so outages and their durations but no shifts).
//
// Both run the trace engine (src/engines/trace) over a raw socket opened per probe: an echo
// request is a trace of one probe at TTL 64. Each flow keeps its own Paris flow id for the whole
// watch (the ICMP checksum held constant), so a per-flow load balancer keeps each flow on its path
// and --flows N spreads them as it would N users. Every probe's trace id (the echo identifier) is
// drawn from the process's registry of ids in flight (engines/trace/trace-ids.ts) and held until its
// transport has closed: flows of one round, and a flow's probes whose timeouts overlap, go to one
// target with one probe layout, and two that shared an id took each other's replies (a flow then
// recorded another path's hops, which read as a path change).
//
// Names are looked up once per address (cached for the whole watch) but never read into places
// here: the prober returns the signals and names the PoP with the caller's namer, or leaves that to
// the parent when it runs as a netns/ssh child (name: null), which then never loads the place
// dictionaries.
import {randomInt} from 'node:crypto'

import {round3} from '../../analysis/watch/stats.js'
import {CachedReverseResolver, type ReverseResolver} from '../../enrich/rdns.js'
import {type Clock, createRawTransport, realClock, runTrace, traceIds, type TraceTransport} from '../../engines/trace/index.js'
import type {Observation as InferObservation} from '../../infer/index.js'
import {isAnyprobeError} from '../../model/errors.js'
import type {TraceProtocol} from '../../model/trace.js'
import {popObservations, traceSignals} from '../../infer/verdict.js'
import {minDestinationRtt} from '../../model/rtt.js'
import {classify, parseAddress} from '../../util/target.js'
import {traceAnswered} from '../../model/reach.js'
import {popFields, type PopNamer, type Prober} from './probe.js'

/** An echo request is a trace of one probe sent with this TTL. */
const ECHO_TTL = 64
/** Paris flow ids: base + flow, every flow its own for the whole watch */
const MAX_FLOWS = 64

export interface TraceProberOptions {
  method: 'trace' | 'icmp'
  /** an address (the caller resolves names) */
  addr: string
  family: 4 | 6
  timeoutMs: number
  /** default: name nothing, return the signals (the caller names them) */
  name?: PopNamer | null
  rdns?: ReverseResolver
  /** tests: a scenario transport instead of raw sockets */
  transport?: (t: {target: string; family: 4 | 6; protocol: TraceProtocol; port: number | null; flowId: number | null; traceId: number}) => Promise<TraceTransport> | TraceTransport
  now?: () => number
  /** the engine's clock (a FakeClock in tests) */
  clock?: Clock
}

export function makeTraceProber(opts: TraceProberOptions): Prober {
  const trace = opts.method === 'trace'
  const rdns = opts.rdns ?? new CachedReverseResolver()
  const name = opts.name ?? null
  // the target's class decides whether its own name is read (a loopback target's is not)
  const parsedAddr = parseAddress(opts.addr)
  const targetClass = parsedAddr === null ? 'unknown' : classify(parsedAddr)
  const now = opts.now ?? Date.now
  const open = opts.transport ?? createRawTransport
  const base = randomInt(1, 0x10000 - MAX_FLOWS)
  return async (flow) => {
    const startedAt = now()
    const flowId = base + (flow % MAX_FLOWS)
    const target = {target: opts.addr, family: opts.family, protocol: 'icmp' as const, port: null, flowId}
    const id = traceIds.acquire('icmp')
    try {
      const transport = await open({...target, traceId: id.id})
      let raw
      try {
        raw = await runTrace(
          {
            ...target,
            maxHops: trace ? 32 : ECHO_TTL,
            firstHop: trace ? 1 : ECHO_TTL,
            probes: 1,
            timeoutMs: opts.timeoutMs,
            rate: null,
            gapLimit: 5,
            ...(trace ? {onResponder: (a: string) => void rdns.reverse(a)} : {}),
          },
          transport,
          opts.clock ?? realClock,
        )
      } finally {
        await transport.close()
        id.release()
      }
      // the target answered (reached, or an unreachable from the target itself), or the probe is
      // lost: hop names near the vantage point never name a PoP (the rule of infer/fuse.ts)
      const answered = traceAnswered({hops: raw.hops, destinationReached: raw.destinationReached, targetAddr: opts.addr})
      const rtt = minDestinationRtt(raw.hops, answered)
      if (!answered || rtt === null) return {receivedAt: null, rttMs: null, pop: null, answered: false, error: raw.stopReason}
      let signals: InferObservation[] = []
      if (trace) {
        const [hops, targetName] = await Promise.all([
          Promise.all(raw.hops.map(async (h) => ({...h, hostname: h.addr === null ? null : await rdns.reverse(h.addr)}))),
          rdns.reverse(opts.addr),
        ])
        signals = popObservations(traceSignals({hops, destinationReached: true, targetHostname: targetName, targetInfo: {class: targetClass}}, null))
      }
      return {
        receivedAt: Math.round(startedAt + rtt),
        rttMs: round3(rtt),
        ...popFields(name === null || signals.length === 0 ? null : name(signals, rtt)),
        answered: true,
        signals,
      }
    } catch (error) {
      id.release() // the transport did not open, or has closed (a second release is a no-op)
      // a network failure is an unanswered probe; no raw socket (not root) is the caller's to report
      if (isAnyprobeError(error) && error.code !== 'E_NO_RAW_SOCKET') return {receivedAt: null, rttMs: null, pop: null, answered: false, error: error.code}
      throw error
    }
  }
}

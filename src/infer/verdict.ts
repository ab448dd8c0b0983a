// The one place that decides which PoP a result names, from its signals. Every path goes through
// popVerdict: a local trace (src/pipeline/trace.ts), the dns and http probes, RIPE Atlas results
// (src/vantage/atlas/enrich.ts), saved files (`report`), the watch probers, and backends to come.
// Build the signals with the *Signals helpers below (or signalsOfResult for a finished result)
// so every path applies the same rules:
// - trace: the destination's DNS identity (id.server/NSID of a UDP/53 trace), the destination's
//   own name unless the target is a loopback address (its reverse name is this machine's hostname,
//   which names no site), and the names of the last HOPS_READ_FOR_POP responsive hops before it;
// - dns: the identity strings (hostname.bind, id.server, NSID), deduplicated;
// - http: every response header, --pop-header headers as user signals, cf-trace colo=;
// - ping: names no place;
// - the RTT bound (and the vantage point's location, when known) feeds the speed-of-light check;
//   candidates it rejects are kept in the verdict's conflicts with the reason in their note.
// - no answer from the target, no PoP (`destinationAnswered` false): the names of routers near the
//   vantage point say where the path went, not which site of the target would have answered;
//   popVerdictExplained says why there is no verdict and what the speed-of-light check rejected.
import type {LatLon} from '../geo/distance.js'
import type {HttpResult} from '../model/http.js'
import type {ProbeResult} from '../model/probe.js'
import type {PopVerdict} from '../model/pop.js'
import {traceAnswered} from '../model/reach.js'
import {minDestinationRtt, minRttFromTimings, minRttMs} from '../model/rtt.js'
import type {TraceHop, TraceResult} from '../model/trace.js'
import type {VantagePoint} from '../model/vantage.js'
import type {AnswerAsn} from './edge-trust.js'
import {type ExplainedVerdict, inferPopExplained, NOT_REACHED, type Observation} from './fuse.js'
import {type HeaderSignal, httpHeaderSignals, identityInputs} from './signals.js'

export {type HeaderSignal, httpHeaderSignals, identityInputs} from './signals.js'
export {traceAnswered} from '../model/reach.js'

/** How many responsive hops before the destination are read for hints. */
export const HOPS_READ_FOR_POP = 3

interface CommonSignals {
  /** did the destination (or the server) answer at all */
  destinationAnswered: boolean
  /** the lowest RTT to the destination, ms; null when none */
  rttMs: number | null
  /** where the vantage point is, for the speed-of-light check; null when unknown */
  vpLocation: LatLon | null
}

export interface TraceSignals extends CommonSignals {
  method: 'trace'
  hops: TraceHop[]
  /** the destination's own reverse name, null when not looked up or none */
  targetHostname: string | null
  /** the target address's class (util/target.ts): 'loopback' drops targetHostname */
  targetClass: string | null
  /** what a DNS destination said of itself (UDP/53 traces), empty when nothing */
  identity: string[]
}

export interface DnsSignals extends CommonSignals {
  method: 'dns'
  identity: string[]
}

export interface HttpSignals extends CommonSignals {
  method: 'http'
  headers: HeaderSignal[]
  /** the network (origin AS) of the address that answered, when known: a CDN header from another is not its PoP (edge-trust.ts) */
  answerAsn?: AnswerAsn | null
}

export interface PingSignals extends CommonSignals {
  method: 'ping'
}

export type PopSignals = TraceSignals | DnsSignals | HttpSignals | PingSignals

/** The inputs of the inference engine for a set of signals, in the order they are weighed. */
export function popObservations(s: PopSignals): Observation[] {
  switch (s.method) {
    case 'trace':
      return traceObservations(s.hops, s.destinationAnswered, s.targetClass === 'loopback' ? null : s.targetHostname, s.identity)
    case 'dns':
      return s.identity.map((input) => ({signal: 'dns-identity', input}))
    case 'http':
      return s.headers
    case 'ping':
      return []
  }
}

/** The PoP a result names, or null when its signals name none. The one decision. */
export function popVerdict(s: PopSignals): PopVerdict | null {
  return popVerdictExplained(s).verdict
}

/** popVerdict with why there is none (reason) and what the speed-of-light check rejected. */
export function popVerdictExplained(s: PopSignals): ExplainedVerdict {
  const ex = explainObservations(popObservations(s), s)
  // NOT_REACHED speaks of routers on a path: a DNS server or a pinged address that never answered has none
  if (ex.verdict === null && ex.reason === NOT_REACHED && (s.method === 'dns' || s.method === 'ping')) return {...ex, reason: NO_ANSWER[s.method]}
  return ex
}

/** Why a DNS or ping result whose target never answered names no PoP. */
export const NO_ANSWER = {
  dns: 'no DNS reply from the target: only its answer says which site it is',
  ping: 'no echo reply from the target',
} as const

/**
 * The second half of popVerdict, for observations made by popObservations elsewhere: a watch child
 * sends its observations on its line (src/vantage/live/children.ts) and the parent names them here.
 */
export function verdictOfObservations(obs: Observation[], s: ObservationContext): PopVerdict | null {
  return explainObservations(obs, s).verdict
}

/** What the verdict weighs beside the observations (answerAsn: http only). */
type ObservationContext = Pick<CommonSignals, 'rttMs' | 'vpLocation'> & {destinationAnswered?: boolean; answerAsn?: AnswerAsn | null}

function explainObservations(obs: Observation[], s: ObservationContext): ExplainedVerdict {
  return inferPopExplained(obs, {
    vpLocation: s.vpLocation,
    rttMs: s.rttMs,
    ...(s.destinationAnswered === undefined ? {} : {destinationAnswered: s.destinationAnswered}),
    ...(s.answerAsn === undefined || s.answerAsn === null ? {} : {answerAsn: s.answerAsn}),
  })
}


/** Hop, destination-name and identity observations of a trace (the rules in the header). */
export function traceObservations(hops: TraceHop[], destinationReached: boolean, targetHostname: string | null, identity: string[] = []): Observation[] {
  const obs: Observation[] = identity.map((input) => ({signal: 'dns-identity', input}))
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

/**
 * Where the vantage point is, for the RTT-feasibility check; null when unknown, or when it is only
 * a point standing for its whole country: RIPE Atlas places a probe whose host gave no location at
 * its country's GeoIP point and tags it system-auto-geoip-country (China's all at 34.77,113.72:
 * not whole degrees), thousands of km from the probe in a large country, so a small RTT would rule
 * out the PoP the probe really reached, or keep a wrong one of two same-named places.
 */
export function vpLocationOf(v: VantagePoint): LatLon | null {
  if (v.lat === null || v.lon === null) return null
  if (v.tags?.includes('system-auto-geoip-country') === true) return null
  return {lat: v.lat, lon: v.lon}
}

/** The signals of a trace: a finished TraceResult or the parts of one (a watch prober's). */
export function traceSignals(
  r: Pick<TraceResult, 'hops' | 'destinationReached' | 'targetHostname' | 'destinationIdentity'> & {targetAddr?: string | null; targetInfo: {class: string}},
  vpLocation: LatLon | null,
): TraceSignals {
  const answered = traceAnswered({hops: r.hops, destinationReached: r.destinationReached, targetAddr: r.targetAddr ?? null, destinationIdentity: r.destinationIdentity})
  return {
    method: 'trace',
    hops: r.hops,
    destinationAnswered: answered,
    targetHostname: r.targetHostname,
    targetClass: r.targetInfo.class,
    identity: r.destinationIdentity ?? [],
    rttMs: minDestinationRtt(r.hops, answered),
    vpLocation,
  }
}

/** The signals of a finished result (saved, from a child, from RIPE Atlas). vpLocation defaults to the result's vantage point. */
export function signalsOfResult(r: ProbeResult, vpLocation: LatLon | null = vpLocationOf(r.vantage)): PopSignals {
  switch (r.kind) {
    case 'trace':
      return traceSignals(r, vpLocation)
    case 'dns': {
      const rttMs = minRttMs(r.queries)
      return {method: 'dns', identity: identityInputs(r.identity), destinationAnswered: r.answered ?? rttMs !== null, rttMs, vpLocation}
    }
    case 'http':
      return httpSignals(r, vpLocation)
    case 'ping':
      return {method: 'ping', destinationAnswered: r.received > 0, rttMs: null, vpLocation}
  }
}

function httpSignals(r: HttpResult, vpLocation: LatLon | null): HttpSignals {
  return {
    method: 'http',
    headers: httpHeaderSignals(r.headers, r.params.popHeaders, r.cfTrace),
    answerAsn: r.targetAsn ?? null,
    destinationAnswered: true,
    rttMs: minRttFromTimings(r.timings),
    vpLocation,
  }
}

/** popVerdict of a finished result. */
export function resultVerdict(r: ProbeResult, vpLocation?: LatLon | null): PopVerdict | null {
  return resultVerdictExplained(r, vpLocation).verdict
}

/** popVerdictExplained of a finished result. */
export function resultVerdictExplained(r: ProbeResult, vpLocation?: LatLon | null): ExplainedVerdict {
  return popVerdictExplained(signalsOfResult(r, vpLocation === undefined ? vpLocationOf(r.vantage) : vpLocation))
}

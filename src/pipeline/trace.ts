// One local trace, end to end: resolve the target, run the engine over raw sockets, enrich the
// hops, infer the PoP. The command only parses flags and renders; the netns/ssh backends run the
// command itself, so this is the single path every trace takes.
import {type AsnLookup, openAsnLookup} from '../enrich/asn.js'
import {CachedReverseResolver, nullReverseResolver, type ReverseResolver} from '../enrich/rdns.js'
import {enrichHops, hopAsnLookup} from '../enrich/trace.js'
import {type Clock, createRawTransport, realClock, runTrace, type TraceTransport} from '../engines/trace/index.js'
import {hostnameHint, popExplanation} from '../infer/index.js'
import {popVerdictExplained, traceSignals} from '../infer/verdict.js'
import {TRACE_SCHEMA_VERSION, type TraceProtocol, type TraceResult} from '../model/trace.js'
import {localVantage, type VantagePoint} from '../model/vantage.js'
import {resolveTarget} from '../util/target.js'
import {mark} from '../util/timing.js'

export interface TracePlan {
  target: string
  protocol: TraceProtocol
  port: number | null
  maxHops: number
  firstHop: number
  probes: number
  timeoutMs: number
  rate: number | null
  flowId: number | null
  gapLimit: number
  /** adaptive wait factor (default: the engine's WAIT_FACTOR) */
  waitFactor?: number
  family: 4 | 6 | null
  /** look up reverse DNS of hops (and the target) */
  dns: boolean
  /** look up ASNs */
  asn: boolean
  asnDbs: string[]
  vpLocation: {lat: number; lon: number} | null
  vantage?: VantagePoint
  signal?: AbortSignal
}

export interface TraceDeps {
  transport?: (t: {target: string; family: 4 | 6; protocol: TraceProtocol; port: number | null; flowId: number | null}) => Promise<TraceTransport> | TraceTransport
  rdns?: ReverseResolver
  asn?: AsnLookup
  /** the engine's clock (a FakeClock in tests) */
  clock?: Clock
}

export async function traceTarget(plan: TracePlan, deps: TraceDeps = {}): Promise<TraceResult> {
  mark('traceTarget')
  // The user's --asn-db files are opened (and refused: missing, not ASN data) before anything is
  // sent: opened after the trace, as the bundled database is, a bad file threw away the trace.
  const userAsn = !deps.asn && plan.asn && plan.asnDbs.length > 0 ? await openAsnLookup(plan.asnDbs, false) : null
  const target = await resolveTarget(plan.target, plan.family)
  mark('target resolved')
  const rdns = deps.rdns ?? (plan.dns ? new CachedReverseResolver() : nullReverseResolver)
  // The destination's own name is looked up in parallel with the trace, not after it.
  const targetNameP = rdns.reverse(target.addr)

  const tOpts = {target: target.addr, family: target.family, protocol: plan.protocol, port: plan.port, flowId: plan.flowId}
  const transport = deps.transport ? await deps.transport(tOpts) : await createRawTransport(tOpts)
  mark('transport open')
  const startedAt = new Date()
  let raw
  try {
    raw = await runTrace(
      {
        target: target.addr,
        family: target.family,
        protocol: plan.protocol,
        port: plan.port,
        maxHops: plan.maxHops,
        firstHop: plan.firstHop,
        probes: plan.probes,
        timeoutMs: plan.timeoutMs,
        rate: plan.rate,
        ...(plan.flowId === null ? {} : {flowId: plan.flowId}),
        gapLimit: plan.gapLimit,
        ...(plan.waitFactor === undefined ? {} : {waitFactor: plan.waitFactor}),
        ...(plan.signal ? {signal: plan.signal} : {}),
        // a lookup is one small UDP packet, cheap enough to send while probes are in flight; on
        // the Internet, where a PTR answer takes tens of ms, this hides it behind the wait
        onResponder: (addr) => void rdns.reverse(addr),
      },
      transport,
      deps.clock ?? realClock,
    )
  } finally {
    await transport.close()
  }
  mark('probing done')

  // Reply times are taken when JavaScript sees the packet, so nothing CPU-heavy may run while
  // probes are in flight: opening the bundled ASN database (~40 ms of parsing) waits until the
  // trace is done, and overlaps with the reverse DNS lookups started as the replies came in.
  // User databases may cover private space: they were opened before the trace, and are asked first.
  const asn = deps.asn ?? (await hopAsnLookup({asn: plan.asn, user: userAsn, addrs: raw.hops.flatMap((h) => h.addrs)}))
  mark('asn open')
  const hops = await enrichHops(raw.hops, {rdns, asn, hint: hostnameHint})
  const targetHostname = await targetNameP
  mark('enriched')
  // the rules (loopback targets' names are not read, the DNS identity counts, ...) are popVerdict's
  const targetInfo = {class: target.class, knownAnycast: target.knownAnycast, notes: target.notes}
  const signals = traceSignals({hops, destinationReached: raw.destinationReached, targetHostname, targetAddr: target.addr, targetInfo, ...(raw.identity ? {destinationIdentity: raw.identity} : {})}, plan.vpLocation)
  const explained = popVerdictExplained(signals)
  mark('pop inferred')
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    kind: 'trace',
    target: plan.target,
    targetAddr: target.addr,
    targetInfo,
    family: target.family,
    protocol: plan.protocol,
    flowId: raw.flowId,
    vantage: plan.vantage ?? localVantage(),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(raw.durationMs * 1000) / 1000,
    params: raw.params,
    hops,
    destinationReached: raw.destinationReached,
    stopReason: raw.stopReason,
    pop: explained.verdict,
    ...popExplanation(explained),
    targetHostname,
    ...(raw.identity ? {destinationIdentity: raw.identity} : {}),
    ...(raw.identity && raw.identitySources ? {destinationIdentitySources: raw.identitySources} : {}),
    ...(raw.tcpPort ? {tcpPort: raw.tcpPort} : {}),
  }
}

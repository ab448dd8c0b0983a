// After parsing: reverse DNS of hop and target addresses (Atlas traceroutes carry no hostnames),
// hop ASNs and location hints (enrich/trace.ts enrichedHop and hopAsnLookup, as a local trace's
// hops get them), then the PoP verdict, over a batch of outcomes with one shared, cached
// resolver. An HTTP result's answering address (dst_addr) gets its network (targetAsn,
// enrich/answer-asn.ts), the verdict's edge-trust input, as a local http probe's does. The PoP
// step alone (inferAtlasPop) is synchronous and cheap, for results whose hops already have names
// (saved anyprobe output, or a second pass).
import pLimit from 'p-limit'

import {answeringAsn} from '../../enrich/answer-asn.js'
import {type AsnLookup, nullAsnLookup} from '../../enrich/asn.js'
import {RDNS_CACHE_MAX, type ReverseResolver} from '../../enrich/rdns.js'
import {enrichedHop, type HopEnricher, hopAsnLookup} from '../../enrich/trace.js'
import {hostnameHint, popExplanation, type ExplainedVerdict} from '../../infer/index.js'
import {resultVerdictExplained} from '../../infer/verdict.js'
import type {GeoHint, PopVerdict} from '../../model/pop.js'
import type {TraceResult} from '../../model/trace.js'
import {boundedMemo} from '../../util/memo.js'
import type {ProbeResult, VantageOutcome} from '../types.js'

/** Where the probe is, for the RTT-feasibility check (Atlas fuzzes probe locations by < 1 km). */
export {vpLocationOf} from '../../infer/verdict.js'

/** The PoP verdict of one parsed result, from what it already holds: popVerdict's rules, as for a local result. Synchronous. */
export function inferAtlasPop(result: ProbeResult): PopVerdict | null {
  return explainAtlasPop(result).verdict
}

/** inferAtlasPop with why there is no verdict and what the RTT ruled out: popVerdict's, as for a local result. */
export function explainAtlasPop(result: ProbeResult): ExplainedVerdict {
  return resultVerdictExplained(result)
}

/** A result with its verdict and the explanation beside it (see PopExplanation). */
function withPop<T extends ProbeResult>(r: T): T {
  if (r.kind === 'ping') return {...r, pop: null}
  const ex = explainAtlasPop(r)
  // a second pass replaces what an earlier one said
  const {popRejected: _stale, ...rest} = r as T & {popRejected?: unknown}
  return {...rest, pop: ex.verdict, ...popExplanation(ex)} as T
}

/**
 * hostnameHint with a memo: Atlas results from many probes cross the same routers, so the same
 * names come back thousands of times in a batch. Hints are read-only values and shared.
 */
export function memoHint(limit = 200_000): (hostname: string) => GeoHint | null {
  return boundedMemo(limit, hostnameHint)
}

/** One cache and one concurrency bound over a resolver, so a batch of 10k hops does not start 10k lookups at once. */
export function boundedResolver(inner: ReverseResolver, concurrency = 64): ReverseResolver {
  const limit = pLimit(concurrency)
  // bounded like CachedReverseResolver's own cache: memory stays flat over any number of results
  const cached = boundedMemo(RDNS_CACHE_MAX, (addr) => limit(() => inner.reverse(addr)).catch(() => null))
  return {reverse: cached}
}

export interface AtlasEnrichOptions {
  /** shared across batches (wrap a CachedReverseResolver with boundedResolver) */
  rdns: ReverseResolver
  /**
   * where hop addresses are looked up; null: none (--no-asn); absent: as a local trace's hops are
   * (enrich/trace.ts hopAsnLookup: the bundled GeoLite2 ASN when a hop is public)
   */
  asn?: AsnLookup | null
  /**
   * where an HTTP result's answering address (dst_addr) is looked up: its network is the verdict's
   * edge-trust input, not a hop's ASN (--no-asn does not drop it); absent: none (targetAsn left as it is)
   */
  answerAsn?: AsnLookup
  /** location hint of a name; share one memoHint() across batches (default: a memo per call) */
  hint?: (hostname: string) => GeoHint | null
}

function* hopAddrs(outcomes: readonly VantageOutcome[]): Generator<string> {
  for (const oc of outcomes) if (oc.result?.kind === 'trace') for (const hop of oc.result.hops) yield* hop.addrs
}

// every address of the trace is in `names` (what the resolver answered, as it answered it); each
// hop is made by enrichedHop, as a local trace's hops are
function enrichTrace(t: TraceResult, names: ReadonlyMap<string, string | null>, e: Pick<HopEnricher, 'asn' | 'hint'>): TraceResult {
  const hops = t.hops.map((hop) => enrichedHop(hop, hop.addr === null ? null : (names.get(hop.addr) as string | null), e))
  return withPop<TraceResult>({...t, hops, targetHostname: names.get(t.targetAddr) as string | null})
}

/**
 * Enrich a batch: every distinct address is looked up once (all started together, bounded by the
 * resolver) and the batch waits for them once; then each result gets hostnames, ASNs, hints and
 * its PoP verdict, synchronously (no promise per hop or per result: a 1 GB input has millions of
 * hops). Outcomes without a result pass through unchanged; order is kept.
 */
export async function enrichAtlasOutcomes(outcomes: readonly VantageOutcome[], o: AtlasEnrichOptions): Promise<VantageOutcome[]> {
  const hint = o.hint ?? memoHint()
  const answered = o.answerAsn
  // start every lookup first, so they overlap
  const lookups = new Map<string, Promise<string | null>>()
  const ask = (addr: string): void => {
    if (!lookups.has(addr)) lookups.set(addr, o.rdns.reverse(addr))
  }
  for (const oc of outcomes) {
    if (oc.result?.kind !== 'trace') continue
    ask(oc.result.targetAddr)
    for (const hop of oc.result.hops) if (hop.addr !== null) ask(hop.addr)
  }
  const names = new Map<string, string | null>()
  // opened while the names are looked up (the bundled database once per process)
  const asnP = o.asn === null ? nullAsnLookup : (o.asn ?? (lookups.size === 0 ? nullAsnLookup : hopAsnLookup({asn: true, addrs: hopAddrs(outcomes)})))
  if (lookups.size > 0) {
    const addrs = [...lookups.keys()]
    const found = await Promise.all(lookups.values())
    for (let i = 0; i < addrs.length; i++) names.set(addrs[i]!, found[i]!)
  }
  const hops = {asn: await asnP, hint}
  return outcomes.map((oc) => {
    const r = oc.result
    if (r === null) return oc
    if (r.kind === 'trace') return {...oc, result: enrichTrace(r, names, hops)}
    if (r.kind === 'http' && answered !== undefined) return {...oc, result: withPop({...r, targetAsn: answeringAsn(r.targetAddr, answered)})}
    return {...oc, result: withPop(r)}
  })
}

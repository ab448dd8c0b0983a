// After parsing: reverse DNS of hop and target addresses (Atlas traceroutes carry no hostnames),
// ASNs, location hints, then the PoP verdict, over a batch of outcomes with one shared, cached
// resolver. The PoP step alone (inferAtlasPop) is synchronous and cheap, for results whose hops
// already have names (saved anyprobe output, or a second pass).
import pLimit from 'p-limit'

import {type AsnLookup, nullAsnLookup} from '../../enrich/asn.js'
import type {ReverseResolver} from '../../enrich/rdns.js'
import {enrichHops} from '../../enrich/trace.js'
import {identityInputs, minRttMs} from '../../engines/dns/probe.js'
import {httpObservations, minRttFromTimings} from '../../engines/http/observations.js'
import {hostnameHint, inferPop, type Observation} from '../../infer/index.js'
import type {GeoHint, PopVerdict} from '../../model/pop.js'
import type {TraceResult} from '../../model/trace.js'
import type {VantagePoint} from '../../model/vantage.js'
import {minDestinationRtt, traceObservations} from '../../pipeline/pop-observations.js'
import {boundedMemo} from '../../util/memo.js'
import type {ProbeResult, VantageOutcome} from '../types.js'

/** Where the probe is, for the RTT-feasibility check (Atlas fuzzes probe locations by < 1 km). */
export function vpLocationOf(v: VantagePoint): {lat: number; lon: number} | null {
  return v.lat !== null && v.lon !== null ? {lat: v.lat, lon: v.lon} : null
}

/** The PoP verdict of one parsed result, from what it already holds. Synchronous. */
export function inferAtlasPop(result: ProbeResult): PopVerdict | null {
  const vpLocation = vpLocationOf(result.vantage)
  switch (result.kind) {
    case 'trace': {
      const obs = traceObservations(result.hops, result.destinationReached, result.targetHostname)
      if (obs.length === 0) return null
      return inferPop(obs, {vpLocation, rttMs: minDestinationRtt(result.hops, result.destinationReached)})
    }
    case 'dns': {
      const obs: Observation[] = identityInputs(result.identity).map((input) => ({signal: 'dns-identity', input}))
      return obs.length === 0 ? null : inferPop(obs, {vpLocation, rttMs: minRttMs(result.queries)})
    }
    case 'http': {
      const obs = httpObservations(result.headers, result.params.popHeaders, result.cfTrace)
      return obs.length === 0 ? null : inferPop(obs, {vpLocation, rttMs: minRttFromTimings(result.timings)})
    }
    case 'ping':
      // a ping names no place by itself
      return null
  }
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
  const cache = new Map<string, Promise<string | null>>()
  return {
    reverse(addr: string): Promise<string | null> {
      let p = cache.get(addr)
      if (!p) {
        p = limit(() => inner.reverse(addr)).catch(() => null)
        cache.set(addr, p)
      }
      return p
    },
  }
}

export interface AtlasEnrichOptions {
  /** shared across batches (wrap a CachedReverseResolver with boundedResolver) */
  rdns: ReverseResolver
  asn?: AsnLookup
  /** location hint of a name; share one memoHint() across batches (default: a memo per call) */
  hint?: (hostname: string) => GeoHint | null
}

async function enrichTrace(t: TraceResult, o: AtlasEnrichOptions, hint: (hostname: string) => GeoHint | null): Promise<TraceResult> {
  const [hops, targetHostname] = await Promise.all([
    enrichHops(t.hops, {rdns: o.rdns, asn: o.asn ?? nullAsnLookup, hint}),
    o.rdns.reverse(t.targetAddr),
  ])
  const out: TraceResult = {...t, hops, targetHostname}
  out.pop = inferAtlasPop(out)
  return out
}

/**
 * Enrich a batch: every distinct address is looked up once (all started together, bounded by the
 * resolver), then each result gets hostnames, ASNs, hints and its PoP verdict. Outcomes without a
 * result pass through unchanged; order is kept.
 */
export async function enrichAtlasOutcomes(outcomes: readonly VantageOutcome[], o: AtlasEnrichOptions): Promise<VantageOutcome[]> {
  const hint = o.hint ?? memoHint()
  // start every lookup first, so they overlap
  for (const oc of outcomes) {
    if (oc.result?.kind !== 'trace') continue
    void o.rdns.reverse(oc.result.targetAddr)
    for (const hop of oc.result.hops) if (hop.addr !== null) void o.rdns.reverse(hop.addr)
  }
  return Promise.all(
    outcomes.map(async (oc) => {
      const r = oc.result
      if (r === null) return oc
      if (r.kind === 'trace') return {...oc, result: await enrichTrace(r, o, hint)}
      return {...oc, result: {...r, pop: inferAtlasPop(r)} as ProbeResult}
    }),
  )
}

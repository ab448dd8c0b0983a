// Fill in what the engine does not know: reverse DNS, ASN and a location hint for every hop. One
// hop's fields are made by one function (enrichedHop) for every source of traces: a local trace
// (enrichHops, below: lookups per hop, concurrent) and RIPE Atlas results, live or read from a file
// (vantage/atlas/enrich.ts: a batch's names looked up first, then every hop at once), so hop ASNs
// and hints cannot differ by where a trace came from. Globalping results carry the hop names and
// ASNs Globalping resolved, which are its own.
import type {GeoHint} from '../model/pop.js'
import type {TraceHop} from '../model/trace.js'
import {isPublicAddress} from '../util/target.js'
import {type AsnLookup, bundledAsnLookup, firstAsnLookup, nullAsnLookup} from './asn.js'
import type {ReverseResolver} from './rdns.js'

export interface HopEnricher {
  rdns: ReverseResolver
  asn: AsnLookup
  /** location hint from a hostname (the inference engine's hostnameHint) */
  hint: (hostname: string) => GeoHint | null
}

/** A hop with its name (looked up by the caller), its ASN and the hint of its name: all offline once the name is known. */
export function enrichedHop(hop: TraceHop, hostname: string | null, e: Pick<HopEnricher, 'asn' | 'hint'>): TraceHop {
  if (hop.addr === null) return {...hop, hostname: null, asn: null, asOrg: null, hint: null}
  const asn = e.asn.lookup(hop.addr)
  return {...hop, hostname, asn: asn?.asn ?? null, asOrg: asn?.org ?? null, hint: hostname ? e.hint(hostname) : null}
}

export async function enrichHops(hops: TraceHop[], e: HopEnricher): Promise<TraceHop[]> {
  return Promise.all(hops.map(async (hop) => enrichedHop(hop, hop.addr === null ? null : await e.rdns.reverse(hop.addr), e)))
}

/**
 * The ASN database a trace's hops are looked up in: the user's --asn-db files first (`user`, opened
 * by the caller before anything is measured), then the bundled GeoLite2 ASN when a hop address is
 * public (it knows only public space, so a lab trace or one inside a corporate network does not
 * open it: ~40 ms); none with --no-asn (`asn` false). Every trace source asks this.
 */
export async function hopAsnLookup(o: {asn: boolean; user?: AsnLookup | null; addrs: Iterable<string>}): Promise<AsnLookup> {
  if (!o.asn) return nullAsnLookup
  let anyPublic = false
  for (const a of o.addrs) if ((anyPublic = isPublicAddress(a))) break
  const bundled = anyPublic ? await bundledAsnLookup() : nullAsnLookup
  return o.user ? firstAsnLookup(o.user, bundled) : bundled
}

// Fill in what the engine does not know: reverse DNS, ASN and a location hint for every hop.
// Lookups for all hops run concurrently; each is cached and bounded by its own timeout.
import type {GeoHint} from '../model/pop.js'
import type {TraceHop} from '../model/trace.js'
import type {AsnLookup} from './asn.js'
import type {ReverseResolver} from './rdns.js'

export interface HopEnricher {
  rdns: ReverseResolver
  asn: AsnLookup
  /** location hint from a hostname (the inference engine's hostnameHint) */
  hint: (hostname: string) => GeoHint | null
}

export async function enrichHops(hops: TraceHop[], e: HopEnricher): Promise<TraceHop[]> {
  return Promise.all(
    hops.map(async (hop) => {
      if (hop.addr === null) return {...hop, hostname: null, asn: null, asOrg: null, hint: null}
      const hostname = await e.rdns.reverse(hop.addr)
      const asn = e.asn.lookup(hop.addr)
      return {
        ...hop,
        hostname,
        asn: asn?.asn ?? null,
        asOrg: asn?.org ?? null,
        hint: hostname ? e.hint(hostname) : null,
      }
    }),
  )
}

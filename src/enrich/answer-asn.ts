// The network (origin AS) of the address that sent an HTTP response: the PoP verdict's input for
// whether a CDN location header is the edge that answered (src/infer/edge-trust.ts). Every source
// of HTTP results takes it from here, so one response reads the same from each: the local probe
// (pipeline/http.ts), the watch probers and their netns/ssh children (vantage/live), Globalping and
// RIPE Atlas results (vantage/globalping/parse.ts, vantage/atlas/enrich.ts).
import {isPublicAddress} from '../util/target.js'
import type {AsnInfo, AsnLookup} from './asn.js'

/**
 * The answering address's AS, or null. Only a public address is looked up: a private or
 * documentation address (the lab) has none, and its headers are read as they stand; so has an
 * address the database does not hold.
 */
export function answeringAsn(addr: string | null | undefined, db: AsnLookup): AsnInfo | null {
  if (addr === null || addr === undefined || !isPublicAddress(addr)) return null
  return db.lookup(addr.trim())
}

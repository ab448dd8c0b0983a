// The shapes of `anyprobe sites`: what one vantage point measured (input), and the sites found
// (output). Missing is null: a vantage point without a location or an RTT is counted, not guessed.
import type {VantageError} from './probe.js'
import type {VantagePoint} from './vantage.js'

/** A place a vantage point's PoP verdict names (CHAOS/NSID, CDN header, hop name). */
export interface SiteIdentity {
  /** the PoP code as the verdict gives it, e.g. "fra" */
  code: string
  city: string | null
  country: string | null
  /** where the code puts the site; null when the code names no known place */
  lat: number | null
  lon: number | null
  /** the signal in a few words, e.g. "dns-identity s1.fra.anycast.example" */
  evidence: string | null
}

/** One vantage point's measurement of the target. */
export interface SiteObservation {
  /** vantage point id, e.g. "atlas:6002" or "vp-ber" */
  vp: string
  lat: number | null
  lon: number | null
  /** the lowest RTT in ms; null when the target did not answer */
  rttMs: number | null
  identity: SiteIdentity | null
  /** the user gave this location (--location): whole degrees there are their rounding, not a registry's placeholder */
  locationGiven?: boolean
  /** the data says the location stands for a whole country (RIPE Atlas tag system-auto-geoip-country) */
  locationPlaceholder?: boolean
  /**
   * no verdict because the probe's own RTT check ruled out every place it read (a result's
   * popRejected: a RIPE Atlas probe's known location, a child told --vp-location): sites lists it
   * among the contradictions, as one it judged itself
   */
  rejected?: Array<{code: string; distanceKm: number}>
}

/** A place a site may be at (a city with its population). */
export interface Candidate {
  name: string
  country: string | null
  lat: number
  lon: number
  population: number
  /** IPv4 addresses geolocated within its metro area (src/geo/address-density.ts); null or absent: not known */
  addresses?: number | null
}

/** Candidate places inside a disc: cities (population > 0) within radiusKm of the point. */
export type CandidateSource = (lat: number, lon: number, radiusKm: number) => Candidate[]

export interface SiteEvidence {
  /** "disc": this vantage point's RTT disc constrains the site; "identity": its PoP verdict names it */
  kind: 'disc' | 'identity'
  vp: string
  rttMs: number | null
  /** disc radius, km (disc evidence) */
  radiusKm: number | null
  /** identity code and its signal (identity evidence) */
  code: string | null
  note: string
}

export interface Site {
  lat: number
  lon: number
  /** the chosen city; null when no known city lies in the disc (the site stays at the vantage point) */
  city: string | null
  country: string | null
  /** the identity code naming it (when one does), else null */
  code: string | null
  evidence: SiteEvidence[]
  /** how far from (lat, lon) the site could still be, km: the largest distance to another candidate
   * place in its feasible area, or the radius of the smallest disc constraining it when it has no
   * other candidate */
  areaKm: number
  /** vantage points placing it: its own disc and the discs that contain it and overlap no other
   * site's (the evidence lists the first few) */
  vantagePoints: number
  /** an identity names a place inside the constraining disc */
  confirmed: boolean
  /** how the site was found: "disjoint" = its disc is disjoint from every other site's (provable),
   * "iteration" = separable once its neighbours were placed at cities (an estimate),
   * "identity" = only an identity names it (the discs could not separate it) */
  source: 'disjoint' | 'iteration' | 'identity'
}

export interface SiteContradiction {
  vp: string
  code: string
  /** distance from the vantage point to the claimed place, km */
  distanceKm: number
  radiusKm: number
  note: string
}

export interface SitesExcluded {
  /** vantage points with no location */
  noLocation: number
  /** locations from the data in whole degrees: a country's centre standing for an unknown place */
  placeholderLocation: number
  /** no answer (no RTT) */
  noRtt: number
  /** RTT < 0, not a number, or over an hour (model/rtt.ts impossibleRtt), or 0 (no disc of radius 0: analysis/sites/clean.ts) */
  impossibleRtt: number
  /** their location contradicts several others (see analysis/sites/clean.ts) */
  contradictingLocation: number
  /** ids of the last two kinds (a few) */
  examples: Array<{vp: string; reason: string}>
}

export interface SitesAnalysis {
  anycast: boolean | null
  /** why anycast is what it is, in a sentence */
  anycastReason: string
  /** size of the set of mutually disjoint discs: a proven lower bound on the number of sites */
  lowerBound: number
  sites: Site[]
  contradictions: SiteContradiction[]
  /** sites a vantage point most likely reached (no site found lies in its likely disc, which measured paths never left) whose place is too uncertain to give */
  notPlaced: NotPlacedSite[]
  excluded: SitesExcluded
  /** vantage points used (located, with a plausible RTT) */
  used: number
}

/** A site seen by one vantage point but not placed: its disc, and why no place is given. */
export interface NotPlacedSite {
  vp: string
  rttMs: number
  /** the likely disc's radius: the site lies within it */
  radiusKm: number
  note: string
}

/** The `sites` document (schemas/sites.schema.json). */
export const SITES_SCHEMA_VERSION = 1

export interface SitesDocument extends Omit<SitesAnalysis, 'used'> {
  schemaVersion: typeof SITES_SCHEMA_VERSION
  kind: 'sites'
  target: string | null
  method: string | null
  vantagePoints: {total: number; used: number}
  /** with --truth: the sites scored against a site list */
  score?: SitesScore
  /** with --igreedy: the peer's method on the same observations, to compare with */
  igreedy?: SitesBaseline
  /**
   * measured with --from: the vantage points that failed (no result, so no RTT: also counted in
   * excluded, as noRtt or, without a place, noLocation), each with its error (code, message, hint) as a catchment row carries it;
   * empty when none failed, absent with --input
   */
  failed?: Array<{vantage: VantagePoint; error: VantageError}>
  /**
   * measured with --from: how many rounds every vantage point finished (`completed`) of the
   * `planned` ones (dns / http / trace from child vantage points measure several and keep each
   * one's lowest RTT: console/sites-measure.ts), and whether Ctrl-C / SIGTERM `stopped` the run
   * before they were done. Absent with --input
   */
  rounds?: {planned: number; completed: number; stopped: boolean}
  /** with --input: what reading the files left out and why (other targets, other addresses of a name, ...), as stderr says it */
  inputNotes?: string[]
}

/** iGreedy (alpha = 1, same candidate cities) on the same observations (analysis/sites/igreedy.ts). */
export interface SitesBaseline {
  method: 'igreedy'
  anycast: boolean
  lowerBound: number
  sites: Array<{lat: number; lon: number; city: string | null; country: string | null}>
  /** with --truth, scored the same way */
  score?: SitesScore
}

/** A site of a list the found sites are scored against (an operator's published list). */
export interface TruthSite {
  code: string
  lat: number
  lon: number
}

/**
 * The sites scored against a site list: a found site within `hitKm` of a listed site is a hit, each
 * listed site counts once (one-to-one, closest pairs first; entries at one place are one site).
 * iGreedy2.0's own validation differs (a hit there takes every listed site within 100 km):
 * bench/sites-igreedy2-score.ts scores that way too.
 */
export interface SitesScore {
  hitKm: number
  /** listed sites with a place (those in `unplaced` are not counted) */
  truth: number
  found: number
  hits: number
  /** hits / found; null when nothing was found */
  precision: number | null
  /** hits / truth; null when the list places nothing */
  recall: number | null
  /** codes of the listed sites no found site matched */
  missed: string[]
  /** found sites (city, or "lat,lon") no listed site matched: a wrong placement, or a site the list lacks */
  unmatched: string[]
  /** codes of the list with no known place: left out of `truth` */
  unplaced: string[]
  /** listed entries within 25 km of one listed before: the same place, counted once (left out of `truth`) */
  samePlace?: number
}

// The PoP verdict and the location hints it is built from. Shared by trace, dns, http, geohint
// and everything later: one shape, so a dashboard reads every command the same way.

/** How a location code is to be read. `operator` = an operator's private code with no public meaning. */
export type CodeType = 'iata' | 'icao' | 'locode' | 'clli' | 'city' | 'operator'

/** Where a signal came from. */
export type SignalKind =
  | 'hop-hostname' // reverse DNS of a hop before the destination
  | 'dest-hostname' // reverse DNS of the destination itself
  | 'http-header' // a CDN / operator location header
  | 'dns-identity' // CHAOS hostname.bind / id.server / NSID
  | 'rtt-feasibility' // speed-of-light bound from the vantage point
  | 'user' // a value the user supplied (e.g. --pop-header)

/** A place read out of one token of one input. Missing values are null, never guessed. */
export interface GeoHint {
  /** the code as the operator wrote it, normalised to lower case (e.g. "fra", "nlams", "asbnva", "frankfurt") */
  code: string
  codeType: CodeType
  /** the token of the input that carried it (e.g. "fra03") */
  token: string
  city: string | null
  /** ISO 3166-1 alpha-2, upper case */
  country: string | null
  lat: number | null
  lon: number | null
  /** 0..1: how sure the parser is that this token names a place */
  confidence: number
}

/** One piece of evidence behind a verdict: what was read, what it parsed to, how much it counted. */
export interface Evidence {
  signal: SignalKind
  /** the raw input (sanitised), e.g. the hostname, header line or TXT string */
  input: string
  /** the parsed code, or null when the signal carried none (e.g. an RTT bound) */
  code: string | null
  codeType: CodeType | null
  city: string | null
  country: string | null
  /** contribution to the verdict, 0..1; negative when the signal argues against the verdict */
  weight: number
  /** a short human explanation, e.g. "IATA fra + digits in hop 7" or "rejected: 9000 km > 40 ms RTT allows" */
  note: string
}

export interface PopVerdict {
  code: string
  codeType: CodeType
  city: string | null
  country: string | null
  lat: number | null
  lon: number | null
  /** 0..1 */
  confidence: number
  evidence: Evidence[]
  /** readings that disagreed with the verdict, listed rather than hidden */
  conflicts: Evidence[]
  /**
   * Places the speed-of-light check ruled out (with --vp-location or a probe's known location),
   * each with why. Empty when none; absent in files written before it was added.
   */
  rejected?: Rejection[]
  /**
   * Set when the verdict stands against a check: "vantage-location" = every strong signal (the
   * site's own DNS identity or headers) was too far for the RTT, so the vantage point's stated
   * location is the likelier error and the identity's site is kept. null when none.
   */
  contradiction?: Contradiction | null
}

/** A place the RTT bound ruled out: "ashburn rejected: 7,600 km from GRU needs >= 72 ms, measured 0.9 ms". */
export interface Rejection {
  code: string
  city: string | null
  /** which signal carried the rejected reading */
  signal: SignalKind
  /** the sentence a table prints */
  reason: string
  distanceKm: number
  /** the lowest RTT at which the place would pass the check */
  minRttMs: number
  measuredRttMs: number
}

export interface Contradiction {
  kind: 'vantage-location'
  reason: string
}

/**
 * What a result says beside its verdict (trace, dns, http): `popReason` says why `pop` is null
 * (null when there is a verdict), `popRejected` what the RTT ruled out when nothing was left
 * (the verdict's own `rejected` holds them otherwise). Both absent in files written before them.
 */
export interface PopExplanation {
  popReason?: string | null
  popRejected?: Rejection[]
}

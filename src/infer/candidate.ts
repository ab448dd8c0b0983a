// The internal form of a reading: a GeoHint plus the region (for state/country context) and a note.
import type {Place} from '../geo/airports.js'
import type {CodeType, GeoHint} from '../model/pop.js'
import {hasUnsafeChars, sanitize} from '../util/sanitize.js'

/** sanitize(), skipping the copy when the text is already safe (the common case on hot paths). */
export function safeText(text: string, maxLen = 512): string {
  // the sanitiser's own test (a copy of its character class here missed zero-width and U+2028)
  return text.length <= maxLen && !hasUnsafeChars(text) ? text : sanitize(text, maxLen)
}

export interface Candidate {
  code: string
  codeType: CodeType
  token: string
  city: string | null
  country: string | null
  /** US state / admin1 when known, for context matching */
  region: string | null
  lat: number | null
  lon: number | null
  confidence: number
  /** why this reading, e.g. "IATA FRA (Frankfurt Airport)" */
  note: string
  /**
   * a spelled city tied with a namesake in another country (hostname.ts, namesakeTie): the
   * confidence it had before the tie held it below 0.5, back when the RTT bound rules out every
   * namesake it was tied with
   */
  untied?: number
}

export function fromPlace(
  code: string,
  codeType: CodeType,
  token: string,
  place: Place,
  confidence: number,
  note: string,
): Candidate {
  return {
    code,
    codeType,
    token,
    city: place.city,
    country: place.country,
    region: place.region,
    lat: place.lat,
    lon: place.lon,
    confidence,
    note,
  }
}

/** A code with no known place (an operator's private site code). */
export function placeless(
  code: string,
  codeType: CodeType,
  token: string,
  confidence: number,
  note: string,
  country: string | null = null,
): Candidate {
  return {code, codeType, token, city: null, country, region: null, lat: null, lon: null, confidence, note}
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100
}

export function clamp(x: number, lo = 0.05, hi = 0.95): number {
  return x < lo ? lo : x > hi ? hi : x
}

export function toHint(c: Candidate): GeoHint {
  return {
    code: c.code,
    codeType: c.codeType,
    token: c.token,
    city: c.city,
    country: c.country,
    lat: c.lat,
    lon: c.lon,
    confidence: round2(c.confidence),
  }
}

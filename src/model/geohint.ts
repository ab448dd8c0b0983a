// `anyprobe geohint` output: one record per input (NDJSON) and a summary.
import type {CodeType, Contradiction, Evidence, Rejection} from './pop.js'

export const GEOHINT_SCHEMA_VERSION = 1

/** 'response': a whole saved response head (geohint --response), all its headers read together */
export type GeohintKind = 'hostname' | 'header' | 'identity' | 'response'

export interface GeohintRecord {
  schemaVersion: typeof GEOHINT_SCHEMA_VERSION
  input: string
  kind: GeohintKind
  pop: {code: string; codeType: CodeType; city: string | null; country: string | null; lat: number | null; lon: number | null} | null
  /** null when nothing was found (missing is null, never 0) */
  confidence: number | null
  evidence: Evidence[]
  /** places --vp-location with --rtt ruled out, each with why */
  rejected: Rejection[]
  /** "vantage-location": the input names its site and the RTT says it cannot be there; the site is kept */
  contradiction: Contradiction | null
}

export interface GeohintSummary {
  schemaVersion: typeof GEOHINT_SCHEMA_VERSION
  inputs: number
  located: number
}

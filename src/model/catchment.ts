// The catchment document: which PoP each vantage point reaches, and each PoP's share. Built by
// src/analysis/catchment.ts, printed by `catchment` and `report`, read back by tests and tools.
import type {Contradiction, Rejection} from './pop.js'
import type {ProbeMethod, VantageError} from './probe.js'
import type {VantagePoint} from './vantage.js'

export const CATCHMENT_SCHEMA_VERSION = 1

export interface CatchmentPop {
  code: string
  city: string | null
  country: string | null
  confidence: number
  /**
   * The verdict stands against the vantage point's stated location (the site's own identity is
   * too far for the RTT: the location is the likelier error). Absent when none, and in files
   * written before it was carried here.
   */
  contradiction?: Contradiction
}

export interface CatchmentVantagePoint {
  vantage: VantagePoint
  pop: CatchmentPop | null
  rttMs: number | null
  /**
   * true: rttMs is only an upper bound of the RTT (an HTTP result with no connect phase timed: a
   * kept connection's first byte, a RIPE Atlas result's whole request `rt`). Absent otherwise.
   */
  rttUpperBound?: true
  /** the strongest evidence in a few words, e.g. "dns-identity s1.fra.anycast.example"; null when none */
  evidence: string | null
  /** true when the probe reached the target; null when there is no result */
  reached: boolean | null
  error: VantageError | null
  /**
   * When pop is null: the places the speed-of-light check ruled out, each with why (the result's
   * popRejected), so a row left unknown by the RTT says what it refused. Absent when none (and in
   * files written before it).
   */
  popRejected?: Rejection[]
  /**
   * When the row's result was measured (its startedAt), or its failure happened when the input
   * says (a RIPE Atlas probe error), ISO 8601; null when not known. Absent in files written before
   * it: report's latest-result rule then has only the order the rows were read in.
   */
  startedAt?: string | null
  /**
   * Results of the same way that followed this one unanswered, fewer than an outage's run (the
   * watch's outageAfter): the vantage point's latest result was lost, and one loss is not an
   * outage, so this answered result counts (src/analysis/catchment-way.ts). Absent when none.
   */
  unansweredAfter?: number
}

export interface CatchmentPopShare {
  code: string
  city: string | null
  country: string | null
  /** ids of the vantage points that reach it, in row order */
  vantagePoints: string[]
  /** of the vantage points that produced a result, 0..1 */
  share: number
  medianRttMs: number | null
}

export interface CatchmentSummary {
  /** rows */
  vantagePoints: number
  /** with a result */
  measured: number
  /** with a PoP (hinted ones included) */
  located: number
  /** of `located`, those whose PoP is only a hint (under 0.5): in hintedPops, not pops. Absent when none (and in older files) */
  hinted?: number
  /** with a result but no PoP */
  unlocated: number
  /** no result (error) */
  failed: number
}

export type CatchmentMethod = ProbeMethod | 'mixed'

export interface CatchmentResult {
  schemaVersion: typeof CATCHMENT_SCHEMA_VERSION
  kind: 'catchment'
  /** what the user asked for; '' when nothing read names it */
  target: string
  /** null: nothing read says how it was measured (every vantage point failed, or a saved file cut before it said) */
  method: CatchmentMethod | null
  vantagePoints: CatchmentVantagePoint[]
  /** the earliest startedAt of its rows: when the run (or the measurements read) began; null when no row says (absent in older files) */
  startedAt?: string | null
  /** the PoPs of confident verdicts only (confidence 0.5 or more): a share is of confident answers */
  pops: CatchmentPopShare[]
  /**
   * vantage points whose PoP was named only as a hint (under 0.5), grouped as pops are, each share
   * of the same measured vantage points; in no entry of `pops`. Absent when none (and in files written before it)
   * (their pops counted hints as confident)
   */
  hintedPops?: CatchmentPopShare[]
  summary: CatchmentSummary
}

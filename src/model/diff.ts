// `anyprobe diff A B`: the document (schemas/diff.schema.json); computed by src/analysis/diff.ts.
import {EXIT} from './errors.js'
import type {VantageKind, VantagePoint} from './vantage.js'

export const DIFF_SCHEMA_VERSION = 1
/** what `anyprobe diff` exits with when a vantage point moved, lost or found its PoP */
export const DIFF_EXIT_CHANGED = EXIT.alert

export interface DiffPop {
  code: string
  city: string | null
  country: string | null
}

/**
 * uncertain: a PoP named with confidence under CONFIDENT_POP, a hint rather than a verdict;
 * not-reached: a result came, the target did not answer it (the catchment's "not reached");
 * unlocated: the target answered, nothing named its site; failed: no result at all.
 */
export type DiffState = 'located' | 'uncertain' | 'unlocated' | 'not-reached' | 'failed'

/** the threshold and its rule are shared with --expect and the inference (./pop-confidence.ts) */
export {CONFIDENT_POP} from './pop-confidence.js'

/**
 * moved / lost / found: a confident PoP changed (exit 8); uncertain: the place changed but neither
 * side had a confident PoP (a hint to a hint, a hint to none): listed, not counted as a change of PoP.
 */
export type DiffChangeType = 'moved' | 'lost' | 'found' | 'uncertain'

export interface DiffChange {
  type: DiffChangeType
  vantage: VantagePoint
  from: DiffPop | null
  to: DiffPop | null
  fromState: DiffState
  toState: DiffState
  rttBeforeMs: number | null
  rttAfterMs: number | null
}

export interface DiffRtt {
  vantageId: string
  /** the vantage point's kind: with the id, its label as the other tables print it (netns:ap-vp-nyc) */
  vantageKind: VantageKind
  pop: string
  beforeMs: number
  afterMs: number
  deltaMs: number
}

export interface DiffPopShare extends DiffPop {
  vantagePointsBefore: number
  vantagePointsAfter: number
  /**
   * Of the vantage points measured on both sides (a result in both files: summary.measuredBoth),
   * the part at this PoP on that side (0 when none of them is); null when no vantage point was
   * measured on both sides. One denominator for both, so a vantage point that failed or is missing
   * on one side moves no share.
   */
  shareBefore: number | null
  shareAfter: number | null
  /** shareAfter - shareBefore; null when either is */
  shareDelta: number | null
  medianRttBeforeMs: number | null
  medianRttAfterMs: number | null
}

export interface DiffSide {
  source: string
  target: string
  /** null: the file does not say how it was measured */
  method: string | null
  vantagePoints: number
  located: number
}

/**
 * Why a diff may not say what it seems to: the two files measured differently (another method,
 * another target), or one could be read only in part (the diff is of what was read).
 */
export interface DiffWarning {
  code: 'methods-differ' | 'targets-differ' | 'partial-input' | 'left-out' | 'no-hop-names' | 'no-common' | 'probes-unlisted' | 'single-loss' | 'impossible-rtt'
  message: string
}

export interface DiffResult {
  schemaVersion: typeof DIFF_SCHEMA_VERSION
  kind: 'diff'
  before: DiffSide
  after: DiffSide
  changes: DiffChange[]
  pops: DiffPopShare[]
  rtt: DiffRtt[]
  onlyBefore: VantagePoint[]
  onlyAfter: VantagePoint[]
  /** empty when both files were read whole and measured the same target the same way */
  warnings: DiffWarning[]
  summary: {
    common: number
    moved: number
    lost: number
    found: number
    /** changes of place with no confident PoP on either side (not counted in moved/lost/found, nor in the exit code) */
    uncertain: number
    unchanged: number
    /** vantage points in both files with a result in both: the denominator of every share */
    measuredBoth: number
    onlyBefore: number
    onlyAfter: number
  }
}

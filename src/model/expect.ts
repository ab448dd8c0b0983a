// Expected catchments (`--expect FILE`, `--learn FILE`) and the watch events they add, plus the
// `state` event that opens a watch over a stream (each vantage point's starting state).
// Schemas: schemas/expect.schema.json, schemas/watch-event.schema.json.
import type {VantagePoint} from './vantage.js'
import {WATCH_SCHEMA_VERSION, type WatchEvent, type WatchSummaryEvent} from './watch.js'

export const EXPECT_SCHEMA_VERSION = 1

/** Which vantage points a rule is about. Every field given must match (and); a list matches any of its values. */
export interface ExpectMatch {
  /** vantage id ("atlas:1001", "netns:ap-vp-ber", "local"), or its name without the kind ("ap-vp-ber"); "*" wildcards */
  vantage?: string | string[]
  /** RIPE Atlas probe id / Globalping probe id */
  probe?: number | number[]
  /** ISO 3166 alpha-2 */
  country?: string | string[]
  asn?: number | number[]
  /** probe tags (RIPE Atlas tag slugs, Globalping tags) */
  tag?: string | string[]
}

export interface ExpectRule {
  /** how events name the rule; default "rule N" */
  name?: string
  /** omitted: every vantage point */
  match?: ExpectMatch
  /** PoPs the vantage point may land on (any other breaks the rule) */
  pops?: string[]
  /** PoPs it must not land on */
  notPops?: string[]
  /** an answer slower than this breaks the rule */
  maxRttMs?: number
}

export interface ExpectFile {
  schemaVersion: typeof EXPECT_SCHEMA_VERSION
  kind: 'expect'
  /** free text: where the file came from (--learn writes the watch it learnt from) */
  comment?: string
  rules: ExpectRule[]
}

/** One rule a vantage point broke, and how. */
export interface BrokenRule {
  /** index in the file's rules */
  rule: number
  name: string
  why: 'pop-not-allowed' | 'pop-forbidden' | 'rtt-over-bound'
  /** e.g. "landed on LHR; allowed: FRA, AMS" */
  detail: string
}

interface VantageEvent<T extends string> {
  schemaVersion: typeof WATCH_SCHEMA_VERSION
  kind: 'watch-event'
  type: T
  /** ISO time of the result that defines the event (the result's own timestamp) */
  at: string
  vantageId: string
  round: number
}

/** A vantage point's starting state: the first lines of a watch over a stream, one per vantage point. */
export interface StateEvent extends VantageEvent<'state'> {
  vantage: VantagePoint | null
  answered: boolean
  pop: string | null
  rttMs: number | null
}

/** The vantage point broke a rule of --expect (after --for rounds of doing so). */
export interface UnexpectedEvent extends VantageEvent<'unexpected'> {
  vantage: VantagePoint | null
  pop: string | null
  rttMs: number | null
  broken: BrokenRule[]
  /** ISO time of the first result that broke it (the hold-down started there) */
  since: string
  holdRounds: number
}

/** Back within the rules after an `unexpected` (after --for rounds). */
export interface ExpectedEvent extends VantageEvent<'expected'> {
  vantage: VantagePoint | null
  pop: string | null
  rttMs: number | null
  since: string
  holdRounds: number
}

export type ExpectEvent = UnexpectedEvent | ExpectedEvent

/**
 * One stretch of time a vantage point broke its rules: from the first result that broke them (the
 * `unexpected` event's `since`) to the first result back within them (the `expected` event's
 * `since`). Kept for the summary and the exit code, so an alert does not vanish because the
 * vantage point recovered before the watch ended.
 */
export interface ExpectBreach {
  vantageId: string
  /** ISO time of the first result that broke a rule */
  since: string
  /** ISO time of the `unexpected` event (after --for rounds) */
  reportedAt: string
  /** ISO time of the first result back within the rules; null: still breaking them at the end */
  until: string | null
  /** until - since; still breaking: the last judged answer - since (so at least this long) */
  durationMs: number
  /** every rule broken during the stretch (the first way each was broken) */
  broken: BrokenRule[]
}

/** A rule of the expect file whose `match` fits no vantage point (a typo, a probe not in the measurement): it checked nothing. */
export interface UnmatchedRule {
  /** index in the file's rules */
  rule: number
  name: string
}

/**
 * A vantage point whose PoP was named only as a hint (confidence under CONFIDENT_POP,
 * model/pop-confidence.ts, the rule `diff` pages by): its pops / notPops rules were not judged on it.
 */
export interface UncertainPop {
  vantageId: string
  pop: string
  confidence: number
}

/** `expect` of a watch's summary with --expect: every breach of the watch, not only those still open at the end. */
export interface ExpectSummary {
  /** --for */
  holdRounds: number
  /** vantage points judged against the rules (an answer some rule applied to) */
  judged: number
  /** vantage points that broke a rule at some time (an `unexpected` event) */
  brokeRules: number
  /** vantage points still breaking a rule at the end */
  stillBroken: number
  /** in time order; at most MAX_LISTED_BREACHES, the rest counted in breachesOmitted */
  breaches: ExpectBreach[]
  breachesOmitted: number
  /** vantage points whose PoP was at some time named only as a hint, so their PoP rules were not judged then (absent in older summaries) */
  uncertain?: number
  /** rules that matched no vantage point of the watch (exit 7 unless a breach makes it 8; absent in older summaries) */
  unmatchedRules?: UnmatchedRule[]
}

/** One-shot check (`catchment --expect`): a vantage point that breaks a rule. */
export interface ExpectViolation {
  vantageId: string
  pop: string | null
  broken: BrokenRule[]
}

/** `expect` of `catchment --expect --json`: the rules' file and the vantage points that break one. */
export interface CatchmentExpect {
  /** the --expect path, as given */
  file: string
  /** vantage points with a verdict (a result some rule applied to) */
  judged: number
  violations: ExpectViolation[]
  /** vantage points named only a hint of a PoP: their pops / notPops rules not judged (never exit 8 for one) */
  uncertain: UncertainPop[]
  /** rules that matched no vantage point of the catchment: exit 7 unless a violation makes it 8 */
  unmatchedRules: UnmatchedRule[]
}

/** Every event a live watch writes: the analysis's, plus the starting state and the --expect verdicts. */
export type LiveWatchEvent = WatchEvent | StateEvent | ExpectEvent

/** A watch's summary as the watch prints it: with --expect, every breach of the watch. */
export type LiveWatchSummary = WatchSummaryEvent & {expect?: ExpectSummary}

// `anyprobe watch`: one observation per probe of one vantage point, and the events the analysis
// derives from a time-ordered stream of them (src/analysis/watch). Missing values are null, never 0.
//
// Times: `sentAt`/`receivedAt` are ms since the epoch from the sending host's clock. An event's
// `at` (and every `...At`) is that clock's reading at the probe that defines the event, as an ISO
// string, so it can be lined up with that host's logs. Durations (gapMs, durationMs) are computed
// from sentAt differences corrected for clock steps (see the analyser), so they may differ from a
// naive subtraction of two `...At` fields when `clockJump` is true.
import type {VantagePoint} from './vantage.js'

export const WATCH_SCHEMA_VERSION = 1

/** One probe of one vantage point in one round. */
export interface Observation {
  vantageId: string
  vantage?: VantagePoint
  /** the round number (0, 1, 2, ...): orders observations even when a clock steps */
  round: number
  /** flow id within the round, 0..flows-1 */
  flow: number
  /** ms since the epoch, from the sender's clock, when the probe left */
  sentAt: number
  receivedAt: number | null
  rttMs: number | null
  /** the PoP code; null when there was an answer but no PoP could be named (or no answer) */
  pop: string | null
  /** the confidence `pop` was named with (under 0.5: a hint, model/pop-confidence.ts); absent when not known */
  popConfidence?: number
  answered: boolean
  error?: string
  /**
   * true when the probe got no answer because of the vantage point or its client, not the target
   * (an HTTP certificate it did not trust, no route from it): `error` is the code; absent otherwise
   */
  vantageFault?: true
}

/**
 * The first line `watch --out FILE` writes for each watch (the file is appended to, so a file may
 * hold several): what `anyprobe report FILE` needs to judge the observations that follow exactly
 * as the live watch did. Observations are the other lines.
 */
export interface WatchStart extends WatchJudging {
  schemaVersion: typeof WATCH_SCHEMA_VERSION
  kind: 'watch-start'
  /** ISO time the watch started */
  at: string
  target: string
  method: 'dns' | 'http' | 'icmp' | 'trace'
}

/**
 * `watch --out` around the history a remote source replays first (RIPE Atlas: the results since
 * one interval before the start): `report` then takes each vantage point's starting state from its
 * last observation of the history, as the live watch did.
 */
export interface WatchHistoryLine {
  schemaVersion: typeof WATCH_SCHEMA_VERSION
  kind: 'watch-history-start' | 'watch-history-end'
  /** ISO time the line was written (this host's clock) */
  at: string
}

/**
 * A --out line for a round the backend said it could not measure for one vantage point (a Globalping
 * round the API refused, a RIPE Atlas round neither the stream nor the API delivered): `report` counts
 * it as not measured, as the live watch did, not as skipped.
 */
export interface WatchUnmeasuredLine {
  schemaVersion: typeof WATCH_SCHEMA_VERSION
  kind: 'watch-unmeasured'
  vantageId: string
  round: number
}

/** The settings the watch analysis judges observations by (src/analysis/watch/analyzer.ts). */
export interface WatchJudging {
  intervalMs: number
  flows: number
  flapThreshold: number
  flapWindowMs: number
  outageAfter: number
  /** rounds an observation may trail before its round is judged without it */
  reorderRounds: number
}

export type WatchEventType = 'shift' | 'flap' | 'flap-end' | 'outage' | 'recovered' | 'failover' | 'load-balanced' | 'hint' | 'summary'

interface WatchEventBase<T extends WatchEventType> {
  schemaVersion: typeof WATCH_SCHEMA_VERSION
  kind: 'watch-event'
  type: T
  /** ISO time (sender's clock) of the probe that defines the event */
  at: string
}

interface VantageEventBase<T extends WatchEventType> extends WatchEventBase<T> {
  vantageId: string
  /** the round of the probe that defines the event */
  round: number
}

/**
 * The vantage point's PoP changed. `from`/`to` are PoP codes; a load-balanced set of PoPs is
 * written as its codes sorted and joined with "+" (e.g. "AMS+FRA"). Every change is a shift;
 * a change with at least one probe lost in between is also reported as a `failover`.
 */
export interface ShiftEvent extends VantageEventBase<'shift'> {
  from: string
  to: string
  /** RTT of the last answer from the old PoP / the first from the new one */
  rttBeforeMs: number | null
  rttAfterMs: number | null
  /** sentAt of the last answer from the old PoP and of the first from the new one */
  lastOldAt: string
  firstNewAt: string
  /** firstNew.sentAt - lastOld.sentAt (clock-step corrected); a graceful shift shows about one interval */
  gapMs: number
  /** probes sent in between that got no answer */
  lostProbes: number
  /** probes in between that were answered but whose PoP could not be named */
  unlocatedProbes: number
  /** the probing interval: no figure here is finer than this */
  resolutionMs: number
  /** a clock step was detected and corrected between the two probes */
  clockJump: boolean
}

/**
 * A shift with traffic lost in between (lostProbes >= 1). The real loss lasted more than
 * `gapMinMs` (first to last lost probe) and less than `gapMs` (last old answer to first new one).
 */
export interface FailoverEvent extends VantageEventBase<'failover'> {
  from: string
  to: string
  lastOldAt: string
  firstNewAt: string
  /** upper bound of the loss: firstNew.sentAt - lastOld.sentAt */
  gapMs: number
  /** lower bound of the loss: lastLost.sentAt - firstLost.sentAt */
  gapMinMs: number
  lostProbes: number
  unlocatedProbes: number
  rttBeforeMs: number | null
  rttAfterMs: number | null
  resolutionMs: number
  clockJump: boolean
}

/** Emitted once when a vantage point moves `threshold` times within `windowMs`; not again until it has been stable for a full window. */
export interface FlapEvent extends VantageEventBase<'flap'> {
  /** the PoPs the flips went between, sorted */
  pops: string[]
  /** flips within the window when the threshold was crossed */
  flips: number
  windowMs: number
  threshold: number
  /** flips / window, per minute */
  flipsPerMinute: number
  /** sentAt of the first flip in the window */
  since: string
}

/**
 * A flap episode is over: the vantage point went a full `windowMs` without a flip (the clear of
 * `flap`, as `recovered` is of `outage`; an alert raised on `flap` is resolved on it).
 */
export interface FlapEndEvent extends VantageEventBase<'flap-end'> {
  /** sentAt of the first flip of the episode (the flap event's since) */
  since: string
  /** sentAt of the episode's last flip */
  lastFlipAt: string
  /** flips from the first of the episode to its last */
  flips: number
  windowMs: number
  /** where it is now (a load-balanced set as "A+B"); null: no PoP named, or this round had no answer */
  pop: string | null
}

/** No answer for `outageAfter` consecutive rounds (all flows unanswered). */
export interface OutageEvent extends VantageEventBase<'outage'> {
  /** sentAt of the first unanswered probe */
  since: string
  /** unanswered probes so far */
  lostProbes: number
  /** sentAt of the last answered probe before, null when it never answered */
  lastAnswerAt: string | null
  /** the PoP before the outage, null when unknown */
  lastPop: string | null
  /** lastPop was named only as a hint (under 0.5): its confidence; absent for a catchment named confidently */
  lastPopConfidence?: number
  /** set when the vantage point itself failed (its E_VP_* code), not the target: absent otherwise */
  vantageError?: string
}

/** Answers again after an `outage`. */
export interface RecoveredEvent extends VantageEventBase<'recovered'> {
  since: string
  lostProbes: number
  /** first answer.sentAt - last answer before.sentAt; null when it had never answered */
  durationMs: number | null
  /** the PoP it came back at (null: answered, PoP not named) */
  pop: string | null
  /** pop was named only as a hint (under 0.5): its confidence; absent for a PoP named confidently */
  popConfidence?: number
  resolutionMs: number
  clockJump: boolean
}

/**
 * The vantage point answers, but its answers name a PoP only as a hint (under 0.5, a lone server
 * name such as 'london-1'): said once per hinted PoP, never a shift or failover (no page), no flip.
 * Not said for the first answers of a vantage point (its `state` line says the hint).
 */
export interface HintEvent extends VantageEventBase<'hint'> {
  /** the PoP named only as a hint, and its confidence */
  pop: string
  popConfidence: number
  /** the catchment named confidently before (a set as "A+B"), null when none */
  catchment: string | null
}

/** Several PoPs within one round across flows, in two rounds: ECMP / load balancing, not flapping. */
export interface LoadBalancedEvent extends VantageEventBase<'load-balanced'> {
  /** every PoP seen within a round so far, sorted */
  pops: string[]
}

export interface WatchPopCount {
  pop: string
  observations: number
}

export interface WatchVantageSummary {
  vantageId: string
  vantage: VantagePoint | null
  /** every observation received, late and duplicate ones included */
  observations: number
  answered: number
  /** unanswered probes */
  lost: number
  /** answered, PoP not named */
  unlocated: number
  /** arrived after its round was judged: counted here, ignored for state */
  late: number
  duplicates: number
  /** rounds judged */
  rounds: number
  /**
   * rounds between its first and newest with no observation: not sent (a loop over half an interval
   * behind skips a round rather than send it late; src/vantage/live/loop.ts). One rule with the
   * metric: analysis/watch/gaps.ts
   */
  skippedRounds: number
  /**
   * rounds with no observation that the backend said it did not measure (a Globalping round the
   * API refused or could not create): asked for, not skipped. Absent in summaries written before it
   */
  unmeasuredRounds?: number
  /** rounds with at least one answer naming a PoP */
  locatedRounds: number
  /** shifts */
  flips: number
  /** flips / (locatedRounds - 1); null with fewer than two located rounds */
  flipRate: number | null
  /** current PoP (load-balanced set joined with "+"), null when never located */
  pop: string | null
  /**
   * the newest PoP named was only a hint (under 0.5, model/pop-confidence.ts): its confidence, and
   * `pop` is that hint, not a catchment (no shift or failover was judged from it); absent otherwise
   */
  popConfidence?: number
  /** answers naming a PoP confidently, per PoP */
  pops: WatchPopCount[]
  /** answers naming a PoP only as a hint, per PoP (counted apart from pops); absent when none */
  hintedPops?: WatchPopCount[]
  loadBalanced: boolean
  flapEpisodes: number
  outages: number
  inOutage: boolean
  clockJumps: number
}

export interface WatchPopSummary {
  pop: string
  /** answered probes that named it */
  observations: number
  /** vantage points that reached it at some time */
  vantagePoints: number
  /** vantage points whose current catchment includes it */
  current: number
}

export interface WatchFailoverSummary {
  count: number
  /** nearest-rank percentiles of the failover gapMs; null without failovers */
  p50Ms: number | null
  p90Ms: number | null
  maxMs: number | null
  resolutionMs: number
}

export interface WatchSummaryEvent extends WatchEventBase<'summary'> {
  intervalMs: number
  flows: number
  flapThreshold: number
  flapWindowMs: number
  outageAfter: number
  /** distinct rounds judged */
  rounds: number
  /** the vantage points' skippedRounds, added up */
  skippedRounds: number
  /** the vantage points' unmeasuredRounds, added up (absent in summaries written before it) */
  unmeasuredRounds?: number
  /** sentAt of the first and last judged probe; null when none */
  firstAt: string | null
  lastAt: string | null
  observations: number
  late: number
  duplicates: number
  clockJumps: number
  vantagePoints: WatchVantageSummary[]
  pops: WatchPopSummary[]
  failover: WatchFailoverSummary
  /** vantage points with at least one flip / vantage points with two or more located rounds */
  flippingVantagePoints: number
  flippingShare: number | null
  /**
   * live watch: vantage points started but silent, no probe sent before the watch stopped (a
   * netns/ssh child still starting at Ctrl-C); not in vantagePoints; absent when none
   */
  notReady?: string[]
}

export type WatchEvent =
  | ShiftEvent
  | FlapEvent
  | FlapEndEvent
  | OutageEvent
  | RecoveredEvent
  | FailoverEvent
  | LoadBalancedEvent
  | HintEvent
  | WatchSummaryEvent

// The `anyprobe watch` analysis: a streaming state machine per vantage point over observations
// (one probe of one vantage point in one round), and `analyze()`, the same machine over a saved list.
// Pure: no I/O, no timers; the only clock is the injected `now` (used for the summary time when
// nothing was observed). Every time figure comes from the observations' own sentAt.
//
// Rules, in one place:
//
// Ordering and lateness
// - Observations are judged round by round. Round numbers, not clocks, give the order. A round is
//   judged when flushRound(r >= it) is called, or when an observation of round
//   `round + reorderRounds + 1` or later arrives (reorderRounds defaults to 1: a reply may arrive
//   after the next round's), or at finish(). Rounds are judged in ascending order and, within a
//   round, vantage points in id order (numbers compared as numbers), so the events do not depend on
//   arrival order within the window; analyze() sorts by (round, sentAt, vantageId, flow).
// - An observation for a round already judged for its vantage point is `late`: counted (observations,
//   answered/lost, per-PoP counts) and ignored for state. A second observation of the same
//   (vantage point, round, flow) is a `duplicate`: counted the same way and ignored.
// - Live and analyze() give identical events when every observation arrives within the reorder
//   window; a command that sets reorderRounds >= ceil(timeout / interval), or calls flushRound(r)
//   once round r is complete, guarantees it.
//
// Clock jumps
// - Per vantage point (each sender has its own clock), the first sentAt of each judged round is
//   compared with the previous judged round's: expected (r - rPrev) * intervalMs. A difference that
//   is negative or off by more than clockJumpToleranceMs (default max(2 * interval, 2 s)) is a clock
//   step: the time base is re-anchored so the round is exactly (r - rPrev) intervals after the
//   previous one. Durations use these corrected times, so a gap is never negative or inflated by
//   the step; `...At` fields keep the sender's raw clock. Events whose measurement spans a step
//   say `clockJump: true`; the summary counts steps. Steps cause no events of their own.
//
// Catchment, shifts and failovers
// - A round's PoPs are the PoPs named by its answered flows. A round with no answer on any flow is
//   lost; a round with answers but no PoP named changes nothing (its probes count as `unlocated`).
// - A PoP named only as a hint (popConfidence under 0.5, model/pop-confidence.ts: a lone server
//   name's guess such as "london-1") is no catchment: its answers count as answered but unlocated
//   for every decision (no shift, failover, flip, flap or load balancing from it), and the vantage
//   point is "answering, PoP only hinted" until a confident answer comes (./hint.ts), said once per
//   hinted PoP as a `hint` event (not for a hint of the catchment it is in already). An SRE pages on
//   failovers: a page must mean the anycast routing moved, not that the identity a server answers
//   with stopped looking like a site code (the --expect rule, which never breaks on a hint, alike).
//   The target answered, so a hint is no outage either (a recovery is said at the hinted PoP, '?').
//   The hint is kept for the summary (pop with popConfidence, hintedPops counted apart from pops).
// - A vantage point's catchment is a PoP (or a load-balanced set of PoPs). A located round whose
//   PoPs are all in it is stable. A single new PoP is a shift, decided in that round.
// - Several PoPs within one round (flows > 1) are held undecided until the next located round:
//   several PoPs again -> `load-balanced` (once per vantage point, again only when the set gains a
//   PoP), and the set becomes the catchment (no shift, no flip, unless the set shares no PoP with the
//   old catchment: then that is one shift to the set); a single PoP -> the mixed round was a move
//   caught mid-way (a shift timed at its first probe to the new PoP) or a hashing blip (nothing).
//   Rounds whose PoPs are a subset of a load-balanced set are stable, but a member they do not name
//   may be gone (withdrawn: its flows now land on the others). Flows keep their 5-tuple, so only a
//   round in which every flow answered confidently is evidence: a member's own flows going
//   unanswered while the others answer is loss, not a move, and a member named as a hint is not
//   missing (both leave its count as it is; a round naming it starts over). With S PoPs in the set
//   and F flows, even hashing (a renewed flow's new port is a fresh draw) misses a member with
//   chance ((S-1)/S)^F. A member is gone once the complete rounds since it was last named make that
//   chance, multiplied, under SHRINK_CHANCE (1e-6), and are at least SHRINK_MIN_ROUNDS (2):
//   K = max(2, ceil(ln 1e-6 / (F ln((S-1)/S)))) (S = 2: 8 flows 3 rounds, 4 flows 5, 10 or more 2;
//   S = 3 and 8 flows: 5). The gone members leave the set: one `shift` from the set to the rest
//   (FRA+IAD -> FRA), timed as a move caught in the first located round all of them were missing
//   (complete or not: shiftWithin from there; its gap and loss come from the probes in round order,
//   not per flow, so a member's lost flows may go uncounted); a set of one is no longer
//   load-balanced; the other members keep their evidence. An outage forgets the evidence. It is a
//   flip, as every change of catchment: part of the traffic really moved. A member coming back is a
//   gain again: held and confirmed as above, a new `load-balanced` event, no shift and no flip (so
//   a member withdrawn and re-announced over and over flaps by its losses alone).
// - Every change of catchment is a `shift` (one flip). gapMs = first answer from the new PoP
//   (sentAt) - last answer from the old PoP (sentAt); lostProbes = probes sent in between without an
//   answer. A graceful shift has lostProbes 0 and gapMs ~ one interval. A shift with lostProbes >= 1
//   is also a `failover` (emitted right after its shift) with gapMinMs = last lost - first lost
//   probe: the real loss lasted more than gapMinMs and less than gapMs (both +- the probing
//   resolution, resolutionMs = intervalMs). Failover percentiles are over failover gapMs.
// - Losing answers and getting them back from the same PoP is an outage/recovery, not a failover.
//
// Outages
// - `outage` once outageAfter (default 2) consecutive rounds had no answer on any flow: since = first
//   unanswered probe; a single lost round is packet loss, not an outage. `recovered` at the first
//   answer after a reported outage, durationMs = that answer - the last answer before (null if the
//   vantage point had never answered). An outage still open at finish() is in the summary (inOutage).
//
// Flapping
// - A flip is a shift. When a vantage point has flipped flapThreshold (default 3) times within
//   flapWindowMs (default 60 s, flips with t > now - window), one `flap` event is emitted and an
//   episode starts; no more flap events until the vantage point goes a full window without a flip:
//   then one `flap-end` (at its first round judged a full window after the last flip; the clear of
//   the flap alert), after which a new episode may start. Load balancing never counts as flips
//   (a set gaining a PoP); a set losing one does (above).
//
// Skipped and unmeasured rounds (./gaps.ts, the one rule the metrics count by too)
// - A round of a vantage point with no observation at all, once judged past (between its first
//   round and its newest), is a gap: neither lost nor answered (no outage, no loss). The summary
//   counts it, so a gap measured across it is read with that in mind: unmeasuredRounds when the
//   backend said it did not measure it (unmeasured(): a Globalping round the API refused), else
//   skippedRounds (not sent: a local/netns/ssh loop that fell over half an interval behind skips a
//   round rather than send it late, src/vantage/live/loop.ts). Counts only grow: an observation
//   that arrives after its round was judged is late and leaves the round counted.
//
// Summary
// - per vantage point: observations, answered/lost/unlocated/late/duplicates, flips, flipRate =
//   flips / (located rounds - 1) (flips per pair of consecutive located rounds, comparable with the
//   "share of observations that flip" in Wei & Heidemann 2018), current PoP, per-PoP counts;
//   per PoP: answered probes naming it, vantage points ever and currently in it; failover gaps
//   p50/p90/max by nearest rank; flippingShare = vantage points with a flip / vantage points with two
//   or more located rounds (the figure Wei & Heidemann report as ~1% of RIPE Atlas VPs).
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {VantagePoint} from '../../model/vantage.js'
import {
  type FailoverEvent,
  type FlapEndEvent,
  type FlapEvent,
  type HintEvent,
  type LoadBalancedEvent,
  type Observation,
  type OutageEvent,
  type RecoveredEvent,
  type ShiftEvent,
  WATCH_SCHEMA_VERSION,
  type WatchEvent,
  type WatchJudging,
  type WatchPopSummary,
  type WatchSummaryEvent,
  type WatchVantageSummary,
} from '../../model/watch.js'
import {sanitize} from '../../util/sanitize.js'
import {type GapCounts, newRoundGaps, type RoundGaps, roundObserved, roundUnmeasured, settleGaps, unmeasuredAtEnd} from './gaps.js'
import {nearestRank, round3} from './stats.js'
import {type HintNow, hintOf, locatingPop} from './hint.js'
import {naturalCompare} from '../../util/collate.js'

export interface WatchAnalyzerOptions {
  /** the probing interval, ms; also the resolution of every failover figure */
  intervalMs: number
  /** flow ids per round (default 1) */
  flows?: number
  /** flips within flapWindowMs that make a flap (default 3) */
  flapThreshold?: number
  /** default 60 000 */
  flapWindowMs?: number
  /** consecutive unanswered rounds that make an outage (default 2) */
  outageAfter?: number
  /** rounds an observation may trail the newest round before its round is judged without it (default 1) */
  reorderRounds?: number
  /** a sentAt step larger than this (vs. the expected interval) is a clock jump; default max(2 * intervalMs, 2000) */
  clockJumpToleranceMs?: number
  /** ms since the epoch; only used for the summary time when nothing was observed (default Date.now) */
  now?: () => number
  /** rounds of a vantage point just settled as gaps (./gaps.ts): the metrics count them from here, by the same rule */
  onGaps?: (vantageId: string, added: GapCounts) => void
  /**
   * a round of the vantage point with an answer was just judged, leaving it in `catchment` (null:
   * none yet): what a hint of that round agrees with, as hintRound judged it. The --html timeline
   * draws an agreeing hint as that PoP from here, round by round, whenever the round was judged
   */
  onRoundJudged?: (vantageId: string, round: number, catchment: ReadonlySet<string> | null) => void
}

export interface WatchAnalyzer {
  /** Add one observation; returns the events that became certain with it (possibly none). */
  push(obs: Observation): WatchEvent[]
  /** Judge every round up to and including `round` now (a round the caller knows is complete). */
  flushRound(round: number): WatchEvent[]
  /**
   * The backend did not measure `round` for this vantage point (it was asked for; no result exists):
   * unless an observation of it comes, it is counted in unmeasuredRounds, not skippedRounds. Ignored
   * for a vantage point with no observation yet (the rounds before its first are not its own).
   */
  unmeasured(vantageId: string, round: number): void
  /**
   * Judge one vantage point's rounds up to and including `round` now: its round is complete (one
   * flow and its observation is in, as with each RIPE Atlas result), whatever the others are at.
   * Vantage points are independent, so this changes no other vantage point's events.
   */
  flushVantage(vantageId: string, round: number): WatchEvent[]
  /**
   * The vantage point's newest round was one its backend did not measure (./gaps.ts
   * unmeasuredAtEnd): its state at the end is unknown. False for a vantage point with no
   * observation. Also after finish().
   */
  unmeasuredAtEnd(vantageId: string): boolean
  /**
   * The vantage point's confident catchment as judged so far (a PoP, or a load-balanced set), or
   * null while it has none: what a hint agrees with (hintRound). The outputs that show answers as
   * they arrive (--metrics, the live line) ask it here rather than rebuild it from the events: it
   * can change with no event (the first catchment, settled from a round of several PoPs).
   */
  catchment(vantageId: string): ReadonlySet<string> | null
  /** Judge everything still pending and close: the last events, then the summary. */
  finish(): WatchEvent[]
  /** The summary so far (pending observations counted, not yet judged). */
  summary(): WatchSummaryEvent
}

export const WATCH_DEFAULTS = {
  flows: 1,
  flapThreshold: 3,
  flapWindowMs: 60_000,
  outageAfter: 2,
  reorderRounds: 1,
} as const

interface ResolvedOptions extends WatchJudging {
  clockJumpToleranceMs: number
  now: () => number
}

/** One judged probe; `t` is sentAt on the vantage point's jump-corrected time base. */
interface Probe {
  round: number
  flow: number
  sentAt: number
  t: number
  rttMs: number | null
  pop: string | null
  /** the PoP named only as a hint (the catchment takes it as unlocated: pop is null then) */
  hint: HintNow | null
  answered: boolean
}

/** What happened since the last answer from the current catchment. */
interface Loss {
  lost: number
  unlocated: number
  firstLostT: number | null
  lastLostT: number | null
}

/** A judged round as the state before it left it: what shiftWithin needs to time a move at that round. */
interface HeldRound {
  round: number
  probes: Probe[]
  lossBefore: Loss
  lastGoodBefore: Probe | null
}

/** A round with several PoPs, undecided until the next located round. */
interface Candidate extends HeldRound {
  pops: Set<string>
}

/** A member of a load-balanced set not named since `since` (the first located round without it). */
interface Missing {
  since: HeldRound
  /** complete rounds without it (every flow answered confidently: the only evidence, see the rule) */
  rounds: number
  /** the chance of missing it that many rounds if it were still in the set: the product of ((S-1)/S)^F */
  chance: number
}

/** Under this, a member missed that long is gone, not missed by chance (see the rule above). */
const SHRINK_CHANCE = 1e-6
/** ...and never from fewer located rounds than this (one round can be a blip of the hashing). */
const SHRINK_MIN_ROUNDS = 2

interface Flip {
  t: number
  sentAt: number
  from: Set<string>
  to: Set<string>
}

interface VpState {
  id: string
  vantage: VantagePoint | null
  observations: number
  answered: number
  lost: number
  unlocated: number
  late: number
  duplicates: number
  rounds: number
  locatedRounds: number
  flips: number
  flapEpisodes: number
  outages: number
  clockJumps: number
  gaps: RoundGaps
  popCounts: Map<string, number>
  /** answers naming a PoP only as a hint, by PoP: counted apart from popCounts */
  hintCounts: Map<string, number>
  /** the newest located round named only a hint (no confident PoP): "now" is that hint, not `cur` */
  hintNow: HintNow | null
  /** hinted PoPs said in a `hint` event: each once (a site whose servers alternate would say it every other round) */
  hintsSaid: Set<string>
  lastJudged: number
  prevRound: number | null
  prevRaw: number
  offset: number
  jumpRounds: number[]
  cur: Set<string> | null
  lbAnnounced: Set<string>
  loadBalanced: boolean
  /** members of the load-balanced catchment not named since their `since` */
  missing: Map<string, Missing>
  candidate: Candidate | null
  lastGood: Probe | null
  loss: Loss
  lastAnswer: Probe | null
  outage: {since: Probe; lost: number; emitted: boolean} | null
  consecutiveLost: number
  flipLog: Flip[]
  /** the open flap episode: its first flip (sentAt), last flip (t, sentAt) and flips so far */
  episode: {sinceSentAt: number; lastFlipT: number; lastFlipSentAt: number; flips: number} | null
}

const iso = (ms: number): string => new Date(ms).toISOString()
const noLoss = (): Loss => ({lost: 0, unlocated: 0, firstLostT: null, lastLostT: null})
const copyLoss = (l: Loss): Loss => ({...l})
const sortedPops = (s: Iterable<string>): string[] => [...s].sort(naturalCompare)
/** A PoP or a load-balanced set of PoPs, as one string: codes sorted, joined with "+". */
export const popSetName = (s: Iterable<string>): string => sortedPops(s).join('+')

function addLost(l: Loss, p: Probe): void {
  l.lost++
  if (l.firstLostT === null) l.firstLostT = p.t
  l.lastLostT = p.t
}

const popCountList = (m: ReadonlyMap<string, number>): Array<{pop: string; observations: number}> =>
  [...m.entries()].map(([pop, n]) => ({pop, observations: n})).sort((a, b) => b.observations - a.observations || naturalCompare(a.pop, b.pop))

const isSubset = (a: Set<string>, b: Set<string>): boolean => [...a].every((x) => b.has(x))
const intersects = (a: Set<string>, b: Set<string>): boolean => [...a].some((x) => b.has(x))

/** Order for analyze(): round, then sender time, then vantage point, then flow. */
export function compareObservations(a: Observation, b: Observation): number {
  return a.round - b.round || a.sentAt - b.sentAt || naturalCompare(a.vantageId, b.vantageId) || a.flow - b.flow
}

function usage(message: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', message, {exitCode: EXIT.usage})
}

function resolveOptions(o: WatchAnalyzerOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    intervalMs: o.intervalMs,
    flows: o.flows ?? WATCH_DEFAULTS.flows,
    flapThreshold: o.flapThreshold ?? WATCH_DEFAULTS.flapThreshold,
    flapWindowMs: o.flapWindowMs ?? WATCH_DEFAULTS.flapWindowMs,
    outageAfter: o.outageAfter ?? WATCH_DEFAULTS.outageAfter,
    reorderRounds: o.reorderRounds ?? WATCH_DEFAULTS.reorderRounds,
    clockJumpToleranceMs: o.clockJumpToleranceMs ?? Math.max(2 * o.intervalMs, 2000),
    now: o.now ?? Date.now,
  }
  if (!(Number.isFinite(r.intervalMs) && r.intervalMs > 0)) throw usage(`watch interval must be a positive number of ms, not ${r.intervalMs}`)
  if (!(Number.isSafeInteger(r.flows) && r.flows >= 1)) throw usage(`flows must be a whole number >= 1, not ${r.flows}`)
  if (!(Number.isSafeInteger(r.flapThreshold) && r.flapThreshold >= 1)) throw usage(`flap threshold must be a whole number >= 1, not ${r.flapThreshold}`)
  if (!(Number.isFinite(r.flapWindowMs) && r.flapWindowMs > 0)) throw usage(`flap window must be a positive number of ms, not ${r.flapWindowMs}`)
  if (!(Number.isSafeInteger(r.outageAfter) && r.outageAfter >= 1)) throw usage(`outageAfter must be a whole number >= 1, not ${r.outageAfter}`)
  if (!(Number.isSafeInteger(r.reorderRounds) && r.reorderRounds >= 0)) throw usage(`reorderRounds must be a whole number >= 0, not ${r.reorderRounds}`)
  if (!(Number.isFinite(r.clockJumpToleranceMs) && r.clockJumpToleranceMs >= 0)) throw usage(`clockJumpToleranceMs must be >= 0, not ${r.clockJumpToleranceMs}`)
  return r
}

const MAX_TIME = 8.64e15

function checkObservation(o: Observation): void {
  const id = typeof o?.vantageId === 'string' ? sanitize(o.vantageId, 80) : '?'
  const bad = (why: string): AnyprobeError =>
    new AnyprobeError('E_BAD_INPUT', `watch observation from ${id} round ${String(o?.round)}: ${why}`, {
      hint: 'observations need vantageId, round and flow (whole numbers >= 0), sentAt (ms since the epoch), answered, pop and rttMs',
      exitCode: EXIT.data,
    })
  if (typeof o !== 'object' || o === null) throw bad('not an object')
  if (typeof o.vantageId !== 'string' || o.vantageId === '') throw bad('vantageId is missing')
  if (!Number.isSafeInteger(o.round) || o.round < 0) throw bad('round is not a whole number >= 0')
  if (!Number.isSafeInteger(o.flow) || o.flow < 0) throw bad('flow is not a whole number >= 0')
  if (typeof o.sentAt !== 'number' || !Number.isFinite(o.sentAt) || Math.abs(o.sentAt) > MAX_TIME) throw bad('sentAt is not a time in ms')
  if (typeof o.answered !== 'boolean') throw bad('answered is not true/false')
  if (o.pop !== null && typeof o.pop !== 'string') throw bad('pop is neither a string nor null')
  if (o.rttMs !== null && (typeof o.rttMs !== 'number' || !Number.isFinite(o.rttMs))) throw bad('rttMs is neither a number nor null')
}

export function createWatchAnalyzer(options: WatchAnalyzerOptions): WatchAnalyzer {
  const opts = resolveOptions(options)
  const I = opts.intervalMs
  const vps = new Map<string, VpState>()
  /** round -> vantage id -> observations not judged yet */
  const pending = new Map<number, Map<string, Observation[]>>()
  let highRound = -Infinity
  let flushedThrough = -Infinity
  let firstRound: number | null = null
  let lastRound: number | null = null
  let firstRaw: number | null = null
  let lastRaw: number | null = null
  let observations = 0
  let late = 0
  let duplicates = 0
  let clockJumps = 0
  const failoverGaps: number[] = []
  let finished = false

  function stateOf(o: Observation): VpState {
    let s = vps.get(o.vantageId)
    if (s === undefined) {
      s = {
        id: o.vantageId,
        vantage: null,
        observations: 0,
        answered: 0,
        lost: 0,
        unlocated: 0,
        late: 0,
        duplicates: 0,
        rounds: 0,
        locatedRounds: 0,
        flips: 0,
        flapEpisodes: 0,
        outages: 0,
        clockJumps: 0,
        gaps: newRoundGaps(o.round),
        popCounts: new Map(),
        hintCounts: new Map(),
        hintNow: null,
        hintsSaid: new Set(),
        lastJudged: -Infinity,
        prevRound: null,
        prevRaw: 0,
        offset: 0,
        jumpRounds: [],
        cur: null,
        lbAnnounced: new Set(),
        loadBalanced: false,
        missing: new Map(),
        candidate: null,
        lastGood: null,
        loss: noLoss(),
        lastAnswer: null,
        outage: null,
        consecutiveLost: 0,
        flipLog: [],
        episode: null,
      }
      vps.set(o.vantageId, s)
    }
    return s
  }

  const base = <T extends WatchEvent['type']>(type: T, at: number) =>
    ({schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-event', type, at: iso(at)}) as const

  const jumpedBetween = (vp: VpState, afterRound: number, throughRound: number): boolean =>
    vp.jumpRounds.some((j) => j > afterRound && j <= throughRound)

  function flip(vp: VpState, F: Probe, from: Set<string>, to: Set<string>, out: WatchEvent[]): void {
    vp.flips++
    const t = F.t
    if (vp.episode !== null && t - vp.episode.lastFlipT >= opts.flapWindowMs) vp.episode = null
    vp.flipLog.push({t, sentAt: F.sentAt, from, to})
    while (vp.flipLog.length > 0 && vp.flipLog[0]!.t <= t - opts.flapWindowMs) vp.flipLog.shift()
    if (vp.episode !== null) {
      vp.episode.lastFlipT = t
      vp.episode.lastFlipSentAt = F.sentAt
      vp.episode.flips++
      return
    }
    if (vp.flipLog.length >= opts.flapThreshold) {
      vp.episode = {sinceSentAt: vp.flipLog[0]!.sentAt, lastFlipT: t, lastFlipSentAt: F.sentAt, flips: vp.flipLog.length}
      vp.flapEpisodes++
      const pops = new Set<string>()
      for (const f of vp.flipLog) for (const p of [...f.from, ...f.to]) pops.add(p)
      const ev: FlapEvent = {
        ...base('flap', F.sentAt),
        vantageId: vp.id,
        round: F.round,
        pops: sortedPops(pops),
        flips: vp.flipLog.length,
        windowMs: opts.flapWindowMs,
        threshold: opts.flapThreshold,
        flipsPerMinute: round3(vp.flipLog.length / (opts.flapWindowMs / 60_000)),
        since: iso(vp.flipLog[0]!.sentAt),
      }
      out.push(ev)
    }
  }

  /**
   * An answer in the catchment `cur`: its PoP is in it, or it names only a hint of a PoP in it (a
   * hint agreeing with the catchment is no loss: the gap a later move measures starts after it).
   */
  function agrees(cur: Set<string>, p: Probe): boolean {
    return p.pop !== null ? cur.has(p.pop) : p.hint !== null && cur.has(p.hint.pop)
  }

  /**
   * The catchment moves to `to`. Scans `roundProbes` (the round holding the first answer from the
   * new PoP) from the state before that round to find the last old answer, the first new one and
   * what was lost in between; then emits shift (+ failover) and counts the flip.
   */
  function shiftWithin(vp: VpState, roundProbes: Probe[], lastGoodBefore: Probe | null, lossBefore: Loss, to: Set<string>, out: WatchEvent[]): void {
    const from = vp.cur ?? new Set<string>()
    let L = lastGoodBefore
    let loss = copyLoss(lossBefore)
    let F: Probe | null = null
    for (const p of roundProbes) {
      if (p.answered && p.pop !== null && to.has(p.pop)) {
        F = p
        break
      }
      if (!p.answered) addLost(loss, p)
      else if (agrees(from, p)) {
        L = p
        loss = noLoss()
      } else if (p.pop === null) loss.unlocated++
    }
    vp.cur = new Set(to)
    if (F === null || L === null) return // cannot happen: callers pass a round that names `to`, and a catchment implies an answer
    const gapMs = round3(Math.max(0, F.t - L.t))
    const clockJump = jumpedBetween(vp, L.round, F.round)
    const common = {
      vantageId: vp.id,
      round: F.round,
      from: popSetName(from),
      to: popSetName(to),
      lastOldAt: iso(L.sentAt),
      firstNewAt: iso(F.sentAt),
      gapMs,
      lostProbes: loss.lost,
      unlocatedProbes: loss.unlocated,
      rttBeforeMs: L.rttMs === null ? null : round3(L.rttMs),
      rttAfterMs: F.rttMs === null ? null : round3(F.rttMs),
      resolutionMs: I,
      clockJump,
    }
    const shift: ShiftEvent = {...base('shift', F.sentAt), ...common}
    out.push(shift)
    if (loss.lost > 0) {
      const failover: FailoverEvent = {
        ...base('failover', F.sentAt),
        ...common,
        gapMinMs: round3(Math.min(gapMs, Math.max(0, (loss.lastLostT ?? 0) - (loss.firstLostT ?? 0)))),
      }
      out.push(failover)
      failoverGaps.push(gapMs)
    }
    flip(vp, F, from, to, out)
  }

  function confirmLoadBalanced(vp: VpState, c: Candidate, P: Set<string>, confirming: Probe, out: WatchEvent[]): void {
    const U = new Set([...c.pops, ...P])
    if (vp.cur === null || intersects(U, vp.cur)) vp.cur = new Set([...(vp.cur ?? []), ...U])
    else shiftWithin(vp, c.probes, c.lastGoodBefore, c.lossBefore, U, out)
    vp.loadBalanced = true
    if ([...U].some((p) => !vp.lbAnnounced.has(p))) {
      vp.lbAnnounced = new Set(vp.cur)
      const ev: LoadBalancedEvent = {
        ...base('load-balanced', confirming.sentAt),
        vantageId: vp.id,
        round: confirming.round,
        pops: sortedPops(vp.cur ?? U),
      }
      out.push(ev)
    }
  }

  /**
   * A located round left the load-balanced catchment as it was: if every flow answered confidently,
   * its members not named count as missed (by the chance of that, see the rule above); those named
   * (or hinted) start over; members missed long enough leave the set, as one shift timed at the first
   * located round all of them were missing.
   */
  function shrinkIfGone(vp: VpState, held: HeldRound, P: Set<string>, out: WatchEvent[]): void {
    const cur = vp.cur!
    // only a round in which every flow answered confidently is evidence: flows keep their 5-tuple,
    // so a member unnamed in a round with lost or hint-only answers may have lost only its own
    // flows' answers (loss, not a move: watch packet loss, never a catchment change) or been hinted
    const complete = held.probes.length > 0 && held.probes.every((p) => p.answered && p.pop !== null)
    const F = held.probes.length
    const perRound = ((cur.size - 1) / cur.size) ** F
    const gone: string[] = []
    for (const pop of cur) {
      if (P.has(pop) || held.probes.some((p) => p.hint?.pop === pop)) {
        vp.missing.delete(pop)
        continue
      }
      // the first located round without it, complete or not: where a move is timed from
      const m = vp.missing.get(pop) ?? {since: held, rounds: 0, chance: 1}
      vp.missing.set(pop, m)
      if (!complete) continue
      m.rounds++
      m.chance *= perRound
      if (m.rounds >= SHRINK_MIN_ROUNDS && m.chance < SHRINK_CHANCE) gone.push(pop)
    }
    if (gone.length === 0) return
    const left = new Set([...cur].filter((pop) => !gone.includes(pop)))
    // every member gone was missing from the latest `since` on: that round names only PoPs left
    const sinces = gone.map((pop) => vp.missing.get(pop)!.since)
    const since = sinces.reduce((a, b) => (b.round > a.round ? b : a))
    shiftWithin(vp, since.probes, since.lastGoodBefore, since.lossBefore, left, out)
    // the members still in the set keep what was seen of them (a second one going is timed from
    // its own first round without it, not from this shrink)
    for (const pop of gone) vp.missing.delete(pop)
    vp.loadBalanced = left.size >= 2
    // a member coming back is a gain again: said by a new load-balanced event once confirmed
    vp.lbAnnounced = new Set(left)
  }

  /** A located round: decide stable / shift / load balancing; then whether a load-balanced set lost a member. */
  function decide(vp: VpState, round: number, probes: Probe[], P: Set<string>, firstLocated: Probe, out: WatchEvent[]): void {
    const before = vp.cur
    const held: HeldRound = {round, probes, lossBefore: copyLoss(vp.loss), lastGoodBefore: vp.lastGood}
    decideMove(vp, round, probes, P, firstLocated, out)
    // `cur` is replaced, never changed in place: a new one starts the count over; a round held
    // undecided counts for nothing until the next located round settles it
    if (vp.cur !== before) vp.missing.clear()
    else if (vp.candidate === null && vp.loadBalanced && vp.cur !== null && vp.cur.size >= 2) shrinkIfGone(vp, held, P, out)
  }

  function decideMove(vp: VpState, round: number, probes: Probe[], P: Set<string>, firstLocated: Probe, out: WatchEvent[]): void {
    const c = vp.candidate
    const hold = (): void => {
      vp.candidate = {round, pops: P, probes, lossBefore: copyLoss(vp.loss), lastGoodBefore: vp.lastGood}
    }
    if (c !== null) {
      vp.candidate = null
      if (P.size >= 2) {
        confirmLoadBalanced(vp, c, P, firstLocated, out)
        return
      }
      const x = [...P][0]!
      if (vp.cur === null) vp.cur = new Set([x])
      else if (vp.cur.has(x)) return // a blip across flows, not a move
      else if (c.pops.has(x)) shiftWithin(vp, c.probes, c.lastGoodBefore, c.lossBefore, P, out)
      else shiftWithin(vp, probes, vp.lastGood, vp.loss, P, out)
      return
    }
    if (vp.cur === null) {
      if (P.size >= 2) hold()
      else vp.cur = new Set(P)
      return
    }
    if (isSubset(P, vp.cur)) return
    if (P.size >= 2) hold()
    else shiftWithin(vp, probes, vp.lastGood, vp.loss, P, out)
  }

  /**
   * A round whose answers name only a hint: "now" is that hint unless it names the catchment the
   * vantage point is in already; a hint of a new PoP after a confident catchment (or another hint)
   * is said as a `hint` event, once per hinted PoP, never as a shift (see the rules above).
   */
  function hintRound(vp: VpState, hint: HintNow, first: Probe, out: WatchEvent[]): void {
    if (vp.cur !== null && vp.cur.has(hint.pop)) {
      vp.hintNow = null
      return
    }
    const before = vp.hintNow
    vp.hintNow = hint
    if (before?.pop === hint.pop || (vp.cur === null && before === null) || vp.hintsSaid.has(hint.pop)) return
    vp.hintsSaid.add(hint.pop)
    const ev: HintEvent = {...base('hint', first.sentAt), vantageId: vp.id, round: first.round, pop: hint.pop, popConfidence: hint.confidence, catchment: vp.cur === null ? null : popSetName(vp.cur)}
    out.push(ev)
  }

  /** The vantage point's rounds up to `through` are judged: its gaps among them are settled (and told). */
  function settle(vp: VpState, through: number): void {
    const added = settleGaps(vp.gaps, through)
    if (added.skipped + added.unmeasured > 0) options.onGaps?.(vp.id, added)
  }

  /** Every vantage point's rounds up to `through` are judged (a complete round, the end). */
  function settleAll(through: number): void {
    for (const vp of vps.values()) settle(vp, through)
  }

  function judgeRound(vp: VpState, round: number, obs: Observation[]): WatchEvent[] {
    settle(vp, round)
    const sorted = [...obs].sort((a, b) => a.sentAt - b.sentAt || a.flow - b.flow)
    vp.lastJudged = round
    vp.rounds++
    if (firstRound === null || round < firstRound) firstRound = round
    if (lastRound === null || round > lastRound) lastRound = round

    // clock: re-anchor the time base on a step
    const raw0 = sorted[0]!.sentAt
    if (vp.prevRound !== null) {
      const d = raw0 - vp.prevRaw
      const e = (round - vp.prevRound) * I
      if (d < 0 || Math.abs(d - e) > opts.clockJumpToleranceMs) {
        const prevT = vp.prevRaw + vp.offset
        vp.offset = prevT + e - raw0
        vp.clockJumps++
        clockJumps++
        vp.jumpRounds.push(round)
        if (vp.jumpRounds.length > 64) vp.jumpRounds.shift()
      }
    }
    vp.prevRound = round
    vp.prevRaw = raw0

    const probes: Probe[] = sorted.map((o) => ({
      round,
      flow: o.flow,
      sentAt: o.sentAt,
      t: o.sentAt + vp.offset,
      rttMs: o.answered ? o.rttMs : null,
      pop: locatingPop(o),
      hint: o.answered ? hintOf(o) : null,
      answered: o.answered,
    }))
    for (const p of probes) {
      if (firstRaw === null || p.sentAt < firstRaw) firstRaw = p.sentAt
      if (lastRaw === null || p.sentAt > lastRaw) lastRaw = p.sentAt
    }

    const out: WatchEvent[] = []
    // a full window without a flip ends the flap episode (said before this round's own events)
    const ep = vp.episode
    if (ep !== null && probes[0]!.t - ep.lastFlipT >= opts.flapWindowMs) {
      vp.episode = null
      const ev: FlapEndEvent = {
        ...base('flap-end', probes[0]!.sentAt),
        vantageId: vp.id,
        round,
        since: iso(ep.sinceSentAt),
        lastFlipAt: iso(ep.lastFlipSentAt),
        flips: ep.flips,
        windowMs: opts.flapWindowMs,
        // "where it is now": nowhere said when this round had no answer (an outage may be starting)
        // (nor when its newest PoP was only a hint: no confident catchment to name)
        pop: vp.cur === null || vp.hintNow !== null || !probes.some((p) => p.answered) ? null : popSetName(vp.cur),
      }
      out.push(ev)
    }
    const answered = probes.filter((p) => p.answered)
    if (answered.length === 0) {
      for (const p of probes) addLost(vp.loss, p)
      vp.consecutiveLost++
      if (vp.outage === null) vp.outage = {since: probes[0]!, lost: 0, emitted: false}
      vp.outage.lost += probes.length
      if (!vp.outage.emitted && vp.consecutiveLost >= opts.outageAfter) {
        vp.outage.emitted = true
        vp.outages++
        // what was missed of a load-balanced set before the outage says nothing of after it (a
        // shrink would be timed before the outage, behind the recovery)
        vp.missing.clear()
        const ev: OutageEvent = {
          ...base('outage', probes[probes.length - 1]!.sentAt),
          vantageId: vp.id,
          round,
          since: iso(vp.outage.since.sentAt),
          lostProbes: vp.outage.lost,
          lastAnswerAt: vp.lastAnswer === null ? null : iso(vp.lastAnswer.sentAt),
          lastPop: vp.hintNow !== null ? vp.hintNow.pop : vp.cur === null ? null : popSetName(vp.cur),
          ...(vp.hintNow !== null ? {lastPopConfidence: vp.hintNow.confidence} : {}),
        }
        // every probe of this round unanswered because the vantage point itself failed (a dead
        // netns/ssh child, an unreachable host: its E_VP_* code rides on each observation), not
        // because the target stopped answering: say so, so an alert on outages can tell the two apart
        // (or a probe error that is the vantage point's or its client's, vantageFault: a certificate
        // it did not trust, no route from it)
        const vpError = sorted.every((o) => typeof o.error === 'string' && (o.error.startsWith('E_VP_') || o.vantageFault === true)) ? sorted[0]!.error! : null
        if (vpError !== null) ev.vantageError = vpError
        out.push(ev)
      }
      return out
    }

    const first = answered[0]!
    if (vp.outage !== null && vp.outage.emitted) {
      const last = vp.lastAnswer
      const ev: RecoveredEvent = {
        ...base('recovered', first.sentAt),
        vantageId: vp.id,
        round,
        since: iso(vp.outage.since.sentAt),
        lostProbes: vp.outage.lost,
        durationMs: last === null ? null : round3(Math.max(0, first.t - last.t)),
        // back at a PoP named only as a hint: said with its confidence ('recovered at LONDON?')
        pop: first.pop ?? first.hint?.pop ?? null,
        ...(first.pop === null && first.hint !== null && vp.cur?.has(first.hint.pop) !== true ? {popConfidence: first.hint.confidence} : {}),
        resolutionMs: I,
        clockJump: last !== null && jumpedBetween(vp, last.round, round),
      }
      out.push(ev)
    }
    vp.outage = null
    vp.consecutiveLost = 0

    const located = answered.filter((p) => p.pop !== null)
    if (located.length > 0) {
      vp.locatedRounds++
      vp.hintNow = null
      decide(vp, round, probes, new Set(located.map((p) => p.pop!)), located[0]!, out)
    } else {
      // only hints named (or nothing): "now" is the newest hint, the confident catchment stays for the moves
      // (a hint of the PoP it is in already agrees with it: "now" stays that catchment, said without '?')
      const hint = answered.filter((p) => p.hint !== null).at(-1)?.hint ?? null
      if (hint !== null) hintRound(vp, hint, answered[0]!, out)
    }

    // carry the loss bookkeeping through this round against the (possibly new) catchment
    for (const p of probes) {
      if (!p.answered) addLost(vp.loss, p)
      else if (vp.cur !== null && agrees(vp.cur, p)) {
        vp.lastGood = p
        vp.loss = noLoss()
      } else if (p.pop === null) vp.loss.unlocated++
    }
    vp.lastAnswer = answered[answered.length - 1]!
    // `cur` is replaced, never changed in place: what is handed over stays this round's catchment
    options.onRoundJudged?.(vp.id, round, vp.cur)
    return out
  }

  function judge(limit: number): WatchEvent[] {
    if (pending.size === 0) return []
    const rounds = [...pending.keys()].filter((r) => r <= limit).sort((a, b) => a - b)
    const out: WatchEvent[] = []
    for (const r of rounds) {
      const byVp = pending.get(r)!
      pending.delete(r)
      for (const id of [...byVp.keys()].sort(naturalCompare)) out.push(...judgeRound(vps.get(id)!, r, byVp.get(id)!))
    }
    return out
  }

  const limit = (): number => Math.max(highRound - 1 - opts.reorderRounds, flushedThrough)

  function assertOpen(): void {
    if (finished) throw new AnyprobeError('E_INTERNAL', 'the watch analyser was already finished')
  }

  function summary(): WatchSummaryEvent {
    const states = [...vps.values()].sort((a, b) => naturalCompare(a.id, b.id))
    const popAgg = new Map<string, WatchPopSummary>()
    const agg = (pop: string): WatchPopSummary => {
      let a = popAgg.get(pop)
      if (a === undefined) {
        a = {pop, observations: 0, vantagePoints: 0, current: 0}
        popAgg.set(pop, a)
      }
      return a
    }
    const rows: WatchVantageSummary[] = states.map((s) => {
      for (const [pop, n] of s.popCounts) {
        const a = agg(pop)
        a.observations += n
        a.vantagePoints++
      }
      if (s.hintNow === null) for (const pop of s.cur ?? []) agg(pop).current++
      return {
        vantageId: s.id,
        vantage: s.vantage,
        observations: s.observations,
        answered: s.answered,
        lost: s.lost,
        unlocated: s.unlocated,
        late: s.late,
        duplicates: s.duplicates,
        rounds: s.rounds,
        skippedRounds: s.gaps.skippedRounds,
        unmeasuredRounds: s.gaps.unmeasuredRounds,
        locatedRounds: s.locatedRounds,
        flips: s.flips,
        flipRate: s.locatedRounds >= 2 ? Math.round((s.flips / (s.locatedRounds - 1)) * 10_000) / 10_000 : null,
        // now only a hint: that PoP with its confidence (the summary marks it '?'; --learn leaves it out)
        pop: s.hintNow !== null ? s.hintNow.pop : s.cur === null ? null : popSetName(s.cur),
        ...(s.hintNow !== null ? {popConfidence: s.hintNow.confidence} : {}),
        pops: popCountList(s.popCounts),
        ...(s.hintCounts.size > 0 ? {hintedPops: popCountList(s.hintCounts)} : {}),
        loadBalanced: s.loadBalanced,
        flapEpisodes: s.flapEpisodes,
        outages: s.outages,
        inOutage: s.outage !== null && s.outage.emitted,
        clockJumps: s.clockJumps,
      }
    })
    const pops = [...popAgg.values()].sort((a, b) => b.observations - a.observations || naturalCompare(a.pop, b.pop))
    const flipping = rows.filter((r) => r.flips > 0).length
    const comparable = rows.filter((r) => r.locatedRounds >= 2).length
    return {
      ...base('summary', lastRaw ?? opts.now()),
      intervalMs: I,
      flows: opts.flows,
      flapThreshold: opts.flapThreshold,
      flapWindowMs: opts.flapWindowMs,
      outageAfter: opts.outageAfter,
      rounds: firstRound === null || lastRound === null ? 0 : lastRound - firstRound + 1,
      skippedRounds: rows.reduce((n, r) => n + r.skippedRounds, 0),
      unmeasuredRounds: rows.reduce((n, r) => n + (r.unmeasuredRounds ?? 0), 0),
      firstAt: firstRaw === null ? null : iso(firstRaw),
      lastAt: lastRaw === null ? null : iso(lastRaw),
      observations,
      late,
      duplicates,
      clockJumps,
      vantagePoints: rows,
      pops,
      failover: {
        count: failoverGaps.length,
        p50Ms: nearestRank(failoverGaps, 50),
        p90Ms: nearestRank(failoverGaps, 90),
        maxMs: nearestRank(failoverGaps, 100),
        resolutionMs: I,
      },
      flippingVantagePoints: flipping,
      flippingShare: comparable === 0 ? null : Math.round((flipping / comparable) * 10_000) / 10_000,
    }
  }

  return {
    push(o: Observation): WatchEvent[] {
      assertOpen()
      checkObservation(o)
      const vp = stateOf(o)
      if (vp.vantage === null && o.vantage !== undefined) vp.vantage = o.vantage
      observations++
      vp.observations++
      roundObserved(vp.gaps, o.round)
      if (!o.answered) vp.lost++
      else {
        vp.answered++
        const hint = hintOf(o)
        if (o.pop === null) vp.unlocated++
        else if (hint !== null) vp.hintCounts.set(hint.pop, (vp.hintCounts.get(hint.pop) ?? 0) + 1)
        else vp.popCounts.set(o.pop, (vp.popCounts.get(o.pop) ?? 0) + 1)
      }
      if (o.round <= vp.lastJudged) {
        vp.late++
        late++
        return []
      }
      let byVp = pending.get(o.round)
      if (byVp === undefined) {
        byVp = new Map()
        pending.set(o.round, byVp)
      }
      let list = byVp.get(o.vantageId)
      if (list === undefined) {
        list = []
        byVp.set(o.vantageId, list)
      }
      if (list.some((x) => x.flow === o.flow)) {
        vp.duplicates++
        duplicates++
        return []
      }
      list.push(o)
      if (o.round > highRound) highRound = o.round
      return judge(limit())
    },
    flushRound(round: number): WatchEvent[] {
      assertOpen()
      if (round > flushedThrough) flushedThrough = round
      const out = judge(limit())
      settleAll(limit())
      return out
    },
    unmeasured(vantageId: string, round: number): void {
      assertOpen()
      if (!Number.isSafeInteger(round) || round < 0) return
      const vp = vps.get(vantageId)
      if (vp !== undefined) roundUnmeasured(vp.gaps, round)
    },
    unmeasuredAtEnd(vantageId: string): boolean {
      const vp = vps.get(vantageId)
      return vp !== undefined && unmeasuredAtEnd(vp.gaps)
    },
    catchment(vantageId: string): ReadonlySet<string> | null {
      // `cur` is replaced, never changed in place: what is returned stays the catchment it was
      return vps.get(vantageId)?.cur ?? null
    },
    flushVantage(vantageId: string, round: number): WatchEvent[] {
      assertOpen()
      const vp = vps.get(vantageId)
      if (vp === undefined) return []
      const out: WatchEvent[] = []
      for (const r of [...pending.keys()].filter((k) => k <= round).sort((a, b) => a - b)) {
        const byVp = pending.get(r)!
        const obs = byVp.get(vantageId)
        if (obs === undefined) continue
        byVp.delete(vantageId)
        if (byVp.size === 0) pending.delete(r)
        out.push(...judgeRound(vp, r, obs))
      }
      return out
    },
    finish(): WatchEvent[] {
      assertOpen()
      const out = judge(Infinity)
      settleAll(Infinity)
      finished = true
      out.push(summary())
      return out
    },
    summary,
  }
}

/**
 * The same analysis over a saved list (e.g. `anyprobe report` on a saved watch): observations are
 * sorted by (round, sentAt, vantageId, flow), pushed through one analyser, and finished. Returns
 * every event in order, the summary last.
 */
export function analyze(observations: readonly Observation[], opts: WatchAnalyzerOptions): WatchEvent[] {
  const a = createWatchAnalyzer(opts)
  const out: WatchEvent[] = []
  for (const o of [...observations].sort(compareObservations)) out.push(...a.push(o))
  out.push(...a.finish())
  return out
}

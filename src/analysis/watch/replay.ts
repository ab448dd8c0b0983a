// A saved watch, judged again: what `anyprobe report` does with a `watch --out` file.
//
// The file is the live watch's observations in the order they arrived, each watch's led by its
// `watch-start` line (interval, flows, flap rules, the reorder window). Pushing them in that order
// into an analyzer made with those settings gives exactly the live events: the analyzer is
// deterministic, and lateness is decided by arrival order and the same window. Each vantage
// point's first observation gives its `state` event first (./state.ts), as the live watch prints it.
// A live watch over RIPE Atlas first replays the results since one interval before its start, and
// takes each probe's state from the LAST result of that history; its file marks the history with a
// `watch-history-start` and a `watch-history-end` line, and historyStart()/historyEnd() here do as
// the live session does: the events of the history are held, each vantage point's state is its last
// observation of it (said first at its end, in compareStateIds order), then the held events. A file
// without the markers (written before they existed) takes each state from the first result.
//
// A file without a start line (observations piped from elsewhere, or written before start lines
// existed) is judged with settings read from the data: the interval from the sentAt step between
// the first and the twentieth round of one vantage point (to two significant digits, as intervals
// are written), flows from the highest flow id seen by then, the default flap rules, and a wide
// reorder window. Observations are held until that is known: at most HOLD of them.
import type {StateEvent} from '../../model/expect.js'
import type {VantagePoint} from '../../model/vantage.js'
import type {Observation, WatchEvent, WatchStart, WatchSummaryEvent} from '../../model/watch.js'
import {createWatchAnalyzer, WATCH_DEFAULTS, type WatchAnalyzer, type WatchAnalyzerOptions} from './analyzer.js'
import {compareStateIds, stateEvent} from './state.js'

/** What a saved watch gives: the analysis's events and each vantage point's starting state. */
export type ReplayEvent = WatchEvent | StateEvent

/** observations held, at most, while a file without a start line is read for its settings */
const HOLD = 10_000
/** rounds of one vantage point to see before the settings of a file without a start line are read */
const ROUNDS_TO_READ = 20
/** the reorder window when the file does not say */
const WIDE_REORDER_ROUNDS = 16

/** The analysis settings of a start line (only those: the analyzer is handed nothing else). */
export function optionsOfStart({intervalMs, flows, flapThreshold, flapWindowMs, outageAfter, reorderRounds}: WatchStart): WatchAnalyzerOptions {
  return {intervalMs, flows, flapThreshold, flapWindowMs, outageAfter, reorderRounds}
}

/** An interval as people write them (50ms, 200ms, 1s, 1.5s): two significant digits, so send jitter goes. */
export function niceInterval(ms: number): number {
  if (!(ms > 0)) return 1000
  const unit = 10 ** (Math.floor(Math.log10(ms)) - 1)
  return Math.max(1, Math.round(ms / unit) * unit)
}

/** Settings read from observations alone; null while they do not tell yet (and `final` is false). */
export function inferOptions(held: readonly Observation[], final: boolean): WatchAnalyzerOptions | null {
  // per vantage point, its earliest and latest round: the widest span gives the interval
  const span = new Map<string, {first: Observation; last: Observation}>()
  let maxFlow = 0
  for (const o of held) {
    maxFlow = Math.max(maxFlow, o.flow)
    const sp = span.get(o.vantageId)
    if (sp === undefined) span.set(o.vantageId, {first: o, last: o})
    else if (o.round < sp.first.round) sp.first = o
    else if (o.round > sp.last.round) sp.last = o
  }
  let best: {first: Observation; last: Observation} | null = null
  for (const sp of span.values()) if (best === null || sp.last.round - sp.first.round > best.last.round - best.first.round) best = sp
  const rounds = best === null ? 0 : best.last.round - best.first.round
  if (rounds < ROUNDS_TO_READ && !final) return null
  return {
    // a single round: the interval cannot be read, and any value judges one round the same
    intervalMs: rounds === 0 ? 1000 : niceInterval((best!.last.sentAt - best!.first.sentAt) / rounds),
    flows: maxFlow + 1,
    flapThreshold: WATCH_DEFAULTS.flapThreshold,
    flapWindowMs: WATCH_DEFAULTS.flapWindowMs,
    outageAfter: WATCH_DEFAULTS.outageAfter,
    reorderRounds: WIDE_REORDER_ROUNDS,
  }
}

export interface ReplaySegment {
  /** the start line, or null when the settings were read from the observations */
  start: WatchStart | null
  options: WatchAnalyzerOptions
  /** once the watch is closed: its summary (the last event it gave), else null */
  summary: WatchSummaryEvent | null
  /**
   * once the watch is closed: its vantage points whose newest round the backend did not measure, in
   * the summary's order (the analyser's own ledger, ./gaps.ts unmeasuredAtEnd): their state at the
   * end is unknown, as the live watch finds them (src/watch/session.ts unknownAtEnd, exit 6)
   */
  unmeasuredAtEnd: readonly string[]
}

/**
 * Feed it the lines of a watch file in order: start() for a start line, push() for an observation.
 * Each returns the events that became certain; finish() returns the last events and the summary
 * of the last watch. A new start line ends the watch before it (its events and summary first).
 */
export class WatchReplay {
  /** `hooks`: told by each watch's analyser as the live session's is (report's --html timeline: onRoundJudged) */
  constructor(private readonly hooks: Pick<WatchAnalyzerOptions, 'onRoundJudged'> = {}) {}

  private analyzer: WatchAnalyzer | null = null
  private held: Observation[] = []
  private readonly segments: ReplaySegment[] = []
  /** vantage points whose state this watch has said (each watch of an appended file says its own) */
  private stated = new Set<string>()
  /** what the observations said of each vantage point (the first one of each carries it) */
  private readonly vantages = new Map<string, VantagePoint>()
  /** inside a history (between its markers): events held, each vantage point's last observation kept */
  private holding = false
  private heldEvents: ReplayEvent[] = []
  private readonly lastHeld = new Map<string, Observation>()

  /** The watches read so far, with the settings each was judged with. */
  get watches(): readonly ReplaySegment[] {
    return this.segments
  }

  start(h: WatchStart): ReplayEvent[] {
    const out = this.close()
    const options = optionsOfStart(h)
    this.segments.push({start: h, options, summary: null, unmeasuredAtEnd: []})
    this.analyzer = createWatchAnalyzer({...options, ...this.hooks})
    return out
  }

  push(o: Observation): ReplayEvent[] {
    if (this.analyzer !== null) return this.judge(this.analyzer, o)
    this.held.push(o)
    const options = inferOptions(this.held, this.held.length >= HOLD)
    return options === null ? [] : this.begin(options)
  }

  finish(): ReplayEvent[] {
    return this.close()
  }

  /**
   * The backend did not measure `round` of the vantage point (a Globalping round the API refused):
   * counted as unmeasured, as the live watch counted it, not as skipped. Only a watch with a start
   * line carries these (the live watch writes its start line first); before it, and in observations
   * without one (judged with settings read from them), ignored: once those settings were read, a
   * mark was counted while the marks before went unseen, and report's exit did not count either.
   */
  unmeasured(vantageId: string, round: number): ReplayEvent[] {
    if (this.segments.at(-1)?.start != null) this.analyzer?.unmeasured(vantageId, round)
    return []
  }

  /** Of a summary this replay gave: its vantage points whose newest round was not measured (ReplaySegment). */
  unmeasuredAtEnd(summary: WatchSummaryEvent): readonly string[] {
    return this.segments.find((w) => w.summary === summary)?.unmeasuredAtEnd ?? []
  }

  /** A `watch-history-start` line: what follows is history (ignored before the watch's settings are known). */
  historyStart(): ReplayEvent[] {
    if (this.analyzer !== null) this.holding = true
    return []
  }

  /** A `watch-history-end` line: each vantage point's state (its last observation of the history), then the held events. */
  historyEnd(): ReplayEvent[] {
    if (!this.holding) return []
    this.holding = false
    const out: ReplayEvent[] = []
    for (const id of [...this.lastHeld.keys()].sort(compareStateIds)) {
      if (this.stated.has(id)) continue
      this.stated.add(id)
      out.push(stateEvent(this.lastHeld.get(id)!, this.vantages.get(id) ?? null))
    }
    this.lastHeld.clear()
    out.push(...this.heldEvents.splice(0))
    return out
  }

  /**
   * One observation into the analyzer; its vantage point's state first when it is its first one (as
   * the live watch orders them). The analyzer goes first: an observation it refuses says no state.
   */
  private judge(analyzer: WatchAnalyzer, o: Observation): ReplayEvent[] {
    if (o.vantage) this.vantages.set(o.vantageId, o.vantage)
    const events = analyzer.push(o)
    if (this.holding) {
      this.lastHeld.set(o.vantageId, o)
      this.heldEvents.push(...events)
      return []
    }
    if (this.stated.has(o.vantageId)) return events
    this.stated.add(o.vantageId)
    return [stateEvent(o, this.vantages.get(o.vantageId) ?? null), ...events]
  }

  private begin(options: WatchAnalyzerOptions): ReplayEvent[] {
    this.segments.push({start: null, options, summary: null, unmeasuredAtEnd: []})
    const analyzer = (this.analyzer = createWatchAnalyzer({...options, ...this.hooks}))
    const out: ReplayEvent[] = []
    for (const o of this.held.splice(0)) out.push(...this.judge(analyzer, o))
    return out
  }

  /** the last events and the summary of the watch being read, if any */
  private close(): ReplayEvent[] {
    const out: ReplayEvent[] = []
    if (this.analyzer === null && this.held.length > 0) out.push(...this.begin(inferOptions(this.held, true)!))
    // a file cut inside its history: the history ends with it (as the live session's finish does)
    out.push(...this.historyEnd())
    if (this.analyzer !== null) {
      const analyzer = this.analyzer
      const last = analyzer.finish()
      out.push(...last)
      // the analyser's ledger, asked after finish() (it still answers): what report exits 6 by
      const summary = last.at(-1)
      const segment = this.segments.at(-1)!
      if (summary?.type === 'summary') {
        segment.summary = summary
        segment.unmeasuredAtEnd = summary.vantagePoints.map((v) => v.vantageId).filter((id) => analyzer.unmeasuredAtEnd(id))
      }
    }
    this.analyzer = null
    this.stated = new Set()
    return out
  }
}

// A saved watch, judged again: what `anyprobe report` does with a `watch --out` file.
//
// The file is the live watch's observations in the order they arrived, each watch's led by its
// `watch-start` line (interval, flows, flap rules, the reorder window). Pushing them in that order
// into an analyzer made with those settings gives exactly the live events: the analyzer is
// deterministic, and lateness is decided by arrival order and the same window.
//
// A file without a start line (observations piped from elsewhere, or written before start lines
// existed) is judged with settings read from the data: the interval from the sentAt step between
// the first and the twentieth round of one vantage point (to two significant digits, as intervals
// are written), flows from the highest flow id seen by then, the default flap rules, and a wide
// reorder window. Observations are held until that is known: at most HOLD of them.
import type {Observation, WatchEvent, WatchStart} from '../../model/watch.js'
import {createWatchAnalyzer, WATCH_DEFAULTS, type WatchAnalyzer, type WatchAnalyzerOptions} from './analyzer.js'

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
}

/**
 * Feed it the lines of a watch file in order: start() for a start line, push() for an observation.
 * Each returns the events that became certain; finish() returns the last events and the summary
 * of the last watch. A new start line ends the watch before it (its events and summary first).
 */
export class WatchReplay {
  private analyzer: WatchAnalyzer | null = null
  private held: Observation[] = []
  private readonly segments: ReplaySegment[] = []

  /** The watches read so far, with the settings each was judged with. */
  get watches(): readonly ReplaySegment[] {
    return this.segments
  }

  start(h: WatchStart): WatchEvent[] {
    const out = this.close()
    const options = optionsOfStart(h)
    this.segments.push({start: h, options})
    this.analyzer = createWatchAnalyzer(options)
    return out
  }

  push(o: Observation): WatchEvent[] {
    if (this.analyzer !== null) return this.analyzer.push(o)
    this.held.push(o)
    const options = inferOptions(this.held, this.held.length >= HOLD)
    return options === null ? [] : this.begin(options)
  }

  finish(): WatchEvent[] {
    return this.close()
  }

  private begin(options: WatchAnalyzerOptions): WatchEvent[] {
    this.segments.push({start: null, options})
    this.analyzer = createWatchAnalyzer(options)
    const out: WatchEvent[] = []
    for (const o of this.held.splice(0)) out.push(...this.analyzer.push(o))
    return out
  }

  /** the last events and the summary of the watch being read, if any */
  private close(): WatchEvent[] {
    const out: WatchEvent[] = []
    if (this.analyzer === null && this.held.length > 0) out.push(...this.begin(inferOptions(this.held, true)!))
    if (this.analyzer !== null) out.push(...this.analyzer.finish())
    this.analyzer = null
    return out
  }
}

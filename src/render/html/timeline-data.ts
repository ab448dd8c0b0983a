// What the failover timeline draws, gathered from a watch as it runs or from a `watch --out` file as
// it is read: per vantage point, each round's state (the PoP(s) answering, or lost), merged into
// segments of equal state; the events; the summary. Pure: fed observations, events and the rounds the
// analyser judged (what an agreeing hint is drawn as), no clock.
import {isHintedPop} from '../../model/pop-confidence.js'
import type {ExpectEvent, LiveWatchEvent} from '../../model/expect.js'
import type {Observation, WatchEvent, WatchStart, WatchSummaryEvent} from '../../model/watch.js'

/** What a timeline marks: the analysis's events and the --expect verdicts (`state` lines are not events: dropped). */
export type TimelineEvent = WatchEvent | ExpectEvent

export interface LaneSegment {
  /**
   * PoP code(s) answering ("+"-joined when several flows named several), "?" answered but unnamed;
   * null: nothing answered (a gap). A PoP named only as a hint is marked 'LONDON?' unless it agrees
   * with the catchment the analyser had the vantage point in (TimelineCollector.judged)
   */
  pop: string | null
  /** sentAt of the first and last round of the segment, ms since the epoch */
  from: number
  to: number
  rounds: number
}

export interface Lane {
  vantageId: string
  segments: LaneSegment[]
}

export interface TimelineData {
  start: WatchStart | null
  intervalMs: number
  lanes: Lane[]
  events: TimelineEvent[]
  summary: WatchSummaryEvent | null
  /** ms since the epoch of the first and last probe; null when none */
  firstAt: number | null
  lastAt: number | null
}

interface RoundState {
  at: number
  /** confident PoPs named, '?' for an answer naming none */
  pops: Set<string>
  /** PoPs named only as a hint (under 0.5) */
  hints: Set<string>
  /** the catchment the watch analyser left the vantage point in at this round (judged()); undefined until it judged it */
  catchment?: ReadonlySet<string> | null
  answered: boolean
}

/** Collects observations and events; `data()` may be called any time (the live page is refreshed). */
export class TimelineCollector {
  private start: WatchStart | null = null
  private readonly rounds = new Map<string, Map<number, RoundState>>()
  private readonly events: TimelineEvent[] = []
  private summary: WatchSummaryEvent | null = null
  private first: number | null = null
  private last: number | null = null

  /** something was collected (a start line or an observation): the next watch-start begins another timeline */
  used(): boolean {
    return this.start !== null || this.rounds.size > 0
  }

  setStart(s: WatchStart): void {
    this.start ??= s
  }

  observe(o: Observation): void {
    let lane = this.rounds.get(o.vantageId)
    if (lane === undefined) {
      lane = new Map()
      this.rounds.set(o.vantageId, lane)
    }
    let r = lane.get(o.round)
    if (r === undefined) {
      r = {at: o.sentAt, pops: new Set(), hints: new Set(), answered: false}
      lane.set(o.round, r)
    } else if (o.sentAt < r.at) r.at = o.sentAt
    if (o.answered) {
      r.answered = true
      // a PoP named only as a hint is said by the round's catchment once the analyser judged it (data())
      if (isHintedPop(o.pop, o.popConfidence)) r.hints.add(o.pop!)
      else r.pops.add(o.pop === null ? '?' : o.pop)
    }
    if (this.first === null || o.sentAt < this.first) this.first = o.sentAt
    if (this.last === null || o.sentAt > this.last) this.last = o.sentAt
  }

  /**
   * The watch analyser judged a round of the vantage point, leaving it in `catchment` (its
   * onRoundJudged): a hint of a PoP of it agrees with it and is drawn as that PoP, as the analyser's
   * "now", the summary, the live line and --metrics say it; a hint of another PoP stays its own
   * colour, 'LONDON?' (no catchment: the watch judged no move from it). Before its round is judged
   * (the newest rounds of a live page) or without an analyser, a hint is drawn as one.
   */
  judged(vantageId: string, round: number, catchment: ReadonlySet<string> | null): void {
    const r = this.rounds.get(vantageId)?.get(round)
    if (r !== undefined) r.catchment = catchment
  }

  addEvents(events: readonly LiveWatchEvent[]): void {
    for (const e of events) {
      if (e.type === 'summary') this.summary = e
      // a watch over a stream opens with one `state` line per vantage point: its lane already says it
      else if (e.type !== 'state') this.events.push(e)
    }
  }

  data(): TimelineData {
    const intervalMs = this.start?.intervalMs ?? this.summary?.intervalMs ?? this.guessInterval()
    const lanes: Lane[] = []
    for (const [vantageId, rounds] of this.rounds) {
      const segments: LaneSegment[] = []
      const order = [...rounds.entries()].sort((a, b) => a[0] - b[0])
      let prevRound: number | null = null
      for (const [round, r] of order) {
        const hints = [...r.hints].map((h) => (r.catchment?.has(h) === true ? h : `${h}?`))
        const named = [...new Set([...r.pops, ...hints])].filter((p) => p !== '?').sort()
        const pop = !r.answered ? null : named.length > 0 ? named.join('+') : '?'
        const cur = segments[segments.length - 1]
        // a round missing from the file (never sent) breaks a segment as a lost one would not
        const contiguous = prevRound !== null && round === prevRound + 1
        if (cur && cur.pop === pop && contiguous) {
          cur.to = r.at
          cur.rounds++
        } else segments.push({pop, from: r.at, to: r.at, rounds: 1})
        prevRound = round
      }
      lanes.push({vantageId, segments})
    }
    lanes.sort((a, b) => (a.vantageId < b.vantageId ? -1 : a.vantageId > b.vantageId ? 1 : 0))
    return {start: this.start, intervalMs, lanes, events: [...this.events], summary: this.summary, firstAt: this.first, lastAt: this.last}
  }

  private guessInterval(): number {
    for (const rounds of this.rounds.values()) {
      const r = [...rounds.entries()].sort((a, b) => a[0] - b[0])
      if (r.length >= 2) return Math.max(1, (r[r.length - 1]![1].at - r[0]![1].at) / (r[r.length - 1]![0] - r[0]![0]))
    }
    return 1000
  }
}

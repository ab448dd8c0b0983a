// The repeated results of ONE vantage point measured ONE way (a periodic RIPE Atlas measurement,
// an NDJSON of rounds), and which of them its catchment row counts with. Used by CatchmentBuilder
// (./catchment.ts), which picks among a vantage point's ways.
//
// Rule: the latest result counts, except that one unanswered result after answered ones is packet
// loss, not an outage: the rule `anyprobe watch` judges by (an outage is WATCH_DEFAULTS.outageAfter
// consecutive unanswered rounds, ./watch/analyzer.ts; one number for both). So:
// - the latest result answered: it counts;
// - the latest unanswered, with fewer than OUTAGE_AFTER unanswered results since the last answered
//   one (and no failure between): the last answered result counts, its PoP, RTT and startedAt, and
//   the row says how many unanswered results followed it (unansweredAfter, said as a note);
// - OUTAGE_AFTER or more unanswered in a row since the last answer, or none answered at all: the
//   latest unanswered counts ("not reached"), as before;
// - a failure (no result: a RIPE Atlas probe error) later than every result counts, as before.
// "Later" is by the time each was measured, then by the order read (results may arrive in any order).
// Memory is flat: a way keeps its latest answered row, its OUTAGE_AFTER latest unanswered ones and
// its latest failure, however many results the vantage point has.
import type {CatchmentVantagePoint} from '../model/catchment.js'
import {WATCH_DEFAULTS} from './watch/analyzer.js'

/** Unanswered results in a row that make an outage rather than packet loss: the watch's rule. */
export const OUTAGE_AFTER: number = WATCH_DEFAULTS.outageAfter

/** A row kept for a vantage point, with what orders it against the others of that vantage point. */
export interface Kept {
  row: CatchmentVantagePoint
  at: string
  /** read order, across builders (absorb): equal times, the later one read wins */
  seq: number
}

/** (at, seq) order: is `a` later than `b`? */
export const later = (a: Kept, b: Kept): boolean => a.at > b.at || (a.at === b.at && a.seq > b.seq)

/** The rows kept of one way of one vantage point (bounded: see the header). */
export interface Way {
  /** the latest result the target answered */
  answered: Kept | null
  /** the latest unanswered results, latest first, at most OUTAGE_AFTER: enough to tell one loss from an outage */
  lost: Kept[]
  /** the latest failure (no result) */
  failed: Kept | null
}

export const newWay = (): Way => ({answered: null, lost: [], failed: null})

/** Keep `v` in its way if it is among what the rule needs (see the header). */
export function keepInWay(w: Way, v: Kept): void {
  const reached = v.row.reached
  if (reached === true) {
    if (w.answered === null || later(v, w.answered)) w.answered = v
  } else if (reached === false) {
    if (w.lost.includes(v)) return
    let i = 0
    while (i < w.lost.length && later(w.lost[i]!, v)) i++
    if (i >= OUTAGE_AFTER) return
    w.lost.splice(i, 0, v)
    if (w.lost.length > OUTAGE_AFTER) w.lost.length = OUTAGE_AFTER
  } else if (w.failed === null || later(v, w.failed)) {
    w.failed = v
  }
}

/** Every row a way keeps (to merge it into another builder's). */
export function wayRows(w: Way): Kept[] {
  const out: Kept[] = []
  if (w.answered !== null) out.push(w.answered)
  out.push(...w.lost)
  if (w.failed !== null) out.push(w.failed)
  return out
}

/** The latest row of a way, whatever it says: when the way was last measured. */
export function wayLatest(w: Way): Kept {
  let best: Kept | null = null
  for (const v of [w.answered, w.lost[0] ?? null, w.failed]) if (v !== null && (best === null || later(v, best))) best = v
  return best!
}

/**
 * The row a way counts with (see the header) and, when it is an answered result that unanswered
 * ones followed (one loss, not an outage), how many followed it (0: none, or not forgiven).
 */
export function wayRow(w: Way): {kept: Kept; unansweredAfter: number} {
  const latest = wayLatest(w)
  const answered = w.answered
  if (latest !== w.lost[0] || answered === null) return {kept: latest, unansweredAfter: 0}
  // a failure after the last answer: not a run of losses of one kind, the latest counts
  if (w.failed !== null && later(w.failed, answered)) return {kept: latest, unansweredAfter: 0}
  const after = w.lost.filter((v) => later(v, answered)).length
  return after < OUTAGE_AFTER ? {kept: answered, unansweredAfter: after} : {kept: latest, unansweredAfter: 0}
}

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five']
const word = (n: number): string => WORDS[n] ?? String(n)

/**
 * The note for rows whose latest result was not answered and that count with their answered one
 * (report: stderr and input.notes; diff: a single-loss warning per file); null when none.
 */
export function singleLossNote(rows: ReadonlyArray<CatchmentVantagePoint>): string | null {
  let n = 0
  for (const r of rows) if ((r.unansweredAfter ?? 0) > 0) n++
  if (n === 0) return null
  const losses = OUTAGE_AFTER - 1
  return (
    `${n} vantage point${n === 1 ? "'s" : "s'"} latest result was not answered, after answers: ` +
    `${losses === 1 ? 'one loss is' : `up to ${word(losses)} losses are`} not an outage (${word(OUTAGE_AFTER)} in a row ${OUTAGE_AFTER === 1 ? 'is' : 'are'}, as watch counts them), ` +
    `so ${n === 1 ? 'it counts' : 'each counts'} with its latest answered result (its PoP, RTT and time; unansweredAfter in --json)`
  )
}

// A vantage point's rounds without an observation, and why: the one rule the watch summary
// (skippedRounds, unmeasuredRounds) and the metrics (anyprobe_rounds_skipped_total,
// anyprobe_rounds_unmeasured_total) both count by. Before, the summary counted by the span of
// rounds seen and the metric by its own horizon: a gap just before the end was in the summary and
// never in the metric, and the two disagreed.
//
// Rule. A round of a vantage point is settled when the analyser has judged past it (a later round of
// that vantage point was judged, or the round is complete everywhere: flushRound), never beyond the
// newest round the vantage point has an observation or a mark of (it may simply have stopped).
// Rounds before its first observation are not its own. A settled round with no observation is:
//   - unmeasured: its backend said it did not measure it (a Globalping round the API refused or
//     could not create): it was asked for, and no result exists for it;
//   - skipped otherwise: no probe was sent for it (a loop over half an interval behind skips a round
//     rather than send it late; a Globalping round that could not start on time).
// Settling is final, so the counts only grow (a Prometheus counter cannot go back): an observation
// that arrives after its round was settled is the analyser's `late` and does not un-count it (the
// round was judged without it).
//
// Pure: no clock, no I/O; memory is the rounds not yet settled.

export interface RoundGaps {
  /** rounds up to this one are settled (counted or not) */
  settled: number
  /** the newest round observed or marked */
  newest: number
  /** the newest round observed (settled or not: a late observation counts) */
  newestObserved: number
  /** unsettled rounds with an observation */
  observed: Set<number>
  /** unsettled rounds the backend said it did not measure */
  unmeasured: Set<number>
  /** settled so far */
  skippedRounds: number
  unmeasuredRounds: number
}

/** What one settle() added. */
export interface GapCounts {
  skipped: number
  unmeasured: number
}

/** The ledger of a vantage point whose first observation is of round `first`. */
export function newRoundGaps(first: number): RoundGaps {
  return {settled: first - 1, newest: first, newestObserved: first, observed: new Set(), unmeasured: new Set(), skippedRounds: 0, unmeasuredRounds: 0}
}

/** An observation of round r (answered or not: it was sent). */
export function roundObserved(g: RoundGaps, r: number): void {
  if (r > g.newestObserved) g.newestObserved = r
  if (r <= g.settled) return
  g.observed.add(r)
  if (r > g.newest) g.newest = r
}

/** The backend says it did not measure round r for this vantage point. */
export function roundUnmeasured(g: RoundGaps, r: number): void {
  if (r <= g.settled) return
  g.unmeasured.add(r)
  if (r > g.newest) g.newest = r
}

/**
 * The newest round of the vantage point was marked not measured and has no observation (a
 * Globalping API that refused the later rounds, a RIPE Atlas stream and API that delivered neither):
 * its state at the end is unknown, whatever it answered rounds before. A mark of a round not newer
 * than an observation changes nothing (the observation says the state then).
 */
export function unmeasuredAtEnd(g: RoundGaps): boolean {
  return g.newest > g.newestObserved
}

/** Settle the rounds up to `through` (clamped to the newest seen): what that added to the counts. */
export function settleGaps(g: RoundGaps, through: number): GapCounts {
  const end = Math.min(through, g.newest)
  const added: GapCounts = {skipped: 0, unmeasured: 0}
  if (end <= g.settled) return added
  // by the sets (a few rounds), not the range: a jump of many rounds costs nothing more
  const seen = new Set<number>()
  for (const r of g.observed) {
    if (r > end) continue
    g.observed.delete(r)
    seen.add(r)
  }
  for (const r of g.unmeasured) {
    if (r > end) continue
    g.unmeasured.delete(r)
    if (!seen.has(r)) added.unmeasured++
  }
  added.skipped = end - g.settled - seen.size - added.unmeasured
  g.settled = end
  g.skippedRounds += added.skipped
  g.unmeasuredRounds += added.unmeasured
  return added
}

// `report` of a `watch --out` file: the vantage points whose newest round the backend did not
// measure (a Globalping API that refused the later rounds), as the live watch finds them at its end
// (src/watch/session.ts unknownAtEnd: exit 6, their state at the end unknown). The live session asks
// its analyser; report's replay (./watch/replay.ts) does not hand its analyser out, so this keeps the
// same ledger from the same lines with the analyser's own functions (./watch/gaps.ts: one rule):
// a vantage point's ledger begins at its first observation the analyser took, a mark of a vantage
// point not yet observed (or of a file without a start line, which the replay ignores) counts nothing.
import {newRoundGaps, roundObserved, roundUnmeasured, type RoundGaps, unmeasuredAtEnd} from './watch/gaps.js'
import {EXIT} from '../model/errors.js'
import {plural} from '../util/plural.js'

export class WatchFileUnmeasured {
  private readonly gaps = new Map<string, RoundGaps>()
  private started = false

  /** a watch-start line: a new watch, its own ledger (call after the previous watch's summary) */
  start(): void {
    this.gaps.clear()
    this.started = true
  }

  /** an observation the replay took (after it did: one it refused is no round observed) */
  observed(vantageId: string, round: number): void {
    let g = this.gaps.get(vantageId)
    if (g === undefined) this.gaps.set(vantageId, (g = newRoundGaps(round)))
    roundObserved(g, round)
  }

  /** a watch-unmeasured line, as the analyser takes it */
  unmeasured(vantageId: string, round: number): void {
    if (!this.started || !Number.isSafeInteger(round) || round < 0) return
    const g = this.gaps.get(vantageId)
    if (g !== undefined) roundUnmeasured(g, round)
  }

  /** of these vantage points (a summary's), those whose newest round was not measured */
  atEnd(ids: readonly string[]): string[] {
    return ids.filter((id) => {
      const g = this.gaps.get(id)
      return g !== undefined && unmeasuredAtEnd(g)
    })
  }
}

/** The warning for them: the live watch's (src/watch/session.ts finish) and report's of its file. */
export function unmeasuredAtEndWarning(unknown: number, all: number, exitCode: number): string {
  return `warning: the last round of ${plural(unknown, 'vantage point')} was not measured (the backend could not): ${unknown === all ? 'the' : 'their'} state at the end is unknown${exitCode === EXIT.network ? ` (exit ${EXIT.network})` : ''}`
}

// Each vantage point's starting `state` event ("ap-vp-ber starts at FRA, rtt 0.8 ms"): the first
// line a watch prints for it. One function, so the live watch (src/watch/session.ts) and a saved
// watch judged again (./replay.ts, for `anyprobe report`) say it alike.
import type {StateEvent} from '../../model/expect.js'
import {EXIT} from '../../model/errors.js'
import type {VantagePoint} from '../../model/vantage.js'
import {plural} from '../../util/plural.js'
import {sanitize} from '../../util/sanitize.js'
import {type Observation, WATCH_SCHEMA_VERSION} from '../../model/watch.js'

/**
 * The order a watch over RIPE Atlas states its probes in after the history it replays first: by
 * the number in the id (atlas:1001 before atlas:1040), then by id.
 */
export function compareStateIds(a: string, b: string): number {
  return Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')) || a.localeCompare(b)
}

/** The state event of a vantage point's first observation (`vantage`: what is known of it, null when nothing). */
export function stateEvent(ob: Observation, vantage: VantagePoint | null): StateEvent {
  return {
    schemaVersion: WATCH_SCHEMA_VERSION,
    kind: 'watch-event',
    type: 'state',
    at: new Date(ob.sentAt).toISOString(),
    vantageId: ob.vantageId,
    round: ob.round,
    vantage,
    answered: ob.answered,
    pop: ob.pop,
    ...(ob.popConfidence === undefined || ob.pop === null ? {} : {popConfidence: ob.popConfidence}),
    rttMs: ob.rttMs,
  }
}

/**
 * Whether a vantage point counts as answered for the exit code (model/exit.ts): it answered a probe
 * and was not in an outage when the watch ended. One stopped (Ctrl-C, --duration) while the target
 * no longer answers it must not end in "the target answered every vantage point" (exit 0).
 */
export function answeredAtEnd(v: {answered: number; inOutage: boolean}): boolean {
  return v.answered > 0 && !v.inOutage
}

/**
 * A watch's summary as its exit code counts it (model/exit.ts watchExit): a vantage point in an
 * outage at the end answered nothing. The live watch (src/watch/session.ts) and `report` of its
 * --out file judge the end of a watch by this one function.
 */
export function countedAtEnd(summary: {vantagePoints: ReadonlyArray<{answered: number; inOutage: boolean}>}): {vantagePoints: Array<{answered: number}>} {
  return {vantagePoints: summary.vantagePoints.map((v) => ({answered: answeredAtEnd(v) ? v.answered : 0}))}
}

/**
 * The line said for vantage points that were started but sent no probe before the watch stopped
 * (a netns/ssh child still starting, an ssh login): they were not ready, which is not an outage of
 * the target. `nothingSent`: no vantage point sent anything. Null when there are none.
 */
export function notReadyWarning(ids: readonly string[], nothingSent: boolean): string | null {
  if (ids.length === 0) return null
  const list = `${ids.slice(0, 10).map((id) => sanitize(id, 200)).join(', ')}${ids.length > 10 ? ', ...' : ''}`
  if (nothingSent) return `warning: no probe was sent: the vantage points were not ready when the watch stopped (still starting: ${list}); this says nothing of the target (exit 4)`
  return `warning: ${ids.length} vantage point(s) sent no probe: not ready when the watch stopped (still starting: ${list}); counted as not answered`
}

/**
 * The warning a watch ends with when its exit code comes from vantage points in an outage at the
 * end (`exitCode`: the watch's own, 4 or 9), or when no probe was answered at all; null otherwise.
 */
export function outageAtEndWarning(summary: {vantagePoints: ReadonlyArray<{vantageId: string; answered: number; inOutage: boolean}>}, exitCode: number): string | null {
  if (exitCode === EXIT.unreachable) {
    const any = summary.vantagePoints.some((v) => v.answered > 0)
    return any ? 'warning: the target answered no vantage point at the end: each was in an outage when the watch ended (exit 4)' : 'warning: no probe was answered (exit 4)'
  }
  if (exitCode === EXIT.partial && summary.vantagePoints.some((v) => v.inOutage)) {
    const ids = summary.vantagePoints.filter((v) => v.inOutage).map((v) => sanitize(v.vantageId, 200))
    return `warning: ${ids.length} vantage point(s) in an outage when the watch ended (exit 9): ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', ...' : ''}`
  }
  return null
}

/**
 * The warning for vantage points whose last round the backend did not measure (the analyser's
 * unmeasuredAtEnd): the live watch's (src/watch/session.ts finish) and report's of its file.
 */
export function unmeasuredAtEndWarning(unknown: number, all: number, exitCode: number): string {
  return `warning: the last round of ${plural(unknown, 'vantage point')} was not measured (the backend could not): ${unknown === all ? 'the' : 'their'} state at the end is unknown${exitCode === EXIT.network ? ` (exit ${EXIT.network})` : ''}`
}

// The exit code of a measured run, one rule for every command (README "Errors and exit codes"):
// what the vantage points did decides 0 / 9 / 4; a broken expectation (8), unusable input (7) and an
// output file that could not be written (10) are said in that order of precedence:
//
//   8 alert > 7 data > 6/2 a remote service could not measure > 4 none answered > 9 some answered
//   > 10 write > 0 every one answered
//
// A RIPE Atlas or Globalping backend that could not measure at all (the API unreachable, a refused
// key) is not a vantage point whose target did not answer: alone, its error ends the run (exit 6 or
// 2, vantage/remote-failure.ts); beside other vantage points' outcomes, its exit code is `unmeasured`.
//
// A vantage point that failed (an E_VP_* error, or any error of its own) did not answer. No vantage
// point at all counts as none answered. When every vantage point failed before sending anything (its
// place could not be used: a namespace that does not exist, an ssh host that refused the login),
// the target was never asked: 6, like this host's own network error, so an alert on 4 pages only for
// the target. Errors thrown before anything is measured (usage 2,
// resolve 3, privilege 5, network 6) keep their own code and never reach this function.
//
// A check that does not depend on where the probe runs (flag syntax, an --asn-db file) is made in
// this process before any vantage point starts (console/probe-settings.ts), so it ends the run as
// the single-host command does. One that does (the name resolved there, raw sockets there) is
// made at the vantage point; when EVERY vantage point failed with the same such error (all
// E_RESOLVE, all E_NO_RAW_SOCKET, all E_USAGE, ...: sharedFailureExit), the target was never asked
// and the run exits with that error's code (3, 5, 2), as the command run there alone would: `failedAs`.
// Mixed errors, or one vantage point that asked the target, keep the rule above (4, 6).
import {EXIT, isPlaceFailure} from './errors.js'

export interface MeasuredRun {
  /** vantage points whose target answered (a trace that reached it, a DNS reply, an HTTP response) */
  answered: number
  /** every vantage point of the run, failed ones included */
  total: number
  /** an --expect rule broke, or (diff) a vantage point moved */
  alert?: boolean
  /** some input could not be used (report / sites of a saved file) */
  data?: boolean
  /** an output file could not be written (E_WRITE) */
  writeFailed?: boolean
  /**
   * vantage points that did not answer for a reason of their own: the place could not be used
   * (./errors.ts isPlaceFailure: not started, no such namespace, no ssh login) or its engine said
   * E_NETWORK (a certificate it did not trust, no route from it). When that is every one, nothing
   * is known of the target and the exit is 6, as the one-shot command says it, not 4
   */
  ownFailures?: number
  /**
   * every vantage point failed with one error said before anything is measured (sharedFailureExit):
   * its exit code (2 usage, 3 resolve, 5 privilege) is the run's, as the command run there alone
   * would exit, not 4 (an alert on 4 is a page for the target). null / absent: not so
   */
  failedAs?: number | null
  /** the exit code of a remote service that could not measure (6 network, 2 usage: its probes are not in the run) or whose results broke off (7, 6) */
  unmeasured?: number | null
}

export function measuredExit(run: MeasuredRun): number {
  if (run.alert) return EXIT.alert
  if (run.data) return EXIT.data
  if (run.unmeasured !== undefined && run.unmeasured !== null && run.unmeasured !== EXIT.ok) return run.unmeasured
  if (run.answered <= 0 && run.total > 0 && run.failedAs !== undefined && run.failedAs !== null) return run.failedAs
  if (run.answered <= 0 && run.total > 0 && (run.ownFailures ?? 0) >= run.total) return EXIT.network
  if (run.answered <= 0 || run.total <= 0) return EXIT.unreachable
  if (run.answered < run.total) return EXIT.partial
  if (run.writeFailed) return EXIT.write
  return EXIT.ok
}

/**
 * A watch's exit code from its summary: a vantage point answered when it answered at least one
 * probe. `vantageFailed`: a vantage point's child failed during the watch (it did not answer all
 * along), so every one answered is at best "some".
 */
export function watchExit(summary: {vantagePoints: ReadonlyArray<{answered: number}>}, o: {vantageFailed?: boolean; alert?: boolean; writeFailed?: boolean; data?: boolean; unmeasured?: number | null; ownFailures?: number} = {}): number {
  const total = summary.vantagePoints.length
  let answered = 0
  for (const v of summary.vantagePoints) if (v.answered > 0) answered++
  if (o.vantageFailed && answered === total) answered = total - 1
  return measuredExit({answered, total, alert: o.alert, data: o.data, writeFailed: o.writeFailed, unmeasured: o.unmeasured, ownFailures: o.ownFailures})
}

/**
 * Errors a probe says before it sends anything, and their exit codes (README "Errors and exit
 * codes"): a flag or database the vantage point's anyprobe refused, a name that did not resolve
 * there, no raw-socket privilege there.
 */
const BEFORE_MEASURING: Readonly<Record<string, number>> = {
  E_USAGE: EXIT.usage,
  E_BAD_TARGET: EXIT.usage,
  E_BAD_DURATION: EXIT.usage,
  E_MMDB: EXIT.usage,
  E_RESOLVE: EXIT.resolve,
  E_NO_RAW_SOCKET: EXIT.privilege,
}

/**
 * MeasuredRun.failedAs: one entry per vantage point, its error code when it failed (no result),
 * null when it has a result. When every one failed with the same error said before measuring
 * (BEFORE_MEASURING), that error's exit code; otherwise (none, mixed codes, a result) null.
 */
export function sharedFailureExit(failures: Iterable<string | null | undefined>): number | null {
  let code: string | null = null
  for (const f of failures) {
    if (f === null || f === undefined || (code !== null && f !== code)) return null
    code = f
  }
  return code !== null && Object.hasOwn(BEFORE_MEASURING, code) ? BEFORE_MEASURING[code]! : null
}

/** A catchment row's failure as sharedFailureExit takes it: its error code when it has no result. */
export function rowFailure(row: {reached: boolean | null; error?: {code: string} | null}): string | null {
  return row.reached === null ? (row.error?.code ?? null) : null
}

/** Vantage points that run anyprobe itself: their E_NETWORK is anyprobe's own (exit 6). */
const OWN_ENGINES = new Set(['local', 'netns', 'ssh'])

/**
 * What the target did at one vantage point, as the exit code counts it: 'answered' (a DNS reply, an
 * HTTP response, a ping reply, a trace that reached it), 'own' (no result, for a reason of the
 * vantage point's own: isOwnFailure), 'silent' otherwise (it asked, nothing came; or a failure that
 * may be the target's). `reached`: null when there is no result.
 */
export type Answer = 'answered' | 'silent' | 'own'

export function answerOf(reached: boolean | null, kind: string, code: string | null | undefined): Answer {
  if (reached === true) return 'answered'
  return reached === null && isOwnFailure(kind, code) ? 'own' : 'silent'
}

/** A catchment row's answer (catchment, report and sites --input of a saved catchment alike). */
export function rowAnswer(row: {reached: boolean | null; vantage: {kind: string}; error?: {code: string} | null}): Answer {
  return answerOf(row.reached, row.vantage.kind, row.error?.code)
}

/** A run's vantage points as MeasuredRun counts them: spread into measuredExit with the rest. */
export type RunAnswers = Pick<MeasuredRun, 'answered' | 'total' | 'ownFailures'>

/** One answer per vantage point of the run -> how many answered, how many failed for their own reason, of how many. */
export function countAnswers(answers: Iterable<Answer>): Required<RunAnswers> {
  const n = {answered: 0, total: 0, ownFailures: 0}
  for (const a of answers) {
    n.total++
    if (a === 'answered') n.answered++
    else if (a === 'own') n.ownFailures++
  }
  return n
}

/**
 * A failed vantage point's error that is its own (MeasuredRun.ownFailures): the place could not be
 * used (isPlaceFailure), or anyprobe's engine there said E_NETWORK (exit 6: an HTTPS certificate it
 * did not trust, a TLS handshake it could not complete, no route from it). The latter only where
 * anyprobe runs (local, netns, ssh): a RIPE Atlas probe's E_NETWORK is read from its own words and
 * may be the target's.
 */
export function isOwnFailure(kind: string, code: string | null | undefined): boolean {
  return isPlaceFailure(code) || (code === 'E_NETWORK' && OWN_ENGINES.has(kind))
}

/** The watch's end warning when no vantage point answered, each for a reason of its own (exit 6). */
export function ownFaultWarning(vantagePoints: number): string {
  return `warning: no probe was answered, for a reason of the vantage point${vantagePoints === 1 ? "'s" : "s'"} own (said above: it could not be used, a certificate it did not trust, no route from it), not an outage of the target (exit ${EXIT.network})`
}

/**
 * A watch's vantage points that did not answer for a reason of their own, the one ledger of
 * MeasuredRun.ownFailures for the live watch and `report` of its --out file:
 *   - latest probes unanswered with vantageFault (a certificate it did not trust, no route from
 *     it), until it answers again;
 *   - its place could not be used at all (failed() with an isPlaceFailure code: no such
 *     namespace, no ssh login): for good, as nothing more comes from it.
 */
export class OwnFaults {
  private readonly faults = new Set<string>()
  private readonly places = new Set<string>()
  observe(o: {vantageId: string; answered: boolean; vantageFault?: true}): void {
    if (o.answered) this.faults.delete(o.vantageId)
    else if (o.vantageFault === true) this.faults.add(o.vantageId)
  }

  /** the vantage point failed with this error code: a place failure is marked, any other is not its own here */
  failed(vantageId: string, code: string | null | undefined): void {
    if (isPlaceFailure(code)) this.places.add(vantageId)
  }

  /** the vantage point is in a fault of its own (now, or its place for good) */
  has(vantageId: string): boolean {
    return this.places.has(vantageId) || this.faults.has(vantageId)
  }

  /** how many of these vantage points are in a fault of their own */
  count(vantageIds: readonly string[]): number {
    let n = 0
    for (const id of vantageIds) if (this.has(id)) n++
    return n
  }

  clear(): void {
    this.faults.clear()
    this.places.clear()
  }
}

// One watch session: whatever produces the observations (local/netns/ssh rounds, a RIPE Atlas
// measurement's stream, repeated Globalping measurements), everything after them is here, once:
// the analyser, each vantage point's starting `state` event first, the live view or --json NDJSON,
// --out, --metrics, --html, --expect/--learn/--exec, the summary and the exit code.
//
// Nothing here writes to stdout or stderr itself: the command passes `write` (its stdout) and
// `report` (one line to stderr).
//
// Order per observation: --out, then the analyser takes it (judging the rounds it completes; its
// events wait), then metrics, view, timeline, then (first observation of a vantage point) its `state`
// event, then the analyser's events, then the --expect verdicts. Metrics and view ask the analyser
// for the catchment a hint agrees with (its catchment()): asked after it has judged every round
// before the observation's that it can, as it judges that hint by the catchment of those rounds.
// A source that first replays history (Atlas: the results since one interval before the start)
// wraps it in 'history-start'/'history-end' (hold()/release()): events are held, and each vantage
// point's state is its LAST observation of the history, emitted first at release, then the held
// events. --out gets a watch-history-start / -end line at each, so `report`
// (analysis/watch/replay.ts) does alike.

import {expectAlert, expectUnused} from '../analysis/expect.js'
import {compareStateIds, countedAtEnd, createWatchAnalyzer, notReadyWarning, outageAtEndWarning, optionsOfStart, stateEvent, unmeasuredAtEndWarning, type WatchAnalyzer} from '../analysis/watch/index.js'
import type {LiveWatchEvent, LiveWatchSummary} from '../model/expect.js'
import {EXIT} from '../model/errors.js'
import {OwnFaults, ownFaultWarning, watchExit} from '../model/exit.js'
import type {RoundEvent, VantageError} from '../model/probe.js'
import type {VantagePoint} from '../model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchEvent, type WatchHistoryLine, type WatchStart, type WatchSummaryEvent} from '../model/watch.js'
import {renderExpectSummary, renderLiveEvent, vantageLabel} from '../render/expect.js'
import {htmlReport} from '../render/html/index.js'
import {TimelineCollector} from '../render/html/timeline-data.js'
import {HtmlRefresher, writeHtml} from '../render/html/write.js'
import {renderWatchSummary} from '../render/watch.js'
import {checkOutputPath, HTML_PATH_HINT} from '../util/output-path.js'
import {sanitize} from '../util/sanitize.js'
import {type Locations, locateVantage, locationsOf} from '../vantage/locations.js'
import {type ExtrasFlags, WatchExtras} from './extras.js'
import {closeMetrics, parseHostPort, serveMetrics, WatchMetrics} from './metrics.js'
import {NdjsonOutFile} from './out-file.js'
import {inTimeOrder} from '../analysis/watch/event-order.js'
import {LiveView} from './view.js'

export interface WatchSessionOptions {
  /** the analysis settings (also the first line of --out, so `report` judges alike) */
  start: WatchStart
  /** --json: NDJSON events (the command prints the returned summary as the last line) */
  json: boolean
  /** the command's stdout */
  write: (text: string) => void
  /** stdout is a terminal (the live view redraws its catchment block) */
  tty: boolean
  /** one line to stderr */
  report: (line: string) => void
  out?: string
  metrics?: string
  html?: string
  extras: ExtrasFlags
  /** probe tags of a vantage point, for --expect groups; default: those its backend said ('vantage' events, or the vantage point's own) */
  tagsOf?: (vantageId: string) => string[]
  /** remote probes (RIPE Atlas, Globalping; maybe thousands): text events labelled with country and ASN, no redrawn catchment block */
  remote?: boolean
  /** test/bench seam: every event as it is printed, with the wall-clock time the result behind it arrived (remote engines; null: none) */
  onEvent?: (e: LiveWatchEvent, arrivedAt: number | null) => void
  /**
   * --out: write watch-history-start / -end lines around a replayed history (schemas/watch-out.schema.json),
   * so `report` states each vantage point by its last observation of it (WatchReplay.historyStart/End).
   * Default on; false writes a file as watches did before the markers (tests of such files: report
   * then states each vantage point by its first observation).
   */
  markHistory?: boolean
  /** aborted at a second Ctrl-C / SIGTERM: the end stops waiting for --exec commands */
  hurry?: AbortSignal
}

export interface WatchEnd {
  /** with --expect, its breaches too (`expect`) */
  summary: LiveWatchSummary
  /** the exit code the watch asks for (undefined: 0) */
  exitCode: number | undefined
}

export class WatchSession {
  readonly analyzer: WatchAnalyzer
  readonly metrics: WatchMetrics
  private readonly view: LiveView | null
  private readonly out: NdjsonOutFile | null
  private readonly timeline: TimelineCollector | null
  private readonly page: HtmlRefresher | null
  private htmlFailureSaid = false
  /** vantage points that did not answer for a reason of their own: latest probes unanswered with vantageFault (a certificate not trusted, no route from them), or their place could not be used at all (model/errors.ts isPlaceFailure) */
  private readonly faults = new OwnFaults()
  private readonly extras: WatchExtras | null
  private server: Awaited<ReturnType<typeof serveMetrics>> | null = null
  private readonly vantages = new Map<string, VantagePoint>()
  private readonly stated = new Set<string>()
  private holding = false
  private readonly held: LiveWatchEvent[] = []
  private readonly lastHeld = new Map<string, Observation>()
  private writeFailureSaid = false
  /** the vantage point each vantage id was last saved to --out with (JSON) */
  private readonly outVantage = new Map<string, string>()
  private failed = false
  /** a backend failed at something outside the vantage points ('note' with failed): exit 1 */
  private backendFailed = false
  /** vantage points a backend started ('started' / 'failed'): one that sent nothing by the end was not ready */
  private readonly started = new Set<string>()
  /** vantage points that failed (said with their E_VP_* error): silent because of that, not "not ready" */
  private readonly failedIds = new Set<string>()
  /** probe tags a backend said ('vantage' events) */
  private readonly tags = new Map<string, string[]>()
  /** when the result behind the event being handled arrived (onEvent seam) */
  private arrivedAt: number | null = null
  /** --locations / --location (read once, at open: a bad file fails before anything is measured) */
  private readonly locs: Locations | null

  private constructor(private readonly o: WatchSessionOptions) {
    // a hint agrees with the catchment as the analyser has it (not rebuilt from its events: ./metrics.ts)
    this.metrics = new WatchMetrics((id) => this.analyzer.catchment(id))
    // the metrics count skipped / unmeasured rounds as the analyser settles them: one rule, the summary's
    // the --html lanes draw a hint agreeing with the catchment as the analyser judged its round
    this.analyzer = createWatchAnalyzer({
      ...optionsOfStart(o.start),
      onGaps: (id, added) => this.metrics.gaps(id, added),
      onRoundJudged: (id, round, cur) => this.timeline?.judged(id, round, cur),
    })
    this.locs = locationsOf(o.extras)
    // --html is written as the watch goes and at its end: a path that cannot be written is said now
    // (exit 2), with --out's and --learn's, not as exit 10 after the whole watch
    if (o.html !== undefined) checkOutputPath('--html', o.html, HTML_PATH_HINT)
    // text: the state event says where each vantage point starts, so the view prints no first catchment line of its own
    this.view = o.json ? null : new LiveView(o.write, o.tty && o.remote !== true, {firstCatchment: false, catchment: (id) => this.analyzer.catchment(id)})
    const tagsOf = o.tagsOf ?? ((id: string): string[] => this.tags.get(id) ?? this.vantageOf(id)?.tags ?? [])
    this.extras = WatchExtras.open(o.extras, {metrics: this.metrics, print: (e) => this.printExtra(e), report: o.report, tagsOf})
    this.out = o.out === undefined ? null : new NdjsonOutFile(o.out)
    this.timeline = o.html === undefined ? null : new TimelineCollector()
    this.timeline?.setStart(o.start)
    this.page = o.html === undefined ? null : new HtmlRefresher(o.html, () => htmlReport({timeline: this.timeline!.data()}))
    this.record(o.start)
  }

  /** Opens --out, checks --html and --learn, reads --expect and starts --metrics: a bad flag fails before anything is measured. */
  static async open(o: WatchSessionOptions): Promise<WatchSession> {
    const metricsAt = o.metrics === undefined ? null : parseHostPort(o.metrics)
    const s = new WatchSession(o)
    if (metricsAt) {
      try {
        s.server = await serveMetrics(s.metrics, metricsAt.host, metricsAt.port)
      } catch (e) {
        s.out?.close()
        throw e
      }
      o.report(`anyprobe: metrics on http://${metricsAt.host.includes(':') ? `[${metricsAt.host}]` : metricsAt.host}:${s.server.port}/metrics`)
    }
    return s
  }

  get start(): WatchStart {
    return this.o.start
  }

  /** What is known of a vantage point (country, ASN), learnt after its first observation. */
  setVantage(id: string, v: VantagePoint): void {
    this.vantages.set(id, locateVantage(v, this.locs))
  }

  vantageOf(id: string): VantagePoint | null {
    return this.vantages.get(id) ?? null
  }

  /** One observation, from any source; `complete`: the vantage point's round is complete with it (one result per round). */
  observe(ob: Observation, complete = false): void {
    // unanswered for a reason of the vantage point's own (vantageFault), until it answers again
    this.faults.observe(ob)
    if (ob.vantage) {
      // a located vantage point is saved located (--out), so `report` places it as this watch did
      if (this.locs !== null) ob = {...ob, vantage: locateVantage(ob.vantage, this.locs)}
      this.vantages.set(ob.vantageId, ob.vantage!)
    }
    this.record(this.forOut(ob))
    // then the analyser (after --out: an observation it refuses is saved): the rounds before this
    // one it can judge now are judged when metrics and view ask it what a hint agrees with (its
    // events are said after the state event, as before)
    const events = this.analyzer.push(ob)
    this.metrics.observe(ob)
    this.view?.observe(ob)
    this.timeline?.observe(ob)
    if (this.holding) this.lastHeld.set(ob.vantageId, ob)
    else if (!this.stated.has(ob.vantageId)) this.state(ob)
    this.emit(events)
    if (complete) this.emit(this.analyzer.flushVantage(ob.vantageId, ob.round))
    if (this.page?.poke() === false && this.page.failure !== null && !this.htmlFailureSaid) {
      // said once, when it happens; the watch goes on
      this.htmlFailureSaid = true
      const e = this.page.failure
      this.o.report(`error ${e.code}: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`)
    }
    if (!this.holding) this.extras?.observe(ob, this.vantageOf(ob.vantageId))
  }

  /**
   * A live run's events (VantageBackend.rounds, the contract at the top of model/probe.ts): each
   * observation in (the vantage point rides on its first one, for --out), a completed round judged
   * at once, a failed vantage point said at once. `onAllDown`: every vantage point has failed and
   * each has been seen as an outage (its unanswered rounds since) — nothing is left to watch.
   */
  async consume(events: AsyncIterable<RoundEvent>, opts: {onAllDown?: () => void} = {}): Promise<void> {
    const described = new Set<string>()
    const started = this.started
    // a failed vantage point's unanswered observations since its failure
    const down = new Map<string, number>()
    const outage = this.o.start.outageAfter * this.o.start.flows
    const allDown = (): boolean => started.size > 0 && down.size === started.size && [...down.values()].every((n) => n >= outage)
    for await (const ev of events) {
      this.arrivedAt = null
      if (ev.type === 'observation') {
        this.setVantage(ev.vantage.id, ev.vantage)
        const ob = ev.observation
        const first = !described.has(ob.vantageId)
        described.add(ob.vantageId)
        this.arrivedAt = ev.arrivedAt ?? null
        this.observe(first && !ob.vantage ? {...ob, vantage: ev.vantage} : ob, ev.complete === true)
        const n = down.get(ob.vantageId)
        if (n !== undefined) {
          down.set(ob.vantageId, n + 1)
          if (allDown()) opts.onAllDown?.()
        }
      } else if (ev.type === 'started') {
        started.add(ev.vantage.id)
        this.setVantage(ev.vantage.id, ev.vantage)
      } else if (ev.type === 'round') this.flushRound(ev.round)
      else if (ev.type === 'unmeasured') {
        this.analyzer.unmeasured(ev.vantage.id, ev.round)
        // --out says it too, so `report` of the file counts the round as not measured (not skipped)
        this.record({schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-unmeasured', vantageId: ev.vantage.id, round: ev.round})
      }
      else if (ev.type === 'message') this.o.report(`[${sanitize(ev.vantage.id, 200)}] ${sanitize(ev.text, 1000)}`)
      else if (ev.type === 'note') {
        // the backend's own line (already sanitised; escaped again, line by line, in case)
        this.o.report(ev.text.split('\n').map((l) => sanitize(l, 2000)).join('\n'))
        if (ev.failed === true) this.backendFailed = true
      } else if (ev.type === 'history-start') this.hold()
      else if (ev.type === 'history-end') this.release()
      else if (ev.type === 'vantage') {
        if (ev.tags !== undefined) this.tags.set(ev.vantage.id, ev.tags)
        this.setVantage(ev.vantage.id, ev.vantage)
      } else if (ev.type === 'failed') {
        started.add(ev.vantage.id)
        down.set(ev.vantage.id, 0)
        this.failedIds.add(ev.vantage.id)
        this.faults.failed(ev.vantage.id, ev.error.code)
        this.vantageFailed(ev.vantage.id, ev.error, down.size < started.size)
        if (allDown()) opts.onAllDown?.()
      } else if (ev.error !== null && !down.has(ev.vantage.id)) this.vantageFailed(ev.vantage.id, ev.error, true)
    }
  }

  /** Every flow of round r (and all before) is in, at every vantage point: judge it now. */
  flushRound(round: number): void {
    this.emit(this.analyzer.flushRound(round))
  }

  /** The vantage point's round r is complete (one result per round: a remote probe). */
  flushVantage(id: string, round: number): void {
    this.emit(this.analyzer.flushVantage(id, round))
  }

  /** A vantage point failed (its E_VP_* error); the others go on, and it did not answer all along (exit 9 at best). */
  vantageFailed(id: string, e: VantageError, othersGoOn: boolean): void {
    this.failed = true
    this.o.report(`error ${sanitize(e.code, 40)} at vantage point ${sanitize(id, 200)}: ${sanitize(e.message, 500)}${othersGoOn ? '; the other vantage points go on' : ''}${e.hint ? `\nhint: ${sanitize(e.hint, 300)}` : ''}`)
  }

  /** History first (see the header): events are held until release(). */
  hold(): void {
    if (this.holding) return
    this.holding = true
    if (this.o.markHistory !== false) this.record(this.historyLine('watch-history-start'))
  }

  release(): void {
    if (!this.holding) return
    this.holding = false
    // --out marks where the history ended: `report` states each vantage point by its last observation of it too
    if (this.o.markHistory !== false) this.record(this.historyLine('watch-history-end'))
    const ids = [...this.lastHeld.keys()].sort(compareStateIds)
    for (const id of ids) {
      const ob = this.lastHeld.get(id)!
      this.state(ob)
      this.extras?.observe(ob, this.vantageOf(id))
    }
    this.lastHeld.clear()
    for (const e of this.held.splice(0)) this.emit([e])
  }

  /** The end: the analyser's last events, --html, --learn, --exec drained, metrics closed, the summary printed (text). */
  async finish(learnComment: string): Promise<WatchEnd> {
    this.arrivedAt = null
    this.release()
    const last = this.analyzer.finish()
    this.emit(last)
    const summary = last.find((e): e is WatchSummaryEvent => e.type === 'summary') ?? this.analyzer.summary()
    this.timeline?.addEvents([summary])
    this.out?.close()
    let htmlFailed = this.page?.failure != null
    if (this.o.html !== undefined && !htmlFailed) {
      const e = writeHtml(this.o.html, htmlReport({timeline: this.timeline!.data()}))
      if (e !== null) {
        htmlFailed = true
        this.o.report(`error ${e.code}: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`)
      }
    }
    this.view?.close()
    const expect = this.extras ? await this.extras.finish(summary, learnComment, this.o.hurry) : null
    // --expect: every breach of the watch goes in the summary, and any breach at any time is exit 8
    // (a watch under cron or CI must not lose an alert because the vantage point came back before the end)
    // started but silent (a netns/ssh child still starting when the watch stopped): not answered, and said as not ready
    // (and one that failed before it sent anything: said with its error; either way not answered)
    const silent = [...this.started].filter((id) => !summary.vantagePoints.some((v) => v.vantageId === id)).sort(compareStateIds)
    const notReady = silent.filter((id) => !this.failedIds.has(id))
    const atEnd = countedAtEnd(summary)
    for (const _ of silent) atEnd.vantagePoints.push({answered: 0})
    const ended: LiveWatchSummary = {...summary, ...(notReady.length === 0 ? {} : {notReady}), ...(expect === null ? {} : {expect})}
    // one rule for every command (model/exit.ts): 0 every vantage point answered, 9 some (a failed
    // one did not answer all along), 4 none; 8 an --expect rule broke; 7 an --expect rule matched no vantage point; 10 --out could not be written
    // ... and 1 when a backend failed at something outside the vantage points (a measurement it made could not be stopped)
    // ... a vantage point still in an outage at the end is not answered (9, or 4 when none is answered)
    // a backend's failed note (RIPE Atlas would not stop the measurement it made): the API's fault,
    // said with what to do, exit 6 as any API that would not do what was asked; 1 is for bugs
    // ... none answered, each for a reason of its own (a certificate it did not trust, no route from
    // it: said above in the engine's words): nothing is known of the target, 6 as one-shot http says it
    // (a vantage point whose place could not be used at all, no such namespace or no ssh login, too)
    const ids = summary.vantagePoints.map((v) => v.vantageId)
    const ownFailures = this.faults.count(ids)
    // ... a vantage point whose last round the backend could not measure (a Globalping API that
    // refused the later rounds) has no known state at the end: 6, as a backend that would not measure,
    // not 0 from an answer rounds before (the analyser's ledger of rounds: analysis/watch/gaps.ts)
    const unknownAtEnd = ids.filter((id) => this.analyzer.unmeasuredAtEnd(id))
    const exitCode = watchExit(atEnd, {vantageFailed: this.failed, alert: expectAlert(expect), data: expectUnused(expect), writeFailed: Boolean(this.out?.failure) || htmlFailed || this.extras?.learnFailed === true, unmeasured: this.backendFailed || unknownAtEnd.length > 0 ? EXIT.network : null, ownFailures})
    if (unknownAtEnd.length > 0) this.o.report(unmeasuredAtEndWarning(unknownAtEnd.length, ids.length, exitCode))
    // 6 because every vantage point failed for a reason of its own (not a backend that could not measure)
    const ownFault = exitCode === EXIT.network && !this.backendFailed && unknownAtEnd.length === 0
    const said = expect === null ? null : renderExpectSummary(expect)
    if (said !== null) for (const line of said.split('\n')) this.o.report(line)
    await closeMetrics(this.server)
    this.server = null
    const notReadySaid = notReadyWarning(notReady, summary.vantagePoints.length === 0)
    if (notReadySaid !== null) this.o.report(notReadySaid)
    // nothing sent is not "no probe was answered" (that reads as an outage of the target)
    const warning = ownFault
      ? ownFaultWarning(summary.vantagePoints.length)
      : summary.vantagePoints.length === 0 && notReady.length > 0 ? null : outageAtEndWarning(summary, exitCode)
    if (warning !== null) this.o.report(warning)
    if (!this.o.json) this.o.write(renderWatchSummary(ended) + '\n')
    return {summary: ended, exitCode}
  }

  /** Stop without a summary (an error before or while measuring): files and the metrics server closed. */
  async abandon(): Promise<void> {
    this.out?.close()
    this.view?.close()
    await closeMetrics(this.server)
    this.server = null
  }

  /**
   * An observation as --out saves it: its vantage point only when it is new or has changed (netns
   * and ssh children attach it to every observation; repeated on every line it made a lab drill's
   * file 1.8 times as big). `report` keeps the last one it read for each vantage point.
   */
  private forOut(ob: Observation): Observation {
    if (ob.vantage === undefined) return ob
    const said = JSON.stringify(ob.vantage)
    if (this.outVantage.get(ob.vantageId) === said) {
      const {vantage: _, ...rest} = ob
      return rest
    }
    this.outVantage.set(ob.vantageId, said)
    return ob
  }

  private historyLine(kind: WatchHistoryLine['kind']): WatchHistoryLine {
    return {schemaVersion: WATCH_SCHEMA_VERSION, kind, at: new Date().toISOString()}
  }

  private state(ob: Observation): void {
    this.stated.add(ob.vantageId)
    // the one state event (analysis/watch/state.ts): `report` of the --out file says it alike
    this.emit([stateEvent(ob, this.vantageOf(ob.vantageId))])
  }

  private emit(events: readonly LiveWatchEvent[]): void {
    for (const e of inTimeOrder(events)) {
      if (e.type === 'summary') continue
      if (this.holding) {
        this.held.push(e)
        continue
      }
      if (e.type !== 'state') this.timeline?.addEvents([e as WatchEvent])
      this.metrics.event(e)
      this.print(e)
      this.extras?.event(e)
    }
  }

  /** An --expect verdict (unexpected / expected): on the --html timeline too, then printed. */
  private printExtra(e: LiveWatchEvent): void {
    if (e.type !== 'state') this.timeline?.addEvents([e])
    this.page?.poke()
    this.print(e)
  }

  /** An event to stdout: NDJSON, or a line of the live view. */
  private print(e: LiveWatchEvent): void {
    if (this.view === null) this.o.write(JSON.stringify(e) + '\n')
    else if (e.type === 'state' || e.type === 'unexpected' || e.type === 'expected') this.view.line(renderLiveEvent(e))
    else this.view.event(e as WatchEvent, this.o.remote ? this.labelled(e as WatchEvent) : undefined)
    this.o.onEvent?.(e, this.arrivedAt)
  }

  private labelled(e: WatchEvent): string | undefined {
    if (e.type === 'summary') return undefined
    const text = renderLiveEvent(e)
    const label = vantageLabel(this.vantageOf(e.vantageId))
    return label === '' ? text : text.replace(e.vantageId, `${e.vantageId} (${label})`)
  }

  private record(doc: unknown): void {
    if (this.out === null || this.out.writeLine(JSON.stringify(doc) + '\n') || this.writeFailureSaid) return
    this.writeFailureSaid = true
    const e = this.out.error()!
    this.o.report(`error ${e.code}: ${sanitize(e.message, 2000)}${e.hint ? `\nhint: ${e.hint}` : ''}`)
  }
}

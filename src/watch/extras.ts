// What --expect, --for, --learn and --exec add to any watch (local/netns/ssh or RIPE Atlas): each
// observation is judged against the expect rules (src/analysis/expect.ts, with the hold-down), the
// verdict events go where every event goes (NDJSON or the live view, metrics, --exec), and at the
// end --learn writes the current catchment as an expect file.
import {readFileSync} from 'node:fs'

import {ExpectTracker, learnCatchment, listLeftOut, parseExpectFile, type VantageFacts} from '../analysis/expect.js'
import type {ExpectSummary, LiveWatchEvent} from '../model/expect.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {VantagePoint} from '../model/vantage.js'
import type {Observation, WatchSummaryEvent} from '../model/watch.js'
import {writeErrorHint, writeFileAtomic} from '../util/atomic-write.js'
import {checkOutputPath} from '../util/output-path.js'
import {parseDuration} from '../util/duration.js'
import {EventExec} from './exec.js'
import type {WatchMetrics} from './metrics.js'
import {plural} from '../util/plural.js'
import {CONFIDENT_POP} from '../model/pop-confidence.js'

export interface ExtrasFlags {
  /** --locations FILE / --location NAME=LAT,LON: where vantage points without a location of their own are (for --expect and --html) */
  locations?: string
  location?: string[]
  expect?: string
  learn?: string
  for?: number
  exec?: string
  'exec-timeout'?: string
  'exec-concurrency'?: number
}

export interface ExtrasDeps {
  metrics: WatchMetrics
  /** writes one event (NDJSON line or live view line) */
  print: (e: LiveWatchEvent) => void
  /** probe tags of a vantage point (RIPE Atlas); default none */
  tagsOf?: (vantageId: string) => string[]
  report?: (line: string) => void
}

export function readExpectFile(path: string): ReturnType<typeof parseExpectFile> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new AnyprobeError('E_BAD_INPUT', `--expect ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {hint: 'give the path of an expect file (watch --learn FILE writes one)', exitCode: EXIT.usage})
  }
  return parseExpectFile(text, `--expect ${path}`)
}

/**
 * --learn FILE is written at the end: a path that cannot be written (no such directory, not
 * writable, a directory) is said before anything is measured (exit 2), not after a long watch.
 */
export function checkLearnPath(path: string): void {
  checkOutputPath('--learn', path, 'give a writable file path (the expect file is written when the watch ends)')
}

/** The flags that only shape --exec: given without it they would do nothing, so they are refused. */
const EXEC_ONLY = {
  'exec-timeout': 'bounds each --exec command',
  'exec-concurrency': 'caps the --exec commands running at once',
} as const

/**
 * --exec-timeout / --exec-concurrency given without --exec (they have defaults: `given` is oclif's
 * parse metadata, to tell a typed flag from its default): E_USAGE with a hint, before anything is
 * measured, as a vantage flag no vantage point uses is refused (console/vantage-flags.ts), never
 * dropped in silence.
 */
export function refuseExecFlagsWithoutExec(flags: Pick<ExtrasFlags, 'exec' | 'exec-timeout' | 'exec-concurrency'>, given: {flags: Record<string, {setFromDefault?: boolean} | undefined>}): void {
  if (flags.exec !== undefined) return
  for (const [name, what] of Object.entries(EXEC_ONLY)) {
    // oclif's metadata marks a flag set from its default; one the user typed has no entry
    if (flags[name as keyof typeof EXEC_ONLY] === undefined || given.flags[name]?.setFromDefault) continue
    throw new AnyprobeError('E_USAGE', `--${name} ${what}; this watch has no --exec`, {
      hint: `add --exec CMD (a shell command run per event, the event JSON on its stdin), or drop --${name}`,
      exitCode: EXIT.usage,
    })
  }
}

export class WatchExtras {
  readonly tracker: ExpectTracker | null
  readonly exec: EventExec | null
  /** --learn could not be written at the end (said on stderr; the watch's summary still printed, exit 10) */
  learnFailed = false
  private readonly vantages = new Map<string, VantagePoint>()
  private readonly judged = new Set<string>()

  private constructor(
    private readonly flags: ExtrasFlags,
    private readonly deps: ExtrasDeps,
  ) {
    this.tracker = flags.expect === undefined ? null : new ExpectTracker(readExpectFile(flags.expect), flags.for ?? 1)
    if (flags.learn !== undefined) checkLearnPath(flags.learn)
    this.exec =
      flags.exec === undefined
        ? null
        : new EventExec({
            command: flags.exec,
            concurrency: flags['exec-concurrency'] ?? 4,
            timeoutMs: flags['exec-timeout'] === undefined ? 10_000 : parseDuration(flags['exec-timeout'], '--exec-timeout'),
            report: deps.report,
          })
  }

  /** null when none of the flags is given (the watch runs as before). Reads --expect now: a bad file stops the watch before it starts. */
  static open(flags: ExtrasFlags, deps: ExtrasDeps): WatchExtras | null {
    if (flags.expect === undefined && flags.learn === undefined && flags.exec === undefined) {
      if (flags.for !== undefined && flags.for !== 1) throw new AnyprobeError('E_USAGE', '--for works with --expect', {hint: 'add --expect FILE', exitCode: EXIT.usage})
      return null
    }
    return new WatchExtras(flags, deps)
  }

  private facts(vantageId: string): VantageFacts {
    return {id: vantageId, vantage: this.vantages.get(vantageId) ?? null, tags: this.deps.tagsOf?.(vantageId) ?? []}
  }

  /** Every observation, after the analyser had it. */
  observe(o: Observation, vantage?: VantagePoint | null): void {
    const v = vantage ?? o.vantage
    if (v) this.vantages.set(o.vantageId, v)
    if (this.tracker === null) return
    if (!this.judged.has(o.vantageId)) {
      this.judged.add(o.vantageId)
      this.deps.metrics.expectWatched(o.vantageId)
    }
    for (const e of this.tracker.observe(this.facts(o.vantageId), {vantageId: o.vantageId, round: o.round, at: o.sentAt, answered: o.answered, pop: o.pop, popConfidence: o.popConfidence ?? null, rttMs: o.rttMs})) {
      this.deps.print(e)
      this.deps.metrics.event(e)
      this.exec?.push(e)
    }
  }

  /** Every event the watch printed (the analysis's and the starting states). */
  event(e: LiveWatchEvent): void {
    if (e.type === 'summary') return
    this.exec?.push(e)
  }

  /**
   * At the end: --learn, wait for --exec; with --expect, every breach of the watch (also those that
   * ended before it did: an alert does not vanish because the vantage point came back), else null.
   */
  async finish(summary: WatchSummaryEvent, comment: string, hurry?: AbortSignal): Promise<ExpectSummary | null> {
    if (this.flags.learn !== undefined) {
      // the analyser decides what is a hint: its summary row has popConfidence only when "now" is a
      // hint (a hint of the catchment the vantage point is in already is that catchment, confident)
      const {file, leftOut} = learnCatchment(summary.vantagePoints.map((v) => ({vantageId: v.vantageId, pop: v.pop, popConfidence: v.popConfidence ?? null})), comment)
      const report = this.deps.report ?? ((l: string) => process.stderr.write(l + '\n'))
      try {
        // as --html is written: atomically, a link followed, a device or FIFO written into
        writeFileAtomic(this.flags.learn, JSON.stringify(file, null, 2) + '\n')
        report(`anyprobe: wrote ${plural(file.rules.length, 'rule')} of the current catchment to ${this.flags.learn}`)
        if (leftOut.length > 0) {
          report(`anyprobe: --learn left out ${plural(leftOut.length, 'vantage point')} whose PoP was only a hint (confidence under ${CONFIDENT_POP}, not a verdict; --expect would not judge it): ${listLeftOut(leftOut, 20)}\nhint: add a rule for one by hand if you know its PoP (the file's comment lists them too)`)
        }
      } catch (e) {
        // the watch is over: what it measured (the summary, --out, the exit code) must not be lost for it
        this.learnFailed = true
        report(`error E_WRITE: --learn ${this.flags.learn}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the watch's summary follows\nhint: ${writeErrorHint(e, 'free some space or give another path next time')}`)
      }
    }
    await this.exec?.drain(undefined, hurry)
    return this.tracker?.summary() ?? null
  }
}

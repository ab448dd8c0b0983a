// One path for every live run, whatever its backends (local, netns, ssh, RIPE Atlas, Globalping,
// the ones to come): each backend's schedule (VantageBackend.schedule; the command's own for a
// backend without one) -> the WatchStart (the analysis settings, also --out's first line) ->
// WatchSession.open -> consume(mergeRounds(each backend's rounds)) -> finish. Nothing here knows
// a backend by its kind: what differs is in the backends (the contract is at the top of
// src/model/probe.ts).
import {WATCH_DEFAULTS} from '../analysis/watch/index.js'
import type {LiveWatchEvent} from '../model/expect.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {LiveSchedule, RoundsPlan, ScheduleRequest, VantageBackend} from '../model/probe.js'
import {WATCH_SCHEMA_VERSION, type WatchStart} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'
import {childWatchArgs} from '../vantage/live/child-args.js'
import {mergeRounds} from '../vantage/live/merge.js'
import {localSchedule} from '../vantage/live/schedule.js'
import type {ExtrasFlags} from './extras.js'
import {type WatchEnd, WatchSession} from './session.js'

/** Default flap window: 60 intervals, at least 60 s (1 s probing: 60 s as before; Atlas every 240 s: 4 h). */
export function defaultFlapWindowMs(intervalMs: number): number {
  return Math.max(60_000, 60 * intervalMs)
}

export interface WatchRunOptions {
  /** what the command asks (flags as given) */
  ask: ScheduleRequest
  flapThreshold: number
  /** --flap-window; undefined: defaultFlapWindowMs of the schedule's interval */
  flapWindowMs: number | undefined
  /** dns: the server port; http: accept any certificate (local/netns/ssh probers) */
  port?: number
  insecure?: boolean
  out?: string
  metrics?: string
  html?: string
  json: boolean
  /** stdout is a terminal */
  tty: boolean
  extras: ExtrasFlags
  signal: AbortSignal
  /** aborted at a second Ctrl-C / SIGTERM: the end stops waiting for --exec commands */
  hurry?: AbortSignal
  /** the command's stdout */
  write: (text: string) => void
  /** one line to stderr */
  report: (line: string) => void
  /** test/bench seam: every event as it is printed, with when the result behind it arrived */
  onEvent?: (e: LiveWatchEvent, arrivedAt: number | null) => void
}

/** A watch's end, or the --dry-run document (nothing was measured, created or spent). */
export type WatchRunEnd = WatchEnd | {dryRun: Record<string, unknown>}

/** Every backend that can run live; E_USAGE (exit 2) for one that cannot, or one that runs alone among others. */
export function checkLiveBackends(backends: readonly VantageBackend[]): void {
  for (const b of backends) {
    if (!b.rounds) throw new AnyprobeError('E_USAGE', `watch cannot run from ${sanitize(b.spec, 200)}`, {hint: 'watch from local, netns:, ssh:, atlas: or globalping: vantage points (README: "Vantage points: one interface")', exitCode: EXIT.usage})
    if (b.runsAlone === true && backends.length > 1) {
      const kind = sanitize(b.spec.split(':')[0] ?? b.spec, 40)
      throw new AnyprobeError('E_USAGE', `watch --from ${kind}: runs alone`, {hint: `watch the ${kind} vantage points and the others in two watches`, exitCode: EXIT.usage})
    }
  }
}

/** The backends' schedules as one: they must keep the same pace; the widest reorder window wins. */
export async function scheduleOf(backends: readonly VantageBackend[], ask: ScheduleRequest, signal: AbortSignal): Promise<LiveSchedule> {
  const all: LiveSchedule[] = []
  for (const b of backends) all.push(b.schedule ? await b.schedule(ask, {signal}) : localSchedule(ask))
  const first = all[0]
  if (first === undefined) throw new AnyprobeError('E_USAGE', 'watch needs a vantage point', {hint: 'use --from local (the default), netns:NAME, ssh:HOST, atlas: or globalping:', exitCode: EXIT.usage})
  for (const s of all.slice(1)) {
    if (s.intervalMs !== first.intervalMs || s.method !== first.method || s.flows !== first.flows) {
      throw new AnyprobeError('E_USAGE', 'the vantage points of this watch cannot keep one schedule', {hint: 'watch them in separate watches', exitCode: EXIT.usage})
    }
  }
  return {
    ...first,
    timeoutMs: Math.max(...all.map((s) => s.timeoutMs)),
    reorderRounds: Math.max(...all.map((s) => s.reorderRounds)),
    remote: all.some((s) => s.remote),
    notes: all.flatMap((s) => s.notes),
  }
}

/** The live run: schedule, session, rounds, summary. The exit code is the end's (the command sets it). */
export async function runWatch(backends: readonly VantageBackend[], o: WatchRunOptions): Promise<WatchRunEnd> {
  checkLiveBackends(backends)
  const schedule = await scheduleOf(backends, o.ask, o.signal)
  for (const n of schedule.notes) o.report(n)
  if (schedule.dryRun !== undefined) {
    // --json: the command prints the returned document
    if (!o.json) o.write(schedule.dryRun.text)
    return {dryRun: schedule.dryRun.document}
  }
  const flapWindowMs = o.flapWindowMs ?? defaultFlapWindowMs(schedule.intervalMs)
  // stops the end's wait for --exec commands: the second signal, or the first one after the
  // watch ended by itself (--count, --duration)
  const hurry = new AbortController()
  const onHurry = (): void => hurry.abort()
  o.hurry?.addEventListener('abort', onHurry, {once: true})
  // The analysis settings, written first to --out: `anyprobe report FILE` builds its analyser from
  // this same line (optionsOfStart), so it judges the saved observations exactly as this watch does.
  const start: WatchStart = {
    schemaVersion: WATCH_SCHEMA_VERSION,
    kind: 'watch-start',
    at: new Date(schedule.at ?? Date.now()).toISOString(),
    target: schedule.target,
    method: schedule.method,
    intervalMs: schedule.intervalMs,
    flows: schedule.flows,
    flapThreshold: o.flapThreshold,
    flapWindowMs,
    outageAfter: WATCH_DEFAULTS.outageAfter,
    reorderRounds: schedule.reorderRounds,
  }
  const session = await WatchSession.open({
    start,
    json: o.json,
    write: o.write,
    tty: o.tty,
    report: o.report,
    out: o.out,
    metrics: o.metrics,
    html: o.html,
    extras: o.extras,
    remote: schedule.remote,
    onEvent: o.onEvent,
    hurry: hurry.signal,
  })
  // stops the whole watch: a signal, or every vantage point down
  const stop = new AbortController()
  const onAbort = (): void => stop.abort()
  if (o.signal.aborted) stop.abort()
  else o.signal.addEventListener('abort', onAbort, {once: true})
  try {
    // round 0 is now: every vantage point probes as soon as it is ready. A child (node starting,
    // ssh logging in) joins at the first round after it is up; the rounds before are not its own
    // (they were never sent), so they are neither lost nor judged, and nobody waits for it.
    const base: Omit<RoundsPlan, 'cliArgs'> = {
      method: schedule.method,
      target: o.ask.target,
      intervalMs: schedule.intervalMs,
      flows: schedule.flows,
      timeoutMs: schedule.timeoutMs,
      startAt: Date.now() + 20,
      count: o.ask.count,
      durationMs: o.ask.durationMs,
      ...(o.port === undefined ? {} : {port: o.port}),
      ...(o.insecure === undefined ? {} : {insecure: o.insecure}),
      flapWindowMs,
    }
    const plan: RoundsPlan = {...base, cliArgs: childWatchArgs(base)}
    await session.consume(mergeRounds(backends.map((b) => b.rounds!(plan, {signal: stop.signal}))), {onAllDown: () => stop.abort()})
  } catch (e) {
    stop.abort()
    await session.abandon()
    throw e
  } finally {
    o.signal.removeEventListener('abort', onAbort)
  }
  if (!o.signal.aborted) o.signal.addEventListener('abort', onHurry, {once: true})
  try {
    return await session.finish(`learnt from ${schedule.source?.() ?? `a watch of ${o.ask.target}`} at ${new Date().toISOString()}`)
  } finally {
    o.signal.removeEventListener('abort', onHurry)
    o.hurry?.removeEventListener('abort', onHurry)
  }
}

// `watch TARGET --from globalping:LOC[,...][,limit=N]`: the same measurement repeated from the same
// probes every --interval. Round 0 selects the probes (the locations given); every later round asks
// for `locations: <round 0's measurement id>`, which Globalping answers with the same probes in the
// same order (so a probe keeps its vantage id, "N.CC.City.ASn", round after round). Each probe's
// result goes through the Globalping parser and the one verdict function (parse.ts, as the one-shot
// does) and becomes an observation of the round; the session (session.ts) does the rest.
//
// Rate: each measurement costs one point per probe out of the hourly limit (anonymous 250, with a
// token 500), so N probes can be measured at most every 3600 s * N / limit. A faster --interval is
// refused with that figure (E_USAGE, exit 2); without --interval the watch runs at that pace.
//
// Rounds run one after another: round r is created at startAt + r * interval, or as soon as round
// r-1 is complete when that took longer (never two measurements at once, so never over the rate). A probe missing from a round (offline, or a round that could not be created)
// is an unanswered observation with the reason, so an outage; the watch goes on.

import {vantageRow} from '../analysis/catchment.js'
import {WATCH_DEFAULTS} from '../analysis/watch/index.js'
import type {LiveWatchEvent} from '../model/expect.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {ProbeMethod, ProbePlan, VantageOutcome} from '../model/probe.js'
import type {VantagePoint} from '../model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'
import {ANON_LIMIT_PER_HOUR, type CreatedMeasurement, GlobalpingClient, type GlobalpingClientOptions, sustainableIntervalMs, TOKEN_LIMIT_PER_HOUR} from '../vantage/globalping/client.js'
import {loadGlobalpingConfig, TOKEN_HINT} from '../vantage/globalping/config.js'
import {GlobalpingBackend} from '../vantage/globalping/index.js'
import {MAX_LIMIT_ANON, parseGlobalpingSelector} from '../vantage/globalping/locations.js'
import type {ExtrasFlags} from './extras.js'
import {abortableSleep, monotonicEpochClock} from './loop.js'
import {type WatchEnd, WatchSession} from './session.js'

export const GLOBALPING_WATCH_METHODS = ['dns', 'http', 'trace', 'ping'] as const

export interface GlobalpingWatchOptions {
  target: string
  /** --method: dns, http, trace or ping (icmp is read as ping) */
  method: string
  /** what follows "globalping:" */
  selector: string
  /** --interval in ms; undefined: the fastest sustainable one */
  intervalMs: number | undefined
  durationMs: number | undefined
  count: number | undefined
  flapThreshold: number
  flapWindowMs: number | undefined
  out?: string
  metrics?: string
  html?: string
  json: boolean
  tty?: boolean
  extras: ExtrasFlags
  signal: AbortSignal
  write: (text: string) => void
  report: (line: string) => void
  env?: NodeJS.ProcessEnv
  configFile?: string
  /** test seams */
  clientOptions?: Partial<GlobalpingClientOptions>
  /** the hourly limit and the floor of the interval (default: Globalping's, and 5 s) */
  rate?: {limitPerHour?: number; minMs?: number}
  measurementTimeoutMs?: number
  marginMs?: number
  onEvent?: (e: LiveWatchEvent) => void
}

/** The fastest interval N probes can be measured at for ever, and the refusal of a faster one. */
export function checkGlobalpingInterval(probes: number, hasToken: boolean, intervalMs: number | undefined, rate: {limitPerHour?: number; minMs?: number} = {}): number {
  const limit = rate.limitPerHour ?? (hasToken ? TOKEN_LIMIT_PER_HOUR : ANON_LIMIT_PER_HOUR)
  const min = sustainableIntervalMs(probes, limit, rate.minMs)
  if (intervalMs !== undefined && intervalMs < min) {
    throw new AnyprobeError(
      'E_USAGE',
      `--interval ${intervalMs / 1000}s is faster than Globalping allows for ${probes} probe(s): each round costs ${probes} of the ${limit} tests an hour allowed ${hasToken ? 'with a token' : 'without a token'}, so one round every ${min / 1000}s at the fastest`,
      {hint: `use --interval ${Math.ceil(min / 1000)}s or more, or fewer probes (limit=N)${hasToken ? '' : `; ${TOKEN_HINT}`}`, exitCode: EXIT.usage},
    )
  }
  return intervalMs ?? min
}

/** One probe's outcome -> an observation of round r (the same reading of "answered" as the catchment). */
export function observationOf(oc: VantageOutcome, vantageId: string, round: number, sentAt: number): Observation {
  const row = vantageRow(oc)
  const answered = row.reached === true
  return {
    vantageId,
    round,
    flow: 0,
    sentAt,
    receivedAt: answered && row.rttMs !== null ? Math.round(sentAt + row.rttMs) : null,
    rttMs: answered ? row.rttMs : null,
    pop: answered && row.pop !== null ? row.pop.code.toUpperCase() : null,
    answered,
    ...(answered ? {} : {error: sanitize(String(oc.error?.code ?? 'E_NO_ANSWER'), 40)}),
  }
}

export async function runGlobalpingWatch(o: GlobalpingWatchOptions): Promise<WatchEnd> {
  const method = (o.method === 'icmp' ? 'ping' : o.method) as ProbeMethod
  if (!(GLOBALPING_WATCH_METHODS as readonly string[]).includes(method)) {
    throw new AnyprobeError('E_USAGE', `watch --from globalping: measures dns, http, trace or ping, not ${sanitize(o.method, 20)}`, {hint: 'use --method dns, http, trace or ping', exitCode: EXIT.usage})
  }
  const config = loadGlobalpingConfig({env: o.env, configFile: o.configFile})
  const client = new GlobalpingClient({apiUrl: config.apiUrl, token: config.token, signal: o.signal, ...o.clientOptions})
  const selector = parseGlobalpingSelector(o.selector)
  if (selector.msm === null && selector.limit > MAX_LIMIT_ANON && !client.hasToken) {
    throw new AnyprobeError('E_USAGE', `--from globalping:${selector.spec}: without a token Globalping allows at most ${MAX_LIMIT_ANON} probes per measurement`, {hint: `use limit=${MAX_LIMIT_ANON} or less; ${TOKEN_HINT}`, exitCode: EXIT.usage})
  }
  // msm=ID: its probe count is known once the first round is created (checked then)
  let intervalMs = selector.msm === null ? checkGlobalpingInterval(selector.limit, client.hasToken, o.intervalMs, o.rate) : (o.intervalMs ?? null)
  const plan: ProbePlan = {method, target: o.target, cliArgs: [], options: {}}

  const now = monotonicEpochClock()
  let firstId: string | null = selector.msm
  const ids = new Map<number, string>() // result index -> vantage id (same probes, same order every round)
  const known = new Set<string>()
  const vantages = new Map<string, VantagePoint>()
  let session: WatchSession | null = null
  const saidErrors = new Set<string>()

  const openSession = async (iv: number): Promise<WatchSession> => {
    const start: WatchStart = {
      schemaVersion: WATCH_SCHEMA_VERSION,
      kind: 'watch-start',
      at: new Date().toISOString(),
      target: sanitize(o.target, 200),
      method: method === 'ping' ? 'icmp' : method,
      intervalMs: iv,
      flows: 1,
      flapThreshold: o.flapThreshold,
      flapWindowMs: o.flapWindowMs ?? Math.max(60_000, 60 * iv),
      outageAfter: WATCH_DEFAULTS.outageAfter,
      reorderRounds: 1,
    }
    return WatchSession.open({
      start,
      json: o.json,
      write: o.write,
      tty: o.tty ?? false,
      report: o.report,
      out: o.out,
      metrics: o.metrics,
      html: o.html,
      extras: o.extras,
      tagsOf: (id) => vantages.get(id)?.tags ?? [],
      remote: true,
      onEvent: o.onEvent,
    })
  }

  /** One round: a measurement from the probes, its outcomes as they finish. */
  const measure = async function* (round: number): AsyncIterable<{oc: VantageOutcome; index: number}> {
    let created: CreatedMeasurement | null = null
    const backend = new GlobalpingBackend(firstId === null ? o.selector : `msm=${firstId}`, {
      client,
      onMeasurement: (c) => {
        created = c
      },
      measurementTimeoutMs: o.measurementTimeoutMs,
      marginMs: o.marginMs,
    })
    let index = 0
    for await (const oc of backend.run(plan, {concurrency: 1, signal: o.signal})) yield {oc, index: indexOf(oc, index++)}
    if (round === 0 && created !== null) firstId ??= (created as CreatedMeasurement).id
  }
  // the outcome's index: its vantage id starts with "N." (1-based result index, parse.ts)
  const indexOf = (oc: VantageOutcome, fallback: number): number => {
    const n = Number(/^(\d+)\./.exec(oc.vantage.id)?.[1] ?? NaN)
    return Number.isInteger(n) && n >= 1 ? n - 1 : fallback
  }

  let startAt = now()
  let round = 0
  const lastRound = (): number => {
    let last = Number.POSITIVE_INFINITY
    if (o.count !== undefined) last = Math.min(last, o.count - 1)
    if (o.durationMs !== undefined && intervalMs !== null) last = Math.min(last, Math.ceil(o.durationMs / intervalMs) - 1)
    return last
  }
  try {
    while (!o.signal.aborted && round <= lastRound()) {
      const sentAt = Date.now()
      const seen = new Set<string>()
      const pending: Observation[] = []
      try {
        for await (const {oc, index} of measure(round)) {
          let id = ids.get(index)
          if (id === undefined) {
            id = oc.vantage.id
            ids.set(index, id)
          }
          const first = !known.has(id)
          known.add(id)
          if (oc.vantage.country !== null || oc.vantage.asn !== null || !vantages.has(id)) vantages.set(id, {...oc.vantage, id})
          seen.add(id)
          const ob = observationOf(oc, id, round, sentAt)
          if (first) ob.vantage = vantages.get(id)!
          pending.push(ob)
        }
      } catch (e) {
        // round 0 selects the probes: nothing to watch without it
        if (round === 0 || !(e instanceof AnyprobeError)) throw e
        if (!saidErrors.has(e.code)) {
          saidErrors.add(e.code)
          o.report(`error ${e.code} in round ${round}: ${sanitize(e.message, 500)}; its probes count as unanswered, the watch goes on${e.hint ? `\nhint: ${sanitize(e.hint, 300)}` : ''}`)
        }
        for (const id of known) {
          if (seen.has(id)) continue
          seen.add(id)
          pending.push({vantageId: id, round, flow: 0, sentAt, receivedAt: null, rttMs: null, pop: null, answered: false, error: sanitize(e.code, 40)})
        }
      }
      if (o.signal.aborted && round > 0) break
      if (round === 0) {
        if (intervalMs === null) intervalMs = checkGlobalpingInterval(Math.max(1, known.size), client.hasToken, o.intervalMs, o.rate)
        session = await openSession(intervalMs)
        o.report(
          `anyprobe: watching ${sanitize(o.target, 100)} from ${known.size} Globalping probe(s) (measurement ${sanitize(firstId ?? '?', 40)}, then the same probes) every ${intervalMs / 1000}s; ` +
            `each round costs ${known.size} of Globalping's ${client.hasToken ? TOKEN_LIMIT_PER_HOUR : ANON_LIMIT_PER_HOUR} tests an hour`,
        )
        // the schedule counts from the first round's creation
        startAt = now() - (Date.now() - sentAt)
      }
      // a probe the round did not return (offline, gone): unanswered, with the reason
      for (const id of known) if (!seen.has(id)) pending.push({vantageId: id, round, flow: 0, sentAt, receivedAt: null, rttMs: null, pop: null, answered: false, error: 'E_NO_RESULT'})
      for (const ob of pending) session!.observe(ob)
      session!.flushRound(round)
      // the next round at its time, or at once when this one ran past it (never two at once)
      round++
      if (round > lastRound()) break
      await abortableSleep(startAt + round * intervalMs! - now(), o.signal)
    }
  } catch (e) {
    await session?.abandon()
    throw e
  }
  if (session === null) {
    throw new AnyprobeError('E_VP_ABORTED', 'the watch was stopped before the first Globalping measurement finished', {hint: 'nothing was measured', exitCode: EXIT.failure})
  }
  return session.finish(`learnt from Globalping measurement ${firstId ?? '?'} (${sanitize(o.target, 100)}) at ${new Date().toISOString()}`)
}

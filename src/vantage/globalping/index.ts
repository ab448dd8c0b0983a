// The Globalping vantage backend: `--from globalping:LOC[,LOC...][,limit=N]` or `globalping:msm=ID`
// -> one measurement (POST) -> polled until done -> one VantageOutcome per probe, each yielded as
// soon as its test has finished (the measurement's other probes may still be running).
//
//   config.ts     API URL and token (env, config file)   locations.ts  the spec after "globalping:"
//   client.ts     create, poll, rate limits, errors       request.ts    plan -> POST body, its cost
//   parse.ts      results -> model, PoP verdict           types.ts      the API's shapes
//
// For `watch` (repeated measurements): schedule() (the interval the hourly limit sustains) and
// rounds() (rounds.ts: the measurement repeated from the same probes, by the newest one's id;
// results matched to vantage points by the probe's identity, identity.ts).
import {type AsnLookup, bundledAsnLookup} from '../../enrich/asn.js'
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {ProbePlan, VantageBackend, VantageOutcome} from '../types.js'
import type {LiveSchedule, RoundEvent, RoundsPlan, ScheduleRequest} from '../../model/probe.js'
import {refuseLocalOnlyWatchFlags} from '../live/remote-ask.js'
import {sanitize} from '../../util/sanitize.js'
import {checkOnlyHint} from '../remote-failure.js'
import {checkGlobalpingInterval, globalpingRounds, type RateSeam} from './rounds.js'
import {type CreatedMeasurement, GlobalpingClient, type GlobalpingClientOptions} from './client.js'
import {loadGlobalpingConfig, TOKEN_HINT, type GlobalpingConfig} from './config.js'
import {type GlobalpingSelector, MAX_LIMIT_ANON, parseGlobalpingSelector} from './locations.js'
import {globalpingVantage, type ParseContext, parseEntry} from './parse.js'
import {buildRequest, dryRunRequest, type GlobalpingDryRun} from './request.js'
import {memoHint} from '../atlas/enrich.js'
import type {GlobalpingMeasurement} from './types.js'

export * from './config.js'
export * from './locations.js'
export * from './request.js'
export * from './parse.js'
export * from './client.js'
export * from './rounds.js'
export type * from './types.js'

export interface GlobalpingBackendOptions {
  token?: string | null
  apiUrl?: string | null
  env?: NodeJS.ProcessEnv
  configFile?: string
  /** told the measurement as soon as it is created (its id, probes, rate-limit state) */
  onMeasurement?: (info: CreatedMeasurement) => void
  /** the measurement's timeout (probe side) the poller allows, plus its margin; ms */
  measurementTimeoutMs?: number
  marginMs?: number
  /** HTTP: the ASN database the answering addresses are looked up in (default: the bundled one) */
  asn?: AsnLookup
  /** test seams */
  client?: GlobalpingClient
  clientOptions?: Partial<GlobalpingClientOptions>
  /** live: the hourly limit and the floor of the interval (default: Globalping's, and 5 s) */
  rate?: RateSeam
  /** live: the rounds' clock and sleep (tests: a virtual clock, so a loaded machine skips no round) */
  roundsClock?: {now: () => number; sleep: (ms: number, signal: AbortSignal) => Promise<void>}
}

/** What `watch --from globalping:` measures (icmp is read as ping). */
export const GLOBALPING_WATCH_METHODS = ['dns', 'http', 'trace', 'ping'] as const

/** What `--dry-run` prints for a globalping: vantage point. */
export function globalpingDryRun(selectorText: string, plan: ProbePlan): GlobalpingDryRun {
  return dryRunRequest(plan, parseGlobalpingSelector(selectorText))
}

/** Without a token Globalping takes at most MAX_LIMIT_ANON probes per measurement: refused (E_USAGE) before anything is sent. */
export function refuseAnonymousLimit(spec: string, selector: GlobalpingSelector, hasToken: boolean): void {
  if (selector.msm === null && selector.limit > MAX_LIMIT_ANON && !hasToken) {
    throw new AnyprobeError('E_USAGE', `--from ${spec}: without a token Globalping allows at most ${MAX_LIMIT_ANON} probes per measurement`, {hint: `use limit=${MAX_LIMIT_ANON} or less; ${TOKEN_HINT}`, exitCode: EXIT.usage})
  }
}

/** The context parse.ts needs, from the plan and the request sent. */
export function parseContextOf(plan: ProbePlan, request: ReturnType<typeof buildRequest>): ParseContext {
  const req = (request.measurementOptions?.request ?? {}) as {headers?: Record<string, string>}
  return {
    target: plan.target,
    request,
    host: plan.options.host ?? null,
    method: plan.options.method ?? 'GET',
    requestHeaders: req.headers ?? {},
    popHeaders: [...new Set((plan.options.popHeaders ?? []).map((h) => h.trim().toLowerCase()))],
    hint: memoHint(),
    rdns: plan.options.rdns !== false,
    asn: plan.options.asn !== false,
  }
}

export class GlobalpingBackend implements VantageBackend {
  readonly spec: string
  readonly selector: GlobalpingSelector
  /** the measurement of the last run */
  measurementId: string | null = null
  /** a watch over Globalping keeps its own pace (the rate limit): no other --from can share it */
  readonly runsAlone = true
  // ES private: the config holds the token; it stays out of JSON.stringify and util.inspect
  readonly #config: GlobalpingConfig
  readonly #o: GlobalpingBackendOptions

  readonly #selectorText: string

  constructor(selectorText: string, o: GlobalpingBackendOptions = {}) {
    this.#o = o
    this.#selectorText = selectorText
    this.selector = parseGlobalpingSelector(selectorText)
    this.spec = `globalping:${this.selector.spec}`
    this.#config = loadGlobalpingConfig({token: o.token, apiUrl: o.apiUrl, env: o.env, configFile: o.configFile})
  }

  expected(): number | null {
    return this.selector.msm !== null ? null : this.selector.limit
  }

  /**
   * The interval of `rounds`: the one asked for, or without one the fastest the hourly limit
   * sustains for this many probes; one faster than that is refused (E_USAGE) with the figure.
   * null: msm= without an interval (its probe count is known only after its first round).
   */
  intervalFor(intervalMs: number | undefined, rate: RateSeam = this.#o.rate ?? {}): number | null {
    if (this.selector.msm !== null) return intervalMs ?? null
    return checkGlobalpingInterval(this.selector.limit, this.#config.token !== null, intervalMs, rate)
  }

  /**
   * Live: without --interval the fastest pace the hourly limit sustains for this many probes; a
   * faster --interval is refused (E_USAGE) with that figure, before anything is sent.
   */
  async schedule(ask: ScheduleRequest): Promise<LiveSchedule> {
    if (!(GLOBALPING_WATCH_METHODS as readonly string[]).includes(ask.method) && ask.method !== 'icmp') {
      throw new AnyprobeError('E_USAGE', `watch --from globalping: measures dns, http, trace or ping, not ${sanitize(ask.method, 20)}`, {hint: 'use --method dns, http, trace or ping', exitCode: EXIT.usage})
    }
    refuseLocalOnlyWatchFlags(ask, 'globalping:')
    this.#checkLimit(this.#client())
    const intervalMs = this.intervalFor(ask.intervalMs)
    if (intervalMs === null) {
      throw new AnyprobeError('E_USAGE', `--from ${this.spec}: the probe count of an earlier measurement is not known up front, so neither is the interval the rate limit sustains`, {hint: 'give --interval (it is checked against the limit after the first round)', exitCode: EXIT.usage})
    }
    const target = sanitize(ask.target, 200)
    return {
      method: (ask.method === 'ping' ? 'icmp' : ask.method) as LiveSchedule['method'],
      target,
      intervalMs,
      flows: 1,
      timeoutMs: intervalMs,
      // whole rounds at once ('round' events)
      reorderRounds: 1,
      remote: true,
      notes: [],
      source: () => `a Globalping watch of ${sanitize(ask.target, 100)}`,
    }
  }

  /** Live rounds: the measurement repeated from the same probes (./rounds.ts). */
  rounds(plan: RoundsPlan, opts: {signal: AbortSignal}): AsyncIterable<RoundEvent> {
    const client = this.#client(opts.signal)
    this.#checkLimit(client)
    return globalpingRounds(
      plan,
      {
        measure: (previousId, p, signal, onId) =>
          new GlobalpingBackend(previousId === null ? this.#selectorText : `msm=${previousId}`, {...this.#o, client, onMeasurement: (c) => onId(c.id)}).run(p, {concurrency: 1, signal}),
        hasToken: client.hasToken,
        probes: this.selector.msm === null ? this.selector.limit : null,
        rate: this.#o.rate,
        ...(this.#o.roundsClock === undefined ? {} : {now: this.#o.roundsClock.now, sleep: this.#o.roundsClock.sleep}),
      },
      opts.signal,
    )
  }

  #client(signal?: AbortSignal): GlobalpingClient {
    return this.#o.client ?? new GlobalpingClient({apiUrl: this.#config.apiUrl, token: this.#config.token, signal, ...this.#o.clientOptions})
  }

  #checkLimit(client: GlobalpingClient): void {
    refuseAnonymousLimit(this.spec, this.selector, client.hasToken)
  }

  async *run(plan: ProbePlan, opts: {concurrency: number; signal?: AbortSignal}): AsyncIterable<VantageOutcome> {
    const signal = opts.signal
    const client = this.#client(signal)
    this.#checkLimit(client)
    const request = buildRequest(plan, this.selector)
    const created = await client.createMeasurement(request)
    this.measurementId = created.id
    this.#o.onMeasurement?.(created)
    const ctx = parseContextOf(plan, request)
    // the answering address's network, for the verdict's edge-trust rule, as a local http probe reads it
    if (plan.method === 'http') ctx.answerAsn = this.#o.asn ?? (await bundledAsnLookup())
    const emitted = new Set<number>()
    let last: GlobalpingMeasurement | null = null
    try {
      for await (const m of client.pollMeasurement(created.id, {measurementTimeoutMs: this.#o.measurementTimeoutMs, marginMs: this.#o.marginMs, signal})) {
        last = m
        const final = m.status !== 'in-progress'
        const results = Array.isArray(m.results) ? m.results : []
        for (let i = 0; i < results.length; i++) {
          if (emitted.has(i)) continue
          const oc = parseEntry(results[i], i, m, ctx, final)
          if (oc === null) continue
          emitted.add(i)
          yield oc
        }
        if (signal?.aborted) return
      }
    } catch (e) {
      if (signal?.aborted) return
      if (!(e instanceof AnyprobeError)) throw e
      // nothing came (or nothing finished before the API became unreachable or the wait ran out):
      // the run's error, not every probe failing at the target; it says the measurement exists
      if (last === null || emitted.size === 0) {
        throw new AnyprobeError(e.code, `${e.message} (after creating Globalping measurement ${created.id})`, {
          hint: `measurement ${created.id} was created: its results are kept 7 days, read them later with --from globalping:msm=${created.id}${e.hint ? `; ${checkOnlyHint(e.hint)}` : ''}`,
          exitCode: e.exitCode,
          cause: e,
        })
      }
      // gave up waiting: what finished is out already; the rest are vantage points with the error
      const results = Array.isArray(last.results) ? last.results : []
      for (let i = 0; i < results.length; i++) {
        if (emitted.has(i)) continue
        yield {vantage: globalpingVantage(results[i]?.probe, i), result: null, error: {code: e.code, message: `no result: ${e.message}`, hint: e.hint}}
      }
    }
  }
}

// The RIPE Atlas vantage backend: selector -> one-off measurement (or an existing one, read with
// `msmId`) -> results from the stream or by polling -> parse -> enrich -> one VantageOutcome per
// probe result, yielded in batches as results arrive. Probes that never answered are reported at
// the end (E_TIMEOUT) when Atlas says which probes were assigned.
//
//   client.ts  HTTP, retries, pagination, errors      create.ts  request bodies, credit estimates
//   stream.ts  waiting (WebSocket stream / polling)   parse.ts   raw results -> model (sync, fast)
//   enrich.ts  reverse DNS, ASN, hints, PoP           config.ts  key and URLs (ANYPROBE_ATLAS_*)
//
// A saved results file (JSON array or NDJSON) takes the same path without the network:
// readAtlasResultsText -> parseAtlasResult per element -> enrichAtlasOutcomes.
//
// Live (`watch --from atlas:`): schedule() and rounds() follow a recurring measurement, an existing
// one or one created for the watch (rounds.ts: recurring.ts creates, live.ts streams, observe.ts
// turns results into observations).
import {type AsnLookup, bundledAsnLookup} from '../../enrich/asn.js'
import {CachedReverseResolver, nullReverseResolver, type ReverseResolver} from '../../enrich/rdns.js'
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {sanitize} from '../../util/sanitize.js'
import {checkOnlyHint} from '../remote-failure.js'
import type {LiveSchedule, RoundEvent, RoundsPlan, ScheduleRequest} from '../../model/probe.js'
import type {ProbePlan, VantageBackend, VantageError, VantageOutcome} from '../types.js'
import {AtlasClient, type AtlasClientOptions} from './client.js'
import {KEY_HINT, loadAtlasConfig, type AtlasConfig} from './config.js'
import {type AtlasCreateOptions, buildCreateRequest, dryRunMeasurement, type AtlasDryRun, methodOfAtlasType} from './create.js'
import {boundedResolver, enrichAtlasOutcomes, memoHint} from './enrich.js'
import {type AtlasMeasurementMeta, type AtlasProbeMeta, atlasVantage, countParsed, emptyParseStats, parseAtlasResult, probeMetaFromApi, type AtlasParseStats} from './parse.js'
import {type AtlasLivePrep, atlasRounds, prepareAtlasWatch} from './rounds.js'
import {type AtlasSelector, parseAtlasSelector} from './selector.js'
import {type AtlasProgress, waitForResults, type WaitMode} from './stream.js'

export * from './config.js'
export * from './selector.js'
export * from './create.js'
export * from './parse.js'
export * from './enrich.js'
export {AtlasClient, parseJsonArray, retryAfterMs, type AtlasClientOptions, type AtlasListPage} from './client.js'
export {waitForResults, measurementStatus, resultKey, type WaitOptions, type WaitMode, type AtlasProgress} from './stream.js'

export interface AtlasBackendOptions {
  /** rDNS lookups in flight at once (the run's --concurrency) */
  concurrency?: number
  /** read this existing measurement instead of creating one (--atlas-msm) */
  msmId?: number | null
  key?: string | null
  apiUrl?: string | null
  streamUrl?: string | null
  env?: NodeJS.ProcessEnv
  configFile?: string
  /** how to wait for results; default auto (stream, falling back to polling) */
  wait?: WaitMode
  /** how long to wait for results overall, ms (default 10 minutes) */
  timeoutMs?: number
  pollIntervalMs?: number
  /** creation options (address family for hostnames, description, public) */
  create?: AtlasCreateOptions
  /** reverse DNS / ASN / PoP after parsing (default true) */
  enrich?: boolean
  rdns?: ReverseResolver
  asn?: AsnLookup
  onProgress?: (p: AtlasProgress) => void
  /** told the measurement id as soon as it is known (print it: the user can come back with --atlas-msm) */
  onMeasurement?: (info: {msmId: number; created: boolean}) => void
  /** results are parsed and enriched in batches of at most this many, or every batchMs */
  batchSize?: number
  batchMs?: number
  /** told when the results broke off after some had come (default: a line on stderr) */
  onIncomplete?: (error: AnyprobeError) => void
  /** live (watch): leave a measurement created for the watch running at its end (--keep) */
  keep?: boolean
  /** test seams */
  client?: AtlasClient
  clientOptions?: Partial<AtlasClientOptions>
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => number
  /** live: the stream's reconnect backoff (test seam); told of every result as it arrives (bench seam) */
  backoffMs?: {base: number; max: number}
  onResult?: () => void
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000

/** A duration as people read it: "0.15 s", "42 s", "10 min". */
function waited(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(2)} s`
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Math.round(ms / 1000)} s`
  return `${ms / 60_000} min`
}

/** What `--dry-run` prints for an atlas: vantage: the request and its credit estimate. */
export function atlasDryRun(selectorText: string, plan: ProbePlan, o: AtlasCreateOptions = {}): AtlasDryRun {
  return dryRunMeasurement(plan, parseAtlasSelector(selectorText), o)
}

/** Probe metadata for ids, from /probes/?id__in=... (500 per page, following `next`). */
export async function fetchProbeMeta(client: AtlasClient, ids: readonly number[]): Promise<Map<number, AtlasProbeMeta>> {
  const out = new Map<number, AtlasProbeMeta>()
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500)
    for await (const raw of client.paginate<unknown>('probes/', {id__in: chunk.join(','), page_size: 500})) {
      const m = probeMetaFromApi(raw)
      if (m) out.set(m.id, m)
    }
  }
  return out
}

/** Group an async stream into batches: at most `size` items, flushed after `ms` without filling up. */
export async function* batches<T>(source: AsyncIterable<T>, size: number, ms: number): AsyncGenerator<T[]> {
  const it = source[Symbol.asyncIterator]()
  let batch: T[] = []
  let pending: Promise<IteratorResult<T>> | null = null
  let deadline = 0
  try {
    for (;;) {
      pending ??= it.next()
      let r: IteratorResult<T> | 'flush'
      if (batch.length === 0) {
        r = await pending
      } else {
        let timer: NodeJS.Timeout | undefined
        const flush = new Promise<'flush'>((resolve) => (timer = setTimeout(() => resolve('flush'), Math.max(0, deadline - Date.now()))))
        try {
          r = await Promise.race([pending, flush])
        } catch (e) {
          // the source failed: what it gave before still counts
          yield batch
          throw e
        } finally {
          clearTimeout(timer)
        }
      }
      if (r === 'flush') {
        yield batch
        batch = []
        continue
      }
      pending = null
      if (r.done) break
      if (batch.length === 0) deadline = Date.now() + ms
      batch.push(r.value)
      if (batch.length >= size) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  } finally {
    // the consumer stopped early: let the source close its stream or socket (without waiting)
    void it.return?.()?.catch(() => {})
  }
}

export class AtlasBackend implements VantageBackend {
  readonly spec: string
  readonly selector: AtlasSelector
  /** parse counts of the last run (malformed and probe errors included) */
  stats: AtlasParseStats = emptyParseStats()
  /** why the results of the last run broke off after some had come (null: they did not) */
  incomplete: AnyprobeError | null = null
  /** the measurement read by the last run */
  msmId: number | null
  // ES private fields: they hold the key (config, the caller's env) and stay out of JSON.stringify
  // and util.inspect of the backend
  readonly #config: AtlasConfig
  readonly #o: AtlasBackendOptions
  private readonly probeCache = new Map<number, AtlasProbeMeta | null>()
  private rdns: ReverseResolver | null = null
  private readonly hint = memoHint()
  /** a watch over RIPE Atlas keeps the measurement's clock: no other --from can share it */
  readonly runsAlone = true
  #live: AtlasLivePrep | null = null

  constructor(selectorText: string, o: AtlasBackendOptions = {}) {
    this.#o = o
    this.selector = parseAtlasSelector(selectorText)
    this.msmId = o.msmId ?? null
    this.spec = this.msmId !== null ? `atlas:results-of-msm=${this.msmId}` : `atlas:${this.selector.spec}`
    this.#config = loadAtlasConfig({key: o.key, apiUrl: o.apiUrl, streamUrl: o.streamUrl, env: o.env, configFile: o.configFile})
    if (this.#config.warning) process.stderr.write(`anyprobe: warning: ${this.#config.warning}\n`)
  }

  expected(): number | null {
    return this.#o.msmId ? null : this.selector.request.requested
  }

  /** Live: the measurement's schedule (an existing one's own; a new one's checked and priced), see rounds.ts. */
  async schedule(ask: ScheduleRequest, opts: {signal: AbortSignal}): Promise<LiveSchedule> {
    this.#live = await prepareAtlasWatch(ask, {client: this.client(opts.signal), msmId: this.#o.msmId ?? null, selector: this.selector, now: this.#o.now})
    return this.#live.schedule
  }

  /** Live rounds: create (a new measurement), backfill, follow the stream, stop (rounds.ts). */
  rounds(plan: RoundsPlan, opts: {signal: AbortSignal}): AsyncIterable<RoundEvent> {
    const client = this.client(opts.signal)
    const deps = {client, stopClient: () => this.client(), streamUrl: this.#config.streamUrl, keep: this.#o.keep === true, backoffMs: this.#o.backoffMs, onResult: this.#o.onResult}
    const prepared = this.#live
    if (prepared !== null) return atlasRounds(prepared, plan, deps, opts.signal)
    // rounds() without schedule(): the plan says what to watch
    const ask: ScheduleRequest = {method: plan.method, target: plan.target, intervalMs: plan.intervalMs, failover: false, timeoutMs: undefined, flows: 1, count: plan.count, durationMs: plan.durationMs, dryRun: false}
    return (async function* (self: AtlasBackend): AsyncGenerator<RoundEvent> {
      const s = await self.schedule(ask, opts)
      for (const text of s.notes) yield {type: 'note', text}
      yield* atlasRounds(self.#live!, plan, deps, opts.signal)
    })(this)
  }

  /** `onRetry`: one-shot runs say each retry (a 5xx or timeout can take minutes of back-off otherwise unexplained) */
  private client(signal?: AbortSignal, onRetry?: AtlasClientOptions['onRetry']): AtlasClient {
    return this.#o.client ?? new AtlasClient({apiUrl: this.#config.apiUrl, key: this.#config.key, signal, sleep: this.#o.sleep, onRetry, ...this.#o.clientOptions})
  }

  private resolver(concurrency: number): ReverseResolver {
    this.rdns ??= this.#o.rdns ? boundedResolver(this.#o.rdns, Math.max(1, concurrency) * 8) : this.#o.enrich === false ? nullReverseResolver : boundedResolver(new CachedReverseResolver(), Math.max(1, concurrency) * 8)
    return this.rdns
  }

  private async probesFor(client: AtlasClient, ids: number[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.probeCache.has(id))
    if (missing.length === 0) return
    try {
      const got = await fetchProbeMeta(client, missing)
      for (const id of missing) this.probeCache.set(id, got.get(id) ?? null)
    } catch (e) {
      // results are worth more than their probes' country: go on without it, ask again next batch
      if (!(e instanceof AnyprobeError) || (e.code !== 'E_NETWORK' && e.code !== 'E_TIMEOUT' && e.code !== 'E_BAD_INPUT')) throw e
    }
  }

  async *run(plan: ProbePlan, opts: {concurrency: number; signal?: AbortSignal}): AsyncIterable<VantageOutcome> {
    const signal = opts.signal
    const client = this.client(signal, sayRetry)
    const now = this.#o.now ?? Date.now
    const timeoutMs = this.#o.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const began = now()
    this.stats = emptyParseStats()
    this.incomplete = null
    let measurement: AtlasMeasurementMeta | null = null
    let msmId: number
    let expected: number | null
    let startTime: number | null = null
    let source: AsyncIterable<unknown>

    if (this.#o.msmId) {
      msmId = this.#o.msmId
      measurement = await client.getJson<AtlasMeasurementMeta>(`measurements/${msmId}/`)
      const typeName = typeof measurement?.type === 'string' ? measurement.type : measurement?.type?.name
      const method = typeof typeName === 'string' ? methodOfAtlasType(typeName.toLowerCase()) : null
      if (method !== plan.method) {
        throw new AnyprobeError('E_USAGE', `measurement ${msmId} is ${typeName ? `a ${sanitize(String(typeName), 20)}` : 'an unknown'} measurement, not ${plan.method}`, {
          hint: `use the command that matches it (${method ?? 'trace, dns, ping or http'}), or another --atlas-msm`,
          exitCode: EXIT.usage,
        })
      }
      this.#o.onMeasurement?.({msmId, created: false})
      const participants = typeof measurement.participant_count === 'number' ? measurement.participant_count : null
      const status = (measurement.status ?? {}) as {id?: number; name?: string}
      const ongoing = status.id === 2 || /^ongoing$/i.test(status.name ?? '')
      if (measurement.is_oneoff === true) {
        expected = participants
        source = ongoing
          ? waitForResults({client, msmId, expected, timeoutMs, mode: this.#o.wait, streamUrl: this.#config.streamUrl, pollIntervalMs: this.#o.pollIntervalMs, onProgress: this.#o.onProgress, signal, sleep: this.#o.sleep, now})
          : client.getArray(`measurements/${msmId}/results/`, {format: 'json'})
      } else {
        // a periodic measurement: each probe's latest result
        expected = null
        source = latestResults(client, msmId)
      }
    } else {
      if (!client.hasKey) {
        throw new AnyprobeError('E_USAGE', 'creating a RIPE Atlas measurement needs an API key, and none is set', {hint: KEY_HINT, exitCode: EXIT.usage})
      }
      const request = buildCreateRequest(plan, this.selector, this.#o.create)
      startTime = Math.floor(now() / 1000) - 60
      const created = await client.postJson<{measurements?: unknown}>('measurements/', request)
      const id = Array.isArray(created?.measurements) ? created.measurements[0] : undefined
      if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
        throw new AnyprobeError('E_BAD_INPUT', 'RIPE Atlas accepted the measurement but sent no measurement id', {hint: 'look for it under "My measurements" on atlas.ripe.net before trying again (it may be spending credits)', exitCode: EXIT.data})
      }
      msmId = id
      measurement = request.definitions[0] as unknown as AtlasMeasurementMeta
      expected = this.selector.request.requested
      this.#o.onMeasurement?.({msmId, created: true})
      source = waitForResults({client, msmId, expected, timeoutMs, mode: this.#o.wait, streamUrl: this.#config.streamUrl, pollIntervalMs: this.#o.pollIntervalMs, startTime, onProgress: this.#o.onProgress, signal, sleep: this.#o.sleep, now})
    }
    this.msmId = msmId

    // catchment --no-rdns / --no-asn: no lookups at all, the results stay as Atlas gave them
    const rdns = plan.options.rdns === false ? nullReverseResolver : this.resolver(opts.concurrency)
    const asn = plan.options.asn === false ? null : this.#o.asn
    // an HTTP result's answering network is the verdict's input (edge-trust), not a hop's ASN:
    // looked up whatever --asn says, as a local http probe does (the bundled database by default)
    const answerAsn = plan.method === 'http' ? (this.#o.asn ?? (await bundledAsnLookup())) : undefined
    const seen = new Set<number>()
    let failure: AnyprobeError | null = null
    try {
      for await (const batch of batches(source, this.#o.batchSize ?? 100, this.#o.batchMs ?? 1000)) {
        const ids: number[] = []
        for (const raw of batch) {
          const id = raw !== null && typeof raw === 'object' ? (raw as {prb_id?: unknown}).prb_id : undefined
          if (typeof id === 'number') ids.push(id)
        }
        await this.probesFor(client, ids)
        const outcomes: VantageOutcome[] = []
        for (const raw of batch) {
          const id = (raw as {prb_id?: unknown} | null)?.prb_id
          const parsed = parseAtlasResult(raw, typeof id === 'number' ? this.probeCache.get(id) : null, {measurement})
          countParsed(this.stats, parsed)
          if (parsed.meta.probeId !== null) seen.add(parsed.meta.probeId)
          outcomes.push(...parsed.outcomes)
        }
        const done = this.#o.enrich === false ? outcomes : await enrichAtlasOutcomes(outcomes, {rdns, asn, answerAsn, hint: this.hint})
        for (const oc of done) yield oc
        if (signal?.aborted) return
      }
    } catch (e) {
      // an interrupted run ends quietly with what it has
      if (signal?.aborted) return
      if (!(e instanceof AnyprobeError)) throw e
      // nothing came: the run's error; one this run created says which measurement spent the credits
      if (seen.size === 0) throw startTime === null ? e : createdButUnread(e, msmId)
      failure = e
    }
    if (signal?.aborted) return

    // the results broke off (a download cut short, a stream that failed) after some had come: what
    // came is kept, and the break is said, never dropped (onIncomplete; default: a line on stderr)
    if (failure !== null) {
      this.incomplete = failure
      ;(this.#o.onIncomplete ?? ((e: AnyprobeError) => process.stderr.write(`anyprobe: RIPE Atlas results of measurement ${msmId} are incomplete: ${e.message}\n`)))(failure)
    }
    // probes that were assigned but sent nothing
    if (expected !== null && seen.size < expected) {
      let assigned: number[] = []
      try {
        const m = await client.getJson<{probes?: Array<{id?: unknown}>}>(`measurements/${msmId}/`, {optional_fields: 'probes'})
        assigned = (m?.probes ?? []).map((p) => p?.id).filter((x): x is number => typeof x === 'number')
      } catch {
        assigned = []
      }
      const silent = assigned.filter((id) => !seen.has(id))
      await this.probesFor(client, silent)
      for (const id of silent) {
        const error: VantageError = failure
          ? {code: failure.code, message: `probe ${id}: no result (${failure.message})`, hint: failure.hint}
          : {
              code: 'E_TIMEOUT',
              // the time really waited: the results can end long before the timeout (a finished measurement)
              message: `probe ${id} sent no result for measurement ${msmId} (waited ${waited(now() - began)}${now() - began >= timeoutMs ? `, the limit of ${waited(timeoutMs)}` : ''})`,
              hint: `results may still come: read them later with --atlas-msm ${msmId}`,
            }
        yield {vantage: atlasVantage(id, this.probeCache.get(id) ?? null, measurement?.af === 6 ? 6 : 4), result: null, error}
      }
    }
  }
}

/** A one-shot run's retry, on stderr: "anyprobe: RIPE Atlas: HTTP 503 on GET /api/v2/...; trying again in 0.7 s (try 2 of 5)". */
function sayRetry(r: {attempt: number; delayMs: number; reason: string; what: string; tries: number}): void {
  process.stderr.write(`anyprobe: RIPE Atlas: ${sanitize(r.reason, 200)} on ${sanitize(r.what, 200)}; trying again in ${(r.delayMs / 1000).toFixed(1)} s (try ${r.attempt + 1} of ${r.tries})\n`)
}

/** A failure after this run created measurement `msmId`: its credits are spent, its results can be read later. */
function createdButUnread(e: AnyprobeError, msmId: number): AnyprobeError {
  return new AnyprobeError(e.code, `${e.message} (after creating RIPE Atlas measurement ${msmId})`, {
    hint: `measurement ${msmId} was created and its credits are spent: read its results later with --atlas-msm ${msmId}${e.hint ? `; ${checkOnlyHint(e.hint)}` : ''}`,
    exitCode: e.exitCode,
    cause: e,
  })
}

/** /measurements/ID/latest/: a list of results, or (older form) {probe_id: [result, ...]}. */
async function* latestResults(client: AtlasClient, msmId: number): AsyncGenerator<unknown> {
  const body = await client.getJson<unknown>(`measurements/${msmId}/latest/`, {format: 'json'})
  if (Array.isArray(body)) {
    yield* body
    return
  }
  if (body !== null && typeof body === 'object') {
    for (const v of Object.values(body as Record<string, unknown>)) {
      if (Array.isArray(v)) yield* v
      else yield v
    }
    return
  }
  throw new AnyprobeError('E_BAD_INPUT', `RIPE Atlas sent no list of latest results for measurement ${msmId}`, {hint: 'the API answer was not in the documented format', exitCode: EXIT.data})
}

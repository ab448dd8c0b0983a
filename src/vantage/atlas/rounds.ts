// Live rounds over RIPE Atlas (VantageBackend.schedule and .rounds of AtlasBackend; the contract is
// at the top of src/model/probe.ts): a recurring measurement, either an existing one (--atlas-msm
// ID: public ones need no key) or one created for the watch (stopped when the watch ends unless
// --keep).
//
//  schedule  an existing measurement: its own interval, type and target, from its metadata (a
//            one-off, or a type watch cannot read, is refused); a new one: the interval checked
//            (recurring.ts), its request built and its cost computed (--dry-run: that document,
//            nothing sent); creating one needs a key, checked here. Nothing is created yet.
//  rounds    creates the measurement (a new one), then the results since (start - one interval)
//            between 'history-start' and 'history-end' (each probe's starting state), then the
//            result stream (live.ts), one observation per result (observe.ts), each marked
//            complete (one result a round); a probe's metadata, fetched in batches as probes first
//            appear, comes as a 'vantage' event. What the user is told (the cost, the stream that
//            dropped, the measurement stopped) are 'note' events: nothing here writes to a terminal.
//            Its end stops a measurement it created; one that cannot be stopped is a failed note
//            (the watch ends in exit 1, the user told to stop it on atlas.ripe.net).
//
// Times are the results' own: every time figure (failover gaps too) is only as fine as the
// measurement's interval.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {LiveSchedule, ProbeMethod, RoundEvent, RoundsPlan, ScheduleRequest} from '../../model/probe.js'
import type {VantagePoint} from '../../model/vantage.js'
import {refuseLocalOnlyWatchFlags} from '../live/remote-ask.js'
import {sanitize} from '../../util/sanitize.js'
import {plural} from '../../util/plural.js'
import {Channel} from '../live/channel.js'
import {popNamer} from '../live/probe.js'
import type {AtlasClient} from './client.js'
import {KEY_HINT} from './config.js'
import {methodOfAtlasType} from './create.js'
import {followAtlasMeasurement, type LiveStatus} from './live.js'
import {type AtlasProbeInfo, AtlasObserver, type Observed} from './observe.js'
import {type AtlasMeasurementMeta, atlasVantage, probeMetaFromApi} from './parse.js'
import {type AtlasRecurringRequest, buildRecurringRequest, checkAtlasInterval, createRecurring, DEFAULT_INTERVAL_S, describeCost, type RecurringCost, recurringCost} from './recurring.js'
import type {AtlasSelector} from './selector.js'
import {finalStatusOf} from './stream.js'

/** What schedule() learnt and rounds() follows. */
export interface AtlasLivePrep {
  schedule: LiveSchedule
  /** the measurement followed: an existing one's metadata, or a new one's definition */
  measurement: AtlasMeasurementMeta
  /** an existing measurement's id; a new one's once created */
  msmId: number | null
  /** a new measurement: what to create, what it costs */
  create: {request: AtlasRecurringRequest; cost: RecurringCost; type: string} | null
  /** the probes an existing measurement lists (their metadata is fetched before the first result) */
  probeIds: number[]
  /** unix s the watch starts at: the results since one interval before it give the starting states */
  startSec: number
  intervalSec: number
  type: string
}

export interface AtlasLiveDeps {
  /** the REST client of the watch (its signal stops its requests) */
  client: AtlasClient
  /** a client for stopping the measurement at the end: no signal, the stop comes after the abort */
  stopClient: () => AtlasClient
  streamUrl: string
  /** --keep: leave a created measurement running */
  keep: boolean
  /** test seam: reconnect backoff */
  backoffMs?: {base: number; max: number}
  /** bench seam: told of every result as it arrives */
  onResult?: () => void
  now?: () => number
}

/**
 * The stream's usual delay (a result reaches the stream some seconds after its timestamp; probes send
 * them in small batches), added to two intervals of silence from every probe before the stream is
 * called quiet; at most one more interval.
 */
const STREAM_DELAY_MS = 30_000

const typeName = (m: AtlasMeasurementMeta | null): string | null => {
  const t = typeof m?.type === 'string' ? m.type : m?.type?.name
  return typeof t === 'string' ? t.toLowerCase() : null
}

/** The schedule of a watch over `msmId` (existing) or over a new measurement of `selector`. */
export async function prepareAtlasWatch(ask: ScheduleRequest, o: {client: AtlasClient; msmId: number | null; selector: AtlasSelector; now?: () => number}): Promise<AtlasLivePrep> {
  const {client} = o
  refuseLocalOnlyWatchFlags(ask, 'atlas:')
  if (o.msmId !== null && ask.dryRun) {
    throw new AnyprobeError('E_USAGE', `--dry-run shows what a new measurement would cost; following measurement ${o.msmId} creates and spends nothing`, {
      hint: `leave out --dry-run to follow it, or give --from atlas:SELECTOR without --atlas-msm to price a new one`,
      exitCode: EXIT.usage,
    })
  }
  const startSec = Math.floor((o.now ?? Date.now)() / 1000)
  const notes: string[] = []
  let measurement: AtlasMeasurementMeta
  let create: AtlasLivePrep['create'] = null
  let probeIds: number[] = []
  if (o.msmId !== null) {
    const msmId = o.msmId
    measurement = await client.getJson<AtlasMeasurementMeta>(`measurements/${msmId}/`, {optional_fields: 'probes'})
    if (measurement?.is_oneoff === true || typeof measurement?.interval !== 'number') {
      throw new AnyprobeError('E_USAGE', `measurement ${msmId} is a one-off: it has no stream of rounds to watch`, {
        hint: `read it with \`anyprobe catchment ${sanitize(ask.target, 80)} --from atlas: --atlas-msm ${msmId}\`, or watch a periodic measurement`,
        exitCode: EXIT.usage,
      })
    }
    // a measurement that will produce no more results cannot be followed: the watch would wait
    // forever and end in 'no probe was answered', read as the target's outage
    const over = finalStatusOf(measurement as unknown as Record<string, unknown>)
    if (over !== null) {
      throw new AnyprobeError('E_USAGE', `measurement ${msmId} is ${over.name}${over.since === null ? '' : ` since ${new Date(over.since * 1000).toISOString()}`}: no more results will come to watch`, {
        hint: `give a running measurement, or read its results: \`anyprobe catchment ${sanitize(ask.target, 80)} --from atlas: --atlas-msm ${msmId}\` (or \`anyprobe report\` a download of them)`,
        exitCode: EXIT.usage,
      })
    }
    const t = sanitize(String(measurement.target ?? measurement.dst_addr ?? ''), 100)
    if (t !== '' && t !== ask.target) notes.push(`note: measurement ${msmId} measures ${t}; watching it (not ${sanitize(ask.target, 100)})`)
    const own = methodOfAtlasType(typeName(measurement) ?? '')
    const asked = ask.method === 'icmp' ? 'ping' : ask.method
    if (ask.methodGiven === true && own !== null && own !== asked) notes.push(`note: --method ${sanitize(ask.method, 20)} is ignored: measurement ${msmId} is a ${sanitize(typeName(measurement) ?? '', 20)} measurement`)
    if (ask.intervalMs !== undefined && ask.intervalMs !== measurement.interval * 1000) notes.push(`note: --interval is ignored: measurement ${msmId} runs every ${measurement.interval} s`)
    probeIds = (Array.isArray(measurement.probes) ? (measurement.probes as Array<{id?: unknown}>) : []).map((p) => p?.id).filter((x): x is number => typeof x === 'number')
  } else {
    const method = (ask.method === 'icmp' ? 'ping' : ask.method) as ProbeMethod
    if (!['dns', 'trace', 'ping'].includes(method)) throw new AnyprobeError('E_USAGE', `watch --from atlas: creates dns, trace or ping measurements, not ${sanitize(method, 20)}`, {hint: 'use --method dns, trace or ping', exitCode: EXIT.usage})
    const type = (method === 'trace' ? 'traceroute' : method) as keyof typeof DEFAULT_INTERVAL_S
    const intervalSec = checkAtlasInterval(type, ask.intervalMs ?? DEFAULT_INTERVAL_S[type] * 1000)
    const request = buildRecurringRequest({method, target: ask.target, cliArgs: [], options: {}}, o.selector, intervalSec)
    const cost = recurringCost(request.definitions[0]!, o.selector.request.requested, intervalSec)
    create = {request, cost, type}
    measurement = request.definitions[0] as unknown as AtlasMeasurementMeta
  }
  const intervalSec = measurement.interval as number
  const type = typeName(measurement)
  const method = methodOfAtlasType(type ?? '')
  if (method === null || method === 'http') throw new AnyprobeError('E_USAGE', `measurement ${o.msmId} is a ${sanitize(type ?? 'unknown', 20)} measurement; watch reads dns, traceroute and ping`, {hint: 'pick a dns measurement (e.g. a built-in hostname.bind one)', exitCode: EXIT.usage})
  const target = sanitize(String(measurement.target ?? ask.target), 200)
  const prep: AtlasLivePrep = {
    measurement,
    msmId: o.msmId,
    create,
    probeIds,
    startSec,
    intervalSec,
    type: type!,
    schedule: {
      method: method === 'ping' ? 'icmp' : method,
      target,
      intervalMs: intervalSec * 1000,
      flows: 1,
      timeoutMs: intervalSec * 1000,
      // one result per probe and round, each complete on arrival
      reorderRounds: 1,
      at: startSec * 1000,
      remote: true,
      notes,
      source: () => `RIPE Atlas measurement ${prep.msmId ?? '(not created)'} (${target})`,
    },
  }
  if (create !== null && ask.dryRun) {
    const document = {schemaVersion: 1, kind: 'atlas-watch-dry-run', dryRun: true, request: create.request, cost: create.cost, note: `nothing was sent; this measurement would cost ${describeCost(create.cost)}`}
    prep.schedule.dryRun = {document, text: `${JSON.stringify(create.request, null, 2)}\n${document.note}\n`}
  } else if (create !== null && !client.hasKey) {
    throw new AnyprobeError('E_USAGE', 'creating a RIPE Atlas measurement needs an API key, and none is set', {hint: KEY_HINT, exitCode: EXIT.usage})
  }
  return prep
}

/** Probe metadata and tags, fetched in batches (500 ids a request) as probes first appear. */
class ProbeDirectory {
  private readonly info = new Map<number, AtlasProbeInfo>()
  private readonly wanted = new Set<number>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly client: AtlasClient,
    private readonly onInfo: (id: number, info: AtlasProbeInfo) => void,
  ) {}

  get(id: number): AtlasProbeInfo | null {
    return this.info.get(id) ?? null
  }

  async load(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500)
      try {
        for await (const raw of this.client.paginate<unknown>('probes/', {id__in: chunk.join(','), page_size: 500})) {
          const meta = probeMetaFromApi(raw)
          if (meta === null) continue
          const info = {meta, tags: meta.tags}
          this.info.set(meta.id, info)
          this.onInfo(meta.id, info)
        }
      } catch {
        // the results matter more than their probes' country: go on without it
      }
    }
  }

  /** Ask for a probe seen for the first time (batched: one request a second at most). */
  want(id: number): void {
    if (this.info.has(id) || this.wanted.has(id)) return
    this.wanted.add(id)
    this.timer ??= setTimeout(() => {
      this.timer = null
      const ids = [...this.wanted]
      this.wanted.clear()
      void this.load(ids)
    }, 1000)
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
  }
}

/** The live run: create (a new measurement), follow, stop (unless --keep). Events as the contract says. */
export function atlasRounds(prep: AtlasLivePrep, plan: RoundsPlan, deps: AtlasLiveDeps, signal: AbortSignal): AsyncIterable<RoundEvent> {
  const ch = new Channel<RoundEvent>()
  const stop = new AbortController()
  const onAbort = (): void => stop.abort()
  if (signal.aborted) stop.abort()
  else signal.addEventListener('abort', onAbort, {once: true})
  const done = run(prep, plan, deps, stop.signal, ch).then(
    () => ch.close(),
    (e: unknown) => ch.close(e),
  )
  return (async function* (): AsyncGenerator<RoundEvent> {
    try {
      yield* ch
    } finally {
      // the consumer is gone (or the run is over): stop following; a created measurement is stopped before this returns
      signal.removeEventListener('abort', onAbort)
      stop.abort()
      await done
    }
  })()
}

async function run(prep: AtlasLivePrep, plan: RoundsPlan, deps: AtlasLiveDeps, signal: AbortSignal, ch: Channel<RoundEvent>): Promise<void> {
  const note = (text: string, failed = false): void => ch.push(failed ? {type: 'note', text, failed} : {type: 'note', text})
  let created: number | null = null
  try {
    if (prep.msmId === null) {
      const c = prep.create!
      note(`anyprobe: creating a ${c.type} measurement of ${sanitize(plan.target, 100)} every ${prep.intervalSec}s: ${describeCost(c.cost)}`)
      created = await createRecurring(deps.client, c.request)
      prep.msmId = created
      prep.measurement = {...prep.measurement, id: created}
      note(`anyprobe: measurement ${created} created${deps.keep ? ' (--keep: it stays running after the watch)' : '; it is stopped when the watch ends'}`)
    }
    await follow(prep, plan, deps, signal, ch)
  } finally {
    if (created !== null && !deps.keep) {
      try {
        await deps.stopClient().deleteJson(`measurements/${created}/`)
        note(`anyprobe: measurement ${created} stopped`)
      } catch (e) {
        note(`error: could not stop measurement ${created} (${sanitize((e as Error).message, 300)}); stop it on atlas.ripe.net: it spends credits while it runs`, true)
      }
    } else if (created !== null) {
      note(`anyprobe: measurement ${created} keeps running (--keep); watch it again with --atlas-msm ${created}`)
    }
  }
}

async function follow(prep: AtlasLivePrep, plan: RoundsPlan, deps: AtlasLiveDeps, signal: AbortSignal, ch: Channel<RoundEvent>): Promise<void> {
  const {intervalSec, startSec, measurement} = prep
  const msmId = prep.msmId!
  const intervalMs = intervalSec * 1000
  const target = prep.schedule.target
  const af = measurement.af === 6 ? 6 : 4
  ch.push({
    type: 'note',
    text:
      `anyprobe: following RIPE Atlas measurement ${msmId} (${prep.type} of ${target} every ${intervalSec}s${prep.probeIds.length > 0 ? `, ${plural(prep.probeIds.length, 'probe')}` : ''}); ` +
      `times are the results' own, so failover gaps are resolved to the measurement's interval (${intervalSec}s)${plan.flapWindowMs === undefined ? '' : `; flap window ${Math.round(plan.flapWindowMs / 60_000)} min`}`,
  })
  const dir = new ProbeDirectory(deps.client, (id, info) => {
    observer.setProbeInfo(id, info)
    ch.push({type: 'vantage', vantage: observer.vantageOf(id) ?? atlasVantage(id, info.meta, af), tags: info.tags})
  })
  const observer: AtlasObserver = new AtlasObserver({intervalSec, baseSec: startSec - intervalSec, measurement, probe: (id) => dir.get(id), name: popNamer()})
  if (prep.probeIds.length > 0) await dir.load(prep.probeIds)

  // the results since one interval before the start: each probe's starting state
  // every probe seen, by vantage id (its vantage point as known now: the same object the observer updates)
  const started = new Map<string, VantagePoint>()
  const feed = (list: Observed[], arrivedAt: number | undefined): void => {
    for (const x of list) {
      if (started.get(x.obs.vantageId) !== x.vantage) {
        if (!started.has(x.obs.vantageId)) ch.push({type: 'started', vantage: x.vantage})
        started.set(x.obs.vantageId, x.vantage)
      }
      ch.push(arrivedAt === undefined ? {type: 'observation', vantage: x.vantage, observation: x.obs, complete: true} : {type: 'observation', vantage: x.vantage, observation: x.obs, complete: true, arrivedAt})
    }
  }
  let backfilling = true
  ch.push({type: 'history-start'})
  const endBackfill = (): void => {
    feed(observer.sweep(undefined, true), undefined)
    backfilling = false
    ch.push({type: 'history-end'})
  }

  const stop = new AbortController()
  const onAbort = (): void => stop.abort()
  if (signal.aborted) stop.abort()
  else signal.addEventListener('abort', onAbort, {once: true})
  const durationTimer = plan.durationMs === null ? null : setTimeout(() => stop.abort(), plan.durationMs)
  const endSec = plan.count === null ? null : startSec + plan.count * intervalSec
  let lastArrival = Date.now()
  // Silence from EVERY probe: Atlas probes that cannot reach the target still send timeout results,
  // so no result from any of them for two intervals (plus the stream's usual delay) is the stream or
  // the API failing, not the target. live.ts ends such a connection, reconnects and polls the gap;
  // the rounds that neither delivered are not measured ('unmeasured'), never unanswered. (Before,
  // the wall clock moved the stream's clock on and every probe was an outage of the target.)
  const quietMs = 2 * intervalMs + Math.min(intervalMs, STREAM_DELAY_MS)
  // wall-clock ms of the latest recovery attempt (a drop or a filled gap); what it was
  let attemptAt = 0
  let attemptFailed: string | null = null
  let quietSaid = false
  let failedSaid = false
  let roundSaid = -1
  const quiet = setInterval(() => {
    const now = Date.now()
    const idle = now - lastArrival
    if (backfilling || observer.clock === 0 || idle < quietMs) return
    // only once the stream was reconnected or the API asked after the silence began (what they
    // still deliver is measured, not counted missing)
    if (attemptAt < lastArrival + quietMs - 1000) return
    const marks = observer.unmeasured(observer.clock + idle / 1000)
    if (marks.length === 0) return
    if (attemptFailed !== null && !failedSaid) {
      failedSaid = true
      // the API is not answering: the watch goes on without data, exit 6 at the end (the API's fault)
      ch.push({type: 'note', failed: true, text: `error: RIPE Atlas did not deliver measurement ${msmId}'s results (${sanitize(attemptFailed, 200)}); its rounds since ${new Date(lastArrival).toISOString()} are counted as not measured, not as the target's outage; still trying`})
    }
    for (const m of marks) ch.push({type: 'unmeasured', vantage: m.vantage, round: m.round})
    // every probe's rounds through this one are in (observed or not measured): judged now, so the
    // counts (anyprobe_rounds_unmeasured_total) grow during the silence, not only at the end
    const through = observer.decidedThrough()
    if (through > roundSaid) {
      roundSaid = through
      ch.push({type: 'round', round: through})
    }
  }, Math.max(50, Math.min(1000, intervalMs / 4)))
  quiet.unref()

  const onStatus = (s: LiveStatus): void => {
    if (s.kind === 'backfilled') {
      endBackfill()
      ch.push({type: 'note', text: `anyprobe: ${s.results} result(s) since ${new Date((startSec - intervalSec) * 1000).toISOString()} give the starting state of ${observer.probeCount} probe(s); following the stream`})
    }
    // a quiet drop is the start of a try (reconnect, ask for the gap), not its outcome
    if ((s.kind === 'dropped' && s.quiet !== true) || s.kind === 'gap-filled') {
      attemptAt = Date.now()
      attemptFailed = s.kind === 'dropped' ? (s.reason ?? 'the stream dropped') : null
    }
    if (s.kind === 'dropped' && s.quiet === true) {
      if (!quietSaid) {
        quietSaid = true
        ch.push({
          type: 'note',
          text:
            `anyprobe: no result from any of the ${observer.probeCount} probes for ${Math.round((Date.now() - lastArrival) / 1000)}s (over two ${intervalSec}s intervals): RIPE Atlas probes that cannot reach the target still send timeouts, so the result stream or the API failed, not the target; ` +
            `reconnecting in ${Math.round((s.retryInMs ?? 0) / 100) / 10}s and asking the API for the gap; rounds neither delivers are counted as not measured`,
        })
      }
      // a measurement that stopped sends nothing more: the watch ends, not an outage
      void finalStatusNow().then((over) => {
        if (over === null || stop.signal.aborted) return
        ch.push({type: 'note', text: `anyprobe: measurement ${msmId} is ${over.name}${over.since === null ? '' : ` since ${new Date(over.since * 1000).toISOString()}`}: no more results will come; the watch ends`})
        stop.abort()
      })
    } else if (s.kind === 'dropped') {
      ch.push({type: 'note', text: `anyprobe: the result stream dropped (${sanitize(s.reason ?? '', 200)}); reconnecting in ${Math.round((s.retryInMs ?? 0) / 100) / 10}s, the gap is filled from the API`})
    } else if (s.kind === 'gap-filled' && (s.results ?? 0) > 0) ch.push({type: 'note', text: `anyprobe: ${s.results} result(s) the stream missed came from the API`})
  }
  const finalStatusNow = async (): Promise<{name: string; since: number | null} | null> => {
    try {
      return finalStatusOf(await deps.client.getJson<Record<string, unknown>>(`measurements/${msmId}/`))
    } catch {
      return null // the API not answering is said by the drops
    }
  }
  try {
    await followAtlasMeasurement({
      client: deps.client,
      streamUrl: deps.streamUrl,
      msmId,
      intervalSec,
      since: startSec - intervalSec,
      signal: stop.signal,
      backoffMs: deps.backoffMs,
      quietMs,
      onStatus,
      onResult: (raw) => {
        deps.onResult?.()
        lastArrival = Date.now()
        const prb = raw.prb_id
        if (typeof prb === 'number') dir.want(prb)
        feed(observer.result(raw), lastArrival)
        feed(observer.sweep(), lastArrival)
        if (endSec !== null && observer.clock >= endSec + intervalSec) stop.abort()
      },
    })
  } finally {
    signal.removeEventListener('abort', onAbort)
    if (durationTimer) clearTimeout(durationTimer)
    clearInterval(quiet)
    dir.close()
  }
  if (backfilling) endBackfill()
  for (const [, vantage] of started) ch.push({type: 'ended', vantage, error: null})
}

// `watch TARGET --from atlas:...`: a watch over a recurring RIPE Atlas measurement, either an
// existing one (--atlas-msm ID: public ones need no key) or one created for the watch (stopped
// when the watch ends unless --keep). The results since (start - one interval) give each probe's
// starting state; then the result stream (vantage/atlas/live.ts) feeds one observation per result
// (atlas-observe.ts) to the same analyser, outputs and --expect/--exec as every watch. Each event
// is emitted synchronously with the result that causes it; the analysis uses the results' own
// timestamps, so every time figure (failover gaps too) is only as fine as the measurement's interval.

import {WATCH_DEFAULTS} from '../analysis/watch/index.js'
import type {LiveWatchEvent} from '../model/expect.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'
import {AtlasClient} from '../vantage/atlas/client.js'
import {KEY_HINT, loadAtlasConfig} from '../vantage/atlas/config.js'
import {methodOfAtlasType} from '../vantage/atlas/create.js'
import {followAtlasMeasurement, type LiveStatus} from '../vantage/atlas/live.js'
import {type AtlasMeasurementMeta, probeMetaFromApi} from '../vantage/atlas/parse.js'
import {buildRecurringRequest, checkAtlasInterval, createRecurring, describeCost, recurringCost} from '../vantage/atlas/recurring.js'
import {parseAtlasSelector} from '../vantage/atlas/selector.js'
import type {ProbeMethod} from '../vantage/types.js'
import {type AtlasProbeInfo, AtlasObserver} from './atlas-observe.js'
import {type RemoteWatchOptions, WatchSession, type WatchEnd} from './session.js'
import {popNamer} from '../vantage/live/probe.js'

/** --interval: Atlas's default for the type (new) / the measurement's (existing) when undefined. */
export interface AtlasWatchOptions extends RemoteWatchOptions {
  /** --method (dns, trace, ping for a new measurement; an existing one has its own type) */
  method: string
  selector: string
  msmId: number | null
  dryRun: boolean
  keep: boolean
  report?: (text: string) => void
  /** bench/test seam: each event with the wall time the result that caused it arrived */
  onEvent?: (e: LiveWatchEvent, resultArrivedAt: number | null) => void
  /** bench seam: told of every result as it arrives */
  onResult?: () => void
  /** test seam: reconnect backoff */
  backoffMs?: {base: number; max: number}
}

/** Default flap window: 60 intervals, at least 60 s (1 s probing: 60 s as before; Atlas every 240 s: 4 h). */
export function defaultFlapWindowMs(intervalMs: number): number {
  return Math.max(60_000, 60 * intervalMs)
}

const typeName = (m: AtlasMeasurementMeta | null): string | null => {
  const t = typeof m?.type === 'string' ? m.type : m?.type?.name
  return typeof t === 'string' ? t.toLowerCase() : null
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
          const tags = Array.isArray((raw as {tags?: unknown}).tags)
            ? ((raw as {tags: Array<{slug?: unknown}>}).tags.map((t) => (typeof t?.slug === 'string' ? t.slug.toLowerCase() : null)).filter((t) => t !== null) as string[])
            : []
          const info = {meta, tags}
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

/** A watch's end, or the --dry-run document (nothing was created). */
export type AtlasWatchEnd = WatchEnd | {dryRun: Record<string, unknown>}

export async function runAtlasWatch(o: AtlasWatchOptions): Promise<AtlasWatchEnd> {
  const write = o.write
  const report = o.report ?? ((t: string) => process.stderr.write(t + '\n'))
  const config = loadAtlasConfig({env: o.env})
  const client = new AtlasClient({apiUrl: config.apiUrl, key: config.key, signal: o.signal})
  let measurement: AtlasMeasurementMeta
  let msmId: number
  let created = false
  let probeIds: number[] = []
  const startSec = Math.floor(Date.now() / 1000)

  if (o.msmId !== null) {
    msmId = o.msmId
    measurement = await client.getJson<AtlasMeasurementMeta>(`measurements/${msmId}/`, {optional_fields: 'probes'})
    if (measurement?.is_oneoff === true || typeof measurement?.interval !== 'number') {
      throw new AnyprobeError('E_USAGE', `measurement ${msmId} is a one-off: it has no stream of rounds to watch`, {
        hint: `read it with \`anyprobe catchment ${sanitize(o.target, 80)} --from atlas: --atlas-msm ${msmId}\`, or watch a periodic measurement`,
        exitCode: EXIT.usage,
      })
    }
    const t = sanitize(String(measurement.target ?? measurement.dst_addr ?? ''), 100)
    if (t !== '' && t !== o.target) report(`note: measurement ${msmId} measures ${t}; watching it (not ${sanitize(o.target, 100)})`)
    if (o.intervalMs !== undefined && o.intervalMs !== measurement.interval * 1000) report(`note: --interval is ignored: measurement ${msmId} runs every ${measurement.interval} s`)
    probeIds = (Array.isArray(measurement.probes) ? (measurement.probes as Array<{id?: unknown}>) : []).map((p) => p?.id).filter((x): x is number => typeof x === 'number')
  } else {
    const method = o.method as ProbeMethod
    if (!['dns', 'trace', 'ping'].includes(method)) throw new AnyprobeError('E_USAGE', `watch --from atlas: creates dns, trace or ping measurements, not ${sanitize(o.method, 20)}`, {hint: 'use --method dns, trace or ping', exitCode: EXIT.usage})
    const type = (method === 'trace' ? 'traceroute' : method) as 'dns' | 'traceroute' | 'ping'
    const intervalSec = checkAtlasInterval(type, o.intervalMs ?? {dns: 240, traceroute: 900, ping: 240}[type]! * 1000)
    const selector = parseAtlasSelector(o.selector)
    const req = buildRecurringRequest({method, target: o.target, cliArgs: [], options: {}}, selector, intervalSec)
    const cost = recurringCost(req.definitions[0]!, selector.request.requested, intervalSec)
    if (o.dryRun) {
      const doc = {schemaVersion: 1, kind: 'atlas-watch-dry-run', dryRun: true, request: req, cost, note: `nothing was sent; this measurement would cost ${describeCost(cost)}`}
      // --json: the command prints the returned document
      if (!o.json) write(`${JSON.stringify(req, null, 2)}\n${doc.note}\n`)
      return {dryRun: doc}
    }
    if (!client.hasKey) throw new AnyprobeError('E_USAGE', 'creating a RIPE Atlas measurement needs an API key, and none is set', {hint: KEY_HINT, exitCode: EXIT.usage})
    report(`anyprobe: creating a ${type} measurement of ${sanitize(o.target, 100)} every ${intervalSec}s: ${describeCost(cost)}`)
    msmId = await createRecurring(client, req)
    created = true
    report(`anyprobe: measurement ${msmId} created${o.keep ? ' (--keep: it stays running after the watch)' : '; it is stopped when the watch ends'}`)
    measurement = {...(req.definitions[0] as unknown as AtlasMeasurementMeta), id: msmId}
  }

  let end: WatchEnd | null = null
  try {
    end = await follow(o, client, config.streamUrl, measurement, msmId, probeIds, startSec, write, report)
    return end
  } finally {
    if (created && !o.keep) {
      try {
        await new AtlasClient({apiUrl: config.apiUrl, key: config.key}).deleteJson(`measurements/${msmId}/`)
        report(`anyprobe: measurement ${msmId} stopped`)
      } catch (e) {
        if (end !== null) end.exitCode = EXIT.failure
        report(`error: could not stop measurement ${msmId} (${sanitize((e as Error).message, 300)}); stop it on atlas.ripe.net: it spends credits while it runs`)
      }
    } else if (created) {
      report(`anyprobe: measurement ${msmId} keeps running (--keep); watch it again with --atlas-msm ${msmId}`)
    }
  }
}

async function follow(
  o: AtlasWatchOptions,
  client: AtlasClient,
  streamUrl: string,
  measurement: AtlasMeasurementMeta,
  msmId: number,
  probeIds: number[],
  startSec: number,
  write: (t: string) => void,
  report: (t: string) => void,
): Promise<WatchEnd> {
  const intervalSec = measurement.interval as number
  const intervalMs = intervalSec * 1000
  const type = typeName(measurement)
  const method = methodOfAtlasType(type ?? '')
  if (method === null || method === 'http') throw new AnyprobeError('E_USAGE', `measurement ${msmId} is a ${sanitize(type ?? 'unknown', 20)} measurement; watch reads dns, traceroute and ping`, {hint: 'pick a dns measurement (e.g. a built-in hostname.bind one)', exitCode: EXIT.usage})
  const start: WatchStart = {
    schemaVersion: WATCH_SCHEMA_VERSION,
    kind: 'watch-start',
    at: new Date(startSec * 1000).toISOString(),
    target: sanitize(String(measurement.target ?? o.target), 200),
    method: method === 'ping' ? 'icmp' : method,
    intervalMs,
    flows: 1,
    flapThreshold: o.flapThreshold,
    flapWindowMs: o.flapWindowMs ?? defaultFlapWindowMs(intervalMs),
    outageAfter: WATCH_DEFAULTS.outageAfter,
    reorderRounds: 1,
  }
  report(
    `anyprobe: following RIPE Atlas measurement ${msmId} (${type} of ${start.target} every ${intervalSec}s${probeIds.length > 0 ? `, ${probeIds.length} probes` : ''}); ` +
      `times are the results' own, so failover gaps are resolved to the measurement's interval (${intervalSec}s); flap window ${Math.round(start.flapWindowMs / 60_000)} min`,
  )
  const dir = new ProbeDirectory(client, (id, info) => {
    observer.setProbeInfo(id, info)
    const v = observer.vantageOf(id)
    if (v) session.setVantage(`atlas:${id}`, v)
  })
  let arrivedAt: number | null = null
  const session = await WatchSession.open({
    start,
    json: o.json,
    write,
    tty: o.tty ?? false,
    report,
    out: o.out,
    metrics: o.metrics,
    html: o.html,
    extras: o.extras,
    tagsOf: (id) => dir.get(Number(id.replace(/^atlas:/, '')))?.tags ?? [],
    remote: true,
    onEvent: (e) => o.onEvent?.(e, arrivedAt),
  })
  const observer: AtlasObserver = new AtlasObserver({intervalSec, baseSec: startSec - intervalSec, measurement, probe: (id) => dir.get(id), name: popNamer()})
  if (probeIds.length > 0) await dir.load(probeIds)

  // the results since one interval before the start: each probe's starting state (session.hold)
  let backfilling = true
  session.hold()
  const feed = (ob: Observation): void => session.observe(ob, true)
  const endBackfill = (): void => {
    for (const x of observer.sweep(undefined, true)) feed(x.obs)
    backfilling = false
    session.release()
  }

  const stop = new AbortController()
  const onAbort = (): void => stop.abort()
  if (o.signal.aborted) stop.abort()
  else o.signal.addEventListener('abort', onAbort, {once: true})
  const durationTimer = o.durationMs === undefined ? null : setTimeout(() => stop.abort(), o.durationMs)
  const endSec = o.count === undefined ? null : startSec + o.count * intervalSec
  let lastArrival = Date.now()
  // connected and caught up (subscribed, gap filled): only then is silence news
  let live = false
  // a quiet stream (every probe silent): the clock moves on by the wall clock. Not while the
  // stream is down: what it missed comes from the API when it is back, and must not be late then.
  const quiet = setInterval(() => {
    const idle = Date.now() - lastArrival
    if (backfilling || !live || idle < intervalMs || observer.clock === 0) return
    arrivedAt = null
    for (const x of observer.sweep(observer.clock + idle / 1000)) feed(x.obs)
  }, 1000)
  quiet.unref()

  const onStatus = (s: LiveStatus): void => {
    if (s.kind === 'backfilled') {
      endBackfill()
      report(`anyprobe: ${s.results} result(s) since ${new Date((startSec - intervalSec) * 1000).toISOString()} give the starting state of ${observer.probeCount} probe(s); following the stream`)
    } else if (s.kind === 'subscribed') live = false
    else if (s.kind === 'gap-filled') {
      live = true
      lastArrival = Date.now()
    }
    if (s.kind === 'dropped') {
      live = false
      report(`anyprobe: the result stream dropped (${sanitize(s.reason ?? '', 200)}); reconnecting in ${Math.round((s.retryInMs ?? 0) / 100) / 10}s, the gap is filled from the API`)
    } else if (s.kind === 'gap-filled' && (s.results ?? 0) > 0) report(`anyprobe: ${s.results} result(s) the stream missed came from the API`)
  }
  try {
    await followAtlasMeasurement({
      client,
      streamUrl,
      msmId,
      intervalSec,
      since: startSec - intervalSec,
      signal: stop.signal,
      backoffMs: o.backoffMs,
      onStatus,
      onResult: (raw) => {
        o.onResult?.()
        lastArrival = Date.now()
        arrivedAt = lastArrival
        const prb = raw.prb_id
        if (typeof prb === 'number') dir.want(prb)
        for (const x of observer.result(raw)) feed(x.obs)
        for (const x of observer.sweep()) feed(x.obs)
        if (endSec !== null && observer.clock >= endSec + intervalSec) stop.abort()
      },
    })
  } catch (e) {
    await session.abandon()
    throw e
  } finally {
    o.signal.removeEventListener('abort', onAbort)
    if (durationTimer) clearTimeout(durationTimer)
    clearInterval(quiet)
    dir.close()
  }
  if (backfilling) endBackfill()
  arrivedAt = null
  const end = await session.finish(`learnt from RIPE Atlas measurement ${msmId} (${start.target}) at ${new Date().toISOString()}`)
  return end
}

// The vantage layer's front door: --from specs -> backends -> one stream of outcomes.
// Local, netns and ssh vantage points are child processes (local.ts); atlas: is the RIPE Atlas
// backend in ./atlas/ (built separately), loaded only when an atlas: spec or a raw Atlas file needs it.
import pLimit from 'p-limit'

import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'
import type {AtlasSpec, GlobalpingSpec, NetnsSpec, SshSpec, VantageSpec} from './from.js'
import {type ChildOptions, LocalBackend} from './local.js'
import {NetnsBackend} from './netns.js'
import {SshBackend} from './ssh.js'
import type {ProbePlan, ProbeResult, VantageBackend, VantageOutcome} from './types.js'

export {parseFrom, isLocalOnly, specKey, FROM_SYNTAX, type VantageSpec} from './from.js'
export type {ProbePlan, ProbeResult, ProbeMethod, VantageBackend, VantageOutcome, VantageError} from './types.js'

export interface BackendOptions extends ChildOptions {
  concurrency: number
  sshOptions?: string[]
  /** atlas: read this existing measurement instead of creating one */
  atlasMsm?: number | null
  /** atlas: how long to wait for results (--vp-timeout when given; default: the backend's 10 min) */
  atlasTimeoutMs?: number
  /** atlas, live (watch --keep): leave a measurement created for the watch running at its end */
  atlasKeep?: boolean
  /** test seams */
  ipCommand?: string[]
  sshCommand?: string[]
  /** loads the Atlas module; default: import ./atlas/index.js */
  loadAtlas?: () => Promise<AtlasModule>
}

// ---- the Atlas backend (./atlas/, loaded only when needed: it brings an HTTP/WebSocket client) ----

/** What anyprobe uses of src/vantage/atlas/index.ts; tests hand in fakes of parts of it. */
export type AtlasModule = Partial<typeof import('./atlas/index.js')>

let atlasCache: Promise<AtlasModule> | null = null

/** Import ./atlas/index.js once (it is part of every build; loaded lazily for start-up time). */
export function loadAtlasModule(): Promise<AtlasModule> {
  atlasCache ??= import('./atlas/index.js') as Promise<AtlasModule>
  return atlasCache
}

/** A loader handed in (tests) that lacks what is asked for: a programming error, not the user's. */
function atlasPartMissing(what: string): AnyprobeError {
  return new AnyprobeError('E_INTERNAL', `the RIPE Atlas module given has no ${what}`)
}

// ---- specs -> backends ----

/** One backend per kind (netns and ssh grouped), one per atlas: selector; all share one concurrency limit. */
export async function backendsFor(specs: readonly VantageSpec[], opts: BackendOptions): Promise<VantageBackend[]> {
  const limit = pLimit(opts.concurrency)
  const child: ChildOptions = {remoteCommand: opts.remoteCommand ?? null, timeoutMs: opts.timeoutMs, limit, locations: opts.locations ?? null}
  const out: VantageBackend[] = []
  if (specs.some((s) => s.kind === 'local')) out.push(new LocalBackend(child))
  const netns = specs.filter((s): s is NetnsSpec => s.kind === 'netns')
  if (netns.length > 0) out.push(new NetnsBackend(netns, {...child, ipCommand: opts.ipCommand}))
  const ssh = specs.filter((s): s is SshSpec => s.kind === 'ssh')
  if (ssh.length > 0) out.push(new SshBackend(ssh, {...child, sshOptions: opts.sshOptions, sshCommand: opts.sshCommand}))
  const atlas = specs.filter((s): s is AtlasSpec => s.kind === 'atlas')
  if (atlas.length > 0) {
    const mod = await (opts.loadAtlas ?? loadAtlasModule)()
    const Backend = mod?.AtlasBackend
    if (typeof Backend !== 'function') throw atlasPartMissing('AtlasBackend')
    for (const a of atlas) {
      out.push(new Backend(a.selector, {
        concurrency: opts.concurrency,
        msmId: opts.atlasMsm ?? null,
        ...(opts.atlasKeep === undefined ? {} : {keep: opts.atlasKeep}),
        ...(opts.atlasTimeoutMs === undefined ? {} : {timeoutMs: opts.atlasTimeoutMs}),
        // the measurement costs credits: say which one it is at once, so its results can be fetched again
        onMeasurement: ({msmId, created}) => process.stderr.write(`anyprobe: RIPE Atlas measurement ${msmId}${created ? ' created' : ''}\n`),
      }))
    }
  }
  const gp = specs.filter((s): s is GlobalpingSpec => s.kind === 'globalping')
  if (gp.length > 0) out.push(...(await import('./globalping/backends.js')).globalpingBackends(gp.map((s) => s.selector)))
  return out
}

/** `--dry-run`: the measurement each atlas: spec would create, and its credit cost. Sends nothing. */
export async function atlasDryRuns(specs: readonly VantageSpec[], plan: ProbePlan, loadAtlas = loadAtlasModule): Promise<{schemaVersion: 1; kind: 'atlas-dry-run'; measurements: unknown[]}> {
  const atlas = specs.filter((s): s is AtlasSpec => s.kind === 'atlas')
  if (atlas.length === 0) {
    throw new AnyprobeError('E_USAGE', '--dry-run only applies to RIPE Atlas vantage points', {
      hint: 'add --from atlas:SELECTOR (e.g. atlas:country=NL,n=20); local, netns and ssh probes cost nothing',
      exitCode: EXIT.usage,
    })
  }
  const mod = await loadAtlas()
  const dryRun = mod?.atlasDryRun
  if (typeof dryRun !== 'function') throw atlasPartMissing('atlasDryRun')
  return {schemaVersion: 1, kind: 'atlas-dry-run', measurements: atlas.map((a) => ({selector: a.selector, ...dryRun(a.selector, plan)}))}
}

/** How many vantage points the backends will report, when every one of them knows. */
export function expectedCount(backends: readonly VantageBackend[]): number | null {
  let n = 0
  for (const b of backends) {
    const e = b.expected()
    if (e === null) return null
    n += e
  }
  return n
}

/**
 * Merge several outcome streams into one, each outcome as soon as its backend yields it. A backend
 * that throws does not stop the others: it ends as one failed outcome named after its spec,
 * carrying the error's code, message and hint. (A RIPE Atlas or Globalping backend that could not
 * measure never gets here: console/multi-run.ts makes its error the run's, ./remote-failure.ts.)
 */
export async function* mergeOutcomes(streams: Array<AsyncIterable<VantageOutcome>>, specs: readonly string[] = []): AsyncGenerator<VantageOutcome> {
  type Step = {i: number; r: IteratorResult<VantageOutcome>} | {i: number; error: unknown}
  const its = streams.map((s) => s[Symbol.asyncIterator]())
  const next = (i: number): Promise<Step> => its[i]!.next().then((r) => ({i, r}), (error: unknown) => ({i, error}))
  const pending = new Map<number, Promise<Step>>()
  its.forEach((_, i) => pending.set(i, next(i)))
  while (pending.size > 0) {
    const step = await Promise.race(pending.values())
    if ('error' in step) {
      pending.delete(step.i)
      yield backendFailure(specs[step.i] ?? `backend ${step.i + 1}`, step.error)
      continue
    }
    if (step.r.done) {
      pending.delete(step.i)
      continue
    }
    pending.set(step.i, next(step.i))
    yield step.r.value
  }
}

/** The outcome standing for a whole backend that failed. */
export function backendFailure(spec: string, e: unknown): VantageOutcome {
  const kind = (['local', 'netns', 'ssh', 'atlas', 'globalping'] as const).find((k) => spec.startsWith(k)) ?? 'replay'
  const err = e as {code?: unknown; message?: unknown; hint?: unknown}
  // the id in the form the kind's own vantage points use: only Atlas ids carry their "atlas:"
  // prefix; the others get "kind:" from the label (render/catchment.ts), which would say it twice
  const id = kind !== 'atlas' && spec.startsWith(`${kind}:`) ? spec.slice(kind.length + 1) : spec
  return {
    vantage: {kind, id, name: null, asn: null, country: null, lat: null, lon: null},
    result: null,
    error: {
      code: typeof err?.code === 'string' && /^E_[A-Z0-9_]+$/.test(err.code) ? err.code : 'E_INTERNAL',
      message: sanitize(typeof err?.message === 'string' ? err.message : String(e), 500),
      hint: typeof err?.hint === 'string' ? sanitize(err.hint, 300) : null,
    },
  }
}


// Waiting for a measurement's results: the result stream over WebSocket (Atlas's streaming API:
// connect to .../stream/, send ["atlas_subscribe", {streamType: "result", msm: ID}], receive
// ["atlas_subscribed", ...] then ["atlas_result", result] messages, ["atlas_error", ...] on errors),
// or polling GET /measurements/ID/results/?start=T. "auto" streams and falls back to polling when
// the stream cannot be used (non-public measurement, blocked WebSocket, dropped connection).
//
// Either way: raw results are yielded once each (deduplicated by probe, time and type), progress is
// reported as answered / requested probes, and waiting ends when every expected probe answered, the
// measurement stopped (one last fetch then), the overall timeout passed, or the signal aborted.
// The stream is public data: the API key is never sent to it.
import WebSocket from 'ws'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import {sanitize} from '../../util/sanitize.js'
import {type AtlasClient, defaultSleep} from './client.js'

export type WaitMode = 'auto' | 'stream' | 'poll'

const SUBSCRIBED = Symbol('subscribed')

export interface AtlasProgress {
  msmId: number
  /** distinct probes whose result arrived */
  answered: number
  /** probes expected (scheduled or requested); null when not known */
  requested: number | null
}

export interface WaitOptions {
  client: AtlasClient
  msmId: number
  /** probes to wait for; null: until the measurement stops or the timeout */
  expected: number | null
  /** overall deadline for waiting, ms */
  timeoutMs: number
  mode?: WaitMode
  /** WebSocket endpoint (AtlasConfig.streamUrl) */
  streamUrl?: string
  /** between two polls, and between two status checks while streaming, ms */
  pollIntervalMs?: number
  /** results before this unix time are not asked for (polling) */
  startTime?: number | null
  onProgress?: (p: AtlasProgress) => void
  signal?: AbortSignal
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => number
}

/** Measurement status ids after which no result will come (Atlas: Stopped, Forced to stop, No suitable probes, Failed, Archived...). */
const FINAL_STATUS = new Set([4, 5, 6, 7, 8])
const FINAL_NAMES = /^(stopped|forced to stop|no suitable probes|failed|archived|denied|canceled|cancelled)$/i

/** A measurement's status when it is one after which no result will come: its name and since when (unix s; null: not said). Null otherwise. */
export function finalStatusOf(m: Record<string, unknown> | null | undefined): {name: string; since: number | null} | null {
  const status = (m?.status ?? {}) as {id?: unknown; name?: unknown; when?: unknown}
  const final = (typeof status.id === 'number' && FINAL_STATUS.has(status.id)) || (typeof status.name === 'string' && FINAL_NAMES.test(status.name))
  if (!final) return null
  const since = [status.when, m?.stop_time].find((x) => typeof x === 'number' && Number.isFinite(x) && x > 0) as number | undefined
  return {name: sanitize(typeof status.name === 'string' ? status.name : `status ${String(status.id)}`, 40), since: since ?? null}
}

interface MeasurementStatus {
  final: boolean
  participants: number | null
}

export async function measurementStatus(client: AtlasClient, msmId: number): Promise<MeasurementStatus> {
  const m = await client.getJson<Record<string, unknown>>(`measurements/${msmId}/`)
  const final = finalStatusOf(m) !== null
  const p = [m?.participant_count, m?.probes_scheduled].find((x) => typeof x === 'number' && x > 0) as number | undefined
  return {final, participants: p ?? null}
}

/** The identity of a result for deduplication: the same result can come from the stream and a poll. */
export function resultKey(r: unknown): string | null {
  if (r === null || typeof r !== 'object') return null
  const o = r as Record<string, unknown>
  return `${String(o.prb_id)}|${String(o.timestamp)}|${String(o.type ?? o.msm_name)}|${String(o.msm_id)}`
}

class Tracker {
  private readonly seen = new Set<string>()
  private readonly probes = new Set<string>()
  requested: number | null

  constructor(
    readonly o: WaitOptions,
    readonly now: () => number,
    readonly deadline: number,
  ) {
    this.requested = o.expected
  }

  /** true when the result is new (and counts it) */
  accept(r: unknown): boolean {
    const k = resultKey(r)
    if (k === null) return true // not even an object: let the parser count it
    if (this.seen.has(k)) return false
    this.seen.add(k)
    const p = String((r as {prb_id?: unknown}).prb_id)
    if (!this.probes.has(p)) {
      this.probes.add(p)
      this.report()
    }
    return true
  }

  report(): void {
    this.o.onProgress?.({msmId: this.o.msmId, answered: this.probes.size, requested: this.requested})
  }

  setParticipants(n: number | null): void {
    // fewer probes scheduled than requested: wait only for those
    if (n !== null && (this.requested === null || n < this.requested)) {
      this.requested = n
      this.report()
    }
  }

  get complete(): boolean {
    return this.requested !== null && this.probes.size >= this.requested
  }

  get left(): number {
    return this.deadline - this.now()
  }

  get over(): boolean {
    return this.complete || this.left <= 0 || this.o.signal?.aborted === true
  }
}

export async function* waitForResults(o: WaitOptions): AsyncGenerator<unknown> {
  const now = o.now ?? Date.now
  const t = new Tracker(o, now, now() + o.timeoutMs)
  t.report()
  const mode = o.mode ?? 'auto'
  if (mode !== 'poll' && o.streamUrl) {
    try {
      yield* streamPhase(o, t)
      return
    } catch (e) {
      if (mode === 'stream' || t.over) throw e
      // fall through to polling for what is still missing
    }
  }
  yield* pollPhase(o, t)
}

async function* fetchAll(o: WaitOptions, t: Tracker): AsyncGenerator<unknown> {
  const query = o.startTime ? {start: Math.floor(o.startTime)} : {}
  for await (const r of o.client.getArray(`measurements/${o.msmId}/results/`, {...query, format: 'json'})) if (t.accept(r)) yield r
}

async function* pollPhase(o: WaitOptions, t: Tracker): AsyncGenerator<unknown> {
  const sleep = o.sleep ?? defaultSleep
  const interval = o.pollIntervalMs ?? 15_000
  for (;;) {
    yield* fetchAll(o, t)
    if (t.over) return
    const status = await measurementStatus(o.client, o.msmId)
    t.setParticipants(status.participants)
    if (status.final) {
      // results can land just after the status changes: one last look
      yield* fetchAll(o, t)
      return
    }
    if (t.over) return
    try {
      await sleep(Math.max(0, Math.min(interval, t.left)), o.signal)
    } catch {
      return // aborted
    }
    if (t.over) return
  }
}

/** A minimal async queue fed by WebSocket events. */
class Inbox<T> {
  private items: T[] = []
  private waiter: ((v: void) => void) | null = null
  failure: Error | null = null
  closed = false

  push(v: T): void {
    this.items.push(v)
    this.wake()
  }

  fail(e: Error): void {
    this.failure ??= e
    this.wake()
  }

  close(): void {
    this.closed = true
    this.wake()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  take(): T | undefined {
    return this.items.shift()
  }

  /** wait until something arrives or ms pass */
  wait(ms: number): Promise<void> {
    if (this.items.length > 0 || this.failure || this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null
        resolve()
      }, Math.max(0, ms))
      this.waiter = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

function streamError(message: string): AnyprobeError {
  return new AnyprobeError('E_NETWORK', `RIPE Atlas result stream: ${sanitize(message, 200)}`, {
    hint: 'the stream only carries public measurements; anyprobe falls back to polling the results (--atlas-wait poll skips the stream)',
    exitCode: EXIT.network,
  })
}

async function* streamPhase(o: WaitOptions, t: Tracker): AsyncGenerator<unknown> {
  const url = new URL(o.streamUrl!)
  url.searchParams.set('client', 'anyprobe')
  const inbox = new Inbox<unknown>()
  const ws = new WebSocket(url, {headers: {'User-Agent': 'anyprobe (RIPE Atlas backend)'}, handshakeTimeout: Math.min(15_000, Math.max(1000, t.left))})
  let subscribed = false
  ws.on('open', () => {
    ws.send(JSON.stringify(['atlas_subscribe', {streamType: 'result', msm: o.msmId}]))
  })
  ws.on('message', (data) => {
    let msg: unknown
    try {
      msg = JSON.parse(data.toString())
    } catch {
      return // not ours to judge; the stream sometimes carries keepalives
    }
    if (!Array.isArray(msg) || typeof msg[0] !== 'string') return
    const [type, payload] = msg as [string, unknown]
    if (type === 'atlas_result') inbox.push(payload)
    else if (type === 'atlas_subscribed') {
      subscribed = true
      inbox.push(SUBSCRIBED)
    } else if (type === 'atlas_error') inbox.fail(streamError(typeof payload === 'string' ? payload : JSON.stringify(payload)))
  })
  ws.on('error', (e) => inbox.fail(streamError((e as Error).message)))
  ws.on('close', () => inbox.close())
  const onAbort = (): void => inbox.close()
  o.signal?.addEventListener('abort', onAbort, {once: true})
  const statusEvery = o.pollIntervalMs ?? 30_000
  let nextStatus = t.now() + statusEvery
  try {
    for (;;) {
      if (t.over) return
      await inbox.wait(Math.min(t.left, Math.max(0, nextStatus - t.now())))
      let item: unknown
      while ((item = inbox.take()) !== undefined) {
        if (item === SUBSCRIBED) {
          // results that came before the subscription took effect are only in the API
          yield* fetchAll(o, t)
        } else if (t.accept(item)) {
          yield item
        }
        if (t.over) return
      }
      if (inbox.failure) throw inbox.failure
      if (inbox.closed) {
        if (o.signal?.aborted) return
        throw streamError(subscribed ? 'the connection closed' : 'the connection closed before the subscription was confirmed')
      }
      if (t.now() >= nextStatus) {
        nextStatus = t.now() + statusEvery
        const status = await measurementStatus(o.client, o.msmId)
        t.setParticipants(status.participants)
        if (status.final) {
          yield* fetchAll(o, t)
          return
        }
      }
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort)
    ws.removeAllListeners()
    ws.on('error', () => {})
    if (ws.readyState === WebSocket.OPEN) ws.close()
    else ws.terminate()
  }
}


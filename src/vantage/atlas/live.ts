// Following a recurring RIPE Atlas measurement live (`watch --from atlas:`): the results since a
// start time from the REST API (so each probe's state is known before the stream begins), then the
// public result stream (WebSocket: ["atlas_subscribe", {"streamType": "result", "msm": ID}]).
//
// Every subscription (the first and each one after a drop) is followed by a poll of
// results/?start=<newest timestamp delivered - one interval>: what the stream did not carry while
// it was down (or before the subscription took effect) comes from there. Stream results that
// arrive during that poll are held and delivered after it, each group in timestamp order, so a
// probe's results reach the caller in order. Results are delivered once each: deduplicated by
// probe id + timestamp (a bounded window per probe, so memory stays flat over any run length).
//
// A connection that stays open while no probe sends anything for `quietMs` is ended as quiet and
// reconnected the same way (its gap polled): RIPE Atlas probes that cannot reach the target still
// send timeout results, so that silence is the stream's, never the target's.
//
// A dropped stream is reconnected with exponential backoff (jittered, reset after a successful
// subscription). The stream is public data: the API key is never sent to it (no header, no URL
// parameter, nothing in the subscription); only the REST client holds it.
import WebSocket from 'ws'

import {sanitize} from '../../util/sanitize.js'
import {type AtlasClient, defaultSleep} from './client.js'

export type LiveVia = 'backfill' | 'stream' | 'gap'

export interface LiveStatus {
  kind: 'backfilled' | 'subscribed' | 'dropped' | 'gap-filled'
  /** results delivered by this step (backfill, gap) */
  results?: number
  /** why the stream dropped; the wait before reconnecting */
  reason?: string
  /** dropped because no probe sent anything for `quietMs` (the stream or the API failed, not the target) */
  quiet?: boolean
  retryInMs?: number
}

export interface AtlasLiveOptions {
  client: AtlasClient
  /** WebSocket endpoint (AtlasConfig.streamUrl) */
  streamUrl: string
  msmId: number
  /** the measurement's interval, s */
  intervalSec: number
  /** unix seconds: the backfill asks for results from here on */
  since: number
  signal: AbortSignal
  /** each new result, in timestamp order per probe; synchronous, so nothing piles up behind it */
  onResult: (raw: Record<string, unknown>, via: LiveVia) => void
  onStatus?: (s: LiveStatus) => void
  /** reconnect backoff: first wait and the longest, ms (default 1 s, 60 s) */
  backoffMs?: {base: number; max: number}
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  /**
   * A connection on which no result came from any probe for this long (ms, from the subscription or
   * the last result) is ended and reconnected, the gap polled: Atlas probes that cannot reach the
   * target still send timeout results, so silence from every probe is the stream's failure (a
   * connection the far end left open and quiet), not the target's. Null/absent: no idle limit.
   */
  quietMs?: number | null
}

/** Result identity for deduplication: probe id + timestamp (one measurement). A bounded window per probe. */
export class ResultDedupe {
  private readonly seen = new Map<number, number[]>()
  constructor(private readonly perProbe = 16) {}

  /** true when the result is new (and remembers it) */
  accept(prb: number, ts: number): boolean {
    let list = this.seen.get(prb)
    if (list === undefined) {
      list = []
      this.seen.set(prb, list)
    }
    if (list.includes(ts)) return false
    // older than the whole window: already delivered or far too late to matter; not new
    if (list.length >= this.perProbe && ts < list[0]!) return false
    list.push(ts)
    list.sort((a, b) => a - b)
    if (list.length > this.perProbe) list.shift()
    return true
  }
}

const tsOf = (r: Record<string, unknown>): number => (typeof r.timestamp === 'number' ? r.timestamp : Number.NaN)
const prbOf = (r: Record<string, unknown>): number => (typeof r.prb_id === 'number' ? r.prb_id : Number.NaN)
const byTime = (a: Record<string, unknown>, b: Record<string, unknown>): number => tsOf(a) - tsOf(b) || prbOf(a) - prbOf(b)

/** Follow the measurement until the signal aborts. Resolves then; REST failures of the backfill reject. */
export async function followAtlasMeasurement(o: AtlasLiveOptions): Promise<void> {
  const sleep = o.sleep ?? defaultSleep
  const random = o.random ?? Math.random
  const backoff = o.backoffMs ?? {base: 1000, max: 60_000}
  const dedupe = new ResultDedupe()
  // the newest result delivered (null: none yet; the gap then starts at `since`)
  let newest: number | null = null
  // wall-clock ms the last result was delivered (any path): the stream's idle timer counts from it
  let lastResultAt = 0
  const deliver = (list: Array<Record<string, unknown>>, via: LiveVia): number => {
    let n = 0
    for (const r of list.sort(byTime)) {
      const ts = tsOf(r)
      const prb = prbOf(r)
      if (!Number.isFinite(ts) || !Number.isFinite(prb)) continue // the parser would call it malformed; no timestamp: no place in time
      if (!dedupe.accept(prb, ts)) continue
      if (newest === null || ts > newest) newest = ts
      n++
      lastResultAt = Date.now()
      o.onResult(r, via)
    }
    return n
  }
  const poll = async (start: number): Promise<Array<Record<string, unknown>>> => {
    const out: Array<Record<string, unknown>> = []
    for await (const r of o.client.getArray(`measurements/${o.msmId}/results/`, {start: Math.max(0, Math.floor(start)), format: 'json'})) {
      if (r !== null && typeof r === 'object' && !Array.isArray(r)) out.push(r as Record<string, unknown>)
    }
    return out
  }

  const n = deliver(await poll(o.since), 'backfill')
  o.onStatus?.({kind: 'backfilled', results: n})

  let failures = 0
  while (!o.signal.aborted) {
    const reason = await streamOnce(o, deliver, poll, () => newest ?? o.since, () => {
      failures = 0
    }, () => lastResultAt)
    if (o.signal.aborted) break
    failures++
    const exp = Math.min(backoff.max, backoff.base * 2 ** (failures - 1))
    const wait = Math.round(exp / 2 + (exp / 2) * random())
    const quiet = reason.startsWith(QUIET)
    o.onStatus?.(quiet ? {kind: 'dropped', reason, retryInMs: wait, quiet} : {kind: 'dropped', reason, retryInMs: wait})
    try {
      await sleep(wait, o.signal)
    } catch {
      break // aborted
    }
  }
}

const QUIET = 'no result from any probe for'

/** One connection: subscribe, fill the gap, deliver until it closes. Resolves with why it ended. */
function streamOnce(
  o: AtlasLiveOptions,
  deliver: (list: Array<Record<string, unknown>>, via: LiveVia) => number,
  poll: (start: number) => Promise<Array<Record<string, unknown>>>,
  newest: () => number,
  onSubscribed: () => void,
  lastResultAt: () => number,
): Promise<string> {
  return new Promise((resolve) => {
    const url = new URL(o.streamUrl)
    url.searchParams.set('client', 'anyprobe')
    // no Authorization header, no key parameter: the stream is public
    const ws = new WebSocket(url, {headers: {'User-Agent': 'anyprobe (RIPE Atlas watch)'}, handshakeTimeout: 15_000})
    let held: Array<Record<string, unknown>> | null = null
    let filling: Promise<void> | null = null
    let ended = false
    let idle: NodeJS.Timeout | null = null
    const end = (why: string): void => {
      if (ended) return
      ended = true
      if (idle !== null) clearInterval(idle)
      o.signal.removeEventListener('abort', onAbort)
      ws.removeAllListeners()
      ws.on('error', () => {})
      if (ws.readyState === WebSocket.OPEN) ws.close()
      else ws.terminate()
      // a gap poll in flight still delivers (what it found and what was held) before the next connection
      void (filling ?? Promise.resolve()).then(() => resolve(why))
    }
    const onAbort = (): void => end('stopped')
    o.signal.addEventListener('abort', onAbort, {once: true})
    ws.on('open', () => ws.send(JSON.stringify(['atlas_subscribe', {streamType: 'result', msm: o.msmId}])))
    ws.on('message', (data) => {
      let msg: unknown
      try {
        msg = JSON.parse(data.toString())
      } catch {
        return
      }
      if (!Array.isArray(msg) || typeof msg[0] !== 'string') return
      const [type, payload] = msg as [string, unknown]
      if (type === 'atlas_result') {
        if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return
        const r = payload as Record<string, unknown>
        if (held !== null) held.push(r)
        else deliver([r], 'stream')
      } else if (type === 'atlas_subscribed') {
        onSubscribed()
        o.onStatus?.({kind: 'subscribed'})
        const quietMs = o.quietMs ?? null
        if (quietMs !== null && idle === null) {
          const subscribedAt = Date.now()
          idle = setInterval(() => {
            const since = Math.max(subscribedAt, lastResultAt())
            if (Date.now() - since >= quietMs) end(`${QUIET} ${Math.round((Date.now() - since) / 1000)}s though the connection stayed open`)
          }, Math.max(50, Math.min(1000, quietMs / 4)))
          idle.unref()
        }
        // the gap: what was measured while we were not subscribed is only in the API
        held = []
        filling = poll(newest() - o.intervalSec).then(
          (list) => {
            if (o.signal.aborted) return
            const n = deliver(list, 'gap')
            o.onStatus?.({kind: 'gap-filled', results: n})
            const h = held ?? []
            held = null
            deliver(h, 'stream')
          },
          (e: unknown) => {
            filling = null
            end(`filling the gap failed: ${sanitize((e as Error).message, 200)}`)
          },
        )
      } else if (type === 'atlas_error') {
        end(`the stream said: ${sanitize(typeof payload === 'string' ? payload : JSON.stringify(payload), 200)}`)
      }
    })
    ws.on('error', (e) => end(sanitize((e as Error).message, 200)))
    ws.on('close', () => end('the connection closed'))
  })
}

// RIPE Atlas REST client (the cousteau part): JSON over HTTP(S) with bounded retries, timeouts,
// pagination and errors that say what to do. Nothing here parses measurement results.
//
// Retries: GET is retried on 429, 5xx, timeouts and connection errors with exponential backoff
// (Retry-After honoured when the server sends it), up to `maxTries` attempts. POST (creating a
// measurement spends credits) is retried only where the server cannot have acted on it: 429 and
// 503, and a connection that was refused before anything was sent. A name that does not resolve
// or a network with no route (../remote-failure.ts noNetwork) is not retried at all: the machine
// is offline, and ten seconds of silent back-off only delay saying so.
//
// The key: sent only as `Authorization: Key <key>`, only to the API's own origin (a `next` link to
// another origin is refused), and scrubbed from every message this module produces.
import {request as httpRequest, type IncomingMessage} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {Readable} from 'node:stream'

import {JSONParser} from '@streamparser/json'

import {sleepUnlessAborted} from '../../util/sleep.js'
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {sanitize} from '../../util/sanitize.js'
import {noNetwork, noNetworkHint, socketErrorCode} from '../remote-failure.js'
import {ATLAS_URL_ENV, KEY_HINT, redactSecrets} from './config.js'

export interface AtlasClientOptions {
  /** API base URL, ending in "/" (see loadAtlasConfig) */
  apiUrl: string
  key?: string | null
  /** per-request timeout (connect + response), ms */
  timeoutMs?: number
  /** attempts per request, the first included */
  maxTries?: number
  /** first backoff, doubled on each retry */
  baseDelayMs?: number
  /** no single wait is longer than this (a longer Retry-After gives up instead) */
  maxDelayMs?: number
  /** injected for tests */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  signal?: AbortSignal
  userAgent?: string
  /** told about each retry (for progress output) */
  onRetry?: (info: {attempt: number; delayMs: number; reason: string; what: string; tries: number}) => void
  /** the most bytes one response body may have (default MAX_BODY_BYTES): an endless body stops here */
  maxBodyBytes?: number
}

/** A response body is held whole (JSON.parse): past this it is refused, not read on to exhaustion. */
export const MAX_BODY_BYTES = 256 << 20

export interface AtlasListPage<T> {
  count?: number
  next: string | null
  previous?: string | null
  results: T[]
}

interface RawResponse {
  status: number
  headers: IncomingMessage['headers']
  body: Buffer
}

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => sleepUnlessAborted(ms, signal, abortError)

function abortError(): AnyprobeError {
  return new AnyprobeError('E_TIMEOUT', 'RIPE Atlas request aborted', {hint: 'the run was interrupted or timed out', exitCode: EXIT.network})
}

class TransportError extends Error {
  constructor(
    // unreachable: no way to the host from here (no DNS answer, no route): nothing was sent
    readonly kind: 'timeout' | 'refused' | 'network' | 'unreachable',
    message: string,
  ) {
    super(message)
  }
}

/** Seconds or an HTTP date, as ms from now; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value
  if (v === undefined || v.trim() === '') return null
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000)
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : Math.max(0, t - now)
}

export class AtlasClient {
  readonly apiUrl: string
  private readonly origin: string
  // an ES private field: the key stays out of JSON.stringify and util.inspect of the client
  readonly #key: string | null
  private readonly timeoutMs: number
  private readonly maxTries: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  private readonly random: () => number
  private readonly signal: AbortSignal | undefined
  private readonly userAgent: string
  private readonly onRetry: AtlasClientOptions['onRetry']
  private readonly maxBodyBytes: number

  constructor(o: AtlasClientOptions) {
    this.apiUrl = o.apiUrl.endsWith('/') ? o.apiUrl : `${o.apiUrl}/`
    this.origin = new URL(this.apiUrl).origin
    this.#key = o.key ?? null
    this.timeoutMs = o.timeoutMs ?? 30_000
    this.maxTries = Math.max(1, o.maxTries ?? 5)
    this.baseDelayMs = o.baseDelayMs ?? 1000
    this.maxDelayMs = o.maxDelayMs ?? 60_000
    this.sleep = o.sleep ?? defaultSleep
    this.random = o.random ?? Math.random
    this.signal = o.signal
    this.userAgent = o.userAgent ?? 'anyprobe (RIPE Atlas backend)'
    this.onRetry = o.onRetry
    this.maxBodyBytes = o.maxBodyBytes ?? MAX_BODY_BYTES
  }

  get hasKey(): boolean {
    return this.#key !== null
  }

  /** Scrub the key from any text. */
  redact(text: string): string {
    return redactSecrets(text, [this.#key])
  }

  /** An absolute URL on the API's origin for a path relative to the base, or a `next` link. */
  url(pathOrUrl: string, query?: Record<string, string | number | boolean | undefined | null>): URL {
    const u = new URL(pathOrUrl, this.apiUrl)
    if (u.origin !== this.origin) {
      throw new AnyprobeError('E_BAD_INPUT', `RIPE Atlas pointed to another site (${sanitize(u.origin)}); not following it`, {
        hint: `the API base is ${this.origin}; a link elsewhere would receive the API key`,
        exitCode: EXIT.data,
      })
    }
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) u.searchParams.set(k, String(v))
    return u
  }

  async getJson<T>(pathOrUrl: string, query?: Record<string, string | number | boolean | undefined | null>): Promise<T> {
    const res = await this.send('GET', this.url(pathOrUrl, query), null)
    return this.json<T>(res, 'GET', pathOrUrl)
  }

  async postJson<T>(path: string, body: unknown): Promise<T> {
    const res = await this.send('POST', this.url(path), Buffer.from(JSON.stringify(body)))
    return this.json<T>(res, 'POST', path)
  }

  /** DELETE (stopping a measurement); not retried but where the server cannot have acted (429, 503, refused). */
  async deleteJson<T>(path: string): Promise<T> {
    const res = await this.send('DELETE', this.url(path), null)
    return this.json<T>(res, 'DELETE', path)
  }

  /** Every object of a paginated list, following `next` links (same origin only). */
  async *paginate<T>(path: string, query?: Record<string, string | number | boolean | undefined | null>): AsyncGenerator<T> {
    let next: string | null = this.url(path, query).toString()
    let pages = 0
    while (next !== null) {
      if (++pages > 10_000) throw new AnyprobeError('E_BAD_INPUT', 'RIPE Atlas pagination does not end', {hint: 'report this; the API kept returning `next` links', exitCode: EXIT.data})
      const page: AtlasListPage<T> = await this.getJson<AtlasListPage<T>>(next)
      if (page === null || typeof page !== 'object' || !Array.isArray(page.results)) {
        throw new AnyprobeError('E_BAD_INPUT', `RIPE Atlas sent a list without "results" for ${this.redact(path)}`, {hint: 'the API answer was not in the documented format', exitCode: EXIT.data})
      }
      for (const item of page.results) yield item
      next = typeof page.next === 'string' && page.next !== '' ? page.next : null
    }
  }

  /**
   * A JSON array (the results endpoint), element by element, without holding the whole body as
   * text: large measurements return megabytes. Retries like getJson until the body starts.
   */
  async *getArray(pathOrUrl: string, query?: Record<string, string | number | boolean | undefined | null>): AsyncGenerator<unknown> {
    const res = await this.send('GET', this.url(pathOrUrl, query), null)
    if (res.status >= 300) throw this.httpError(res, 'GET', pathOrUrl)
    yield* parseJsonArray(Readable.from([res.body]), this.redact(pathOrUrl))
  }

  private json<T>(res: RawResponse, method: string, path: string): T {
    if (res.status >= 300) throw this.httpError(res, method, path)
    if (res.status === 204 || res.body.length === 0) return null as T
    try {
      return JSON.parse(res.body.toString('utf8')) as T
    } catch {
      throw new AnyprobeError('E_BAD_INPUT', `RIPE Atlas answered ${method} ${this.redact(path)} with something that is not JSON`, {
        hint: 'check ANYPROBE_ATLAS_URL points at the Atlas API (…/api/v2/); a proxy or captive portal may be answering',
        exitCode: EXIT.data,
      })
    }
  }

  /** The error for a final (non-retried) HTTP status. */
  private httpError(res: RawResponse, method: string, path: string): AnyprobeError {
    const detail = this.atlasDetail(res.body)
    const what = `${method} ${this.redact(path)}`
    const said = detail ? `: ${detail}` : ''
    if (res.status === 401 || res.status === 403) {
      const why = this.#key === null ? 'no API key was given' : 'the API key was refused (unknown, disabled, expired, or without this permission)'
      return new AnyprobeError('E_USAGE', `RIPE Atlas refused ${what} (HTTP ${res.status}): ${why}${said}`, {hint: KEY_HINT, exitCode: EXIT.usage})
    }
    if (res.status === 404) {
      return new AnyprobeError('E_USAGE', `RIPE Atlas has no ${what} (HTTP 404)${said}`, {
        hint: 'check the measurement or probe id; non-public measurements need the key of their owner',
        exitCode: EXIT.usage,
      })
    }
    if (res.status === 400) {
      return new AnyprobeError('E_USAGE', `RIPE Atlas rejected ${what} (HTTP 400)${said}`, {
        hint: 'the measurement definition or probe selection was refused; see the reason above (anyprobe ... --dry-run shows the request)',
        exitCode: EXIT.usage,
      })
    }
    if (res.status === 429 || res.status >= 500) {
      return new AnyprobeError('E_NETWORK', `RIPE Atlas kept failing on ${what} (last: HTTP ${res.status})${said}`, {
        hint: `gave up after ${this.maxTries} tries; RIPE Atlas may be overloaded or down (https://atlas.ripe.net/); try again later`,
        exitCode: EXIT.network,
      })
    }
    return new AnyprobeError('E_NETWORK', `RIPE Atlas answered ${what} with HTTP ${res.status}${said}`, {
      hint: 'unexpected answer from the API; check ANYPROBE_ATLAS_URL',
      exitCode: EXIT.network,
    })
  }

  /** Atlas errors: {"error": {"status", "code", "title", "detail", "errors": [{"detail", "source"}]}}. */
  private atlasDetail(body: Buffer): string | null {
    if (body.length === 0) return null
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      return null
    }
    const err = (parsed as {error?: {detail?: unknown; title?: unknown; errors?: unknown}} | null)?.error
    if (!err || typeof err !== 'object') return null
    const parts: string[] = []
    if (typeof err.detail === 'string') parts.push(err.detail)
    else if (typeof err.title === 'string') parts.push(err.title)
    if (Array.isArray(err.errors)) {
      for (const e of err.errors.slice(0, 5) as Array<{detail?: unknown; source?: {pointer?: unknown}}>) {
        if (typeof e?.detail !== 'string') continue
        const where = typeof e.source?.pointer === 'string' ? `${e.source.pointer}: ` : ''
        parts.push(`${where}${e.detail}`)
      }
    }
    return parts.length === 0 ? null : this.redact(sanitize(parts.join('; '), 400))
  }

  private backoff(attempt: number, retryAfter: number | null): number {
    if (retryAfter !== null) return retryAfter
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1))
    // "equal jitter": half fixed, half random, so many clients do not retry in step
    return Math.round(exp / 2 + (exp / 2) * this.random())
  }

  private async send(method: 'GET' | 'POST' | 'DELETE', url: URL, body: Buffer | null): Promise<RawResponse> {
    let last: {reason: string; res: RawResponse | null; kind: TransportError['kind'] | null} = {reason: '', res: null, kind: null}
    for (let attempt = 1; attempt <= this.maxTries; attempt++) {
      if (this.signal?.aborted) throw abortError()
      let retryAfter: number | null = null
      let retryable = false
      try {
        const res = await this.once(method, url, body)
        const transient = res.status === 429 || res.status >= 500
        if (!transient) return res
        last = {reason: `HTTP ${res.status}`, res, kind: null}
        retryable = method === 'GET' || res.status === 429 || res.status === 503
        retryAfter = retryAfterMs(res.headers['retry-after'])
        if (!retryable) return res
      } catch (error) {
        if (!(error instanceof TransportError)) throw error
        last = {reason: error.message, res: null, kind: error.kind}
        retryable = error.kind !== 'unreachable' && (method === 'GET' || error.kind === 'refused')
        if (!retryable) break
      }
      if (attempt === this.maxTries) break
      const delay = this.backoff(attempt, retryAfter)
      if (delay > this.maxDelayMs) {
        last.reason += ` (the server asked to wait ${Math.round(delay / 1000)} s)`
        break
      }
      this.onRetry?.({attempt, delayMs: delay, reason: this.redact(last.reason), what: `${method} ${this.redact(url.pathname)}`, tries: this.maxTries})
      await this.sleep(delay, this.signal)
    }
    if (last.res) return last.res
    const what = `${method} ${this.redact(url.pathname)}`
    const host = this.redact(url.host)
    if (last.kind === 'timeout') {
      throw new AnyprobeError('E_TIMEOUT', `RIPE Atlas did not answer ${what} within ${this.timeoutMs} ms (${this.maxTries} tries)`, {
        hint: `check the network path to ${host}; the API may be slow, try again later`,
        exitCode: EXIT.network,
      })
    }
    if (last.kind === 'unreachable') {
      throw new AnyprobeError('E_NETWORK', `cannot reach RIPE Atlas for ${what}: ${this.redact(last.reason)}`, {
        hint: noNetworkHint('RIPE Atlas', ATLAS_URL_ENV, this.redact(this.apiUrl)),
        exitCode: EXIT.network,
      })
    }
    throw new AnyprobeError('E_NETWORK', `cannot reach RIPE Atlas at ${host} for ${what}: ${this.redact(last.reason)}`, {
      hint: `check the network and ANYPROBE_ATLAS_URL (now ${this.redact(this.apiUrl)})`,
      exitCode: EXIT.network,
    })
  }

  private once(method: 'GET' | 'POST' | 'DELETE', url: URL, body: Buffer | null): Promise<RawResponse> {
    const headers: Record<string, string> = {Accept: 'application/json', 'User-Agent': this.userAgent}
    if (this.#key !== null) headers.Authorization = `Key ${this.#key}`
    if (body !== null) {
      headers['Content-Type'] = 'application/json'
      headers['Content-Length'] = String(body.length)
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false
      let sent = false
      const finish = (fn: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.signal?.removeEventListener('abort', onAbort)
        fn()
      }
      const req = request(url, {method, headers}, (res) => {
        const chunks: Buffer[] = []
        let bytes = 0
        res.on('data', (c: Buffer) => {
          bytes += c.length
          if (bytes <= this.maxBodyBytes) {
            chunks.push(c)
            return
          }
          // not a TransportError: a body this size is not retried, it would come again
          req.destroy()
          const mib = Math.round(this.maxBodyBytes / 2 ** 20)
          finish(() =>
            reject(
              new AnyprobeError('E_BAD_INPUT', `RIPE Atlas answered ${method} ${this.redact(url.pathname)} with more than ${mib} MiB; stopped reading there`, {
                hint: 'a body this large is not an API answer anyprobe expects; for a very large measurement, download its results and read them with `anyprobe report FILE` (streamed)',
                exitCode: EXIT.data,
              }),
            ),
          )
        })
        res.on('end', () => finish(() => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)})))
        res.on('error', (e) => finish(() => reject(new TransportError('network', sanitize(e.message)))))
      })
      const timer = setTimeout(() => {
        req.destroy()
        finish(() => reject(new TransportError('timeout', `no answer within ${this.timeoutMs} ms`)))
      }, this.timeoutMs)
      const onAbort = (): void => {
        req.destroy()
        finish(() => reject(abortError()))
      }
      this.signal?.addEventListener('abort', onAbort, {once: true})
      req.on('socket', (s) => {
        // a kept-alive socket is already connected
        if (s.connecting) s.once('connect', () => (sent = true))
        else sent = true
      })
      req.on('error', (e: NodeJS.ErrnoException) => {
        const code = socketErrorCode(e)
        // no DNS answer or no route: this host is offline, asking again will not help
        const offline = !sent ? noNetwork(code, url.hostname) : null
        if (offline !== null) return finish(() => reject(new TransportError('unreachable', sanitize(offline))))
        // ECONNREFUSED before connecting: nothing reached the server, safe to retry even a POST
        const kind = code === 'ECONNREFUSED' && !sent ? 'refused' : 'network'
        finish(() => reject(new TransportError(kind, sanitize(code ?? e.message))))
      })
      req.end(body ?? undefined)
    })
  }
}

/**
 * Elements of a top-level JSON array read from a stream, one at a time (@streamparser/json), so a
 * large results download is parsed as it arrives. A body that is not an array is E_BAD_INPUT.
 */
export async function* parseJsonArray(source: AsyncIterable<Buffer | string>, what = 'RIPE Atlas results'): AsyncGenerator<unknown> {
  const parser = new JSONParser({paths: ['$.*'], keepStack: false})
  const out: unknown[] = []
  let failure: Error | null = null
  // '[' once the first non-blank character has been seen; a top-level object is not a list
  let first: string | null = null
  parser.onValue = ({value}) => {
    out.push(value)
  }
  parser.onError = (e) => {
    failure = e
  }
  for await (const chunk of source) {
    if (first === null) {
      const m = /\S/.exec(typeof chunk === 'string' ? chunk : chunk.toString('latin1', 0, Math.min(chunk.length, 64)))
      if (m) first = m[0]
      if (first !== null && first !== '[') failure = new Error('not a JSON array')
    }
    if (!failure) {
      try {
        parser.write(chunk)
      } catch (e) {
        failure = e as Error
      }
    }
    while (out.length > 0) yield out.shift()
    if (failure) break
  }
  if (!failure && first === null) failure = new Error('empty body')
  if (!failure && !parser.isEnded) {
    try {
      parser.end()
    } catch (e) {
      failure = e as Error
    }
  }
  while (out.length > 0) yield out.shift()
  if (failure) {
    throw new AnyprobeError('E_BAD_INPUT', `${what}: the body is not a complete JSON array (${sanitize((failure as Error).message, 120)})`, {
      hint: 'the download was cut short or the server sent something else; try again',
      exitCode: EXIT.data,
    })
  }
}


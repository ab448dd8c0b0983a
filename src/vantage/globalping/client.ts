// Globalping REST client: create a measurement, poll it until it is done, the way the API asks
// (public/v1/spec.yaml and jsdelivr/globalping-typescript's awaitMeasurement):
//
//   POST /measurements  -> 202 {id, probesCount} + X-RateLimit-* headers. Never retried: it spends
//                          the hourly budget. 429 (rate_limit_exceeded / insufficient_credits) is an
//                          error that says when the limit resets (X-RateLimit-Reset) and what helps.
//   GET /measurements/ID -> while "in-progress", wait 500 ms AFTER each response and ask again
//                          (If-None-Match, so an unchanged measurement is a 304); 429 waits
//                          Retry-After; give up after the measurement's timeout plus a margin.
//
// The token is sent only as `Authorization: Bearer <token>`, and scrubbed from every message.
// Nothing here parses results (parse.ts does). Exported for watch (helper i14) as well:
// createMeasurement, awaitMeasurement / pollMeasurement, sustainableIntervalMs.
import {sleepUnlessAborted} from '../../util/sleep.js'
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {sanitize} from '../../util/sanitize.js'
import {redactSecrets} from '../atlas/config.js'
import {noNetwork, noNetworkHint, socketErrorCode} from '../remote-failure.js'
import {GLOBALPING_URL_ENV, TOKEN_HINT} from './config.js'
import type {GlobalpingMeasurement, GlobalpingRequest} from './types.js'

/** Wait after each in-progress answer (the API's polling guidance). */
export const POLL_INTERVAL_MS = 500
/** The server marks a measurement finished after 30 s regardless (config measurement.timeout). */
export const SERVER_MEASUREMENT_TIMEOUT_MS = 30_000
/** Margin on top of the measurement's timeout before the client gives up (the TS client adds 10 s). */
export const GIVE_UP_MARGIN_MS = 15_000
/** How long Globalping keeps a measurement, its results and its probe list (config measurement.resultTTL). */
export const RESULT_TTL_MS = 7 * 24 * 3_600_000
/** Anonymous hourly budget (points = probes); 500 with a token. */
export const ANON_LIMIT_PER_HOUR = 250
export const TOKEN_LIMIT_PER_HOUR = 500

export interface RateLimitInfo {
  limit: number | null
  consumed: number | null
  remaining: number | null
  /** seconds until the hourly window resets */
  resetSeconds: number | null
  /** points this request cost */
  cost: number | null
  creditsRemaining: number | null
}

export interface CreatedMeasurement {
  id: string
  probesCount: number
  rate: RateLimitInfo
}

export interface GlobalpingClientOptions {
  apiUrl: string
  token?: string | null
  /** per HTTP request, ms */
  requestTimeoutMs?: number
  /** test seams */
  fetch?: typeof fetch
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => number
  signal?: AbortSignal
  userAgent?: string
}

export interface PollOptions {
  /** the measurement's own timeout (probe side); default: the server's 30 s */
  measurementTimeoutMs?: number
  /** added to it before giving up */
  marginMs?: number
  intervalMs?: number
  signal?: AbortSignal
}

const sleepFor = (ms: number, signal?: AbortSignal): Promise<void> => sleepUnlessAborted(ms, signal, aborted)

function aborted(): AnyprobeError {
  return new AnyprobeError('E_TIMEOUT', 'Globalping request aborted', {hint: 'the run was interrupted', exitCode: EXIT.network})
}

function intHeader(h: Headers, name: string): number | null {
  const v = h.get(name)
  if (v === null || !/^\s*\d+\s*$/.test(v)) return null
  return Number(v)
}

export function rateLimitOf(h: Headers): RateLimitInfo {
  return {
    limit: intHeader(h, 'x-ratelimit-limit'),
    consumed: intHeader(h, 'x-ratelimit-consumed'),
    remaining: intHeader(h, 'x-ratelimit-remaining'),
    resetSeconds: intHeader(h, 'x-ratelimit-reset'),
    cost: intHeader(h, 'x-request-cost'),
    creditsRemaining: intHeader(h, 'x-credits-remaining'),
  }
}

/** Retry-After in ms (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000)
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : Math.max(0, t - now)
}

/**
 * The shortest interval at which N probes can be measured again and again without ever hitting
 * the hourly limit: each measurement costs N points out of `limitPerHour`. Never below the time a
 * measurement takes to finish on the server (so runs do not overlap).
 */
export function sustainableIntervalMs(probes: number, limitPerHour: number = ANON_LIMIT_PER_HOUR, minMs = 5_000): number {
  if (!(probes >= 1) || !(limitPerHour >= 1)) throw new AnyprobeError('E_USAGE', 'probes and the hourly limit must be at least 1', {exitCode: EXIT.usage})
  if (probes > limitPerHour) {
    throw new AnyprobeError('E_USAGE', `${probes} probes cost more than the whole hourly limit (${limitPerHour})`, {hint: `ask for at most ${limitPerHour} probes; ${TOKEN_HINT}`, exitCode: EXIT.usage})
  }
  return Math.max(minMs, Math.ceil((3_600_000 * probes) / limitPerHour))
}

/**
 * A measurement asked for with `locations: <an earlier measurement's id>` that Globalping answered
 * 422 no_probes_found: it no longer knows that measurement's probes (kept RESULT_TTL_MS, then gone;
 * or the id never existed). The API says it with the same 422 as a location that matched no probe
 * (jsdelivr/globalping src/probe/router.ts findWithMeasurementId returns no probes, runner.ts
 * answers 422), so anyprobe says which it is: the same probes cannot be asked for again by this id.
 */
export class GlobalpingProbesGone extends AnyprobeError {
  readonly measurementId: string
  constructor(measurementId: string, said: string) {
    super('E_USAGE', `Globalping no longer knows the probes of measurement ${sanitize(measurementId, 64)} (HTTP 422 no_probes_found${said}): it keeps a measurement ${RESULT_TTL_MS / 86_400_000} days, or the id is wrong`, {
      hint: 'measure with locations again (globalping:LOC,...), which may select other probes',
      exitCode: EXIT.usage,
    })
    this.measurementId = measurementId
  }
}

interface ApiErrorBody {
  error?: {type?: unknown; message?: unknown; params?: unknown}
}

export class GlobalpingClient {
  readonly apiUrl: string
  readonly #token: string | null
  readonly #fetch: typeof fetch
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly #now: () => number
  readonly #signal: AbortSignal | undefined
  readonly #timeoutMs: number
  readonly #ua: string

  constructor(o: GlobalpingClientOptions) {
    this.apiUrl = o.apiUrl.replace(/\/+$/, '')
    this.#token = o.token ?? null
    this.#fetch = o.fetch ?? fetch
    this.#sleep = o.sleep ?? sleepFor
    this.#now = o.now ?? Date.now
    this.#signal = o.signal
    this.#timeoutMs = o.requestTimeoutMs ?? 30_000
    this.#ua = o.userAgent ?? 'anyprobe (https://github.com/anyprobe/anyprobe)'
  }

  get hasToken(): boolean {
    return this.#token !== null
  }

  /** Any text that leaves the client: the token never does. */
  redact(text: string): string {
    return redactSecrets(text, [this.#token])
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {accept: 'application/json', 'accept-encoding': 'br, gzip', 'user-agent': this.#ua, ...extra}
    if (this.#token !== null) h.authorization = `Bearer ${this.#token}`
    return h
  }

  private async send(method: 'GET' | 'POST', path: string, body: unknown, extra: Record<string, string> = {}): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const signal = this.#signal ? AbortSignal.any([this.#signal, timeout]) : timeout
    try {
      return await this.#fetch(`${this.apiUrl}/${path}`, {
        method,
        headers: this.headers(body === undefined ? extra : {...extra, 'content-type': 'application/json'}),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: 'error',
      })
    } catch (e) {
      if (this.#signal?.aborted) throw aborted()
      const err = e as Error & {cause?: {code?: string; message?: string}}
      if (timeout.aborted) {
        throw new AnyprobeError('E_TIMEOUT', `Globalping did not answer ${method} /${path} within ${Math.round(this.#timeoutMs / 1000)} s`, {hint: 'try again later; check ANYPROBE_GLOBALPING_URL', exitCode: EXIT.network})
      }
      // no DNS answer, no route: nothing was sent (a POST created nothing), and the hint says what to check
      const offline = noNetwork(socketErrorCode(err.cause), sanitize(new URL(this.apiUrl).hostname, 100))
      if (offline !== null) {
        throw new AnyprobeError('E_NETWORK', `cannot reach Globalping for ${method} /${path}: ${offline}`, {hint: noNetworkHint('Globalping', GLOBALPING_URL_ENV, sanitize(this.redact(this.apiUrl), 200)), exitCode: EXIT.network})
      }
      const why = err.cause?.code ?? err.cause?.message ?? err.message
      throw new AnyprobeError('E_NETWORK', `cannot reach Globalping at ${sanitize(new URL(this.apiUrl).host, 100)}: ${sanitize(this.redact(String(why)), 200)}`, {
        hint: 'check the network and ANYPROBE_GLOBALPING_URL',
        exitCode: EXIT.network,
      })
    }
  }

  private async errorOf(res: Response, what: string): Promise<AnyprobeError> {
    let type = ''
    let message = ''
    let params = ''
    try {
      const b = (await res.json()) as ApiErrorBody
      type = typeof b?.error?.type === 'string' ? b.error.type : ''
      message = typeof b?.error?.message === 'string' ? b.error.message : ''
      if (b?.error?.params !== null && typeof b?.error?.params === 'object') {
        params = Object.entries(b.error.params as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`).join('; ')
      }
    } catch {
      // not JSON: the status alone
    }
    const said = sanitize(this.redact([message, params].filter((s) => s !== '').join(' — ')), 400)
    const tail = said === '' ? '' : `: ${said}`
    const s = res.status
    if (s === 422) {
      return new AnyprobeError('E_USAGE', `Globalping found no probes for ${what} (HTTP 422 ${sanitize(type || 'no_probes_found', 40)})${tail}`, {
        hint: 'the locations matched no online probe: widen them (e.g. a country or continent instead of a city, "world"), check tag names (tags get renamed, e.g. datacenter-network), or lower limit=',
        exitCode: EXIT.usage,
      })
    }
    if (s === 400) {
      return new AnyprobeError('E_USAGE', `Globalping rejected ${what} (HTTP 400 ${sanitize(type || 'validation_error', 40)})${tail}`, {
        hint: 'check the locations and options; note that Globalping refuses private and reserved target addresses',
        exitCode: EXIT.usage,
      })
    }
    if (s === 401 || s === 403) {
      return new AnyprobeError('E_USAGE', `Globalping refused the token (HTTP ${s})${tail}`, {hint: `check ANYPROBE_GLOBALPING_TOKEN; ${TOKEN_HINT}`, exitCode: EXIT.usage})
    }
    if (s === 404) {
      return new AnyprobeError('E_USAGE', `Globalping has no ${what} (HTTP 404)${tail}`, {hint: 'results are kept 7 days; check the measurement id', exitCode: EXIT.usage})
    }
    return new AnyprobeError('E_NETWORK', `Globalping answered ${what} with HTTP ${s}${tail}`, {hint: 'try again later; check ANYPROBE_GLOBALPING_URL', exitCode: EXIT.network})
  }

  /** POST /measurements. Not retried: a measurement spends the hourly budget. */
  async createMeasurement(body: GlobalpingRequest): Promise<CreatedMeasurement> {
    const res = await this.send('POST', 'measurements', body)
    const rate = rateLimitOf(res.headers)
    if (res.status === 429) throw await this.rateLimitError(res, rate)
    if (res.status === 422 && typeof body.locations === 'string') {
      const e = await this.errorOf(res, 'the measurement')
      const said = /: (.*)$/s.exec(e.message)?.[1]
      throw new GlobalpingProbesGone(body.locations, said === undefined ? '' : `: ${said}`)
    }
    if (res.status !== 202 && res.status !== 200 && res.status !== 201) throw await this.errorOf(res, 'the measurement')
    let created: {id?: unknown; probesCount?: unknown}
    try {
      created = (await res.json()) as {id?: unknown; probesCount?: unknown}
    } catch {
      created = {}
    }
    const id = created?.id
    if (typeof id !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(id)) {
      throw new AnyprobeError('E_BAD_INPUT', 'Globalping accepted the measurement but sent no usable measurement id', {hint: 'the API answer was not in the documented format', exitCode: EXIT.data})
    }
    const probesCount = typeof created.probesCount === 'number' && Number.isInteger(created.probesCount) && created.probesCount >= 0 ? created.probesCount : 0
    return {id, probesCount, rate}
  }

  private async rateLimitError(res: Response, rate: RateLimitInfo): Promise<AnyprobeError> {
    let type = 'rate_limit_exceeded'
    let message = ''
    try {
      const b = (await res.json()) as ApiErrorBody
      if (typeof b?.error?.type === 'string') type = b.error.type
      if (typeof b?.error?.message === 'string') message = b.error.message
    } catch {
      // the headers say enough
    }
    const reset = rate.resetSeconds
    const when = reset === null ? 'later' : `in ${reset} s (at ${new Date(this.#now() + reset * 1000).toISOString().slice(11, 19)} UTC)`
    const status = [rate.limit !== null ? `limit ${rate.limit}/h` : null, rate.remaining !== null ? `${rate.remaining} left` : null, rate.cost !== null ? `this measurement costs ${rate.cost}` : null, rate.creditsRemaining !== null ? `${rate.creditsRemaining} credits left` : null]
      .filter((x) => x !== null)
      .join(', ')
    const credits = type === 'insufficient_credits'
    return new AnyprobeError(
      'E_NETWORK',
      `Globalping refused the measurement: ${sanitize(type, 40)}${status ? ` (${status})` : ''}; the limit resets ${when}${message ? ` — ${sanitize(this.redact(message), 200)}` : ''}`,
      {
        hint: credits
          ? 'ask for fewer probes (limit=N), wait for the reset, or add credits at https://dash.globalping.io'
          : this.hasToken
            ? 'ask for fewer probes (limit=N) or wait for the reset; credits raise the limit (https://dash.globalping.io)'
            : `ask for fewer probes (limit=N) or wait for the reset; ${TOKEN_HINT}`,
        exitCode: EXIT.network,
      },
    )
  }

  /** One GET of a measurement; `etag` makes an unchanged one a 304 (null body). 429 waits Retry-After and asks again. */
  async getMeasurement(id: string, o: {etag?: string | null; deadline?: number} = {}): Promise<{measurement: GlobalpingMeasurement | null; etag: string | null}> {
    if (!/^[A-Za-z0-9]{1,64}$/.test(id)) throw new AnyprobeError('E_USAGE', `"${sanitize(id, 80)}" is not a Globalping measurement id`, {hint: 'ids are letters and digits, e.g. 2Rk8vTq3NcWm5YpLa00020hJ0', exitCode: EXIT.usage})
    let transient = 0
    for (;;) {
      const res = await this.send('GET', `measurements/${id}`, undefined, o.etag ? {'if-none-match': o.etag} : {})
      if (res.status === 304) return {measurement: null, etag: o.etag ?? null}
      if (res.status === 200) {
        let body: unknown
        try {
          body = await res.json()
        } catch {
          throw new AnyprobeError('E_BAD_INPUT', `Globalping answered measurement ${id} with something that is not JSON`, {hint: 'the API answer was not in the documented format', exitCode: EXIT.data})
        }
        if (body === null || typeof body !== 'object' || !Array.isArray((body as {results?: unknown}).results)) {
          throw new AnyprobeError('E_BAD_INPUT', `Globalping sent measurement ${id} without a results list`, {hint: 'the API answer was not in the documented format', exitCode: EXIT.data})
        }
        return {measurement: body as GlobalpingMeasurement, etag: res.headers.get('etag')}
      }
      let waitMs: number
      if (res.status === 429) {
        // the GET limiter (5 points / 2 s per measurement, 5 s block): wait as told, once per answer
        waitMs = retryAfterMs(res.headers.get('retry-after'), this.#now()) ?? 5_000
        await res.body?.cancel()
      } else if (res.status >= 500 && ++transient <= 3) {
        waitMs = 1000 * 2 ** (transient - 1)
        await res.body?.cancel()
      } else {
        throw await this.errorOf(res, `measurement ${id}`)
      }
      if (o.deadline !== undefined && this.#now() + waitMs > o.deadline) {
        throw new AnyprobeError('E_TIMEOUT', `Globalping measurement ${id}: still rate limited or failing (HTTP ${res.status}) when the wait ran out`, {
          hint: `its results are kept 7 days: read them later with --from globalping:msm=${id}`,
          exitCode: EXIT.network,
        })
      }
      await this.#sleep(waitMs, this.#signal)
    }
  }

  /**
   * Every new state of a measurement until it is no longer in progress (the last one yielded is
   * final). Waits `intervalMs` after each in-progress answer; gives up with E_TIMEOUT after the
   * measurement's timeout plus the margin.
   */
  async *pollMeasurement(id: string, o: PollOptions = {}): AsyncGenerator<GlobalpingMeasurement> {
    const budgetMs = (o.measurementTimeoutMs ?? SERVER_MEASUREMENT_TIMEOUT_MS) + (o.marginMs ?? GIVE_UP_MARGIN_MS)
    const deadline = this.#now() + budgetMs
    const signal = o.signal ?? this.#signal
    let etag: string | null = null
    let last: GlobalpingMeasurement | null = null
    for (;;) {
      const got = await this.getMeasurement(id, {etag, deadline})
      if (got.measurement !== null) {
        last = got.measurement
        etag = got.etag
        yield last
        if (last.status !== 'in-progress') return
      }
      if (this.#now() + (o.intervalMs ?? POLL_INTERVAL_MS) > deadline) {
        const done = last?.results?.filter((r) => r?.result?.status !== 'in-progress').length ?? 0
        throw new AnyprobeError('E_TIMEOUT', `Globalping measurement ${id} was still in progress after ${Math.round(budgetMs / 1000)} s (${done}/${last?.results?.length ?? '?'} probes done)`, {
          hint: `its results are kept 7 days: read them later with --from globalping:msm=${id}`,
          exitCode: EXIT.network,
        })
      }
      await this.#sleep(o.intervalMs ?? POLL_INTERVAL_MS, signal)
    }
  }

  /** Poll until the measurement is done; its final state. */
  async awaitMeasurement(id: string, o: PollOptions = {}): Promise<GlobalpingMeasurement> {
    let last: GlobalpingMeasurement | null = null
    for await (const m of this.pollMeasurement(id, o)) last = m
    return last!
  }
}

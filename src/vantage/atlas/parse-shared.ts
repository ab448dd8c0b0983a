// What every RIPE Atlas result parser (./parse-*.ts) shares: the types of a parse, the small
// readers of fields (numbers may come as strings from old firmware; text is untrusted), the error
// a probe reported or a result that could not be read, and the outcomes made of them.
import type {ErrorCode} from '../../model/errors.js'
import type {VantagePoint} from '../../model/vantage.js'
import {boundedJson} from '../../util/json-safe.js'
import {sanitize} from '../../util/sanitize.js'
import type {VantageError, VantageOutcome} from '../types.js'
import {atlasVantage} from './probe-meta.js'

// ---- measurement metadata (the parts parsing uses) ----

/** Fields of a measurement object (/api/v2/measurements/ID/) that say how results were made. */
export interface AtlasMeasurementMeta {
  id?: number
  type?: string | {name?: string}
  af?: number
  target?: string
  protocol?: string
  packets?: number
  max_hops?: number
  first_hop?: number
  response_timeout?: number
  port?: number
  paris?: number
  query_argument?: string
  query_class?: string
  query_type?: string
  set_nsid_bit?: boolean
  timeout?: number
  [more: string]: unknown
}

// ---- the parse result ----

export interface AtlasResultMeta {
  /** "traceroute", "dns", ... as the result says (or inferred for old firmware) */
  type: string | null
  msmId: number | null
  probeId: number | null
  firmware: number | null
  /** "from": the probe's public address as the controller saw it */
  origin: string | null
  srcAddr: string | null
  dstAddr: string | null
  dstName: string | null
  af: 4 | 6 | null
  /** "timestamp", ISO 8601 */
  createdAt: string | null
  /** "endtime" (traceroute), ISO 8601 */
  endTime: string | null
  /** seconds since the probe's clock was last known in sync; -1 = unknown */
  lts: number | null
}

export type AtlasParseStatus = 'ok' | 'probe-error' | 'malformed' | 'unsupported'

export interface AtlasParsed {
  status: AtlasParseStatus
  meta: AtlasResultMeta
  /** one per measurement in the result (status ok), or one carrying the error */
  outcomes: VantageOutcome[]
  /** why it could not be parsed (status malformed / unsupported); null otherwise */
  reason: string | null
}

export interface AtlasParseContext {
  /** the measurement the result belongs to: fills parameters the result itself does not carry */
  measurement?: AtlasMeasurementMeta | null
}

// ---- small readers (numbers may come as strings from old firmware) ----

export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'string' && v.trim() !== '' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v)
  return null
}

export function int(v: unknown): number | null {
  const n = num(v)
  return n !== null && Number.isInteger(n) ? n : null
}

export function posInt(v: unknown): number | null {
  const n = int(v)
  return n !== null && n > 0 ? n : null
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

/**
 * An address field: kept when it looks like an address (text from the probe is untrusted): 2 to 45
 * of 0-9 A-F a-f : . (what /^[0-9A-Fa-f:.]{2,45}$/ accepts; a loop, as every reply has one).
 */
export function addr(v: unknown): string | null {
  if (typeof v !== 'string' || v.length < 2 || v.length > 45) return null
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    // 0-9 and ':' (48-58), '.', A-F, a-f
    if (!((c >= 48 && c <= 58) || c === 46 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return null
  }
  return v
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

/** An RTT: > 0 ms, rounded to µs; anything else is null (never 0). A number written as a string is one (sagan reads float(rtt)). */
export function rtt(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? num(v) : null
  return n !== null && n > 0 && n < 1e7 ? Math.round(n * 1000) / 1000 : null
}

const DAY_MS = 86_400_000
/** the last day iso() formatted, and its "YYYY-MM-DDT" (results of a file are mostly of one day) */
let isoDay = -1
let isoDayText = ''
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/**
 * Unix seconds as new Date(ts * 1000).toISOString() writes them, with the date part formatted once
 * per day (two of these per result).
 */
export function iso(ts: number | null): string | null {
  if (ts === null || ts <= 0 || ts > 1e11) return null
  const t = Math.trunc(ts * 1000) // the time value a Date keeps (whole ms)
  const day = Math.floor(t / DAY_MS)
  if (day !== isoDay) {
    isoDayText = new Date(day * DAY_MS).toISOString().slice(0, 11)
    isoDay = day
  }
  let r = t - day * DAY_MS
  const ms = r % 1000
  r = (r - ms) / 1000
  const sec = r % 60
  r = (r - sec) / 60
  const min = r % 60
  const hour = (r - min) / 60
  return `${isoDayText}${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`
}

export function text(v: unknown, max = 300): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : sanitize(v.trim(), max)
  // bounded: a value nested thousands of levels deep must not throw (JSON.stringify recurses)
  if (v !== null && typeof v === 'object') return sanitize(boundedJson(v, max), max)
  return null
}

// ---- errors ----

/** An error code for what a probe said went wrong. */
export function probeErrorCode(message: string): ErrorCode {
  if (/resol|getaddrinfo|name or service|no address|nodata|nxdomain|dns/i.test(message)) return 'E_RESOLVE'
  if (/time[ -]?out|timed out/i.test(message)) return 'E_TIMEOUT'
  return 'E_NETWORK'
}

export function probeError(probeId: number | null, message: string, code?: ErrorCode): VantageError {
  const m = sanitize(message, 300)
  return {
    code: code ?? probeErrorCode(m),
    message: `${probeId === null ? 'the probe' : `probe ${probeId}`} reported: ${m}`,
    hint: 'the RIPE Atlas probe could not make this measurement; its own message is quoted',
  }
}

export function malformedError(probeId: number | null, reason: string): VantageError {
  return {
    code: 'E_BAD_INPUT',
    message: `could not parse the RIPE Atlas result${probeId === null ? '' : ` of probe ${probeId}`}: ${reason}`,
    hint: 'the result is left out of the analysis and counted as malformed',
  }
}


export function malformed(meta: AtlasResultMeta, reason: string, vantage?: VantagePoint): AtlasParsed {
  const v = vantage ?? atlasVantage(meta.probeId ?? 0)
  if (!vantage && meta.probeId === null) v.id = 'atlas:unknown'
  return {status: 'malformed', meta, reason, outcomes: [{vantage: v, result: null, error: malformedError(meta.probeId, reason)}]}
}

export function failed(meta: AtlasResultMeta, vantage: VantagePoint, error: VantageError): AtlasParsed {
  return {status: 'probe-error', meta, reason: null, outcomes: [withTime({vantage, result: null, error}, meta.createdAt)]}
}

/** An outcome without a result, with the time of the result it came from (the catchment orders by it). */
export function withTime(o: VantageOutcome, at: string | null): VantageOutcome {
  if (at !== null) o.at = at
  return o
}

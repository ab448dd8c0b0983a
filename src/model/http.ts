// The normalized result of an HTTP identity probe (`anyprobe http`): which edge answered, read from
// CDN / operator response headers (CF-RAY, X-Served-By, X-Amz-Cf-Pop, ...) and optionally Cloudflare's
// /cdn-cgi/trace, with per-phase timings taken from socket events. A phase that did not happen
// (no DNS for an address literal, no TLS for http://) is null, never 0.
import type {PopVerdict, Rejection} from './pop.js'
import type {VantagePoint} from './vantage.js'

export const HTTP_SCHEMA_VERSION = 1

/** An HTTP field name (RFC 9110 5.1 token): what a response's header, a --header and a --pop-header must be. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Control characters a field value may not hold (RFC 9110 5.5; a horizontal tab may). */
// eslint-disable-next-line no-control-regex
export const HEADER_VALUE_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/

/** Headers shown in the table whether or not the engine used them: they say which cache/edge answered. */
export const EDGE_CONTEXT_HEADERS = ['server', 'via', 'age', 'x-cache', 'x-cache-status', 'cf-cache-status', 'cache-status', 'x-cache-hits']

export type HttpMethod = 'GET' | 'HEAD'

/**
 * Durations of each phase of one request, in milliseconds, measured from socket events:
 * dnsMs = request start to `lookup`; connectMs = end of DNS (or start) to `connect`;
 * tlsMs = `connect` to `secureConnect`; firstByteMs = connection ready to response headers
 * (server think time + one RTT); totalMs = request start to the last byte of the body.
 */
export interface HttpTimings {
  dnsMs: number | null
  connectMs: number | null
  tlsMs: number | null
  firstByteMs: number | null
  totalMs: number | null
}

/** One redirect that was followed (only with --follow). */
export interface HttpRedirectHop {
  url: string
  /** the address that served this hop */
  targetAddr: string | null
  status: number
  /** the Location header as sent (sanitised) */
  location: string
  /** the URL it resolved to */
  next: string
  timings: HttpTimings
  /** this response's headers (sanitised, as the final one's): the target's edge when the chain left its address; absent in older files */
  headers?: Record<string, string>
}

export interface HttpParams {
  timeoutMs: number
  /** the Host header sent, when --host overrode it */
  host: string | null
  follow: boolean
  insecure: boolean
  /** extra request headers (--header), sanitised */
  requestHeaders: Record<string, string>
  /** --pop-header names, lower case */
  popHeaders: string[]
}

export interface HttpResult {
  schemaVersion: typeof HTTP_SCHEMA_VERSION
  kind: 'http'
  /** what the user asked for, normalised to a URL */
  target: string
  /** the URL of the final response (differs from target after followed redirects) */
  url: string
  /** the address of the final response's connection */
  targetAddr: string | null
  /**
   * the network (origin AS, from the bundled GeoLite2 ASN database) of the address whose response named the PoP
   * (targetAddr, or popFrom's redirect's): a CDN location header from another network is only a
   * hint. Absent or null: not looked up (private addresses, older files) or not in the database.
   */
  targetAsn?: {asn: number; org: string | null} | null
  method: HttpMethod
  vantage: VantagePoint
  /** ISO 8601 */
  startedAt: string
  params: HttpParams
  /** HTTP version of the final response, e.g. "1.1"; null when the target did not answer (answered false) */
  httpVersion: string | null
  /** null when the target did not answer (answered false) */
  status: number | null
  /**
   * false when the target never answered (connection refused, timed out, a router said unreachable):
   * the vantage point worked, the target did not; `error` says how. Absent (older files, Atlas,
   * Globalping) or true: a response came.
   */
  answered?: boolean
  /**
   * why the target did not answer (code as the error document's: E_UNREACHABLE, E_TIMEOUT); null when
   * it answered. Not named `error`: a child's {"error": ...} document is how a vantage point fails.
   */
  noAnswer?: {code: string; message: string; hint: string | null} | null
  /** headers that were bad (control characters, a bad name) but read anyway, each naming the header; absent or [] when none */
  headerWarnings?: string[]
  /**
   * why the body did not end (closed mid-body, too slow for the timeout, a malformed chunk); the
   * status and headers had come and name the edge; null or absent when the body ended
   */
  bodyError?: string | null
  /**
   * --follow ended on another address than the target's (a redirect to another host): the PoP is
   * read from the last response the target's address gave, redirects[index], not from the final
   * one (another service's edge); why says so. Absent or null: the final response decided.
   */
  popFrom?: {index: number; why: string} | null
  /**
   * --follow could not get where the last response pointed (refused, timed out, did not resolve, a
   * certificate): that 3xx, the target's own answer, is the final response; null or absent otherwise
   */
  redirectError?: {next: string; code: string; message: string} | null
  /** set when --follow stopped at the redirect limit with the last response still redirecting; null or absent otherwise */
  redirectLimit?: {max: number; next: string} | null
  /** every response header: lower-cased name -> value (repeated headers joined with ", "), sanitised */
  headers: Record<string, string>
  timings: HttpTimings
  /** body bytes received (null for HEAD) */
  bodyBytes: number | null
  redirects: HttpRedirectHop[]
  /** key/values of /cdn-cgi/trace when --cf-trace was given and it answered 200; null otherwise */
  cfTrace: Record<string, string> | null
  /** why cfTrace is null although --cf-trace was asked for, e.g. "status 404"; null otherwise */
  cfTraceError: string | null
  pop: PopVerdict | null
  /** why `pop` is null (e.g. the destination never answered); null when there is a verdict; absent in older files */
  popReason?: string | null
  /**
   * what the operator asked for that the PoP could not come from: a --pop-header missing or empty in
   * the response the PoP is read from, and where the PoP came from instead. [] when none; absent in
   * older files and in results not measured by anyprobe's own http probe
   */
  popNotes?: string[]
  /** when `pop` is null: the places the RTT ruled out, each with why (a verdict lists its own in pop.rejected) */
  popRejected?: Rejection[]
}

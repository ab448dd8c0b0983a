// One HTTP(S) request with its phases timed from socket events (lookup, connect, secureConnect,
// response, end). By default on a fresh connection every time (agent: false), so every phase really
// happens and is measured: fetch() hides these events and reuses connections. A phase that did not
// happen is null: no DNS for an address literal, no TLS for http://.
//
// `anyprobe watch` passes an agent instead (one keep-alive connection per flow, src/watch/
// http-flows.ts). On a reused connection no DNS, connect or TLS happens (all null) and the time to
// first byte runs from when the request was written. A reused connection can turn out dead only
// when it is used: the server closed it while idle, or the anycast route moved and the new PoP
// answers the old connection with an RST. So a request that fails on a reused connection before
// any byte of response (ECONNRESET, EPIPE, "socket hang up") is sent once more, at once, on a new
// connection, as HTTP clients do for idempotent requests (RFC 9110 9.2.2), within the same
// timeout; that answer is the one reported. A failure on a new connection is reported as it is.
import * as http from 'node:http'
import * as https from 'node:https'
import {isIP, type LookupFunction, type Socket} from 'node:net'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import {HEADER_NAME, HEADER_VALUE_CONTROL, type HttpMethod, type HttpTimings} from '../../model/http.js'
import {NO_ANSWER_HINTS, noAnswerError} from '../../model/no-answer.js'
import {hasUnsafeChars, sanitize} from '../../util/sanitize.js'
import {describeAddress, parseAddress, resolveError, unprobeable} from '../../util/target.js'
import {hasLocalRoute} from '../local-route.js'
import {refusingLookup} from './lookup.js'

export interface HttpRequestSpec {
  /** the URL as the user sees it (used for the path, scheme and port) */
  url: URL
  /** where to connect: an address or a name (names are resolved by the OS, timed as the DNS phase) */
  connectHost: string
  /** Host header to send instead of the URL's host; null: the URL's host */
  hostHeader: string | null
  /** TLS SNI name; null: none (an address literal is never sent as SNI) */
  servername: string | null
  method: HttpMethod
  headers: Record<string, string>
  insecure: boolean
  timeoutMs: number
  /** keep up to this many body bytes (for /cdn-cgi/trace); 0: count and discard */
  keepBodyBytes: number
  /** keep-alive connections to use (watch flows); absent: a fresh connection for this request */
  agent?: http.Agent
  /**
   * without `agent`: the fresh connection (timed as ever) stays open after the response, its
   * agent returned as `kept`, so one more request can take the same flow (--cf-trace's
   * /cdn-cgi/trace); the caller destroys it
   */
  keepConnection?: boolean
  /** told when a reused connection failed before any response and the request went out again */
  onRetry?: (code: string) => void
  /** how a name (connectHost) is resolved; absent: the system resolver (dns.lookup). Tests give their own */
  lookup?: LookupFunction
}

export interface HttpResponseRecord {
  status: number
  httpVersion: string
  /** lower-cased name -> sanitised value; repeated headers joined with ", " */
  headers: Record<string, string>
  /**
   * the first Location header as it came (each byte one latin1 char, unsanitised): where a redirect
   * really points, for --follow to request (headers.location is its escaped display form); null
   * without one. Never printed as it is.
   */
  rawLocation: string | null
  /** the peer address of the connection */
  remoteAddr: string | null
  timings: HttpTimings
  bodyBytes: number | null
  body: Buffer | null
  /** answered on a connection an earlier request had opened (only with an agent) */
  reusedConnection: boolean
  /** the error of the reused connection this request was first sent on, when it was sent again */
  retriedAfter: string | null
  /** what was wrong with the response's header block (bad bytes in a header), each naming the header; [] when nothing */
  headerWarnings: string[]
  /** with keepConnection: the agent holding the connection this response came on; the caller destroys it */
  kept?: http.Agent
  /**
   * why the body did not end (the server closed mid-body, the timeout ran out while it came, a
   * malformed chunk): the status line and headers had come and are kept (bodyBytes counts what
   * came, totalMs is null); null when the body ended
   */
  bodyError: string | null
}

/** Longest header value kept (long CSP or cookie headers are cut, with a visible "…"). */
export const MAX_HEADER_VALUE = 2048

/**
 * Cap on the bytes of a response's status line and headers (Node's default is 16 KB). Real edges
 * send long CSP and cookie headers; a larger cap keeps their answer, a cap at all bounds memory.
 */
export const MAX_HEADER_BYTES = 64 * 1024


/**
 * What is wrong with each header of a response read tolerantly: a name that is not a token, a value
 * with control characters (RFC 9110 5.5). One line per bad header, naming it (sanitised); the values
 * themselves are kept, sanitised by collectHeaders, so the good headers still name the PoP.
 */
export function headerWarnings(rawHeaders: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    const value = rawHeaders[i + 1]!
    const shown = sanitize(name.toLowerCase(), 60)
    if (!HEADER_NAME.test(name)) out.push(`header "${shown}": the name is not a valid header name (shown escaped)`)
    // a horizontal tab is legal inside a field value (RFC 9110 5.5: field-vchar, SP, HTAB)
    else if (HEADER_VALUE_CONTROL.test(value) || hasUnsafeChars(value.replaceAll('\t', ' '))) out.push(`header "${shown}": control characters in the value (shown escaped)`)
  }
  return out
}

/**
 * A response whose header block Node's parser refused even in lenient mode (a header NAME with a
 * control character): split the bytes it had received into a status line and headers ourselves,
 * so the good headers still count. Null when the bytes do not hold a whole header block.
 */
export function salvageHead(raw: Buffer): {status: number; httpVersion: string; rawHeaders: string[]} | null {
  const text = raw.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return null
  const lines = text.slice(0, end).split('\r\n')
  const m = /^HTTP\/(\d(?:\.\d)?) (\d{3})(?: |$)/.exec(lines[0] ?? '')
  if (!m) return null
  const rawHeaders: string[] = []
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':')
    if (i <= 0) continue
    rawHeaders.push(line.slice(0, i).trim(), line.slice(i + 1).trim())
  }
  return {status: Number(m[2]), httpVersion: m[1]!, rawHeaders}
}

export function collectHeaders(rawHeaders: string[]): Record<string, string> {
  // a Map: with {} a header named `constructor` read as `function Object()` (`in` sees the prototype)
  const out = new Map<string, string>()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = sanitize(rawHeaders[i]!.toLowerCase(), 200)
    const value = sanitize(rawHeaders[i + 1]!, MAX_HEADER_VALUE)
    const before = out.get(name)
    out.set(name, before === undefined ? value : `${before}, ${value}`)
  }
  return Object.fromEntries(out)
}

/** The first header `name` (lower case) as it came, or null. */
export function rawHeader(rawHeaders: string[], name: string): string | null {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) return rawHeaders[i + 1]!
  return null
}

function ms(from: bigint | null, to: bigint | null): number | null {
  if (from === null || to === null) return null
  return Math.round((Number(to - from) / 1e6) * 1000) / 1000
}

type Phase = 'dns' | 'connect' | 'tls' | 'response' | 'body'

/** Errors of a reused connection that say it was dead before the request reached a live server. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE'])

/** A request that failed on a reused connection before any response: worth sending again. */
class StaleConnectionError extends Error {
  constructor(
    readonly code: string,
    readonly failure: AnyprobeError,
  ) {
    super(failure.message)
  }
}

/** Perform one request. Rejects with an AnyprobeError (stable code + hint) on any failure. */
export async function httpRequest(spec: HttpRequestSpec): Promise<HttpResponseRecord> {
  // an address nothing can be measured at, given as an address: the commands refuse the user's own
  // target before this, but a redirect (--follow) names its next host itself
  const literal = parseAddress(spec.connectHost)
  const refused = literal === null ? null : unprobeable(describeAddress(spec.connectHost, literal, false), null)
  if (refused !== null) throw refused
  const deadline = performance.now() + spec.timeoutMs
  try {
    return await attempt(spec, spec.timeoutMs)
  } catch (error) {
    if (!(error instanceof StaleConnectionError)) throw error
    const left = deadline - performance.now()
    if (left <= 0) throw error.failure
    // the dead connection was destroyed: with one connection per flow the agent now opens a new one
    spec.onRetry?.(error.code)
    try {
      return {...(await attempt(spec, left)), retriedAfter: error.code}
    } catch (again) {
      // once only: this one (rarely on a reused connection again, when another probe of the flow
      // had the new one first) is reported as it is
      throw again instanceof StaleConnectionError ? again.failure : again
    }
  }
}

function attempt(spec: HttpRequestSpec, timeoutMs: number): Promise<HttpResponseRecord> {
  const tls = spec.url.protocol === 'https:'
  const port = spec.url.port === '' ? (tls ? 443 : 80) : Number(spec.url.port)
  const headers: Record<string, string> = {'user-agent': 'anyprobe', accept: '*/*', ...spec.headers}
  if (spec.hostHeader !== null) headers.host = spec.hostHeader

  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    let tLookup: bigint | null = null
    /** the socket is handed to the request just after its connect() was issued (an address) */
    let tSocket: bigint | null = null
    /** the tick before the fresh connection's connect() is issued: never after its SYN (see oneShotAgent) */
    let tCreate: bigint | null = null
    let tConnect: bigint | null = null
    let tSecure: bigint | null = null
    let tSent: bigint | null = null
    let tResponse: bigint | null = null
    let phase: Phase = isIP(spec.connectHost) ? 'connect' : 'dns'
    let remoteAddr: string | null = null
    let reused = false
    let settled = false
    let unwatch = (): void => {}
    /** once the status line and headers are in: the response as far as it came, told why the body did not end */
    let cutShort: ((why: string) => HttpResponseRecord) | null = null

    const fail = (err: unknown): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      unwatch()
      // destroyed, never reused: a connection that timed out or broke says nothing good any more
      req.destroy()
      if (spec.agent === undefined && spec.keepConnection === true && cutShort === null) agent.destroy()
      if (cutShort !== null) {
        // the headers, which name the edge, came: a body cut short (or too slow for the timeout)
        // does not make the target one that did not answer
        resolve(cutShort(bodyFailure(err, spec.timeoutMs)))
        return
      }
      const salvaged = salvaged_(err)
      if (salvaged !== null) {
        resolve(salvaged)
        return
      }
      const sni = tls && spec.servername !== null && isIP(spec.servername) === 0 ? spec.servername : null
      const e = toHttpError(err, {host: spec.connectHost, port, phase, url: spec.url, timeoutMs: spec.timeoutMs, sni})
      const code = (err as NodeJS.ErrnoException)?.code ?? ''
      if (reused && tResponse === null && STALE_CONNECTION_CODES.has(code)) reject(new StaleConnectionError(code, e))
      else if (UNREACH_CODES.has(code) && (remoteAddr ?? (isIP(spec.connectHost) ? spec.connectHost : null)) !== null) {
        // a router's ICMP unreachable and a missing route here read the same (ENETUNREACH): with a
        // route here, the network said the target cannot be reached (exit 4, as trace says it),
        // not a local network error (exit 6: the lab's sao read 6 or 4 as the router's ICMP rate limit allowed)
        const addr = remoteAddr ?? spec.connectHost
        void hasLocalRoute(addr, port).then((local) => reject(local ? unreachableOnTheWay(e, code) : e))
      } else reject(e)
    }

    const record = (
      head: {status: number; httpVersion: string; rawHeaders: string[]},
      tEnd: bigint | null,
      bodyBytes: number | null,
      body: Buffer | null,
      more: string[],
      bodyError: string | null = null,
    ): HttpResponseRecord => {
      const ready = reused ? tSent : (tSecure ?? tConnect)
      return {
        status: head.status,
        httpVersion: head.httpVersion,
        headers: collectHeaders(head.rawHeaders),
        rawLocation: rawHeader(head.rawHeaders, 'location'),
        remoteAddr,
        timings: {
          dnsMs: ms(t0, tLookup),
          // from the lookup's answer, or for an address from the socket: not from t0, which adds
          // building the request (~3 ms the first time in a process: every `http` read 3.5 ms
          // to connect over loopback, where curl reads 0.5 ms; the connect time is the RTT)
          // for an address, from just before the socket is made: the 'socket' event comes after
          // the SYN, and as late as the process is busy (on a loaded host sao's 30.4 ms path read
          // 22-28 ms from it: a disc too small, a site `sites` invented)
          connectMs: ms(tLookup ?? tCreate ?? tSocket ?? t0, tConnect),
          tlsMs: tls ? ms(tConnect, tSecure) : null,
          firstByteMs: ms(ready, tResponse),
          totalMs: tEnd === null ? null : ms(t0, tEnd),
        },
        bodyBytes,
        body,
        reusedConnection: reused,
        retriedAfter: null,
        headerWarnings: [...headerWarnings(head.rawHeaders), ...more],
        bodyError,
        ...(spec.agent === undefined && spec.keepConnection === true ? {kept: agent} : {}),
      }
    }

    /** A header block even the lenient parser refused (a bad header NAME): read it ourselves, or null. */
    const salvaged_ = (err: unknown): HttpResponseRecord | null => {
      const e = err as {code?: unknown; rawPacket?: unknown}
      if (typeof e?.code !== 'string' || !e.code.startsWith('HPE_') || e.code === 'HPE_HEADER_OVERFLOW') return null
      if (!Buffer.isBuffer(e.rawPacket) || tResponse !== null) return null
      const head = salvageHead(e.rawPacket)
      if (head === null) return null
      tResponse = process.hrtime.bigint()
      const why = `the response was read past a header Node's parser refused (${e.code}); its body was not read`
      return record(head, null, null, null, [why])
    }

    const agent = spec.agent ?? oneShotAgent(tls, () => (tCreate = process.hrtime.bigint()), spec.keepConnection === true)
    const options: https.RequestOptions = {
      host: spec.connectHost,
      port,
      method: spec.method,
      path: `${spec.url.pathname}${spec.url.search}`,
      headers,
      // without an agent, a fresh connection per request: DNS/connect/TLS are measured every time
      agent,
      // one bad header (a control character in a value) must not throw away the answer whose other
      // headers name the PoP: read it leniently, say which header was bad (headerWarnings), and
      // sanitise every value (collectHeaders). We only read responses; nothing is forwarded.
      insecureHTTPParser: true,
      maxHeaderSize: MAX_HEADER_BYTES,
      // a name's answer passes the target-address rule first (0.0.0.0, ::, multicast: E_RESOLVE)
      lookup: refusingLookup(spec.lookup),
    }
    if (tls) {
      options.rejectUnauthorized = !spec.insecure
      if (spec.servername !== null && isIP(spec.servername) === 0) options.servername = spec.servername
    }
    const req = (tls ? https : http).request(options)

    const timer = setTimeout(() => fail(new TimeoutError()), timeoutMs)

    req.on('socket', (socket: Socket) => {
      reused = req.reusedSocket
      if (reused) {
        // nothing to set up: the request goes out now; remoteAddr comes with the response
        phase = 'response'
        return
      }
      tSocket = process.hrtime.bigint()
      const onLookup = (err: Error | null, address: string): void => {
        tLookup = process.hrtime.bigint()
        if (!err) {
          remoteAddr = address
          phase = 'connect'
        }
      }
      const onConnect = (): void => {
        tConnect = process.hrtime.bigint()
        remoteAddr = socket.remoteAddress ?? remoteAddr
        phase = tls ? 'tls' : 'response'
      }
      const onSecure = (): void => {
        tSecure = process.hrtime.bigint()
        phase = 'response'
      }
      socket.once('lookup', onLookup)
      socket.once('connect', onConnect)
      socket.once('secureConnect', onSecure)
      // a kept connection outlives this request: leave no listeners of it behind (those of phases
      // that never happen, lookup for an address, would pile up one per new connection otherwise)
      unwatch = () => {
        socket.off('lookup', onLookup)
        socket.off('connect', onConnect)
        socket.off('secureConnect', onSecure)
      }
    })
    // written to the socket: where the first-byte time starts on a reused connection
    req.on('finish', () => (tSent = process.hrtime.bigint()))
    req.on('error', fail)
    req.on('response', (res: http.IncomingMessage) => {
      tResponse = process.hrtime.bigint()
      phase = 'body'
      remoteAddr = res.socket?.remoteAddress ?? remoteAddr
      const chunks: Buffer[] = []
      let kept = 0
      let bytes = 0
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (kept < spec.keepBodyBytes) {
          const part = chunk.subarray(0, spec.keepBodyBytes - kept)
          chunks.push(part)
          kept += part.length
        }
      })
      cutShort = (why) => {
        const head = {status: res.statusCode ?? 0, httpVersion: res.httpVersion, rawHeaders: res.rawHeaders}
        return record(head, null, spec.method === 'HEAD' ? null : bytes, spec.keepBodyBytes > 0 ? Buffer.concat(chunks) : null, [], `${why} after ${bytes} body bytes`)
      }
      res.on('error', fail)
      res.on('aborted', () => fail(new Error(MID_BODY)))
      res.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        unwatch()
        const head = {status: res.statusCode ?? 0, httpVersion: res.httpVersion, rawHeaders: res.rawHeaders}
        resolve(record(head, process.hrtime.bigint(), spec.method === 'HEAD' ? null : bytes, spec.keepBodyBytes > 0 ? Buffer.concat(chunks) : null, []))
      })
    })
    req.end()
  })
}

export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT_ANYPROBE'
}

const MID_BODY = 'the server closed the connection mid-body'

/** Why a body whose headers had come did not end, in words (sanitised). */
function bodyFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof TimeoutError) return `the body did not end within ${timeoutMs} ms`
  const e = err as NodeJS.ErrnoException
  const code = typeof e?.code === 'string' ? e.code : ''
  const msg = sanitize(e?.message ?? String(err), 200)
  if (code.startsWith('HPE_')) return `the body is not valid HTTP (${code}: ${msg})`
  if (code === 'ECONNRESET' || msg === 'aborted' || msg === MID_BODY) return MID_BODY
  return `the body was cut: ${msg}${code === '' ? '' : ` (${code})`}`
}

const PHASE_WORDS: Record<Phase, string> = {
  dns: 'resolving the name',
  connect: 'connecting',
  tls: 'in the TLS handshake',
  response: 'waiting for the response',
  body: 'reading the body',
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
])

const UNREACH_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Whose failure an engine error is, the one split every caller takes (one-shot http, catchment,
 * watch): the target's when it did not answer (refused, reset or closed without a response, timed
 * out, a router said it cannot be reached, closed the TLS handshake: exit 4) or answered with what
 * is not HTTP, or not TLS, or refused the TLS handshake with an alert of its own (exit 7);
 * otherwise this vantage point's or this client's (exit 6, 3): a certificate we did not trust (the
 * target did answer, and we refused to go on), a TLS protocol or key this client does not allow,
 * a handshake sent with no server name, no route from here, a name that did not resolve. A watch
 * says the latter as the vantage point's failure, never as an outage of the target.
 */
export function targetsFailure(error: AnyprobeError): boolean {
  return error.exitCode === EXIT.unreachable || error.exitCode === EXIT.data
}

/** ENETUNREACH / EHOSTUNREACH with a route here: a router on the way (or the target's LAN) said no. */
export function unreachableOnTheWay(local: AnyprobeError, code: string): AnyprobeError {
  return noAnswerError('unreachable', `${local.message.replace(/ \(E\w+\)$/, '')}: a router on the way answered it cannot reach it (${code})`, NO_ANSWER_HINTS.unreachable, local)
}

/**
 * TLS alert descriptions by number (RFC 8446 section 6.2 and RFC 5246 section 7.2; IANA "TLS Alerts"
 * registry): said with the number, so a reader need not look it up.
 */
const TLS_ALERTS: Record<number, string> = {
  10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired',
  46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 109: 'missing_extension', 110: 'unsupported_extension',
  112: 'unrecognized_name', 113: 'bad_certificate_status_response', 115: 'unknown_psk_identity',
  116: 'certificate_required', 120: 'no_application_protocol',
}

/**
 * OpenSSL reasons that say the bytes the server sent back are not a TLS record at all: plain HTTP
 * ("HTTP/1.1 400" read as a record header), an SSH or SMTP banner. OpenSSL 3 says "wrong version
 * number" (SSL_R_WRONG_VERSION_NUMBER, what curl and Node print for https:// to a plain HTTP port),
 * some bytes read as a record too long ("packet length too long"), OpenSSL 1.0 said "unknown protocol".
 */
const NOT_TLS_REASONS = /\b(wrong version number|packet length too long|unknown protocol)\b/i

export type TlsFailureSide =
  | {side: 'not-tls'}
  | {side: 'alert'; alert: number | null; name: string | null}
  | {side: 'eof'}
  | {side: 'client'}

/**
 * Who ended a TLS handshake that failed, from Node's error. Node says it two ways: a failure found
 * while reading has the OpenSSL reason as its code (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, with
 * `reason`), one found while writing the ClientHello is `write EPROTO` with OpenSSL's error line in
 * the message only ("...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:..."), so
 * both the code and the line are read:
 *   - 'not-tls': the server sent back what is not TLS (see NOT_TLS_REASONS);
 *   - 'alert': the server sent a fatal alert. OpenSSL gives a received alert the reason 1000 + its
 *     number (SSL_AD_REASON_OFFSET: 0A000410 is alert 40, 0A00042E alert 70) and adds "SSL alert
 *     number N"; an alert this client sent is never reported that way (its own error is the cause);
 *   - 'eof': the server closed in the handshake (OpenSSL's "unexpected eof while reading", a
 *     close_notify alert 0);
 *   - 'client': anything else, this client's own refusal (ERR_SSL_UNSUPPORTED_PROTOCOL, NO_CIPHERS_
 *     AVAILABLE, DH_KEY_TOO_SMALL, UNSAFE_LEGACY_RENEGOTIATION_DISABLED, a certificate check): the
 *     default, so a failure we cannot place is never called the target's outage.
 */
export function tlsFailureSide(e: {code?: unknown; message?: unknown; reason?: unknown} | null | undefined): TlsFailureSide {
  const code = typeof e?.code === 'string' ? e.code : ''
  const text = `${typeof e?.reason === 'string' ? e.reason : ''} ${typeof e?.message === 'string' ? e.message : ''}`
  if (/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL)$/.test(code) || NOT_TLS_REASONS.test(text)) return {side: 'not-tls'}
  if (code === 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING' || /\bunexpected eof while reading\b/i.test(text)) return {side: 'eof'}
  let alert: number | null = null
  const said = /SSL alert number (\d{1,3})\b/.exec(text)
  if (said) alert = Number(said[1])
  else {
    // the packed error code: OpenSSL 3 keeps the reason in the low 23 bits (1.1 packed it
    // otherwise, and its line always carried "SSL alert number")
    const packed = /error:([0-9A-F]{8}):SSL routines/i.exec(text)
    const reason = packed ? Number.parseInt(packed[1]!, 16) & 0x7f_ffff : null
    if (reason !== null && reason >= 1000 && reason <= 1255) alert = reason - 1000
  }
  if (alert === null && /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_|^ERR_SSL_TLSV1_UNRECOGNIZED_NAME$/.test(code)) {
    return {side: 'alert', alert: null, name: code.replace(/^ERR_SSL_(SSLV3_|TLSV13_|TLSV1_)(ALERT_)?/, '').toLowerCase()}
  }
  if (alert === 0) return {side: 'eof'}
  if (alert !== null) return {side: 'alert', alert, name: TLS_ALERTS[alert] ?? null}
  return {side: 'client'}
}

/** What to check when the server answered the handshake with what is not TLS, or refused it. */
function tlsRefusalHint(side: TlsFailureSide, sni: string | null): string {
  if (side.side === 'not-tls') return 'this port does not speak TLS (plain HTTP?): try http:// or another --port'
  const alert = side.side === 'alert' ? side.alert : null
  const name = side.side === 'alert' ? side.name : null
  if (alert === 112 || name === 'unrecognized_name') return sni === null ? 'the server serves no site of the name sent: check --host' : `the server serves no site named ${sanitize(sni, 100)}: check --host`
  if (alert === 116 || name === 'certificate_required') return 'the server wants a client certificate, which anyprobe does not send'
  if (alert === 70 || name === 'protocol_version') return 'the server speaks neither TLS 1.2 nor 1.3 (all anyprobe offers, as browsers)'
  return 'the server would not complete a TLS handshake with this client (TLS 1.2-1.3, Node\'s defaults); check the port, --host and the server\'s TLS settings'
}

/** Map a socket/TLS/parser error to an AnyprobeError with a stable code, an exit code and a hint. */
export function toHttpError(
  err: unknown,
  ctx: {host: string; port: number; phase: Phase; url: URL; timeoutMs: number; sni?: string | null},
): AnyprobeError {
  if (err instanceof AnyprobeError) return err
  const e = err as NodeJS.ErrnoException
  const code = e?.code ?? ''
  const where = `${ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host}:${ctx.port}`
  // OpenSSL's messages end in a newline
  const msg = sanitize((e?.message ?? String(err)).trim(), 300)
  if (err instanceof TimeoutError) {
    return noAnswerError('timeout', `no answer from ${where} within ${ctx.timeoutMs} ms (timed out ${PHASE_WORDS[ctx.phase]})`, NO_ANSWER_HINTS.timeout, err)
  }
  if (code === 'ECONNREFUSED') {
    return noAnswerError('refused', `connection refused by ${where}`, NO_ANSWER_HINTS.refused(ctx.port, 'the scheme (http:// or https://)'), err)
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return resolveError(ctx.host, code, 'check the name, or give an address with --host <name> for the Host header', 'give the address with --host <name> for the Host header', err)
  }
  if (CERT_CODES.has(code)) {
    return new AnyprobeError('E_NETWORK', `TLS certificate of ${where} did not verify (${code}): ${msg}`, {
      hint: '--insecure skips certificate checks (the edge headers are still read); --host sets the name checked',
      exitCode: EXIT.network,
      cause: err,
    })
  }
  if ((code === 'ECONNRESET' || code === 'EPIPE') && ctx.phase === 'tls') {
    // the far end (the server, or a box on the way) closed or reset the connection in the middle of
    // the handshake, with no TLS alert: it did not answer, as a reset after the request is (exit 4);
    // not this host's failure (an SNI-routing proxy with no route for the name does this)
    return new AnyprobeError('E_UNREACHABLE', `${where} closed the connection in the TLS handshake (${code})`, {
      hint: ctx.sni === null ? 'no server name (SNI) was sent, since the target is an address: give the name with --host NAME' : 'the server (or a firewall on the way) dropped the handshake; check the port, the scheme and --host',
      exitCode: EXIT.unreachable,
      cause: err,
    })
  }
  const tlsSide = ctx.phase === 'tls' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' ? tlsFailureSide(e) : null
  if (tlsSide?.side === 'eof') {
    // OpenSSL's own word for the server closing without a close_notify in the handshake: as the
    // ECONNRESET Node gives for the same close above, the target did not answer (exit 4)
    return new AnyprobeError('E_UNREACHABLE', `${where} closed the connection ${ctx.phase === 'tls' ? 'in the TLS handshake' : PHASE_WORDS[ctx.phase]} (${code || 'EOF'})`, {
      hint: 'the server (or a firewall on the way) dropped the handshake; check the port, the scheme and --host',
      exitCode: EXIT.unreachable,
      cause: err,
    })
  }
  // an edge serving many names refuses a handshake that names none: an address was given and no
  // --host, so no SNI went out (nginx ssl_reject_handshake: alert 112 unrecognized_name; others
  // alert 40 handshake_failure). The request named no site, so the refusal is ours to fix, not the
  // target's outage: it stays the vantage point's (exit 6), with the hint
  const noSni = tlsSide?.side === 'alert' && ctx.url.protocol === 'https:' && ctx.sni === null && (tlsSide.alert === 40 || tlsSide.alert === 112 || /unrecognized name|handshake failure/i.test(msg))
  if (tlsSide?.side === 'not-tls' || (tlsSide?.side === 'alert' && !noSni)) {
    // the server answered the handshake with what is not TLS (plain HTTP on an https port: "wrong
    // version number"), or refused it with an alert of its own (a protocol version or cipher it will
    // not speak, an internal error, a name it does not serve, a client certificate it wants): the
    // target's failure, as http:// to a TLS port is (exit 7), and an outage in a watch. Before, each
    // was E_NETWORK (exit 6), the vantage point's: a broken TLS edge never paged
    const said = tlsSide.side === 'not-tls' ? 'answered the TLS handshake with something that is not TLS' : `refused the TLS handshake (alert ${tlsSide.alert ?? '?'}${tlsSide.name === null ? '' : `: ${tlsSide.name}`})`
    return new AnyprobeError('E_BAD_INPUT', `${where} ${said} (${code || 'error'}): ${msg}`, {
      hint: tlsRefusalHint(tlsSide, ctx.sni ?? null),
      exitCode: EXIT.data,
      cause: err,
    })
  }
  if (tlsSide !== null) {
    // what is left is this client's own refusal (a certificate or a key it did not trust, a
    // protocol or cipher it does not allow) or a handshake without the server's name: the
    // vantage point's failure (exit 6), never an outage of the target
    return new AnyprobeError('E_NETWORK', `TLS handshake with ${where} failed (${code || 'error'}): ${msg}`, {
      hint: noSni
        ? 'no server name (SNI) was sent, since the target is an address: edges that serve many names refuse such a handshake; give the name with --host NAME (add --insecure if its certificate does not name the address)'
        : ctx.url.protocol === 'https:'
          ? 'is this port speaking TLS? try http:// or another --port'
          : 'check the scheme',
      exitCode: EXIT.network,
      cause: err,
    })
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new AnyprobeError('E_BAD_INPUT', `the response headers from ${where} are larger than ${MAX_HEADER_BYTES / 1024} KB, anyprobe's cap (${code}); nothing of it was used`, {
      hint: 'a server sending this much header is misbehaving; curl -sI shows what it sends',
      exitCode: EXIT.data,
      cause: err,
    })
  }
  if (code.startsWith('HPE_')) {
    return noAnswerError('not-protocol', `the response from ${where} is not valid HTTP (${code}): ${msg}`, 'the server sent a malformed response (e.g. control characters in a header); nothing was printed from it', err)
  }
  if ((code === 'ECONNRESET' || code === 'EPIPE') && ctx.phase === 'response') {
    // the connection was up and the request sent: the far end (the server, or a box on the way
    // injecting a reset) ended it without a response. Not a local network error: the target did
    // not answer (exit 4, a result with answered false), as for a refused connection
    return new AnyprobeError('E_UNREACHABLE', `${where} closed the connection without a response (${sanitize(e?.message ?? code, 60)})`, {
      hint: 'the server (or a firewall on the way) dropped the request; check the scheme, port and --host (some edges drop requests for a Host they do not serve)',
      exitCode: EXIT.unreachable,
      cause: err,
    })
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new AnyprobeError('E_NETWORK', `${where} reset the connection ${PHASE_WORDS[ctx.phase]}`, {
      hint: 'a firewall or the server dropped the request; check the scheme, port and --host',
      exitCode: EXIT.network,
      cause: err,
    })
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return noAnswerError('no-route', `no route to ${where} (${code})`, NO_ANSWER_HINTS['no-route'], err)
  }
  return new AnyprobeError('E_NETWORK', `request to ${where} failed ${PHASE_WORDS[ctx.phase]}${code ? ` (${code})` : ''}: ${msg}`, {
    hint: 'check the URL, the address and the port',
    exitCode: EXIT.network,
    cause: err,
  })
}

/**
 * What `agent: false` gives (a new agent, one connection, not kept), with a mark taken on the tick
 * just before the one that issues the connection's connect(): Node defers connect() to the next
 * tick for an address (a name waits for its lookup, timed from its answer), and ticks run in order,
 * so a connect time counted from the mark can be late (the process busy before the handshake is
 * read), never early. Building the socket and the request (the first in a process compiles node's
 * net and http code: ~1.2 ms in the lab) runs before the ticks and is left out.
 */
function oneShotAgent(tls: boolean, mark: () => void, keep: boolean): http.Agent {
  // keep: one connection, kept open for the one request that follows on the same flow
  const options = keep ? {keepAlive: true, maxSockets: 1} : {}
  const agent = tls ? new https.Agent(options) : new http.Agent(options)
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => unknown
  ;(agent as unknown as {createConnection: (...args: unknown[]) => unknown}).createConnection = (...args: unknown[]) => {
    process.nextTick(mark)
    return create(...args)
  }
  return agent
}

export {hasLocalRoute}

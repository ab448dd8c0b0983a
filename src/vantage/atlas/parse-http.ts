// RIPE Atlas HTTP results -> HttpResult, one per response (firmware 1's one-line text form too).
import {HTTP_SCHEMA_VERSION, type HttpResult} from '../../model/http.js'
import type {VantagePoint} from '../../model/vantage.js'
import {sanitize} from '../../util/sanitize.js'
import type {VantageOutcome} from '../types.js'
import {addr, type AtlasParsed, type AtlasResultMeta, failed, int, iso, malformed, num, probeError, round3, rtt, str, text, withTime} from './parse-shared.js'

function parseHeaders(lines: unknown): Record<string, string> {
  // a Map, not {}: a header named `constructor` or `__proto__` must not read Object.prototype
  const out = new Map<string, string>()
  if (!Array.isArray(lines)) return {}
  for (const line of lines) {
    if (typeof line !== 'string') continue
    const c = line.indexOf(':')
    if (c <= 0) continue // the status line, or junk
    const name = line.slice(0, c).trim().toLowerCase()
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) continue
    const value = sanitize(line.slice(c + 1).trim(), 1024)
    const before = out.get(name)
    out.set(name, before === undefined ? value : `${before}, ${value}`)
  }
  return Object.fromEntries(out)
}

/**
 * Firmware 1 wrote an HTTP result as one line: "GET4 193.0.6.139 0.030229 200 263 1406" (mode,
 * address, seconds, status, header bytes, body bytes). As a response object, or null.
 */
function legacyHttpResponse(line: string): Record<string, unknown> | null {
  const m = /^(GET|HEAD|POST)([46]?) (\S{2,45}) (\d+(?:\.\d+)?) (\d{3}) (\d+) (\d+)$/.exec(line.trim())
  if (m === null) return null
  return {method: m[1], addr: m[3], rt: Number(m[4]) * 1000, res: Number(m[5]), hsize: Number(m[6]), bsize: Number(m[7])}
}

export function parseHttp(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint): AtlasParsed {
  let responses = r.result
  if (typeof responses === 'string') {
    const one = legacyHttpResponse(responses)
    if (one === null) return malformed(meta, 'an HTTP result in text form that is not "MODE addr seconds status hsize bsize"', vantage)
    responses = [one]
  }
  if (!Array.isArray(responses)) {
    const e = text(r.error)
    return e !== null ? failed(meta, vantage, probeError(meta.probeId, e)) : malformed(meta, 'no "result" list of responses', vantage)
  }
  if (responses.length === 0) return malformed(meta, 'an empty list of responses', vantage)
  const uri = text(r.uri, 2048)
  const outcomes: VantageOutcome[] = []
  let measured = 0
  for (let i = 0; i < responses.length; i++) {
    const p = responses[i] as Record<string, unknown> | null
    if (p === null || typeof p !== 'object') return malformed(meta, `response ${i} is not an object`, vantage)
    const dst = addr(p.dst_addr) ?? addr(p.addr)
    const status = int(p.res)
    if (status === null || status < 100 || status > 999) {
      const e = text(p.err) ?? text(p.error)
      if (e !== null) {
        outcomes.push(withTime({vantage, result: null, error: probeError(meta.probeId, e)}, iso(num(p.time)) ?? meta.createdAt))
        continue
      }
      return malformed(meta, `response ${i} has no HTTP status`, vantage)
    }
    const methodText = (str(p.method) ?? str(p.mode)?.replace(/[46]$/, '') ?? 'GET').toUpperCase()
    if (methodText !== 'GET' && methodText !== 'HEAD') return malformed(meta, `HTTP ${sanitize(methodText, 10)} results are not representable`, vantage)
    let target = uri
    if (target === null) {
      // the oldest results do not say which URL; the address they fetched from is all there is
      target = dst === null ? 'http://unknown.invalid/' : dst.includes(':') ? `http://[${dst}]/` : `http://${dst}/`
    }
    const ttc = num(p.ttc)
    const ttfb = num(p.ttfb)
    const total = rtt(p.rt)
    const result: HttpResult = {
      schemaVersion: HTTP_SCHEMA_VERSION,
      kind: 'http',
      target,
      url: target,
      targetAddr: dst,
      method: methodText,
      vantage: {...vantage},
      startedAt: iso(num(p.time)) ?? meta.createdAt!,
      params: {timeoutMs: 60_000, host: null, follow: false, insecure: false, requestHeaders: {}, popHeaders: []},
      httpVersion: text(p.ver, 16) ?? '', // probe text: sanitised like every string shown
      status,
      headers: parseHeaders(p.header),
      timings: {
        dnsMs: rtt(p.ttr),
        connectMs: ttc !== null && ttc > 0 ? round3(ttc) : null,
        tlsMs: null,
        firstByteMs: ttfb !== null && ttc !== null && ttfb >= ttc ? round3(ttfb - ttc) : null,
        totalMs: total,
      },
      bodyBytes: methodText === 'HEAD' ? null : int(p.bsize),
      redirects: [],
      cfTrace: null,
      cfTraceError: null,
      pop: null,
    }
    measured++
    outcomes.push({vantage: result.vantage, result, error: null})
  }
  return {status: measured > 0 ? 'ok' : 'probe-error', meta, reason: null, outcomes}
}

// Human view of an HTTP identity probe: status, the timing phases, the headers that identify the edge
// (those the PoP verdict used, the operator's --pop-header ones, and server/via/age/cache status),
// redirects, /cdn-cgi/trace, then the PoP. Returns a string; the command prints it.
import {EDGE_CONTEXT_HEADERS} from '../model/http.js'
import type {HttpResult, HttpTimings} from '../model/http.js'
import {sanitize} from '../util/sanitize.js'
import {renderPop} from './pop.js'
import {fmtMs, plainTable} from './table.js'

function timingLine(t: HttpTimings): string {
  const parts: Array<[string, number | null]> = [
    ['dns', t.dnsMs],
    ['connect', t.connectMs],
    ['tls', t.tlsMs],
    ['first byte', t.firstByteMs],
    ['total', t.totalMs],
  ]
  // "-" for a phase that did not happen (no DNS for an address, no TLS for http://)
  return parts.map(([k, v]) => `${k} ${v === null ? '-' : `${fmtMs(v)} ms`}`).join(' | ')
}

/**
 * Header names to show: the ones the verdict's evidence came from, every header a CDN rule knows
 * (so a verdict of null, e.g. ruled out by the RTT bound, still shows what the edge said),
 * --pop-header ones, and cache/edge context.
 */
export function shownHeaders(r: HttpResult, knownHeader: (name: string) => boolean = () => false, headers: Record<string, string> = r.headers): string[] {
  const names = Object.keys(headers)
  const used = new Set<string>()
  for (const e of [...(r.pop?.evidence ?? []), ...(r.pop?.conflicts ?? [])]) {
    if (e.signal !== 'http-header' && e.signal !== 'user') continue
    const input = e.input.toLowerCase()
    for (const n of names) if (input === headers[n]!.toLowerCase() || input.startsWith(`${n}:`) || input.includes(`${n}: `)) used.add(n)
  }
  const wanted = new Set([...used, ...r.params.popHeaders, ...EDGE_CONTEXT_HEADERS])
  return names.filter((n) => wanted.has(n) || knownHeader(n))
}

/** `knownHeader`: does a CDN rule know this header (infer's isPopHeader; the renderer does not import the engine). */
export function renderHttp(r: HttpResult, knownHeader?: (name: string) => boolean): string {
  const addr = r.targetAddr === null ? '' : ` [${r.targetAddr}]`
  const via = r.params.host === null ? '' : ` Host: ${sanitize(r.params.host, 100)}`
  const first = `${r.method} ${sanitize(r.url, 200)}${addr}${via}, from ${sanitize(r.vantage.id, 60)}`
  if (r.answered === false || r.status === null) {
    // the vantage point worked, the target did not answer: say how, and that no PoP can be named
    const why = r.noAnswer ? `${sanitize(r.noAnswer.message, 300)} (${sanitize(r.noAnswer.code, 40)})` : 'no response'
    return [first, `no response: ${why}`, renderPop(r.pop, r)].join('\n')
  }
  const lines = [
    first,
    `HTTP/${sanitize(r.httpVersion ?? '?', 16)} ${r.status}${r.bodyBytes === null ? '' : `, ${r.bodyBytes} body bytes`}`,
    `timing: ${timingLine(r.timings)}`,
  ]
  for (const [i, hop] of r.redirects.entries()) {
    lines.push(`redirect ${i + 1}: ${hop.status} ${sanitize(hop.url, 160)} -> ${sanitize(hop.next, 160)}`)
  }
  // whose network answered: a CDN header from another one is only a hint (the verdict's evidence says why)
  if (r.targetAsn) lines.push(`answering network: AS${r.targetAsn.asn}${r.targetAsn.org === null ? '' : ` (${sanitize(r.targetAsn.org, 80)})`}`)
  if (r.popFrom) {
    lines.push(`PoP read from redirect ${r.popFrom.index + 1}: ${sanitize(r.popFrom.why, 300)}`)
    // the timing line above is the final response's (another service's edge); the RTT the verdict
    // checks is the target's own, this one
    const t = r.redirects[r.popFrom.index]?.timings
    if (t !== null && typeof t === 'object') lines.push(`timing of redirect ${r.popFrom.index + 1} (the target's): ${timingLine(t)}`)
  }
  if (r.redirectLimit) {
    lines.push(`stopped at the redirect limit (${r.redirectLimit.max} followed): this ${r.status} still redirects to ${sanitize(r.redirectLimit.next, 160)} (a loop?)`)
  }
  if (r.redirectError) {
    lines.push(`could not follow the redirect to ${sanitize(r.redirectError.next, 160)}: ${sanitize(r.redirectError.message, 200)} (${sanitize(r.redirectError.code, 40)}); this ${r.status}, the target's own answer, is reported`)
  } else if (r.redirects.length === 0 && r.status >= 300 && r.status < 400 && r.headers.location !== undefined) {
    lines.push(`redirect not followed (use --follow): Location: ${sanitize(r.headers.location, 160)}`)
  }
  for (const w of r.headerWarnings ?? []) lines.push(`warning: ${sanitize(w, 200)}`)
  if (r.bodyError) lines.push(`warning: ${sanitize(r.bodyError, 200)}; the status and headers had come and are used`)
  const table = (headers: Record<string, string>): string => {
    const names = shownHeaders(r, knownHeader, headers)
    return names.length > 0 ? plainTable(['header', 'value'], names.map((n) => [sanitize(n, 60), sanitize(headers[n]!, 120)])) : 'no edge-identifying headers'
  }
  // with popFrom the PoP (and its reason) is read from a redirect's headers, not the final
  // response's: each table says whose it is, the one the PoP line speaks of last, above it (the
  // final response's cf-ray ...-SYD sat above "PoP: unknown (cf-ray carries no PoP code)", a
  // reason about the redirect's cf-ray)
  const hop = r.popFrom ? r.redirects[r.popFrom.index] : undefined
  // a saved file is read back as it is: only an object of headers is shown as one
  const hopHeaders = hop?.headers !== null && typeof hop?.headers === 'object' ? hop.headers : undefined
  const decider = hopHeaders ?? r.headers
  if (hop !== undefined && hopHeaders !== undefined) {
    lines.push(`final response (${sanitize(r.targetAddr ?? 'address unknown', 60)}, another service's edge; not read for the PoP):`)
    lines.push(table(r.headers))
    lines.push(`redirect ${r.popFrom!.index + 1}'s response (${sanitize(hop.targetAddr ?? 'address unknown', 60)}, the target's; the PoP below is read from it):`)
    lines.push(table(hopHeaders))
  } else lines.push(table(r.headers))
  if (r.popNotes === undefined) {
    // a file from before popNotes: say what it can
    for (const h of r.params.popHeaders) if (!(h in decider)) lines.push(`--pop-header ${sanitize(h, 60)}: not in the response`)
  }
  // asked of the final origin: with popFrom, not the target's (the verdict did not read it)
  const traceLabel = hopHeaders !== undefined ? "cdn-cgi/trace (the final response's origin; not read for the PoP)" : 'cdn-cgi/trace'
  if (r.cfTrace !== null) {
    const keys = ['colo', 'loc', 'http', 'tls', 'fl'].filter((k) => k in r.cfTrace!)
    lines.push(`${traceLabel}: ${keys.map((k) => `${k}=${sanitize(r.cfTrace![k]!, 40)}`).join(' ')}`)
  } else if (r.cfTraceError !== null) {
    lines.push(`${traceLabel}: unavailable (${sanitize(r.cfTraceError, 160)})`)
  }
  // right above the PoP they explain: the operator's own header was not where the PoP came from
  for (const n of Array.isArray(r.popNotes) ? r.popNotes : []) if (typeof n === 'string') lines.push(`note: ${sanitize(n, 300)}`)
  lines.push(renderPop(r.pop, r))
  return lines.join('\n')
}

// Raw RIPE Atlas results -> anyprobe's model (the sagan part). Synchronous, allocation-light and
// I/O-free, so a saved file of 100k traceroutes parses in seconds; reverse DNS and PoP inference
// are a separate step (enrich.ts).
//
// Every raw result becomes an AtlasParsed: its own fields (meta) and one VantageOutcome per
// measurement it holds (DNS: one per `resultset` entry; HTTP: one per response). What a result
// says went wrong is kept, never dropped:
//
//   status "ok"           results in the model. A failure the model can express stays inside the
//                         result (a lost packet is null, a DNS query that timed out has error
//                         "timeout" and rcode null); the outcome's error then says it too.
//   status "probe-error"  the probe measured nothing and said why ({"error": ...}, a traceroute
//                         whose hops are only errors, an HTTP response with "err"): one outcome,
//                         result null, error {code, "probe N reported: <its message>"}. The code is
//                         read from the message: E_RESOLVE (name resolution), E_TIMEOUT, E_NETWORK.
//   status "malformed"    we could not read it (legacy firmware-1 text output, missing fields, a
//                         wrong type): one outcome with error E_BAD_INPUT and the reason. Counted by
//                         the caller (AtlasParseStats), never silently skipped.
//   status "unsupported"  a valid result of a type anyprobe does not model (sslcert, ntp, wifi).
//
// The type-specific readers: ./parse-trace.ts, ./parse-dns.ts, ./parse-ping.ts, ./parse-http.ts;
// what they share: ./parse-shared.ts; probe metadata: ./probe-meta.ts.
import {escapeControlCharsInStrings} from '../../util/json-safe.js'
import {sanitize} from '../../util/sanitize.js'
import type {VantageOutcome} from '../types.js'
import {parseDns} from './parse-dns.js'
import {parseHttp} from './parse-http.js'
import {parsePing} from './parse-ping.js'
import {addr, type AtlasMeasurementMeta, type AtlasParseContext, type AtlasParsed, type AtlasResultMeta, int, iso, malformed, num, posInt, str, text} from './parse-shared.js'
import {parseTrace} from './parse-trace.js'
import {type AtlasProbeMeta, atlasVantage} from './probe-meta.js'

// what callers have always imported from here
export {presentAtlasAnswer} from './parse-dns.js'
export {type AtlasMeasurementMeta, type AtlasParseContext, type AtlasParsed} from './parse-shared.js'
export {type AtlasProbeMeta, atlasVantage, probeMetaFromApi} from './probe-meta.js'

// ---- entry point ----

const EMPTY_META: AtlasResultMeta = {
  type: null,
  msmId: null,
  probeId: null,
  firmware: null,
  origin: null,
  srcAddr: null,
  dstAddr: null,
  dstName: null,
  af: null,
  createdAt: null,
  endTime: null,
  lts: null,
}

function readMeta(r: Record<string, unknown>): AtlasResultMeta {
  const dstAddr = addr(r.dst_addr) ?? addr(r.addr) ?? addr(r.address)
  const afRaw = int(r.af)
  const af = afRaw === 4 || afRaw === 6 ? afRaw : dstAddr !== null ? (dstAddr.includes(':') ? 6 : 4) : null
  return {
    type: str(r.type),
    msmId: posInt(r.msm_id),
    probeId: posInt(r.prb_id),
    firmware: int(r.fw),
    origin: addr(r.from),
    srcAddr: addr(r.src_addr) ?? addr(r.srcaddr),
    dstAddr,
    dstName: text(r.dst_name, 253) ?? text(r.name, 253),
    af,
    createdAt: iso(num(r.timestamp)),
    endTime: iso(num(r.endtime)),
    lts: int(r.lts),
  }
}

/** Old firmware has no "type": read it from msm_name or the shape. */
function typeOf(r: Record<string, unknown>, meta: AtlasResultMeta, m: AtlasMeasurementMeta | null | undefined): string | null {
  if (meta.type) return meta.type.toLowerCase()
  const byName: Record<string, string> = {traceroute: 'traceroute', ping: 'ping', tdig: 'dns', httpget: 'http', sslcert: 'sslcert', ntp: 'ntp'}
  const n = typeof r.msm_name === 'string' ? byName[r.msm_name.toLowerCase()] : undefined
  if (n) return n
  const mt = typeof m?.type === 'string' ? m.type : m?.type?.name
  return typeof mt === 'string' ? mt.toLowerCase() : null
}

/**
 * Parse one raw Atlas result (an object, or its JSON text). `probeMeta` fills the vantage point
 * (country, ASN, location); `ctx.measurement` fills parameters results do not carry.
 */
export function parseAtlasResult(raw: unknown, probeMeta?: AtlasProbeMeta | null, ctx: AtlasParseContext = {}): AtlasParsed {
  let value = raw
  if (typeof value === 'string') {
    try {
      value = JSON.parse(escapeControlCharsInStrings(value))
    } catch {
      return malformed(EMPTY_META, 'not JSON')
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return malformed(EMPTY_META, 'not a JSON object')
  const r = value as Record<string, unknown>
  const meta = readMeta(r)
  if (meta.probeId === null) return malformed(meta, 'no probe id (prb_id)')
  const type = typeOf(r, meta, ctx.measurement)
  if (type !== meta.type) meta.type = type
  const vantage = atlasVantage(meta.probeId, probeMeta && probeMeta.id === meta.probeId ? probeMeta : null, meta.af)
  // firmware 1 ping (summary counts only) and HTTP ("GET4 addr seconds status hsize bsize") are read;
  // its traceroutes and DNS results are text the probe printed, and are not
  const legacyReadable = meta.firmware === 1 && (type === 'ping' || type === 'http')
  if (!legacyReadable && (meta.firmware === 1 || (typeof meta.firmware === 'number' && meta.firmware > 1 && meta.firmware < 4000))) {
    return malformed(meta, `firmware ${meta.firmware} results use a legacy format that is not parsed`, vantage)
  }
  if (meta.createdAt === null) return malformed(meta, 'no usable timestamp', vantage)
  switch (type) {
    case 'traceroute':
      return parseTrace(r, meta, vantage, ctx.measurement ?? null)
    case 'dns':
      return parseDns(r, meta, vantage, ctx.measurement ?? null)
    case 'ping':
      return parsePing(r, meta, vantage)
    case 'http':
      return parseHttp(r, meta, vantage)
    case 'sslcert':
    case 'ntp':
    case 'wifi':
      return {
        status: 'unsupported',
        meta,
        reason: `${type} results are not part of anyprobe's model (trace, dns, ping, http)`,
        outcomes: [
          {
            vantage,
            result: null,
            error: {code: 'E_BAD_INPUT', message: `RIPE Atlas ${type} results are not supported (probe ${meta.probeId})`, hint: 'anyprobe reads traceroute, dns, ping and http results'},
          },
        ],
      }
    default:
      return malformed(meta, type === null ? 'no measurement type' : `unknown measurement type "${sanitize(type, 40)}"`, vantage)
  }
}

// ---- many results ----

/** Counts over a batch of parsed results, so nothing disappears without a number. */
export interface AtlasParseStats {
  total: number
  ok: number
  probeErrors: number
  malformed: number
  unsupported: number
  /** reason -> how many (malformed and unsupported) */
  reasons: Record<string, number>
}

export function emptyParseStats(): AtlasParseStats {
  return {total: 0, ok: 0, probeErrors: 0, malformed: 0, unsupported: 0, reasons: {}}
}

export function countParsed(stats: AtlasParseStats, p: AtlasParsed): void {
  stats.total++
  switch (p.status) {
    case 'ok':
      stats.ok++
      break
    case 'probe-error':
      stats.probeErrors++
      break
    case 'malformed':
      stats.malformed++
      break
    case 'unsupported':
      stats.unsupported++
      break
  }
  if (p.reason !== null) stats.reasons[p.reason] = (stats.reasons[p.reason] ?? 0) + 1
}

export {escapeControlCharsInStrings} from '../../util/json-safe.js'

/**
 * The raw results in a saved file's text: a JSON array, a single result, or NDJSON (one result per
 * line). A line that is not JSON is returned as its text, so parseAtlasResult counts it malformed.
 */
export function readAtlasResultsText(textIn: string): unknown[] {
  const t = textIn.trim()
  if (t === '') return []
  try {
    const v = JSON.parse(escapeControlCharsInStrings(t)) as unknown
    return Array.isArray(v) ? v : [v]
  } catch {
    // NDJSON, or a broken document: line by line
  }
  const out: unknown[] = []
  for (const line of t.split('\n')) {
    const l = line.trim()
    if (l === '' || l === '[' || l === ']') continue
    const body = l.replace(/,$/, '')
    try {
      out.push(JSON.parse(escapeControlCharsInStrings(body)))
    } catch {
      out.push(body)
    }
  }
  return out
}

/** Parse many raw results, with their probes' metadata when known, and count what happened. */
export function parseAtlasResults(
  raws: Iterable<unknown>,
  probes?: ReadonlyMap<number, AtlasProbeMeta> | null,
  ctx: AtlasParseContext = {},
): {parsed: AtlasParsed[]; outcomes: VantageOutcome[]; stats: AtlasParseStats} {
  const parsed: AtlasParsed[] = []
  const outcomes: VantageOutcome[] = []
  const stats = emptyParseStats()
  for (const raw of raws) {
    const id = raw !== null && typeof raw === 'object' ? posInt((raw as {prb_id?: unknown}).prb_id) : null
    const p = parseAtlasResult(raw, id === null ? null : (probes?.get(id) ?? null), ctx)
    countParsed(stats, p)
    parsed.push(p)
    for (const o of p.outcomes) outcomes.push(o)
  }
  return {parsed, outcomes, stats}
}

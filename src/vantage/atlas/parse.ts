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
// Trace mapping: paris_id -> flowId; {"x":"*"} -> a lost probe (addr null, rtt null); replies with
// a "late" key are EXCLUDED (they answer an earlier probe; not RTTs); duplicates ("dup") likewise;
// an rtt that is missing or not > 0 is null, never 0; ICMP type/code are derived (Atlas does not
// report them): "err" N/H/A/P/p or a numeric code -> destination unreachable with that code, a
// reply from the destination -> what the protocol expects (echo reply, port unreachable, nothing
// for TCP), any other reply -> time exceeded. destinationReached: a reply of the LAST hop comes
// from dst_addr. stopReason: an unreachable from the last hop -> unreachable; reached -> completed;
// an error string -> halted; the last hop at max_hops -> hop-limit; else the probe gave up after
// silent hops (Atlas firmware stops after 5 and sends one last packet with TTL 255) -> gap-limit.
import {Buffer} from 'node:buffer'

import * as dnsPacket from 'dns-packet'

import {decodeReply, NSID_OPTION_CODE, presentAnswer, readReply} from '../../engines/dns/packet.js'
import {identityOf} from '../../engines/dns/probe.js'
import {DNS_SCHEMA_VERSION, type DnsQueryError, type DnsQueryResult, type DnsResult} from '../../model/dns.js'
import type {ErrorCode} from '../../model/errors.js'
import {HTTP_SCHEMA_VERSION, type HttpResult} from '../../model/http.js'
import {PING_SCHEMA_VERSION, type PingResult} from '../../model/ping.js'
import {TRACE_SCHEMA_VERSION, type ProbeReply, type StopReason, type TraceHop, type TraceProtocol, type TraceResult} from '../../model/trace.js'
import type {VantagePoint} from '../../model/vantage.js'
import {boundedJson, escapeControlCharsInStrings} from '../../util/json-safe.js'
import {sanitize} from '../../util/sanitize.js'
import {describeAddress, parseAddress} from '../../util/target.js'
import type {VantageError, VantageOutcome} from '../types.js'
import {foldResultset} from './dns-resultset.js'

// ---- probe metadata ----

/** What anyprobe keeps of a probe object from /api/v2/probes/. */
export interface AtlasProbeMeta {
  id: number
  asnV4: number | null
  asnV6: number | null
  /** ISO 3166 alpha-2, upper case */
  country: string | null
  lat: number | null
  lon: number | null
  description: string | null
  isAnchor: boolean
  /**
   * its tag slugs, lower case (for --expect's tag rules; system-auto-geoip-country says RIPE Atlas
   * placed the probe from its address at a point standing for its country)
   */
  tags: string[]
}

/** The probe's tag slugs, lower case: the API gives {name, slug} objects, the daily archive plain strings. */
function tagSlugs(tags: unknown): string[] {
  if (!Array.isArray(tags)) return []
  const slugs: string[] = []
  for (const t of tags) {
    const slug = typeof t === 'string' ? t : typeof t === 'object' && t !== null ? (t as {slug?: unknown}).slug : undefined
    if (typeof slug === 'string' && slug !== '') slugs.push(sanitize(slug.toLowerCase(), 60))
  }
  return slugs
}

/** A probe object as the API returns it -> AtlasProbeMeta; null when it has no usable id. */
export function probeMetaFromApi(raw: unknown): AtlasProbeMeta | null {
  if (raw === null || typeof raw !== 'object') return null
  const p = raw as Record<string, unknown>
  const id = int(p.id)
  if (id === null || id <= 0) return null
  const coords = (p.geometry as {coordinates?: unknown} | null | undefined)?.coordinates
  let lat: number | null = null
  let lon: number | null = null
  // GeoJSON order: [longitude, latitude]
  if (Array.isArray(coords) && coords.length >= 2) {
    const lo = num(coords[0])
    const la = num(coords[1])
    if (lo !== null && la !== null && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      lat = la
      lon = lo
    }
  }
  const cc = typeof p.country_code === 'string' && /^[A-Za-z]{2}$/.test(p.country_code) ? p.country_code.toUpperCase() : null
  return {
    id,
    asnV4: posInt(p.asn_v4),
    asnV6: posInt(p.asn_v6),
    country: cc,
    lat,
    lon,
    description: typeof p.description === 'string' && p.description.trim() !== '' ? sanitize(p.description.trim(), 200) : null,
    isAnchor: p.is_anchor === true,
    tags: tagSlugs(p.tags),
  }
}

/** How RIPE Atlas placed the probe, when it placed it itself from its address (its system-auto-geoip-* tag). */
const AUTO_GEOIP = ['system-auto-geoip-country', 'system-auto-geoip-city']

/** The vantage point of a probe: id "atlas:N", the ASN of the family measured. */
export function atlasVantage(probeId: number, meta?: AtlasProbeMeta | null, af?: 4 | 6 | null): VantagePoint {
  if (!meta) return {kind: 'atlas', id: `atlas:${probeId}`, name: null, asn: null, country: null, lat: null, lon: null}
  return {
    kind: 'atlas',
    id: `atlas:${probeId}`,
    name: meta.description,
    asn: af === 6 ? (meta.asnV6 ?? meta.asnV4) : (meta.asnV4 ?? meta.asnV6),
    country: meta.country,
    lat: meta.lat,
    lon: meta.lon,
    // how Atlas placed it, for readers that weigh the location (sites leaves country-level ones out)
    ...(meta.tags.some((t) => AUTO_GEOIP.includes(t)) ? {tags: meta.tags.filter((t) => AUTO_GEOIP.includes(t))} : {}),
  }
}

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

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'string' && v.trim() !== '' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v)
  return null
}

function int(v: unknown): number | null {
  const n = num(v)
  return n !== null && Number.isInteger(n) ? n : null
}

function posInt(v: unknown): number | null {
  const n = int(v)
  return n !== null && n > 0 ? n : null
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

/**
 * An address field: kept when it looks like an address (text from the probe is untrusted): 2 to 45
 * of 0-9 A-F a-f : . (what /^[0-9A-Fa-f:.]{2,45}$/ accepts; a loop, as every reply has one).
 */
function addr(v: unknown): string | null {
  if (typeof v !== 'string' || v.length < 2 || v.length > 45) return null
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    // 0-9 and ':' (48-58), '.', A-F, a-f
    if (!((c >= 48 && c <= 58) || c === 46 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return null
  }
  return v
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

/** An RTT: > 0 ms, rounded to µs; anything else is null (never 0). A number written as a string is one (sagan reads float(rtt)). */
function rtt(v: unknown): number | null {
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
function iso(ts: number | null): string | null {
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

function text(v: unknown, max = 300): string | null {
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

function probeError(probeId: number | null, message: string, code?: ErrorCode): VantageError {
  const m = sanitize(message, 300)
  return {
    code: code ?? probeErrorCode(m),
    message: `${probeId === null ? 'the probe' : `probe ${probeId}`} reported: ${m}`,
    hint: 'the RIPE Atlas probe could not make this measurement; its own message is quoted',
  }
}

function malformedError(probeId: number | null, reason: string): VantageError {
  return {
    code: 'E_BAD_INPUT',
    message: `could not parse the RIPE Atlas result${probeId === null ? '' : ` of probe ${probeId}`}: ${reason}`,
    hint: 'the result is left out of the analysis and counted as malformed',
  }
}

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

function malformed(meta: AtlasResultMeta, reason: string, vantage?: VantagePoint): AtlasParsed {
  const v = vantage ?? atlasVantage(meta.probeId ?? 0)
  if (!vantage && meta.probeId === null) v.id = 'atlas:unknown'
  return {status: 'malformed', meta, reason, outcomes: [{vantage: v, result: null, error: malformedError(meta.probeId, reason)}]}
}

function failed(meta: AtlasResultMeta, vantage: VantagePoint, error: VantageError): AtlasParsed {
  return {status: 'probe-error', meta, reason: null, outcomes: [withTime({vantage, result: null, error}, meta.createdAt)]}
}

/** An outcome without a result, with the time of the result it came from (the catchment orders by it). */
function withTime(o: VantageOutcome, at: string | null): VantageOutcome {
  if (at !== null) o.at = at
  return o
}

// ---- traceroute ----

const TARGET_INFO_CACHE = new Map<string, TraceResult['targetInfo']>()

function targetInfo(input: string, dst: string): TraceResult['targetInfo'] {
  const key = `${input} ${dst}`
  let info = TARGET_INFO_CACHE.get(key)
  if (info === undefined) {
    const a = parseAddress(dst)
    if (a) {
      const d = describeAddress(input, a, input !== dst)
      info = {class: d.class, knownAnycast: d.knownAnycast, notes: d.notes}
    } else {
      info = {class: 'reserved', knownAnycast: null, notes: []}
    }
    if (TARGET_INFO_CACHE.size > 10_000) TARGET_INFO_CACHE.clear()
    TARGET_INFO_CACHE.set(key, info)
  }
  // a copy: results are handed out and may be changed by their users
  return {class: info.class, knownAnycast: info.knownAnycast, notes: info.notes.slice()}
}

function traceProtocol(v: unknown, m: AtlasMeasurementMeta | null): TraceProtocol {
  const p = (typeof v === 'string' ? v : typeof m?.protocol === 'string' ? m.protocol : 'UDP').toUpperCase()
  // firmware 4400 wrote "mode": "UDP4" / "ICMP6" / "TCP4"
  if (p.startsWith('ICMP')) return 'icmp'
  if (p.startsWith('TCP')) return 'tcp'
  return 'udp'
}

/** ICMP type/code of a reply, derived from Atlas's "err" and who answered (see the header). */
function icmpOf(err: unknown, fromDst: boolean, proto: TraceProtocol, v6: boolean): [number | null, number | null] {
  if (err !== undefined && err !== null) {
    const unreach = v6 ? 1 : 3
    if (typeof err === 'number') return [unreach, err]
    switch (err) {
      case 'N':
        return [unreach, 0]
      case 'H':
        return v6 ? [1, 3] : [3, 1]
      case 'A':
        return v6 ? [1, 1] : [3, 13]
      case 'P':
        return v6 ? [4, 1] : [3, 2]
      case 'p':
        return v6 ? [1, 4] : [3, 3]
      default:
        return [unreach, null]
    }
  }
  if (!fromDst) return v6 ? [3, 0] : [11, 0]
  if (proto === 'icmp') return v6 ? [129, 0] : [0, 0]
  if (proto === 'udp') return v6 ? [1, 4] : [3, 3]
  return [null, null]
}

/** "err" values that do not stop a trace short of its target: port unreachable is UDP's arrival. */
function isUnreachableErr(err: unknown): boolean {
  return err !== undefined && err !== null && err !== 'p' && !(err === 4 || err === 3)
}

function parseTrace(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint, m: AtlasMeasurementMeta | null): AtlasParsed {
  const raw = r.result
  const probeId = meta.probeId
  if (typeof raw === 'string') return malformed(meta, 'traceroute in text form (legacy firmware) is not parsed', vantage)
  if (!Array.isArray(raw)) {
    const e = text(r.error)
    return e !== null ? failed(meta, vantage, probeError(probeId, e)) : malformed(meta, 'no "result" array of hops', vantage)
  }
  const dst = meta.dstAddr
  const proto = traceProtocol(r.proto ?? r.mode, m)
  const v6 = meta.af === 6 || (dst !== null && dst.includes(':'))
  const hops: TraceHop[] = []
  const errors: string[] = []
  let maxProbes = 0
  let lastUnreachable = false

  for (let h = 0; h < raw.length; h++) {
    const entry = raw[h] as Record<string, unknown> | null
    if (entry === null || typeof entry !== 'object') return malformed(meta, `hop entry ${h} is not an object`, vantage)
    const ttl = int(entry.hop)
    const packets = entry.result
    if (ttl === null || !Array.isArray(packets)) {
      const e = text(entry.error)
      if (e !== null) {
        errors.push(e)
        continue
      }
      return malformed(meta, `hop entry ${h} has no hop number or replies`, vantage)
    }
    if (ttl < 1 || ttl > 255) return malformed(meta, `hop number ${ttl} is out of range`, vantage)
    const replies: ProbeReply[] = []
    const rtts: Array<number | null> = []
    const addrs: string[] = []
    let best: string | null = null
    let bestCount = 0
    let counts: Map<string, number> | null = null
    let unreachableHere = false
    for (let j = 0; j < packets.length; j++) {
      const p = packets[j] as Record<string, unknown> | null
      if (p === null || typeof p !== 'object') return malformed(meta, `hop ${ttl} reply ${j} is not an object`, vantage)
      if (p.late !== undefined || p.dup !== undefined) continue
      const probe = replies.length
      if (p.x !== undefined || p.from === undefined) {
        if (p.error !== undefined) {
          const e = text(p.error)
          if (e !== null) errors.push(e)
        }
        replies.push({probe, addr: null, rttMs: null, icmpType: null, icmpCode: null, replyTtl: null})
        rtts.push(null)
        continue
      }
      const from = addr(p.from)
      if (from === null) return malformed(meta, `hop ${ttl} reply ${j} has an unreadable "from"`, vantage)
      const fromDst = from === dst
      const [icmpType, icmpCode] = icmpOf(p.err, fromDst, proto, v6)
      if (isUnreachableErr(p.err)) unreachableHere = true
      const ms = rtt(p.rtt)
      replies.push({probe, addr: from, rttMs: ms, icmpType, icmpCode, replyTtl: int(p.ttl)})
      rtts.push(ms)
      // the hop's address: the one that answered most often (first seen wins a tie)
      if (addrs.length === 0) {
        addrs.push(from)
        best = from
        bestCount = 1
      } else if (from === addrs[0] && counts === null) {
        bestCount++
      } else {
        if (counts === null) counts = new Map([[addrs[0]!, bestCount]])
        const c = (counts.get(from) ?? 0) + 1
        if (c === 1) addrs.push(from)
        counts.set(from, c)
        if (c > bestCount) {
          best = from
          bestCount = c
        }
      }
    }
    if (replies.length > maxProbes) maxProbes = replies.length
    lastUnreachable = unreachableHere
    hops.push({ttl, addr: best, addrs, hostname: null, asn: null, asOrg: null, rttMs: rtts, replies, hint: null})
  }

  if (hops.length === 0) {
    return errors.length > 0 ? failed(meta, vantage, probeError(probeId, errors.join('; '))) : malformed(meta, 'a traceroute without hops', vantage)
  }
  if (hops.every((hop) => hop.addr === null) && errors.length > 0) {
    // nothing answered because the probe could not send (bind/sendto failed, ...)
    return failed(meta, vantage, probeError(probeId, errors.join('; ')))
  }
  if (dst === null) return malformed(meta, 'no destination address (dst_addr)', vantage)

  const last = hops[hops.length - 1]!
  let destinationReached = false
  for (const rep of last.replies) if (rep.addr === dst) destinationReached = true
  const maxHops = posInt(m?.max_hops) ?? 32
  let lastProbed = last.ttl
  if (lastProbed === 255 && hops.length > 1) lastProbed = hops[hops.length - 2]!.ttl
  let stopReason: StopReason
  if (lastUnreachable) stopReason = 'unreachable'
  else if (destinationReached) stopReason = 'completed'
  else if (errors.length > 0) stopReason = 'halted'
  else if (lastProbed >= maxHops) stopReason = 'hop-limit'
  else stopReason = 'gap-limit'

  const startedS = num(r.timestamp)!
  const endS = num(r.endtime)
  const packetsDef = posInt(m?.packets)
  const result: TraceResult = {
    schemaVersion: TRACE_SCHEMA_VERSION,
    kind: 'trace',
    target: meta.dstName ?? dst,
    targetAddr: dst,
    targetInfo: targetInfo(meta.dstName ?? dst, dst),
    family: v6 ? 6 : 4,
    protocol: proto,
    flowId: clampFlow(int(r.paris_id) ?? int(r['paris-id']) ?? 0),
    vantage,
    startedAt: meta.createdAt!,
    durationMs: endS !== null && endS >= startedS ? (endS - startedS) * 1000 : 0,
    params: {
      maxHops,
      firstHop: posInt(m?.first_hop) ?? 1,
      probes: packetsDef ?? (maxProbes > 0 ? maxProbes : 3),
      timeoutMs: posInt(m?.response_timeout) ?? 4000,
      rate: null,
      port: proto === 'tcp' ? (posInt(m?.port) ?? posInt(r.dst_port) ?? 80) : null,
      gapLimit: 5,
    },
    hops,
    destinationReached,
    stopReason,
    pop: null,
    targetHostname: null,
  }
  const outcome: VantageOutcome = {vantage, result, error: null}
  if (errors.length > 0) outcome.error = probeError(probeId, errors.join('; '))
  return {status: 'ok', meta, reason: null, outcomes: [outcome]}
}

function clampFlow(n: number): number {
  return n >= 0 && n <= 65535 ? n : 0
}

// ---- DNS ----

/** A name in presentation form: absolute, and the root is `.` (dns-packet gives it as "" or "."). */
function fqdn(name: unknown): string {
  const n = typeof name === 'string' ? name : ''
  return n === '' || n === '.' ? '.' : n.endsWith('.') ? n : `${n}.`
}

/** One answer record in presentation form, for the types the DNS engine's presenter leaves raw. */
export function presentAtlasAnswer(a: dnsPacket.Answer): string {
  const data = (a as {data?: unknown}).data as Record<string, unknown> | Buffer | undefined
  const hex = (b: unknown): string => (Buffer.isBuffer(b) ? b.toString('hex') : '')
  const b64 = (b: unknown): string => (Buffer.isBuffer(b) ? b.toString('base64') : '')
  switch (a.type) {
    case 'DS': {
      const d = data as {keyTag: number; algorithm: number; digestType: number; digest: Buffer}
      return `${d.keyTag} ${d.algorithm} ${d.digestType} ${hex(d.digest)}`
    }
    case 'DNSKEY': {
      // dns-packet drops the protocol octet, which RFC 4034 fixes at 3
      const d = data as {flags: number; algorithm: number; key: Buffer}
      return `${d.flags} 3 ${d.algorithm} ${b64(d.key)}`
    }
    case 'TLSA': {
      const d = data as {usage: number; selector: number; matchingType: number; certificate: Buffer}
      return `${d.usage} ${d.selector} ${d.matchingType} ${hex(d.certificate)}`
    }
    case 'RRSIG': {
      const d = data as {typeCovered: string; algorithm: number; labels: number; originalTTL: number; expiration: number; inception: number; keyTag: number; signersName: string; signature: Buffer}
      return `${d.typeCovered} ${d.algorithm} ${d.labels} ${d.originalTTL} ${d.expiration} ${d.inception} ${d.keyTag} ${fqdn(d.signersName)} ${b64(d.signature)}`
    }
    case 'NSEC': {
      const d = data as {nextDomain: string; rrtypes: string[]}
      return `${fqdn(d.nextDomain)} ${(d.rrtypes ?? []).join(' ')}`
    }
    default:
      // RFC 3597 form for types nobody decoded (dns-packet calls them UNKNOWN_<n>)
      if (Buffer.isBuffer(data)) return `\\# ${data.length} ${data.toString('hex')}`.trim()
      return presentAnswer(a)
  }
}

function dnsQueryError(e: unknown): {error: DnsQueryError; code: ErrorCode; message: string} {
  const o = (e !== null && typeof e === 'object' ? e : {}) as Record<string, unknown>
  if (o.timeout !== undefined) return {error: 'timeout', code: 'E_TIMEOUT', message: `Timeout: ${text(typeof o.timeout === 'number' ? String(o.timeout) : o.timeout, 20) ?? ''}`}
  const msg = text(e) ?? 'error'
  if (o.getaddrinfo !== undefined) return {error: 'network', code: 'E_RESOLVE', message: `getaddrinfo: ${text(o.getaddrinfo) ?? ''}`}
  return {error: /refused/i.test(msg) ? 'refused' : 'network', code: probeErrorCode(msg), message: msg}
}

function b64decode(v: unknown): Buffer | null {
  if (typeof v !== 'string' || v === '' || !/^[A-Za-z0-9+/=\s]+$/.test(v)) return null
  return Buffer.from(v, 'base64')
}

interface QuestionInfo {
  qname: string
  qclass: string
  qtype: string
  nsid: boolean
}

function questionOf(decoded: dnsPacket.DecodedPacket | null): QuestionInfo | null {
  const q = decoded?.questions?.[0]
  if (!q) return null
  const qclass = String(q.class ?? 'IN').toUpperCase()
  const qname = q.name === '' ? '.' : qclass === 'CH' ? q.name.toLowerCase() : q.name
  let nsid = false
  for (const rr of decoded!.additionals ?? []) {
    if (rr.type !== 'OPT') continue
    for (const o of ((rr as dnsPacket.OptAnswer).options ?? []) as Array<{code: number}>) if (o.code === NSID_OPTION_CODE) nsid = true
  }
  return {qname: sanitize(qname, 253), qclass, qtype: String(q.type), nsid}
}

function definitionQuestion(m: AtlasMeasurementMeta | null): QuestionInfo | null {
  if (!m || typeof m.query_argument !== 'string') return null
  const cls = (m.query_class ?? 'IN').toUpperCase()
  const qclass = cls === 'CHAOS' ? 'CH' : cls
  return {qname: sanitize(m.query_argument, 253), qclass, qtype: (m.query_type ?? 'A').toUpperCase(), nsid: m.set_nsid_bit === true}
}

function parseDns(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint, m: AtlasMeasurementMeta | null): AtlasParsed {
  const entries: Array<Record<string, unknown>> = Array.isArray(r.resultset) ? (r.resultset as Array<Record<string, unknown>>) : [r]
  if (entries.length === 0) return malformed(meta, 'an empty "resultset"', vantage)
  const outcomes: VantageOutcome[] = []
  let measured = 0
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    if (e === null || typeof e !== 'object') return malformed(meta, `resultset entry ${i} is not an object`, vantage)
    const dst = addr(e.dst_addr) ?? (e === r ? null : meta.dstAddr)
    const ts = num(e.time) ?? num(r.timestamp)!
    const protoText = str(e.proto) ?? str(r.proto) ?? (typeof m?.protocol === 'string' ? m.protocol : 'UDP')
    const transport = protoText.toUpperCase() === 'TCP' ? 'tcp' : 'udp'
    const qbuf = b64decode(e.qbuf)
    const fromQuery = questionOf(qbuf ? decodeReply(qbuf) : null)
    const res = e.result as Record<string, unknown> | undefined
    let query: DnsQueryResult
    let error: VantageError | null = null
    if (e.error !== undefined && (res === undefined || res === null)) {
      const qe = dnsQueryError(e.error)
      if (dst === null) {
        // no server was even asked (the name of the target did not resolve on the probe)
        outcomes.push(withTime({vantage, result: null, error: probeError(meta.probeId, qe.message, qe.code)}, iso(ts) ?? meta.createdAt))
        continue
      }
      const q = fromQuery ?? definitionQuestion(m)
      query = {
        qname: q?.qname ?? '',
        qclass: q?.qclass ?? 'IN',
        qtype: q?.qtype ?? '',
        nsidRequested: q?.nsid ?? false,
        rcode: null,
        rttMs: null,
        answers: [],
        nsid: null,
        aa: null,
        truncated: null,
        error: qe.error,
      }
      error = probeError(meta.probeId, qe.message, qe.code)
    } else if (res !== null && typeof res === 'object') {
      if (dst === null) return malformed(meta, `resultset entry ${i} has no dst_addr`, vantage)
      const abuf = b64decode(res.abuf)
      const decoded = abuf ? decodeReply(abuf) : null
      const q = questionOf(decoded) ?? fromQuery ?? definitionQuestion(m)
      const base = {qname: q?.qname ?? '', qclass: q?.qclass ?? 'IN', qtype: q?.qtype ?? '', nsidRequested: fromQuery?.nsid ?? q?.nsid ?? false}
      if (decoded === null || abuf === null) {
        // the server did answer (Atlas timed it): the RTT is a measurement and is kept; only the
        // reply's contents (rcode, answers, NSID) are unknown. The result stays in the analysis.
        query = {...base, rcode: null, rttMs: rtt(res.rt), answers: [], nsid: null, aa: null, truncated: null, error: 'malformed'}
        error = {
          code: 'E_BAD_INPUT',
          message: `probe ${meta.probeId}: ${abuf === null ? 'the DNS reply (abuf) is not in the result' : 'the DNS reply (abuf) cannot be decoded'}; its RTT is kept, its contents are unknown`,
          hint: 'the reply is counted with its RTT only: no rcode, answers or NSID to name a site from',
        }
      } else {
        // rcode (EDNS-extended), flags and NSID as the DNS engine reads them; answers presented
        // here, because Atlas results carry record types the engine never asks for
        const reply = readReply(decoded, abuf)
        const answers: string[] = []
        for (const a of decoded.answers ?? []) answers.push(sanitize(presentAtlasAnswer(a)))
        query = {
          ...base,
          // a server that returns NSID was asked for it, whatever else we know
          nsidRequested: base.nsidRequested || reply.nsid !== null,
          rcode: reply.rcode,
          rttMs: rtt(res.rt),
          answers,
          nsid: reply.nsid,
          aa: reply.aa,
          truncated: reply.truncated,
          error: null,
        }
      }
    } else {
      return malformed(meta, `resultset entry ${i} has neither "result" nor "error"`, vantage)
    }
    measured++
    const rt = query.rttMs
    const result: DnsResult = {
      schemaVersion: DNS_SCHEMA_VERSION,
      kind: 'dns',
      target: meta.dstName ?? dst!,
      targetAddr: dst!,
      port: 53,
      transport,
      vantage: {...vantage},
      startedAt: iso(ts) ?? meta.createdAt!,
      durationMs: rt ?? 0,
      params: {timeoutMs: posInt(m?.timeout) ?? 5000, qname: query.qname, qtype: query.qtype},
      queries: [query],
      identity: identityOf([query]),
      answered: query.rcode !== null || query.rttMs !== null,
      pop: null,
    }
    outcomes.push({vantage: result.vantage, result, error})
  }
  const status = measured > 0 ? 'ok' : 'probe-error'
  // a resultset (the probe asked each of its resolvers) is one observation of the probe, not one per entry
  if (Array.isArray(r.resultset)) return {status, meta, reason: null, outcomes: [foldResultset(outcomes, meta.probeId, addr(m?.target) ?? meta.dstAddr)]}
  return {status, meta, reason: null, outcomes}
}

// ---- ping ----

function parsePing(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint): AtlasParsed {
  const packets = r.result
  const rtts: Array<number | null> = []
  const errs: string[] = []
  if (Array.isArray(packets)) {
    for (let j = 0; j < packets.length; j++) {
      const p = packets[j] as Record<string, unknown> | null
      if (p === null || typeof p !== 'object') return malformed(meta, `ping reply ${j} is not an object`, vantage)
      if (p.dup !== undefined || p.late !== undefined) continue
      if (p.error !== undefined) {
        const e = text(p.error)
        if (e !== null) errs.push(e)
        rtts.push(null)
        continue
      }
      rtts.push(rtt(p.rtt))
    }
  } else if (packets !== undefined) {
    return malformed(meta, '"result" is not a list of replies', vantage)
  }
  const sent = int(r.sent)
  if (sent === null && !Array.isArray(packets)) {
    const e = text(r.error)
    return e !== null ? failed(meta, vantage, probeError(meta.probeId, e)) : malformed(meta, 'neither replies nor counts', vantage)
  }
  if (sent === 0 && errs.length === 0 && r.error !== undefined) return failed(meta, vantage, probeError(meta.probeId, text(r.error) ?? 'error'))
  let min: number | null = null
  let max: number | null = null
  let sum = 0
  let n = 0
  for (const x of rtts) {
    if (x === null) continue
    if (min === null || x < min) min = x
    if (max === null || x > max) max = x
    sum += x
    n++
  }
  // without per-packet replies (very old firmware) the summary fields are all there is; -1 = none
  const summary = (v: unknown): number | null => {
    const x = num(v)
    return x !== null && x > 0 ? round3(x) : null
  }
  const result: PingResult = {
    schemaVersion: PING_SCHEMA_VERSION,
    kind: 'ping',
    target: meta.dstName ?? meta.dstAddr ?? '',
    targetAddr: meta.dstAddr,
    family: meta.af,
    vantage,
    startedAt: meta.createdAt!,
    sent: sent ?? rtts.length,
    received: int(r.rcvd) ?? n,
    rttMs: rtts,
    minMs: n > 0 ? min : summary(r.min),
    avgMs: n > 0 ? round3(sum / n) : summary(r.avg),
    maxMs: n > 0 ? max : summary(r.max),
    pop: null,
  }
  const error = errs.length > 0 ? probeError(meta.probeId, errs.join('; ')) : null
  return {status: 'ok', meta, reason: null, outcomes: [{vantage, result, error}]}
}

// ---- HTTP ----

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

function parseHttp(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint): AtlasParsed {
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


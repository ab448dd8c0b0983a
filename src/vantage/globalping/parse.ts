// Globalping results -> anyprobe's model (TraceResult, DnsResult, HttpResult, PingResult), one
// VantageOutcome per probe. Synchronous and defensive: every field from the API is checked before
// use; text is sanitised; fields we do not know are ignored; missing is null, never 0.
//
// - A probe has no id in Globalping ("Probes don't expose unique IDs"): a vantage point is named by
//   its position in the measurement and where it is: "3.US.Philadelphia.AS7922". A watch names
//   them so in round 0 and matches later rounds' results to them by where they are (identity.ts),
//   not by this position.
// - A test that failed (status failed/offline: only status, rawOutput, failureSource) is kept as a
//   vantage point with an error, never dropped.
// - DNS: NSID only exists inside dig's rawOutput (`; NSID: 6e 73 ... ("ns1...")`): the hex is
//   decoded; the quoted text is dig's rendering and not trusted.
// - trace: Globalping runs the system traceroute (-q 2, -m 20), not Paris-style: params.paris=false.
// The PoP verdict is the one verdict function (src/infer/verdict.ts resultVerdict), as for a local
// result: no PoP when the target never answered (a trace whose last named hop is a PoP's router
// names no PoP), the probe's location for the speed-of-light check.
// - http: Globalping gives the headers and the address it connected to (resolvedAddress); that
//   address's network (targetAsn, enrich/answer-asn.ts) goes to the verdict as a local probe's
//   does, so a cf-ray passed on through Fastly (AS54113) is not taken for Cloudflare's PoP. A result
//   without resolvedAddress has no answering network: its headers are read as they stand.
import {answeringAsn} from '../../enrich/answer-asn.js'
import type {AsnLookup} from '../../enrich/asn.js'
import {collectHeaders} from '../../engines/http/request.js'
import {nsidValue} from '../../engines/dns/packet.js'
import {DNS_SCHEMA_VERSION, type DnsQueryResult, type DnsResult, type NsidValue} from '../../model/dns.js'
import {HTTP_SCHEMA_VERSION, type HttpResult, type HttpTimings} from '../../model/http.js'
import type {GeoHint} from '../../model/pop.js'
import {PING_SCHEMA_VERSION, type PingResult} from '../../model/ping.js'
import {TRACE_SCHEMA_VERSION, type ProbeReply, type TraceHop, type TraceProtocol, type TraceResult} from '../../model/trace.js'
import type {VantagePoint} from '../../model/vantage.js'
import {sanitize} from '../../util/sanitize.js'
import {describeAddress, parseAddress} from '../../util/target.js'
import {resultVerdict} from '../../infer/verdict.js'
import {memoHint} from '../atlas/enrich.js'
import type {ProbeMethod, ProbeResult, VantageError, VantageOutcome} from '../types.js'
import type {GlobalpingMeasurement, GlobalpingProbe, GlobalpingRequest, GlobalpingTestResult} from './types.js'

export const CHAOS_NOTE = 'Globalping cannot send CHAOS-class queries: only the ordinary query (with NSID) was asked, of the target address as resolver'
export const TRACE_NOTE = "Globalping's traceroute is the system traceroute (2 probes per hop, 20 hops at most), not Paris-style: load balancers may split a path"

/** What parsing needs to know beyond the measurement itself. */
export interface ParseContext {
  /** what the user asked for (kept as the result's target) */
  target: string
  /** HTTP: --pop-header names, lower case; the Host sent */
  popHeaders?: string[]
  host?: string | null
  requestHeaders?: Record<string, string>
  method?: 'GET' | 'HEAD'
  /** the selector says tool=mtr (its packets per hop) */
  probesPerHop?: number
  /** the request that made the measurement: its options fill in what the API echoes only when not default */
  request?: GlobalpingRequest
  /** shared name -> hint memo */
  hint?: (hostname: string) => GeoHint | null
  /** false (catchment --no-rdns / --no-asn): drop the names / ASNs Globalping resolved for hops */
  rdns?: boolean
  asn?: boolean
  /** HTTP: where the answering address's network is looked up (edge-trust); absent: not looked up */
  answerAsn?: AsnLookup
}

const str = (v: unknown, max = 200): string | null => (typeof v === 'string' && v.trim() !== '' ? sanitize(v.trim(), max) : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const nonNeg = (v: unknown): number | null => {
  const n = num(v)
  return n !== null && n >= 0 ? n : null
}

/** What Globalping says of a probe, as a vantage point. `index` is its 0-based position in the measurement. */
export function globalpingVantage(probe: GlobalpingProbe | undefined, index: number): VantagePoint {
  const p = (probe !== null && typeof probe === 'object' ? probe : {}) as GlobalpingProbe
  const country = str(p.country, 8)
  const city = str(p.city, 100)
  const asnRaw = num(p.asn)
  const asn = asnRaw !== null && Number.isInteger(asnRaw) && asnRaw > 0 && asnRaw < 2 ** 32 ? asnRaw : null
  const network = str(p.network, 200)
  const lat = num(p.latitude)
  const lon = num(p.longitude)
  const slug = (s: string | null): string | null => (s === null ? null : s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || null)
  const id = [String(index + 1), slug(country), slug(city), asn === null ? null : `AS${asn}`].filter((x) => x !== null).join('.')
  const where = [city, str(p.state, 20), country].filter((x) => x !== null).join(', ')
  const name = [where || null, network === null ? null : `${network}${asn === null ? '' : ` (AS${asn})`}`].filter((x) => x !== null).join(' — ') || null
  return {
    kind: 'globalping',
    id,
    name,
    asn,
    country,
    lat: lat !== null && Math.abs(lat) <= 90 ? lat : null,
    lon: lon !== null && Math.abs(lon) <= 180 ? lon : null,
    city,
    state: str(p.state, 20),
    continent: str(p.continent, 4),
    network,
    tags: Array.isArray(p.tags) ? p.tags.filter((t): t is string => typeof t === 'string').slice(0, 32).map((t) => sanitize(t, 60)) : [],
  }
}

/** The NSID of dig's output, decoded from its hex (dig's quoted rendering is not used). */
export function parseDigNsid(rawOutput: unknown): NsidValue | null {
  if (typeof rawOutput !== 'string') return null
  const m = /^; NSID:((?: [0-9a-fA-F]{2})*)(?: \(".*"\))?\s*$/m.exec(rawOutput)
  if (!m) return null
  const hex = m[1]!.replace(/\s+/g, '')
  return nsidValue(Buffer.from(hex, 'hex'))
}

/** dig's flags line: aa and tc, null when there is none. */
function digFlags(rawOutput: unknown): {aa: boolean | null; tc: boolean | null} {
  const m = typeof rawOutput === 'string' ? /^;; flags:([a-z ]*);/m.exec(rawOutput) : null
  if (!m) return {aa: null, tc: null}
  const flags = m[1]!.trim().split(/\s+/)
  return {aa: flags.includes('aa'), tc: flags.includes('tc')}
}

/** The error of a test that produced no result. */
export function testError(r: GlobalpingTestResult | undefined, status: string): VantageError {
  const raw = typeof r?.rawOutput === 'string' ? r.rawOutput.trim().split('\n').filter((l) => l.trim() !== '').slice(-2).join(' / ') : ''
  const said = raw === '' ? '' : `: ${sanitize(raw, 200)}`
  if (status === 'offline') return {code: 'E_VP_OFFLINE', message: `the probe is offline${said}`, hint: 'probes come and go: measure again with fresh locations'}
  if (status === 'in-progress') return {code: 'E_VP_TIMEOUT', message: 'the probe had not finished when the measurement ended', hint: 'Globalping ends a measurement after 30 s'}
  const source = str(r?.failureSource, 20)
  const hint = source === 'resolver' ? 'the resolver (the target, for dns) did not answer this probe' : source === 'target' ? 'the target did not answer this probe (or refused it)' : 'the probe could not run the test'
  return {code: 'E_VP_FAILED', message: `the test failed${source ? ` (${source})` : ''}${said}`, hint}
}

function family(addr: string | null): 4 | 6 | null {
  if (addr === null) return null
  return addr.includes(':') ? 6 : 4
}

function targetInfo(input: string, addr: string): TraceResult['targetInfo'] {
  const a = parseAddress(addr)
  if (!a) return {class: 'reserved', knownAnycast: null, notes: []}
  const d = describeAddress(input, a, input !== addr)
  return {class: d.class, knownAnycast: d.knownAnycast, notes: d.notes}
}

function ipOrNull(v: unknown): string | null {
  return typeof v === 'string' && parseAddress(v) !== null ? v.trim() : null
}

/** The measurement's options: what was sent, overlaid with what the API echoes (non-defaults only). */
function optionsOf(m: GlobalpingMeasurement, ctx: ParseContext): Record<string, unknown> {
  const echoed = m.measurementOptions !== null && typeof m.measurementOptions === 'object' ? m.measurementOptions : {}
  return {...(ctx.request?.measurementOptions ?? {}), ...echoed}
}

// ---- per type ----

function parseHttp(r: GlobalpingTestResult, vantage: VantagePoint, m: GlobalpingMeasurement, ctx: ParseContext): HttpResult {
  const flat: string[] = []
  const h = r.headers
  if (h !== null && typeof h === 'object' && !Array.isArray(h)) {
    for (const [name, value] of Object.entries(h as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' || typeof v === 'number') flat.push(name, String(v))
    }
  } else if (typeof r.rawHeaders === 'string') {
    for (const line of r.rawHeaders.split('\n')) {
      const c = line.indexOf(':')
      if (c > 0) flat.push(line.slice(0, c).trim(), line.slice(c + 1).trim())
    }
  }
  const t = (r.timings ?? {}) as Record<string, unknown>
  const timings: HttpTimings = {dnsMs: nonNeg(t.dns), connectMs: nonNeg(t.tcp), tlsMs: nonNeg(t.tls), firstByteMs: nonNeg(t.firstByte), totalMs: nonNeg(t.total)}
  const first = typeof r.rawOutput === 'string' ? /^HTTP\/(\d(?:\.\d)?)/.exec(r.rawOutput) : null
  const opts = optionsOf(m, ctx) as {protocol?: unknown}
  const status = num(r.statusCode)
  const body = typeof r.rawBody === 'string' ? r.rawBody : null
  let url: string
  try {
    url = new URL(/:\/\//.test(ctx.target) ? ctx.target : `https://${ctx.target}/`).toString()
  } catch {
    url = sanitize(ctx.target, 500)
  }
  const targetAddr = ipOrNull(r.resolvedAddress)
  return {
    schemaVersion: HTTP_SCHEMA_VERSION,
    kind: 'http',
    target: sanitize(ctx.target, 500),
    url,
    targetAddr,
    ...(ctx.answerAsn === undefined ? {} : {targetAsn: answeringAsn(targetAddr, ctx.answerAsn)}),
    method: ctx.method ?? 'GET',
    vantage,
    startedAt: startedAt(m),
    params: {timeoutMs: 15_000, host: ctx.host ?? null, follow: false, insecure: false, requestHeaders: ctx.requestHeaders ?? {}, popHeaders: ctx.popHeaders ?? []},
    httpVersion: first ? first[1]! : opts.protocol === 'HTTP2' ? '2' : '1.1',
    status: status !== null && Number.isInteger(status) ? status : 0,
    headers: collectHeaders(flat),
    timings,
    bodyBytes: ctx.method === 'HEAD' || body === null ? null : Buffer.byteLength(body),
    redirects: [],
    cfTrace: null,
    cfTraceError: null,
    pop: null,
  }
}

function answerText(a: unknown): string | null {
  if (a === null || typeof a !== 'object') return null
  const {type, value} = a as {type?: unknown; value?: unknown}
  if (typeof value !== 'string') return null
  // TXT values come as dig prints them: "part" "part" -> the parts joined, as our own probe reads TXT
  const v = type === 'TXT' ? value.replace(/"((?:[^"\\]|\\.)*)"\s*/g, '$1') : value
  return sanitize(v, 500)
}

function parseDns(r: GlobalpingTestResult, vantage: VantagePoint, m: GlobalpingMeasurement, ctx: ParseContext): DnsResult {
  const o = optionsOf(m, ctx) as {query?: {type?: unknown}; protocol?: unknown; port?: unknown; resolver?: unknown}
  const qtype = typeof o.query?.type === 'string' ? o.query.type.toUpperCase() : 'A'
  const qname = str(m.target, 255) ?? '.'
  const rcode = str(r.statusCodeName, 20)
  const nsid = parseDigNsid(r.rawOutput)
  const flags = digFlags(r.rawOutput)
  const answers = Array.isArray(r.answers) ? r.answers.map(answerText).filter((x): x is string => x !== null) : []
  const rtt = nonNeg((r.timings as {total?: unknown} | undefined)?.total)
  const query: DnsQueryResult = {
    qname,
    qclass: 'IN',
    qtype,
    nsidRequested: true,
    rcode,
    rttMs: rcode === null ? null : rtt,
    answers,
    nsid,
    aa: flags.aa,
    truncated: flags.tc,
    error: rcode === null ? 'malformed' : null,
  }
  const resolver = str(o.resolver, 100) ?? str(r.resolver, 100) ?? sanitize(ctx.target, 100)
  const port = num(o.port)
  return {
    schemaVersion: DNS_SCHEMA_VERSION,
    kind: 'dns',
    target: sanitize(ctx.target, 255),
    targetAddr: resolver,
    port: port !== null && Number.isInteger(port) && port > 0 && port < 65_536 ? port : 53,
    transport: o.protocol === 'TCP' ? 'tcp' : 'udp',
    vantage,
    startedAt: startedAt(m),
    durationMs: rtt ?? 0,
    params: {timeoutMs: 10_000, qname, qtype, chaos: false, note: CHAOS_NOTE},
    queries: [query],
    identity: {hostnameBind: null, idServer: null, versionBind: null, nsid},
    answered: rcode !== null,
    pop: null,
  }
}

function parseTrace(r: GlobalpingTestResult, vantage: VantagePoint, m: GlobalpingMeasurement, ctx: ParseContext, mtr: boolean): TraceResult {
  const o = optionsOf(m, ctx) as {protocol?: unknown; port?: unknown; packets?: unknown}
  const protocol = (typeof o.protocol === 'string' ? o.protocol.toLowerCase() : 'icmp') as TraceProtocol
  const hint = ctx.hint ?? memoHint()
  const dst = ipOrNull(r.resolvedAddress)
  const perHop = mtr ? (num(o.packets) ?? 3) : 2
  const rawHops = Array.isArray(r.hops) ? r.hops : []
  const hops: TraceHop[] = rawHops.slice(0, 255).map((raw, i) => {
    const h = (raw !== null && typeof raw === 'object' ? raw : {}) as {resolvedAddress?: unknown; resolvedHostname?: unknown; timings?: unknown; asn?: unknown}
    const addr = ipOrNull(h.resolvedAddress)
    const name = ctx.rdns === false ? null : str(h.resolvedHostname, 255)
    const hostname = addr !== null && name !== null && name !== addr && parseAddress(name) === null ? name : null
    const rtts: Array<number | null> = (Array.isArray(h.timings) ? h.timings : []).map((t) => nonNeg((t as {rtt?: unknown} | null)?.rtt))
    while (rtts.length < perHop) rtts.push(null)
    const replies: ProbeReply[] = rtts.map((rtt, probe) => ({probe, addr: rtt === null ? null : addr, rttMs: rtt, icmpType: null, icmpCode: null, replyTtl: null}))
    const asns = Array.isArray(h.asn) ? h.asn.filter((a): a is number => typeof a === 'number' && Number.isInteger(a) && a > 0) : []
    return {ttl: i + 1, addr, addrs: addr === null ? [] : [addr], hostname, asn: ctx.asn === false ? null : (asns[0] ?? null), asOrg: null, rttMs: rtts, replies, hint: hostname ? hint(hostname) : null}
  })
  const destinationReached = dst !== null && hops.some((h) => h.addr === dst)
  const targetName = ctx.rdns === false ? null : str(r.resolvedHostname, 255)
  const port = num(o.port)
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    kind: 'trace',
    target: sanitize(ctx.target, 255),
    targetAddr: dst ?? sanitize(ctx.target, 255),
    targetInfo: targetInfo(sanitize(ctx.target, 255), dst ?? ''),
    family: family(dst) ?? 4,
    protocol: protocol === 'tcp' || protocol === 'udp' ? protocol : 'icmp',
    flowId: 0,
    vantage,
    startedAt: startedAt(m),
    durationMs: 0,
    params: {maxHops: 20, firstHop: 1, probes: perHop, timeoutMs: 10_000, rate: null, port: protocol === 'tcp' ? (port ?? 80) : null, gapLimit: 20, paris: false, engine: mtr ? 'globalping mtr' : 'globalping traceroute'},
    hops,
    destinationReached,
    stopReason: destinationReached ? 'completed' : hops.length >= 20 ? 'hop-limit' : 'gap-limit',
    pop: null,
    targetHostname: targetName !== null && targetName !== dst && parseAddress(targetName) === null ? targetName : null,
  }
}

function parsePing(r: GlobalpingTestResult, vantage: VantagePoint, m: GlobalpingMeasurement, ctx: ParseContext): PingResult {
  const o = optionsOf(m, ctx) as {packets?: unknown}
  const timings = Array.isArray(r.timings) ? r.timings : []
  const stats = (r.stats ?? {}) as {total?: unknown; rcv?: unknown}
  const rtts: Array<number | null> = timings.map((t) => nonNeg((t as {rtt?: unknown} | null)?.rtt))
  const sent = nonNeg(stats.total) ?? num(o.packets) ?? Math.max(3, rtts.length)
  while (rtts.length < sent) rtts.push(null)
  const got = rtts.filter((x): x is number => x !== null)
  const addr = ipOrNull(r.resolvedAddress)
  return {
    schemaVersion: PING_SCHEMA_VERSION,
    kind: 'ping',
    target: sanitize(ctx.target, 255),
    targetAddr: addr,
    family: family(addr),
    vantage,
    startedAt: startedAt(m),
    sent,
    received: got.length,
    rttMs: rtts,
    minMs: got.length === 0 ? null : Math.min(...got),
    avgMs: got.length === 0 ? null : got.reduce((a, b) => a + b, 0) / got.length,
    maxMs: got.length === 0 ? null : Math.max(...got),
    pop: null,
  }
}

function startedAt(m: GlobalpingMeasurement): string {
  const t = typeof m.createdAt === 'string' ? Date.parse(m.createdAt) : NaN
  return new Date(Number.isNaN(t) ? 0 : t).toISOString()
}

export function methodOfType(type: unknown): ProbeMethod | null {
  switch (type) {
    case 'http':
    case 'dns':
    case 'ping':
      return type
    case 'traceroute':
    case 'mtr':
      return 'trace'
    default:
      return null
  }
}

/**
 * One probe's outcome: null while its test is still in progress (unless `final`: the measurement
 * has ended and it never finished), an error for failed/offline tests, else the result with its
 * PoP verdict.
 */
export function parseEntry(entry: unknown, index: number, m: GlobalpingMeasurement, ctx: ParseContext, final = false): VantageOutcome | null {
  const e = (entry !== null && typeof entry === 'object' ? entry : {}) as {probe?: GlobalpingProbe; result?: GlobalpingTestResult}
  const vantage = globalpingVantage(e.probe, index)
  const r = e.result !== null && typeof e.result === 'object' ? e.result : undefined
  const status = typeof r?.status === 'string' ? r.status : 'failed'
  if (status === 'in-progress' && !final) return null
  if (status !== 'finished' || r === undefined) return {vantage, result: null, error: testError(r, status)}
  let result: ProbeResult
  try {
    switch (m.type) {
      case 'http':
        result = parseHttp(r, vantage, m, ctx)
        break
      case 'dns':
        result = parseDns(r, vantage, m, ctx)
        break
      case 'traceroute':
      case 'mtr':
        result = parseTrace(r, vantage, m, ctx, m.type === 'mtr')
        break
      case 'ping':
        result = parsePing(r, vantage, m, ctx)
        break
      default:
        return {vantage, result: null, error: {code: 'E_VP_BAD_OUTPUT', message: `Globalping measurement type "${sanitize(String(m.type), 20)}" is not one anyprobe reads`, hint: null}}
    }
  } catch (err) {
    return {vantage, result: null, error: {code: 'E_VP_BAD_OUTPUT', message: `the probe's result could not be read: ${sanitize((err as Error).message, 200)}`, hint: 'the API answer was not in the documented format'}}
  }
  result.pop = resultVerdict(result)
  return {vantage, result, error: null}
}

/** Every outcome of a finished measurement (in-progress tests become E_VP_TIMEOUT errors). */
export function parseMeasurement(m: GlobalpingMeasurement, ctx: ParseContext): VantageOutcome[] {
  return (Array.isArray(m.results) ? m.results : []).map((e, i) => parseEntry(e, i, m, ctx, true)!)
}

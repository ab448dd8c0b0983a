// One-off RIPE Atlas measurement requests built from a ProbePlan (pure: no I/O), and what they cost.
//
//   trace -> traceroute, Paris (paris: 16), ICMP/UDP/TCP, port for TCP
//   dns   -> CHAOS TXT hostname.bind (or id.server / version.bind) with set_nsid_bit, sent straight
//            to the anycast address (use_probe_resolver: false): one query gives both the CHAOS
//            identity and the NSID. A plan naming an ordinary name (--qname example.net) asks
//            that IN query with NSID instead. Atlas runs one query per measurement.
//   ping  -> ping
//   http  -> only towards RIPE Atlas anchors: Atlas refuses HTTP measurements to other targets,
//            so an HTTP plan for any other URL is a usage error, said before anything is spent.
//
// `dryRunMeasurement` returns the request and its credit estimate and spends nothing.
//
// Every probe flag the user set reaches the definition or is refused (ATLAS_FLAGS, ../plan-flags.ts).
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {parseAddress} from '../../util/target.js'
import {type CarriedFlags, refusedFlag, refuseUncarried, wasGiven} from '../plan-flags.js'
import type {ProbeMethod, ProbePlan} from '../types.js'
import type {AtlasProbeRequest, AtlasSelector} from './selector.js'

export type AtlasMeasurementType = 'traceroute' | 'dns' | 'ping' | 'http'

/** One element of `definitions` of POST /measurements/ (Atlas field names). */
export interface AtlasDefinition {
  type: AtlasMeasurementType
  af: 4 | 6
  target: string
  description: string
  is_public: boolean
  resolve_on_probe?: boolean
  // traceroute
  protocol?: 'ICMP' | 'UDP' | 'TCP'
  paris?: number
  packets?: number
  first_hop?: number
  max_hops?: number
  response_timeout?: number
  port?: number
  // dns
  query_class?: 'IN' | 'CHAOS'
  query_type?: string
  query_argument?: string
  set_nsid_bit?: boolean
  use_probe_resolver?: boolean
  include_qbuf?: boolean
  include_abuf?: boolean
  timeout?: number
  // http
  method?: 'GET' | 'HEAD'
  path?: string
  header_bytes?: number
  extended_timing?: boolean
  version?: string
}

/** The body of POST /measurements/. */
export interface AtlasCreateRequest {
  definitions: AtlasDefinition[]
  probes: Array<{type: AtlasProbeRequest['type']; value: string | number; requested: number; tags?: AtlasProbeRequest['tags']}>
  is_oneoff: true
  bill_to?: string
}

export interface AtlasCreateOptions {
  /** address family when the target is a hostname (an address literal decides it itself) */
  af?: 4 | 6
  description?: string
  /** public measurements can be followed on the result stream; default true */
  isPublic?: boolean
  billTo?: string
}

/** Paris traceroute: vary the flow over 16 ids (probe i of a hop keeps its own flow). */
export const PARIS = 16
/** Atlas's own defaults, used where the plan says nothing (and for cost estimates). */
export const ATLAS_DEFAULTS = {
  tracePackets: 3,
  tracePacketSize: 40,
  pingPackets: 3,
  pingPacketSize: 48,
  maxHops: 32,
  firstHop: 1,
  responseTimeoutMs: 4000,
  dnsTimeoutMs: 5000,
} as const

export const ANCHOR_DOMAIN = 'anchors.atlas.ripe.net'

export function atlasTypeOf(method: ProbeMethod): AtlasMeasurementType {
  return method === 'trace' ? 'traceroute' : method
}

/** The method of a measurement type (the inverse of atlasTypeOf); null for types anyprobe does not read. */
export function methodOfAtlasType(type: string): ProbeMethod | null {
  switch (type) {
    case 'traceroute':
      return 'trace'
    case 'dns':
    case 'ping':
    case 'http':
      return type
    default:
      return null
  }
}

function usage(message: string, hint: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', message, {hint, exitCode: EXIT.usage})
}

/** The probe flags each Atlas measurement type carries; any other flag given is refused. */
export const ATLAS_FLAGS: CarriedFlags = {
  backend: 'RIPE Atlas',
  measurement: {trace: 'traceroute', dns: 'DNS', http: 'HTTP', ping: 'ping'},
  carries: {
    // dns / numeric / asn: Atlas results get no reverse DNS / hop ASN lookups (applied to the results: atlas/enrich.ts)
    trace: ['protocol', 'port', 'max-hops', 'first-hop', 'probes', 'timeout', 'dns', 'numeric', 'asn', 'ipv4', 'ipv6'],
    dns: ['timeout', 'tcp', 'qname', 'qtype'],
    http: ['method'],
    ping: ['probes'],
  },
  hints: {
    port: '--port does not reach RIPE Atlas DNS measurements (they always query port 53); measure other ports from local, netns: or ssh: vantage points',
    timeout: 'RIPE Atlas HTTP and ping measurements take no timeout of ours; drop --timeout (--vp-timeout bounds the wait for the results)',
    host: 'RIPE Atlas HTTP measurements fetch the anchor by its own name; they send no Host header of ours',
    header: 'RIPE Atlas HTTP measurements send no headers of ours',
    'pop-header': 'anyprobe reads no operator headers from RIPE Atlas HTTP results; use http --from local, netns: or ssh:',
    rate: 'RIPE Atlas paces its probes itself',
    'flow-id': 'RIPE Atlas traceroutes are Paris traceroutes over 16 flow ids (paris: 16), chosen by Atlas',
    'wait-factor': 'RIPE Atlas traceroutes wait --timeout for each reply (response_timeout); drop --wait-factor',
    'gap-limit': 'RIPE Atlas traceroutes stop at --max-hops, or after 5 silent hops (Atlas\'s own rule)',
    'asn-db': 'hop ASNs of RIPE Atlas results come from the bundled GeoLite2 ASN; --asn-db is read only by a trace anyprobe itself runs',
    'vp-location': 'RIPE Atlas probes have their own location; --vp-location says where THIS host is',
    insecure: 'RIPE Atlas HTTP measurements speak plain HTTP only',
    follow: 'RIPE Atlas HTTP measurements do not follow redirects',
    'cf-trace': 'RIPE Atlas HTTP measurements fetch only the URL given; ask for /cdn-cgi/trace as the URL instead',
  },
}

/** E_USAGE for a flag the user set that the Atlas definition of the plan cannot carry. */
export function checkAtlasPlan(plan: ProbePlan): void {
  refuseUncarried(ATLAS_FLAGS, plan)
  const o = plan.options
  if (plan.method === 'trace' && wasGiven(plan, 'port') && (o.protocol ?? 'icmp') !== 'tcp') {
    throw refusedFlag(ATLAS_FLAGS, 'trace', 'port', `RIPE Atlas takes a traceroute port only with --protocol tcp (it sets UDP ports itself, one per Paris id); add --protocol tcp or drop --port`)
  }
  if (plan.method === 'dns' && wasGiven(plan, 'qtype') && atlasDnsQuery(plan).query_class === 'CHAOS') {
    throw refusedFlag(ATLAS_FLAGS, 'dns', 'qtype', `RIPE Atlas runs one query per measurement: without --qname NAME it asks CHAOS TXT ${atlasDnsQuery(plan).query_argument}, so --qtype has nothing to ask; add --qname NAME`)
  }
}

const CHAOS_NAMES = new Set(['hostname.bind', 'id.server', 'version.bind'])

/** What one Atlas DNS measurement asks: class, type, name. */
export function atlasDnsQuery(plan: ProbePlan): {query_class: 'IN' | 'CHAOS'; query_type: string; query_argument: string} {
  const qname = (plan.options.qname ?? '.').trim().replace(/\.$/, '').toLowerCase()
  if (qname === '' || CHAOS_NAMES.has(qname)) {
    return {query_class: 'CHAOS', query_type: 'TXT', query_argument: qname === '' ? 'hostname.bind' : qname}
  }
  return {query_class: 'IN', query_type: (plan.options.qtype ?? 'SOA').toUpperCase(), query_argument: qname}
}

/** Target host and address family: an address literal decides the family; a name resolves on each probe. */
function targetOf(text: string, o: AtlasCreateOptions, asked?: 4 | 6): {target: string; af: 4 | 6; name: boolean} {
  const t = text.trim()
  const addr = parseAddress(t)
  if (addr) {
    const af = addr.kind() === 'ipv4' ? 4 : 6
    if (asked !== undefined && asked !== af) throw usage(`--ipv${asked} asks for IPv${asked}, but ${addr.toString()} is an IPv${af} address`, `drop --ipv${asked}, or give a hostname or an IPv${asked} address`)
    return {target: addr.toString(), af, name: false}
  }
  if (!/^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(t)) {
    throw usage(`"${t}" is neither an IP address nor a hostname Atlas can measure`, 'give an address like 192.0.2.1 or a hostname')
  }
  return {target: t.replace(/\.$/, ''), af: asked ?? o.af ?? 4, name: true}
}

function httpTarget(plan: ProbePlan): {host: string; path: string; port: number | null} {
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(plan.target) ? plan.target : `http://${plan.target}`)
  } catch {
    throw usage(`"${plan.target}" is not a URL`, 'give a URL like http://nl-ams-as3333.anchors.atlas.ripe.net/')
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '')
  if (!host.endsWith(`.${ANCHOR_DOMAIN}`)) {
    throw usage(
      `RIPE Atlas runs HTTP measurements only against RIPE Atlas anchors; ${host} is not an anchor, so Atlas probes cannot fetch it`,
      `measure HTTP from local, netns: or ssh: vantage points (anyprobe http --from ...), or use Atlas for trace/dns/ping to the same service; anchors are named *.${ANCHOR_DOMAIN}`,
    )
  }
  if (url.protocol !== 'http:') {
    throw usage(`Atlas HTTP measurements speak plain HTTP; ${url.protocol}// is not supported`, `use http://${host}${url.pathname}`)
  }
  return {host, path: url.pathname + url.search, port: url.port === '' ? null : Number(url.port)}
}

/** The Atlas measurement definition for a plan. Throws E_USAGE for what Atlas cannot do. */
export function buildDefinition(plan: ProbePlan, o: AtlasCreateOptions = {}): AtlasDefinition {
  const type = atlasTypeOf(plan.method)
  const isPublic = o.isPublic ?? true
  const opt = plan.options
  checkAtlasPlan(plan)
  switch (type) {
    case 'traceroute': {
      const {target, af, name} = targetOf(plan.target, o, opt.af)
      const protocol = (opt.protocol ?? 'icmp').toUpperCase() as 'ICMP' | 'UDP' | 'TCP'
      const def: AtlasDefinition = {
        type,
        af,
        target,
        description: o.description ?? `anyprobe trace ${target}`,
        is_public: isPublic,
        resolve_on_probe: name,
        protocol,
        paris: PARIS,
        packets: opt.probes ?? ATLAS_DEFAULTS.tracePackets,
        first_hop: opt.firstHop ?? ATLAS_DEFAULTS.firstHop,
        max_hops: opt.maxHops ?? ATLAS_DEFAULTS.maxHops,
        response_timeout: clamp(opt.timeoutMs ?? ATLAS_DEFAULTS.responseTimeoutMs, 1, 60_000),
      }
      // Atlas takes a port only for TCP traceroutes (UDP ports vary with the Paris id); a --port
      // with another protocol was refused above
      if (protocol === 'TCP') def.port = opt.port ?? 80
      return def
    }
    case 'ping': {
      const {target, af, name} = targetOf(plan.target, o)
      return {
        type,
        af,
        target,
        description: o.description ?? `anyprobe ping ${target}`,
        is_public: isPublic,
        resolve_on_probe: name,
        packets: opt.probes ?? ATLAS_DEFAULTS.pingPackets,
      }
    }
    case 'dns': {
      const {target, af, name} = targetOf(plan.target, o)
      return {
        type,
        af,
        target,
        description: o.description ?? `anyprobe dns ${target}`,
        is_public: isPublic,
        resolve_on_probe: name,
        ...atlasDnsQuery(plan),
        protocol: opt.tcp ? 'TCP' : 'UDP',
        set_nsid_bit: true,
        use_probe_resolver: false,
        include_qbuf: true,
        include_abuf: true,
        timeout: clamp(opt.timeoutMs ?? ATLAS_DEFAULTS.dnsTimeoutMs, 100, 30_000),
      }
    }
    case 'http': {
      const {host, path, port} = httpTarget(plan)
      const addr = parseAddress(host)
      return {
        type,
        af: addr ? (addr.kind() === 'ipv4' ? 4 : 6) : (o.af ?? 4),
        target: host,
        description: o.description ?? `anyprobe http ${host}`,
        is_public: isPublic,
        resolve_on_probe: true,
        method: opt.method ?? 'GET',
        path: path === '' ? '/' : path,
        ...(port === null ? {} : {port}),
        // ask for the response headers (up to Atlas's limit) and the connect / first-byte timings
        header_bytes: 2048,
        extended_timing: true,
        version: '1.1',
      }
    }
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(n)))
}

/** The full POST /measurements/ body: one one-off definition, the selector's probes. */
export function buildCreateRequest(plan: ProbePlan, selector: AtlasSelector, o: AtlasCreateOptions = {}): AtlasCreateRequest {
  const r = selector.request
  const req: AtlasCreateRequest = {
    definitions: [buildDefinition(plan, o)],
    probes: [{type: r.type, value: r.value, requested: r.requested, ...(r.tags ? {tags: r.tags} : {})}],
    is_oneoff: true,
  }
  if (o.billTo) req.bill_to = o.billTo
  return req
}

// ---- credits ----
//
// RIPE Atlas's published unit costs (https://atlas.ripe.net/docs/getting-started/credits, "Unit
// cost calculation"): a one-off result costs twice as much as a periodic one;
//   ping        N * (int(S/1500) + 1)        N packets (default 3), S size (default 48)
//   traceroute  10 * N * (int(S/1500) + 1)   N packets (default 3), S size (default 40)
//   dns         10 per result over UDP, 20 over TCP
//   sslcert     10 per result
// HTTP is not in that table as we could read it; it is estimated like sslcert (10 per result)
// and the estimate says it is not exact.
export const CREDITS_SOURCE = 'https://atlas.ripe.net/docs/getting-started/credits (unit costs; one-off results cost double)'

export interface CreditEstimate {
  /** credits per result, one-off factor included */
  perResult: number
  /** results expected: one per requested probe */
  results: number
  total: number
  /** how perResult was computed */
  formula: string
  /** false when the unit cost is an assumption, not a published figure */
  exact: boolean
  source: string
}

export function estimateCredits(def: AtlasDefinition, requestedProbes: number, oneOff = true): CreditEstimate {
  const factor = oneOff ? 2 : 1
  let unit: number
  let formula: string
  let exact = true
  switch (def.type) {
    case 'ping': {
      const n = def.packets ?? ATLAS_DEFAULTS.pingPackets
      unit = n * (Math.floor(ATLAS_DEFAULTS.pingPacketSize / 1500) + 1)
      formula = `${n} packets x (int(${ATLAS_DEFAULTS.pingPacketSize}/1500)+1)`
      break
    }
    case 'traceroute': {
      const n = def.packets ?? ATLAS_DEFAULTS.tracePackets
      unit = 10 * n * (Math.floor(ATLAS_DEFAULTS.tracePacketSize / 1500) + 1)
      formula = `10 x ${n} packets x (int(${ATLAS_DEFAULTS.tracePacketSize}/1500)+1)`
      break
    }
    case 'dns':
      unit = def.protocol === 'TCP' ? 20 : 10
      formula = `dns over ${def.protocol ?? 'UDP'}`
      break
    case 'http':
      unit = 10
      formula = 'http (assumed like sslcert: not in the published table)'
      exact = false
      break
  }
  const perResult = unit * factor
  return {
    perResult,
    results: requestedProbes,
    total: perResult * requestedProbes,
    formula: `${formula}${oneOff ? ' x 2 (one-off)' : ''}`,
    exact,
    source: CREDITS_SOURCE,
  }
}

export interface AtlasDryRun {
  dryRun: true
  /** exactly what would be POSTed to /measurements/ */
  request: AtlasCreateRequest
  estimate: CreditEstimate
  note: string
}

/** What `--dry-run` shows: the request and its cost. Spends nothing, sends nothing. */
export function dryRunMeasurement(plan: ProbePlan, selector: AtlasSelector, o: AtlasCreateOptions = {}): AtlasDryRun {
  const request = buildCreateRequest(plan, selector, o)
  const estimate = estimateCredits(request.definitions[0]!, selector.request.requested)
  return {
    dryRun: true,
    request,
    estimate,
    note: `nothing was sent; creating this measurement would cost about ${estimate.total} credits (${estimate.results} results x ${estimate.perResult})`,
  }
}

// A probe plan -> the body of POST /measurements, and what it costs (for --dry-run). Pure.
//
// http:  the URL's host, path, query and protocol; an address target with --host NAME pins the
//        address and sends request.host (which Globalping also uses as the TLS SNI).
// dns:   Globalping has no CHAOS class: the target address itself is the resolver of an ordinary
//        query (--qname/--qtype, default ". SOA"); every Globalping DNS query asks for NSID (+nsid).
// trace: traceroute (or mtr with tool=mtr), ICMP by default; not Paris-style (see parse.ts).
// ping:  ICMP echo, --probes packets (1-16, default 3).
//
// Every probe flag the user set reaches the request or is refused (GLOBALPING_FLAGS, ../plan-flags.ts).
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {sanitize} from '../../util/sanitize.js'
import {parseAddress} from '../../util/target.js'
import {type CarriedFlags, refusedFlag, refuseUncarried, wasGiven} from '../plan-flags.js'
import type {ProbePlan} from '../types.js'
import {ANON_LIMIT_PER_HOUR, sustainableIntervalMs, TOKEN_LIMIT_PER_HOUR} from './client.js'
import {type GlobalpingSelector, requestLocations} from './locations.js'
import type {GlobalpingRequest} from './types.js'

/** Query types Globalping's DNS accepts (command-schema.ts). */
export const GLOBALPING_QTYPES = ['A', 'AAAA', 'ANY', 'CNAME', 'DNSKEY', 'DS', 'HTTPS', 'MX', 'NS', 'NSEC', 'PTR', 'RRSIG', 'SOA', 'TXT', 'SRV', 'SVCB']
export const DEFAULT_QNAME = '.'
export const DEFAULT_QTYPE = 'SOA'

function usage(message: string, hint: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', message, {hint, exitCode: EXIT.usage})
}

const TIMEOUT_HINT = 'Globalping sets one timeout per measurement (5-30 s), not per probe; drop --timeout (--vp-timeout bounds the wait for the results)'

/** The probe flags each Globalping measurement type carries; any other flag given is refused. */
export const GLOBALPING_FLAGS: CarriedFlags = {
  backend: 'Globalping',
  measurement: {trace: 'traceroute / mtr', dns: 'DNS', http: 'HTTP', ping: 'ping'},
  carries: {
    // dns / numeric / asn: the hop names and ASNs Globalping resolved are dropped (applied to the results)
    trace: ['protocol', 'port', 'probes', 'ipv4', 'ipv6', 'dns', 'numeric', 'asn'],
    dns: ['port', 'tcp', 'qname', 'qtype'],
    http: ['method', 'host', 'header', 'pop-header'],
    ping: ['probes'],
  },
  hints: {
    timeout: TIMEOUT_HINT,
    'max-hops': 'Globalping traceroutes always probe up to 20 hops; drop --max-hops',
    'first-hop': 'Globalping traceroutes always start at the first hop; drop --first-hop',
    rate: 'Globalping paces its probes itself',
    'flow-id': 'Globalping traceroutes are not Paris-style: there is no flow id to hold',
    'wait-factor': 'Globalping sets the traceroute wait itself',
    'gap-limit': 'Globalping traceroutes stop at 20 hops (their own rule)',
    'asn-db': 'hop ASNs of Globalping results are its own; --asn-db is read only by a trace anyprobe itself runs',
    'vp-location': 'Globalping probes have their own location; --vp-location says where THIS host is',
    insecure: 'Globalping reports the certificate check (tls.authorized) and does not fail on it; drop --insecure',
    follow: 'Globalping HTTP measurements do not follow redirects',
    'cf-trace': 'Globalping HTTP measurements fetch only the URL given; ask for /cdn-cgi/trace as the URL instead',
  },
}

/** The address family the plan asks for, checked against an address target (which decides it). */
function ipVersionOf(plan: ProbePlan, host: string): 4 | 6 | null {
  const asked = plan.options.af
  if (asked === undefined) return null
  const addr = parseAddress(host)
  if (addr === null) return asked
  const af = addr.kind() === 'ipv4' ? 4 : 6
  if (af !== asked) throw usage(`--ipv${asked} asks for IPv${asked}, but ${sanitize(host, 60)} is an IPv${af} address`, `drop --ipv${asked}, or give a hostname or an IPv${asked} address`)
  // an address decides the family itself (Globalping takes ipVersion only with a hostname)
  return null
}

/** E_USAGE for a flag the user set that the Globalping request of the plan cannot carry. */
export function checkGlobalpingPlan(plan: ProbePlan, sel: Pick<GlobalpingSelector, 'mtr'>): void {
  refuseUncarried(GLOBALPING_FLAGS, plan)
  if (plan.method === 'trace') {
    if (wasGiven(plan, 'port') && (plan.options.protocol ?? 'icmp') !== 'tcp') {
      throw refusedFlag(GLOBALPING_FLAGS, 'trace', 'port', 'Globalping takes a traceroute port only with --protocol tcp; add --protocol tcp or drop --port')
    }
    if (wasGiven(plan, 'probes') && !sel.mtr) {
      throw refusedFlag(GLOBALPING_FLAGS, 'trace', 'probes', 'Globalping traceroutes send 2 probes per hop; add tool=mtr to the selector (globalping:...,tool=mtr) for 1-16 packets')
    }
  }
}

/** The target as a URL: what the user typed when it is one, https://TARGET/ otherwise. */
export function targetUrl(target: string): URL {
  const t = target.trim()
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
      const u = new URL(t)
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme')
      return u
    }
    return new URL(`https://${t.includes(':') && !t.startsWith('[') ? `[${t}]` : t}/`)
  } catch {
    throw usage(`"${sanitize(t, 200)}" is not an http(s) URL, host or address`, 'give a URL like https://cdn.example.com/path, a hostname or an address')
  }
}

/** The host part without IPv6 brackets. */
export function bareHost(u: URL): string {
  return u.hostname.replace(/^\[(.*)\]$/, '$1')
}

/** A hostname or address target (a URL is reduced to its host). */
function hostOf(target: string): string {
  return /:\/\//.test(target) ? bareHost(targetUrl(target)) : target.trim().replace(/^\[(.*)\]$/, '$1')
}

function requestHeaders(lines: readonly string[] | undefined): Record<string, string> | undefined {
  if (!lines || lines.length === 0) return undefined
  const out: Record<string, string> = {}
  for (const line of lines) {
    const c = line.indexOf(':')
    const name = c < 0 ? '' : line.slice(0, c).trim()
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw usage(`--header "${sanitize(line, 200)}" is not 'Name: value'`, "write --header 'X-Debug: 1'")
    out[name] = line.slice(c + 1).trim()
  }
  return out
}

function measurementOptions(plan: ProbePlan, sel: GlobalpingSelector): {type: GlobalpingRequest['type']; target: string; options: Record<string, unknown>} {
  const o = plan.options
  checkGlobalpingPlan(plan, sel)
  switch (plan.method) {
    case 'http': {
      const u = targetUrl(plan.target)
      const protocol = u.protocol === 'http:' ? 'HTTP' : 'HTTPS'
      const request: Record<string, unknown> = {method: o.method ?? 'GET', path: u.pathname || '/'}
      if (u.search.length > 1) request.query = u.search.slice(1)
      if (o.host) request.host = o.host
      const headers = requestHeaders(o.headers)
      if (headers) request.headers = headers
      const options: Record<string, unknown> = {request, protocol}
      if (u.port !== '') options.port = Number(u.port)
      return {type: 'http', target: bareHost(u), options}
    }
    case 'dns': {
      const qtype = (o.qtype ?? DEFAULT_QTYPE).toUpperCase()
      if (!GLOBALPING_QTYPES.includes(qtype)) throw usage(`--qtype ${sanitize(qtype, 20)} is not one Globalping can ask`, `use one of ${GLOBALPING_QTYPES.join(' ')}`)
      const options: Record<string, unknown> = {query: {type: qtype}, resolver: hostOf(plan.target), protocol: o.tcp ? 'TCP' : 'UDP', port: o.port ?? 53}
      return {type: 'dns', target: o.qname ?? DEFAULT_QNAME, options}
    }
    case 'trace': {
      const protocol = (o.protocol ?? 'icmp').toUpperCase()
      const target = hostOf(plan.target)
      const options: Record<string, unknown> = {protocol}
      if (protocol === 'TCP') options.port = o.port ?? 80
      if (sel.mtr) options.packets = Math.min(16, Math.max(1, o.probes ?? 3))
      const ipVersion = ipVersionOf(plan, target)
      if (ipVersion !== null) options.ipVersion = ipVersion
      return {type: sel.mtr ? 'mtr' : 'traceroute', target, options}
    }
    case 'ping': {
      const packets = o.probes ?? 3
      if (packets < 1 || packets > 16) throw usage(`Globalping sends 1-16 pings per probe, not ${packets}`, 'use --probes 1..16')
      return {type: 'ping', target: hostOf(plan.target), options: {packets, protocol: 'ICMP'}}
    }
  }
}

/** The POST body for a plan from a selector. */
export function buildRequest(plan: ProbePlan, sel: GlobalpingSelector, o: {inProgressUpdates?: boolean} = {}): GlobalpingRequest {
  const m = measurementOptions(plan, sel)
  const body: GlobalpingRequest = {type: m.type, target: m.target, ...requestLocations(sel), measurementOptions: m.options}
  if (o.inProgressUpdates) body.inProgressUpdates = true
  return body
}

export interface GlobalpingDryRun {
  request: GlobalpingRequest
  cost: {
    /** points taken from the hourly limit: one per probe (null for msm=: as many as that measurement had) */
    points: number | null
    limitPerHour: {anonymous: number; withToken: number}
    /** the shortest interval at which this measurement could repeat all hour without a 429 (anonymous / token) */
    sustainableIntervalMs: {anonymous: number | null; withToken: number | null}
    note: string
  }
}

/** What `--dry-run` prints for a globalping: vantage: the request and its cost. Sends nothing. */
export function dryRunRequest(plan: ProbePlan, sel: GlobalpingSelector): GlobalpingDryRun {
  const request = buildRequest(plan, sel)
  const points = sel.msm !== null ? null : sel.limit
  const interval = (limit: number): number | null => (points === null || points > limit ? null : sustainableIntervalMs(points, limit))
  return {
    request,
    cost: {
      points,
      limitPerHour: {anonymous: ANON_LIMIT_PER_HOUR, withToken: TOKEN_LIMIT_PER_HOUR},
      sustainableIntervalMs: {anonymous: interval(ANON_LIMIT_PER_HOUR), withToken: interval(TOKEN_LIMIT_PER_HOUR)},
      note: 'each probe costs one point of the hourly limit (250 anonymous, 500 with a token, then 1 credit per test); no account is needed',
    },
  }
}

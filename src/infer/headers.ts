// CDN / edge response headers -> the PoP that answered. Provider rules are data: one row per
// {provider, header, pattern with a named group, how to read the code}; no chain of ifs.
import {airportByIata} from '../geo/airports.js'
import {countryCode, countryFromName} from '../geo/countries.js'
import type {CodeType, GeoHint} from '../model/pop.js'
import {toHint, type Candidate} from './candidate.js'
import {resolveStated, type StatedType} from './resolve.js'
import {readableCore, type Core} from './untrusted.js'

export interface HeaderRule {
  provider: string
  /** lower-case header names the rule reads */
  headers: readonly string[]
  /**
   * applied to each entry of the value; named groups: `code` (the PoP code), optional `site` (the
   * full site id, default the match), `cc` (a country code), `country` (a country name), `city`
   */
  pattern: RegExp
  type: StatedType
  /** how entries of a multi-valued header are separated (default: one entry) */
  split?: RegExp
  /** with several entries, which is the edge that answered the client */
  pick?: 'first' | 'last'
  /** decode the value before matching */
  decode?: 'azure-ref'
  /** when several providers' headers are present, the outermost proxy (highest) wins */
  priority: number
  /**
   * The format says the code is a public one (an IATA airport or metro code): a code that is no
   * known airport, metro code or LOCODE then names no PoP ("CF-RAY ...-QQZ" is not a site).
   * Unset for formats whose providers document private codes (Fastly WDC, Edgecast nyb, Bunny).
   */
  known?: true
  /**
   * The provider documents its codes as airport codes, small airfields included (Fastly: QPG
   * Paya Lebar for Singapore, PWK Chicago Executive): an 'iata-or-operator' code that names any
   * airport is read as that airport; codes that name none stay private (Fastly WDC).
   */
  anyAirport?: true
}

/**
 * Provider table. Sources: each provider's documentation (see /work/shared/corpus/cdn_headers.json
 * `formats`). Order matters only between rows reading the same header (first match wins).
 */
export const HEADER_RULES: readonly HeaderRule[] = [
  // Cloudflare: CF-RAY {16 hex}-{COLO}; /cdn-cgi/trace colo= (loc= is the CLIENT's country: never read)
  {provider: 'cloudflare', headers: ['cf-ray'], pattern: /^[0-9a-f]{16}-(?<code>[a-z]{3})$/i, type: 'iata', priority: 100, known: true},
  {
    provider: 'cloudflare',
    headers: ['cf-trace', 'cdn-cgi/trace', '/cdn-cgi/trace', 'cdn-cgi-trace'],
    pattern: /(?:^|[\s;,])colo=(?<code>[a-z]{3})\b/i,
    type: 'iata',
    priority: 100,
    known: true,
  },
  // Fastly: X-Served-By cache-{dc}{node}-{DC}[, ...]; with shielding the LAST entry is the edge.
  // A node is named after its POP at both ends (cache-ams21082-AMS, cache-fra-etou8220076-FRA):
  // other servers' "cache-web01-prd" is not Fastly.
  // POPs "are named with IATA airport codes" (fastly.com/documentation/reference/vcl/variables/
  // server/server-pop), small airfields included: QPG (Paya Lebar) is Singapore in Fastly's own
  // /datacenters list; real headers: "cache-qpg1227-QPG, cache-hyd1100020-HYD" (code search).
  {
    provider: 'fastly',
    headers: ['x-served-by'],
    pattern: /^(?<site>cache-(?<code>[a-z]{3})[a-z0-9-]*-\k<code>)$/i,
    type: 'iata-or-operator',
    split: /\s*,\s*/,
    pick: 'last',
    priority: 90,
    anyAirport: true,
  },
  // Fastly request headers towards the origin: X-Forwarded-Server and Fastly-Debug-Path list the
  // edge FIRST (added in processing order); Fastly-FF is {hash}!{DC}!{server}
  {
    provider: 'fastly',
    headers: ['x-forwarded-server'],
    pattern: /^(?<site>cache-(?<code>[a-z]{3})[a-z0-9-]*-\k<code>)$/i,
    type: 'iata-or-operator',
    split: /\s*,\s*/,
    pick: 'first',
    priority: 90,
    anyAirport: true,
  },
  {
    provider: 'fastly',
    headers: ['fastly-debug-path'],
    pattern: /(?<site>cache-(?<code>[a-z]{3})[a-z0-9-]*-\k<code>)\b/i,
    type: 'iata-or-operator',
    split: /\)\s*\(/,
    pick: 'first',
    priority: 90,
    anyAirport: true,
  },
  {
    provider: 'fastly',
    headers: ['fastly-ff'],
    pattern: /!(?<code>[a-z]{3})!(?<site>cache-[a-z0-9-]+)/i,
    type: 'iata-or-operator',
    split: /\s*,\s*/,
    pick: 'first',
    priority: 90,
    anyAirport: true,
  },
  // Amazon CloudFront: X-Amz-Cf-Pop {IATA}{n}-{C|P}{n}: first three letters are the IATA code.
  // CloudFront in front of CloudFront (Amplify Hosting) sends it twice, "x-amz-cf-pop: BOM50-C1" then
  // "x-amz-cf-pop: DEL54-C1", beside "via: 1.1 2441...cloudfront.net (CloudFront), 1.1 7169...
  // cloudfront.net (CloudFront)" (aws-amplify/amplify-hosting issue #592); joined "BOM50-C1,
  // DEL54-C1" it named nothing. Each hop adds its line after those it received, as with Via (RFC
  // 9110 5.3, 7.6.3: field lines keep their order): the last is the edge that answered.
  {
    provider: 'cloudfront',
    headers: ['x-amz-cf-pop'],
    pattern: /^(?<site>(?<code>[a-z]{3})\d+(?:-[a-z0-9]+)?)$/i,
    type: 'iata',
    split: /\s*,\s*/,
    pick: 'last',
    priority: 90,
    known: true,
  },
  // CloudFront's Server-Timing (when a response headers policy enables it) carries the same id:
  // cdn-pop;desc="PHX50-C2" (CloudFront Developer Guide, "Server-Timing header"; real captures
  // such as cdn-pop;desc="ATL58-P2"). Other metrics in the header (Akamai's cdn-cache, ak_p) name none.
  {
    provider: 'cloudfront',
    headers: ['server-timing'],
    pattern: /(?:^|[\s,])cdn-pop\s*;\s*desc="?(?<site>(?<code>[a-z]{3})\d+(?:-[a-z0-9]+)?)"?(?=[\s,;]|$)/i,
    type: 'iata',
    priority: 90,
    known: true,
  },
  // Vercel: x-vercel-id {edge region}::[{function region}::]{id}; regions are IATA + digit
  {provider: 'vercel', headers: ['x-vercel-id'], pattern: /^(?<site>(?<code>[a-z]{3})\d*)::/i, type: 'iata', priority: 50, known: true},
  // Fly.io: fly-request-id {ULID}-{region}; Fly-Region {region}
  {provider: 'fly', headers: ['fly-request-id'], pattern: /-(?<code>[a-z]{3})$/i, type: 'iata', priority: 50, known: true},
  {provider: 'fly', headers: ['fly-region'], pattern: /^(?<code>[a-z]{3})$/i, type: 'iata', priority: 50, known: true},
  // bunny.net: Server BunnyCDN-{PoP}-{server id}; PoP codes are Bunny's own (DE1, FR1)
  {provider: 'bunny', headers: ['server'], pattern: /^BunnyCDN-(?<code>[a-z]+\d*)-\d+$/i, type: 'operator', priority: 80},
  // Edgecast / Edgio: Server "ECS ({pop}/{hex})" or "ECAcc ({pop}/{hex})". The pop is Edgecast's
  // own site id, a 2-letter city prefix and an instance letter in the captures seen (dcb, nyb, nyd,
  // hkc, sec, sed; "ECAcc (dab/4B9E)", "ECAcc (hkc/BD25)", "ECAcc (nyd/D10E)" in public code and
  // docs): read as IATA, "dab" was Daytona Beach and "ama" Amarillo. Private: no place is invented.
  {provider: 'edgecast', headers: ['server'], pattern: /^EC(?:S|Acc) \((?<code>[a-z]{3})\/[0-9a-f]+\)$/i, type: 'operator', priority: 80},
  // KeyCDN: X-Edge-Location {country TLD 2}{city 2} (city part is KeyCDN's own)
  {provider: 'keycdn', headers: ['x-edge-location'], pattern: /^(?<code>(?<cc>[a-z]{2})[a-z]{2})$/, type: 'operator', priority: 70},
  // CDN77: X-77-Pop {cityname}{CC}[{state}]; X-Edge-Location "City, Country"
  {provider: 'cdn77', headers: ['x-77-pop'], pattern: /^(?<city>[a-z]+?)(?<cc>[A-Z]{2})(?:[A-Z]{2})?$/, type: 'city', priority: 70},
  {
    provider: 'cdn77',
    headers: ['x-edge-location', 'x-77-pop'],
    pattern: /^(?<city>[a-z][a-z .'-]+),\s*(?<country>[a-z][a-z .]+)$/i,
    type: 'city',
    priority: 70,
  },
  // other edges writing an IATA code in X-Edge-Location (e.g. "hnd")
  {provider: 'edge', headers: ['x-edge-location'], pattern: /^(?<code>[a-z]{3})\d*$/i, type: 'iata', priority: 60, known: true},
  // Azure Front Door: X-Azure-Ref "0" + base64(..., EDGE NAME, GUID); older values "Ref A: .. Ref B: {edge} Ref C: .."
  {
    provider: 'azure-front-door',
    headers: ['x-azure-ref', 'x-azure-ref-originshield'],
    pattern: /(?<site>(?<code>[A-Z]{2,4})\d{0,2}EDGE\d+)/,
    type: 'operator',
    decode: 'azure-ref',
    priority: 85,
  },
  // ... or, without the EDGE infix, a site prefix and a node number ("ATL331000110031") before the GUID
  {
    provider: 'azure-front-door',
    headers: ['x-azure-ref', 'x-azure-ref-originshield'],
    pattern: /(?:^|\s)(?<site>(?<code>[A-Z]{2,4})\d{6,})(?=\s)/,
    type: 'operator',
    decode: 'azure-ref',
    priority: 85,
  },
  // Microsoft edge: X-MSEdge-Ref "Ref A: {id} Ref B: {edge node} Ref C: {time}"; site prefix is Microsoft's own
  {
    provider: 'microsoft-edge',
    headers: ['x-msedge-ref'],
    pattern: /Ref B:\s*(?<site>(?<code>[A-Z]{2}\d|[A-Z]{3})[A-Z0-9]*)/i,
    type: 'operator',
    priority: 85,
  },
  // Gcore: x-id / x-id-fe / x-shard {site}-hw-edge-gc{n}
  {provider: 'gcore', headers: ['x-id', 'x-id-fe', 'x-shard'], pattern: /^(?<code>[a-z]{2,3}\d*)-hw-edge-gc\d+/i, type: 'operator', priority: 70},
  // StackPath: X-HW {ts}.{server}.{site}.{flag}[,...]; first entry is the edge
  {
    provider: 'stackpath',
    headers: ['x-hw'],
    pattern: /^\d+\.[a-z]+\d+\.(?<code>[a-z]+\d*)\.[a-z]$/i,
    type: 'operator',
    split: /\s*,\s*/,
    pick: 'first',
    priority: 70,
  },
  // creoline: x-edge-pop "FRANKFURT" or "EU-DE-FRANKFURT-01": spelled, read by the hostname rules
  {provider: 'creoline', headers: ['x-edge-pop'], pattern: /^(?<code>[a-z][a-z0-9 -]*)$/i, type: 'generic', priority: 60},
]

/**
 * CDNs that put their own Server header on every response they pass on, so a Server header
 * naming one of them shows the others of this list to be further in (their Server was
 * overwritten on the way out). Providers that pass the origin's Server through (CloudFront,
 * Fastly) can still be further out: nothing is said of them.
 */
export const SERVER_WRITERS: ReadonlyArray<{provider: string; server: RegExp; fixed?: true}> = [
  // "You cannot modify the value of certain headers such as server" (developers.cloudflare.com/
  // rules/transform/response-header-modification): when Cloudflare is the outermost, Server is
  // "cloudflare" ("cloudflare-nginx" before 2016), so any other Server was written further out
  {provider: 'cloudflare', server: /^cloudflare(?:-nginx)?$/i, fixed: true},
  // docs.bunny.net/cdn/troubleshooting/run-traceroute: the Server header names the Bunny PoP
  {provider: 'bunny', server: /^BunnyCDN-/i},
  // Edgecast's Server is its site id (captures in the Edgecast row above)
  {provider: 'edgecast', server: /^EC(?:S|Acc) \(/i},
]

/**
 * Providers a response's Server header shows to be behind another proxy: the other writers when
 * it names one, and a writer whose value cannot be changed (Cloudflare) whenever it is not
 * its own ("Server: Vercel" beside a cf-ray). No Server header says nothing.
 */
export function innerByServer(server: string | null | undefined): ReadonlySet<string> {
  const s = server?.trim() ?? ''
  // no Server, or several joined by a recorder ("cloudflare, nginx"): nothing can be said
  if (s === '' || s.includes(',')) return NO_PROVIDERS
  const named = SERVER_WRITERS.find((w) => w.server.test(s))
  const inner = SERVER_WRITERS.filter((w) => w !== named && (named !== undefined || w.fixed))
  return inner.length === 0 ? NO_PROVIDERS : new Set(inner.map((w) => w.provider))
}
const NO_PROVIDERS: ReadonlySet<string> = new Set()

/**
 * Proxies that append themselves to Via. Each proxy appends its entry after those of the hops
 * before it (RFC 9110 7.6.3), so the last entry is the outermost proxy that writes Via: a
 * provider whose entry is present but not last was further in. A provider that writes no Via
 * (Cloudflare) can still be outside them all: nothing is said of it.
 */
export const VIA_WRITERS: ReadonlyArray<{provider: string; via: RegExp}> = [
  // "Via: 1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront)" (CloudFront responses)
  {provider: 'cloudfront', via: /\.cloudfront\.net \(CloudFront\)$/i},
  // Fastly appends "1.1 varnish" (twice with shielding: "1.1 varnish, 1.1 varnish")
  {provider: 'fastly', via: /^(?:HTTP\/)?[0-9.]+ varnish\b/i},
  // Fly.io's proxy appends "2 fly.io" / "1.1 fly.io"
  {provider: 'fly', via: /^(?:HTTP\/)?[0-9.]+ fly\.io\b/i},
]

/** Providers a response's Via header shows to be behind another proxy (empty when it says nothing). */
export function innerByVia(via: string | null | undefined): ReadonlySet<string> {
  const entries = (via ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '')
  const last = entries[entries.length - 1]
  if (last === undefined) return NO_PROVIDERS
  const inner = VIA_WRITERS.filter((w) => !w.via.test(last) && entries.some((e) => w.via.test(e)))
  return inner.length === 0 ? NO_PROVIDERS : new Set(inner.map((w) => w.provider))
}

/** Providers the Server and Via headers show to be further in than another proxy. */
export function innerProviders(server: string | null | undefined, via: string | null | undefined): ReadonlySet<string> {
  const a = innerByServer(server)
  const b = innerByVia(via)
  if (a.size === 0) return b
  if (b.size === 0) return a
  return new Set([...a, ...b])
}

/** Real PoP header values are short (a ray id, a site list); longer ones are not read (and not scanned). */
export const MAX_POP_HEADER_VALUE = 4096

/** Why a header value is not read at all (control characters inside, too long), or its readable part. */
export function headerValueCore(value: string): Core {
  return readableCore(value, MAX_POP_HEADER_VALUE)
}

const RULES_BY_HEADER = new Map<string, HeaderRule[]>()
for (const r of HEADER_RULES) {
  for (const h of r.headers) {
    const list = RULES_BY_HEADER.get(h) ?? []
    list.push(r)
    RULES_BY_HEADER.set(h, list)
  }
}

export interface HeaderReading {
  provider: string
  /** the header, lower case */
  header: string
  code: string
  codeType: CodeType
  /** the site id as written ("EWR52-C3", "fra1", "cache-lcy1128-LCY", "BunnyCDN-FR1-1349") */
  site: string
  hint: GeoHint
  /** every entry read from a multi-valued header, edge first (Fastly shielding) */
  path: string[]
  priority: number
}

/** Internal form: the reading plus every candidate (for fusion). */
export interface HeaderParse {
  reading: HeaderReading
  candidates: Candidate[]
}

/** Does the table know this header (whether or not a value parses)? */
export function isPopHeader(name: string): boolean {
  return RULES_BY_HEADER.has(name.trim().toLowerCase())
}

/**
 * Parse one header. `userHeaders` names headers the user says carry a site (`--pop-header`):
 * their values are read with the generic hostname / code rules. Returns null when nothing parses.
 */
export function parseHeaderFull(name: string, value: string, opts: {userHeaders?: Iterable<string>} = {}): HeaderParse | null {
  const header = name.trim().toLowerCase()
  const v = headerValueCore(value).core
  if (v === null || v === '') return null
  if (opts.userHeaders) {
    for (const u of opts.userHeaders) {
      if (u.trim().toLowerCase() === header) return userHeader(header, v)
    }
  }
  const rules = RULES_BY_HEADER.get(header)
  if (rules === undefined) return null
  for (const rule of rules) {
    const parsed = applyRule(rule, header, v)
    if (parsed !== null) return parsed
  }
  return null
}

/** Parse one header: provider, code, code type and the place it names; null when nothing parses. */
export function parseHeader(name: string, value: string, opts: {userHeaders?: Iterable<string>} = {}): HeaderReading | null {
  return parseHeaderFull(name, value, opts)?.reading ?? null
}

/** Parse a response's headers; readings ordered outermost proxy first (CF in front of Vercel: CF). */
export function parseHeaders(
  headers: Record<string, string> | Iterable<[string, string]>,
  opts: {userHeaders?: Iterable<string>} = {},
): HeaderReading[] {
  const entries = Symbol.iterator in Object(headers) ? [...(headers as Iterable<[string, string]>)] : Object.entries(headers)
  const out: HeaderReading[] = []
  let server: string | null = null
  let via: string | null = null
  for (const [n, v] of entries) {
    const name = n.trim().toLowerCase()
    if (name === 'server') server = v
    if (name === 'via') via = v
    const r = parseHeader(n, v, opts)
    if (r !== null) out.push(r)
  }
  // a CDN the Server or Via header shows to be behind another is not the outermost, whatever its priority
  const inner = innerProviders(server, via)
  const rank = (r: HeaderReading): number => (inner.has(r.provider) ? -1 : r.priority)
  return out.sort((a, b) => rank(b) - rank(a))
}

function applyRule(rule: HeaderRule, header: string, value: string): HeaderParse | null {
  let text = value
  if (rule.decode === 'azure-ref' && !/Ref B:/i.test(value)) text = decodeAzureRef(value) ?? ''
  const entries = rule.split ? text.split(rule.split).filter((e) => e.trim() !== '') : [text]
  const matches: Array<{m: RegExpExecArray; entry: string}> = []
  for (const e of entries) {
    const m = rule.pattern.exec(e.trim())
    if (m?.groups) matches.push({m, entry: e.trim()})
  }
  if (matches.length === 0) return null
  const chosen = rule.pick === 'last' ? matches[matches.length - 1]! : matches[0]!
  const g = chosen.m.groups!
  const site = g.site ?? g.code ?? g.city ?? chosen.m[0]
  const source = `${rule.provider} ${header}`
  let candidates: Candidate[]
  if (rule.type === 'city') {
    const country = g.cc ? countryCode(g.cc) : g.country ? countryFromName(g.country) : null
    candidates = resolveStated('city', g.city!.replace(/[^a-z]/gi, ''), site, source, {country})
  } else {
    const country = g.cc ? countryCode(g.cc) : null
    const type = rule.anyAirport && airportByIata(g.code!.toLowerCase()) !== null ? 'iata' : rule.type
    candidates = resolveStated(type, g.code!, site, source, {country, conf: 0.95})
  }
  const best = candidates[0]
  if (best === undefined) return null
  // a public code no dictionary knows is no site, whichever header carries it
  if (rule.known && best.lat === null) return null
  const path = matches.map((x) => x.m.groups!.site ?? x.m.groups!.code ?? x.m[0])
  if (rule.pick === 'last') path.reverse()
  const code = rule.type === 'operator' ? g.code!.toLowerCase() : best.code
  return {
    reading: {
      provider: rule.provider,
      header,
      code,
      codeType: best.codeType,
      site,
      hint: toHint(best),
      path,
      priority: rule.priority,
    },
    candidates,
  }
}

function userHeader(header: string, value: string): HeaderParse | null {
  const candidates = resolveStated('generic', value, value, `user header ${header}`)
  const best = candidates[0]
  if (best === undefined) return null
  return {
    reading: {provider: 'user', header, code: best.code, codeType: best.codeType, site: value, hint: toHint(best), path: [value], priority: 110},
    candidates,
  }
}

/** X-Azure-Ref: a leading "0" then base64; the edge name is an ASCII run inside. */
export function decodeAzureRef(value: string): string | null {
  const b64 = value.trim().replace(/^0/, '')
  if (!/^[A-Za-z0-9+/=]+$/.test(b64)) return null
  const bytes = Buffer.from(b64, 'base64')
  // keep printable ASCII runs only, joined by spaces
  let out = ''
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ' '
  return out
}

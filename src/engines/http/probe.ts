// The HTTP identity probe: one request (redirects only with `follow`, at most MAX_REDIRECTS), and
// optionally Cloudflare's /cdn-cgi/trace on the same origin. Returns what was seen; PoP inference
// is the caller's job. When the user pins Host (--host) the connection stays on the given address
// for every URL on that host, as curl --resolve does.
import type {Agent} from 'node:http'
import {isIP, type LookupFunction} from 'node:net'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {HttpMethod, HttpRedirectHop} from '../../model/http.js'
import {sanitize} from '../../util/sanitize.js'
import {describeAddress, parseAddress, unprobeable} from '../../util/target.js'
import {httpRequest, type HttpRequestSpec, type HttpResponseRecord} from './request.js'

export const MAX_REDIRECTS = 5
/** /cdn-cgi/trace is a few hundred bytes; anything beyond this is not it. */
const CF_TRACE_MAX_BYTES = 16 * 1024

/** Turn what the user typed (a URL, an address, or host[:port][/path]) into an http(s) URL. */
export function normalizeHttpTarget(input: string): URL {
  const text = input.trim()
  const bad = (why: string): AnyprobeError =>
    new AnyprobeError('E_BAD_TARGET', `"${sanitize(text, 200)}" ${why}`, {
      hint: 'give a URL like http://198.51.100.10/ or https://www.example.net/, or an address',
      exitCode: EXIT.usage,
    })
  if (text === '') throw bad('is empty')
  let candidate = text
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // a bare address (IPv6 gets brackets) or host[:port][/path]
    const addr = parseAddress(text)
    candidate = addr ? `http://${addr.kind() === 'ipv6' ? `[${addr.toString()}]` : addr.toString()}/` : `http://${text}`
  }
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    throw bad('is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`has scheme ${url.protocol} (only http and https are probed)`)
  if (url.hostname === '') throw bad('has no host')
  // URL keeps ":0" as port "0"; nothing can be reached there (it read as "connection refused", exit 4)
  if (url.port === '0') throw bad('has port 0')
  // the one target-address rule of dns and trace (util/target.ts unprobeable): 0.0.0.0 or :: would
  // reach this host itself, a multicast address is no one host (http://0/ is 0.0.0.0 to URL too)
  const literal = parseAddress(bareHost(url))
  const refused = literal === null ? null : unprobeable(describeAddress(bareHost(url), literal, false), null)
  if (refused !== null) throw refused
  return url
}

/** URL.hostname keeps IPv6 brackets; sockets want them off. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/** The name part of a Host value ("www.example.net:8080" -> "www.example.net", "[::1]:80" -> "::1"). */
export function hostName(host: string): string {
  const v6 = /^\[(.*)\](:\d+)?$/.exec(host)
  if (v6) return v6[1]!
  return host.replace(/:\d+$/, '')
}

export interface HttpProbeOptions {
  url: URL
  method: HttpMethod
  /** Host header (and SNI) to use for URLs on the target's host; null: the URL's own */
  host: string | null
  headers: Record<string, string>
  insecure: boolean
  timeoutMs: number
  follow: boolean
  cfTrace: boolean
  /** keep-alive connections to send the requests on (watch flows); absent: a fresh one each */
  agent?: Agent
  /** told when a request was sent again after its reused connection failed (see request.ts) */
  onRetry?: (code: string) => void
  /** how names are resolved (request.ts HttpRequestSpec.lookup); absent: the system resolver */
  lookup?: LookupFunction
}

export interface HttpProbeOutcome {
  /** the URL that produced the final response */
  url: URL
  final: HttpResponseRecord
  redirects: HttpRedirectHop[]
  cfTrace: Record<string, string> | null
  cfTraceError: string | null
  /** --follow stopped at MAX_REDIRECTS while the final response still redirects: where it pointed; null otherwise */
  redirectLimit: {max: number; next: string} | null
  /** --follow could not get the next hop: where it pointed and why; the 3xx is the final response. null otherwise */
  redirectError: {next: string; code: string; message: string} | null
}

interface Pin {
  /** hostnames (lower case) whose requests go to `connectHost` */
  hosts: Set<string>
  connectHost: string
  hostHeader: string | null
}

function specFor(url: URL, pin: Pin, opts: HttpProbeOptions, method: HttpMethod, keepBodyBytes: number): HttpRequestSpec {
  const host = bareHost(url).toLowerCase()
  const pinned = pin.hosts.has(host)
  const connectHost = pinned ? pin.connectHost : bareHost(url)
  // --host is sent exactly as given (as curl -H 'Host: ...' would); SNI is its name without a port
  const hostHeader = pinned ? pin.hostHeader : null
  const sniName = hostHeader !== null ? hostName(hostHeader) : bareHost(url)
  return {
    url,
    connectHost,
    hostHeader,
    servername: isIP(sniName) === 0 ? sniName : null,
    method,
    headers: opts.headers,
    insecure: opts.insecure,
    timeoutMs: opts.timeoutMs,
    keepBodyBytes,
    agent: opts.agent,
    // /cdn-cgi/trace goes on the final response's connection: on another connection (another
    // source port) a route split per flow (ECMP across sites) could take it to another site, and
    // its colo= would name that one beside the response's own headers
    keepConnection: opts.agent === undefined && opts.cfTrace,
    onRetry: opts.onRetry,
    lookup: opts.lookup,
  }
}

export async function probeHttp(opts: HttpProbeOptions): Promise<HttpProbeOutcome> {
  const pin: Pin = {hosts: new Set([bareHost(opts.url).toLowerCase()]), connectHost: bareHost(opts.url), hostHeader: opts.host}
  if (opts.host !== null) pin.hosts.add(hostName(opts.host).toLowerCase())

  let url = opts.url
  const redirects: HttpRedirectHop[] = []
  let res = await httpRequest(specFor(url, pin, opts, opts.method, 0))
  try {
    return await follow(opts, pin, url, res, redirects, (r) => (res = r))
  } finally {
    res.kept?.destroy()
  }
}

async function follow(
  opts: HttpProbeOptions,
  pin: Pin,
  url: URL,
  res: HttpResponseRecord,
  redirects: HttpRedirectHop[],
  latest: (r: HttpResponseRecord) => void,
): Promise<HttpProbeOutcome> {
  let redirectLimit: HttpProbeOutcome['redirectLimit'] = null
  let redirectError: HttpProbeOutcome['redirectError'] = null
  while (opts.follow && isRedirect(res.status) && res.headers.location !== undefined) {
    let next: URL
    try {
      // the URL the server sent, not headers.location (its escaped display form: an ESC byte became
      // the text \x1b, a path the server never named)
      next = locationUrl(res.rawLocation ?? res.headers.location, url)
    } catch {
      break // a Location we cannot read ends the chain; the 3xx is the final response
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') break
    if (redirects.length >= MAX_REDIRECTS) {
      // a loop, or a chain longer than any site needs: the last 3xx is what is reported, said so
      redirectLimit = {max: MAX_REDIRECTS, next: next.toString()}
      break
    }
    redirects.push({
      url: url.toString(),
      targetAddr: res.remoteAddr,
      status: res.status,
      location: res.headers.location,
      next: next.toString(),
      timings: res.timings,
      headers: res.headers,
    })
    let nextRes: HttpResponseRecord
    try {
      nextRes = await httpRequest(specFor(next, pin, opts, opts.method, 0))
    } catch (error) {
      if (!(error instanceof AnyprobeError)) throw error
      // the target answered; where it sent us did not (refused, timed out, a name that does not
      // resolve, a certificate): the 3xx is the final response, and says why the chain ended
      redirects.pop()
      redirectError = {next: next.toString(), code: error.code, message: sanitize(error.message, 300)}
      break
    }
    // a hop's kept connection is not the final one's: only the final response's flow is wanted
    res.kept?.destroy()
    url = next
    res = nextRes
    latest(res)
  }

  let cfTrace: Record<string, string> | null = null
  let cfTraceError: string | null = null
  if (opts.cfTrace) {
    const traceUrl = new URL('/cdn-cgi/trace', url)
    try {
      const t = await httpRequest({...specFor(traceUrl, pin, opts, 'GET', CF_TRACE_MAX_BYTES), agent: opts.agent ?? res.kept, keepConnection: false})
      if (t.status !== 200) cfTraceError = `status ${t.status}`
      else {
        cfTrace = parseCfTrace(t.body?.toString('latin1') ?? '')
        if (Object.keys(cfTrace).length === 0) {
          cfTrace = null
          cfTraceError = 'no key=value lines in the body'
        }
      }
    } catch (error) {
      cfTraceError = error instanceof AnyprobeError ? `${error.code}: ${error.message}` : sanitize(String(error))
    }
  }
  return {url, final: res, redirects, cfTrace, cfTraceError, redirectLimit, redirectError}
}

/**
 * Where a Location value points, from `base`, as a browser would request it: the header's bytes
 * (Node gives each byte as one latin1 char) with every byte above 0x7f percent-encoded as it is
 * (UTF-8 stays the same bytes on the wire; other bytes are not re-encoded as UTF-8), then the URL
 * parser, which percent-encodes controls in the path and query (ESC -> %1B) and refuses them in a
 * host. Its href is ASCII: safe to show. Throws (TypeError) on what does not parse.
 */
export function locationUrl(raw: string, base: URL): URL {
  let text = ''
  for (const ch of raw) {
    const c = ch.charCodeAt(0)
    text += c > 0x7f && c <= 0xff ? `%${c.toString(16).toUpperCase().padStart(2, '0')}` : ch
  }
  return new URL(text, base)
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}

/** Cloudflare's /cdn-cgi/trace body: `key=value` lines (colo=FRA is the PoP; loc= is the CLIENT's country). */
export function parseCfTrace(body: string): Record<string, string> {
  // a Map: a `__proto__=` line must not set the prototype, nor `constructor` read one
  const out = new Map<string, string>()
  for (const line of body.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_.-]{1,64})=(.*)$/.exec(line.trim())
    if (m) out.set(sanitize(m[1]!, 64), sanitize(m[2]!, 512))
  }
  return Object.fromEntries(out)
}

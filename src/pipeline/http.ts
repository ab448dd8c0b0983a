// One local HTTP identity probe, end to end: the request (and redirects, and /cdn-cgi/trace when
// asked), the result, the PoP (popVerdict). The command parses and checks flags into an HttpPlan and
// renders; this is the single path every local http probe takes.
import {isIP} from 'node:net'

import {answeringAsn} from '../enrich/answer-asn.js'
import {type AsnLookup, bundledAsnLookup} from '../enrich/asn.js'
import {bareHost, type HttpProbeOptions, type HttpProbeOutcome, probeHttp} from '../engines/http/probe.js'
import type {LatLon} from '../geo/distance.js'
import {popExplanation} from '../infer/fuse.js'
import {resultVerdictExplained} from '../infer/verdict.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {HTTP_SCHEMA_VERSION, type HttpRedirectHop, type HttpResult} from '../model/http.js'
import type {PopVerdict} from '../model/pop.js'
import {localVantage, type VantagePoint} from '../model/vantage.js'
import {sanitize} from '../util/sanitize.js'
import {isPublicAddress} from '../util/target.js'

/** One request as the engine takes it (a fresh connection: no agent), plus what names its PoP. */
export interface HttpPlan extends Omit<HttpProbeOptions, 'agent' | 'onRetry'> {
  /** lower-cased header names the operator says carry the site */
  popHeaders: string[]
  vpLocation: LatLon | null
  vantage?: VantagePoint
}

/** Why a result whose target never answered names no PoP. */
export const HTTP_NO_ANSWER = 'no HTTP response from the target: only its answer says which site it is'

/**
 * The errors that mean the vantage point worked and the target did not answer (connection refused,
 * timed out, a router said unreachable: exit 4). They become a result with answered false, as a DNS
 * server that sent no reply does, so a catchment lists the vantage point as unlocated, not failed.
 * Every other error (a name that did not resolve, TLS, a local network error) is the vantage point's own.
 */
export function targetDidNotAnswer(error: unknown): error is AnyprobeError {
  return error instanceof AnyprobeError && error.exitCode === EXIT.unreachable
}

/**
 * With --follow, the response that speaks for the target: null when the final one came from the
 * address the chain started at (the target's); else the index of the last redirect that address
 * gave. A redirect to another host (http://8.8.8.8/ -> https://dns.google/, a bare domain -> www
 * on another CDN) ends at another address, whose edge is not the target's: its headers and its
 * connect time (the RTT the verdict checks) would be taken for the target's.
 */
export function targetResponseIndex(redirects: Pick<HttpRedirectHop, 'targetAddr'>[], finalAddr: string | null): number | null {
  if (redirects.length === 0) return null
  const home = redirects[0]!.targetAddr
  if (home === null || finalAddr === home) return null
  for (let i = redirects.length - 1; i > 0; i--) if (redirects[i]!.targetAddr === home) return i
  return 0
}

/**
 * A --pop-header the operator named that is missing (or empty) in the response the PoP is read from
 * (`from`: popFrom's redirect index, null for the final response): the PoP then came from another
 * header, or from nothing, and the operator is told which, so a PoP from cf-ray is not taken for
 * their own header's. One note per such header; [] when every one was there.
 */
export function popHeaderNotes(popHeaders: readonly string[], headers: Record<string, string>, verdict: PopVerdict | null, from: number | null): string[] {
  const where = from === null ? 'the response' : `redirect ${from + 1}'s response (the target's, which the PoP is read from)`
  // the headers the verdict was read from ("cf-ray: 8a1b...-SYD" -> cf-ray), each once: evidence
  // with a code and weight; one set aside (not read: control characters inside, no code in it) is
  // in the evidence to say why, and was named here as a source
  const read = (verdict?.evidence ?? []).filter((e) => e.code !== null && e.weight > 0)
  const sources = [...new Set(read.map((e) => e.input.split(':', 1)[0]!.trim().toLowerCase()).filter((n) => n !== ''))]
  const out: string[] = []
  for (const h of popHeaders) {
    const value = Object.hasOwn(headers, h) ? headers[h]! : undefined
    if (value !== undefined && value.trim() !== '') continue
    const instead =
      verdict === null
        ? 'no PoP came from the other headers either'
        : `the PoP ${sanitize(verdict.code.toUpperCase(), 40)} was read from ${sources.length === 0 ? 'other signals' : sources.map((n) => sanitize(n, 60)).join(', ')} instead`
    out.push(`--pop-header ${sanitize(h, 60)} is ${value === undefined ? 'not in' : 'empty in'} ${where}: ${instead}`)
  }
  return out
}

/** The fields before the response, in the order the JSON has always had them. */
function order(head: Pick<HttpResult, 'schemaVersion' | 'kind' | 'target' | 'method' | 'vantage' | 'startedAt' | 'params'>, url: string, targetAddr: string | null) {
  const {schemaVersion, kind, target, method, vantage, startedAt, params} = head
  return {schemaVersion, kind, target, url, targetAddr, method, vantage, startedAt, params}
}

/** What a probe may be given instead of opening its own (tests). */
export interface HttpDeps {
  /** the ASN database; default: the bundled one, opened only when the answering address is public */
  asn?: AsnLookup
}

/**
 * The network of the address whose response names the PoP: a CDN location header from another
 * network is only a hint (src/infer/edge-trust.ts). Only public addresses are looked up (the rule of
 * enrich/answer-asn.ts, shared with every other source of HTTP results); the database is opened
 * only for one.
 */
export async function answerAsn(addr: string | null, deps: HttpDeps): Promise<HttpResult['targetAsn']> {
  if (addr === null || !isPublicAddress(addr)) return null
  return answeringAsn(addr, deps.asn ?? (await bundledAsnLookup()))
}

export async function probeHttpTarget(plan: HttpPlan, deps: HttpDeps = {}): Promise<HttpResult> {
  const startedAt = new Date().toISOString()
  const head: Pick<HttpResult, 'schemaVersion' | 'kind' | 'target' | 'method' | 'vantage' | 'startedAt' | 'params'> = {
    schemaVersion: HTTP_SCHEMA_VERSION,
    kind: 'http',
    target: plan.url.toString(),
    method: plan.method,
    vantage: plan.vantage ?? localVantage(),
    startedAt,
    params: {
      timeoutMs: plan.timeoutMs,
      host: plan.host,
      follow: plan.follow,
      insecure: plan.insecure,
      requestHeaders: Object.fromEntries(Object.entries(plan.headers).map(([k, v]) => [k, sanitize(v)])),
      popHeaders: plan.popHeaders,
    },
  }
  let out: HttpProbeOutcome
  try {
    out = await probeHttp({url: plan.url, method: plan.method, host: plan.host, headers: plan.headers, insecure: plan.insecure, timeoutMs: plan.timeoutMs, follow: plan.follow, cfTrace: plan.cfTrace})
  } catch (error) {
    if (!targetDidNotAnswer(error)) throw error
    const host = bareHost(plan.url)
    return {
      ...order(head, plan.url.toString(), isIP(host) === 0 ? null : host),
      httpVersion: null,
      status: null,
      answered: false,
      noAnswer: {code: error.code, message: sanitize(error.message, 500), hint: error.hint},
      headers: {},
      timings: {dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: null},
      bodyBytes: null,
      redirects: [],
      cfTrace: null,
      cfTraceError: null,
      pop: null,
      popReason: HTTP_NO_ANSWER,
    }
  }
  const result: HttpResult = {
    ...order(head, out.url.toString(), out.final.remoteAddr),
    answered: true,
    noAnswer: null,
    headerWarnings: out.final.headerWarnings,
    bodyError: out.final.bodyError,
    redirectLimit: out.redirectLimit,
    redirectError: out.redirectError,
    httpVersion: out.final.httpVersion,
    status: out.final.status,
    headers: out.final.headers,
    timings: out.final.timings,
    bodyBytes: out.final.bodyBytes,
    redirects: out.redirects,
    cfTrace: out.cfTrace,
    cfTraceError: out.cfTraceError,
    pop: null,
  }
  const at = targetResponseIndex(out.redirects, out.final.remoteAddr)
  const hop = at === null ? null : out.redirects[at]!
  // /cdn-cgi/trace was asked of the final origin: with the chain gone elsewhere it is not the target's either
  const deciderAddr = hop === null ? result.targetAddr : hop.targetAddr
  const targetAsn = await answerAsn(deciderAddr, deps)
  const decider = hop === null ? {...result, targetAsn} : {...result, targetAsn, targetAddr: hop.targetAddr, headers: hop.headers ?? {}, timings: hop.timings, cfTrace: null}
  const popFrom =
    hop === null
      ? null
      : {
          index: at!,
          why: `the final response came from ${sanitize(out.final.remoteAddr ?? 'an unknown address', 60)}, not from the target's address ${sanitize(hop.targetAddr ?? '', 60)}: its edge is another service's, so the PoP is read from redirect ${at! + 1}, the last response the target's address gave`,
        }
  const explained = resultVerdictExplained(decider, plan.vpLocation)
  const popNotes = popHeaderNotes(plan.popHeaders, decider.headers, explained.verdict, popFrom?.index ?? null)
  return {...result, targetAsn, popFrom, pop: explained.verdict, ...popExplanation(explained), popNotes}
}

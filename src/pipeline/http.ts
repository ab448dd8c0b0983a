// One local HTTP identity probe, end to end: the request (and redirects, and /cdn-cgi/trace when
// asked), the result, the PoP (popVerdict). The command parses and checks flags into an HttpPlan and
// renders; this is the single path every local http probe takes.
import {type HttpProbeOptions, probeHttp} from '../engines/http/probe.js'
import type {LatLon} from '../geo/distance.js'
import {popExplanation} from '../infer/fuse.js'
import {resultVerdictExplained} from '../infer/verdict.js'
import {HTTP_SCHEMA_VERSION, type HttpResult} from '../model/http.js'
import {localVantage, type VantagePoint} from '../model/vantage.js'
import {sanitize} from '../util/sanitize.js'

/** One request as the engine takes it (a fresh connection: no agent), plus what names its PoP. */
export interface HttpPlan extends Omit<HttpProbeOptions, 'agent' | 'onRetry'> {
  /** lower-cased header names the operator says carry the site */
  popHeaders: string[]
  vpLocation: LatLon | null
  vantage?: VantagePoint
}

export async function probeHttpTarget(plan: HttpPlan): Promise<HttpResult> {
  const startedAt = new Date().toISOString()
  const out = await probeHttp({url: plan.url, method: plan.method, host: plan.host, headers: plan.headers, insecure: plan.insecure, timeoutMs: plan.timeoutMs, follow: plan.follow, cfTrace: plan.cfTrace})
  const result: HttpResult = {
    schemaVersion: HTTP_SCHEMA_VERSION,
    kind: 'http',
    target: plan.url.toString(),
    url: out.url.toString(),
    targetAddr: out.final.remoteAddr,
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
  const explained = resultVerdictExplained(result, plan.vpLocation)
  return {...result, pop: explained.verdict, ...popExplanation(explained)}
}

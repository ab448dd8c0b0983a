// One renderer per result kind. The registry's type is a mapped type over every kind of probe
// result, so adding a kind to the model without a renderer fails to compile (no format x kind
// table with holes, as scamper had).
import type {ProbeResult} from '../model/probe.js'
import {renderDns} from './dns.js'
import {renderHttp} from './http.js'
import {renderPing} from './ping.js'
import {renderTrace} from './trace.js'

/** What a renderer may be told that it cannot work out itself (it imports only model, util, geo). */
export interface RenderContext {
  /** http: does a CDN rule know this header name (infer's isPopHeader) */
  knownHeader?: (name: string) => boolean
}

type Renderers = {[K in ProbeResult['kind']]: (r: Extract<ProbeResult, {kind: K}>, ctx: RenderContext) => string}

export const RENDERERS: Renderers = {
  trace: renderTrace,
  dns: renderDns,
  http: (r, ctx) => renderHttp(r, ctx.knownHeader),
  ping: renderPing,
}

export function renderResult(r: ProbeResult, ctx: RenderContext = {}): string {
  return (RENDERERS[r.kind] as (x: ProbeResult, c: RenderContext) => string)(r, ctx)
}

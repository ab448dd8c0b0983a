// One renderer per result kind. The registry's type is a mapped type over every kind of probe
// result, so adding a kind to the model without a renderer fails to compile (no format x kind
// table with holes, as scamper had).
import type {ProbeResult} from '../model/probe.js'
import {renderDns} from './dns.js'
import {renderHttp} from './http.js'
import {renderPing} from './ping.js'
import {renderTrace} from './trace.js'

type Renderers = {[K in ProbeResult['kind']]: (r: Extract<ProbeResult, {kind: K}>) => string}

export const RENDERERS: Renderers = {
  trace: renderTrace,
  dns: renderDns,
  http: renderHttp,
  ping: renderPing,
}

export function renderResult(r: ProbeResult): string {
  return (RENDERERS[r.kind] as (x: ProbeResult) => string)(r)
}

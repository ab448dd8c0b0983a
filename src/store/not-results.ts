// Documents users save from the RIPE Atlas API that are not results, named, so that the error says
// what the file is and what to download instead rather than "neither an anyprobe result nor a RIPE
// Atlas result". Shapes, from the API's responses (atlas.ripe.net/docs/apis/rest-api-manual/):
//   error          {"error": {"status": 404, "code": 104, "title": "Not Found", "detail": "..."}}
//   measurement    /api/v2/measurements/ID/: {"id", "type", "target", "result": ".../results/", ...}
//   probe page     /api/v2/probes/?...: {"count", "next", "results": [probe, ...]}; the daily archive {"objects": [...]}
//   a probe        {"id", "geometry", "country_code", "asn_v4", ...}
import {sanitize} from '../util/sanitize.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const isProbe = (v: unknown): boolean => isObj(v) && typeof v.id === 'number' && ('geometry' in v || 'country_code' in v || 'asn_v4' in v) && !('prb_id' in v)

/** What a RIPE Atlas API document that holds no results is, and what to give instead; null for anything else. */
export function atlasNonResult(v: unknown): string | null {
  if (!isObj(v)) return null
  const e = v.error
  if (isObj(e) && (typeof e.status === 'number' || typeof e.detail === 'string') && typeof e.code !== 'string') {
    const what = [typeof e.status === 'number' ? String(e.status) : null, typeof e.title === 'string' ? e.title : null].filter((x) => x !== null).join(' ')
    return `a RIPE Atlas API error${what === '' ? '' : ` (${sanitize(what, 60)})`}${typeof e.detail === 'string' ? `: ${sanitize(e.detail, 160)}` : ''}, not results; download them again`
  }
  if (typeof v.id === 'number' && typeof v.result === 'string' && /\/results\/?/.test(v.result) && ('target' in v || 'type' in v)) {
    return `a RIPE Atlas measurement's description (measurement ${v.id}), not its results: download /api/v2/measurements/${v.id}/results/?format=json`
  }
  if ((Array.isArray(v.results) && 'count' in v && v.results.some(isProbe)) || (Array.isArray(v.objects) && v.objects.some(isProbe)) || isProbe(v)) {
    return PROBE_METADATA
  }
  return null
}

const PROBE_METADATA = 'RIPE Atlas probe metadata, not results: give it with --probes FILE beside the results'

/** The answer of atlasNonResult for probe metadata (what --probes wants). */
export function isProbeMetadata(what: string): boolean {
  return what === PROBE_METADATA
}

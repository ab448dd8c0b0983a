// iGreedy2.0's campaign files, for `sites --input`: one RIPE Atlas ping measurement as iGreedy2.0
// stores it (github.com/hugopascual/iGreedy2.0, datasets/measurements/), so a researcher can run
// `sites` on the campaigns published with it, and on their own, without converting them:
//
//   {"target": "104.16.123.96", "measurement_id": 52452380, "request_data": {...},
//    "measurement_results": [{"hostname": "1000140", "latitude": 53.4275, "longitude": 14.5295,
//                             "rtt_ms": 10.448611}, ...]}
//
// One element per ping (a probe with two pings has two); the lowest RTT of a probe counts, as
// everywhere in `sites` (the caller merges by vantage point). Streamed through @streamparser/json,
// element by element, so memory stays flat. An element that is not of that form is counted and
// skipped with its index; a missing location or RTT is null (counted by the analysis, never guessed).
import {JSONParser} from '@streamparser/json'

import type {SiteObservation} from '../model/sites.js'
import {sanitize} from '../util/sanitize.js'
import type {ReadStats} from './read.js'

/** Whether the head of an input is such a file: a JSON object with a `measurement_results` array. */
export function looksLikeIGreedyCampaign(head: string): boolean {
  return head.trimStart().startsWith('{') && /"measurement_results"\s*:\s*\[/.test(head)
}

const coord = (v: unknown, max: number): number | null => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= max ? v : null)

/** One observation from an element, or why it cannot be one. */
export function campaignObservation(v: unknown): SiteObservation | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object'
  const e = v as Record<string, unknown>
  const id = typeof e.hostname === 'string' ? e.hostname : typeof e.hostname === 'number' ? String(e.hostname) : null
  if (id === null || id.trim() === '') return 'no hostname (the vantage point)'
  if (e.rtt_ms !== undefined && e.rtt_ms !== null && (typeof e.rtt_ms !== 'number' || !Number.isFinite(e.rtt_ms))) return 'rtt_ms is not a number'
  const lat = coord(e.latitude, 90)
  const lon = coord(e.longitude, 180)
  const located = lat !== null && lon !== null
  return {vp: sanitize(id.trim(), 80), lat: located ? lat : null, lon: located ? lon : null, rttMs: typeof e.rtt_ms === 'number' ? e.rtt_ms : null, identity: null}
}

export interface CampaignMeta {
  target: string | null
}

/**
 * The observations of a campaign file, element by element; `meta.target` is filled from the file's
 * `target` when it comes. Bad elements are counted in `stats`, never fatal; a file cut short keeps
 * what came before the cut.
 */
export async function* readIGreedyCampaign(source: AsyncIterable<Buffer | string>, stats: ReadStats, meta: CampaignMeta, keepErrors = 5): AsyncGenerator<SiteObservation> {
  stats.format = 'campaign'
  const parser = new JSONParser({paths: ['$.target', '$.measurement_results.*'], keepStack: false})
  const got: Array<SiteObservation> = []
  parser.onValue = ({value, key, parent}) => {
    if (key === 'target' && !Array.isArray(parent)) {
      if (typeof value === 'string') meta.target ??= sanitize(value, 200)
      return
    }
    if (!Array.isArray(parent)) return
    stats.values++
    const o = campaignObservation(value)
    if (typeof o === 'string') {
      stats.unparseable++
      if (stats.errors.length < keepErrors) stats.errors.push({where: `measurement_results[${String(key)}]`, message: o})
    } else got.push(o)
    parent.length = 0 // emitted: forget it
  }
  const decoder = new TextDecoder()
  try {
    for await (const chunk of source) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, {stream: true}))
      yield* got.splice(0)
    }
    if (!parser.isEnded) parser.end()
  } catch (e) {
    // the structure broke (or the file stops mid-value): everything before it was kept, the broken
    // rest counts as one value that could not be read (so the command says so: exit 7)
    stats.truncated = true
    stats.unparseable++
    if (stats.errors.length < keepErrors) stats.errors.push({where: 'the file', message: sanitize((e as Error).message, 200)})
  }
  yield* got.splice(0)
}

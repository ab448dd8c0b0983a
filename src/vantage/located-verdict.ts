// A location the user gives (--location / --locations) is checked as a vantage point's own is:
// it must reach the PoP verdict, not only the map. report and diff placed vantage points after
// their verdicts were made, so "Tokyo 0.36 ms from Singapore" went unflagged (and was drawn) where
// the same place from RIPE Atlas probe metadata is flagged by the speed-of-light check.
// Each item read (src/store/read.ts) is placed before the catchment is built:
// - a result (a saved trace / dns / http, raw RIPE Atlas, --ndjson outcomes) gets its verdict again
//   from the one verdict function (src/infer/verdict.ts), now with the location: far readings are
//   rejected, a site naming itself beyond the RTT is kept and flagged (its contradiction), as live;
// - a saved catchment row (catchment --json) holds only the verdict, not what it was read from, so
//   its PoP is checked against its RTT from the location (infer/rtt.ts rttFeasibility, the check's
//   own bound): one the RTT rules out is kept and flagged, never dropped or replaced by a guess;
//   so is an http result whose PoP was read from a redirect (the chain's rule is the pipeline's).
import {popExplanation} from '../infer/fuse.js'
import {rttFeasibility} from '../infer/rtt.js'
import {resultVerdictExplained, vpLocationOf} from '../infer/verdict.js'
import type {CatchmentVantagePoint} from '../model/catchment.js'
import {minRttFromTimings} from '../model/rtt.js'
import type {ProbeResult, VantageOutcome} from '../model/probe.js'
import {popLatLon} from '../render/html/place.js'
import type {ReportItem} from '../store/read.js'
import {sanitize} from '../util/sanitize.js'
import {type Locations, locateVantage} from './locations.js'

/** The item with the given locations filled in where its vantage point has none, and its PoP judged with them. */
export function locateItem(item: ReportItem, locs: Locations | null): ReportItem {
  if (locs === null || locs.size === 0) return item
  if (item.type === 'outcome') {
    const o = locateOutcome(item.outcome, locs)
    return o === item.outcome ? item : {...item, outcome: o}
  }
  if (item.type === 'row') {
    const row = locateRow(item.row, locs)
    return row === item.row ? item : {...item, row}
  }
  return item
}

/** The outcome placed, its result's verdict made again with the location (see the header). */
export function locateOutcome(o: VantageOutcome, locs: Locations): VantageOutcome {
  const vantage = locateVantage(o.vantage, locs)
  if (vantage === o.vantage) return o
  const r = o.result
  if (r === null) return {...o, vantage}
  const placed = {...r, vantage: locateVantage(r.vantage, locs)} as ProbeResult
  // a ping names no site; an http PoP read from a redirect is decided by the pipeline's chain rule
  if (placed.kind === 'ping') return {...o, vantage, result: placed}
  if (placed.kind === 'http' && placed.popFrom) return {...o, vantage, result: {...placed, pop: placed.pop === null ? null : {...placed.pop, ...contradictionOf(placed.pop, rttOfHttp(placed), placed.vantage)}}}
  const ex = resultVerdictExplained(placed)
  // what an earlier verdict rejected is replaced by what this one did
  const {popRejected: _stale, ...rest} = placed as ProbeResult & {popRejected?: unknown}
  return {...o, vantage, result: {...rest, pop: ex.verdict, ...popExplanation(ex)} as ProbeResult}
}

// the verdict's own reading of the timings (an upper bound when no connect phase was timed)
const rttOfHttp = (r: Extract<ProbeResult, {kind: 'http'}>): number | null => minRttFromTimings(r.timings)

/** A saved catchment row placed, its PoP flagged when its RTT from there rules it out (see the header). */
export function locateRow(row: CatchmentVantagePoint, locs: Locations): CatchmentVantagePoint {
  const vantage = locateVantage(row.vantage, locs)
  if (vantage === row.vantage) return row
  const pop = row.pop === null || row.pop.contradiction ? row.pop : {...row.pop, ...contradictionOf(row.pop, row.rttMs, vantage)}
  return {...row, vantage, pop}
}

/**
 * `{contradiction}` when the PoP is farther from the vantage point than its RTT allows, else `{}`.
 * Nothing is said when the PoP, the RTT or the location is unknown (no check, no claim).
 */
function contradictionOf(pop: {code: string; city: string | null; country: string | null; lat?: number | null; lon?: number | null}, rttMs: number | null, vantage: VantageOutcome['vantage']): {contradiction?: {kind: 'vantage-location'; reason: string}} {
  const at = vpLocationOf(vantage)
  const place = popLatLon(pop)
  if (at === null || place === null || rttMs === null || !(rttMs > 0)) return {}
  const f = rttFeasibility(at, place, rttMs)
  if (f.feasible) return {}
  const name = sanitize(pop.city ?? pop.code.toUpperCase(), 64)
  const ms = (n: number): string => (n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10))
  const where = `${Math.round(at.lat * 100) / 100},${Math.round(at.lon * 100) / 100}`
  return {
    contradiction: {
      kind: 'vantage-location',
      reason:
        `${name} is ${Math.round(f.distanceKm).toLocaleString('en-US')} km from ${where} (the location given with --location / --locations), needing >= ${ms(f.minRttMs)} ms, measured ${ms(rttMs)} ms: ` +
        'the location given or the PoP read is wrong; the PoP is kept as read',
    },
  }
}

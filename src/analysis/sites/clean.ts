// What is left out before any disc is drawn, each counted with its reason:
//  - no location: a disc needs a centre;
//  - no RTT (the target did not answer) and impossible RTTs (<= 0, not a number): no disc;
//  - locations that contradict several others. Two checks, both only where the others outnumber the
//    one by far, because a wrong probe location is the one thing that can make a unicast address
//    look anycast (its disc lands away from the server):
//    a) RTT: the point covered by the most discs leaves out only a few vantage points (at most 1% of
//       them but at least one, and only with >= 10 vantage points): those few disagree with all the others, which
//       agree on one point, so their locations are taken as wrong. (A real site seen by so few
//       vantage points is lost: precision first.)
//    b) identity: a vantage point whose PoP verdict names a place its disc excludes, while at least
//       two others naming the same place have discs that contain it: its location is wrong.
import {bestCoverPoint} from './intersect.js'
import {byRtt, type Disc, discDistanceKm, makeDisc, pointTerms} from './discs.js'
import type {SiteObservation, SitesExcluded} from './types.js'

export const OUTLIER_SHARE = 0.01
export const OUTLIER_MIN_VPS = 10
/** slack on "a disc contains a claimed place": city centre vs. the building, coordinate rounding */
export const IDENTITY_SLACK_KM = 50
const EXAMPLES = 10

export interface Cleaned {
  /** sorted smallest first; disc.idx points into the observations */
  discs: Disc[]
  excluded: SitesExcluded
}

function exclude(ex: SitesExcluded, vp: string, reason: string): void {
  if (ex.examples.length < EXAMPLES) ex.examples.push({vp, reason})
}

export function cleanObservations(obs: readonly SiteObservation[], opts: {outliers?: boolean; identities?: boolean} = {}): Cleaned {
  const excluded: SitesExcluded = {noLocation: 0, noRtt: 0, impossibleRtt: 0, contradictingLocation: 0, examples: []}
  let discs: Disc[] = []
  obs.forEach((o, i) => {
    if (o.lat === null || o.lon === null || !Number.isFinite(o.lat) || !Number.isFinite(o.lon) || Math.abs(o.lat) > 90 || Math.abs(o.lon) > 180) {
      excluded.noLocation++
      return
    }
    if (o.rttMs === null) {
      excluded.noRtt++
      return
    }
    if (!Number.isFinite(o.rttMs) || o.rttMs <= 0) {
      excluded.impossibleRtt++
      exclude(excluded, o.vp, `impossible RTT ${String(o.rttMs)} ms`)
      return
    }
    discs.push(makeDisc(i, o.vp, o.lat, o.lon, o.rttMs))
  })
  discs.sort(byRtt)

  // b) identity: the others naming the same place agree on it, this one's disc excludes it
  const byCode = new Map<string, Disc[]>()
  for (const d of opts.identities === false ? [] : discs) {
    const id = obs[d.idx]!.identity
    if (id === null || id.lat === null || id.lon === null) continue
    const list = byCode.get(id.code) ?? []
    list.push(d)
    byCode.set(id.code, list)
  }
  const drop = new Set<number>()
  for (const [code, list] of byCode) {
    const id = obs[list[0]!.idx]!.identity!
    const p = pointTerms(id.lat!, id.lon!)
    const inside = list.filter((d) => discDistanceKm(d, p) <= d.radiusKm + IDENTITY_SLACK_KM)
    if (inside.length < 2) continue
    for (const d of list) {
      if (inside.includes(d)) continue
      drop.add(d.idx)
      excluded.contradictingLocation++
      exclude(excluded, d.vp, `names ${code} like ${inside.length} others whose discs contain it, but its own disc (${Math.round(d.radiusKm)} km) is ${Math.round(discDistanceKm(d, p))} km away from it: its location is taken as wrong`)
    }
  }
  if (drop.size > 0) discs = discs.filter((d) => !drop.has(d.idx))

  // a) RTT: a few vantage points against a point all the others share
  if (opts.outliers !== false && discs.length >= OUTLIER_MIN_VPS) {
    const best = bestCoverPoint(discs)
    const tolerance = Math.max(1, Math.floor(discs.length * OUTLIER_SHARE))
    if (best !== null && best.outside.length > 0 && best.outside.length <= tolerance) {
      const out = new Set(best.outside)
      for (const i of best.outside) {
        const d = discs[i]!
        excluded.contradictingLocation++
        exclude(excluded, d.vp, `its disc excludes the point (${best.lat.toFixed(2)}, ${best.lon.toFixed(2)}) that the discs of all ${best.covered} others contain: its location is taken as wrong`)
      }
      discs = discs.filter((_, i) => !out.has(i))
    }
  }
  return {discs, excluded}
}

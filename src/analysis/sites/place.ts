// Placing a site: the cities inside its disc are the candidates, and with alpha = 1 (iGreedy's
// default) the most populous one is chosen. MiGreedy's refinement, used by `sites`: the discs that
// overlap ONLY this site's disc (among the sites found) very likely reached the same site, so the
// candidates are narrowed to those inside them too, smallest disc first, as long as some remain
// (a disc that would leave none is skipped: it reached another site or its location is off).
import {type Candidate, type CandidateSource} from './types.js'
import {type Disc, discDistanceKm, pointTerms} from './discs.js'

export interface Placement {
  candidate: Candidate | null
  /** the discs the chosen candidate lies in (the site's disc first) */
  constraining: Disc[]
  areaKm: number
}

interface Cand extends Candidate {
  terms: {sinLat: number; cosLat: number; lonRad: number}
}

/**
 * How much a candidate at `d` km from the vantage point of a disc of radius `r` km keeps of its
 * population: 1 - (d/r)^p with p = max(1, r / DISTANCE_SCALE_KM). A small disc (a few ms) mostly
 * holds access-network delay, so its site is very likely in the vantage point's own metro area:
 * p = 1, a linear fall-off. A large disc holds real distance travelled, with path inflation that
 * says nothing about direction, so only its rim is unlikely and population decides, as in
 * iGreedy (alpha = 1). Measured on the committed campaigns (bench/sites-eval.ts): pure population
 * loses the nearby small-city sites of the root letters, a linear fall-off at every size loses the
 * far big-city sites of the CDN campaign (Sydney from Melbourne at 13.5 ms).
 */
export const DISTANCE_SCALE_KM = 300

export function distanceWeight(dKm: number, radiusKm: number): number {
  const r = Math.max(1, radiusKm)
  return Math.max(0.001, 1 - Math.min(1, dKm / r) ** Math.max(1, r / DISTANCE_SCALE_KM))
}

/** alpha = 1: the most populous candidate; with `near`, population x distanceWeight. */
function choose(cands: readonly Cand[], near: Disc | null): Cand | null {
  let best: Cand | null = null
  let bestScore = -Infinity
  for (const c of cands) {
    const score = near === null ? c.population : c.population * distanceWeight(discDistanceKm(near, c.terms), near.radiusKm)
    if (best === null || score > bestScore || (score === bestScore && c.name < best.name)) {
      best = c
      bestScore = score
    }
  }
  return best
}

/** Place the site of `disc`; `cluster` = discs overlapping only this one, sorted smallest first. */
export function placeSite(disc: Disc, cluster: readonly Disc[], source: CandidateSource, weighDistance = false): Placement {
  let cands: Cand[] = source(disc.lat, disc.lon, disc.radiusKm).map((c) => ({...c, terms: pointTerms(c.lat, c.lon)}))
  const constraining: Disc[] = [disc]
  for (const d of cluster) {
    if (cands.length <= 1) break
    const inside = cands.filter((c) => discDistanceKm(d, c.terms) <= d.radiusKm)
    if (inside.length === 0) continue
    if (inside.length < cands.length || d.radiusKm < disc.radiusKm) constraining.push(d)
    cands = inside
  }
  // the smallest constraining disc is the tightest statement of where the site is
  const tightest = constraining.reduce((a, d) => (d.radiusKm < a.radiusKm ? d : a))
  const best = choose(cands, weighDistance ? tightest : null)
  const smallest = Math.min(...constraining.map((d) => d.radiusKm))
  let areaKm = smallest
  if (best !== null && cands.length > 1) {
    let far = 0
    for (const c of cands) far = Math.max(far, discDistanceKm(best.terms, c.terms))
    areaKm = Math.min(far, 2 * smallest)
  }
  return {
    candidate: best === null ? null : {name: best.name, country: best.country, lat: best.lat, lon: best.lon, population: best.population},
    constraining,
    areaKm: Math.round(areaKm),
  }
}

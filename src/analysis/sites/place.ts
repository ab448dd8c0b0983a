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

/**
 * What a candidate weighs before distance. iGreedy (alpha = 1): its population. With `addresses`
 * (`sites`): the geometric mean of its population and the IPv4 addresses geolocated around it
 * (../../geo/address-density.ts), sqrt(population x (addresses + 1)): anycast sites sit where
 * networks and data centres are, which population alone misses (Köln over Frankfurt, Tripoli over
 * Rome), while addresses alone follow where address blocks are registered (a cloud region, a
 * national ISP's headquarters). Measured on the committed campaigns with published site lists
 * (bench/sites-eval.ts, before it was adopted): the mean lifted precision from 0.901 to 0.914 and
 * hits from 1171 to 1184, with no target below iGreedy, where addresses alone left L-root below it;
 * stable for metro areas of 10 to 25 km and for counting address blocks instead of addresses.
 * A candidate whose addresses are unknown (no table) weighs its population, as before.
 */
export function candidateWeight(c: Candidate, addresses: boolean): number {
  if (!addresses || c.addresses === null || c.addresses === undefined) return c.population
  return Math.sqrt(c.population * (c.addresses + 1))
}

export interface PlaceOptions {
  /** weigh by distance from the tightest disc's vantage point (distanceWeight) */
  weighDistance?: boolean
  /** weigh by address density as well as population (candidateWeight) */
  addresses?: boolean
}

/** alpha = 1: the heaviest candidate; with `near`, weight x distanceWeight. */
function choose(cands: readonly Cand[], near: Disc | null, addresses: boolean): Cand | null {
  let best: Cand | null = null
  let bestScore = -Infinity
  for (const c of cands) {
    const w = candidateWeight(c, addresses)
    const score = near === null ? w : w * distanceWeight(discDistanceKm(near, c.terms), near.radiusKm)
    if (best === null || score > bestScore || (score === bestScore && c.name < best.name)) {
      best = c
      bestScore = score
    }
  }
  return best
}

/** Place the site of `disc`; `cluster` = discs overlapping only this one, sorted smallest first. */
export function placeSite(disc: Disc, cluster: readonly Disc[], source: CandidateSource, opts: PlaceOptions = {}): Placement {
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
  const best = choose(cands, opts.weighDistance === true ? tightest : null, opts.addresses === true)
  const smallest = Math.min(...constraining.map((d) => d.radiusKm))
  let areaKm = smallest
  if (best !== null && cands.length > 1) {
    let far = 0
    for (const c of cands) far = Math.max(far, discDistanceKm(best.terms, c.terms))
    areaKm = Math.min(far, 2 * smallest)
  }
  return {
    candidate: best === null ? null : {name: best.name, country: best.country, lat: best.lat, lon: best.lon, population: best.population, addresses: best.addresses ?? null},
    constraining,
    areaKm: Math.round(areaKm),
  }
}

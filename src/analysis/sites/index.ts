// `anyprobe sites`: is this address anycast, how many sites at least, where. Pure: observations in
// (vantage point location, lowest RTT, PoP verdict), sites out. See ./types.ts for the shapes and
// the files next to this one for each step: clean (what is left out), discs, enumerate (greedy
// MIS), place (city in the disc, MiGreedy's cluster), engine (iGreedy's rounds, then the same on the
// likely discs of ./likely.ts), fuse (identities).
//
// anycast:
//  - true  when two discs are disjoint (after leaving out contradicted locations): two vantage
//          points reached two different places, which one unicast host cannot be. Identities alone
//          never make it true: a unicast cluster can answer with several host names, and hop
//          names name the routers on the way, not the host.
//  - false when the data decides unicast: at least UNICAST_MIN_VPS located vantage points, all discs
//          share a common point (one site can explain every RTT), UNICAST_FAR_VPS of them farther
//          than UNICAST_FAR_KM from it (another region reached it too), and no two feasible
//          identities name places more than 100 km apart.
//          A regional anycast whose sites all lie inside every disc is indistinguishable from
//          unicast by latency: false means "one site explains every measurement".
//  - null  otherwise: too few vantage points, all close together, discs that overlap pairwise
//          without a common point, or identities naming several places the discs cannot separate.
import {plural} from '../../util/plural.js'
import {bestCoverPoint} from './intersect.js'
import {cleanObservations} from './clean.js'
import {discDistanceKm, pointTerms, rttText} from './discs.js'
import {enumerateAndPlace} from './engine.js'
import {fuseIdentities, MATCH_KM} from './fuse.js'
import {citySource} from './cities.js'
import type {CandidateSource, SiteObservation, SitesAnalysis} from './types.js'

export * from './types.js'
export {iGreedyBaseline} from './igreedy.js'
export {scoreSites, type Score} from './score.js'
export {KM_PER_RTT_MS, rttRadiusKm} from './discs.js'
export {citySource} from './cities.js'

export const UNICAST_MIN_VPS = 3
/**
 * "One site explains every measurement" says "unicast" only when vantage points in another region
 * than that site's were measured too, and reached it: anycast operators put sites per region, and a
 * vantage point near a second site would have reached that one. So at least UNICAST_FAR_VPS
 * vantage points lie farther than UNICAST_FAR_KM from the point all discs share. The RIPE Atlas
 * campaigns of one European area (iGreedy2.0's B- and M-root ones, which see one site each of
 * letters with 5 and 12) have no probe farther than 3,900 km from it, though two of their probes
 * can be 5,500 km apart; a unicast server in Frankfurt measured from New York (6,200 km) and Tokyo is.
 */
export const UNICAST_FAR_KM = 5000
export const UNICAST_FAR_VPS = 2

export interface SitesOptions {
  /** candidate places (default: the project's cities with population >= 10k) */
  candidates?: CandidateSource
  /** use the PoP verdicts (default true); false = latency only */
  identities?: boolean
}

export function findSites(obs: readonly SiteObservation[], opts: SitesOptions = {}): SitesAnalysis {
  const source = opts.candidates ?? citySource
  const useIds = opts.identities !== false
  const {discs, excluded} = cleanObservations(obs, {identities: useIds})
  const {placed, lowerBound, notPlaced} = enumerateAndPlace(discs, source, {migreedy: false, weighDistance: true, addresses: true, clusters: true, likely: true})
  const {sites, contradictions} = fuseIdentities(placed, discs, obs, useIds)

  let anycast: boolean | null
  let anycastReason: string
  if (lowerBound >= 2) {
    const [a, b] = placed.filter((p) => p.round === 0)
    anycast = true
    anycastReason = `${lowerBound} vantage points have mutually disjoint RTT discs (e.g. ${a!.disc.vp} ${rttText(a!.disc.rttMs)} and ${b!.disc.vp} ${rttText(b!.disc.rttMs)}, ${Math.round(discDistanceKm(a!.disc, b!.disc))} km apart): they reached different sites`
  } else if (discs.length < UNICAST_MIN_VPS) {
    anycast = null
    anycastReason = `${plural(discs.length, 'usable vantage point')}: at least ${UNICAST_MIN_VPS} are needed to call it unicast`
  } else {
    const places = distinctIdentityPlaces(sites)
    const cover = bestCoverPoint(discs)
    if (places > 1) {
      anycast = null
      anycastReason = `the RTT discs all overlap, but the sites' identities name ${places} places more than ${MATCH_KM} km apart`
    } else if (cover === null || cover.outside.length > 0) {
      anycast = null
      anycastReason = 'the RTT discs overlap pairwise but no single point lies in all of them'
    } else {
      const at = pointTerms(cover.lat, cover.lon)
      const far = discs.map((d) => discDistanceKm(d, at)).sort((a, b) => b - a)
      const point = `(${cover.lat.toFixed(1)}, ${cover.lon.toFixed(1)})`
      if (far.length < UNICAST_FAR_VPS || far[UNICAST_FAR_VPS - 1]! <= UNICAST_FAR_KM) {
        anycast = null
        anycastReason = `one site at ${point} could explain every measurement, but ${far.filter((k) => k > UNICAST_FAR_KM).length === 0 ? 'no' : 'only one'} vantage point is farther than ${UNICAST_FAR_KM} km from it (the farthest ${Math.round(far[0] ?? 0)} km): a site in another region would not show`
      } else {
        anycast = false
        anycastReason = `all ${discs.length} RTT discs contain one point ${point}, from vantage points up to ${Math.round(far[0]!)} km from it: one site explains every measurement`
      }
    }
  }
  return {anycast, anycastReason, lowerBound, sites, contradictions, notPlaced, excluded, used: discs.length}
}

function distinctIdentityPlaces(sites: SitesAnalysis['sites']): number {
  const named = sites.filter((s) => s.confirmed)
  const groups: Array<{lat: number; lon: number}> = []
  for (const s of named) {
    const p = pointTerms(s.lat, s.lon)
    if (!groups.some((g) => discDistanceKm(pointTerms(g.lat, g.lon), p) <= MATCH_KM)) groups.push(s)
  }
  return groups.length
}


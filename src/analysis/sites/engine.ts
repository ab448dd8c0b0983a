// Enumerate and place, round after round (iGreedy): the disjoint discs are placed at a city each,
// then each placed disc is replaced by a tiny disc at its city and the independent set is computed
// again: a disc that overlapped a placed one but does not contain its city now points at another
// site. Repeat until nothing new is found. With `likely`, the same rounds follow on the likely discs
// (./likely.ts: no measured path reaches the rim of its disc). `migreedy` narrows each placement with the discs that
// overlap only that site (./place.ts); without it, this is iGreedy (alpha = 1) itself.
import {type Disc, discDistanceKm, makeDisc, overlaps, pointTerms, rttText, TINY_DISC_KM} from './discs.js'
import {greedyMis} from './enumerate.js'
import {LIKELY_METRO_KM, likelyDisc} from './likely.js'
import {type Placement, placeSite} from './place.js'
import type {CandidateSource} from './types.js'
import type {NotPlacedSite} from '../../model/sites.js'

export interface PlacedSite {
  disc: Disc
  placement: Placement
  /** the discs that overlap only this site's disc (MiGreedy's cluster; empty without migreedy) */
  cluster: Disc[]
  round: number
  /** found from a likely disc (./likely.ts), after the exact rounds */
  likely: boolean
  lat: number
  lon: number
}

export const MAX_ROUNDS = 50

/** `discs` sorted smallest first. */
/**
 * `clusters`: find each site's cluster (the discs overlapping only its disc) even without
 * `migreedy`, for the evidence: they are the vantage points that most likely reached that site.
 */
export function enumerateAndPlace(discs: readonly Disc[], source: CandidateSource, opts: {migreedy: boolean; weighDistance?: boolean; addresses?: boolean; clusters?: boolean; likely?: boolean}): {placed: PlacedSite[]; lowerBound: number; notPlaced: NotPlacedSite[]} {
  const placed: PlacedSite[] = []
  const notPlaced: NotPlacedSite[] = []
  const tiny: Disc[] = []
  const used = new Set<Disc>()
  /** where the site of `k` would be (narrowed by its cluster with migreedy) */
  const placeOf = (k: Disc, cluster: Disc[], round: number, likely: boolean): PlacedSite => {
    const placement = placeSite(k, opts.migreedy ? cluster : [], source, {weighDistance: opts.weighDistance, addresses: opts.addresses})
    return {disc: k, placement, cluster, round, likely, lat: placement.candidate?.lat ?? k.lat, lon: placement.candidate?.lon ?? k.lon}
  }
  /** keep a placed site, and let its city stand for it from now on */
  const keep = (p: PlacedSite): void => {
    placed.push(p)
    tiny.push(makeDisc(-1, p.disc.vp, p.lat, p.lon, 0, TINY_DISC_KM))
  }
  const place = (k: Disc, cluster: Disc[], round: number, likely: boolean): void => keep(placeOf(k, cluster, round, likely))
  let kept = greedyMis(discs)
  const lowerBound = kept.length
  for (let round = 0; kept.length > 0 && round < MAX_ROUNDS; round++) {
    for (const k of kept) used.add(k)
    const clusters = new Map<Disc, Disc[]>(kept.map((k) => [k, []]))
    if (opts.migreedy || opts.clusters === true) {
      const all = [...tiny, ...kept]
      for (const d of discs) {
        if (used.has(d)) continue
        let only: Disc | null = null
        let n = 0
        for (const k of all) {
          if (!overlaps(d, k)) continue
          n++
          only = k
          if (n > 1) break
        }
        if (n === 1) clusters.get(only!)?.push(d)
      }
    }
    for (const k of kept) place(k, clusters.get(k)!, round, false)
    kept = greedyMis(
      discs.filter((d) => !used.has(d)),
      tiny,
    )
  }
  if (opts.likely === true && lowerBound >= 2) {
    // the same rounds on the likely discs (./likely.ts), once anycast is proven: each kept one
    // contains no placed site, so its vantage point reached another one
    const likely = discs.map(likelyDisc)
    const usedL = new Set<Disc>()
    const unplaced: Array<{disc: Disc; site: NotPlacedSite}> = []
    let round = placed.length === 0 ? 0 : placed[placed.length - 1]!.round + 1
    for (let n = 0; n < MAX_ROUNDS; n++, round++) {
      kept = greedyMis(
        likely.filter((d) => !usedL.has(d)),
        tiny,
      )
      if (kept.length === 0) break
      for (const k of kept) {
        usedL.add(k)
        const p = placeOf(k, [], round, true)
        // one vantage point says a site is somewhere in its likely disc; where is only known when
        // its own metro area is the place chosen (./likely.ts, LIKELY_METRO_KM)
        const km = discDistanceKm(k, pointTerms(p.lat, p.lon))
        if (km <= LIKELY_METRO_KM) keep(p)
        else
          unplaced.push({
            disc: k,
            site: {vp: k.vp, rttMs: k.rttMs, radiusKm: Math.round(k.radiusKm), note: `no site found lies within ${Math.round(k.radiusKm)} km, the farthest a measured path reaches with its ${rttText(k.rttMs)} RTT: it reached another site unless its path went farther than any measured, but the most likely place (${p.placement.candidate?.name ?? 'none'}) is ${Math.round(km)} km from it, too far to say where`},
          })
      }
    }
    // Report each unplaced site once: not one whose disc a site placed after it now explains, nor
    // one whose disc overlaps one reported already (both vantage points may have reached the
    // same site): what is left are mutually disjoint discs, at least that many sites.
    const reported: Disc[] = []
    for (const {disc, site} of unplaced) {
      if (tiny.some((t) => overlaps(disc, t)) || reported.some((r) => overlaps(r, disc))) continue
      reported.push(disc)
      notPlaced.push(site)
    }
  }
  return {placed, lowerBound, notPlaced}
}

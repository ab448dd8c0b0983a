// Scoring as the issue asks: a found site within 100 km of a true site is a hit, and each true site
// counts once (a one-to-one matching, closest pairs first), so two found sites at one true site are
// one hit and one miss. precision = hits / found, recall = hits / true sites. (iGreedy2.0's own
// validation lets one hit take every listed site within 100 km: bench/sites-igreedy2-score.ts.)
import type {SitesScore, TruthSite} from '../../model/sites.js'
import {distanceKm} from './discs.js'

export interface Score {
  found: number
  truth: number
  hits: number
  precision: number | null
  recall: number | null
}

export const HIT_KM = 100

/** The one-to-one matching: pairs [found index, truth index], closest first. */
export function matchSites(found: ReadonlyArray<{lat: number; lon: number}>, truth: ReadonlyArray<{lat: number; lon: number}>, hitKm = HIT_KM): Array<[number, number]> {
  const pairs: Array<[number, number, number]> = []
  found.forEach((f, i) =>
    truth.forEach((t, j) => {
      const km = distanceKm(f, t)
      if (km <= hitKm) pairs.push([km, i, j])
    }),
  )
  pairs.sort((a, b) => a[0] - b[0])
  const usedF = new Set<number>()
  const usedT = new Set<number>()
  const matched: Array<[number, number]> = []
  for (const [, i, j] of pairs) {
    if (usedF.has(i) || usedT.has(j)) continue
    usedF.add(i)
    usedT.add(j)
    matched.push([i, j])
  }
  return matched
}

export function scoreSites(found: ReadonlyArray<{lat: number; lon: number}>, truth: ReadonlyArray<{lat: number; lon: number}>, hitKm = HIT_KM): Score {
  const hits = matchSites(found, truth, hitKm).length
  return {
    found: found.length,
    truth: truth.length,
    hits,
    precision: found.length === 0 ? null : hits / found.length,
    recall: truth.length === 0 ? null : hits / truth.length,
  }
}

/** `sites --truth`: the score with what was missed and what matched nothing, by name. */
export function scoreAgainst(found: ReadonlyArray<{lat: number; lon: number; city: string | null}>, truth: readonly TruthSite[], unplaced: readonly string[], hitKm = HIT_KM, samePlace = 0): SitesScore {
  const matched = matchSites(found, truth, hitKm)
  const f = new Set(matched.map(([i]) => i))
  const t = new Set(matched.map(([, j]) => j))
  return {
    hitKm,
    truth: truth.length,
    found: found.length,
    hits: matched.length,
    precision: found.length === 0 ? null : matched.length / found.length,
    recall: truth.length === 0 ? null : matched.length / truth.length,
    missed: truth.filter((_, j) => !t.has(j)).map((x) => x.code),
    unmatched: found.filter((_, i) => !f.has(i)).map((x) => x.city ?? `${x.lat.toFixed(2)},${x.lon.toFixed(2)}`),
    unplaced: [...unplaced],
    ...(samePlace > 0 ? {samePlace} : {}),
  }
}

// Scoring as iGreedy's own validation does: a found site within 100 km of a true site is a hit, and
// each true site counts once (a one-to-one matching, closest pairs first), so two found sites at
// one true site are one hit and one miss. precision = hits / found, recall = hits / true sites.
import {distanceKm} from './discs.js'

export interface Score {
  found: number
  truth: number
  hits: number
  precision: number | null
  recall: number | null
}

export const HIT_KM = 100

export function scoreSites(found: ReadonlyArray<{lat: number; lon: number}>, truth: ReadonlyArray<{lat: number; lon: number}>, hitKm = HIT_KM): Score {
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
  for (const [, i, j] of pairs) {
    if (usedF.has(i) || usedT.has(j)) continue
    usedF.add(i)
    usedT.add(j)
  }
  const hits = usedF.size
  return {
    found: found.length,
    truth: truth.length,
    hits,
    precision: found.length === 0 ? null : hits / found.length,
    recall: truth.length === 0 ? null : hits / truth.length,
  }
}

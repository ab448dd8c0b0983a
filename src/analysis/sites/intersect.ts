// Where do the discs have a common point? A single site lies in every disc (physics), so "all discs
// share a point" is what unicast looks like, and the point covered by the most discs tells which
// vantage points disagree with the rest. Exact for the discs it looks at: the common intersection of
// circles, if not empty, contains a circle's centre or a crossing point of two boundaries; those
// points are computed for the SMALLEST discs only (they bound the intersection; large discs almost
// always contain it) and each is then checked against every disc.
import {type Disc, EARTH_R_KM} from './discs.js'

/** How many of the smallest discs give candidate points (24 -> at most 24 + 552 points). */
export const COMMON_POINT_DISCS = 24

type V3 = [number, number, number]

function vec(d: Disc): V3 {
  return [d.cosLat * Math.cos(d.lonRad), d.cosLat * Math.sin(d.lonRad), d.sinLat]
}

function toTerms(v: V3): {sinLat: number; cosLat: number; lonRad: number; lat: number; lon: number} {
  const n = Math.hypot(v[0], v[1], v[2])
  const z = v[2] / n
  const lat = Math.asin(Math.max(-1, Math.min(1, z)))
  const lon = Math.atan2(v[1], v[0])
  return {sinLat: Math.sin(lat), cosLat: Math.cos(lat), lonRad: lon, lat: (lat * 180) / Math.PI, lon: (lon * 180) / Math.PI}
}

/** The (up to two) points where two disc boundaries cross. */
function crossings(a: Disc, b: Disc): V3[] {
  const c1 = vec(a)
  const c2 = vec(b)
  const d = c1[0] * c2[0] + c1[1] * c2[1] + c1[2] * c2[2]
  if (Math.abs(d) > 0.999_999_999) return []
  const k1 = Math.cos(Math.min(Math.PI, a.radiusKm / EARTH_R_KM))
  const k2 = Math.cos(Math.min(Math.PI, b.radiusKm / EARTH_R_KM))
  const den = 1 - d * d
  const x = (k1 - d * k2) / den
  const y = (k2 - d * k1) / den
  const n: V3 = [c1[1] * c2[2] - c1[2] * c2[1], c1[2] * c2[0] - c1[0] * c2[2], c1[0] * c2[1] - c1[1] * c2[0]]
  const base: V3 = [x * c1[0] + y * c2[0], x * c1[1] + y * c2[1], x * c1[2] + y * c2[2]]
  const bb = base[0] ** 2 + base[1] ** 2 + base[2] ** 2
  if (bb > 1) return []
  const t = Math.sqrt((1 - bb) / den) // |n|^2 = 1 - d^2
  return [
    [base[0] + t * n[0], base[1] + t * n[1], base[2] + t * n[2]],
    [base[0] - t * n[0], base[1] - t * n[1], base[2] - t * n[2]],
  ]
}

export interface CoverPoint {
  lat: number
  lon: number
  /** discs containing it (within slack) */
  covered: number
  /** indexes (into the given array) of the discs that do not contain it */
  outside: number[]
}

/** The candidate point covered by the most discs. `discs` sorted smallest first; null when empty. */
export function bestCoverPoint(discs: readonly Disc[], slackKm = 1): CoverPoint | null {
  if (discs.length === 0) return null
  const head = discs.slice(0, COMMON_POINT_DISCS)
  const pts: V3[] = head.map(vec)
  for (let i = 0; i < head.length; i++) for (let j = i + 1; j < head.length; j++) pts.push(...crossings(head[i]!, head[j]!))
  let best: CoverPoint | null = null
  for (const v of pts) {
    const p = toTerms(v)
    const outside: number[] = []
    const limit = best === null ? discs.length : discs.length - best.covered
    for (let i = 0; i < discs.length && outside.length <= limit; i++) {
      const d = discs[i]!
      const c = d.sinLat * p.sinLat + d.cosLat * p.cosLat * Math.cos(d.lonRad - p.lonRad)
      const km = EARTH_R_KM * Math.acos(Math.max(-1, Math.min(1, c)))
      if (km > d.radiusKm + slackKm) outside.push(i)
    }
    const covered = discs.length - outside.length
    if (best === null || covered > best.covered) best = {lat: p.lat, lon: p.lon, covered, outside}
    if (covered === discs.length) break
  }
  return best
}

// RTT discs. A reply after t ms means the answering site is within t/2 ms of light in fibre of the
// vantage point: (t/2) * c / 1.52 = 98.6 km per ms of RTT (the refraction index iGreedy2.0 and
// MiGreedy use). Queueing and detours only add time, so the site is always inside (unless the
// vantage point's own location is wrong). Distances are great-circle on a sphere of R = 6371 km.

export const KM_PER_RTT_MS = 299_792.458 / 1.52 / 2 / 1000
export const EARTH_R_KM = 6371
/** iGreedy's "tiny disc" standing for a site placed at a city */
export const TINY_DISC_KM = 0.1

const RAD = Math.PI / 180

export interface Disc {
  /** index of the observation it came from, or -1 for a placed site */
  idx: number
  vp: string
  lat: number
  lon: number
  rttMs: number
  radiusKm: number
  /** how much of radiusKm is not distance the RTT allows but doubt about where the vantage point is (a small country's point: ./clean.ts) */
  locationSlackKm?: number
  /** precomputed for fast distance: sin/cos of latitude, longitude in radians */
  sinLat: number
  cosLat: number
  lonRad: number
}

/** An RTT as the notes say it: 2 decimals at most (the inputs carry up to 6: "0.517665 ms" reads as noise). */
export function rttText(rttMs: number): string {
  return `${Number(rttMs.toFixed(2))} ms`
}

export function rttRadiusKm(rttMs: number): number {
  return rttMs * KM_PER_RTT_MS
}

export function makeDisc(idx: number, vp: string, lat: number, lon: number, rttMs: number, radiusKm = rttRadiusKm(rttMs), locationSlackKm = 0): Disc {
  const d: Disc = {idx, vp, lat, lon, rttMs, radiusKm, sinLat: Math.sin(lat * RAD), cosLat: Math.cos(lat * RAD), lonRad: lon * RAD}
  if (locationSlackKm > 0) d.locationSlackKm = locationSlackKm
  return d
}

/** Great-circle distance (spherical law of cosines on precomputed terms; haversine for short ones). */
export function discDistanceKm(a: {sinLat: number; cosLat: number; lonRad: number}, b: {sinLat: number; cosLat: number; lonRad: number}): number {
  const c = a.sinLat * b.sinLat + a.cosLat * b.cosLat * Math.cos(a.lonRad - b.lonRad)
  if (c > 0.9999) {
    // short distances lose precision in acos: haversine from the same terms
    const dLat = Math.asin(Math.max(-1, Math.min(1, a.sinLat * b.cosLat - a.cosLat * b.sinLat)))
    const s = Math.sin(dLat / 2) ** 2 + a.cosLat * b.cosLat * Math.sin((a.lonRad - b.lonRad) / 2) ** 2
    return 2 * EARTH_R_KM * Math.asin(Math.min(1, Math.sqrt(s)))
  }
  return EARTH_R_KM * Math.acos(Math.max(-1, Math.min(1, c)))
}

export function distanceKm(a: {lat: number; lon: number}, b: {lat: number; lon: number}): number {
  return discDistanceKm(pointTerms(a.lat, a.lon), pointTerms(b.lat, b.lon))
}

export function pointTerms(lat: number, lon: number): {sinLat: number; cosLat: number; lonRad: number} {
  return {sinLat: Math.sin(lat * RAD), cosLat: Math.cos(lat * RAD), lonRad: lon * RAD}
}

/** Two discs overlap iff the distance between their centres is at most r1 + r2. */
export function overlaps(a: Disc, b: Disc): boolean {
  return discDistanceKm(a, b) <= a.radiusKm + b.radiusKm
}

export function containsPoint(d: Disc, p: {sinLat: number; cosLat: number; lonRad: number}, slackKm = 0): boolean {
  return discDistanceKm(d, p) <= d.radiusKm + slackKm
}

/** Smallest RTT first; ties by vantage point id so the result does not depend on input order. */
export function byRtt(a: Disc, b: Disc): number {
  return a.rttMs - b.rttMs || (a.vp < b.vp ? -1 : a.vp > b.vp ? 1 : 0)
}

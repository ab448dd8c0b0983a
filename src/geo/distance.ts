// Distance math and the speed-of-light bound used to rule out PoPs an RTT cannot reach.

const EARTH_RADIUS_KM = 6371.0088
const RAD = Math.PI / 180

export interface LatLon {
  lat: number
  lon: number
}

/** Great-circle distance in km (haversine). */
export function haversineKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD
  const dLon = (b.lon - a.lon) * RAD
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)))
}

/**
 * Light in fibre covers about 200 km per ms one way, so 100 km per ms of round-trip time.
 * A place farther than that from the vantage point cannot have answered within the RTT.
 */
export const KM_PER_RTT_MS = 100
/** slack for imprecise coordinates (a metro's centre vs. the building) */
export const FEASIBILITY_SLACK_KM = 50
export const FEASIBILITY_SLACK_RATIO = 0.05

/** The farthest a responder can be from the vantage point given the minimum RTT, slack included. */
export function maxDistanceKm(rttMs: number): number {
  return rttMs * KM_PER_RTT_MS * (1 + FEASIBILITY_SLACK_RATIO) + FEASIBILITY_SLACK_KM
}

/** Same metropolitan area: within this many km. */
export const METRO_KM = 100

export function isValidLatLon(lat: number, lon: number): boolean {
  return Number.isFinite(lat) && Number.isFinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// Where the vantage point is, and which places an RTT allows (light in fibre: ~100 km per ms RTT).
import {airportByIata, airportByIcao, metroByCode} from '../geo/airports.js'
import {findCity} from '../geo/cities.js'
import {FEASIBILITY_SLACK_KM, FEASIBILITY_SLACK_RATIO, haversineKm, isValidLatLon, KM_PER_RTT_MS, maxDistanceKm, type LatLon} from '../geo/distance.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'

export interface VpLocation extends LatLon {
  /** what the location was given as, normalised ("50.03,8.57", "FRA") */
  label: string
  /** the place's country (ISO 3166-1 alpha-2, upper case) when its table names one; absent for "lat,lon" */
  country?: string
}

/** a place's country as the tables write it, upper case; nothing when none is named */
const withCountry = (loc: VpLocation, country: string | null | undefined): VpLocation => (country ? {...loc, country: country.toUpperCase()} : loc)

const LATLON = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/

/** Parse `--vp-location`: "lat,lon", an IATA / ICAO / metro code, or a city name. Throws E_USAGE. */
export function parseVpLocation(text: string): VpLocation {
  const t = text.trim()
  const m = LATLON.exec(t)
  if (m) {
    const lat = Number(m[1])
    const lon = Number(m[2])
    if (isValidLatLon(lat, lon)) return {lat, lon, label: `${lat},${lon}`}
    throw usage(t, 'latitude must be within -90..90 and longitude within -180..180')
  }
  if (/^[a-z]{3}$/i.test(t)) {
    const metro = metroByCode(t)
    if (metro) return withCountry({lat: metro.lat, lon: metro.lon, label: t.toUpperCase()}, metro.country)
    const a = airportByIata(t)
    if (a) return withCountry({lat: a.lat, lon: a.lon, label: t.toUpperCase()}, a.country)
  }
  if (/^[a-z]{4}$/i.test(t)) {
    const a = airportByIcao(t)
    if (a) return withCountry({lat: a.lat, lon: a.lon, label: t.toUpperCase()}, a.country)
  }
  if (/^[\p{L} .'-]{3,}$/u.test(t)) {
    const c = findCity(t)
    if (c) return withCountry({lat: c.lat, lon: c.lon, label: c.name}, c.country)
  }
  throw usage(t, 'not a "lat,lon" pair, a known airport code or a city name')
}

function usage(t: string, why: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', `--vp-location "${sanitize(t, 100)}": ${why}`, {
    hint: 'give the vantage point as "50.03,8.57" or an airport code such as FRA',
    exitCode: EXIT.usage,
  })
}

export interface Feasibility {
  feasible: boolean
  distanceKm: number
  maxKm: number
  /** the lowest RTT at which the place would pass (the inverse of maxDistanceKm), ms */
  minRttMs: number
}

/** Could a responder at `place` have answered a vantage point at `vp` within `rttMs`? */
export function rttFeasibility(vp: LatLon, place: LatLon, rttMs: number): Feasibility {
  const distanceKm = haversineKm(vp, place)
  const maxKm = maxDistanceKm(rttMs)
  const minRttMs = Math.max(0, distanceKm - FEASIBILITY_SLACK_KM) / (KM_PER_RTT_MS * (1 + FEASIBILITY_SLACK_RATIO))
  return {feasible: distanceKm <= maxKm, distanceKm, maxKm, minRttMs}
}

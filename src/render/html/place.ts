// Where a PoP is: its verdict names a city (and country) or a code, not always coordinates, so the
// place is looked up in the same dictionaries the verdict came from (src/geo). Null when neither
// the city nor the code is known: such a PoP is listed in the legend but not drawn.
import {airportByIata, findCity, metroByCode} from '../../geo/index.js'

export interface PopPlaceInput {
  code: string
  city: string | null
  country: string | null
  lat?: number | null
  lon?: number | null
}

export function popLatLon(p: PopPlaceInput): {lat: number; lon: number} | null {
  if (typeof p.lat === 'number' && typeof p.lon === 'number') return {lat: p.lat, lon: p.lon}
  try {
    if (p.city) {
      const c = findCity(p.city, p.country)
      if (c) return {lat: c.lat, lon: c.lon}
    }
    const code = p.code.toLowerCase()
    if (/^[a-z]{3}$/.test(code)) {
      const m = metroByCode(code)
      if (m && (!p.country || m.country === p.country)) return {lat: m.lat, lon: m.lon}
      const a = airportByIata(code)
      if (a && (!p.country || a.country === p.country)) return {lat: a.lat, lon: a.lon}
    }
  } catch {
    // no place data (a broken install): the PoP is listed, not drawn
  }
  return null
}

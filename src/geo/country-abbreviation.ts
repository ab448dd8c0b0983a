// A 3- or 4-letter city abbreviation that is no airport code, read inside the one country a name
// says it is in ("kra" in a .pl name, "kazn" in a .ru one, "FKT.DE" in RETN's names). National
// operators name sites by short forms of their own country's cities rather than by IATA codes
// (Rostelecom "kazn", "irkt"; Orange Polska "kra"; DFN "erl" for Erlangen), and the forms follow
// the CLLI habit (ATIS-0300253; clli.ts): the first letter of the name, then letters of it in order,
// consonants and word starts kept ("kazn" Kazan, "irkt" Irkutsk). Known the country, only that
// country's cities are candidates, so the abbreviation rule of clli.ts applies as it does to a
// CLLI place part with its state: the best-fitting city, weighted by population, if it leads clearly.
import type {Place} from './airports.js'
import {citiesInRegion, type City} from './cities.js'
import {abbreviationFit, isAbbreviation} from './clli.js'
import {onGeoDataReset} from './store.js'

/** The lead over the next candidate: a city 4 times as populous at the same fit (clli.ts's margin). */
const DOMINANT_MARGIN = Math.log10(4)
/** Only a city this size is a site a national operator names by a short form others would read alike. */
const MIN_POPULATION = 100_000
/**
 * At most this many letters of the name skipped that an abbreviation keeps (consonants, word
 * starts; clli.ts's cost of 1 each) plus trailing letters: "fkt" for Frankfurt skips four
 * consonants and is a mnemonic only its operator reads; a chance match of a role word is such too.
 */
const MAX_FIT = 1.5
/**
 * Where a country label stands beside the code ("SRV.DRO.NL": the operator says which country the
 * site is in, and the label before it is the site), a town of this size will do when it is the
 * only city of the country (of 10k+) the letters fit at all: no rival to choose from.
 */
const SOLE_TOWN_MIN_POPULATION = 20_000

/**
 * Countries whose operators name sites by airport codes or by CLLI (clli.ts reads both, and they
 * come first): there a short code no airport has is an operator's own mnemonic, and reading it as
 * an abbreviation gives a confident wrong city (random foreign airport codes under a ".us" label
 * read as Baltimore and Koreatown in the helper's synthetic bench). Nothing measured needed them.
 */
const OWN_CODE_COUNTRIES = new Set(['US', 'CA'])

const memo = new Map<string, Place | null>()
const MEMO_MAX = 50_000
/** per country, its cities (10k+) by first letter: a code is matched against those alone */
const byInitial = new Map<string, Map<string, City[]>>()
onGeoDataReset(() => {
  memo.clear()
  byInitial.clear()
})

function citiesStarting(country: string, initial: string): City[] {
  let index = byInitial.get(country)
  if (index === undefined) {
    index = new Map()
    for (const c of citiesInRegion(country, null)) {
      const k = c.key[0] ?? ''
      let list = index.get(k)
      if (list === undefined) index.set(k, (list = []))
      list.push(c)
    }
    byInitial.set(country, index)
  }
  return index.get(initial) ?? []
}

/**
 * The city of `country` that `abbr` (3-4 lower-case letters) clearly abbreviates, or null.
 * `soleTown`: a country label stands beside the code, so a sole fitting town of 20k+ is enough.
 */
export function countryCityAbbreviation(abbr: string, country: string, soleTown = false): Place | null {
  if (!/^[a-z]{3,4}$/.test(abbr)) return null
  if (OWN_CODE_COUNTRIES.has(country)) return null
  const key = `${country}:${abbr}:${soleTown ? 1 : 0}`
  const hit = memo.get(key)
  if (hit !== undefined) return hit
  const found = compute(abbr, country, soleTown)
  // bounded: a hostile input of many distinct letter strings must not grow it without limit
  if (memo.size >= MEMO_MAX) memo.clear()
  memo.set(key, found)
  return found
}

function compute(abbr: string, country: string, soleTown: boolean): Place | null {
  const matches: Array<{key: string; pop: number; score: number; fit: number; place: Place}> = []
  for (const c of citiesStarting(country, abbr[0]!)) {
    if (!isAbbreviation(abbr, c.key)) continue
    const fit = abbreviationFit(abbr, c.name)
    matches.push({key: c.key, pop: c.population, fit, score: Math.log10(Math.max(c.population, 1)) - fit, place: {city: c.name, country: c.country, region: c.admin || null, lat: c.lat, lon: c.lon}})
  }
  if (matches.length === 0) return null
  matches.sort((a, b) => b.score - a.score || b.pop - a.pop)
  const top = matches[0]!
  const second = matches[1]
  if (top.fit > MAX_FIT) return null
  // ... and the town's name starts with the code's first two letters ("dro" Dronten, "lah" Lahti):
  // a skeleton that fits one town by chance ("lht" Lahti) is more likely a
  // mnemonic of the operator's own
  if (soleTown && second === undefined && top.pop >= SOLE_TOWN_MIN_POPULATION && top.key.startsWith(abbr.slice(0, 2))) return top.place
  if (top.pop < MIN_POPULATION) return null
  if (second !== undefined && top.score - second.score < DOMINANT_MARGIN) return null
  return top.place
}

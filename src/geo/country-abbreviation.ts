// A 3- or 4-letter city abbreviation that is no airport code, read inside the one country a name
// says it is in ("kra" in a .pl name, "kazn" in a .ru one, "FKT.DE" in RETN's names). National
// operators name sites by short forms of their own country's cities rather than by IATA codes
// (Rostelecom "kazn", "irkt"; Orange Polska "kra"; DFN "erl" for Erlangen), and the forms follow
// the CLLI habit (ATIS-0300253; clli.ts): the first letter of the name, then letters of it in order,
// consonants and word starts kept ("kazn" Kazan, "irkt" Irkutsk). Known the country, only that
// country's cities are candidates, so the abbreviation rule of clli.ts applies as it does to a
// CLLI place part with its state: the best-fitting city, weighted by population, if it leads clearly.
import type {Place} from './airports.js'
import {citiesInRegion} from './cities.js'
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

const memo = new Map<string, Place | null>()
onGeoDataReset(() => memo.clear())

/** The city of `country` that `abbr` (3-4 lower-case letters) clearly abbreviates, or null. */
export function countryCityAbbreviation(abbr: string, country: string): Place | null {
  if (!/^[a-z]{3,4}$/.test(abbr)) return null
  const key = `${country}:${abbr}`
  const hit = memo.get(key)
  if (hit !== undefined) return hit
  const found = compute(abbr, country)
  memo.set(key, found)
  return found
}

function compute(abbr: string, country: string): Place | null {
  const matches: Array<{pop: number; score: number; fit: number; place: Place}> = []
  for (const c of citiesInRegion(country, null)) {
    if (!isAbbreviation(abbr, c.key)) continue
    const fit = abbreviationFit(abbr, c.name)
    matches.push({pop: c.population, fit, score: Math.log10(Math.max(c.population, 1)) - fit, place: {city: c.name, country: c.country, region: c.admin || null, lat: c.lat, lon: c.lon}})
  }
  if (matches.length === 0) return null
  matches.sort((a, b) => b.score - a.score || b.pop - a.pop)
  const top = matches[0]!
  const second = matches[1]
  if (top.pop < MIN_POPULATION || top.fit > MAX_FIT) return null
  if (second !== undefined && top.score - second.score < DOMINANT_MARGIN) return null
  return top.place
}

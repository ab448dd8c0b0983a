// CLLI-style site codes: 4 letters of city + 2 of US state / province / country ("asbnva",
// "nycmny", "frnkge", "tokyjp"). A hand table of common ones, then a rule: the 4 letters are an
// abbreviation of a city in that region (same first letter, letters in order), most populous first.
import type {Place} from './airports.js'
import {citiesInRegion, type City} from './cities.js'
import {regionsForToken, type Region} from './countries.js'
import {normName} from './normalize.js'
import {onGeoDataReset} from './store.js'

const CLLI: Record<string, Place> = {
  asbnva: {city: 'Ashburn', country: 'US', region: 'VA', lat: 39.0438, lon: -77.4874},
  rstnva: {city: 'Reston', country: 'US', region: 'VA', lat: 38.9586, lon: -77.357},
  hrndva: {city: 'Herndon', country: 'US', region: 'VA', lat: 38.9696, lon: -77.3861},
  mclnva: {city: 'McLean', country: 'US', region: 'VA', lat: 38.9339, lon: -77.1773},
  wshndc: {city: 'Washington', country: 'US', region: 'DC', lat: 38.9072, lon: -77.0369},
  nycmny: {city: 'New York', country: 'US', region: 'NY', lat: 40.7831, lon: -73.9712},
  nwrknj: {city: 'Newark', country: 'US', region: 'NJ', lat: 40.7357, lon: -74.1724},
  phlapa: {city: 'Philadelphia', country: 'US', region: 'PA', lat: 39.9526, lon: -75.1652},
  bstnma: {city: 'Boston', country: 'US', region: 'MA', lat: 42.3601, lon: -71.0589},
  chcgil: {city: 'Chicago', country: 'US', region: 'IL', lat: 41.8781, lon: -87.6298},
  dllstx: {city: 'Dallas', country: 'US', region: 'TX', lat: 32.7767, lon: -96.797},
  hstntx: {city: 'Houston', country: 'US', region: 'TX', lat: 29.7604, lon: -95.3698},
  atlnga: {city: 'Atlanta', country: 'US', region: 'GA', lat: 33.749, lon: -84.388},
  mimifl: {city: 'Miami', country: 'US', region: 'FL', lat: 25.7617, lon: -80.1918},
  dnvrco: {city: 'Denver', country: 'US', region: 'CO', lat: 39.7392, lon: -104.9903},
  lsanca: {city: 'Los Angeles', country: 'US', region: 'CA', lat: 34.0522, lon: -118.2437},
  snjsca: {city: 'San Jose', country: 'US', region: 'CA', lat: 37.3382, lon: -121.8863},
  snfcca: {city: 'San Francisco', country: 'US', region: 'CA', lat: 37.7749, lon: -122.4194},
  plalca: {city: 'Palo Alto', country: 'US', region: 'CA', lat: 37.4419, lon: -122.143},
  sttlwa: {city: 'Seattle', country: 'US', region: 'WA', lat: 47.6062, lon: -122.3321},
  ptldor: {city: 'Portland', country: 'US', region: 'OR', lat: 45.5152, lon: -122.6784},
  phnxaz: {city: 'Phoenix', country: 'US', region: 'AZ', lat: 33.4484, lon: -112.074},
  slkcut: {city: 'Salt Lake City', country: 'US', region: 'UT', lat: 40.7608, lon: -111.891},
  mplsmn: {city: 'Minneapolis', country: 'US', region: 'MN', lat: 44.9778, lon: -93.265},
  kscymo: {city: 'Kansas City', country: 'US', region: 'MO', lat: 39.0997, lon: -94.5786},
  dtrtmi: {city: 'Detroit', country: 'US', region: 'MI', lat: 42.3314, lon: -83.0458},
  frnkge: {city: 'Frankfurt am Main', country: 'DE', region: null, lat: 50.1109, lon: 8.6821},
  londen: {city: 'London', country: 'GB', region: null, lat: 51.5074, lon: -0.1278},
  amstnl: {city: 'Amsterdam', country: 'NL', region: null, lat: 52.3676, lon: 4.9041},
  parsfr: {city: 'Paris', country: 'FR', region: null, lat: 48.8566, lon: 2.3522},
  tokyjp: {city: 'Tokyo', country: 'JP', region: null, lat: 35.6895, lon: 139.6917},
  osakjp: {city: 'Osaka', country: 'JP', region: null, lat: 34.6937, lon: 135.5023},
  sydnau: {city: 'Sydney', country: 'AU', region: null, lat: -33.8688, lon: 151.2093},
}

export interface ClliHit {
  place: Place
  source: 'table' | 'rule'
  /** the rule found one clearly dominant city (rule hits only) */
  dominant: boolean
  /**
   * the lead city is clear of the next by the dominance margin, whatever its size (a table hit is
   * clear): a full 11-character CLLI code vouches for the place part, so a town of 80k is as good
   */
  clear: boolean
  /**
   * the letters fit the lead city and it has 100k+ people (a table hit is sizeable; the city-state
   * fallback is not: its letters fit no place there, the city is the only one the state has)
   */
  sizeable: boolean
}

const memo = new Map<string, ClliHit | null>()
onGeoDataReset(() => memo.clear())

/** Resolve a 6-letter CLLI-style code, or null. Rule hits are memoised. */
export function clliPlace(code: string): ClliHit | null {
  const key = code.toLowerCase()
  // own keys only: `constructor` must not find Object.prototype's
  const hand = Object.hasOwn(CLLI, key) ? CLLI[key] : undefined
  if (hand) return {place: hand, source: 'table', dominant: true, clear: true, sizeable: true}
  if (key.length !== 6) return null
  const cached = memo.get(key)
  if (cached !== undefined) return cached
  const hit = clliRule(key.slice(0, 4), key.slice(4))
  memo.set(key, hit)
  return hit
}

/**
 * City-states: every place in them is the one city (a CLLI place there is often a district: NTT's
 * tkokhk01 = Tseung Kwan O, chwahk03 = Chai Wan, newthk01 = New Territories, all Hong Kong).
 */
const CITY_STATES = new Set(['HK', 'SG', 'MO', 'MC'])

/**
 * CLLI writes a US place with its state ("sttlwa", "dllstx": ATIS-0300253), never "us": a region
 * part "us" would search every US town for a fit and find a big one for many words ("status"
 * Staten Island, "corpus" Corpus Christi, "fiscus" Frisco). "ca" stays California and Canada: a
 * Canadian place written with "ca" ("vancca", "mtrlca") is read as the Canadian city it fits.
 */
const NOT_A_CLLI_REGION = (r: Region): boolean => r.country === 'US' && r.admin === null

function clliRule(abbr: string, regionToken: string): ClliHit | null {
  const matches: Array<{city: City; score: number}> = []
  const regions = regionsForToken(regionToken, {clli: true}).filter((r) => !NOT_A_CLLI_REGION(r))
  for (const r of regions) {
    for (const c of citiesInRegion(r.country, r.admin)) {
      if (!isAbbreviation(abbr, c.key)) continue
      const fit = abbreviationFit(abbr, c.name)
      matches.push({city: c, score: Math.log10(Math.max(c.population, 1)) - fit})
    }
  }
  if (matches.length === 0) {
    for (const r of regions) {
      if (!CITY_STATES.has(r.country) || r.admin !== null) continue
      const main = citiesInRegion(r.country, null).reduce<City | null>((m, c) => (m === null || c.population > m.population ? c : m), null)
      if (main) return {place: {city: main.name, country: main.country, region: main.admin || null, lat: main.lat, lon: main.lon}, source: 'rule', dominant: false, clear: false, sizeable: false}
    }
    return null
  }
  matches.sort((a, b) => b.score - a.score || b.city.population - a.city.population)
  const top = matches[0]!
  const second = matches[1]
  const clear = second === undefined || top.score - second.score >= DOMINANT_MARGIN
  const sizeable = top.city.population >= 100_000
  const dominant = sizeable && clear
  const c = top.city
  return {
    place: {city: c.name, country: c.country, region: c.admin || null, lat: c.lat, lon: c.lon},
    source: 'rule',
    dominant,
    clear,
    sizeable,
  }
}

/** A clear lead: the score of a city 4 times as populous at the same fit. */
const DOMINANT_MARGIN = Math.log10(4)
/** Cost of a consonant or a word's first letter the abbreviation skips (CLLI drops vowels, keeps those). */
const SKIPPED_KEY_LETTER = 1
/**
 * Cost of each letter of the last word used after the last letter used (it abbreviates the whole
 * word), and of each later word (a name may drop a last word: "Walnut Creek", "West Palm Beach").
 */
const TRAILING_LETTER = 0.15
const TRAILING_WORD = 0.25

/**
 * How badly `abbr` fits `name` as a CLLI place abbreviation (0 = perfectly; lower is better).
 * CLLI place parts keep a name's first letter, its consonants and the first letters of its
 * words, and drop vowels ("sttl" Seattle, "sntc" Santa Clara, "lsan" Los Angeles); they
 * abbreviate the whole name, so a longer name that merely starts with the same letters
 * ("sntc" in Santa Clarita) fits worse. The best in-order alignment is taken (a small DP).
 */
export function abbreviationFit(abbr: string, name: string): number {
  // words split on what is not a letter, then folded one by one: folding first would split
  // "São" at its decomposed tilde into "sa" and "o" (a word start the abbreviation must keep)
  // and lose "Łódź" at its "Ł" (no decomposition)
  const words = name
    .split(/[^\p{L}]+/u)
    .map(normName)
    .filter((w) => w.length > 0)
  const letters: string[] = []
  const key: boolean[] = []
  /** per letter: letters left in its word after it, and words after its word */
  const tail: number[] = []
  for (let wi = 0; wi < words.length; wi++) {
    const w = words[wi]!
    for (let i = 0; i < w.length; i++) {
      letters.push(w[i]!)
      key.push(i === 0 || !VOWELS.has(w[i]!))
      tail.push(TRAILING_LETTER * (w.length - 1 - i) + TRAILING_WORD * (words.length - 1 - wi))
    }
  }
  const n = letters.length
  const m = abbr.length
  if (m === 0 || n === 0 || letters[0] !== abbr[0]) return Number.POSITIVE_INFINITY
  // best[i]: least cost with abbr[0..j] matched and abbr[j] at letter i
  let best: number[] = new Array<number>(n).fill(Number.POSITIVE_INFINITY)
  best[0] = 0
  for (let j = 1; j < m; j++) {
    const next = new Array<number>(n).fill(Number.POSITIVE_INFINITY)
    for (let i = 0; i < n; i++) {
      if (best[i] === Number.POSITIVE_INFINITY) continue
      let skipped = 0
      for (let k = i + 1; k < n; k++) {
        if (letters[k] === abbr[j]) next[k] = Math.min(next[k]!, best[i]! + skipped)
        if (key[k]) skipped += SKIPPED_KEY_LETTER
      }
    }
    best = next
  }
  let fit = Number.POSITIVE_INFINITY
  for (let i = 0; i < n; i++) fit = Math.min(fit, best[i]! + tail[i]!)
  return fit
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y'])

/** "sttl" abbreviates "seattle": same first letter, the rest in order. */
export function isAbbreviation(abbr: string, name: string): boolean {
  if (name.length < abbr.length || name[0] !== abbr[0]) return false
  let j = 1
  for (let i = 1; i < name.length && j < abbr.length; i++) if (name[i] === abbr[j]) j++
  return j === abbr.length
}

// What a run of letters can mean as a place: IATA airport or metro code, ICAO, UN/LOCODE, CLLI,
// or a spelled city name. Context-free and memoised: the hostname parser adjusts for position.
import {cityAbbreviation} from '../geo/abbreviations.js'
import {airportByIata, airportByIcao, airportPlace, metroByCode} from '../geo/airports.js'
import {citiesByName, type City} from '../geo/cities.js'
import {haversineKm} from '../geo/distance.js'
import {clliPlace} from '../geo/clli.js'
import {countryCode} from '../geo/countries.js'
import {normName} from '../geo/normalize.js'
import {locodePlace} from '../geo/locode.js'
import {fromPlace, type Candidate} from './candidate.js'
import {boundedMemo} from '../util/memo.js'
import {HARD_STOP, STOP} from './vocab.js'

/**
 * Reading of a letter string, without the token it came from. `soft`: the string is also an
 * infrastructure word ("cgn" carrier-grade NAT / Cologne, "tls", "gig"): only a site code shape in
 * the site position makes it a place.
 */
export type Reading = Omit<Candidate, 'token'> & {
  soft?: boolean
  /** the most the reading may reach after the name's position and context rules (a guess from letters stays one) */
  ceiling?: number
  /**
   * the most the reading may reach unless a country or state label in the name agrees with it
   * (a guess from letters that such a label confirms: hostname.ts)
   */
  unconfirmedCeiling?: number
}


const EMPTY: Reading[] = []

/** All readings of a lower-case letter string, most confident first. */
export const readingsOf: (s: string) => Reading[] = boundedMemo(200_000, (s) => compute(s))

function compute(s: string): Reading[] {
  if (s.length < 3 || HARD_STOP.has(s)) return EMPTY
  if (STOP.has(s)) return s.length === 3 ? softAirport(s) : EMPTY
  const out: Reading[] = []
  const len = s.length
  if (len === 3) {
    const up = s.toUpperCase()
    const metro = metroByCode(s)
    if (metro) out.push(strip(fromPlace(s, 'iata', '', metro, 0.8, `IATA metro code ${up}`)))
    const a = airportByIata(s)
    if (a) {
      const conf = a.large ? 0.8 : a.scheduled ? 0.7 : 0.45
      out.push(strip(fromPlace(s, 'iata', '', airportPlace(a), conf, `IATA ${up} (${a.name})`)))
    }
    const abbr = metro || a ? null : abbreviation(s)
    if (abbr) out.push(abbr)
  } else if (len === 4) {
    const a = airportByIcao(s)
    if (a && (a.large || a.scheduled)) {
      out.push(strip(fromPlace(s, 'icao', '', airportPlace(a), 0.55, `ICAO ${s.toUpperCase()} (${a.name})`)))
    }
  } else if (len === 5) {
    const hit = countryCode(s.slice(0, 2)) === null ? null : locodePlace(s.slice(0, 2), s.slice(2))
    if (hit) {
      const conf = hit.source === 'table' ? 0.85 : hit.source === 'metro' ? 0.8 : 0.7
      out.push(strip(fromPlace(s, 'locode', '', hit.place, conf, `UN/LOCODE ${s.slice(0, 2).toUpperCase()} ${s.slice(2).toUpperCase()}`)))
    }
  } else if (len === 6) {
    const hit = clliPlace(s)
    // "london" is London, not a CLLI abbreviation of a city in Ontario: a spelled name wins over the rule
    const spelled = citiesByName(s).some((c) => c.population >= 10_000)
    if (hit && (hit.source === 'table' || !spelled)) {
      const conf = hit.source === 'table' ? 0.85 : hit.dominant ? 0.55 : 0.35
      const reading = strip(fromPlace(s, 'clli', '', hit.place, conf, `CLLI-style ${s} (${hit.source === 'table' ? 'table' : 'city abbreviation rule'})`))
      out.push(hit.sizeable ? reading : {...reading, unconfirmedCeiling: CLLI_GUESS_CEILING})
    }
  } else if (len === 8) {
    // "lsancarc", "atlngamq", "rochnyei": a CLLI place (4 letters of city + 2 of state) with its
    // 2-character network site code, positions 7-8 of the 11-character CLLI (ATIS-0300253, as
    // Brightspeed's ASOG router form states: "LSANCAMC00W"); seen in Charter's "lsancarc0yw-bcr00",
    // "mcr11rochnyei". Only a table code or a clear rule hit; the hostname rules take it only
    // beside a number
    const hit = clliPlace(s.slice(0, 6))
    if (hit && (hit.source === 'table' || hit.dominant) && !citiesByName(s).some((c) => c.population >= 10_000)) {
      const conf = hit.source === 'table' ? 0.75 : 0.5
      out.push(strip(fromPlace(s, 'clli', '', hit.place, conf, `CLLI-style ${s.slice(0, 6)} + building ${s.slice(6)} (${hit.source === 'table' ? 'table' : 'city abbreviation rule'})`)))
    }
  }
  if (len >= 4) {
    const cities = citiesByName(s)
    const top = cities[0]
    const rival = top === undefined ? undefined : cities.slice(1).find((c) => sizeableNamesake(top, c))
    for (let i = 0; i < cities.length; i++) {
      const c = cities[i]!
      let conf = cityConfidence(c.population)
      if (len === 4) conf -= 0.15
      if (i > 0) conf *= c.population * 10 < top!.population ? 0.7 : 0.85
      // "Valencia" (Venezuela 1.4M, Spain 0.8M), "Newcastle", "Richmond": the name alone does not
      // say which; the confidence says so (a country or state label, or the operator's country, decides)
      // (the larger stays ahead of its rival: the doubt lowers the lead, it does not flip it)
      if (i === 0 && rival !== undefined) conf = Math.max(conf - NAMESAKE_DOUBT, cityConfidence(rival.population) * 0.85 + 0.02)
      // found by its name less "City" (geo/cities-source.ts nameKeys): a small one is a hint
      const lessCity = c.population < CITY_WORD_MIN_POP && CITY_WORD.test(c.name) && normName(c.name) !== s
      out.push({
        code: s,
        codeType: 'city',
        city: c.name,
        country: c.country,
        region: c.admin || null,
        lat: c.lat,
        lon: c.lon,
        confidence: conf,
        note: `city name ${c.name} (${c.country}, pop. ${c.population})${i === 0 && rival !== undefined ? `; also ${rival.name} (${rival.country}, pop. ${rival.population})` : ''}${lessCity ? `; found by its name less "City"` : ''}`,
        // a hint unless a state or country label agrees ("cr1.atlantic.nj": Atlantic City, NJ)
        ...(lessCity ? {unconfirmedCeiling: CITY_WORD_CEILING} : {}),
      })
    }
  }
  out.sort((a, b) => b.confidence - a.confidence)
  return out
}

/**
 * A city is also found by its name less a last word "City" ("kansas" Kansas City, "quezon" Quezon
 * City). The word left is an ordinary one in most of the small ones ("atlantic", "ocean", "garden",
 * "pearl", "cedar", "national": towns of 10-60k in the US), a customer's or a product's name more
 * often than a site: bench/infer-negatives.ts read 0.8 % of its customer names as one of them,
 * confidently. Below 100k people such a reading stays a hint unless a state or country label in the
 * name agrees ("cr1.atlantic.nj": Atlantic City); the whole name ("atlanticcity") is read as before.
 */
const CITY_WORD = / city$/i
const CITY_WORD_MIN_POP = 100_000
const CITY_WORD_CEILING = 0.45

/**
 * A bare 6-letter CLLI rule hit whose letters fit no city of 100k+ (a town, or no place at all in
 * a city-state, whose one city is then named): its 0.35 became exactly 0.5 with the site position
 * and a number after it, so "palalt02" was Palanga, LT and "hutosi1" Singapore, confidently. Some
 * town of a region fits almost any 4 letters: bench/infer-negatives.ts read 1.4 % of random
 * 6-letter tokens in router shapes as a confident city this way (3.8 % of them in the site
 * position with a number). Such a reading stays a hint unless a country or state label beside it
 * agrees (NTT's "tkokhk01.hk": Tseung Kwan O, a district of Hong Kong, is no city of its own).
 */
const CLLI_GUESS_CEILING = 0.45

/**
 * The place part of a full 11-character CLLI code written as one part ("tustca4200w",
 * "lsancarc0yw": 4 letters of city, 2 of state or province, 2 of building, 3 of equipment, as
 * ATIS-0300253 lays it out and Charter's "{clli}-{role}.tbone.rr.com" names write it). The shape
 * vouches for the code, so a rule hit that leads clearly is read whatever the town's size
 * (Tustin, CA, 80k); a bare 6-letter word needs a city of 100k+ (compute above). Null when the
 * rule finds no clear lead.
 */
export function fullClliReading(s: string): Reading | null {
  if (s.length !== 6 || HARD_STOP.has(s) || STOP.has(s)) return null
  const hit = clliPlace(s)
  if (hit === null || !hit.clear || citiesByName(s).some((c) => c.population >= 10_000)) return null
  // CLLI is North American (ATIS): region letters read as another country ("garage01234" as Georgia,
  // "church01234" as Switzerland) make an ordinary word a confident foreign town
  if (hit.place.country !== 'US' && hit.place.country !== 'CA') return null
  const conf = hit.source === 'table' ? 0.85 : FULL_CLLI_CONF
  return strip(fromPlace(s, 'clli', '', hit.place, conf, `CLLI-style ${s} at the head of a full 11-character CLLI code (${hit.source === 'table' ? 'table' : 'city abbreviation rule'})`))
}
/** A clear rule hit in a full CLLI code: as sure as a dominant bare one (0.55), a little more for the shape. */
const FULL_CLLI_CONF = 0.6

/** A carriers' city abbreviation that no airport has ("ldn", "tok"): not IATA, so not typed as one. */
function abbreviation(s: string): Reading | null {
  const place = cityAbbreviation(s)
  return place === null ? null : strip(fromPlace(s, 'operator', '', place, 0.7, `common carrier abbreviation ${s.toUpperCase()} for ${place.city}`))
}

/** An infrastructure word that is also the IATA code of an airport with scheduled service (or a carriers' city abbreviation). */
function softAirport(s: string): Reading[] {
  const a = airportByIata(s)
  if (a === null || !(a.scheduled || a.large)) {
    const abbr = abbreviation(s)
    return abbr === null ? EMPTY : [{...abbr, soft: true}]
  }
  const conf = a.large ? 0.8 : 0.7
  return [{...strip(fromPlace(s, 'iata', '', airportPlace(a), conf, `IATA ${s.toUpperCase()} (${a.name})`)), soft: true}]
}

/** A same-named city that is a real rival: 100k+ people and a third of the larger one's, elsewhere (another country or 100+ km away). */
const NAMESAKE_MIN_POP = 100_000
const NAMESAKE_SHARE = 1 / 3
/** The most populous reading of a name with such a rival loses this much. */
const NAMESAKE_DOUBT = 0.15

function sizeableNamesake(top: City, c: City): boolean {
  if (c.population < NAMESAKE_MIN_POP || c.population < top.population * NAMESAKE_SHARE) return false
  return c.country !== top.country || haversineKm(top, c) > 100
}

function cityConfidence(pop: number): number {
  if (pop >= 1_000_000) return 0.9
  if (pop >= 300_000) return 0.85
  if (pop >= 100_000) return 0.8
  if (pop >= 30_000) return 0.7
  if (pop >= 10_000) return 0.6
  return 0.5
}

function strip(c: Candidate): Reading {
  const {token: _t, ...rest} = c
  return rest
}

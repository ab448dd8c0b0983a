// Resolve a code whose type a format already states (a CDN header, a root-server identity) into a
// candidate: the type is trusted, the place comes from the dictionaries.
import {airportByIata, airportPlace, metroByCode} from '../geo/airports.js'
import {citiesByName} from '../geo/cities.js'
import {countryCode} from '../geo/countries.js'
import {locodePlace} from '../geo/locode.js'
import {fromPlace, placeless, type Candidate} from './candidate.js'
import {nameCandidates} from './hostname.js'

/** How a format says its code should be read. */
export type StatedType =
  | 'iata' // an IATA airport / metro code
  | 'iata-or-operator' // IATA when it names an airport with scheduled service or a large one, else private
  | 'locode' // UN/LOCODE (cc + location), in groups cc and loc
  | 'operator' // private site code: place unknown
  | 'city' // a spelled city name, optionally with a country
  | 'generic' // free text: the hostname rules decide

/**
 * Resolve one code. `site` is the full site id as written ("EWR52-C3", "fra1"); `country` an
 * optional country the format carries (KeyCDN's "ch" of "chzh").
 */
export function resolveStated(
  type: StatedType,
  code: string,
  token: string,
  source: string,
  opts: {country?: string | null; conf?: number} = {},
): Candidate[] {
  const lc = code.toLowerCase()
  const conf = opts.conf ?? 0.9
  switch (type) {
    case 'iata':
    case 'iata-or-operator': {
      const metro = metroByCode(lc)
      if (metro) return [fromPlace(lc, 'iata', token, metro, conf, `${source}: IATA metro code ${lc.toUpperCase()}`)]
      const a = lc.length === 3 ? airportByIata(lc) : null
      if (a && (type === 'iata' || a.scheduled || a.large)) {
        return [fromPlace(lc, 'iata', token, airportPlace(a), conf, `${source}: IATA ${lc.toUpperCase()} (${a.name})`)]
      }
      if (type === 'iata') {
        return [placeless(lc, 'iata', token, conf * 0.6, `${source}: code ${lc.toUpperCase()} not in the airport table`)]
      }
      return [placeless(lc, 'operator', token, 0.6, `${source}: site code ${lc}; not an airport with scheduled service, place unknown`)]
    }
    case 'locode': {
      const cc = lc.slice(0, 2)
      const loc = lc.slice(2)
      const hit = locodePlace(cc, loc)
      if (hit) return [fromPlace(lc, 'locode', token, hit.place, conf, `${source}: UN/LOCODE ${cc.toUpperCase()} ${loc.toUpperCase()}`)]
      return [placeless(lc, 'locode', token, conf * 0.6, `${source}: UN/LOCODE ${cc.toUpperCase()} ${loc.toUpperCase()} not in the table`, countryCode(cc))]
    }
    case 'operator':
      return [placeless(lc, 'operator', token, 0.6, `${source}: private site code ${lc}; place unknown`, opts.country ?? null)]
    case 'city': {
      const cities = citiesByName(lc, opts.country ?? null)
      const c = cities[0]
      if (c === undefined) return [placeless(lc, 'city', token, 0.4, `${source}: city ${code} not in the city table`, opts.country ?? null)]
      return [
        fromPlace(lc, 'city', token, {city: c.name, country: c.country, region: c.admin || null, lat: c.lat, lon: c.lon}, conf, `${source}: city ${c.name} (${c.country})`),
      ]
    }
    case 'generic': {
      const list = nameCandidates(code)
      for (const c of list) c.note = `${source}: ${c.note}`
      return list
    }
  }
}


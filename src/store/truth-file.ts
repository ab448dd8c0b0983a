// The site list `sites --truth FILE` scores against: an operator's published sites, or the sites
// the vantage points were told. One site per line, `CODE [LAT LON [name...]]`, separated by tabs,
// commas, semicolons or blanks; `#` comments. A code without coordinates is placed at its airport
// (IATA, or ICAO) or IATA metro code; a code with no known place is listed in `unplaced` and left
// out of the score (never placed by a guess). The same code twice is one site (published lists
// repeat some), and so are entries within SAME_PLACE_KM of one listed before. A JSON list (root-servers.org, iGreedy2.0's operator lists) is read too: ./truth-json.ts.
import {readFileSync} from 'node:fs'

import {airportByIata, airportByIcao, metroByCode} from '../geo/index.js'
import {haversineKm} from '../geo/distance.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {TruthSite} from '../model/sites.js'
import {isNumberField, splitFields} from '../util/fields.js'
import {sanitize} from '../util/sanitize.js'
import {jsonTruthEntries} from './truth-json.js'

export interface TruthList {
  sites: TruthSite[]
  unplaced: string[]
  /** listed entries at a place already listed (SAME_PLACE_KM), counted once */
  merged: number
}

/**
 * Entries this close to one listed before are the same place to latency geolocation (one metro
 * area: root-servers.org lists several sites in one town, at the same or nearby coordinates), so
 * they count once: a found site there is one hit, never one hit and several misses.
 */
export const SAME_PLACE_KM = 25
/** 0.5 degrees of latitude: 55 km, more than SAME_PLACE_KM */
const SAME_PLACE_BAND_DEG = 0.5

function placeOf(code: string): {lat: number; lon: number} | null {
  const a = code.length === 4 ? airportByIcao(code) : airportByIata(code)
  if (a !== null) return {lat: a.lat, lon: a.lon}
  return metroByCode(code)
}

export function parseTruth(text: string, name: string): TruthList {
  const sites: TruthSite[] = []
  const unplaced: string[] = []
  const seen = new Set<string>()
  const bad = (where: string, why: string): AnyprobeError =>
    new AnyprobeError('E_BAD_INPUT', `--truth ${sanitize(name, 200)}: ${where}: ${why}`, {
      hint: 'one site per line: CODE, or CODE LAT LON (a published list: "AMS 52.31 4.76 Amsterdam"); or a root-servers.org / iGreedy2.0 JSON list',
      exitCode: EXIT.usage,
    })
  /** one listed site: at its coordinates, else at its code's place, else unplaced */
  const add = (code: string, lat: number | null, lon: number | null, where: string): void => {
    if (seen.has(code)) return
    seen.add(code)
    if (lat !== null && lon !== null) {
      if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw bad(where, `${lat}, ${lon} is not a latitude and longitude`)
      sites.push({code, lat, lon})
      return
    }
    const p = placeOf(code)
    if (p === null) unplaced.push(code)
    else sites.push({code, lat: p.lat, lon: p.lon})
  }
  const start = text.trimStart()
  if (start.startsWith('{') || start.startsWith('[')) {
    let doc: unknown
    try {
      doc = JSON.parse(start)
    } catch (e) {
      throw bad('not JSON', (e as Error).message)
    }
    const entries = jsonTruthEntries(doc)
    if (typeof entries === 'string') throw bad('the document', entries)
    entries.forEach((e, i) => {
      if (e.code === null || e.code === '') throw bad(`site ${i + 1}`, 'no code, town or name')
      add(e.code, e.lat, e.lon, `site ${i + 1} (${e.code})`)
    })
  } else {
    let first = true
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim()
      if (line === '' || line.startsWith('#')) return
      const f = splitFields(line)
      // a header names its columns ("code lat lon name"): a first line whose columns 2 and 3 are words
      const header = first && f.length >= 3 && !isNumberField(f[1]) && !isNumberField(f[2])
      first = false
      if (header) return
      const code = sanitize(f[0]!, 40).toUpperCase()
      if (code === '') throw bad(`line ${i + 1}`, 'no code')
      const located = f.length >= 3 && isNumberField(f[1]) && isNumberField(f[2])
      add(code, located ? Number(f[1]) : null, located ? Number(f[2]) : null, `line ${i + 1}`)
    })
  }
  if (sites.length === 0 && unplaced.length === 0)
    throw new AnyprobeError('E_BAD_INPUT', `--truth ${sanitize(name, 200)}: no site in it`, {hint: 'one site per line: CODE, or CODE LAT LON', exitCode: EXIT.usage})
  // nothing to score against: a list none of whose codes is a known place is the wrong file or
  // needs coordinates, and a score of 0 listed sites would say nothing
  if (sites.length === 0)
    throw new AnyprobeError('E_BAD_INPUT', `--truth ${sanitize(name, 200)}: none of its ${unplaced.length} code(s) is a known place (${unplaced.slice(0, 3).join(', ')}${unplaced.length > 3 ? ', ...' : ''})`, {
      hint: 'give each site its coordinates: CODE LAT LON (a published list: "AMS 52.31 4.76 Amsterdam")',
      exitCode: EXIT.usage,
    })
  // kept sites by latitude band (SAME_PLACE_KM is well under a band), so a long list stays fast
  const places: TruthSite[] = []
  const bands = new Map<number, TruthSite[]>()
  const band = (lat: number): number => Math.floor(lat / SAME_PLACE_BAND_DEG)
  for (const t of sites) {
    const b = band(t.lat)
    const near = [b - 1, b, b + 1].some((x) => (bands.get(x) ?? []).some((p) => haversineKm(p, t) <= SAME_PLACE_KM))
    if (near) continue
    places.push(t)
    const list = bands.get(b)
    if (list === undefined) bands.set(b, [t])
    else list.push(t)
  }
  return {sites: places, unplaced, merged: sites.length - places.length}
}

export function readTruth(path: string): TruthList {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new AnyprobeError('E_BAD_INPUT', `--truth ${sanitize(path, 200)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {hint: 'give a file of sites, one per line: CODE or CODE LAT LON', exitCode: EXIT.usage})
  }
  return parseTruth(text, path)
}

// Where vantage points are, for the maps, when they do not say themselves (netns, ssh and local
// vantage points carry no location; Atlas probes do): `--locations FILE`, one vantage point a line,
//   ID LAT LON [COUNTRY]      e.g.  ap-vp-ber 52.52 13.405 DE
// with # comments. A vantage point's own location wins over the file's.
import {readFileSync} from 'node:fs'

import type {CatchmentResult} from '../analysis/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'

export interface VantageLocation {
  lat: number
  lon: number
  country: string | null
}

export function parseLocations(text: string, name = 'locations'): Map<string, VantageLocation> {
  const out = new Map<string, VantageLocation>()
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
    out.set(id, {lat: la, lon: lo, country: cc ? cc.toUpperCase() : null})
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

/** A copy of the catchment with the file's locations filled in where a vantage point has none. */
export function withLocations(c: CatchmentResult, locs: ReadonlyMap<string, VantageLocation> | null): CatchmentResult {
  if (locs === null || locs.size === 0) return c
  return {
    ...c,
    vantagePoints: c.vantagePoints.map((r) => {
      const l = locs.get(r.vantage.id)
      if (l === undefined || (r.vantage.lat !== null && r.vantage.lon !== null)) return r
      return {...r, vantage: {...r.vantage, lat: l.lat, lon: l.lon, country: r.vantage.country ?? l.country}}
    }),
  }
}

// The `--from globalping:...` spec (what follows "globalping:"):
//
//   globalping:LOC[,LOC...][,limit=N][,tool=mtr]   LOC = a Globalping "magic" location as its users
//                                                 write it: world, Germany, AS3320, Comcast+Seattle,
//                                                 eyeball-network. Several are a union. limit = probes
//                                                 in all (default 10). tool=mtr: traces with mtr
//                                                 (per-hop ASNs) instead of traceroute.
//   globalping:msm=ID[,tool=mtr]                  the probes of an earlier measurement, same order
//
// An empty spec ("globalping:") is `world,limit=10`. Parsing only; the request is built in request.ts.
//
// The list is one measurement, and its options are the whole list's wherever they are written:
// limit=N is Globalping's own `limit` of a measurement with several locations (N probes in all,
// spread by Globalping over the locations), never a per-location limit. from.ts reads a repeated
// prefix (globalping:DE,globalping:FR,limit=5) as this one list (its joinGlobalpingList says what
// it refuses as ambiguous, and keeps a msm= body apart), and passes the spec as typed for errors to quote. An
// option given twice with two values (DE,limit=3,FR,limit=5: per location?) is refused rather than
// the last one taken: N probes from each location is one --from each.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {sanitize} from '../../util/sanitize.js'
import type {GlobalpingLocation} from './types.js'

export const DEFAULT_LIMIT = 10
/** anonymous users may ask for 50 probes per measurement, token holders for 500 */
export const MAX_LIMIT_ANON = 50
export const MAX_LIMIT_TOKEN = 500
export const MAX_LOCATIONS = 128
const MAX_MAGIC_LENGTH = 128
const MAX_MAGIC_CONDITIONS = 4

export const GLOBALPING_SYNTAX = 'globalping:LOC[,LOC...][,limit=N][,tool=mtr] or globalping:msm=ID'

export interface GlobalpingSelector {
  /** normalised spec, e.g. "world,limit=40" */
  spec: string
  /** magic location strings (empty when msm is set) */
  magic: string[]
  limit: number
  /** reuse the probes of this measurement */
  msm: string | null
  /** trace with mtr instead of traceroute */
  mtr: boolean
}

// `spec` is the --from value as the user wrote it, quoted in errors: from.ts joins a list that
// repeats globalping: into one body, which the user never typed
function bad(spec: string, why: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', `--from "${sanitize(spec, 200)}": ${why}`, {hint: `write ${GLOBALPING_SYNTAX}, e.g. globalping:world,limit=40 or globalping:Germany,AS3320`, exitCode: EXIT.usage})
}

function twice(spec: string, key: string, a: string, b: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', `--from "${sanitize(spec, 200)}": ${sanitize(key, 20)}= given twice (${sanitize(a, 40)} and ${sanitize(b, 40)}); a globalping: list is one measurement and its options are the whole list's`, {
    hint: key === 'limit'
      ? 'limit=N is the number of probes in all for the list; for a number from each location give each its own --from: --from globalping:Germany,limit=3 --from globalping:France,limit=5'
      : `give each measurement its own --from, e.g. --from globalping:${sanitize(key, 20)}=${sanitize(a, 40)} --from globalping:${sanitize(key, 20)}=${sanitize(b, 40)}`,
    exitCode: EXIT.usage,
  })
}

/** `quote`: the --from value to quote in errors (default globalping:BODY). */
export function parseGlobalpingSelector(body: string, quote?: string): GlobalpingSelector {
  const text = body.trim()
  const quoted = quote ?? `globalping:${text}`
  const items = text === '' ? [] : text.split(',').map((s) => s.trim())
  if (items.some((s) => s === '')) throw bad(quoted, 'an empty location in the list')
  const magic: string[] = []
  let limit: number | null = null
  let msm: string | null = null
  let mtr = false
  const given = new Map<string, string>()
  for (const item of items) {
    const eq = item.indexOf('=')
    if (eq >= 0) {
      const key = item.slice(0, eq).trim().toLowerCase()
      const value = item.slice(eq + 1).trim()
      const before = given.get(key)
      if (before !== undefined && before !== value) throw twice(quoted, key, before, value)
      given.set(key, value)
      if (key === 'limit') {
        if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT_TOKEN) throw bad(quoted, `limit "${sanitize(value, 20)}" is not 1-${MAX_LIMIT_TOKEN}`)
        limit = Number(value)
      } else if (key === 'msm') {
        if (!/^[A-Za-z0-9]{1,64}$/.test(value)) throw bad(quoted, `"${sanitize(value, 80)}" is not a Globalping measurement id`)
        msm = value
      } else if (key === 'tool') {
        if (value !== 'mtr' && value !== 'traceroute') throw bad(quoted, `tool "${sanitize(value, 20)}" is not mtr or traceroute`)
        mtr = value === 'mtr'
      } else {
        throw bad(quoted, `unknown option "${sanitize(key, 40)}" (limit=, msm=, tool=)`)
      }
      continue
    }
    if (item.length > MAX_MAGIC_LENGTH) throw bad(quoted, `location "${sanitize(item, 60)}..." is longer than ${MAX_MAGIC_LENGTH} characters`)
    if (item.split('+').length > MAX_MAGIC_CONDITIONS) throw bad(quoted, `location "${sanitize(item, 80)}" has more than ${MAX_MAGIC_CONDITIONS} conditions joined with +`)
    if (/[\x00-\x1f\x7f]/.test(item)) throw bad(quoted, 'a location holds control characters')
    if (!magic.includes(item)) magic.push(item)
  }
  if (msm !== null && (magic.length > 0 || limit !== null)) throw bad(quoted, 'msm= reuses the probes of that measurement: it takes no locations and no limit')
  if (magic.length > MAX_LOCATIONS) throw bad(quoted, `more than ${MAX_LOCATIONS} locations`)
  if (msm === null && magic.length === 0) magic.push('world')
  const lim = limit ?? DEFAULT_LIMIT
  const spec = msm !== null ? `msm=${msm}${mtr ? ',tool=mtr' : ''}` : `${magic.join(',')},limit=${lim}${mtr ? ',tool=mtr' : ''}`
  return {spec, magic, limit: lim, msm, mtr}
}

/** The request's `locations` and `limit`: one magic entry per LOC and one global limit, or the old id. */
export function requestLocations(s: GlobalpingSelector): {locations: string | GlobalpingLocation[]; limit?: number} {
  if (s.msm !== null) return {locations: s.msm}
  return {locations: s.magic.map((magic) => ({magic})), limit: s.limit}
}

// A value of a kind the readers (report, diff, sites --input) know and do not take: `watch --json`'s
// events, an anyprobe error or another command's document (sites, diff, geohint ...), a RIPE Atlas
// API document that is not results (./not-results.ts). A file holding only such values is the
// wrong file, not a file read in part: it is refused as a usage error (exit 2), as a bzip2 file or
// a --probes file of another kind are, with a hint naming what to give instead. Garbage or a
// damaged result is not a kind: that stays unusable input (exit 7). The kinds taken: ./kinds.ts.
import {isObj} from './validate.js'
import {TAKEN_KINDS} from './kinds.js'
import {atlasNonResult, isProbeMetadata} from './not-results.js'

/** What to give instead of `v`, when `v` is of a known kind that holds no measurement; null otherwise. */
export function wrongKindHint(v: unknown): string | null {
  if (!isObj(v)) return null
  if (v.kind === 'watch-event') {
    return 'a watch is judged again from the file watch --out FILE wrote (its observations), not from its --json events: anyprobe report FILE prints them, report FILE --html draws them'
  }
  if (isObj(v.error) && typeof v.error.code === 'string' && (v.kind === 'error' || v.kind === undefined)) {
    return 'this is the error the command that wrote it printed: it measured nothing; run it again'
  }
  if (typeof v.kind === 'string' && v.kind !== '' && !TAKEN_KINDS.has(v.kind)) {
    return 'give what a measurement wrote: trace, dns, http or catchment --json / --ndjson, report --json, watch --out, or RIPE Atlas results'
  }
  const atlas = atlasNonResult(v)
  if (atlas !== null && isProbeMetadata(atlas)) return 'give the results as the input and this file as --probes FILE'
  if (atlas !== null) return 'give the measurement\'s results (a RIPE Atlas results download: /api/v2/measurements/ID/results/)'
  return null
}

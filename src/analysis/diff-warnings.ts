// What makes two catchments not comparable, said rather than diffed silently: another method (a
// DNS identity and a traceroute's last hop locate a PoP each their own way, and a DNS query's round
// trip is not a traceroute's, so "RTT changes" would only show the method), or another target (two
// services, not one service before and after). Pure; part of `anyprobe diff` (./diff.ts).
import type {CatchmentMethod, CatchmentVantagePoint} from '../model/catchment.js'
import type {DiffWarning} from '../model/diff.js'
import {sanitize} from '../util/sanitize.js'
import {parseAddress} from '../util/target.js'
import {singleLossNote} from './catchment-way.js'
import {targetKey} from './one-target.js'

/** a target written as an address (a URL's host is not looked into: URLs compare as written) */
const isAddress = (t: string): boolean => parseAddress(t.trim().replace(/^\[|\]$/g, '')) !== null
/** a target written as a host name (not an address, not a URL) */
const isName = (t: string): boolean => !isAddress(t) && /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(t.trim())

/** What a saved file itself said it measured; null where it said nothing (then nothing is claimed). */
export interface DiffSaid {
  target: string | null
  method: CatchmentMethod | null
}

export function comparabilityWarnings(before: DiffSaid, after: DiffSaid, names: {before: string; after: string}): DiffWarning[] {
  const out: DiffWarning[] = []
  const a = sanitize(names.before, 120)
  const b = sanitize(names.after, 120)
  if (before.method !== null && after.method !== null && before.method !== after.method) {
    out.push({
      code: 'methods-differ',
      message:
        `different methods: ${before.method} in ${a}, ${after.method} in ${b}: each method locates a PoP its own way, so a change may come from the method rather than the network, ` +
        `and RTT changes are not comparable across methods (compare two ${before.method} catchments, or two ${after.method} ones)`,
    })
  }
  // targets are compared as written: "1.2.3.4" and "http://1.2.3.4/" are different measurements too
  // (a name's case and trailing dot are not a difference: K.ROOT-SERVERS.NET. is k.root-servers.net)
  if (before.target !== null && after.target !== null && before.target !== '' && after.target !== '' && targetKey(before.target) !== targetKey(after.target)) {
    // a name in one file and an address in the other may be one service (a live catchment saves the
    // name asked, a RIPE Atlas download the address measured): said as a question, not as two services
    const oneEach = (isAddress(before.target) && isName(after.target)) || (isName(before.target) && isAddress(after.target))
    out.push({
      code: 'targets-differ',
      message: oneEach
        ? `different targets as written: ${sanitize(before.target, 100)} in ${a}, ${sanitize(after.target, 100)} in ${b}: one is a name and the other an address; if the name led to that address it is one service, otherwise the diff compares two`
        : `different targets: ${sanitize(before.target, 100)} in ${a}, ${sanitize(after.target, 100)} in ${b}: the diff compares two services, not one before and after`,
    })
  }
  return out
}

/**
 * Raw RIPE Atlas traceroutes read without reverse DNS (diff's default: offline) carry no router
 * names, so their vantage points are mostly unlocated; against a file whose PoPs came from router
 * names (a live catchment, report with reverse DNS) every such vantage point reads as lost or found.
 * Said when it may have made a change (null otherwise): `files` are the files read that way.
 */
export function hopNamesWarning(files: string[], changes: ReadonlyArray<{type: string}>): DiffWarning | null {
  if (files.length === 0 || !changes.some((c) => c.type === 'lost' || c.type === 'found')) return null
  return {
    code: 'no-hop-names',
    message: `${files.map((f) => sanitize(f, 120)).join(' and ')}: raw RIPE Atlas traceroutes read without reverse DNS (diff's default), so their hops carry no router names; a vantage point whose PoP the other file named from router names reads as lost or found. diff --rdns looks them up as report does`,
  }
}

/**
 * No vantage point in both files (RIPE Atlas picks other probes for each new measurement of
 * `area=WW,n=50`; another backend names them differently): no move can be seen, so "nothing
 * changed" is not evidence; the PoP shares are each file's own. Null when some are in both.
 */
export function noCommonWarning(common: number, sides: {before: number; after: number}): DiffWarning | null {
  if (common > 0 || sides.before === 0 || sides.after === 0) return null
  return {
    code: 'no-common',
    message: `no vantage point is in both files (${sides.before} before, ${sides.after} after, matched by kind and id): none could be compared, so no move could be seen; compare the PoP shares, or measure again from the same vantage points (atlas:msm=ID, globalping:msm=ID)`,
  }
}

/**
 * A file of repeated results whose vantage points' latest result was a single unanswered one after
 * answers (./catchment-way.ts): they count with their answered result, so they are not "lost"
 * (exit 8 for one missed query); said per file, as report says it. None: nothing said.
 */
export function singleLossWarnings(sides: Array<{name: string; rows: ReadonlyArray<CatchmentVantagePoint>}>): DiffWarning[] {
  const out: DiffWarning[] = []
  for (const s of sides) {
    const note = singleLossNote(s.rows)
    if (note !== null) out.push({code: 'single-loss', message: `${sanitize(s.name, 200)}: ${note}`})
  }
  return out
}

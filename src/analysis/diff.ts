// Two catchments compared (`anyprobe diff A B`): which vantage points moved from which PoP to which,
// each PoP's share before and after, RTT changes, vantage points present in only one. Pure: two
// CatchmentResults in, one document out; the same inputs in any row order give the same document.
//
// Rules:
// - vantage points are matched by kind + id;
// - a PoP is compared by place (popKey: city + country, else code), as the catchment groups them, so
//   "fra" in A and "frankfurt" in B is no move;
// - a PoP named with confidence under CONFIDENT_POP (0.5) is a hint, not a verdict (state
//   'uncertain'): an on-call operator is not paged for "FRA -> AMS?" noise;
// - a change is: `moved` (a confident PoP in both, different places), `lost` (a confident PoP in A,
//   none in B: unlocated, failed, or only a hint of another place, toState 'uncertain'), `found`
//   (no confident PoP in A, one in B), `uncertain` (the place changed, neither side confident: listed,
//   not counted); the same place on both sides is no change whatever the confidence (FRA -> FRA?);
//   a vantage point with no PoP in either is no change;
// - rtt: for vantage points at the same PoP in both with an RTT in both, B - A;
// - pops: every PoP of either side, its vantage points on each side (all of the file's), and its
//   shares over ONE denominator: the vantage points measured on both sides (a result in both,
//   summary.measuredBoth), so a vantage point that failed or is absent on one side moves no share
//   (each file's own shares, over its own measured, moved IAD +16.7 pt when one VP failed); a share
//   is 0 when none of those is at the PoP, null (and shareDelta null) when none was measured on both;
// - warnings: the two measured with different methods or targets, no vantage point in both, a
//   file whose rows count with an answered result before a single loss (./diff-warnings.ts); the command
//   adds one per file read only in part;
// - exit code (the command's, diffExit): DIFF_EXIT_CHANGED when `changes` holds a moved, lost or
//   found (an `uncertain` one alone is not a change of PoP), else 7 when
//   a file was read only in part (the diff is of what was read) or no vantage point is in both, else 0.
import {type CatchmentPop, type CatchmentPopShare, type CatchmentResult, type CatchmentVantagePoint, compareVantage, popKey} from './catchment.js'
import {comparabilityWarnings, type DiffSaid, noCommonWarning, singleLossWarnings} from './diff-warnings.js'
import {EXIT} from '../model/errors.js'
import {DIFF_EXIT_CHANGED, DIFF_SCHEMA_VERSION, type DiffChange, type DiffChangeType, type DiffPop, type DiffPopShare, type DiffResult, type DiffRtt, type DiffSide, type DiffState} from '../model/diff.js'
import {isConfidentPop} from '../model/pop-confidence.js'
import type {VantagePoint} from '../model/vantage.js'
import {naturalCompare} from '../util/collate.js'

export {CONFIDENT_POP, DIFF_EXIT_CHANGED, DIFF_SCHEMA_VERSION} from '../model/diff.js'
export type {DiffChange, DiffPop, DiffPopShare, DiffResult, DiffRtt, DiffSide, DiffState, DiffWarning} from '../model/diff.js'
export type {DiffSaid} from './diff-warnings.js'

const round = (n: number, d = 3): number => Math.round(n * 10 ** d) / 10 ** d
const key = (v: VantagePoint): string => `${v.kind}\u0000${v.id}`
// the one rule for a confident naming, which --expect applies too (model/pop-confidence.ts)
const confident = (r: CatchmentVantagePoint): boolean => isConfidentPop(r.pop)
// not reached: a result the target did not answer (catchment's "not reached"), apart from one it answered naming no site
const stateOf = (r: CatchmentVantagePoint): DiffState =>
  r.reached === null ? 'failed' : r.reached === false ? 'not-reached' : r.pop === null ? 'unlocated' : confident(r) ? 'located' : 'uncertain'

/** What a vantage point's change is (see the rules above); null: none. `same`: one place on both sides. */
function changeOf(a: {pop: boolean; confident: boolean}, b: {pop: boolean; confident: boolean}, same: boolean): DiffChangeType | null {
  if (same || (!a.pop && !b.pop)) return null
  if (a.confident && b.confident) return 'moved'
  if (a.confident) return 'lost'
  if (b.confident) return 'found'
  return 'uncertain'
}

/** The name of the PoP group a row belongs to on its side (as the catchment's pops name it). */
function groupOf(c: CatchmentResult): (p: CatchmentPop) => DiffPop {
  const byKey = new Map<string, CatchmentPopShare>()
  for (const p of c.pops) byKey.set(popKey({...p, confidence: 0}), p)
  return (p) => {
    const g = byKey.get(popKey(p))
    return g ? {code: g.code, city: g.city, country: g.country} : {code: p.code, city: p.city, country: p.country}
  }
}

const side = (c: CatchmentResult, source: string): DiffSide => ({source, target: c.target, method: c.method, vantagePoints: c.summary.vantagePoints, located: c.summary.located})

/** What a catchment says of itself: its target ('' is none) and method (null when nothing said one). */
const saidOf = (c: CatchmentResult): DiffSaid => ({target: c.target === '' ? null : c.target, method: c.method})

export function diffCatchments(a: CatchmentResult, b: CatchmentResult, names: {before: string; after: string} = {before: 'A', after: 'B'}): DiffResult {
  const ga = groupOf(a)
  const gb = groupOf(b)
  const rowsB = new Map(b.vantagePoints.map((r) => [key(r.vantage), r]))
  const seenA = new Set<string>()
  const changes: DiffChange[] = []
  const rtt: DiffRtt[] = []
  const onlyBefore: VantagePoint[] = []
  let common = 0
  // the shares' one denominator: vantage points with a result on both sides, and where each side put them
  let measuredBoth = 0
  const atBefore = new Map<string, number>()
  const atAfter = new Map<string, number>()
  const tally = (m: Map<string, number>, p: DiffPop | null): void => {
    if (p !== null) m.set(popKey({...p, confidence: 0}), (m.get(popKey({...p, confidence: 0})) ?? 0) + 1)
  }
  for (const ra of a.vantagePoints) {
    const k = key(ra.vantage)
    seenA.add(k)
    const rb = rowsB.get(k)
    if (rb === undefined) {
      onlyBefore.push(ra.vantage)
      continue
    }
    common++
    // a PoP on a row whose target did not answer is none (the catchment's rule; older files carry one)
    const pa = ra.reached === true && ra.pop ? ga(ra.pop) : null
    const pb = rb.reached === true && rb.pop ? gb(rb.pop) : null
    if (ra.reached !== null && rb.reached !== null) {
      measuredBoth++
      // a share is of confident answers, as the catchment's pops are: a hint is in no PoP's share
      tally(atBefore, pa !== null && confident(ra) ? pa : null)
      tally(atAfter, pb !== null && confident(rb) ? pb : null)
    }
    const same = pa !== null && pb !== null && popKey({...pa, confidence: 0}) === popKey({...pb, confidence: 0})
    const type = changeOf({pop: pa !== null, confident: pa !== null && confident(ra)}, {pop: pb !== null, confident: pb !== null && confident(rb)}, same)
    if (type !== null) {
      changes.push({type, vantage: rb.vantage, from: pa, to: pb, fromState: stateOf(ra), toState: stateOf(rb), rttBeforeMs: ra.rttMs, rttAfterMs: rb.rttMs})
    } else if (pa && pb && ra.rttMs !== null && rb.rttMs !== null && ra.rttUpperBound !== true && rb.rttUpperBound !== true) {
      // an RTT change only between measured RTTs: an upper bound (a whole request) against a connect time is no change
      rtt.push({vantageId: ra.vantage.id, vantageKind: ra.vantage.kind, pop: pb.code, beforeMs: ra.rttMs, afterMs: rb.rttMs, deltaMs: round(rb.rttMs - ra.rttMs)})
    }
  }
  const onlyAfter = b.vantagePoints.filter((r) => !seenA.has(key(r.vantage))).map((r) => r.vantage)
  changes.sort((x, y) => compareVantage(x.vantage, y.vantage))
  rtt.sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs) || naturalCompare(x.vantageId, y.vantageId))

  const pops = new Map<string, DiffPopShare>()
  const entry = (p: CatchmentPopShare): DiffPopShare => {
    const k = popKey({...p, confidence: 0})
    let e = pops.get(k)
    if (!e) {
      e = {code: p.code, city: p.city, country: p.country, vantagePointsBefore: 0, vantagePointsAfter: 0, shareBefore: null, shareAfter: null, shareDelta: 0, medianRttBeforeMs: null, medianRttAfterMs: null}
      pops.set(k, e)
    }
    return e
  }
  for (const p of a.pops) Object.assign(entry(p), {vantagePointsBefore: p.vantagePoints.length, medianRttBeforeMs: p.medianRttMs})
  for (const p of b.pops) Object.assign(entry(p), {vantagePointsAfter: p.vantagePoints.length, medianRttAfterMs: p.medianRttMs})
  const shareOf = (m: Map<string, number>, k: string): number | null => (measuredBoth === 0 ? null : round((m.get(k) ?? 0) / measuredBoth, 4))
  const popList = [...pops.entries()].map(([k, p]) => {
    const shareBefore = shareOf(atBefore, k)
    const shareAfter = shareOf(atAfter, k)
    // never a change without both shares
    return {...p, shareBefore, shareAfter, shareDelta: shareBefore === null || shareAfter === null ? null : round(shareAfter - shareBefore, 4)}
  })
  popList.sort((x, y) => y.vantagePointsAfter - x.vantagePointsAfter || y.vantagePointsBefore - x.vantagePointsBefore || naturalCompare(x.code, y.code))

  const count = (t: DiffChange['type']): number => changes.filter((c) => c.type === t).length
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    kind: 'diff',
    before: side(a, names.before),
    after: side(b, names.after),
    changes,
    pops: popList,
    rtt,
    onlyBefore,
    onlyAfter,
    warnings: [
      ...comparabilityWarnings(saidOf(a), saidOf(b), names),
      ...[noCommonWarning(common, {before: a.vantagePoints.length, after: b.vantagePoints.length})].filter((w) => w !== null),
      ...singleLossWarnings([{name: names.before, rows: a.vantagePoints}, {name: names.after, rows: b.vantagePoints}]),
    ],
    summary: {common, moved: count('moved'), lost: count('lost'), found: count('found'), uncertain: count('uncertain'), unchanged: common - changes.length, measuredBoth, onlyBefore: onlyBefore.length, onlyAfter: onlyAfter.length},
  }
}

/**
 * The exit code of a diff: what changed outranks a file read only in part or two files with no
 * vantage point in common (nothing could be compared: "nothing moved" would be no evidence, so not
 * 0), which outrank nothing moved (README "Errors and exit codes").
 */
export function diffExit(d: {changes: ReadonlyArray<{type?: string}>; warnings?: ReadonlyArray<{code: string}>}, o: {partialInput: boolean; writeFailed?: boolean}): number {
  // an 'uncertain' row (no confident PoP on either side) is listed, never paged on
  if (d.changes.some((c) => c.type !== 'uncertain')) return DIFF_EXIT_CHANGED
  if (o.partialInput || d.warnings?.some((w) => w.code === 'no-common')) return EXIT.data
  if (o.writeFailed) return EXIT.write
  return EXIT.ok
}

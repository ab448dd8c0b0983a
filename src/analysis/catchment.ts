// Catchment: which PoP each vantage point reaches, and each PoP's share of the vantage points.
// A pure function of outcomes (live runs, saved multi/NDJSON files, parsed Atlas results all give
// VantageOutcomes), so `anyprobe catchment` and `anyprobe report` print the same thing.
//
// Rules, in one place:
// - one row per vantage point (kind + id); when a vantage point has several results of one method (a
//   repeated Atlas measurement, an NDJSON with rounds), the latest by startedAt counts (equal times:
//   the later one read), except that one unanswered result after answered ones is packet loss, not
//   an outage (watch's rule, outageAfter 2): the last answered result then counts and its row says
//   so (unansweredAfter; ./catchment-way.ts, which keeps a bounded few rows per way); a failure (no
//   result) later than all of them counts as the failure;
// - a vantage point measured more than one way (anyprobe's trace and dns documents saved together:
//   one way per method; RIPE Atlas results: one way per measurement id, so a ping and a traceroute,
//   or a hostname.bind and an SOA measurement, of one target are two) keeps, of each way's latest
//   result (or failure), the one that named a PoP (the latest such), else one the target answered,
//   else one it did not, else the latest failure: a ping or an SOA answer names no site, so it never
//   erases the verdict a trace or a DNS identity gave, and the row's RTT stays that of the result
//   that gave its PoP (never a mix); a failure whose way is not known counts when later than all;
// - a row's PoP is its result's verdict (code, city, country, confidence), null when none or when
//   the target did not answer (a trace that never reached it: counted as unlocated, in no share);
// - rttMs: trace: lowest RTT from the destination (null when not reached); dns: lowest query RTT;
//   http: the TCP connect phase (one round trip), else (a kept connection, a RIPE Atlas result
//   without ttc) the time to first byte or the whole request, an upper bound the row marks
//   (rttUpperBound; model/rtt.ts httpRtt); ping: the lowest RTT;
// - PoPs are grouped by place (city + country) when the verdict names a city, else by code, so one
//   site read as "fra" by one VP and "frankfurt" by another is one PoP; the group is named by its most
//   common code (ties: alphabetical);
// - share = VPs in the PoP / VPs that produced a result (failed VPs are listed, not counted; VPs with a
//   result but no PoP are `unlocated`); medianRttMs over the PoP's VPs with an RTT; a VP whose PoP
//   is only a hint (confidence under 0.5, isConfidentPop) is in no PoP's share: it is counted apart,
//   in `hintedPops` (grouped and shared the same way) and summary.hinted (part of `located`);
// - each row says when its result was measured (startedAt; a failure's time when known; null when
//   not), the document the earliest of them (null: none says): a saved catchment read again orders
//   its rows by these times, as results are ordered, not by the order the files were given in;
// - order is fixed: rows by vantage kind then id (numbers compared as numbers), PoPs by VP count
//   (descending) then code, so the same outcomes in any order give the same document.
import {CATCHMENT_SCHEMA_VERSION, type CatchmentMethod, type CatchmentPop, type CatchmentPopShare, type CatchmentResult, type CatchmentVantagePoint} from '../model/catchment.js'
import type {PopVerdict, Rejection} from '../model/pop.js'
import type {VantagePoint} from '../model/vantage.js'
import {isConfidentPop} from '../model/pop-confidence.js'
import {traceAnswered} from '../model/reach.js'
import {httpRtt, minDestinationRtt} from '../model/rtt.js'
import {sanitize} from '../util/sanitize.js'
import {unmappedText} from '../util/target.js'
import type {ProbeMethod, ProbeResult, VantageError, VantageOutcome} from '../model/probe.js'
import {naturalCompare} from '../util/collate.js'
import {type Kept, keepInWay, later, newWay, type Way, wayLatest, wayRow, wayRows} from './catchment-way.js'

export {CATCHMENT_SCHEMA_VERSION} from '../model/catchment.js'
export type {CatchmentMethod, CatchmentPop, CatchmentPopShare, CatchmentResult, CatchmentSummary, CatchmentVantagePoint} from '../model/catchment.js'

const round = (n: number, digits: number): number => {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

function minOf(values: Array<number | null>): number | null {
  let m: number | null = null
  for (const v of values) if (v !== null && (m === null || v < m)) m = v
  return m
}

/** The RTT a row shows for a result (see the rules above). */
export function resultRtt(r: ProbeResult): number | null {
  switch (r.kind) {
    case 'trace':
      return minDestinationRtt(r.hops, r.destinationReached)
    case 'dns':
      return minOf(r.queries.map((q) => q.rttMs))
    case 'http':
      return httpRtt(r.timings).ms
    case 'ping':
      return r.minMs
  }
}

/** Is a result's RTT only an upper bound (an HTTP result with no connect phase timed: model/rtt.ts httpRtt)? */
export function resultRttIsUpperBound(r: ProbeResult): boolean {
  return r.kind === 'http' && httpRtt(r.timings).upperBound
}

/** Did the target answer this result (the catchment's `reached`; the exit code counts these)? */
export function resultReached(r: ProbeResult): boolean {
  switch (r.kind) {
    case 'trace':
      return traceAnswered(r)
    case 'dns':
      return r.answered
    case 'http':
      // absent in older files and Atlas/Globalping results: a response came
      return r.answered !== false
    case 'ping':
      return r.received > 0
  }
}

/**
 * "signal input" of the heaviest evidence, plus how many more pieces there are, and the strongest
 * reading that disagreed ("; against: ..."): a verdict two sources contradict (cf-ray AMS, the
 * trace's colo=SIN) must not read as if one source said it alone.
 */
export function shortEvidence(pop: PopVerdict | null, r: ProbeResult): string | null {
  if (pop === null || pop.evidence.length === 0) return r.kind === 'ping' ? 'rtt only (ping names no site)' : null
  let best = pop.evidence[0]!
  for (const e of pop.evidence) if (e.weight > best.weight) best = e
  const more = pop.evidence.length - 1
  const said = `${best.signal} ${sanitize(best.input, 60)}${more > 0 ? ` (+${more})` : ''}`
  // conflicts carry negative weights: the most negative is the strongest disagreement
  let against: (typeof pop.conflicts)[number] | null = null
  for (const e of pop.conflicts ?? []) if (e.code !== null && (against === null || e.weight < against.weight)) against = e
  if (against === null) return said
  const others = (pop.conflicts ?? []).filter((e) => e.code !== null).length - 1
  return `${said}; against: ${sanitize(against.input, 40)}${others > 0 ? ` (+${others})` : ''}`
}

/** What the RTT ruled out of a result that named no PoP (its popRejected); none for a ping or a verdict. */
export function resultRejected(r: ProbeResult): Rejection[] {
  if (r.kind === 'ping' || r.pop !== null) return []
  return r.popRejected ?? []
}

/** The evidence cell of a row whose every reading the RTT ruled out: the first reason, plus how many more. */
export function rejectedEvidence(rejected: readonly Rejection[]): string {
  const more = rejected.length - 1
  return `ruled out by the RTT: ${sanitize(rejected[0]!.reason, 100)}${more > 0 ? ` (+${more})` : ''}`
}

/** The address family a result measured over (null: its address is not known). */
export function familyOf(r: ProbeResult): 4 | 6 | null {
  if (r.targetAddr === null || r.targetAddr === undefined) return null
  // ::ffff:192.0.2.1 was measured over IPv4
  return unmappedText(r.targetAddr).includes(':') ? 6 : 4
}

/** A time as ISO 8601 (one spelling, so times compare as strings); null when it is none. */
export function isoTime(t: string | null | undefined): string | null {
  if (typeof t !== 'string' || t === '') return null
  const ms = Date.parse(t)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

/** One row of the catchment from one outcome. */
export function vantageRow(o: VantageOutcome): CatchmentVantagePoint {
  const r = o.result
  if (r === null) return {vantage: o.vantage, pop: null, rttMs: null, evidence: null, reached: null, error: o.error, startedAt: isoTime(o.at)}
  const reached = resultReached(r)
  // no answer from the target, no PoP, whatever the result says (files written before this rule
  // carry a verdict read from routers near the vantage point): not reached, not in any share
  const v = reached ? r.pop : null
  const rtt = resultRtt(r)
  // nothing the speed-of-light check rejects is hidden: an unknown row says what it ruled out and why
  const rejected = reached ? resultRejected(r) : []
  return {
    vantage: o.vantage,
    pop: v === null ? null : {code: v.code, city: v.city, country: v.country, confidence: v.confidence, ...(v.contradiction ? {contradiction: v.contradiction} : {})},
    rttMs: rtt === null ? null : round(rtt, 3),
    ...(rtt !== null && resultRttIsUpperBound(r) ? {rttUpperBound: true as const} : {}),
    evidence: rejected.length > 0 ? rejectedEvidence(rejected) : shortEvidence(v, r),
    reached,
    error: o.error,
    ...(rejected.length > 0 ? {popRejected: rejected} : {}),
    startedAt: isoTime(r.startedAt),
  }
}

const kindOrder = ['local', 'netns', 'ssh', 'atlas', 'globalping', 'replay']

/** The order of vantage points in every document: kind, then id with numbers compared as numbers. */
export function compareVantage(a: VantagePoint, b: VantagePoint): number {
  const k = kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind)
  return k !== 0 ? k : naturalCompare(a.id, b.id)
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** The key that groups rows into one PoP. */
export function popKey(p: CatchmentPop): string {
  return p.city ? `place:${p.city.toLowerCase()}|${(p.country ?? '').toUpperCase()}` : `code:${p.code.toLowerCase()}`
}

let readSeq = 0

/** what a row says of the PoP: 2 it named one, 1 the target answered (no PoP), 0 it did not answer, -1 no result */
const weight = (r: CatchmentVantagePoint): number => (r.pop !== null ? 2 : r.reached === true ? 1 : r.reached === false ? 0 : -1)

/** the bucket a row is kept in: one per way (method, or Atlas measurement); a failure of no known way, and a saved catchment row of no method ('?'), have none */
const FAILED = '\u0000failed'

/** A way's row as counted (./catchment-way.ts), and when the way was last measured. */
interface Counted {
  bucket: string
  kept: Kept
  unansweredAfter: number
  latest: Kept
}

/**
 * The row of a vantage point from its ways (see the rules above): a failure of no known way later
 * than every result counts; else, of the ways measured later than it, the row (./catchment-way.ts:
 * the latest result, or the answered one before a single loss) that named a PoP, else one the
 * target answered, else the latest.
 */
function pick(kept: Map<string, Way>): Counted {
  const failedWay = kept.get(FAILED)
  const failed = failedWay === undefined ? undefined : wayLatest(failedWay)
  let best: Counted | null = null
  for (const [bucket, w] of kept) {
    if (bucket === FAILED) continue
    const latest = wayLatest(w)
    if (failed !== undefined && !later(latest, failed)) continue
    const c = {bucket, latest, ...wayRow(w)}
    if (best === null || weight(c.kept.row) > weight(best.kept.row) || (weight(c.kept.row) === weight(best.kept.row) && later(c.latest, best.latest))) best = c
  }
  return best ?? {bucket: FAILED, kept: failed!, unansweredAfter: 0, latest: failed!}
}

/** A vantage point's row as the document shows it: one that unanswered results followed says how many. */
const counted = (c: Counted): CatchmentVantagePoint => (c.unansweredAfter > 0 ? {...c.kept.row, unansweredAfter: c.unansweredAfter} : c.kept.row)

/**
 * Accumulates outcomes (or ready rows, e.g. from a saved catchment document) one at a time, keeping
 * at most one row per vantage point and method: memory grows with vantage points, not with results read.
 */
export class CatchmentBuilder {
  private readonly rows = new Map<string, Map<string, Way>>()
  private readonly methods = new Map<ProbeMethod, number>()
  /** the methods failures were of, when their input said (a RIPE Atlas error result's type): the method when no result says one */
  private readonly failedMethods = new Set<ProbeMethod>()
  private firstTarget: string | null = null

  /** Add a measured (or failed) vantage point. `at` orders repeated results of one vantage point. */
  addRow(row: CatchmentVantagePoint, meta: {at?: string | null; method?: ProbeMethod | null; target?: string | null; how?: string | null} = {}): void {
    if (meta.method) this.methods.set(meta.method, (this.methods.get(meta.method) ?? 0) + 1)
    if (this.firstTarget === null && meta.target) this.firstTarget = meta.target
    // a saved row (an older catchment document) whose target never answered has no PoP either
    if (row.reached === false && row.pop !== null) row = {...row, pop: null}
    const key = `${row.vantage.kind}\u0000${row.vantage.id}`
    const bucket = row.reached === null ? (meta.how ?? FAILED) : (meta.how ?? meta.method ?? '?')
    // a saved row's own time orders it as a result's does (rows of older files have none: read order)
    this.keep(key, bucket, {row, at: meta.at ?? isoTime(row.startedAt) ?? '', seq: readSeq++})
  }

  private keep(key: string, bucket: string, v: Kept): void {
    let kept = this.rows.get(key)
    if (kept === undefined) this.rows.set(key, (kept = new Map()))
    let w = kept.get(bucket)
    if (w === undefined) kept.set(bucket, (w = newWay()))
    keepInWay(w, v)
  }

  /**
   * `how`: the way it was measured when finer than its method and family (a RIPE Atlas measurement
   * id), or the way a failure was measured. By default a result's way is its method, and IPv6 apart
   * from IPv4 (the families are routed apart: a trace -6 does not replace a trace -4's row unsaid).
   */
  add(o: VantageOutcome, how: string | null = null, failedMethod: ProbeMethod | null = null): void {
    const r = o.result
    if (r === null && failedMethod !== null) this.failedMethods.add(failedMethod)
    const way = how ?? (r === null ? null : `${r.kind}${familyOf(r) === 6 ? ' over IPv6' : ''}`)
    // a failure with its time (an Atlas probe error) orders like a result: the latest one counts
    this.addRow(vantageRow(o), {at: r?.startedAt ?? o.at ?? null, method: r?.kind ?? null, target: r?.target ?? null, how: way})
  }

  get size(): number {
    return this.rows.size
  }

  /** Rows held (memory is flat: a way keeps at most 2 + OUTAGE_AFTER, however many results it has). */
  get keptRows(): number {
    let n = 0
    for (const kept of this.rows.values()) for (const w of kept.values()) n += wayRows(w).length
    return n
  }

  /** Results read per method (more than one: the catchment is 'mixed', see the rules above). */
  methodCounts(): ReadonlyMap<ProbeMethod, number> {
    return this.methods
  }

  /**
   * Vantage points measured more than one way, and the ways of the rows not counted
   * (their results were read and left out by the rules above), most first.
   */
  severalWays(): {vantagePoints: number; leftOut: Array<[string, number]>} {
    let n = 0
    const left = new Map<string, number>()
    for (const kept of this.rows.values()) {
      const methods = [...kept.keys()].filter((k) => k !== FAILED && k !== '?')
      if (methods.length < 2) continue
      n++
      const chosen = pick(kept).bucket
      for (const m of methods) if (m !== chosen) left.set(m, (left.get(m) ?? 0) + 1)
    }
    return {vantagePoints: n, leftOut: [...left].sort((a, b) => b[1] - a[1] || naturalCompare(a[0], b[0]))}
  }

  /** Take another builder's rows (each vantage point's and method's latest wins, as in addRow), methods and first target. */
  absorb(other: CatchmentBuilder): void {
    for (const [m, n] of other.methods) this.methods.set(m, (this.methods.get(m) ?? 0) + n)
    for (const m of other.failedMethods) this.failedMethods.add(m)
    this.firstTarget ??= other.firstTarget
    for (const [k, kept] of other.rows) for (const [bucket, w] of kept) for (const v of wayRows(w)) this.keep(k, bucket, v)
  }

  /** The catchment of everything added. `target`/`method` override what the results said. */
  result(meta: {target?: string | null; method?: CatchmentMethod | null} = {}): CatchmentResult {
    // every row says when (null: not known), saved rows of older files too
    const rows = [...this.rows.values()].map((kept) => withTime(counted(pick(kept)))).sort((a, b) => compareVantage(a.vantage, b.vantage))
    let startedAt: string | null = null
    for (const r of rows) if (r.startedAt && (startedAt === null || r.startedAt < startedAt)) startedAt = r.startedAt
    // a PoP named only as a hint (isConfidentPop: under 0.5) is counted apart (hintedPops), so a
    // share is of confident answers: a lone server name's guess at NRT must not grow NRT's share
    const groups = new Map<string, PopGroup>()
    const hintGroups = new Map<string, PopGroup>()
    let measured = 0
    let located = 0
    let hinted = 0
    for (const row of rows) {
      if (row.reached === null) continue // no result: failed, listed but not counted
      measured++
      if (row.pop === null) continue
      located++
      const confident = isConfidentPop(row.pop)
      if (!confident) hinted++
      const into = confident ? groups : hintGroups
      const key = popKey(row.pop)
      let g = into.get(key)
      if (g === undefined) {
        g = {codes: new Map(), city: row.pop.city, country: row.pop.country, ids: [], rtts: []}
        into.set(key, g)
      }
      g.codes.set(row.pop.code, (g.codes.get(row.pop.code) ?? 0) + 1)
      g.ids.push(row.vantage.id)
      // an upper bound (rttUpperBound) is no RTT to take a median of: a whole request beside connect times
      if (row.rttMs !== null && row.rttUpperBound !== true) g.rtts.push(row.rttMs)
    }
    const pops = sharesOf(groups, measured)
    const hintedPops = sharesOf(hintGroups, measured)
    // no result names a method (every vantage point failed, or a saved file cut short): the one the
    // failures' input said (RIPE Atlas error results of a traceroute measurement), else unknown, never a guess
    const methods = this.methods.size > 0 ? [...this.methods.keys()] : [...this.failedMethods]
    const method: CatchmentMethod | null = meta.method ?? (methods.length === 1 ? methods[0]! : methods.length === 0 ? null : 'mixed')
    return {
      schemaVersion: CATCHMENT_SCHEMA_VERSION,
      kind: 'catchment',
      target: meta.target ?? this.firstTarget ?? '',
      method,
      vantagePoints: rows,
      startedAt,
      pops,
      // absent when no vantage point named a PoP only as a hint: a document without hints is as before
      ...(hintedPops.length > 0 ? {hintedPops} : {}),
      summary: {
        vantagePoints: rows.length,
        measured,
        located,
        ...(hinted > 0 ? {hinted} : {}),
        unlocated: measured - located,
        failed: rows.length - measured,
      },
    }
  }
}

type PopGroup = {codes: Map<string, number>; city: string | null; country: string | null; ids: string[]; rtts: number[]}

/** Each group's share of the measured vantage points, named by its most common code; by size, then code. */
function sharesOf(groups: ReadonlyMap<string, PopGroup>, measured: number): CatchmentPopShare[] {
  const pops: CatchmentPopShare[] = [...groups.values()].map((g) => {
    const code = [...g.codes.entries()].sort((a, b) => b[1] - a[1] || naturalCompare(a[0], b[0]))[0]![0]
    const med = median(g.rtts)
    return {
      code,
      city: g.city,
      country: g.country,
      vantagePoints: g.ids,
      share: round(g.ids.length / measured, 4),
      medianRttMs: med === null ? null : round(med, 3),
    }
  })
  return pops.sort((a, b) => b.vantagePoints.length - a.vantagePoints.length || naturalCompare(a.code, b.code))
}

const withTime = (r: CatchmentVantagePoint): CatchmentVantagePoint => (r.startedAt === undefined ? {...r, startedAt: null} : r)

/** The catchment of a set of outcomes. */
export function catchment(outcomes: Iterable<VantageOutcome>, meta: {target?: string | null; method?: CatchmentMethod | null} = {}): CatchmentResult {
  const b = new CatchmentBuilder()
  for (const o of outcomes) b.add(o)
  return b.result(meta)
}

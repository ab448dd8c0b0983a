// Checking a record that came from outside this process against the model: a netns/ssh child's
// result line, a saved anyprobe JSON/NDJSON value, a `watch --out` line, a catchment row. What
// the code downstream reads (the catchment, the verdict, the renderers) is checked for type; what
// is optional in the model and missing is filled in as null (never 0); text that can come from the
// network (names, headers, identities, PoP fields, messages) is sanitised here, once.
//
// Each check returns the record (normalised in place: the values are fresh from JSON.parse and
// nobody else holds them) or a string that says what is wrong, which the reader counts and reports
// with its line. Hand-written rather than a JSON-schema validator: a 1 GB report checks millions of
// hops, and these are a few typeof tests each.
import type {CatchmentVantagePoint} from '../model/catchment.js'
import type {Contradiction, Evidence, PopVerdict, Rejection} from '../model/pop.js'
import type {ProbeResult, VantageError, VantageOutcome} from '../model/probe.js'
import type {TraceHop} from '../model/trace.js'
import type {VantagePoint} from '../model/vantage.js'
import {sanitize} from '../util/sanitize.js'
import {RESULT_KINDS} from './kinds.js'

type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const numOrNull = (x: unknown): number | null => (isNum(x) ? x : null)

// the common case (plain ASCII names) costs one regex test, no copy
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
/** A text field from outside: sanitised, or null when absent or not a string. */
function text(x: unknown, max = 512): string | null {
  if (typeof x !== 'string') return null
  return x.length <= max && !UNSAFE.test(x) ? x : sanitize(x, max)
}

export function checkVantage(v: unknown): VantagePoint | string {
  if (!isObj(v) || typeof v.kind !== 'string' || typeof v.id !== 'string') return 'a vantage point without kind and id'
  v.kind = text(v.kind, 20)
  v.id = text(v.id, 200)
  v.name = text(v.name, 200)
  v.asn = numOrNull(v.asn)
  v.country = text(v.country, 8)
  v.lat = numOrNull(v.lat)
  v.lon = numOrNull(v.lon)
  return v as unknown as VantagePoint
}

// Evidence, verdicts and rejections are normalised in place, as everything else here: a saved
// trace carries a verdict with evidence, and allocating it all again was half of what checking a
// saved outcome cost (bench/validate-bench.ts).
function checkEvidence(list: unknown): Evidence[] {
  if (!Array.isArray(list)) return []
  let kept = 0
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as unknown
    if (!isObj(e) || typeof e.signal !== 'string') continue
    e.input = text(e.input, 300) ?? ''
    e.code = text(e.code, 60)
    if (typeof e.codeType !== 'string') e.codeType = null
    e.city = text(e.city, 100)
    e.country = text(e.country, 8)
    if (!isNum(e.weight)) e.weight = 0
    e.note = text(e.note, 300) ?? ''
    list[kept++] = e
  }
  list.length = kept
  return list as Evidence[]
}

/** Places the RTT ruled out, each with why (a verdict's `rejected`, a result's `popRejected`); malformed entries are dropped. */
function checkRejected(list: unknown): Rejection[] {
  if (!Array.isArray(list)) return []
  const out: Rejection[] = []
  for (const r of list) {
    if (!isObj(r) || typeof r.code !== 'string' || typeof r.reason !== 'string' || typeof r.signal !== 'string') continue
    if (!isNum(r.distanceKm) || !isNum(r.minRttMs) || !isNum(r.measuredRttMs)) continue
    out.push({code: text(r.code, 60)!, city: text(r.city, 100), signal: text(r.signal, 40) as Rejection['signal'], reason: text(r.reason, 300)!, distanceKm: r.distanceKm, minRttMs: r.minRttMs, measuredRttMs: r.measuredRttMs})
  }
  return out
}

function checkContradiction(c: unknown): Contradiction | null {
  if (!isObj(c) || c.kind !== 'vantage-location' || typeof c.reason !== 'string') return null
  return {kind: 'vantage-location', reason: text(c.reason, 400)!}
}

/**
 * A verdict: null stays null; one without a code or confidence is no verdict (a string says so).
 * What the RTT ruled out (`rejected`) and a contradiction are kept: a netns/ssh child's verdict
 * says why as much as a local one.
 */
export function checkPop(p: unknown): PopVerdict | null | string {
  if (p === null || p === undefined) return null
  if (!isObj(p) || typeof p.code !== 'string' || !isNum(p.confidence)) return 'a pop without code and confidence'
  p.code = text(p.code, 60)
  if (typeof p.codeType !== 'string') p.codeType = 'operator'
  p.city = text(p.city, 100)
  p.country = text(p.country, 8)
  p.lat = numOrNull(p.lat)
  p.lon = numOrNull(p.lon)
  p.evidence = checkEvidence(p.evidence)
  p.conflicts = checkEvidence(p.conflicts)
  if (p.rejected !== undefined) p.rejected = checkRejected(p.rejected)
  if (p.contradiction !== undefined) p.contradiction = checkContradiction(p.contradiction)
  return p as unknown as PopVerdict
}

/** An RTT list: numbers or nulls (a loop: this runs for every hop of every saved trace). */
function isRttList(x: unknown): x is Array<number | null> {
  if (!Array.isArray(x)) return false
  for (let i = 0; i < x.length; i++) {
    const r = x[i]
    if (r !== null && !isNum(r)) return false
  }
  return true
}

/** A list of strings, sanitised in place; false when an entry is not a string. */
function textList(x: unknown[], max: number): boolean {
  for (let i = 0; i < x.length; i++) {
    const t = text(x[i], max)
    if (t === null) return false
    x[i] = t
  }
  return true
}

function checkHop(h: unknown): TraceHop | null {
  if (!isObj(h) || !Number.isSafeInteger(h.ttl)) return null
  if (h.addr !== null && typeof h.addr !== 'string') return null
  if (!isRttList(h.rttMs)) return null
  const raw = h.addr
  if (raw !== null) h.addr = text(raw, 64)
  // the usual list is [addr]: the address just checked, not checked twice (one regex per hop fewer)
  const addrs = h.addrs
  if (Array.isArray(addrs) && addrs.length === 1 && addrs[0] === raw && raw !== null) addrs[0] = h.addr
  else if (!Array.isArray(addrs) || !textList(addrs, 64)) h.addrs = h.addr === null ? [] : [h.addr]
  h.hostname = text(h.hostname, 300)
  if (!isNum(h.asn)) h.asn = null
  h.asOrg = text(h.asOrg, 200)
  if (!Array.isArray(h.replies)) h.replies = []
  if (!isObj(h.hint)) h.hint = null
  return h as unknown as TraceHop
}

function checkTrace(r: Obj): string | null {
  if (!Array.isArray(r.hops)) return 'a trace without hops'
  for (let i = 0; i < r.hops.length; i++) if (checkHop(r.hops[i]) === null) return `a trace whose hop ${i + 1} has no ttl, address or RTT list`
  if (typeof r.destinationReached !== 'boolean') return 'a trace without destinationReached'
  if (typeof r.targetAddr !== 'string') return 'a trace without targetAddr'
  r.targetAddr = text(r.targetAddr, 64)
  r.targetHostname = text(r.targetHostname, 300)
  const info = isObj(r.targetInfo) ? r.targetInfo : {}
  info.class = text(info.class, 40) ?? 'unknown'
  info.knownAnycast = text(info.knownAnycast, 100)
  if (!Array.isArray(info.notes) || !textList(info.notes, 200)) info.notes = []
  r.targetInfo = info
  if (r.destinationIdentity !== undefined) {
    if (!Array.isArray(r.destinationIdentity)) return 'a trace whose destinationIdentity is not a list'
    r.destinationIdentity = r.destinationIdentity.filter((s) => typeof s === 'string').map((s) => text(s, 300))
  }
  return null
}

/**
 * A result's noAnswer (dns, http: why the target did not answer), its text file text. Anything but
 * a {code, message} object (a string or a number in a hand-made file) is null, no reason known:
 * kept as it was, report --json wrote it out again, against the schema. Absent stays absent (older files).
 */
function checkNoAnswer(r: Obj): void {
  const n = r.noAnswer
  if (n === undefined) return
  r.noAnswer = isObj(n) && typeof n.code === 'string' && /^E_[A-Z_]{1,38}$/.test(n.code) && typeof n.message === 'string'
    ? {code: n.code, message: text(n.message, 500) ?? '', hint: text(n.hint, 300)}
    : null
}

function checkDns(r: Obj): string | null {
  if (!Array.isArray(r.queries) || !r.queries.every((q) => isObj(q) && (q.rttMs === null || isNum(q.rttMs)))) return 'a dns result without its queries'
  if (!isObj(r.identity)) return 'a dns result without identity'
  const id = r.identity
  const nsid = isObj(id.nsid) ? {text: text(id.nsid.text, 300), hex: typeof id.nsid.hex === 'string' ? id.nsid.hex : ''} : null
  r.identity = {hostnameBind: text(id.hostnameBind, 300), idServer: text(id.idServer, 300), versionBind: text(id.versionBind, 300), nsid}
  if (typeof r.answered !== 'boolean') r.answered = r.queries.some((q) => (q as Obj).rttMs !== null)
  checkNoAnswer(r)
  // the server each query went to (RIPE Atlas resultsets): read back from a file, it is file text
  for (const q of r.queries as Obj[]) if (q.server !== undefined) q.server = text(q.server, 100)
  return null
}

function checkHttp(r: Obj): string | null {
  // answered false: the target never answered (refused, timed out), so there is no status (src/pipeline/http.ts)
  if (r.answered === false ? r.status !== null : !isNum(r.status)) return 'an http result without status'
  checkNoAnswer(r)
  if (Array.isArray(r.headerWarnings)) r.headerWarnings = r.headerWarnings.map((w) => text(w, 200)).filter((w) => w !== null)
  if (!isObj(r.timings)) return 'an http result without timings'
  const t = r.timings
  r.timings = {dnsMs: numOrNull(t.dnsMs), connectMs: numOrNull(t.connectMs), tlsMs: numOrNull(t.tlsMs), firstByteMs: numOrNull(t.firstByteMs), totalMs: numOrNull(t.totalMs)}
  const headers: Record<string, string> = {}
  if (isObj(r.headers)) for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[text(k, 100)!] = text(v, 1000)!
  r.headers = headers
  const params = isObj(r.params) ? r.params : {}
  params.popHeaders = Array.isArray(params.popHeaders) ? params.popHeaders.filter((h) => typeof h === 'string') : []
  r.params = params
  // the verdict reads it (a CDN header from another network is a hint): a number or nothing, never a guess
  const as = r.targetAsn
  r.targetAsn = isObj(as) && Number.isSafeInteger(as.asn) && (as.asn as number) > 0 ? {asn: as.asn, org: text(as.org, 200)} : null
  if (r.cfTrace !== null && r.cfTrace !== undefined) {
    if (!isObj(r.cfTrace)) return 'an http result whose cfTrace is not an object'
    const cf: Record<string, string> = {}
    for (const [k, v] of Object.entries(r.cfTrace)) if (typeof v === 'string') cf[text(k, 40)!] = text(v, 200)!
    r.cfTrace = cf
  } else r.cfTrace = null
  return null
}

function checkPing(r: Obj): string | null {
  if (!isRttList(r.rttMs)) return 'a ping result without its RTT list'
  if (!Number.isSafeInteger(r.sent) || !Number.isSafeInteger(r.received)) return 'a ping result without sent and received'
  r.minMs = numOrNull(r.minMs)
  r.avgMs = numOrNull(r.avgMs)
  r.maxMs = numOrNull(r.maxMs)
  return null
}

/** A measurement of any method; `vantage` replaces the record's own (a child cannot claim to be another vantage point). */
export function checkResult(v: unknown, vantage?: VantagePoint): ProbeResult | string {
  if (!isObj(v) || typeof v.kind !== 'string' || !RESULT_KINDS.has(v.kind)) return 'not a trace, dns, http or ping result'
  if (typeof v.schemaVersion !== 'number') return `a ${v.kind} result without schemaVersion`
  if (vantage !== undefined) v.vantage = vantage
  else {
    const vp = checkVantage(v.vantage)
    if (typeof vp === 'string') return `a ${v.kind} result with ${vp}`
  }
  if (typeof v.target !== 'string') return `a ${v.kind} result without target`
  v.target = text(v.target, 500)
  const why = v.kind === 'trace' ? checkTrace(v) : v.kind === 'dns' ? checkDns(v) : v.kind === 'http' ? checkHttp(v) : checkPing(v)
  if (why !== null) return why
  const pop = checkPop(v.pop)
  if (typeof pop === 'string') return `a ${v.kind} result with ${pop}`
  v.pop = pop
  // why there is no verdict (dns, http, trace): said in the table, so checked like the verdict
  if (v.popReason !== undefined) v.popReason = text(v.popReason, 300)
  if (v.popRejected !== undefined) v.popRejected = checkRejected(v.popRejected)
  if (typeof v.startedAt !== 'string') v.startedAt = ''
  return v as unknown as ProbeResult
}

export function checkError(e: unknown): VantageError | string {
  if (!isObj(e) || typeof e.code !== 'string') return 'an error without a code'
  return {code: text(e.code, 40)!, message: text(e.message, 500) ?? '', hint: text(e.hint, 300)}
}

/** An outcome line ({vantage, result, error}); exactly one of result and error is expected, a null result needs an error. */
export function checkOutcome(v: unknown): VantageOutcome | string {
  if (!isObj(v) || !('result' in v) || !('error' in v)) return 'not an outcome (vantage, result, error)'
  const vp = checkVantage(v.vantage)
  if (typeof vp === 'string') return `an outcome with ${vp}`
  let result: ProbeResult | null = null
  if (v.result !== null) {
    const r = checkResult(v.result)
    if (typeof r === 'string') return `an outcome with ${r}`
    result = r
  }
  let error: VantageError | null = null
  if (v.error !== null && v.error !== undefined) {
    const e = checkError(v.error)
    if (typeof e === 'string') return `an outcome with ${e}`
    error = e
  }
  if (result === null && error === null) return 'an outcome with neither result nor error'
  const o: VantageOutcome = {vantage: vp, result, error}
  // the time of a failure, when the file has it (it orders repeated results of one vantage point)
  if (result === null && typeof v.at === 'string' && !Number.isNaN(Date.parse(v.at))) o.at = new Date(Date.parse(v.at)).toISOString()
  return o
}

/** A saved row's popRejected (only beside no PoP; absent when none survives the check). */
function rowRejected(pop: unknown, list: unknown): {popRejected?: Rejection[]} {
  const rejected = pop === null ? checkRejected(list) : []
  return rejected.length > 0 ? {popRejected: rejected} : {}
}

/** A row of a saved catchment document. */
export function checkRow(v: unknown): CatchmentVantagePoint | string {
  if (!isObj(v) || !('pop' in v) || !('rttMs' in v) || !('reached' in v)) return 'not a catchment row'
  const vp = checkVantage(v.vantage)
  if (typeof vp === 'string') return `a catchment row with ${vp}`
  let pop: CatchmentVantagePoint['pop'] = null
  if (v.pop !== null) {
    const p = v.pop
    if (!isObj(p) || typeof p.code !== 'string' || !isNum(p.confidence)) return 'a catchment row with a pop without code and confidence'
    const c = p.contradiction
    // a saved row's contradiction is kept (report of a catchment document shows it as catchment did)
    const contradiction = isObj(c) && c.kind === 'vantage-location' && typeof c.reason === 'string' ? {contradiction: {kind: 'vantage-location' as const, reason: text(c.reason, 500)!}} : {}
    pop = {code: text(p.code, 60)!, city: text(p.city, 100), country: text(p.country, 8), confidence: p.confidence, ...contradiction}
  }
  // a number out of range (1e400 reads as Infinity) is still a number: the reader drops it as an impossible RTT (./impossible-rtt.ts), keeping the row
  if (v.rttMs !== null && typeof v.rttMs !== 'number') return 'a catchment row whose rttMs is not a number'
  if (v.reached !== null && typeof v.reached !== 'boolean') return 'a catchment row whose reached is not a boolean'
  let error: VantageError | null = null
  if (v.error !== null && v.error !== undefined) {
    const e = checkError(v.error)
    if (typeof e === 'string') return `a catchment row with ${e}`
    error = e
  }
  // when it was measured (files written before it have none), one spelling so times compare
  const at = typeof v.startedAt === 'string' ? Date.parse(v.startedAt) : NaN
  return {vantage: vp, pop, rttMs: v.rttMs as number | null, ...(v.rttUpperBound === true && v.rttMs !== null ? {rttUpperBound: true as const} : {}), evidence: text(v.evidence, 300), reached: v.reached as boolean | null, error, ...rowRejected(pop, v.popRejected), ...('startedAt' in v ? {startedAt: Number.isNaN(at) ? null : new Date(at).toISOString()} : {}), ...(Number.isSafeInteger(v.unansweredAfter) && (v.unansweredAfter as number) >= 1 ? {unansweredAfter: v.unansweredAfter as number} : {})}
}

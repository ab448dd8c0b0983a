// Saved measurements, read back as a stream, used by `anyprobe report`. Every record is checked
// against the model (./validate.ts): one that is not usable is counted with its line and skipped. Memory stays flat whatever the size: nothing holds the whole input.
//
// What is recognised (detected from the first bytes, never from the file name):
//   ndjson         one JSON value per line: anyprobe results, outcomes (catchment/trace/dns/http
//                  --ndjson), whole one-line documents, or raw RIPE Atlas results (Atlas "format=txt")
//   json-array     [ ... ]: a raw RIPE Atlas results download, or an array of anyprobe results/outcomes
//   json-document  one (pretty-printed) anyprobe document: a single result, a multi document
//                  ({kind: "multi", outcomes}) or a catchment document ({kind: "catchment", vantagePoints})
//
// How: NDJSON lines and array elements are cut out of the text and given to JSON.parse one at a
// time (a line or element that does not parse is counted and skipped; the rest is kept). A single
// document is streamed through @streamparser/json, which emits every `outcomes[i]` / `vantagePoints[i]`
// and then forgets it, so a multi document with 100 000 outcomes never sits in memory. Arrays do not
// go through @streamparser/json: on 2.3 kB Atlas traceroute elements it parsed ~14 000 elements/s
// (33 MB/s) against ~100 000/s for a scan for element boundaries + JSON.parse, and a 1 GB Atlas download
// is one such array.
//
// Each value becomes a ReportItem: an outcome (from a result or an outcome), a catchment row (from a
// saved catchment document), metadata (target, method of a document), or a line of a `watch --out`
// file (its start line, an observation). Raw Atlas results take the
// live Atlas backend's path (src/vantage/atlas/, handed in as `loadAtlas`): parseAtlasResult per element (sync), then enrichAtlasOutcomes
// per batch of ATLAS_BATCH (reverse DNS of hop addresses when `rdns` is given, location hints, the
// PoP verdict). Without a resolver nothing leaves the machine: hops keep no names and only what the
// result itself carries (DNS identities, HTTP headers) names a PoP. A malformed or unsupported Atlas
// result is counted as unparseable, with the parser's reason; a probe's own error is an outcome.
import {StringDecoder} from 'node:string_decoder'

import {JSONParser} from '@streamparser/json'

import type {AsnLookup} from '../enrich/asn.js'
import {nullReverseResolver, type ReverseResolver} from '../enrich/rdns.js'
import type {CatchmentMethod, CatchmentVantagePoint} from '../model/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {GeoHint} from '../model/pop.js'
import type {ProbeMethod, VantageOutcome} from '../model/probe.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../model/watch.js'
import {escapeControlCharsInStrings, isJsonSpace} from '../util/json-safe.js'
import {sanitize} from '../util/sanitize.js'
import {gunzipIfCompressed} from '../util/decompress.js'
import {checkOutcome, checkResult, checkRow, checkVantage, isObj} from './validate.js'
import {atlasNonResult} from './not-results.js'
import {wrongKindHint} from './wrong-kind.js'
import {RESULT_KINDS, TAKEN_KINDS} from './kinds.js'
import {atlasStreamMessage, STREAM_HEAD} from './atlas-stream.js'
import {observationFrom} from './observation.js'
import {dropImpossibleObservationRtt, dropImpossibleResultRtts, dropImpossibleRowRtt} from './impossible-rtt.js'

/**
 * What the reader uses of the RIPE Atlas parser (src/vantage/atlas/index.ts), handed in by the
 * caller so this module stays below the vantage layer. Probe metadata is the parser's own type.
 */
export interface AtlasModule {
  parseAtlasResult?: (raw: Record<string, unknown>, probe: never) => {status: string; reason?: string | null; outcomes: VantageOutcome[]; meta?: {dstName: string | null; dstAddr: string | null; msmId?: number | null; type?: string | null}}
  enrichAtlasOutcomes?: (batch: readonly VantageOutcome[], o: {rdns: ReverseResolver; hint?: (hostname: string) => GeoHint | null; answerAsn?: AsnLookup}) => Promise<VantageOutcome[]>
  memoHint?: () => (hostname: string) => GeoHint | null
  boundedResolver?: (inner: ReverseResolver, concurrency?: number) => ReverseResolver
}

function atlasUnavailable(what: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', `${what}: this reader was given no RIPE Atlas parser`, {exitCode: EXIT.usage})
}

/** the most a value spread over lines in NDJSON (a pretty document appended) may hold before it is given up */
const MAX_SPREAD_VALUE = 256 << 20

export type InputFormat = 'ndjson' | 'json-array' | 'json-document' | 'empty' | 'table' | 'campaign'

export type ReportItem =
  // failedTarget: for a failure (no result), the target its measurement was of, when the input says it
  // how: the RIPE Atlas measurement it came from (the catchment's way of measuring, finer than the method)
  // failedMethod: for a failure (no result), the method its measurement was, when the input says it (an Atlas error result's type)
  | {type: 'outcome'; outcome: VantageOutcome; failedTarget?: FailedTarget; how?: string; failedMethod?: ProbeMethod}
  // a saved catchment document's row, with the target and method its document names (null: not said, or said after the row)
  | {type: 'row'; row: CatchmentVantagePoint; target: string | null; method: ProbeMethod | null}
  // notes: what an earlier reading left out, as a saved `report --json` says it (its input.notes)
  | {type: 'meta'; target: string | null; method: CatchmentMethod | null; notes?: string[]}
  // a `watch --out` file: its start lines and observations, judged again by the watch analysis
  | {type: 'watch-start'; start: WatchStart}
  | {type: 'observation'; observation: Observation}
  | {type: 'watch-history'; end: boolean}
  | {type: 'watch-unmeasured'; vantageId: string; round: number}

/** The target (and address) a failed measurement was of: the catchment keeps it only when that is the target read. */
export interface FailedTarget {
  target: string
  addr: string | null
}

/** A failure's item, with the target a saved document or line says it was of. */
function failureOf(outcome: VantageOutcome, target: string | null): ReportItem {
  return outcome.result === null && target !== null && target !== '' ? {type: 'outcome', outcome, failedTarget: {target, addr: null}} : {type: 'outcome', outcome}
}

/** An entry of a document's list that did not check: the reader counts it (with its index) and does not hand it on. */
export interface InvalidEntry {
  type: 'invalid'
  index: number
  message: string
}

export interface ReadStats {
  format: InputFormat
  /** values read (lines, elements, or a document's outcomes / rows) */
  values: number
  /** values that were not JSON, or JSON that is neither an anyprobe nor a RIPE Atlas result */
  unparseable: number
  /** the first few of those, with where they were */
  errors: Array<{where: string; message: string}>
  /** the input ended inside a value, or its structure broke: everything before it was kept */
  truncated: boolean
  /**
   * RIPE Atlas results of kinds that carry no site signal (sslcert, ntp, wifi): valid, read, and
   * counted here by kind, not as unparseable
   */
  otherKinds: Record<string, number>
  /**
   * values read after a repair: an NDJSON line ending in `,` (a JSON array cut into lines), raw
   * control characters inside strings (escaped, then sanitised where shown)
   */
  repaired: number
  /**
   * values of a kind the readers know and do not take (watch --json events, another command's
   * document, RIPE Atlas metadata: ./wrong-kind.ts), also counted in `unparseable`; when they are
   * all that could not be used and nothing else was read, the file is the wrong one (exit 2)
   */
  wrongKinds: number
  /** what to give instead, for the first of them */
  wrongKindHint: string | null
  /** raw RIPE Atlas traceroute results read (their hops carry names only when a resolver was given) */
  atlasTraces: number
  /**
   * RTTs no measurement gives (not finite, < 0, over an hour: model/rtt.ts impossibleRtt) that were
   * dropped from the values read (each value kept, its RTT null): ./impossible-rtt.ts
   */
  impossibleRtts: number
}

export interface ReadOptions {
  /** the input's name, for an error that refuses it (default: "the input") */
  name?: string
  /**
   * impossible RTTs (model/rtt.ts): 'drop' (the default: nulled and counted in stats.impossibleRtts,
   * so nothing shows or summarises them), or 'keep' for a caller that judges them itself by the same
   * rule (sites --input counts them as impossibleRtt, with examples)
   */
  impossibleRtts?: 'drop' | 'keep'
  /** loads the Atlas module for raw Atlas results; null/absent module = not available */
  loadAtlas?: () => Promise<AtlasModule | null>
  /** reverse DNS for raw Atlas traceroute hops (default: none, nothing leaves the machine) */
  rdns?: ReverseResolver
  /** how many errors to keep in stats.errors (default 5) */
  keepErrors?: number
  /** probe metadata for raw Atlas results (report --probes): country, ASN, location of each probe */
  atlasProbes?: ReadonlyMap<number, unknown>
  /**
   * the ASN database raw Atlas HTTP results' answering addresses are looked up in (the verdict's
   * edge-trust input, as a live atlas: run has it), opened at the first such result; absent: none
   */
  answerAsn?: () => Promise<AsnLookup>
}

/** Raw Atlas results parsed before one enrichment pass (lookups of a batch overlap). */
export const ATLAS_BATCH = 250

const MAX_LINE = 256 << 20

export function newStats(): ReadStats {
  return {format: 'empty', values: 0, unparseable: 0, errors: [], truncated: false, otherKinds: {}, repaired: 0, wrongKinds: 0, wrongKindHint: null, atlasTraces: 0, impossibleRtts: 0}
}

/** An Atlas id: a number, or a numeric string (real NTP results write "msm_id": "1020235"). */
export function atlasId(x: unknown): number | null {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d{1,15}$/.test(x) ? Number(x) : NaN
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

export function isAtlasRaw(v: unknown): v is Record<string, unknown> {
  return isObj(v) && atlasId(v.prb_id) !== null && atlasId(v.msm_id) !== null && typeof v.type === 'string'
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0
const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
/** a time a Date can hold (|t| <= 8.64e15 ms): sentAt = 2^53 is no time, and the analysis refuses it */
const isTime = (x: unknown): x is number => isMs(x) && Math.abs(x) <= 8.64e15

/**
 * A line of `watch --out`: the watch children's reader (observationFrom), and stricter, since a
 * saved file is not our own process talking: a vantage id, and times, RTT and PoP of the right
 * type (a mistyped one makes the line unusable rather than null).
 */
function toObservation(v: Record<string, unknown>): Observation | null {
  if (typeof v.vantageId !== 'string' || v.vantageId === '' || !isTime(v.sentAt) || !(v.receivedAt === null || isTime(v.receivedAt)) || !(v.rttMs === null || typeof v.rttMs === 'number') || !(v.pop === null || typeof v.pop === 'string')) return null
  const o = observationFrom(v)
  if (o === null) return null
  // an RTT out of range (1e400 reads as Infinity) is kept here for the reader to drop and count as impossible
  if (typeof v.rttMs === 'number') o.rttMs = v.rttMs
  o.vantageId = sanitize(v.vantageId, 200)
  if (v.vantage !== undefined) {
    const vp = checkVantage(v.vantage)
    if (typeof vp !== 'string') o.vantage = vp
  }
  return o
}

function toWatchStart(v: Record<string, unknown>): WatchStart | string {
  const pos = (x: unknown): x is number => isMs(x) && x > 0
  if (!pos(v.intervalMs) || !isCount(v.flows) || v.flows < 1 || !isCount(v.flapThreshold) || !pos(v.flapWindowMs) || !isCount(v.outageAfter) || !isCount(v.reorderRounds)) {
    return 'a watch start line without its settings (intervalMs, flows, flapThreshold, flapWindowMs, outageAfter, reorderRounds)'
  }
  return {
    schemaVersion: WATCH_SCHEMA_VERSION,
    kind: 'watch-start',
    at: typeof v.at === 'string' ? sanitize(v.at, 40) : '',
    target: typeof v.target === 'string' ? sanitize(v.target, 300) : '',
    method: v.method === 'http' || v.method === 'icmp' || v.method === 'trace' ? v.method : 'dns',
    intervalMs: v.intervalMs,
    flows: v.flows,
    flapThreshold: v.flapThreshold,
    flapWindowMs: v.flapWindowMs,
    outageAfter: v.outageAfter,
    reorderRounds: v.reorderRounds,
  }
}

/** What a value is; a string says why it is not usable. Atlas values are handled by the caller. */
export function classify(v: unknown): Array<ReportItem | InvalidEntry> | string {
  if (isObj(v) && typeof v.kind === 'string' && RESULT_KINDS.has(v.kind)) {
    const r = checkResult(v)
    return typeof r === 'string' ? r : [{type: 'outcome', outcome: {vantage: r.vantage, result: r, error: null}}]
  }
  if (isObj(v) && v.kind === undefined && 'result' in v && 'error' in v) {
    const o = checkOutcome(v)
    return typeof o === 'string' ? o : [{type: 'outcome', outcome: o}]
  }
  if (isObj(v) && v.kind === 'outcome') {
    const o = checkOutcome(v)
    if (typeof o === 'string') return o
    // a failed vantage point's line names the target and method its result would have: the only
    // place they are said when every vantage point failed (a result says them itself)
    if (o.result !== null) return [{type: 'outcome', outcome: o}]
    const meta = docMeta(v)
    return [meta, failureOf(o, meta.target)]
  }
  if (isObj(v) && v.kind === 'multi' && Array.isArray(v.outcomes)) {
    const meta = docMeta(v)
    return [meta, ...listed(v.outcomes, checkOutcome, (outcome) => failureOf(outcome, meta.target))]
  }
  if (isObj(v) && v.kind === 'catchment' && Array.isArray(v.vantagePoints)) {
    const meta = docMeta(v)
    return [meta, ...listed(v.vantagePoints, checkRow, (row) => rowItem(row, meta))]
  }
  if (isObj(v) && v.kind === 'watch-start') {
    const h = toWatchStart(v)
    return typeof h === 'string' ? h : [{type: 'watch-start', start: h}]
  }
  if (isObj(v) && (v.kind === 'watch-history-start' || v.kind === 'watch-history-end')) return [{type: 'watch-history', end: v.kind === 'watch-history-end'}]
  if (isObj(v) && v.kind === 'watch-unmeasured') {
    if (typeof v.vantageId !== 'string' || v.vantageId === '' || !Number.isSafeInteger(v.round) || (v.round as number) < 0) return 'a watch-unmeasured line without its vantageId or round'
    return [{type: 'watch-unmeasured', vantageId: sanitize(v.vantageId, 200), round: v.round as number}]
  }
  // catchment --expect --ndjson's last line: a verdict, not a measurement (report judges no rules)
  if (isObj(v) && v.kind === 'catchment-expect') return []
  if (isObj(v) && v.kind === undefined && 'vantageId' in v && 'round' in v) {
    const o = toObservation(v)
    return o === null ? 'a watch observation with a missing or mistyped field' : [{type: 'observation', observation: o}]
  }
  if (isObj(v) && v.kind === 'watch-event') {
    return 'a watch event (watch --json output: already judged, no measurement)'
  }
  if (isObj(v) && isObj(v.error) && typeof v.error.code === 'string') {
    return `an anyprobe error document (${sanitize(v.error.code, 40)}), not a measurement`
  }
  // a kind taken above whose shape is not (a multi document without its outcomes list): damaged, not another kind
  if (isObj(v) && typeof v.kind === 'string' && TAKEN_KINDS.has(v.kind)) return `a damaged anyprobe "${v.kind}" document (${v.kind === 'multi' ? 'outcomes' : v.kind === 'catchment' ? 'vantagePoints' : 'its content'} missing or not a list)`
  if (isObj(v) && typeof v.kind === 'string') return `an anyprobe "${sanitize(v.kind, 40)}" document, which holds no measurement`
  return atlasNonResult(v) ?? 'neither an anyprobe result nor a RIPE Atlas result'
}

/** a RIPE Atlas result's type as the method it is (a probe's error result says its type, not a method) */
const ATLAS_METHOD: Readonly<Record<string, ProbeMethod>> = {traceroute: 'trace', dns: 'dns', ping: 'ping', http: 'http'}

function docMeta(v: Record<string, unknown>): Extract<ReportItem, {type: 'meta'}> {
  const meta: Extract<ReportItem, {type: 'meta'}> = {type: 'meta', target: typeof v.target === 'string' ? sanitize(v.target, 500) : null, method: typeof v.method === 'string' && (RESULT_KINDS.has(v.method) || v.method === 'mixed') ? (v.method as CatchmentMethod) : null}
  const notes = savedNotes(v)
  if (notes.length > 0) meta.notes = notes
  return meta
}

/** at most this many of a document's saved notes are kept (the file is not ours: bounded) */
const MAX_SAVED_NOTES = 20

/**
 * What a saved `report --json` document says its reading left out (input.notes: results of other
 * targets, of each probe's own network, hop names missing). Reading the document again keeps them:
 * the rows alone no longer show that anything was left out. Untrusted text: sanitised, bounded.
 */
function savedNotes(v: Record<string, unknown>): string[] {
  const notes = isObj(v.input) && Array.isArray(v.input.notes) ? v.input.notes : []
  const out: string[] = []
  for (const n of notes) {
    if (typeof n !== 'string' || n.trim() === '') continue
    const s = sanitize(n, 1200)
    if (!out.includes(s)) out.push(s)
    if (out.length >= MAX_SAVED_NOTES) break
  }
  return out
}

/** A catchment document's row, with what its document says it measured (a 'mixed' document gives no one method). */
function rowItem(row: CatchmentVantagePoint, doc: {target: string | null; method: CatchmentMethod | null}): ReportItem {
  return {type: 'row', row, target: doc.target, method: doc.method === 'mixed' ? null : doc.method}
}

/** The usable entries of a document's list; an unusable one becomes an 'invalid' item (counted by the reader, with its index). */
function listed<T>(list: unknown[], check: (v: unknown) => T | string, item: (t: T) => ReportItem): Array<ReportItem | InvalidEntry> {
  const out: Array<ReportItem | InvalidEntry> = []
  for (let i = 0; i < list.length; i++) {
    const c = check(list[i])
    out.push(typeof c === 'string' ? {type: 'invalid', index: i, message: c} : item(c))
  }
  return out
}

// ---- text sources ----

/**
 * The input as UTF-8 text. `start`, when given, gets the first two bytes of the first chunk of
 * bytes: a UTF-16 byte-order mark (FF FE, FE FF) decodes to two U+FFFD, which Latin-1 text does too,
 * so it is told from the bytes.
 */
async function* textOf(source: AsyncIterable<Buffer | string>, start?: {bytes: Buffer | null}): AsyncGenerator<string> {
  const dec = new StringDecoder('utf8')
  for await (const chunk of source) {
    if (start !== undefined && start.bytes === null && typeof chunk !== 'string' && chunk.length > 0) start.bytes = Buffer.from(chunk.subarray(0, 2))
    const s = typeof chunk === 'string' ? chunk : dec.write(chunk)
    if (s !== '') yield s
  }
  const rest = dec.end()
  if (rest !== '') yield rest
}

/**
 * Splits text into lines without holding more than one line. Linear whatever the line length: each
 * chunk is searched for a newline once, and an unfinished line is kept in pieces, joined once. The
 * lines of one chunk come as one batch: an await per line cost more than reading it (a 1 GB NDJSON
 * file is millions of lines).
 */
async function* linesOf(head: string, rest: AsyncIterator<string>, end: {unterminated: boolean} = {unterminated: false}): AsyncGenerator<string[]> {
  let pieces: string[] = []
  let pending = 0
  let text: string | undefined = head
  while (text !== undefined) {
    const batch: string[] = []
    let start = 0
    let nl: number
    while ((nl = text.indexOf('\n', start)) >= 0) {
      const part = text.slice(start, nl)
      if (pieces.length === 0) batch.push(part)
      else {
        pieces.push(part)
        batch.push(pieces.join(''))
        pieces = []
        pending = 0
      }
      start = nl + 1
    }
    if (start < text.length) {
      pieces.push(start === 0 ? text : text.slice(start))
      pending += text.length - start
      if (pending > MAX_LINE) {
        batch.push(pieces.join('')) // an absurd line: handed on whole so it is counted as one unparseable value
        pieces = []
        pending = 0
      }
    }
    if (batch.length > 0) yield batch
    const n = await rest.next()
    text = n.done ? undefined : n.value
  }
  const last = pieces.join('')
  if (last.trim() !== '') {
    end.unterminated = true // the input ends inside a line: a download cut short, or a file still being written
    yield [last]
  }
}

/**
 * Cuts the elements of a top-level JSON array out of text fed in chunks, tracking strings and nesting
 * one char at a time (measured faster than jumping with indexOf / regexes on Atlas results, which
 * are mostly short keys and numbers). Synchronous per chunk: the elements a chunk completes come
 * back together, so a 1 GB array costs one await per chunk, not per element.
 */
export class ArrayScanner {
  private depth = 0 // 1 = inside the top-level array
  private inString = false
  private escaped = false
  private started = false
  /** the top-level array was closed */
  done = false
  /** the text is not an array of values (or something follows it) */
  broken = false
  private pieces: string[] = []

  feed(text: string): string[] {
    const out: string[] = []
    if (this.broken) return out
    let elemStart = -1 // where the current element starts in this chunk (-1: before it, or none)
    let depth = this.depth
    let inString = this.inString
    let escaped = this.escaped
    const take = (end: number): string => {
      this.pieces.push(text.slice(elemStart < 0 ? 0 : elemStart, end))
      const el = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('')
      this.pieces = []
      elemStart = -1
      return el
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (inString) {
        if (escaped) escaped = false
        else if (c === 92) escaped = true // backslash
        else if (c === 34) inString = false
        continue
      }
      if (!this.started || this.done) {
        if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) continue
        if (c === 91) {
          // the first array, or another one right after it: two downloads joined with cat, or
          // `curl ... >> results.json` run for two measurements, are read as one list
          this.started = true
          this.done = false
          depth = 1
          continue
        }
        this.broken = true
        break
      }
      if (depth === 1) {
        if (c === 44 || c === 93) {
          // ',' or ']' ends a scalar element (a structured one was handed on at its close)
          if (elemStart >= 0 || this.pieces.length > 0) {
            const el = take(i).trim()
            if (el !== '') out.push(el)
          }
          if (c === 93) {
            this.done = true
            depth = 0
          }
          continue
        }
        if (c === 32 || c === 10 || c === 13 || c === 9) continue
        if (elemStart < 0 && this.pieces.length === 0) elemStart = i
      }
      if (c === 34) inString = true
      else if (c === 123 || c === 91) depth++
      else if (c === 125 || c === 93) {
        depth--
        if (depth === 1) out.push(take(i + 1))
        else if (depth < 1) {
          this.broken = true
          break
        }
      }
    }
    if (!this.broken && (elemStart >= 0 || this.pieces.length > 0)) this.pieces.push(text.slice(elemStart < 0 ? 0 : elemStart))
    this.depth = depth
    this.inString = inString
    this.escaped = escaped
    return out
  }

  /** what is left of an element the input ended inside (JSON.parse will refuse it: it is counted) */
  leftover(): string | null {
    const el = this.pieces.join('').trim()
    this.pieces = []
    return el === '' ? null : el
  }
}

/** The elements of a top-level JSON array, one batch per chunk of text; onEnd says whether the array was closed. */
export async function* arrayElementsOf(head: string, rest: AsyncIterator<string>, onEnd: (complete: boolean) => void): AsyncGenerator<string[]> {
  const scanner = new ArrayScanner()
  let text: string | undefined = head
  while (text !== undefined) {
    const els = scanner.feed(text)
    if (els.length > 0) yield els
    if (scanner.broken) break
    const n = await rest.next()
    text = n.done ? undefined : n.value
  }
  const left = scanner.broken ? null : scanner.leftover()
  if (left !== null) yield [left]
  onEnd(scanner.done && !scanner.broken)
}

// ---- the reader ----

function parseOrNull(text: string): {ok: true; value: unknown} | {ok: false; message: string} {
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch (e) {
    return {ok: false, message: (e as Error).message}
  }
}

/**
 * An NDJSON line, with the two repairs real files need: a line ending in `,` (a JSON array written
 * one element per line, or an NDJSON that someone joined with commas) and raw control characters
 * inside strings (Atlas probes write them; JSON.parse refuses them). `repaired` says one was used.
 */
function parseLine(text: string): {ok: true; value: unknown; repaired: boolean} | {ok: false; message: string} {
  const p = parseOrNull(text)
  if (p.ok) return {...p, repaired: false}
  let t = text.endsWith(',') ? text.slice(0, -1).trimEnd() : text
  t = escapeControlCharsInStrings(t)
  if (t === text) return p
  const q = parseOrNull(t)
  return q.ok ? {...q, repaired: true} : p
}


/** where the first character that is not JSON whitespace is, from `from` on (-1: none yet) */
function firstNonSpace(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (!isJsonSpace(text.charCodeAt(i))) return i
  return -1
}

/** how much of the input's start is looked at for a NUL byte */
const BINARY_LOOK = 4096

/** the byte-order mark of UTF-16 at the start of these bytes: its name, or null */
function utf16Mark(bytes: Buffer | null): string | null {
  if (bytes === null || bytes.length < 2) return null
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'little-endian, byte-order mark FF FE'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'big-endian, byte-order mark FE FF'
  return null
}

/** What binaryStart refuses: why, and whether it is UTF-16 (the hint says how to convert it). */
interface NotText {
  why: string
  utf16: boolean
}

/**
 * Why the input is clearly no text (null: it is, or may be, text, and the JSON / NDJSON readers
 * judge it, as they always did): a UTF-16 byte-order mark, or a NUL byte in its first BINARY_LOOK
 * characters (/dev/zero, a binary file; UTF-16 without a mark, whose ASCII has a NUL every other
 * byte). Only that: a first line that is a log line captured with 2>&1, with an ANSI colour code
 * (ESC) or a Latin-1 byte in it, is one NDJSON line that cannot be used, counted, and the rest is
 * read (README: report loses only what it cannot read). A '{' or '[' followed by a NUL is UTF-16
 * too (no JSON has a NUL outside a string); a NUL further into such an input is left to the readers,
 * which repair control characters inside strings (RIPE Atlas writes them). Decided from what was
 * read so far, never by reading on: /dev/zero has no newline.
 */
function binaryStart(head: string, at: number, bytes: Buffer | null): NotText | null {
  const mark = utf16Mark(bytes)
  if (mark !== null) return {why: `it is UTF-16 text (${mark}), not UTF-8`, utf16: true}
  const c = head[at]
  const look = c === '{' || c === '[' ? head.slice(at, at + 2) : head.slice(at, at + BINARY_LOOK)
  const i = look.indexOf('\u0000')
  if (i < 0) return null
  // ASCII in UTF-16: a NUL before or after each character
  const utf16 = (look[0] === '\u0000') !== (look[1] === '\u0000') && look.length > 1
  const where = i === 0 ? 'it begins with the control character U+0000' : `it holds a NUL byte at character ${at + i}`
  return {why: utf16 ? `${where}, as UTF-16 text does (ASCII in UTF-16 has a NUL every other byte): UTF-16, not UTF-8` : `${where}: binary data, not text`, utf16}
}

/** Read saved measurements one item at a time (readSavedBatches, flattened). */
export async function* readSaved(source: AsyncIterable<Buffer | string>, stats: ReadStats, opts: ReadOptions = {}): AsyncGenerator<ReportItem> {
  for await (const batch of readSavedBatches(source, stats, opts)) yield* batch
}

/**
 * Read saved measurements, a chunk's worth of items at a time (in input order); `stats` is filled in
 * as it goes (so a caller sees it even after an error).
 */
export async function* readSavedBatches(source: AsyncIterable<Buffer | string>, stats: ReadStats, opts: ReadOptions = {}): AsyncGenerator<ReportItem[]> {
  const keep = opts.keepErrors ?? 5
  const bad = (where: string, message: string): void => {
    stats.unparseable++
    if (stats.errors.length < keep) stats.errors.push({where, message: sanitize(message, 200)})
  }
  // the input breaking off where no value was cut (an array's or a document's end missing, the
  // parser stopping): said, and truncated, but no value: "1 of 2 values could not be used" after
  // two were read and used was a count of nothing
  const broke = (where: string, message: string): void => {
    stats.truncated = true
    if (stats.errors.length < keep) stats.errors.push({where, message: sanitize(message, 200)})
  }
  // impossible RTTs nulled and counted (./impossible-rtt.ts) unless the caller judges them itself
  const dropRtts = opts.impossibleRtts !== 'keep'
  const dropRtt = (item: ReportItem | InvalidEntry): void => {
    if (item.type === 'outcome') {
      if (item.outcome.result !== null) stats.impossibleRtts += dropImpossibleResultRtts(item.outcome.result)
    } else if (item.type === 'row') stats.impossibleRtts += dropImpossibleRowRtt(item.row)
    else if (item.type === 'observation') stats.impossibleRtts += dropImpossibleObservationRtt(item.observation)
  }
  let atlas: AtlasModule | null | undefined
  let rdns: ReverseResolver | undefined
  let hint: ReturnType<NonNullable<AtlasModule['memoHint']>> | undefined
  let answerAsn: AsnLookup | undefined
  const atlasBatch: VantageOutcome[] = []
  /** for each outcome of atlasBatch: the target of the raw result it came from (what a failure was of) */
  const atlasTargets: Array<{failed: FailedTarget | null; how: string | null; method: ProbeMethod | null}> = []
  const atlasParse = (raw: Record<string, unknown>, where: string): void => {
    const parse = atlas?.parseAtlasResult
    if (typeof parse !== 'function') throw atlasUnavailable(`${where}: raw RIPE Atlas results`)
    const id = atlasId(raw.prb_id)
    const prb = opts.atlasProbes === undefined || id === null ? undefined : opts.atlasProbes.get(id)
    const p = parse(raw, (prb ?? null) as never)
    if (p.status === 'unsupported') {
      // sslcert, ntp, wifi: read fine, but nothing in them says which site answered
      const kind = sanitize(String(raw.type), 20).toLowerCase()
      stats.otherKinds[kind] = (stats.otherKinds[kind] ?? 0) + 1
      return
    }
    if (p.status === 'malformed') {
      bad(where, `RIPE Atlas ${sanitize(String(raw.type), 20)} result: ${p.reason ?? p.status}`)
      return
    }
    // what the result measured, as the parser reads it (dst_name, or old firmware's name; dst_addr)
    const name = p.meta?.dstName ?? null
    const addr = p.meta?.dstAddr ?? null
    const target = name === null && addr === null ? null : {target: name ?? addr!, addr}
    // one way of measuring per measurement id: its results and failures, whatever they name
    const msm = p.meta?.msmId ?? atlasId(raw.msm_id)
    const how = msm === null ? null : `RIPE Atlas msm ${msm}${p.meta?.type ? ` (${sanitize(p.meta.type, 20)})` : ''}`
    for (const o of p.outcomes) {
      if (o.result?.kind === 'trace') stats.atlasTraces++
      if (dropRtts && o.result !== null) stats.impossibleRtts += dropImpossibleResultRtts(o.result)
      atlasBatch.push(o)
      atlasTargets.push({failed: target, how, method: ATLAS_METHOD[p.meta?.type ?? ''] ?? null})
    }
  }
  /** enrich and hand on the parsed Atlas outcomes (when `all`, or when a batch is full) */
  const flushAtlas = async function* (all: boolean): AsyncGenerator<ReportItem[]> {
    if (atlasBatch.length === 0 || (!all && atlasBatch.length < ATLAS_BATCH)) return
    const batch = atlasBatch.splice(0)
    const targets = atlasTargets.splice(0)
    const enrich = atlas?.enrichAtlasOutcomes
    hint ??= atlas?.memoHint?.()
    // at most 64 lookups in flight, as the live Atlas backend does
    rdns ??= opts.rdns && atlas?.boundedResolver ? atlas.boundedResolver(opts.rdns, 64) : (opts.rdns ?? nullReverseResolver)
    // HTTP results are judged with their answering network, as the live Atlas backend judges them
    if (answerAsn === undefined && opts.answerAsn !== undefined && batch.some((o) => o.result?.kind === 'http')) answerAsn = await opts.answerAsn()
    const done = enrich ? await enrich(batch, {rdns, hint, ...(answerAsn === undefined ? {} : {answerAsn})}) : batch
    // one at a time: handing on the whole batch as one array measured 30% slower on a 1 GB Atlas file (more GC)
    // (enrichment maps the batch one to one, in order)
    for (let i = 0; i < done.length; i++) {
      const outcome = done[i]!
      const {failed, how, method} = targets[i]!
      const item: ReportItem = {type: 'outcome', outcome}
      if (outcome.result === null && failed !== null) item.failedTarget = failed
      if (outcome.result === null && method !== null) item.failedMethod = method
      if (how !== null) item.how = how
      yield [item]
    }
  }
  /** what one value gives; sync, so a big input costs no await per value (loading the Atlas module is the one exception) */
  const itemsOfSync = (value: unknown, where: string): ReportItem[] => {
    stats.values++
    let c: ReturnType<typeof classify>
    try {
      if (isAtlasRaw(value)) {
        atlasParse(value, where)
        return []
      }
      c = classify(value)
    } catch (e) {
      // a hostile value (nested thousands deep: RangeError) loses itself, never the lines around it
      if (e instanceof AnyprobeError) throw e
      bad(where, `a value that cannot be read (${(e as Error).name ?? 'error'})`)
      return []
    }
    if (typeof c === 'string') {
      bad(where, c)
      const hint = wrongKindHint(value)
      if (hint !== null) {
        stats.wrongKinds++
        stats.wrongKindHint ??= hint
      }
      return []
    }
    if (dropRtts) for (const i of c) dropRtt(i)
    if (!c.some((i) => i.type === 'invalid')) return c as ReportItem[]
    const kept: ReportItem[] = []
    for (const i of c) {
      if (i.type === 'invalid') bad(`${where}, entry ${i.index}`, i.message)
      else kept.push(i)
    }
    return kept
  }
  const itemsOf = async (value: unknown, where: string): Promise<ReportItem[]> => {
    if (atlas === undefined && isAtlasRaw(value)) atlas = opts.loadAtlas ? await opts.loadAtlas() : null
    return itemsOfSync(value, where)
  }
  const ready = (value: unknown): boolean => atlas !== undefined || !isAtlasRaw(value)
  // what a chunk of input gave, handed on at once: one await per chunk, not per value
  let out: ReportItem[] = []

  const start: {bytes: Buffer | null} = {bytes: null}
  const it = textOf(source, start)[Symbol.asyncIterator]()
  // the first character that is not JSON whitespace decides; keep what was read for the chosen
  // reader. A BOM at the very start is skipped. JSON whitespace only (space, tab, LF, CR): a form
  // feed or NUL is no blank, and a stream of NULs (/dev/zero) is decided at its first chunk
  let head = ''
  let at = -1
  for (;;) {
    const n = await it.next()
    if (n.done) break
    const from = head.length
    head += n.value
    if (from === 0) head = head.replace(/^\uFEFF/, '')
    at = firstNonSpace(head, from === 0 ? 0 : from)
    if (at >= 0) break
  }
  if (at < 0) {
    stats.format = 'empty'
    return
  }
  const first = head[at]!
  // clearly no text (a NUL byte, UTF-16): refused at once; anything else, a log line captured with
  // 2>&1 first included, is read by the JSON / NDJSON readers
  const binary = binaryStart(head, at, start.bytes)
  if (binary !== null) {
    const name = opts.name === undefined ? 'the input' : sanitize(opts.name, 200)
    throw new AnyprobeError('E_BAD_INPUT', `${name} is not JSON or NDJSON: ${binary.why}`, {
      hint: binary.utf16
        ? `convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8 ${opts.name === undefined || opts.name === 'standard input' || opts.name === '-' ? 'FILE' : name} > results.json) and give that`
        : 'give a file written by anyprobe --json / --ndjson, or RIPE Atlas results (a JSON array or one result per line; gzip and bzip2 are read as they are)',
      exitCode: EXIT.usage,
    })
  }

  // a recorded RIPE Atlas stream (["atlas_result", {...}] lines) starts with '[' too: lines, below
  if (first === '[' && !STREAM_HEAD.test(head.slice(at))) {
    stats.format = 'json-array'
    let complete = true
    let index = 0
    /** the index of the last element that could not be parsed (-1: none) */
    let lastBad = -1
    for await (const els of arrayElementsOf(head, it, (c) => (complete = c))) {
      for (const el of els) {
        const where = `element ${index++}`
        const p = parseLine(el)
        if (p.ok && p.repaired) stats.repaired++
        if (!p.ok) {
          stats.values++
          bad(where, p.message)
          lastBad = index - 1
          continue
        }
        if (Array.isArray(p.value)) {
          // an array of downloads (`jq -s . a.json b.json`): each one's results, one level down
          for (let j = 0; j < p.value.length; j++) {
            const v = p.value[j] as unknown
            for (const x of ready(v) ? itemsOfSync(v, `${where}[${j}]`) : await itemsOf(v, `${where}[${j}]`)) out.push(x)
            if (atlasBatch.length >= ATLAS_BATCH) {
              if (out.length > 0) {
                yield out
                out = []
              }
              yield* flushAtlas(false)
            }
          }
          continue
        }
        const items = ready(p.value) ? itemsOfSync(p.value, where) : await itemsOf(p.value, where)
        for (const x of items) out.push(x)
      }
      if (out.length > 0) {
        yield out
        out = []
      }
      if (atlasBatch.length >= ATLAS_BATCH) yield* flushAtlas(false)
    }
    yield* flushAtlas(true)
    if (!complete) {
      stats.truncated = true
      // a last element cut off mid-value is the same break, counted once (as that element): the
      // note says why, and "N of M values could not be used" stays a count of values
      const note = 'the array is not closed, or something other than JSON follows it'
      if (lastBad === index - 1 && index > 0) {
        if (stats.errors.length < keep) stats.errors.push({where: `after element ${index - 1}`, message: note})
      } else broke(`after element ${index}`, note)
    }
    return
  }

  // '{' first: NDJSON (the first line is a whole value) or one document spread over lines
  let mode: 'ndjson' | 'document' = 'ndjson'
  if (first === '{') {
    while (head.indexOf('\n') < 0 && head.length < 1 << 20) {
      const n = await it.next()
      if (n.done) break
      head += n.value
    }
    const nl = head.indexOf('\n')
    const line1 = nl < 0 ? head : head.slice(0, nl)
    if (nl < 0 && head.length >= 1 << 20) mode = 'document'
    else if (!parseLine(line1.trim()).ok) {
      // a broken first line followed by whole lines is NDJSON with garbage; else a pretty document
      const more = head.slice(nl + 1)
      const line2 = more.split('\n').find((l) => l.trim() !== '')
      mode = line2 !== undefined && line2.trim().startsWith('{') && parseLine(line2.trim()).ok ? 'ndjson' : 'document'
    }
  }

  if (mode === 'ndjson') {
    stats.format = 'ndjson'
    let lineNo = 0
    let lastBad = -1
    const end = {unterminated: false}
    // a pretty-printed document appended after NDJSON lines (`cat run.ndjson catchment.json`): its
    // "{" line begins a value spread over lines, read whole when a "}" line at column 0 closes it
    let pending: {lines: string[]; from: number; chars: number} | null = null
    for await (const lines of linesOf(head, it, end)) {
      for (const line of lines) {
        lineNo++
        let where = `line ${lineNo}`
        let p: ReturnType<typeof parseLine>
        if (pending !== null) {
          pending.lines.push(line)
          pending.chars += line.length + 1
          if (pending.chars > MAX_SPREAD_VALUE) {
            stats.values++
            bad(`line ${pending.from}`, `a value spread over lines is larger than ${MAX_SPREAD_VALUE >> 20} MB without ending; write one value per line, or the document alone`)
            lastBad = lineNo
            pending = null
            continue
          }
          if (line.trimEnd() !== '}') continue
          p = parseLine(pending.lines.join('\n'))
          if (!p.ok) continue
          where = `line ${pending.from}`
          pending = null
        } else {
          const t = line.trim()
          if (t === '' || t === '[' || t === ']') continue
          if (t === '{') {
            pending = {lines: [line], from: lineNo, chars: line.length + 1}
            continue
          }
          p = parseLine(t)
        }
        if (!p.ok) {
          stats.values++
          bad(where, p.message)
          lastBad = lineNo
          continue
        }
        if (p.repaired) stats.repaired++
        let value = p.value
        const msg = atlasStreamMessage(value)
        if (msg !== null) {
          // a recorded stream's line: its result is the value; the subscription's messages are none
          if (msg.kind === 'control') continue
          if (msg.kind !== 'result') {
            stats.values++
            if (msg.kind === 'error') bad(where, `the RIPE Atlas stream sent an error: ${typeof msg.payload === 'string' ? msg.payload : JSON.stringify(msg.payload) ?? ''}`)
            else {
              bad(where, `a RIPE Atlas stream message "${sanitize(msg.type, 40)}", which holds no result`)
              stats.wrongKinds++
              stats.wrongKindHint ??= 'record the result stream (["atlas_subscribe", {"streamType": "result", "msm": ID}]) or download the measurement\'s results (/api/v2/measurements/ID/results/)'
            }
            continue
          }
          value = msg.result
        }
        const items = ready(value) ? itemsOfSync(value, where) : await itemsOf(value, where)
        for (const x of items) out.push(x)
        // only when a batch is full (what came before it first, to keep the order): an async
        // generator per line was a few per cent of a big read
        if (atlasBatch.length >= ATLAS_BATCH) {
          if (out.length > 0) {
            yield out
            out = []
          }
          yield* flushAtlas(false)
        }
      }
      if (out.length > 0) {
        yield out
        out = []
      }
    }
    yield* flushAtlas(true)
    if (pending !== null) {
      // a document begun and never closed: cut short
      stats.values++
      bad(`line ${pending.from}`, 'a value spread over lines breaks off: no closing "}" line')
      stats.truncated = true
    }
    // the last line broke off mid-value with no newline after it: the input was cut short
    if (end.unterminated && lastBad === lineNo) stats.truncated = true
    return
  }

  stats.format = 'json-document'
  // separator '': documents written one after another (`cat a.json b.json`, two `catchment --json`
  // outputs appended to one file) are read each in turn; without it the parser stopped after the
  // first and the rest was lost without a word
  const parser = new JSONParser({paths: ['$', '$.kind', '$.target', '$.method', '$.outcomes.*', '$.vantagePoints.*'], keepStack: false, separator: ''})
  const queue: Array<{value: unknown; where: string; root: boolean; field: string; doc: Extract<ReportItem, {type: 'meta'}>}> = []
  // the document's own fields (kind, target, method) as soon as each is read: a document cut
  // after them still says what it measured and how (the root itself only comes when it is whole)
  let header: Record<string, unknown> = {}
  /** documents begun; one still open at the end was cut short */
  let docs = 0
  let open = false
  const where = (w: string): string => (docs > 1 ? `document ${docs}, ${w}` : w)
  parser.onValue = ({value, key, parent, stack}) => {
    if (!open) {
      open = true
      docs++
    }
    if (stack.length === 0) {
      queue.push({value, where: where('the document'), root: true, field: '', doc: docMeta(header)})
      header = {}
      open = false
    } else if (Array.isArray(parent)) {
      const field = stack[1]?.key
      // with the header as read so far (our documents write target and method before the rows)
      queue.push({value, where: where(`${String(field)}[${String(key)}]`), root: false, field: String(field), doc: docMeta(header)})
      parent.length = 0 // emitted: forget it, so the document never accumulates
    } else if (stack.length === 1) {
      header[String(key)] = value
    }
  }
  let parseError: string | null = null
  parser.onError = (e) => {
    parseError ??= e.message
  }
  const drain = async function* (): AsyncGenerator<ReportItem[]> {
    const got: ReportItem[] = []
    while (queue.length > 0) {
      const q = queue.shift()!
      if (q.field === 'vantagePoints') {
        // a saved catchment's rows: already what the catchment is made of, once checked
        stats.values++
        const row = checkRow(q.value)
        if (typeof row === 'string') bad(q.where, row)
        else {
          if (dropRtts) stats.impossibleRtts += dropImpossibleRowRtt(row)
          got.push(rowItem(row, q.doc))
        }
        continue
      }
      if (!q.root) {
        // a multi document's failed vantage point: of the document's target
        for (const x of await itemsOf(q.value, q.where)) got.push(x.type === 'outcome' && x.failedTarget === undefined ? failureOf(x.outcome, q.doc.target) : x)
        continue
      }
      // the root arrives last, with its outcomes / vantagePoints already handed on (now empty)
      const root = q.value
      if (isObj(root) && (root.kind === 'multi' || root.kind === 'catchment')) {
        got.push(docMeta(root))
      } else {
        for (const x of await itemsOf(root, q.where)) got.push(x)
      }
    }
    if (got.length > 0) yield got
  }
  let text: string | undefined = head
  while (text !== undefined) {
    try {
      parser.write(text)
    } catch (e) {
      parseError ??= (e as Error).message
    }
    yield* drain()
    if (parseError !== null) break
    const n = await it.next()
    text = n.done ? undefined : n.value
  }
  if (parseError === null && !parser.isEnded) {
    try {
      parser.end()
    } catch (e) {
      parseError ??= (e as Error).message
    }
    yield* drain()
  }
  yield* flushAtlas(true)
  // cut short: what the document said of itself before the cut (never a guess: a field not read stays null)
  if (open && (header.kind === 'multi' || header.kind === 'catchment')) yield [docMeta(header)]
  if (parseError !== null) broke('the document', parseError)
}

/**
 * The input as the readers want it: gunzipped when gzipped (../util/decompress.ts). A gzip stream
 * that breaks is a cut input in `stats` (`truncated`, with zlib's reason first in `errors`; the
 * whole lines before the break are kept); bzip2 goes through the system's bzip2, and without one is
 * an error that says how to decompress it.
 */
export function decompressedInput(source: AsyncIterable<Buffer | string>, stats: ReadStats, name: string): AsyncIterable<Buffer | string> {
  return gunzipIfCompressed(source, {
    bzip2: () => {
      // the hint names no command: report, diff and sites --input all read a decompressed stream from -
      const how = name === 'standard input' ? 'pipe it through bzcat (or bunzip2 -c) first' : `run bunzip2 on it first, or stream it: bzcat ${sanitize(name, 200)} | anyprobe ... - (report -, sites --input -)`
      throw new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)} is bzip2-compressed and no bzip2 or lbzip2 is installed to read it`, {hint: `install one (apt install bzip2) and it is read as it is, or ${how}; gzip is read as it is`, exitCode: EXIT.usage})
    },
    error: (message) => {
      stats.truncated = true
      stats.errors.unshift({where: 'the compressed file', message: sanitize(message, 200)})
    },
  })
}

/**
 * The warning a command prints when RTTs were dropped as impossible (stats.impossibleRtts; null:
 * none): which file, how many, and that the values themselves were kept.
 */
export function impossibleRttNote(name: string, stats: ReadStats): string | null {
  const n = stats.impossibleRtts
  if (n === 0) return null
  return `${sanitize(name, 200)}: ${n} impossible RTT${n === 1 ? '' : 's'} left out (negative, not a finite number, or over an hour: no measurement gives one); what held ${n === 1 ? 'it is' : 'them is'} kept without ${n === 1 ? 'it' : 'them'}, and no RTT column, median or change uses ${n === 1 ? 'it' : 'them'}`
}

/**
 * The error a command prints after what it could read, when some of the input could not be used
 * (values left out, or the input breaking off); null when all of it was. `hint` says what the
 * output above is of.
 */
export function partialInputError(name: string, stats: ReadStats, hint: string): AnyprobeError | null {
  if (stats.unparseable === 0 && !stats.truncated) return null
  const first = stats.errors[0]
  const cut = 'the input breaks off; everything before the break was kept'
  const read = `${stats.values} value${stats.values === 1 ? '' : 's'}`
  const what = stats.unparseable > 0 ? `${stats.unparseable} of ${stats.values} values could not be used${stats.truncated ? ` (${cut})` : ''}` : `the input breaks off after ${read}; everything before the break was kept`
  return new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)}: ${what}` + (first ? `; first at ${first.where}: ${first.message}` : ''), {hint, exitCode: EXIT.data})
}

/**
 * The error `anyprobe report` (diff, sites --input) gives when nothing at all could be used. A file
 * of values of a kind the readers do not take, and of nothing else (watch --json events, an error
 * document, RIPE Atlas metadata), is the wrong file: exit 2 with what to give instead, as other
 * files of the wrong kind are refused; a file whose values could not be read is exit 7.
 */
export function nothingReadError(name: string, stats: ReadStats): AnyprobeError {
  const first = stats.errors[0]
  if (first !== undefined && stats.wrongKinds > 0 && stats.wrongKinds === stats.unparseable && !stats.truncated && stats.wrongKindHint !== null) {
    const n = stats.wrongKinds
    const what = n === 1 ? first.message : `${n} values of kinds it does not take; the first (${first.where}) is ${first.message}`
    return new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)} holds no measurement: ${what}`, {
      hint: stats.wrongKindHint,
      exitCode: EXIT.usage,
    })
  }
  // RIPE Atlas results of kinds with no site signal (sslcert, ntp, wifi) and nothing else: valid
  // results of the wrong kind, named, and refused as other files of the wrong kind are (exit 2)
  const other = Object.entries(stats.otherKinds)
  if (first === undefined && other.length > 0 && !stats.truncated) {
    const kinds = other.map(([k, n]) => `${n} ${k}`).join(', ')
    return new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)} holds no measurement anyprobe reads a site from: only RIPE Atlas ${other.map(([k]) => k).join(', ')} results (${kinds}), ${other.length === 1 ? 'a kind that carries' : 'kinds that carry'} no sign of which site answered`, {
      hint: 'give RIPE Atlas ping, traceroute, dns or http results of the service (or a file written by anyprobe --json / --ndjson)',
      exitCode: EXIT.usage,
    })
  }
  // `[]`: what the RIPE Atlas API gives for a time window (or a measurement) with no results yet
  const emptyList = stats.format === 'json-array' && stats.values === 0 && !stats.truncated
  const detail = first ? `${first.where}: ${first.message}` : stats.format === 'empty' ? 'it is empty' : emptyList ? 'it is an empty list, [], as the RIPE Atlas API gives for a measurement or a time window with no results' : 'no measurement in it'
  return new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)}: no anyprobe or RIPE Atlas result could be read (${detail})`, {
    hint: 'give a file written by anyprobe --json or --ndjson, or RIPE Atlas results (a JSON array or one result per line)',
    exitCode: EXIT.data,
  })
}

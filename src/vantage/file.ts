// Saved measurements, read back as a stream: the "replay" side of the vantage layer, used by
// `anyprobe report`. Memory stays flat whatever the size: nothing holds the whole input.
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
// saved catchment document), or metadata (target, method of a document). Raw Atlas results take the
// live Atlas backend's path (./atlas/): parseAtlasResult per element (sync), then enrichAtlasOutcomes
// per batch of ATLAS_BATCH (reverse DNS of hop addresses when `rdns` is given, location hints, the
// PoP verdict). Without a resolver nothing leaves the machine: hops keep no names and only what the
// result itself carries (DNS identities, HTTP headers) names a PoP. A malformed or unsupported Atlas
// result is counted as unparseable, with the parser's reason; a probe's own error is an outcome.
import {StringDecoder} from 'node:string_decoder'

import {JSONParser} from '@streamparser/json'

import type {CatchmentMethod, CatchmentVantagePoint} from '../analysis/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {VantagePoint} from '../model/vantage.js'
import {sanitize} from '../util/sanitize.js'
import {nullReverseResolver, type ReverseResolver} from '../enrich/rdns.js'
import {type AtlasModule, atlasUnavailable} from './index.js'
import type {ProbeResult, VantageOutcome} from './types.js'

export type InputFormat = 'ndjson' | 'json-array' | 'json-document' | 'empty'

export type ReportItem =
  | {type: 'outcome'; outcome: VantageOutcome}
  | {type: 'row'; row: CatchmentVantagePoint}
  | {type: 'meta'; target: string | null; method: CatchmentMethod | null}

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
}

export interface ReadOptions {
  /** loads the Atlas module for raw Atlas results; null/absent module = not available */
  loadAtlas?: () => Promise<AtlasModule | null>
  /** reverse DNS for raw Atlas traceroute hops (default: none, nothing leaves the machine) */
  rdns?: ReverseResolver
  /** how many errors to keep in stats.errors (default 5) */
  keepErrors?: number
}

/** Raw Atlas results parsed before one enrichment pass (lookups of a batch overlap). */
export const ATLAS_BATCH = 1000

const METHODS = new Set(['trace', 'dns', 'http', 'ping'])
const MAX_LINE = 256 << 20

export function newStats(): ReadStats {
  return {format: 'empty', values: 0, unparseable: 0, errors: [], truncated: false}
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isVantage(v: unknown): v is VantagePoint {
  return isObj(v) && typeof v.kind === 'string' && typeof v.id === 'string'
}

function isResult(v: unknown): v is ProbeResult {
  return isObj(v) && typeof v.kind === 'string' && METHODS.has(v.kind) && typeof v.schemaVersion === 'number' && isVantage(v.vantage)
}

export function isAtlasRaw(v: unknown): v is Record<string, unknown> {
  return isObj(v) && typeof v.prb_id === 'number' && typeof v.msm_id === 'number' && typeof v.type === 'string'
}

function isRow(v: unknown): v is CatchmentVantagePoint {
  return isObj(v) && isVantage(v.vantage) && 'pop' in v && 'rttMs' in v && 'reached' in v
}

function isOutcome(v: unknown): v is VantageOutcome {
  return isObj(v) && isVantage(v.vantage) && 'result' in v && 'error' in v && (v.result === null || isResult(v.result))
}

function toOutcome(v: VantageOutcome): VantageOutcome {
  return {vantage: v.vantage, result: v.result ?? null, error: v.error ?? null}
}

/** What a value is; a string says why it is not usable. Atlas values are handled by the caller. */
export function classify(v: unknown): ReportItem[] | string {
  if (isResult(v)) return [{type: 'outcome', outcome: {vantage: v.vantage, result: v, error: null}}]
  if (isOutcome(v)) return [{type: 'outcome', outcome: toOutcome(v)}]
  if (isObj(v) && v.kind === 'multi' && Array.isArray(v.outcomes)) {
    const items: ReportItem[] = [{type: 'meta', target: typeof v.target === 'string' ? v.target : null, method: typeof v.method === 'string' ? (v.method as CatchmentMethod) : null}]
    for (const o of v.outcomes) if (isOutcome(o)) items.push({type: 'outcome', outcome: toOutcome(o)})
    return items
  }
  if (isObj(v) && v.kind === 'catchment' && Array.isArray(v.vantagePoints)) {
    const items: ReportItem[] = [{type: 'meta', target: typeof v.target === 'string' ? v.target : null, method: typeof v.method === 'string' ? (v.method as CatchmentMethod) : null}]
    for (const r of v.vantagePoints) if (isRow(r)) items.push({type: 'row', row: r})
    return items
  }
  if (isObj(v) && isObj(v.error) && typeof v.error.code === 'string') {
    return `an anyprobe error document (${sanitize(v.error.code, 40)}), not a measurement`
  }
  if (isObj(v) && typeof v.kind === 'string') return `an anyprobe "${sanitize(v.kind, 40)}" document, which holds no measurement`
  return 'neither an anyprobe result nor a RIPE Atlas result'
}

// ---- text sources ----

async function* textOf(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const dec = new StringDecoder('utf8')
  for await (const chunk of source) {
    const s = typeof chunk === 'string' ? chunk : dec.write(chunk)
    if (s !== '') yield s
  }
  const rest = dec.end()
  if (rest !== '') yield rest
}

/** Splits text into lines without holding more than one line. */
async function* linesOf(head: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  let buf = head
  for (;;) {
    let start = 0
    let nl: number
    while ((nl = buf.indexOf('\n', start)) >= 0) {
      yield buf.slice(start, nl)
      start = nl + 1
    }
    buf = buf.slice(start)
    const n = await rest.next()
    if (n.done) break
    buf += n.value
    if (buf.length > MAX_LINE && buf.indexOf('\n') < 0) {
      yield buf // an absurd line: handed on whole so it is counted as one unparseable value
      buf = ''
    }
  }
  if (buf.trim() !== '') yield buf
}

/** Index of the quote that ends a string whose text resumes at `from` (escaped: the char at `from` is escaped); -1 if not in `text`. */
function closingQuote(text: string, from: number, escaped: boolean): number {
  let k = escaped ? from + 1 : from
  for (;;) {
    const q = text.indexOf('"', k)
    if (q < 0) return -1
    let n = 0
    for (let p = q - 1; p >= k && text.charCodeAt(p) === 92; p--) n++
    if (n % 2 === 0) return q
    k = q + 1
  }
}

/** Whether a string cut at the end of `text` leaves the next char escaped (an odd run of backslashes from `from` on). */
function endsEscaped(text: string, from: number): boolean {
  let n = 0
  for (let p = text.length - 1; p >= from && text.charCodeAt(p) === 92; p--) n++
  return n % 2 === 1
}

/**
 * The elements of a top-level JSON array, as text, found by tracking strings and nesting.
 * Calls onStructureError and stops when the text is not an array of values.
 */
export async function* arrayElementsOf(head: string, rest: AsyncIterator<string>, onEnd: (complete: boolean) => void): AsyncGenerator<string> {
  let depth = 0 // 1 = inside the top-level array
  let inString = false
  let escaped = false
  let started = false
  let done = false
  let pieces: string[] = []
  let elemStart = -1 // index in the current chunk where the element started, -1 = none
  let text = head
  for (;;) {
    for (let i = 0; i < text.length; i++) {
      if (inString) {
        // jump to the closing quote (most of the text is inside strings)
        const q = closingQuote(text, i, escaped)
        if (q < 0) {
          escaped = endsEscaped(text, escaped ? i + 1 : i)
          break
        }
        inString = false
        escaped = false
        i = q
        continue
      }
      const c = text.charCodeAt(i)
      if (!started) {
        if (c === 91) {
          started = true
          depth = 1
        } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) {
          onEnd(false)
          return
        }
        continue
      }
      if (done) {
        if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
          onEnd(false)
          return
        }
        continue
      }
      if (depth === 1) {
        if (c === 44 || c === 93) {
          // ',' or ']' ends a scalar element (or follows a structured one)
          if (elemStart >= 0 || pieces.length > 0) {
            pieces.push(text.slice(elemStart < 0 ? 0 : elemStart, i))
            const el = pieces.join('').trim()
            pieces = []
            elemStart = -1
            if (el !== '') yield el
          }
          if (c === 93) {
            done = true
            depth = 0
          }
          continue
        }
        if (c === 32 || c === 10 || c === 13 || c === 9) continue
        if (elemStart < 0 && pieces.length === 0) elemStart = i
      }
      if (c === 34) inString = true
      else if (c === 123 || c === 91) depth++
      else if (c === 125 || c === 93) {
        depth--
        if (depth === 1) {
          // a structured element closed: hand it on now (a following ',' finds nothing pending)
          pieces.push(text.slice(elemStart < 0 ? 0 : elemStart, i + 1))
          const el = pieces.join('')
          pieces = []
          elemStart = -1
          yield el
        } else if (depth < 1) {
          onEnd(false)
          return
        }
      }
    }
    if (elemStart >= 0 || pieces.length > 0) {
      pieces.push(text.slice(elemStart < 0 ? 0 : elemStart))
      elemStart = -1
    }
    const n = await rest.next()
    if (n.done) break
    text = n.value
  }
  if (pieces.length > 0) {
    const el = pieces.join('').trim()
    if (el !== '') yield el // an unfinished last element: JSON.parse will refuse it and it is counted
  }
  onEnd(done)
}

// ---- the reader ----

function parseOrNull(text: string): {ok: true; value: unknown} | {ok: false; message: string} {
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch (e) {
    return {ok: false, message: (e as Error).message}
  }
}

/** Read saved measurements; `stats` is filled in as it goes (so a caller sees it even after an error). */
export async function* readSaved(source: AsyncIterable<Buffer | string>, stats: ReadStats, opts: ReadOptions = {}): AsyncGenerator<ReportItem> {
  const keep = opts.keepErrors ?? 5
  const bad = (where: string, message: string): void => {
    stats.unparseable++
    if (stats.errors.length < keep) stats.errors.push({where, message: sanitize(message, 200)})
  }
  let atlas: AtlasModule | null | undefined
  let rdns: ReverseResolver | undefined
  let hint: ReturnType<NonNullable<AtlasModule['memoHint']>> | undefined
  const atlasBatch: VantageOutcome[] = []
  const atlasParse = async (raw: Record<string, unknown>, where: string): Promise<void> => {
    if (atlas === undefined) atlas = opts.loadAtlas ? await opts.loadAtlas() : null
    const parse = atlas?.parseAtlasResult
    if (typeof parse !== 'function') throw atlasUnavailable(`${where}: raw RIPE Atlas results`)
    const p = parse(raw, null)
    if (p.status === 'malformed' || p.status === 'unsupported') {
      bad(where, `RIPE Atlas ${sanitize(String(raw.type), 20)} result: ${p.reason ?? p.status}`)
      return
    }
    for (const o of p.outcomes) atlasBatch.push(o)
  }
  /** enrich and hand on the parsed Atlas outcomes (when `all`, or when a batch is full) */
  const flushAtlas = async function* (all: boolean): AsyncGenerator<ReportItem> {
    if (atlasBatch.length === 0 || (!all && atlasBatch.length < ATLAS_BATCH)) return
    const batch = atlasBatch.splice(0)
    const enrich = atlas?.enrichAtlasOutcomes
    hint ??= atlas?.memoHint?.()
    // at most 64 lookups in flight, as the live Atlas backend does
    rdns ??= opts.rdns && atlas?.boundedResolver ? atlas.boundedResolver(opts.rdns, 64) : (opts.rdns ?? nullReverseResolver)
    const done = enrich ? await enrich(batch, {rdns, hint}) : batch
    for (const outcome of done) yield {type: 'outcome', outcome}
  }
  const itemsOf = async (value: unknown, where: string): Promise<ReportItem[]> => {
    stats.values++
    if (isAtlasRaw(value)) {
      await atlasParse(value, where)
      return []
    }
    const c = classify(value)
    if (typeof c === 'string') {
      bad(where, c)
      return []
    }
    return c
  }

  const it = textOf(source)[Symbol.asyncIterator]()
  // the first non-blank character decides; keep what was read for the chosen reader
  let head = ''
  for (;;) {
    const n = await it.next()
    if (n.done) break
    head += n.value
    if (head.trimStart() !== '') break
  }
  head = head.replace(/^\uFEFF/, '')
  const first = head.trimStart()[0]
  if (first === undefined) {
    stats.format = 'empty'
    return
  }

  if (first === '[') {
    stats.format = 'json-array'
    let complete = true
    let index = 0
    for await (const el of arrayElementsOf(head, it, (c) => (complete = c))) {
      const where = `element ${index++}`
      const p = parseOrNull(el)
      if (!p.ok) {
        stats.values++
        bad(where, p.message)
        continue
      }
      yield* await itemsOf(p.value, where)
      yield* flushAtlas(false)
    }
    yield* flushAtlas(true)
    if (!complete) {
      stats.truncated = true
      bad(`after element ${index}`, 'the array is not closed, or something other than JSON follows it')
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
    else if (!parseOrNull(line1).ok) {
      // a broken first line followed by whole lines is NDJSON with garbage; else a pretty document
      const more = head.slice(nl + 1)
      const line2 = more.split('\n').find((l) => l.trim() !== '')
      mode = line2 !== undefined && line2.trim().startsWith('{') && parseOrNull(line2).ok ? 'ndjson' : 'document'
    }
  }

  if (mode === 'ndjson') {
    stats.format = 'ndjson'
    let lineNo = 0
    for await (const line of linesOf(head, it)) {
      lineNo++
      const t = line.trim()
      if (t === '') continue
      const p = parseOrNull(t)
      if (!p.ok) {
        stats.values++
        bad(`line ${lineNo}`, p.message)
        continue
      }
      yield* await itemsOf(p.value, `line ${lineNo}`)
      yield* flushAtlas(false)
    }
    yield* flushAtlas(true)
    return
  }

  stats.format = 'json-document'
  const parser = new JSONParser({paths: ['$', '$.outcomes.*', '$.vantagePoints.*'], keepStack: false})
  const queue: Array<{value: unknown; where: string; root: boolean; field: string}> = []
  parser.onValue = ({value, key, parent, stack}) => {
    if (stack.length === 0) {
      queue.push({value, where: 'the document', root: true, field: ''})
    } else if (Array.isArray(parent)) {
      const field = stack[1]?.key
      queue.push({value, where: `${String(field)}[${String(key)}]`, root: false, field: String(field)})
      parent.length = 0 // emitted: forget it, so the document never accumulates
    }
  }
  let parseError: string | null = null
  const drain = async function* (): AsyncGenerator<ReportItem> {
    while (queue.length > 0) {
      const q = queue.shift()!
      if (q.field === 'vantagePoints' && isRow(q.value)) {
        // a saved catchment's rows: already what the catchment is made of
        stats.values++
        yield {type: 'row', row: q.value}
        continue
      }
      if (!q.root) {
        yield* await itemsOf(q.value, q.where)
        continue
      }
      // the root arrives last, with its outcomes / vantagePoints already handed on (now empty)
      const root = q.value
      if (isObj(root) && (root.kind === 'multi' || root.kind === 'catchment')) {
        yield {type: 'meta', target: typeof root.target === 'string' ? root.target : null, method: typeof root.method === 'string' ? (root.method as CatchmentMethod) : null}
      } else {
        yield* await itemsOf(root, q.where)
      }
    }
  }
  let text: string | undefined = head
  while (text !== undefined) {
    try {
      parser.write(text)
    } catch (e) {
      parseError = (e as Error).message
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
      parseError = (e as Error).message
    }
    yield* drain()
  }
  yield* flushAtlas(true)
  if (parseError !== null) {
    stats.truncated = true
    bad('the document', parseError)
  }
}

/** The error `anyprobe report` gives when nothing at all could be used. */
export function nothingReadError(name: string, stats: ReadStats): AnyprobeError {
  const first = stats.errors[0]
  const detail = stats.format === 'empty' ? 'it is empty' : first ? `${first.where}: ${first.message}` : 'no measurement in it'
  return new AnyprobeError('E_BAD_INPUT', `${sanitize(name, 200)}: no anyprobe or RIPE Atlas result could be read (${detail})`, {
    hint: 'give a file written by anyprobe --json or --ndjson, or RIPE Atlas results (a JSON array or one result per line)',
    exitCode: EXIT.data,
  })
}

// anyprobe geohint [INPUT...]: what place does a router name, DNS identity or CDN header name?
// Thin: read inputs (arguments, or stdin one per line, streamed), call the engine, write lines.
// With --json the output is NDJSON (one object per input, in order), written as it goes.

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand, errorDocument, formatError} from '../base-command.js'
import {stdoutWriter} from '../console/output.js'
import {IDENTITY_FORMATS, inferPopExplained, parseVpLocation, safeText, type Observation} from '../infer/index.js'
import {ResponseHeadReader, responseHeads, responseSignals, type ResponseHead} from '../infer/response.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {CONFIDENT_POP, isConfidentPop} from '../model/pop-confidence.js'
import type {CodeType, Contradiction, Evidence, Rejection} from '../model/pop.js'
import {cappedLines, type LineCapInfo} from '../util/lines.js'
import {plural} from '../util/plural.js'
import {sanitize} from '../util/sanitize.js'
import {GEOHINT_SCHEMA_VERSION, type GeohintKind, type GeohintRecord, type GeohintSummary} from '../model/geohint.js'

export {GEOHINT_SCHEMA_VERSION} from '../model/geohint.js'
export type {GeohintKind, GeohintRecord, GeohintSummary} from '../model/geohint.js'

const HEADER_LINE = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*):(?!:)\s*(.*)$/
/**
 * A line of a Cloudflare /cdn-cgi/trace body ("fl=...", "colo=FRA", "loc=US"): only colo= names
 * the PoP; loc= is the client's country and the rest (h=, ip=, ts=, warp=off) name no place.
 */
const TRACE_LINE = /^[a-z][a-z0-9_]*=/i
const ADDRESS = /^[0-9a-f:.]+$/i
const HOSTNAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+\.?$/
/** identity formats that are specific enough to tell an identity from a hostname */
const IDENTITY_SHAPES = IDENTITY_FORMATS.filter((f) => f.name !== 'Cloudflare colo').map((f) => f.pattern)

/** Guess what an input line is: "Name: value" is a header; dotted names are hostnames unless a known identity format. */
export function detectKind(input: string): GeohintKind {
  const t = input.trim()
  if (HEADER_LINE.test(t) && !/^[a-z]+:\/\//i.test(t) && !(ADDRESS.test(t) && t.includes('::'))) return 'header'
  if (TRACE_LINE.test(t)) return 'header'
  if (IDENTITY_SHAPES.some((p) => p.test(t))) return 'identity'
  return HOSTNAME.test(t) ? 'hostname' : 'identity'
}

export function observationFor(input: string, kind: GeohintKind, popHeaders: ReadonlySet<string>): Observation {
  const t = input.trim()
  if (kind === 'header') {
    if (TRACE_LINE.test(t)) return {signal: 'http-header', header: 'cf-trace', input: t}
    const m = HEADER_LINE.exec(t)
    if (m === null) return {signal: 'user', input: t}
    const name = m[1]!.toLowerCase()
    return {signal: popHeaders.has(name) ? 'user' : 'http-header', header: name, input: m[2]!}
  }
  if (kind === 'identity') return {signal: 'dns-identity', input: t}
  return {signal: 'dest-hostname', input: t}
}

export default class Geohint extends BaseCommand {
  static override summary = 'Read the place out of router hostnames, DNS identities or CDN headers'

  static override description = `Each input is a router reverse-DNS name (ae1.cr1.fra03.example.net), a DNS identity (CHAOS hostname.bind / id.server / NSID answer such as "res700.fra.rrdns.pch.net") or a response header line ("CF-RAY: 4968f5278537a67d-DUB"). Inputs come from the arguments or, with none, one per line from stdin (streamed, so millions of lines are fine).

The place comes from general rules: IATA and metro codes, ICAO, UN/LOCODE, CLLI, spelled city names, the site position in the operator's naming, country/state labels as context, and a table of CDN header formats. An operator's private code is reported as such (type "operator", city unknown) rather than guessed. With --vp-location and --rtt, places the RTT cannot reach are ruled out and listed (rejected, with why); a header or DNS identity naming its own site is kept even then, flagged as a contradiction with the stated vantage location. A /cdn-cgi/trace body is read line by line: only colo= names the PoP (loc= is the client's country).

With --response, the input is a saved response head instead (\`curl -sI URL\`, \`curl -sIL URL\`: a status line and header lines, a blank line after each response): one record per response, read from all its headers at once, so a CDN behind another one (Server / Via show which is outermost) is decided as for an http result.

With --json, one JSON object per input line (NDJSON), in input order.`

  static override examples = [
    '<%= config.bin %> geohint be2815.ccr41.ams03.atlas.cogentco.com',
    "<%= config.bin %> geohint 'CF-RAY: 4968f5278537a67d-DUB' 'X-Amz-Cf-Pop: FRA56-P5'",
    '<%= config.bin %> geohint --kind identity res100.qzrh2.rrdns.pch.net',
    '$ cat hops.txt | <%= config.bin %> geohint --json',
    '<%= config.bin %> geohint xe-1.cr1.london1.example.net --vp-location YYZ --rtt 6',
    '$ curl -sIL https://www.example.com/ | <%= config.bin %> geohint --response',
  ]

  static override strict = false

  static override args = {
    // stdin is streamed line by line by run(), not slurped into the argument by oclif
    input: Args.string({description: 'hostname, DNS identity or "Header: value" (repeatable; stdin when none)', ignoreStdin: true}),
  }

  static override flags = {
    kind: Flags.string({
      description: 'what the inputs are (auto: a "Name: value" line is a header, a dotted name a hostname)',
      options: ['auto', 'hostname', 'header', 'identity'],
      default: 'auto',
    }),
    'vp-location': Flags.string({description: 'where the vantage point is (lat,lon or an airport code)'}),
    rtt: Flags.string({description: 'minimum RTT to the target in ms; with --vp-location rules out places too far away'}),
    response: Flags.boolean({
      description: 'the input is a saved HTTP response head (curl -sI output): one record per response, all its headers read together',
      default: false,
      exclusive: ['kind'],
    }),
    'pop-header': Flags.string({
      description: 'a header the operator uses to name the site (repeatable); its value is read with the generic rules',
      multiple: true,
      multipleNonGreedy: true,
    }),
  }

  private suppressFinalJson = false

  /** The NDJSON lines are the output: oclif must not print the returned summary as a second document. */
  protected override logJson(json: unknown): void {
    if (this.suppressFinalJson) return
    super.logJson(json)
  }

  public async run(): Promise<GeohintSummary> {
    const {argv, flags} = await this.parse(Geohint)
    const vpLocation = flags['vp-location'] === undefined ? null : parseVpLocation(flags['vp-location'])
    const rttMs = flags.rtt === undefined ? null : parseRtt(flags.rtt)
    if (rttMs !== null && vpLocation === null) {
      // an RTT rules places out only as a distance from somewhere: alone it was silently ignored
      throw new AnyprobeError('E_USAGE', '--rtt needs --vp-location (where the RTT was measured from)', {
        hint: 'e.g. --vp-location FRA --rtt 12.5',
        exitCode: EXIT.usage,
      })
    }
    const kindFlag = flags.kind as 'auto' | GeohintKind
    const popHeaders = new Set((flags['pop-header'] ?? []).map((h) => h.trim().toLowerCase()))
    const json = this.jsonEnabled()
    // one writer of stdout for every command: ~64 KiB chunks, back-pressure, quiet on a closed pipe
    const out = stdoutWriter()
    if (!json) out.text(textHeader())

    let inputs = 0
    let located = 0
    let hints = 0
    const emit = (rec: GeohintRecord): void => {
      inputs++
      if (rec.pop !== null) located++
      if (hinted(rec)) hints++
      if (json) out.record(rec)
      else out.text(textLine(rec))
    }
    // --response: lines gather into responses; a record per response when it ends
    const reader = flags.response ? new ResponseHeadReader() : null
    const handleSync = (line: string): void => {
      if (reader !== null) {
        const head = reader.line(line)
        if (head !== null) emit(responseRecord(head, popHeaders, vpLocation, rttMs))
        return
      }
      if (line.trim() === '') return
      emit(geohintRecord(line, kindFlag, popHeaders, vpLocation, rttMs))
    }
    const handle = async (line: string): Promise<void> => {
      handleSync(line)
      if (out.pending()) await out.flush()
    }

    const args = argv as string[]
    const cap: LineCapInfo = {cut: 0}
    if (args.length > 0) {
      for (const a of args) {
        if (reader !== null) {
          // each argument is a whole dump; its responses are its own
          for (const line of a.split('\n')) await handle(line.length > GEOHINT_MAX_LINE ? (cap.cut++, line.slice(0, GEOHINT_MAX_LINE)) : line)
          const head = reader.end()
          if (head !== null) emit(responseRecord(head, popHeaders, vpLocation, rttMs))
          continue
        }
        if (a.length > GEOHINT_MAX_LINE) cap.cut++
        await handle(a.length > GEOHINT_MAX_LINE ? a.slice(0, GEOHINT_MAX_LINE) : a)
      }
    } else {
      if (process.stdin.isTTY) {
        throw new AnyprobeError('E_USAGE', 'no input: give hostnames, identities or headers as arguments or on stdin', {
          hint: 'e.g. anyprobe geohint ae1.cr1.fra03.example.net, or pipe one input per line',
          exitCode: EXIT.usage,
        })
      }
      for await (const lines of readLines(process.stdin, cap)) {
        for (const line of lines) handleSync(line)
        if (out.pending()) await out.flush()
      }
      const head = reader?.end() ?? null
      if (head !== null) emit(responseRecord(head, popHeaders, vpLocation, rttMs))
    }
    if (!json && hints > 0) out.text(`\n${GEOHINT_HINT_NOTE}\n`)
    // input read only in part, or not at all: exit 7 with a code and a hint (README's table), on
    // stderr and, with --json, as the stream's last line (the error document every command prints)
    const err = unusedInputError(cap.cut, inputs === 0 ? (reader?.skipped ?? 0) : 0)
    if (err !== null) {
      process.stderr.write(formatError(err))
      if (json) out.record(errorDocument(err))
      process.exitCode = err.exitCode
    }
    await out.flush()
    this.suppressFinalJson = json
    return {schemaVersion: GEOHINT_SCHEMA_VERSION, inputs, located}
  }
}

/** One input -> one record. Exported for tests and embedding. */
export function geohintRecord(
  line: string,
  kindFlag: 'auto' | GeohintKind,
  popHeaders: ReadonlySet<string> = new Set(),
  vpLocation: {lat: number; lon: number} | null = null,
  rttMs: number | null = null,
): GeohintRecord {
  const input = line.trim()
  const kind = kindFlag === 'auto' ? detectKind(input) : kindFlag
  const {verdict: v, setAside, rejected} = inferPopExplained([observationFor(input, kind, popHeaders)], {vpLocation, rttMs})
  return {
    schemaVersion: GEOHINT_SCHEMA_VERSION,
    input: safeText(input),
    kind,
    pop: v === null ? null : {code: v.code, codeType: v.codeType, city: v.city, country: v.country, lat: v.lat, lon: v.lon},
    confidence: v === null ? null : v.confidence,
    evidence: v === null ? setAside : [...v.evidence, ...v.conflicts],
    rejected,
    contradiction: v?.contradiction ?? null,
  }
}

/**
 * One saved response -> one record: all its headers are one set of observations, as an http
 * result's are, so the stacking rules (which CDN is outermost) decide once for the response.
 * The record's input is the status line, or what the response held when it had none.
 */
export function responseRecord(
  head: ResponseHead,
  popHeaders: ReadonlySet<string> = new Set(),
  vpLocation: {lat: number; lon: number} | null = null,
  rttMs: number | null = null,
): GeohintRecord {
  const {verdict: v, setAside, rejected} = inferPopExplained(responseSignals(head, popHeaders), {vpLocation, rttMs})
  const n = Object.keys(head.headers).length
  return {
    schemaVersion: GEOHINT_SCHEMA_VERSION,
    input: safeText(head.status ?? `response of ${n} header${n === 1 ? '' : 's'}`),
    kind: 'response',
    pop: v === null ? null : {code: v.code, codeType: v.codeType, city: v.city, country: v.country, lat: v.lat, lon: v.lon},
    confidence: v === null ? null : v.confidence,
    evidence: v === null ? setAside : [...v.evidence, ...v.conflicts],
    rejected,
    contradiction: v?.contradiction ?? null,
  }
}

/** Every response of a dump given whole -> its records (tests and embedding). */
export function responseRecords(text: string, popHeaders: ReadonlySet<string> = new Set()): GeohintRecord[] {
  return responseHeads(text).map((h) => responseRecord(h, popHeaders))
}

function parseRtt(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms)?\s*$/i.exec(text)
  const v = m ? Number(m[1]) : NaN
  if (!Number.isFinite(v) || v <= 0) {
    throw new AnyprobeError('E_USAGE', `--rtt "${sanitize(text, 50)}" is not a positive number of milliseconds`, {
      hint: 'e.g. --rtt 12.5',
      exitCode: EXIT.usage,
    })
  }
  return v
}

const W = {input: 48, code: 10, type: 9, city: 22, country: 7}

function cell(s: string, w: number): string {
  return s.length >= w ? s + ' ' : s.padEnd(w + 1)
}

function textHeader(): string {
  return cell('INPUT', W.input) + cell('CODE', W.code) + cell('TYPE', W.type) + cell('CITY', W.city) + cell('COUNTRY', W.country) + 'CONFIDENCE\n'
}

/** Named under the one confidence rule (isConfidentPop): a hint, marked '?' as every table marks one. */
const hinted = (r: GeohintRecord): boolean => r.pop !== null && r.confidence !== null && !isConfidentPop({confidence: r.confidence})

/** Said under the table when a code is marked '?' (the catchment table's words). */
export const GEOHINT_HINT_NOTE = `a code marked ? was named with confidence under ${CONFIDENT_POP}: a hint, not a verdict (a lone server name such as "fra1" or "london-1" stays under it)`

function textLine(r: GeohintRecord): string {
  const p = r.pop
  return (
    cell(r.input, W.input) +
    cell(p ? `${p.code}${hinted(r) ? '?' : ''}` : '-', W.code) +
    cell(p ? p.codeType : '-', W.type) +
    cell(p?.city ? sanitize(p.city, 40) : '-', W.city) +
    cell(p?.country ?? '-', W.country) +
    (r.confidence === null ? '-' : r.confidence.toFixed(2)) +
    '\n' +
    (r.contradiction ? `  contradiction (${r.contradiction.kind}): ${sanitize(r.contradiction.reason, 400)}\n` : '') +
    r.rejected.map((x) => `  ${sanitize(x.reason, 200)}\n`).join('') +
    // no place: why, when the reading said more than that (a machine-picked name, a header's problem)
    (p === null ? r.evidence.filter((e) => e.code === null && e.note !== 'identity names no site').map((e) => `  ${sanitize(e.note, 300)}\n`).join('') : '')
  )
}

/**
 * What of the input could not be used, as one E_BAD_INPUT (exit 7), or null: lines cut at
 * GEOHINT_MAX_LINE (the rows are of what was read), and with --response input that held no
 * response head at all (`notHead`: its lines that were neither a status line nor a header; no
 * input at all is not bad input, as without --response).
 */
export function unusedInputError(cut: number, notHead: number): AnyprobeError | null {
  if (notHead > 0) {
    return new AnyprobeError('E_BAD_INPUT', `no response head in the input: ${plural(notHead, 'line')}, none a status line or a "Name: value" header`, {
      hint: 'give --response what curl -sI URL or curl -sIL URL prints (a status line, header lines, a blank line after each response); without --response each line is read on its own (a hostname, identity or header)',
      exitCode: EXIT.data,
    })
  }
  if (cut > 0) {
    return new AnyprobeError('E_BAD_INPUT', `${plural(cut, 'input line')} longer than ${GEOHINT_MAX_LINE} characters ${cut === 1 ? 'was' : 'were'} cut to that length; what was kept is read`, {
      hint: 'give one hostname, identity or header per line (a hostname is at most 253 characters); a file that is not line-based (JSON, a body) is no geohint input',
      exitCode: EXIT.data,
    })
  }
  return null
}

/** Longest input line read (a hostname is <= 253, a header line rarely over a few kB): more is cut. */
export const GEOHINT_MAX_LINE = 8192

/**
 * Lines of a stream, a chunk's worth at a time (no per-line promise): stdin is streamed, never
 * buffered whole, and a line longer than GEOHINT_MAX_LINE is cut (hostile input with no newline
 * must not grow without bound). Handles CRLF and a last line without a newline.
 */
export async function* readLines(stream: AsyncIterable<Buffer | string>, info: LineCapInfo = {cut: 0}): AsyncGenerator<string[]> {
  yield* cappedLines(stream, GEOHINT_MAX_LINE, info)
}

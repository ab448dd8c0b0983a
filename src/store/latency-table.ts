// Latency tables as iGreedy and MiGreedy read them, for `sites --input`: one vantage point per line,
// `ID LAT LON RTT [RTT...]`, separated by tabs, commas, semicolons or blanks; `#` starts a comment and
// a first line whose latitude is not a number is a header. So a researcher can run `sites` on the
// campaigns they already have in that form, and compare with iGreedy on the same file.
//
// Columns after the location: numbers are RTTs in ms of the same vantage point (the lowest counts,
// as everywhere in `sites`); "-", "*", "NA", "null" or an empty field is a ping without an answer;
// any other text is skipped. Skipped on purpose: in MiGreedy's `measurement+gt` files that column is
// the site each probe was told, the ground truth, and reading it as an identity would grade the
// answer with itself. An RTT <= 0 is kept as it is, so the analysis counts it as impossible; a
// location of "-" is no location, counted the same way, never guessed.
import type {SiteObservation} from '../model/sites.js'
import {isNumberField, splitFields} from '../util/fields.js'
import {cappedLines} from '../util/lines.js'
import {sanitize} from '../util/sanitize.js'
import type {ReadStats} from './read.js'

const NO_ANSWER = new Set(['', '-', '*', 'na', 'nan', 'null', 'none'])
/** a table line is short; a longer one is not a table line (cut there, not held whole: ../util/lines.ts) */
export const MAX_TABLE_LINE = 4096

const isMissing = (s: string | undefined): boolean => s !== undefined && NO_ANSWER.has(s.toLowerCase())

/** A located data line: an id, then a latitude and a longitude in range, then at least one more column. */
function isLocatedLine(f: readonly string[]): boolean {
  if (f.length < 4 || f[0] === '' || !isNumberField(f[1]) || !isNumberField(f[2])) return false
  return Math.abs(Number(f[1])) <= 90 && Math.abs(Number(f[2])) <= 180
}

function contentLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/** Whether the head of an input is a latency table: its first line (or the one after a header) is a data line. */
export function looksLikeLatencyTable(head: string): boolean {
  const start = head.trimStart()
  if (start.startsWith('{') || start.startsWith('[')) return false
  // the last line of the head may be cut: judge only complete ones, or the head itself when it has one line
  const complete = head.includes('\n') ? head.slice(0, head.lastIndexOf('\n')) : head
  const lines = contentLines(complete)
  return lines.slice(0, 2).some((l) => isLocatedLine(splitFields(l)))
}

/** One observation from a table line, or why the line cannot be one. */
export function tableObservation(line: string): SiteObservation | string {
  return observationOfFields(splitFields(line))
}

function observationOfFields(f: readonly string[]): SiteObservation | string {
  if (f.length < 4) return `${f.length} column${f.length === 1 ? '' : 's'}; a line is ID LAT LON RTT [RTT...]`
  const unlocated = isMissing(f[1]) && isMissing(f[2])
  if (!unlocated && (!isNumberField(f[1]) || !isNumberField(f[2]))) return 'the latitude and longitude (columns 2 and 3) are not numbers'
  const lat = Number(f[1])
  const lon = Number(f[2])
  // out of range or "-": no location, which the analysis counts (never a guess)
  const located = !unlocated && Math.abs(lat) <= 90 && Math.abs(lon) <= 180
  const rtts = f.slice(3).filter(isNumberField).map(Number)
  const positive = rtts.filter((r) => r > 0)
  const rttMs = positive.length > 0 ? Math.min(...positive) : rtts.length > 0 ? rtts[0]! : null
  return {vp: sanitize(f[0]!, 80), lat: located ? lat : null, lon: located ? lon : null, rttMs, identity: null}
}

/** The observations of a table, line by line; bad lines are counted in `stats`, never fatal. */
export async function* readLatencyTable(source: AsyncIterable<Buffer | string>, stats: ReadStats, keepErrors = 5): AsyncGenerator<SiteObservation> {
  stats.format = 'table'
  let lineNo = 0
  let firstContent = true
  const bad = (why: string): void => {
    stats.unparseable++
    if (stats.errors.length < keepErrors) stats.errors.push({where: `line ${lineNo}`, message: why})
  }
  const cap = {cut: 0}
  let cutSeen = 0
  for await (const batch of cappedLines(source, MAX_TABLE_LINE, cap)) {
    // a batch comes with its lines' cuts already counted: a cut line is one of MAX_TABLE_LINE there
    const cutHere = cap.cut > cutSeen
    cutSeen = cap.cut
    for (const raw of batch) {
      lineNo++
      const line = raw.trim()
      if (line === '' || line.startsWith('#')) continue
      // a header names its columns: a first line whose location columns are neither numbers nor "-"
      const f = splitFields(line)
      const header = firstContent && !isNumberField(f[1]) && !isMissing(f[1]) && !isNumberField(f[2]) && !isMissing(f[2])
      firstContent = false
      if (header) continue
      stats.values++
      if (cutHere && raw.length === MAX_TABLE_LINE) {
        bad(`longer than ${MAX_TABLE_LINE} characters`)
        continue
      }
      const o = observationOfFields(f)
      if (typeof o === 'string') bad(o)
      else yield o
    }
  }
}

// Lines of a stream with a cap on their length: a hostile input with no newline (a 1 GB line,
// /dev/zero) must not grow one string without bound, and joining a chunk onto the unfinished line
// must not copy the whole line again each time (that made a 100 MB line quadratic).
import {StringDecoder} from 'node:string_decoder'

export interface LineCapInfo {
  /** lines that were longer than the cap (their first `maxLine` characters were kept) */
  cut: number
}

/**
 * The lines of a stream, a chunk's worth at a time (no per-line promise). CRLF is handled, and a
 * last line without a newline. A line longer than `maxLine` characters is cut to `maxLine` (what
 * follows, up to the next newline, is dropped and counted in `info.cut`).
 */
export async function* cappedLines(stream: AsyncIterable<Buffer | string>, maxLine: number, info: LineCapInfo = {cut: 0}): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8')
  let pieces: string[] = [] // the unfinished line, in pieces (joined once, when it ends)
  let pending = 0 // its length so far
  let dropping = false // past the cap: skipping to the next newline
  const endLine = (tail: string): string => {
    let line: string
    if (dropping) {
      line = pieces.join('')
    } else {
      pieces.push(tail)
      line = pieces.join('')
      if (line.length > maxLine) {
        line = line.slice(0, maxLine)
        info.cut++
      }
    }
    pieces = []
    pending = 0
    dropping = false
    return line.endsWith('\r') ? line.slice(0, -1) : line
  }
  const addPartial = (s: string): void => {
    if (dropping || s === '') return
    if (pending + s.length > maxLine) {
      pieces.push(s.slice(0, maxLine - pending))
      pending = maxLine
      dropping = true
      info.cut++
      return
    }
    pieces.push(s)
    pending += s.length
  }
  const feed = (text: string): string[] => {
    const out: string[] = []
    let start = 0
    let nl: number
    while ((nl = text.indexOf('\n', start)) >= 0) {
      out.push(endLine(text.slice(start, nl)))
      start = nl + 1
    }
    addPartial(start === 0 ? text : text.slice(start))
    return out
  }
  for await (const chunk of stream) {
    const lines = feed(typeof chunk === 'string' ? chunk : decoder.write(chunk))
    if (lines.length > 0) yield lines
  }
  const lines = feed(decoder.end())
  if (pending > 0 || pieces.length > 0) lines.push(endLine(''))
  if (lines.length > 0) yield lines
}

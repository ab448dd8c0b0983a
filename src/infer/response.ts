// A saved HTTP response head (what `curl -sI URL` or `curl -sIL URL` prints: a status line, header
// lines, a blank line; one block per response of a redirect chain) read back into the header map
// an http result carries, so the header rules decide on the whole response at once: which CDN is
// outermost follows from Server and Via together (headers.ts SERVER_WRITERS / VIA_WRITERS, fuse.ts),
// which a reader of one line at a time cannot see.
import {httpHeaderSignals, type HeaderSignal} from './signals.js'

/** One response of the dump: its status line (null when the dump had none) and headers, names lower-case. */
export interface ResponseHead {
  status: string | null
  headers: Record<string, string>
}

const STATUS_LINE = /^HTTP\/[0-9.]+\s+\d{3}\b/i
const HEADER_LINE = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*):(?!:)\s*(.*)$/
/** obs-fold (RFC 9112 5.2): a line starting with a space or tab continues the previous value */
const CONTINUATION = /^[ \t]+\S/
/** Headers kept per response: a real response has tens; more is junk, not read. */
export const MAX_RESPONSE_HEADERS = 256

/**
 * Reads the lines of a dump one at a time and hands back each response when it ends (a blank
 * line, the next status line, or the end). Repeated headers are joined with ", " as an HTTP
 * client joins them (Via entries in the order the proxies added them). Lines that are neither a
 * header nor a status line (an HTML body of `curl -i`) are counted, not read.
 */
export class ResponseHeadReader {
  private status: string | null = null
  private headers: Record<string, string> = Object.create(null) as Record<string, string>
  private count = 0
  private last: string | null = null
  /** lines that were not headers, and headers over MAX_RESPONSE_HEADERS */
  skipped = 0

  /** One line (without its newline); returns the response it ended, if any. */
  line(raw: string): ResponseHead | null {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') return this.flush()
    if (STATUS_LINE.test(line.trim())) {
      const done = this.flush()
      this.status = line.trim()
      return done
    }
    if (CONTINUATION.test(line) && this.last !== null) {
      this.headers[this.last] = `${this.headers[this.last]} ${line.trim()}`
      return null
    }
    const m = HEADER_LINE.exec(line.trim())
    if (m === null) {
      this.skipped++
      return null
    }
    const name = m[1]!.toLowerCase()
    const value = m[2]!.trim()
    if (Object.hasOwn(this.headers, name)) {
      this.headers[name] = this.headers[name] === '' ? value : `${this.headers[name]}, ${value}`
    } else if (this.count >= MAX_RESPONSE_HEADERS) {
      this.skipped++
      return null
    } else {
      this.headers[name] = value
      this.count++
    }
    this.last = name
    return null
  }

  /** The response being read when the input ends, if any. */
  end(): ResponseHead | null {
    return this.flush()
  }

  private flush(): ResponseHead | null {
    const done = this.count > 0 || this.status !== null ? {status: this.status, headers: this.headers} : null
    this.status = null
    this.headers = Object.create(null) as Record<string, string>
    this.count = 0
    this.last = null
    return done
  }
}

/** Every response of a dump given whole (a command-line argument). */
export function responseHeads(text: string): ResponseHead[] {
  const reader = new ResponseHeadReader()
  const out: ResponseHead[] = []
  for (const line of text.split('\n')) {
    const r = reader.line(line)
    if (r !== null) out.push(r)
  }
  const r = reader.end()
  if (r !== null) out.push(r)
  return out
}

/** The observations of one response, as an http result gives them (--pop-header ones as user signals). */
export function responseSignals(head: ResponseHead, popHeaders: Iterable<string>): HeaderSignal[] {
  return httpHeaderSignals({...head.headers}, [...popHeaders], null)
}

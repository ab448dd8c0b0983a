// The part of a string from the network (a header value, a DNS identity) that the format rules
// read, or why none is. Shared by headers.ts and identity.ts so both treat junk alike.
import {UNSAFE_CLASS} from '../util/sanitize.js'

// Characters no header field value may hold (RFC 9110 5.5: no CTL but HTAB) plus the bidi and
// zero-width marks util/sanitize.ts escapes, and the "\xNN" escapes it writes for them: the
// engines sanitise what they received before inference sees it ("...-FRA\x00").
const CONTROL = String.raw`${UNSAFE_CLASS}|\\x(?:20[0-6][0-9a-f]|feff|[0-9a-f]{2})`
const EDGE_JUNK = new RegExp(String.raw`^(?:\s|${CONTROL})+|(?:\s|${CONTROL})+$`, 'gi')
// inside, tab, CR and LF are whitespace: a /cdn-cgi/trace body is lines, a pasted value may wrap
const INNER_CONTROL = new RegExp(CONTROL.replace(String.raw`[\u0000-\u001f`, String.raw`[\u0000-\u0008\u000b\u000c\u000e-\u001f`), 'i')
if (INNER_CONTROL.source === CONTROL) throw new Error('untrusted.ts: the control class no longer starts with \\u0000-\\u001f')

export type Core = {core: string; problem: null} | {core: null; problem: string}

/**
 * Control characters at either end are framing debris (a NUL-padded buffer, the CR of a CRLF
 * line) and are dropped; inside, they make the value malformed and a code read across them
 * would be a guess, so nothing is read. Values longer than `max` are not read (nor scanned):
 * the formats read here are all short.
 */
export function readableCore(value: string, max: number, what = 'value'): Core {
  if (value.length > max) return {core: null, problem: `${what} of ${value.length} characters is longer than any known format (${max})`}
  const core = value.replace(EDGE_JUNK, '')
  if (INNER_CONTROL.test(core)) return {core: null, problem: `control characters inside the ${what}`}
  return {core, problem: null}
}

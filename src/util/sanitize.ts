// Text from the network (reverse DNS, headers, TXT records, probe output) is untrusted: it can carry
// terminal escape sequences. Everything that reaches a terminal or a JSON string passes through here.

// C0 controls, DEL, C1 controls; the line / paragraph separators U+2028/2029 (they break lines in
// terminals and JavaScript source); zero-width and directional marks U+200B-200F; bidi embeddings,
// overrides and isolates U+202A-202E, U+2066-2069; and U+FEFF (zero-width no-break space / BOM).
// A bidi override can make `evil.com` display as `moc.live`; a zero-width space hides in a PoP code.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g
/** The class of characters sanitize() escapes, as regex source (infer/untrusted.ts reads the same ones). */
export const UNSAFE_CLASS = UNSAFE.source

// `\x1b`, and `\x202e` above U+00FF (the form this function has always written)
const escape = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`

/** Replace control characters with a visible escape so nothing can move the cursor or recolour a terminal. */
export function sanitize(text: string, maxLen = 512): string {
  // cut first (a 100 MB string is not scanned whole), then escape, then cut again: escapes lengthen it
  let out = text.length > maxLen * 4 ? text.slice(0, maxLen * 4) : text
  out = out.replace(UNSAFE, escape)
  if (out.length > maxLen) out = out.slice(0, maxLen) + '…'
  return out
}

export function sanitizeOrNull(text: string | null | undefined, maxLen = 512): string | null {
  return text === null || text === undefined ? null : sanitize(text, maxLen)
}

/** Whether text still holds a character sanitize() would escape (what the fuzz checks output for). */
export function hasUnsafeChars(text: string): boolean {
  return UNSAFE_ONE.test(text)
}
const UNSAFE_ONE = new RegExp(UNSAFE.source)

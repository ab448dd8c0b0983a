// Text from the network (reverse DNS, headers, TXT records, probe output) is untrusted: it can carry
// terminal escape sequences. Everything that reaches a terminal or a JSON string passes through here.

// C0 controls (except none), DEL, C1 controls, and Unicode bidi overrides / isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Replace control characters with a visible escape so nothing can move the cursor or recolour a terminal. */
export function sanitize(text: string, maxLen = 512): string {
  let out = text.replace(UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  if (out.length > maxLen) out = out.slice(0, maxLen) + '…'
  return out
}

export function sanitizeOrNull(text: string | null | undefined, maxLen = 512): string | null {
  return text === null || text === undefined ? null : sanitize(text, maxLen)
}

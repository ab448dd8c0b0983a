// JSON helpers for untrusted values: a value nested thousands of levels deep makes JSON.stringify
// (and String() of nested arrays) throw RangeError (call stack), and JSON.parse refuses raw control
// characters inside strings, which RIPE Atlas probes sometimes write. Both are read here instead.

/**
 * JSON's own whitespace (RFC 8259: space, tab, LF, CR), and nothing else: JS's \s also takes FF,
 * VT, NBSP and a BOM, which JSON.parse refuses (a scanner that skips by \s and cuts by this rule
 * stood still on a form feed, forever)
 */
export const isJsonSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13

/**
 * JSON text of a value, at most `max` characters and `maxDepth` levels deep (deeper parts become
 * `…`). Never throws, whatever the nesting; stops walking once `max` characters are written.
 */
export function boundedJson(v: unknown, max = 300, maxDepth = 20): string {
  let out = ''
  const walk = (x: unknown, depth: number): void => {
    if (out.length > max) return
    if (x === null || typeof x === 'number' || typeof x === 'boolean') {
      out += x === null || (typeof x === 'number' && !Number.isFinite(x)) ? 'null' : String(x)
      return
    }
    if (typeof x === 'string') {
      out += JSON.stringify(x.length > max ? x.slice(0, max) : x)
      return
    }
    if (typeof x !== 'object') {
      out += 'null'
      return
    }
    if (depth >= maxDepth) {
      out += '…'
      return
    }
    if (Array.isArray(x)) {
      out += '['
      for (let i = 0; i < x.length && out.length <= max; i++) {
        if (i > 0) out += ','
        walk(x[i], depth + 1)
      }
      out += ']'
      return
    }
    out += '{'
    let first = true
    for (const k in x as Record<string, unknown>) {
      if (!Object.hasOwn(x, k)) continue
      if (out.length > max) break
      if (!first) out += ','
      first = false
      out += `${JSON.stringify(k.length > max ? k.slice(0, max) : k)}:`
      walk((x as Record<string, unknown>)[k], depth + 1)
    }
    out += '}'
  }
  walk(v, 0)
  return out.length > max ? out.slice(0, max) : out
}

/**
 * JSON from Atlas may hold raw control characters inside strings (probe output pasted into a
 * field), which JSON.parse refuses. Escape them inside strings only; whitespace between tokens
 * stays as it is. (The strings keep the characters once parsed: they are sanitised where shown.)
 */
export function escapeControlCharsInStrings(json: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f]/.test(json)) return json
  const parts: string[] = []
  let from = 0
  let inString = false
  let escaped = false
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i)
    if (inString) {
      if (escaped) escaped = false
      else if (code === 92) escaped = true
      else if (code === 34) inString = false
      else if (code < 0x20) {
        parts.push(json.slice(from, i), `\\u${code.toString(16).padStart(4, '0')}`)
        from = i + 1
      }
    } else if (code === 34) {
      inString = true
    }
  }
  parts.push(json.slice(from))
  return parts.join('')
}

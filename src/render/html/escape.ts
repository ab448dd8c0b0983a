// HTML escaping for the report: every string that reaches the page passes through here, since most
// of it (PoP codes, hostnames, evidence, vantage ids) came from the network. Control characters are
// made visible first (util/sanitize), then the five HTML metacharacters are replaced, so a value is
// safe both as element text and inside a double- or single-quoted attribute.
import {sanitize} from '../../util/sanitize.js'

const MAP: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

export function esc(text: string | number | null | undefined, maxLen = 512): string {
  if (text === null || text === undefined) return ''
  return sanitize(String(text), maxLen).replace(/[&<>"']/g, (c) => MAP[c]!)
}

/** A number for an SVG attribute: one decimal, never NaN. */
export function num(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0'
}

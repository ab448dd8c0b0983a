// Numbers on the HTML pages as the CLI's tables print them (one rule: render/table.ts fmtMs, two
// decimals under 10 ms, one above: 1.80, 42.9, 142.3), so a page and the terminal agree; a missing
// value is '-' as elsewhere on the page (the tables' '*').
import {fmtMs} from '../table.js'

/** An RTT in ms for a page: the CLI tables' digits; '-' when missing. */
export function pageMs(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : fmtMs(v)
}

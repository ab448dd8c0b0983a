// Human view of a catchment: one row per vantage point, then one per PoP, then the vantage points
// that failed with their error and hint. Returns a string; the command prints it.
import type {CatchmentResult, CatchmentVantagePoint} from '../model/catchment.js'
import {CONFIDENT_POP, isConfidentPop} from '../model/pop-confidence.js'
import type {VantagePoint} from '../model/vantage.js'
import {sanitize} from '../util/sanitize.js'
import {placeOf} from './pop.js'
import {fmtMs} from './table.js'

export function vantageLabel(v: VantagePoint): string {
  const id = sanitize(v.id, 60)
  return v.kind === 'local' || v.kind === 'atlas' ? id : `${v.kind}:${id}`
}

/**
 * The layout of plainTable (header row, two spaces between columns, no trailing spaces) without
 * cli-table3, which takes seconds on the 10 000 rows of a big Atlas catchment. Cells are one line.
 */
export function columns(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length))
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}

/** City and country when the probe network names a city (Globalping, Atlas), else the country, else lat,lon. */
export function location(v: VantagePoint): string {
  if (v.city) return sanitize(v.country ? `${v.city}, ${v.country}` : v.city, 40)
  if (v.country) return sanitize(v.country, 8)
  if (v.lat !== null && v.lon !== null) return `${v.lat.toFixed(2)},${v.lon.toFixed(2)}`
  return '-'
}

function popCell(r: CatchmentVantagePoint): string {
  if (r.reached === null) return 'FAILED'
  if (r.pop === null) return r.reached ? 'unknown' : 'unknown (not reached)'
  const where = r.pop.city ?? r.pop.country
  // a hint ('?'), as diff marks one: named under the confidence diff and --expect act on
  return `${r.pop.code.toUpperCase()}${isConfidentPop(r.pop) ? '' : '?'}${where ? ` (${sanitize(where, 30)})` : ''} ${r.pop.confidence.toFixed(2)}${r.reached ? '' : ' (not reached)'}${r.pop.contradiction ? ' !' : ''}`
}

/**
 * How a catchment was measured, in words: its method, else what is known (every vantage point
 * failed and the file said no method: no result tells it; a file cut short: it did not say).
 */
export function methodWords(c: Pick<CatchmentResult, 'method' | 'summary'>): string {
  if (c.method === 'mixed') return 'by mixed methods'
  if (c.method !== null) return `by ${c.method}`
  return c.summary.measured === 0 ? '(no result to tell the method)' : '(the file does not say the method)'
}

export function renderCatchment(c: CatchmentResult): string {
  const head = `catchment of ${c.target === '' ? 'an unknown target' : sanitize(c.target, 100)} ${methodWords(c)} from ${c.summary.vantagePoints} vantage point${c.summary.vantagePoints === 1 ? '' : 's'}` +
    // "located" is the JSON's word for a row with a PoP; the table says it plainly, as "location"
    // is where the vantage point is
    ` (${c.summary.located} with a PoP named${c.summary.hinted ? ` (${c.summary.hinted} only as a hint)` : ''}, ${c.summary.unlocated} without, ${c.summary.failed} failed)`
  const vps = columns(
    ['vantage point', 'location', 'ASN', 'PoP', 'rtt ms', 'evidence'],
    c.vantagePoints.map((r) => [
      vantageLabel(r.vantage),
      location(r.vantage),
      r.vantage.asn === null ? '-' : `AS${r.vantage.asn}`,
      popCell(r),
      r.reached === null ? '-' : `${r.rttUpperBound && r.rttMs !== null ? '<=' : ''}${fmtMs(r.rttMs)}`,
      r.reached === null ? sanitize(r.error?.code ?? '', 40) : sanitize(r.evidence ?? '-', 130),
    ]),
  )
  const lines = [head, '', vps]
  if (c.vantagePoints.some((r) => r.reached !== null && r.pop !== null && !isConfidentPop(r.pop))) {
    lines.push('', `a PoP marked ? was named with confidence under ${CONFIDENT_POP}: a hint, not a verdict (diff and --expect do not act on it)`)
  }
  if (c.vantagePoints.some((r) => r.rttUpperBound && r.rttMs !== null)) {
    lines.push('', 'an RTT marked <= is only an upper bound: no TCP connect time was measured (a kept connection: time to first byte; a RIPE Atlas HTTP result: the whole request)')
  }
  const contradicted = c.vantagePoints.filter((r) => r.pop?.contradiction)
  if (contradicted.length > 0) {
    lines.push('', `! the PoP stands against the vantage point's stated location (${contradicted.length}):`)
    for (const r of contradicted) lines.push(`  ${vantageLabel(r.vantage)}  ${sanitize(r.pop!.contradiction!.reason, 300)}`)
  }
  // a hint's vantage points are counted apart ('NRT?' rows under the confident ones): a PoP's share
  // is of confident answers, as diff and --expect act only on those
  const hinted = c.hintedPops ?? []
  if (c.pops.length > 0 || hinted.length > 0) {
    const row = (p: CatchmentResult['pops'][number], mark: string): string[] => [
      sanitize(p.code.toUpperCase(), 40) + mark,
      p.city || p.country ? placeOf(p) : '-',
      String(p.vantagePoints.length),
      `${(p.share * 100).toFixed(1)}%`,
      fmtMs(p.medianRttMs),
    ]
    lines.push('', columns(['PoP', 'place', 'VPs', 'share', 'median rtt ms'], [...c.pops.map((p) => row(p, '')), ...hinted.map((p) => row(p, '?'))]))
    if (hinted.length > 0) {
      const n = hinted.reduce((a, p) => a + p.vantagePoints.length, 0)
      lines.push(`${n === 1 ? '1 vantage point' : `${n} vantage points`} named a PoP only as a hint (rows marked ?): counted apart, in no PoP's share`)
    }
    if (c.pops.length === 0) lines.push('no PoP named confidently by any vantage point')
  } else {
    lines.push('', 'no PoP named by any vantage point')
  }
  lines.push(...failedLines(c.vantagePoints.filter((r) => r.reached === null)))
  return lines.join('\n')
}

/**
 * The vantage points that failed, each with its code, message and hint (none: no lines): the end
 * of the catchment table, and of sites' (render/sites.ts), so both say why the same way.
 */
export function failedLines(failed: ReadonlyArray<{vantage: VantagePoint; error?: {code: string; message: string; hint: string | null} | null}>): string[] {
  if (failed.length === 0) return []
  const lines = ['', `failed (${failed.length}):`]
  for (const r of failed) {
    const e = r.error
    lines.push(`  ${vantageLabel(r.vantage)}  ${sanitize(e?.code ?? 'E_UNKNOWN', 40)}: ${sanitize(e?.message ?? 'no result', 300)}`)
    if (e?.hint) lines.push(`    hint: ${sanitize(e.hint, 300)}`)
  }
  return lines
}

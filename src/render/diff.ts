// Human view of `anyprobe diff`: what moved (vantage point, from, to, RTTs), each PoP's share
// before and after, the largest RTT changes (flagged when the methods differ), the vantage points
// present in only one file. Warnings go to stderr (the command), not here.
import type {DiffPop, DiffResult, DiffRtt} from '../model/diff.js'
import {plural} from '../util/plural.js'
import {sanitize} from '../util/sanitize.js'
import {columns, vantageLabel} from './catchment.js'
import {fmtMs} from './table.js'

// an uncertain PoP (confidence under 0.5) is a hint: marked '?', as it is not counted as a PoP change
// a state's words: 'not-reached' is "(not reached)", as the catchment table says it
const pop = (p: DiffPop | null, state: string): string =>
  p === null ? `(${state.replace('-', ' ')})` : `${sanitize(p.code.toUpperCase(), 30)}${state === 'uncertain' ? '?' : ''}${p.city ? ` (${sanitize(p.city, 30)})` : ''}`
// an RTT row's vantage point labelled as the other tables label it (netns:ap-vp-nyc, not ap-vp-nyc);
// only kind and id make the label
const rttLabel = (r: DiffRtt): string => vantageLabel({kind: r.vantageKind, id: r.vantageId, name: null, asn: null, country: null, lat: null, lon: null})
const pct = (s: number | null): string => (s === null ? '-' : `${(s * 100).toFixed(1)}%`)
const signed = (n: number | null, unit: string): string => (n === null ? '-' : `${n > 0 ? '+' : ''}${n.toFixed(1)}${unit}`)

export function renderDiff(d: DiffResult, opts: {rttRows?: number} = {}): string {
  const s = d.summary
  const lines = [
    `diff of ${sanitize(d.before.source, 120)} (${plural(d.before.vantagePoints, 'VP', 'VPs')}) -> ${sanitize(d.after.source, 120)} (${plural(d.after.vantagePoints, 'VP', 'VPs')}): ` +
      `${s.moved} moved, ${s.lost} lost ${s.lost === 1 ? 'its' : 'their'} PoP, ${s.found} found one, ${s.unchanged} unchanged of ${s.common} in both` +
      (s.uncertain > 0 ? `; ${s.uncertain} uncertain (no PoP named with confidence 0.5 or more on either side: not counted)` : ''),
  ]
  const counted = d.changes.some((c) => c.type !== 'uncertain')
  lines.push('')
  // none in both: nothing was compared, so "nothing changed" would be a claim without evidence
  if (d.changes.length === 0 && s.common === 0) lines.push('no vantage point is in both files: none could be compared (the shares below are each file\'s own)')
  else if (!counted) lines.push(d.changes.length === 0 ? 'no vantage point changed PoP' : 'no vantage point changed a confident PoP (a PoP named with confidence under 0.5 is a hint, marked ?)')
  if (d.changes.length > 0) {
    lines.push(
      columns(
        ['vantage point', 'change', 'from', 'to', 'rtt before', 'rtt after'],
        d.changes.map((c) => [vantageLabel(c.vantage), c.type, pop(c.from, c.fromState), pop(c.to, c.toState), fmtMs(c.rttBeforeMs), fmtMs(c.rttAfterMs)]),
      ),
    )
  }
  if (d.pops.length > 0) {
    // one denominator for both shares (analysis/diff.ts): said, since each file's own shares differ
    const over = s.measuredBoth === undefined ? '' : s.measuredBoth === 0 ? 'shares: no vantage point has a result in both files, so none is compared' : `shares of the ${plural(s.measuredBoth, 'vantage point', 'vantage points')} with a result in both files`
    lines.push(
      '',
      ...(over === '' ? [] : [over]),
      columns(
        ['PoP', 'VPs before', 'VPs after', 'share before', 'share after', 'change', 'median rtt before', 'after'],
        d.pops.map((p) => [
          sanitize(p.code.toUpperCase(), 30),
          String(p.vantagePointsBefore),
          String(p.vantagePointsAfter),
          pct(p.shareBefore),
          pct(p.shareAfter),
          signed(p.shareDelta === null ? null : p.shareDelta * 100, ' pt'),
          fmtMs(p.medianRttBeforeMs),
          fmtMs(p.medianRttAfterMs),
        ]),
      ),
    )
  }
  const n = opts.rttRows ?? 10
  const rtt = d.rtt.filter((r) => r.deltaMs !== 0).slice(0, n)
  if (rtt.length > 0) {
    // the warning itself goes to stderr (the command); the table says it where the numbers are
    const methods = d.warnings.some((w) => w.code === 'methods-differ') ? `; NOT comparable: ${sanitize(d.before.method ?? 'unknown', 10)} before, ${sanitize(d.after.method ?? 'unknown', 10)} after, different methods` : ''
    lines.push('', `largest RTT changes at the same PoP (${rtt.length} of ${d.rtt.length}${methods}):`)
    lines.push(columns(['vantage point', 'PoP', 'before', 'after', 'change'], rtt.map((r) => [rttLabel(r), sanitize(r.pop.toUpperCase(), 30), fmtMs(r.beforeMs), fmtMs(r.afterMs), signed(r.deltaMs, ' ms')])))
  }
  if (counted && d.changes.some((c) => c.fromState === 'uncertain' || c.toState === 'uncertain')) lines.push('', 'a PoP marked ? was named with confidence under 0.5: a hint, not a verdict')
  if (d.onlyBefore.length > 0) lines.push('', `only in ${sanitize(d.before.source, 120)} (${d.onlyBefore.length}): ${d.onlyBefore.map(vantageLabel).join(', ')}`)
  if (d.onlyAfter.length > 0) lines.push('', `only in ${sanitize(d.after.source, 120)} (${d.onlyAfter.length}): ${d.onlyAfter.map(vantageLabel).join(', ')}`)
  return lines.join('\n')
}

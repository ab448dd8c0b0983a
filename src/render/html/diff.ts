// The diff page: the "after" catchment map with the vantage points that changed drawn larger and
// outlined (their evidence says from where they moved), and the table of changes. DOM contract as
// the catchment map, plus each change's row data-change (its type) and data-vantage.
import type {CatchmentResult} from '../../model/catchment.js'
import type {DiffResult} from '../../model/diff.js'
import {catchmentMapSection} from './catchment-map.js'
import {ColorMap} from './colors.js'
import {esc} from './escape.js'
import {pageMs} from './numbers.js'
import {htmlPage} from './page.js'

const popName = (p: {code: string} | null, state: string): string => (p ? p.code.toUpperCase() : `(${state.replace('-', ' ')})`)
// shares are over the vantage points with a result in both files (analysis/diff.ts); null: none has
const delta = (d: number | null): string => (d === null ? '-' : `${d > 0 ? '+' : ''}${(d * 100).toFixed(1)} pt`)

export function diffHtml(d: DiffResult, before: CatchmentResult, after: CatchmentResult): string {
  const colors = new ColorMap()
  for (const p of d.pops) colors.get(p.code)
  const notes = new Map(d.changes.map((c) => [c.vantage.id, `${c.type}: ${popName(c.from, c.fromState)} -> ${popName(c.to, c.toState)}`]))
  const highlight = new Set(d.changes.map((c) => c.vantage.id))
  const rows = d.changes
    .map(
      (c) =>
        `<tr data-change="${c.type}" data-vantage="${esc(c.vantage.id, 200)}"><td>${esc(c.vantage.id, 80)}</td><td>${c.type}</td><td>${c.from ? `<span class="sw sq" style="background:${colors.get(c.from.code)}"></span>` : ''}${esc(popName(c.from, c.fromState), 40)}</td><td>${c.to ? `<span class="sw sq" style="background:${colors.get(c.to.code)}"></span>` : ''}${esc(popName(c.to, c.toState), 40)}</td><td class="n">${pageMs(c.rttBeforeMs)}</td><td class="n">${pageMs(c.rttAfterMs)}</td></tr>`,
    )
    .join('')
  const shares = d.pops
    .map((p) => `<tr><td><span class="sw sq" style="background:${colors.get(p.code)}"></span>${esc(p.code.toUpperCase(), 30)}</td><td class="n">${p.vantagePointsBefore}</td><td class="n">${p.vantagePointsAfter}</td><td class="n">${delta(p.shareDelta)}</td></tr>`)
    .join('')
  const s = d.summary
  const table = `<section class="diff"><h2>What changed</h2><p class="sub">${esc(d.before.source, 200)} → ${esc(d.after.source, 200)}: ${s.moved} moved, ${s.lost} lost their PoP, ${s.found} found one, ${s.unchanged} unchanged; ${s.onlyBefore} only before, ${s.onlyAfter} only after</p>
<div class="row"><table class="changes"><thead><tr><th>vantage point</th><th>change</th><th>from</th><th>to</th><th>rtt before</th><th>rtt after</th></tr></thead><tbody>${rows || '<tr><td colspan="6">no vantage point changed PoP</td></tr>'}</tbody></table>
<table><thead><tr><th>PoP</th><th>VPs before</th><th>after</th><th title="of the ${s.measuredBoth ?? 0} vantage points with a result in both files">share change</th></tr></thead><tbody>${shares}</tbody></table></div></section>`
  return htmlPage(`anyprobe diff: ${after.target || before.target}`, [
    table,
    catchmentMapSection(after, {heading: `After: ${d.after.source} (changed vantage points outlined)`, highlight, notes, colors}),
    catchmentMapSection(before, {heading: `Before: ${d.before.source}`, colors}),
  ])
}

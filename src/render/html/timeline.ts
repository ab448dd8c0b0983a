// The failover timeline: one lane per vantage point, coloured by the PoP answering it over time;
// lost rounds are gaps (hatched); each event is marked on its lane and labelled; a time axis under
// the lanes and the summary beside them.
//
// DOM contract: each event's mark has data-event (its type) and data-vantage; each lane
// data-lane (the vantage id); each coloured segment data-vantage and data-pop, each gap
// data-vantage and data-gap.
import type {RecoveredEvent} from '../../model/watch.js'
import {ColorMap, NO_POP} from './colors.js'
import {plural} from '../../util/plural.js'
import {sanitize} from '../../util/sanitize.js'
import {esc, num} from './escape.js'
import {textWidth} from './map-layout.js'
import type {TimelineData, TimelineEvent} from './timeline-data.js'

const W = 1000
/** where the lanes start at least; more when a lane's name needs it (up to MAX_LEFT) */
const BASE_LEFT = 120
const MAX_LEFT = 320
/** at most this many characters of a lane's name (a Globalping id: 3.DE.Frankfurt-am-Main.AS24940) */
const NAME_CHARS = 36
const RIGHT = 20
/** label rows a lane with events has at least (one without has none); it gets more when events at nearly the same time need them */
const LABEL_ROWS = 3
const ROW_H = 15
/** at most this many label rows a lane: a flapping vantage point's dozens of shifts would make a
 * lane pages tall; an event with no free row keeps its mark and its hover text, without a label */
const MAX_LABEL_ROWS = 6
/** width of one character of an event label (12.5px system-ui / DejaVu Sans), in viewBox units */
const CHAR_W = 7.5
const BAR_H = 22

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000)

export function fmtDuration(ms: number | null): string {
  if (ms === null) return '-'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

const hms = (t: number): string => new Date(t).toISOString().slice(11, 19)

/**
 * An event's label. `recovery`: for an outage, the recovered event that ended it, if any: the outage
 * event is written when the outage is declared (after outageAfter lost rounds), so its lostProbes is
 * that count (2), not what the outage lost in all (the recovery's: 39).
 */
function eventLabel(e: TimelineEvent, recovery?: RecoveredEvent | null): string {
  switch (e.type) {
    case 'failover':
      return `failover ${e.from}→${e.to} gap ${fmtDuration(e.gapMs)}`
    case 'shift':
      return `shift ${e.from}→${e.to}`
    case 'flap':
      return `flap ${e.pops.join('/')} (${plural(e.flips, 'flip')})`
    case 'flap-end':
      return `flapping over${e.pop ? ` at ${e.pop}` : ''} (${plural(e.flips, 'flip')})`
    case 'outage':
      return `outage ${recovery ? `(${recovery.lostProbes} lost in all` : `from ${hms(Date.parse(e.since))} UTC (not recovered`}${e.vantageError === undefined ? '' : `, vantage point failed: ${e.vantageError}`})`
    case 'recovered':
      // a PoP named only as a hint is marked '?', as the text line says it
      return `recovered${e.pop ? ` at ${e.pop}${e.popConfidence === undefined ? '' : '?'}` : ''}${e.durationMs === null ? '' : `: ${fmtDuration(e.durationMs)} since the last answer`}`
    case 'hint':
      return `PoP only hinted: ${e.pop}?`
    case 'load-balanced':
      return `load-balanced ${e.pops.join('+')}`
    case 'unexpected':
      return `unexpected ${e.pop ?? 'no answer'}: ${e.broken.map((b) => b.name).join(', ')}`
    case 'expected':
      return `expected again${e.pop ? ` at ${e.pop}` : ''}`
    default:
      return String((e as {type: string}).type)
  }
}

interface PlacedLabel {
  e: TimelineEvent
  label: string
  /** where the event is (its mark) and where its label starts */
  ex: number
  tx: number
  /** its label row; -1: no row was free (MAX_LABEL_ROWS), drawn as a mark without a label */
  row: number
}

/**
 * Label rows for one lane's events (in time order): each label in the first row whose last label
 * ends before it starts, else in a new row, so no two labels overlap. Pure, for the tests.
 */
export function placeLabels(evs: readonly TimelineEvent[], xOf: (e: TimelineEvent) => number, left = BASE_LEFT): PlacedLabel[] {
  const rowsEnd: number[] = []
  return evs.map((e, i) => {
    // an outage's recovery: the next recovered event of this lane that began at the same probe
    const recovery = e.type === 'outage' ? ((evs.slice(i + 1).find((r) => r.type === 'recovered' && r.since === e.since) as RecoveredEvent | undefined) ?? null) : undefined
    const label = eventLabel(e, recovery)
    const ex = xOf(e)
    const textW = Math.min(label.length, 80) * CHAR_W
    const tx = Math.max(left, Math.min(ex, W - RIGHT - textW))
    let row = rowsEnd.findIndex((end) => end < tx - 2)
    if (row < 0 && rowsEnd.length < MAX_LABEL_ROWS) row = rowsEnd.push(-Infinity) - 1
    if (row >= 0) rowsEnd[row] = tx + textW
    return {e, label, ex, tx, row}
  })
}

function eventDetail(e: TimelineEvent): string {
  const {schemaVersion: _v, kind: _k, ...rest} = e as TimelineEvent & Record<string, unknown>
  return Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .map((l) => esc(l, 300))
    .join('\n')
}

export function timelineSection(d: TimelineData, opts: {heading?: string; colors?: ColorMap} = {}): string {
  const colors = opts.colors ?? new ColorMap()
  // colours in the catchment's order (most vantage points first, then code), so a PoP has the same
  // colour on a report's map and its timeline
  const order = [...(d.summary?.pops ?? [])].sort((a, b) => b.vantagePoints - a.vantagePoints || (a.pop < b.pop ? -1 : a.pop > b.pop ? 1 : 0))
  for (const p of order) colors.get(p.pop)
  if (d.firstAt === null || d.lastAt === null || d.lanes.length === 0) {
    return `<section class="timeline"><h2>${esc(opts.heading ?? 'Failover timeline', 120)}</h2><p class="sub">no observations</p></section>`
  }
  const t0 = d.firstAt
  const t1 = Math.max(d.lastAt + d.intervalMs, t0 + 1000)
  // the lanes start where the longest name ends (a Globalping or ssh vantage id is 20-40 characters:
  // cut to 18 and drawn right-aligned at 112 px, its first characters were off the picture)
  const names = new Map(d.lanes.map((l) => [l.vantageId, sanitize(l.vantageId, NAME_CHARS)]))
  const left = Math.min(MAX_LEFT, Math.max(BASE_LEFT, 16 + Math.max(0, ...[...names.values()].map((n) => textWidth(n, 12.5, true)))))
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * (W - left - RIGHT)
  const top = 8

  const parts: string[] = [
    `<defs><pattern id="gap-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d33" stroke-width="2"/></pattern></defs>`,
  ]
  const byVantage = new Map<string, TimelineEvent[]>()
  for (const e of d.events) {
    const id = (e as {vantageId?: string}).vantageId
    if (id === undefined) continue
    let l = byVantage.get(id)
    if (!l) byVantage.set(id, (l = []))
    l.push(e)
  }
  // each lane's labels placed first: a label goes in the first row where it overlaps nothing, and a
  // new row is opened when none is free (events at the same moment, e.g. recovered + shift +
  // failover + flap, were drawn over each other in the last of three rows), so the lane is as tall
  // as its busiest moment needs
  const placed = new Map<string, PlacedLabel[]>()
  for (const lane of d.lanes) {
    const evs = (byVantage.get(lane.vantageId) ?? []).slice().sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    placed.set(lane.vantageId, placeLabels(evs, (e) => {
      const at = Date.parse(e.at)
      return x(Number.isFinite(at) ? at : t0)
    }, left))
  }
  // a lane without events has no label rows: a watch of a hundred RIPE Atlas probes, most of them
  // quiet, was 77 px a lane (three empty rows each), pages of blank space between the few that moved
  const laneRows = d.lanes.map((l) => {
    const ps = placed.get(l.vantageId)!
    return ps.length === 0 ? 0 : Math.max(LABEL_ROWS, ...ps.map((p) => p.row + 1))
  })
  const laneTop: number[] = []
  let yAt = top
  for (const rows of laneRows) {
    laneTop.push(yAt)
    yAt += rows * ROW_H + BAR_H + 10
  }
  const height = yAt + 30
  d.lanes.forEach((lane, i) => {
    const y = laneTop[i]!
    const barY = y + laneRows[i]! * ROW_H + 4
    const vid = esc(lane.vantageId, 200)
    parts.push(`<g class="lane" data-lane="${vid}"><text class="lane-name" x="${left - 8}" y="${num(barY + BAR_H / 2 + 4)}" text-anchor="end">${esc(names.get(lane.vantageId)!, NAME_CHARS + 1)}</text>`)
    parts.push(`<rect class="lane-bg" x="${left}" y="${barY}" width="${W - left - RIGHT}" height="${BAR_H}"/>`)
    for (const s of lane.segments) {
      const x0 = x(s.from)
      const x1 = Math.max(x(s.to + d.intervalMs), x0 + 1)
      const title = esc(`${lane.vantageId}: ${s.pop === null ? 'no answer' : s.pop === '?' ? 'answered, PoP not named' : s.pop} ${hms(s.from)}–${hms(s.to + d.intervalMs)} UTC (${plural(s.rounds, 'round')})`, 400)
      if (s.pop === null) {
        parts.push(`<rect class="gap" data-vantage="${vid}" data-gap="${s.rounds}" x="${num(x0)}" y="${barY}" width="${num(x1 - x0)}" height="${BAR_H}"><title>${title}</title></rect>`)
      } else {
        const fill = s.pop === '?' ? NO_POP : colors.get(s.pop)
        parts.push(`<rect class="seg" data-vantage="${vid}" data-pop="${esc(s.pop, 100)}" x="${num(x0)}" y="${barY}" width="${num(x1 - x0)}" height="${BAR_H}" fill="${fill}"><title>${title}</title></rect>`)
      }
    }
    const unlabelled = placed.get(lane.vantageId)!.filter((p) => p.row < 0).length
    if (unlabelled > 0) parts.push(`<text class="more" x="${left - 8}" y="${num(barY + BAR_H + 9)}" text-anchor="end">+${unlabelled} unlabelled</text>`)
    // events: a mark on the bar, the label in the row placeLabels gave it
    for (const {e, label, ex, tx, row} of placed.get(lane.vantageId)!) {
      const ty = row < 0 ? barY - 6 : y + (row + 1) * ROW_H - 2
      let mark = `<line x1="${num(ex)}" x2="${num(ex)}" y1="${num(ty + 2)}" y2="${barY + BAR_H}"/>`
      if (e.type === 'failover') {
        const a = x(Date.parse(e.lastOldAt))
        const b = x(Date.parse(e.firstNewAt))
        if (Number.isFinite(a) && Number.isFinite(b)) mark += `<path class="bracket" d="M${num(a)} ${barY - 3}V${barY + BAR_H + 3}M${num(a)} ${barY + BAR_H / 2}H${num(b)}M${num(b)} ${barY - 3}V${barY + BAR_H + 3}"/>`
      }
      parts.push(`<g class="ev ${esc(e.type, 30)}" data-event="${esc(e.type, 30)}" data-vantage="${vid}"><title>${eventDetail(e)}</title>${mark}${row < 0 ? '' : `<text x="${num(tx)}" y="${num(ty)}">${esc(label, 80)}</text>`}</g>`)
    }
    parts.push('</g>')
  })
  // the time axis
  const span = t1 - t0
  const step = STEPS.find((s) => span / s <= 8) ?? STEPS[STEPS.length - 1]!
  const axisY = yAt + 2
  const ticks: string[] = [`<line x1="${left}" x2="${W - RIGHT}" y1="${axisY}" y2="${axisY}"/>`]
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const tx = x(t)
    // a tick at the right end ends there (centred, 12:00:12 was cut to 12:00:1 by the picture's edge)
    ticks.push(`<line x1="${num(tx)}" x2="${num(tx)}" y1="${axisY}" y2="${axisY + 5}"/><text x="${num(tx)}" y="${axisY + 17}" text-anchor="${tx + 32 > W ? 'end' : 'middle'}">${hms(t)}</text>`)
  }
  ticks.push(`<text x="${left - 36}" y="${axisY + 17}" text-anchor="end">UTC</text>`)
  parts.push(`<g class="axis">${ticks.join('')}</g>`)

  const svg = `<svg viewBox="0 0 ${W} ${height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="failover timeline">${parts.join('')}</svg>`
  const legend = colors
    .entries()
    .map(([p, c]) => `<span style="margin-right:10px"><span class="sw sq" style="background:${c}"></span>${esc(p, 40)}</span>`)
    .join('')
  return `<section class="timeline"><h2>${esc(opts.heading ?? 'Failover timeline', 120)}</h2><p class="sub">${d.start ? `${esc(d.start.target, 200)} by ${esc(d.start.method, 10)}, ` : ''}every ${fmtDuration(d.intervalMs)}${d.start && d.start.flows > 1 ? ` × ${d.start.flows} flows` : ''}, ${hms(t0)}–${hms(t1)} UTC</p>
<p class="sub">${legend}${d.lanes.some((l) => l.segments.some((g) => g.pop === '?')) ? `<span style="margin-right:10px"><span class="sw sq" style="background:${NO_POP}"></span>answered, no PoP named</span>` : ''}<span><span class="sw sq gapsw" style="background:repeating-linear-gradient(45deg,#fff 0 2px,#d33 2px 4px)"></span>no answer</span></p>
<div class="row"><div class="map">${svg}</div>${summaryTable(d)}</div></section>`
}

function summaryTable(d: TimelineData): string {
  const s = d.summary
  if (s === null) return `<div class="side"><p class="sub">watch still running: no summary yet (${plural(d.events.length, 'event')} so far)</p></div>`
  const rows = s.vantagePoints.map((v) => {
    // a PoP named only as a hint is marked '?' (no catchment: no shift was judged from it), as the text summary says
    const hintMark = v.popConfidence === undefined || v.pop === null ? '' : '? <span class="sub">(only a hint)</span>'
    // in an outage at the end, its PoP is the last one it had, not where it is now (as the text summary says)
    return `<tr><td>${esc(v.vantageId, 40)}</td><td>${v.inOutage ? `no answer <span class="sub">(outage; last at ${esc(v.pop ?? '-', 40)}${hintMark})</span>` : `${esc(v.pop ?? '-', 40)}${hintMark}`}</td><td class="n">${v.answered}/${v.observations}</td><td class="n">${v.lost}</td><td class="n">${v.flips}</td><td class="n">${v.outages}</td></tr>`
  })
  const f = s.failover
  return `<div class="side"><table class="summary"><thead><tr><th>vantage point</th><th>PoP now</th><th>answered</th><th>lost</th><th>shifts</th><th>outages</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="sub">${plural(s.rounds, 'round')}, ${plural(s.observations, 'observation')}${s.late ? `, ${s.late} late` : ''}${s.clockJumps ? `, ${plural(s.clockJumps, 'clock jump')}` : ''}</p>
<p class="sub">failovers: ${f.count}${f.count ? ` · gap p50 ${fmtDuration(f.p50Ms)}, p90 ${fmtDuration(f.p90Ms)}, max ${fmtDuration(f.maxMs)} (±${fmtDuration(f.resolutionMs)})` : ''}</p>
<p class="sub">flipping vantage points: ${s.flippingVantagePoints}${s.flippingShare === null ? '' : ` (${(s.flippingShare * 100).toFixed(0)}%)`}</p></div>`
}

// The catchment map: each vantage point at its location, coloured by the PoP it reached, a line
// (great circle) to that PoP, each PoP drawn at its place; beside it the legend (share, median RTT)
// and the vantage points that have no location or no PoP. Hover shows a mark's evidence (<title>),
// click copies it to the detail box.
//
// DOM contract: every vantage point's mark (circle on the map, or list item when it has no
// location) has data-vantage (its id) and data-pop (its PoP's code, "" when none); a mark on the
// map has class "vp", one in the list "vp-unplaced". Every PoP's mark has data-pop-site (its code).
// Unreached vantage points (a result, destination not reached) are hollow and dashed; failed ones
// (no result) are listed with their error.
import {geoPath} from 'd3-geo'

import type {CatchmentPopShare, CatchmentResult, CatchmentVantagePoint} from '../../model/catchment.js'
import type {VantagePoint} from '../../model/vantage.js'
import {ColorMap, FAILED, NO_POP} from './colors.js'
import {plural} from '../../util/plural.js'
import {methodWords} from '../catchment.js'
import {sanitize} from '../../util/sanitize.js'
import {esc, num} from './escape.js'
import {boxAround, type LabelWanted, type Obstacle, placeMapLabels, spreadColocated} from './map-layout.js'
import {notOnMapList} from './not-on-map.js'
import {pageMs} from './numbers.js'
import {popLatLon} from './place.js'
import {MAP_HEIGHT, MAP_WIDTH, regionWorld, worldSvg} from './world.js'

export interface CatchmentMapOptions {
  /** section heading; default "Catchment" */
  heading?: string
  /** vantage ids to draw emphasised (diff: the ones that moved) */
  highlight?: ReadonlySet<string>
  /** extra text per vantage id, added to its evidence (diff: "moved FRA -> IAD") */
  notes?: ReadonlyMap<string, string>
  /** the colour map to use (diff: shared by both sides so a PoP keeps its colour) */
  colors?: ColorMap
  /**
   * what reading left out (report's input.notes: other targets, each probe's own resolver, failed
   * measurements of other targets, reverse DNS that named nothing; catchment's one-target notes):
   * said on the page as on stderr and in --json, or the page looks like the whole file
   */
  inputNotes?: readonly string[]
}

/** The line that says a verdict stands against the vantage point's stated location (as the table's '!' list). */
function contradictionText(r: CatchmentVantagePoint): string | null {
  const c = r.pop?.contradiction
  return c ? `! the PoP stands against the vantage point's stated location: ${c.reason}` : null
}

export function vantageName(v: VantagePoint): string {
  return v.kind === 'local' || v.kind === 'atlas' || v.kind === 'netns' ? v.id : `${v.kind}:${v.id}`
}


function rowDetail(r: CatchmentVantagePoint, note: string | undefined): string {
  const v = r.vantage
  const lines = [`vantage point ${vantageName(v)}${v.name ? ` (${v.name})` : ''}`]
  const where = [v.country, v.asn === null ? null : `AS${v.asn}`, v.lat !== null && v.lon !== null ? `${v.lat.toFixed(2)},${v.lon.toFixed(2)}` : null].filter(Boolean)
  if (where.length) lines.push(where.join(' · '))
  if (r.reached === null) {
    lines.push(`FAILED ${r.error?.code ?? ''}: ${r.error?.message ?? 'no result'}`)
    if (r.error?.hint) lines.push(`hint: ${r.error.hint}`)
  } else {
    lines.push(r.pop ? `PoP ${r.pop.code.toUpperCase()}${r.pop.city ? ` ${r.pop.city}` : ''}${r.pop.country ? `, ${r.pop.country}` : ''} (confidence ${r.pop.confidence.toFixed(2)})` : 'PoP unknown')
    const contra = contradictionText(r)
    if (contra) lines.push(contra)
    lines.push(`rtt ${pageMs(r.rttMs)} ms${r.reached ? '' : ' · destination NOT reached'}`)
    lines.push(`evidence: ${r.evidence ?? '-'}`)
  }
  if (note) lines.push(note)
  return lines.map((l) => esc(l, 400)).join('\n')
}

function popDetail(p: CatchmentPopShare): string {
  return [
    `PoP ${p.code.toUpperCase()}${p.city ? ` ${p.city}` : ''}${p.country ? `, ${p.country}` : ''}`,
    `${plural(p.vantagePoints.length, 'vantage point')}, share ${(p.share * 100).toFixed(1)}%, median rtt ${pageMs(p.medianRttMs)} ms`,
    `vantage points: ${p.vantagePoints.join(', ')}`,
  ]
    .map((l) => esc(l, 600))
    .join('\n')
}

/** The PoP group of each vantage point, as the catchment's pops list them (by id). */
function groupsById(c: CatchmentResult): Map<string, CatchmentPopShare> {
  const byId = new Map<string, CatchmentPopShare>()
  for (const p of c.pops) for (const id of p.vantagePoints) byId.set(id, p)
  return byId
}

export function catchmentMapSection(c: CatchmentResult, opts: CatchmentMapOptions = {}): string {
  // the region the vantage points and PoPs are in (the world when they span it)
  const points: Array<{lat: number; lon: number}> = []
  for (const r of c.vantagePoints) if (r.vantage.lat !== null && r.vantage.lon !== null) points.push({lat: r.vantage.lat, lon: r.vantage.lon})
  for (const p of c.pops) {
    const ll = popLatLon(p)
    if (ll) points.push(ll)
  }
  const w = regionWorld(points)
  const colors = opts.colors ?? new ColorMap()
  for (const p of c.pops) colors.get(p.code)
  const groups = groupsById(c)
  const gline = geoPath(w.projection).digits(1)

  const popXY = new Map<string, [number, number]>()
  for (const p of c.pops) {
    const ll = popLatLon(p)
    const xy = ll ? w.project(ll.lat, ll.lon) : null
    if (xy) popXY.set(p.code, xy)
  }

  const links: string[] = []
  const vps: string[] = []
  const labels: string[] = []
  const unplaced: string[] = []
  const many = c.vantagePoints.length > 40
  const rad = many ? 4 : 6.5
  // the vantage points drawn on the map, then laid out together (spread, labels) before drawing
  const onMap: Array<{r: CatchmentVantagePoint; xy: [number, number]; color: string; code: string; attrs: string; detail: string; hl: boolean; state: string; contradicted: boolean}> = []
  for (const r of c.vantagePoints) {
    const group = r.pop && r.reached !== null ? groups.get(r.vantage.id) : undefined
    const code = group?.code ?? r.pop?.code ?? ''
    const color = r.reached === null ? FAILED : code ? colors.get(code) : NO_POP
    const id = r.vantage.id
    const hl = opts.highlight?.has(id) ?? false
    const detail = rowDetail(r, opts.notes?.get(id))
    const state = r.reached === null ? 'failed' : r.reached ? 'reached' : 'unreached'
    const contradicted = r.reached !== null && Boolean(r.pop?.contradiction)
    const attrs = `data-vantage="${esc(id, 300)}" data-pop="${esc(code, 100)}" data-state="${state}"${contradicted ? ` data-contradiction="${esc(r.pop!.contradiction!.kind, 40)}"` : ''}`
    const v = r.vantage
    const xy = v.lat !== null && v.lon !== null ? w.project(v.lat, v.lon) : null
    if (xy === null || r.reached === null) {
      const what = r.reached === null ? `failed: ${r.error?.code ?? ''}` : code ? `${code.toUpperCase()} ${pageMs(r.rttMs)} ms${r.reached ? '' : ' (not reached)'}${contradicted ? ' !' : ''}` : 'no PoP'
      unplaced.push(
        `<li class="vp-unplaced${hl ? ' moved' : ''}" ${attrs}><title>${detail}</title><span class="sw${r.reached === false ? ' hollow' : ''}" style="background:${color}"></span>${esc(vantageName(v), 80)} · ${esc(what, 120)}</li>`,
      )
      continue
    }
    onMap.push({r, xy, color, code, attrs, detail, hl, state, contradicted})
    const target = code ? popXY.get(code) : undefined
    if (target && group && r.pop) {
      const ll = popLatLon(group)!
      const d = gline({type: 'LineString', coordinates: [[v.lon!, v.lat!], [ll.lon, ll.lat]]})
      if (d) links.push(`<path class="link" d="${d}" stroke="${color}"${r.reached ? '' : ' stroke-dasharray="4 3"'}${hl ? ' stroke-width="3"' : ''}/>`)
    }
  }
  // vantage points of one town on one spot: spread on a ring around it, a spoke to the spot (with
  // many, the dots are small and unlabelled: left where they are)
  const at = many ? onMap.map((m) => ({x: m.xy[0], y: m.xy[1], from: null})) : spreadColocated(onMap.map((m) => m.xy), rad * 2 + 3)
  onMap.forEach((m, i) => {
    const {x, y, from} = at[i]!
    if (from) links.push(`<line class="spoke" x1="${num(from[0])}" y1="${num(from[1])}" x2="${num(x)}" y2="${num(y)}" stroke="#555" stroke-width="1"/>`)
    vps.push(
      `<circle class="vp ${m.state}${m.hl ? ' moved' : ''}${m.contradicted ? ' contradicted' : ''}" ${m.attrs} cx="${num(x)}" cy="${num(y)}" r="${m.hl ? rad + 2 : rad}" fill="${m.color}"${m.r.reached === false ? ` style="stroke:${m.color}"` : ''}><title>${m.detail}</title></circle>` +
        // a red ring around the dot (not its outline: the dot may be a red PoP's colour itself)
        (m.contradicted ? `<circle class="contra-ring" cx="${num(x)}" cy="${num(y)}" r="${(m.hl ? rad + 2 : rad) + 3}"/>` : ''),
    )
  })

  const pops: string[] = []
  const drawnPops = c.pops.filter((p) => popXY.has(p.code))
  // labels: the PoPs' first (they matter most), then the vantage points' (not with many); none over
  // another label or another mark, a label with no free spot is left out (the name is in the legend
  // or the mark's hover text)
  const popHalf = 9 * Math.SQRT2
  // with many, vantage points of one town are one dot: a count beside each pile of 3 or more (a grid
  // of the dot's size, not chained clusters, which ran across a continent of probes)
  const piles: Array<{x: number; y: number; n: number}> = []
  if (many) {
    const cells = new Map<string, number[]>()
    at.forEach((p, i) => {
      const k = `${Math.floor(p.x / (rad * 2))},${Math.floor(p.y / (rad * 2))}`
      const m = cells.get(k)
      if (m) m.push(i)
      else cells.set(k, [i])
    })
    for (const m of cells.values()) if (m.length >= 3) piles.push({x: m.reduce((a, i) => a + at[i]!.x, 0) / m.length, y: m.reduce((a, i) => a + at[i]!.y, 0) / m.length, n: m.length})
    piles.sort((a, b) => b.n - a.n)
  }
  const wanted: LabelWanted[] = [
    ...drawnPops.map((p) => ({x: popXY.get(p.code)![0], y: popXY.get(p.code)![1], r: popHalf, text: sanitize(p.code.toUpperCase(), 20), size: 12, bold: true})),
    ...(many ? [] : onMap.map((m, i) => ({x: at[i]!.x, y: at[i]!.y, r: m.hl ? rad + 2 : rad, text: `${sanitize(vantageName(m.r.vantage), 40)}${m.contradicted ? ' !' : ''}`, size: 10.5}))),
    ...piles.map((p) => ({x: p.x, y: p.y, r: rad + 1, text: `×${p.n}`, size: 10.5})),
  ]
  const obstacles: Obstacle[] = [
    ...drawnPops.map((p, i) => ({...boxAround(popXY.get(p.code)![0], popXY.get(p.code)![1], popHalf), owner: i})),
    // with many, the dots are everywhere: only the PoPs' marks are kept clear
    ...(many ? [] : onMap.map((m, i) => ({...boxAround(at[i]!.x, at[i]!.y, m.hl ? rad + 2 : rad), owner: drawnPops.length + i}))),
  ]
  const spots = placeMapLabels(wanted, {width: MAP_WIDTH, height: MAP_HEIGHT, obstacles})
  const labelText = (i: number, cls: string, fill: string, extra = ''): string => {
    const l = spots[i]
    if (!l) return ''
    const wl = wanted[i]!
    const leader = l.leader ? `<line class="leader" x1="${num(wl.x)}" y1="${num(wl.y)}" x2="${num(Math.max(l.box.x0, Math.min(wl.x, l.box.x1)))}" y2="${num(Math.max(l.box.y0, Math.min(wl.y, l.box.y1)))}" stroke="#666" stroke-width="0.8"/>` : ''
    return `${leader}<text class="${cls}" x="${num(l.x)}" y="${num(l.y)}" text-anchor="${l.anchor}"${fill ? ` fill="${fill}"` : ''}${extra}>${esc(wl.text, 60)}</text>`
  }
  drawnPops.forEach((p, i) => {
    const xy = popXY.get(p.code)!
    const color = colors.get(p.code)
    const s = 9
    pops.push(
      `<g class="pop-site" data-pop-site="${esc(p.code, 100)}"><title>${popDetail(p)}</title><rect x="${num(xy[0] - s)}" y="${num(xy[1] - s)}" width="${s * 2}" height="${s * 2}" rx="2" fill="${color}" stroke="#222" stroke-width="1.5" transform="rotate(45 ${num(xy[0])} ${num(xy[1])})"/>` +
        `${labelText(i, 'lbl', color)}</g>`,
    )
  })
  if (!many) onMap.forEach((_, i) => labels.push(labelText(drawnPops.length + i, 'vlbl', '')))
  piles.forEach((p, i) => labels.push(labelText(drawnPops.length + i, 'vlbl', '', ` data-pile="${p.n}"`)))
  const unlabelled = spots.filter((l) => l === null).length

  const legendRows = c.pops.map((p) => {
    const drawn = popXY.has(p.code)
    return `<tr data-pop-legend="${esc(p.code, 100)}"><td><span class="sw sq" style="background:${colors.get(p.code)}"></span><b>${esc(p.code.toUpperCase(), 20)}</b></td><td>${esc([p.city, p.country].filter(Boolean).join(', ') || '-', 60)}${drawn ? '' : ' <i>(place unknown)</i>'}</td><td class="n">${p.vantagePoints.length}</td><td class="n">${(p.share * 100).toFixed(1)}%</td><td class="n">${pageMs(p.medianRttMs)}</td></tr>`
  })
  // vantage points that named a PoP only as a hint: counted apart (no line drawn to a PoP, in no
  // PoP's share), one row per hinted PoP marked '?', as the text table has them
  for (const p of c.hintedPops ?? []) {
    legendRows.push(`<tr data-pop-hint="${esc(p.code, 100)}"><td><span class="sw sq" style="background:${colors.get(p.code)}"></span><b>${esc(p.code.toUpperCase(), 20)}?</b></td><td>${esc([p.city, p.country].filter(Boolean).join(', ') || '-', 60)} <i>(only a hint)</i></td><td class="n">${p.vantagePoints.length}</td><td class="n">${(p.share * 100).toFixed(1)}%</td><td class="n">${pageMs(p.medianRttMs)}</td></tr>`)
  }
  const s = c.summary
  // answered but not drawn for want of a place (a RIPE Atlas download read without --probes): the
  // list alone did not say why they are off the map, nor how to put them on it
  const noPlace = c.vantagePoints.filter((r) => r.reached !== null && (r.vantage.lat === null || r.vantage.lon === null)).length
  // the vantage points whose PoP stands against their stated location, and why (the table's '!' list)
  const contradicted = c.vantagePoints.filter((r) => r.reached !== null && r.pop?.contradiction)
  const contraList = contradicted.length === 0
    ? ''
    : `<div data-contradictions="${contradicted.length}"><h3 style="font-size:14px;margin:8px 0 2px">! The PoP stands against the vantage point's stated location (${contradicted.length})</h3><ul class="plain">${contradicted.map((r) => `<li data-contradiction-of="${esc(r.vantage.id, 300)}"><b>${esc(vantageName(r.vantage), 80)}</b> ${esc(`${(r.pop!.code).toUpperCase()}: ${r.pop!.contradiction!.reason}`, 600)}</li>`).join('')}</ul></div>`
  const side = `<div class="side">
<table class="legend"><thead><tr><th>PoP</th><th>place</th><th>VPs</th><th>share</th><th>median ms</th></tr></thead><tbody>${legendRows.join('') || '<tr><td colspan="5">no PoP named</td></tr>'}</tbody></table>
<p class="sub"><span class="sw" style="background:${NO_POP}"></span>no PoP named &nbsp; <span class="sw hollow"></span>not reached &nbsp; <span class="sw" style="background:${FAILED}"></span>failed${contradicted.length ? ` &nbsp; <span class="sw contra"></span>! PoP against the stated location` : ''}</p>
<p class="sub">${plural(s.vantagePoints, 'vantage point')}: ${s.located} with a PoP named${s.hinted ? ` (${s.hinted} only as a hint: counted apart, in no PoP's share)` : ''}, ${s.unlocated} answered without one, ${s.failed} failed</p>
${unlabelled ? `<p class="sub" data-unlabelled="${unlabelled}">${plural(unlabelled, 'label')} left off the map where they would cover another: hover a mark for its name</p>` : ''}
${contraList}
${notOnMapList(unplaced)}
${noPlace ? `<p class="sub" data-no-location="${noPlace}">${plural(noPlace, 'vantage point')} answered but ${noPlace === 1 ? 'has' : 'have'} no location: --location NAME=LAT,LON or --locations FILE places them (raw RIPE Atlas results read by report: --probes FILE)</p>` : ''}
</div>`
  const svg = `<svg viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="catchment map">${worldSvg(w)}<g class="links">${links.join('')}</g><g class="pops">${pops.join('')}</g><g class="vps">${vps.join('')}</g><g class="labels">${labels.join('')}</g></svg>`
  return `<section class="catchment"><h2>${esc(opts.heading ?? 'Catchment', 120)}</h2><p class="sub">${esc(c.target, 200)} ${esc(methodWords(c), 60)}</p>${(opts.inputNotes ?? []).map((n) => `<p class="sub note" data-note>${esc(n, 1200)}</p>`).join('')}<div class="row"><div class="map">${svg}</div>${side}</div></section>`
}

// The sites map (for `anyprobe sites --html`): the discs that prove each site (a vantage point and
// the distance its RTT allows), the placed sites, the vantage points. Its input is this small
// interface; sitesMapInput builds it from the sites document (src/model/sites.ts) and the
// observations it was found from (which hold each vantage point's location).
//
// DOM contract: each vantage point's mark data-vantage and data-pop (the site code its disc proves,
// "" when none); each site data-pop-site; each disc data-disc (vantage id); each disc of a site seen
// but not placed data-disc-unplaced, listed with data-not-placed.
import {geoCircle, geoPath} from 'd3-geo'

import type {SiteObservation, SitesDocument} from '../../model/sites.js'

import {ColorMap} from './colors.js'
import {plural} from '../../util/plural.js'
import {sanitize} from '../../util/sanitize.js'
import {esc, num} from './escape.js'
import {boxAround, type LabelWanted, placeMapLabels} from './map-layout.js'
import {notOnMapList} from './not-on-map.js'
import {pageMs} from './numbers.js'
import {MAP_HEIGHT, MAP_WIDTH, regionWorld, worldSvg} from './world.js'

export interface SitesMapSite {
  code: string
  city: string | null
  country: string | null
  lat: number
  lon: number
  /** the evidence that placed it, in a few words */
  evidence: string | null
  /** how far from the place given the site could still be, km (the sites document's areaKm); null when unknown */
  areaKm: number | null
  confirmed: boolean
  /** how it was found (the sites document's `source`: disjoint = proven by its disc), when known */
  source?: string | null
}

export interface SitesMapDisc {
  vantageId: string
  lat: number
  lon: number
  radiusKm: number
  /** the site this disc bounds */
  site: string | null
  rttMs: number | null
}

export interface SitesMapVantage {
  id: string
  lat: number | null
  lon: number | null
  site: string | null
}

export interface SitesMapInput {
  target: string
  sites: SitesMapSite[]
  discs: SitesMapDisc[]
  vantagePoints: SitesMapVantage[]
  /** discs that most likely hold a site not found, not placed (the document's notPlaced) */
  notPlaced?: Array<{vantageId: string; lat: number; lon: number; radiusKm: number; rttMs: number; note: string}>
  /** what reading the input left out and why, as stderr says it (the document's inputNotes: '276 RIPE Atlas probes have no location here: give ... --probes') */
  notes?: string[]
}

const KM_PER_DEGREE = 111.195

/** A site's name on the map: its code, else its city, else its number (made unique: it is a key). */
function siteKeys(doc: SitesDocument): string[] {
  const seen = new Set<string>()
  return doc.sites.map((s, i) => {
    let k = s.code?.toUpperCase() ?? s.city ?? `site ${i + 1}`
    if (seen.has(k)) k = `${k} ${i + 1}`
    seen.add(k)
    return k
  })
}

/**
 * The map of a sites document: each site with the discs its evidence names (only those: the discs
 * that prove it), every observed vantage point at its location, marked with the site whose
 * evidence names it (a disc or an identity), none otherwise.
 */
export function sitesMapInput(doc: SitesDocument, obs: readonly SiteObservation[]): SitesMapInput {
  const keys = siteKeys(doc)
  const where = new Map(obs.map((o) => [o.vp, o]))
  const siteOf = new Map<string, string>()
  const discs: SitesMapDisc[] = []
  doc.sites.forEach((s, i) => {
    for (const e of s.evidence) {
      if (!siteOf.has(e.vp)) siteOf.set(e.vp, keys[i]!)
      const o = where.get(e.vp)
      // a disc (or the disc an identity was found inside), once per vantage point and site
      if (e.radiusKm === null || o === undefined || o.lat === null || o.lon === null || discs.some((d) => d.vantageId === e.vp && d.site === keys[i])) continue
      discs.push({vantageId: e.vp, lat: o.lat, lon: o.lon, radiusKm: e.radiusKm, site: keys[i]!, rttMs: e.rttMs})
    }
  })
  const evidenceText = (s: SitesDocument['sites'][number]): string | null =>
    s.evidence.length === 0 ? null : s.evidence.slice(0, 4).map((e) => e.note).join('; ') + (s.evidence.length > 4 ? ` (+${s.evidence.length - 4})` : '')
  return {
    target: doc.target ?? '',
    sites: doc.sites.map((s, i) => ({code: keys[i]!, city: s.city, country: s.country, lat: s.lat, lon: s.lon, evidence: evidenceText(s), areaKm: s.areaKm, confirmed: s.confirmed, source: s.source})),
    discs,
    vantagePoints: obs.map((o) => ({id: o.vp, lat: o.lat, lon: o.lon, site: siteOf.get(o.vp) ?? null})),
    notes: doc.inputNotes ?? [],
    notPlaced: (doc.notPlaced ?? []).flatMap((n) => {
      const o = where.get(n.vp)
      return o === undefined || o.lat === null || o.lon === null ? [] : [{vantageId: n.vp, lat: o.lat, lon: o.lon, radiusKm: n.radiusKm, rttMs: n.rttMs, note: n.note}]
    }),
  }
}

export function sitesMapSection(input: SitesMapInput, opts: {heading?: string} = {}): string {
  // the region the vantage points and sites are in (the world when they span it)
  const located = input.vantagePoints.filter((v): v is SitesMapVantage & {lat: number; lon: number} => v.lat !== null && v.lon !== null)
  const w = regionWorld([...located, ...input.sites])
  const colors = new ColorMap()
  for (const s of input.sites) colors.get(s.code)
  const path = geoPath(w.projection).digits(1)
  /** the SVG path of a disc of `radiusKm` around a place */
  const discPath = (lat: number, lon: number, radiusKm: number): string => path(geoCircle().center([lon, lat]).radius(Math.min(179, radiusKm / KM_PER_DEGREE)).precision(2)()) ?? ''
  const discs = input.discs.map((d) => {
    const c = d.site ? colors.get(d.site) : '#777'
    return `<path class="disc" data-disc="${esc(d.vantageId, 200)}" d="${discPath(d.lat, d.lon, d.radiusKm)}" fill="${c}" stroke="${c}"><title>${esc(`${d.vantageId}: within ${Math.round(d.radiusKm)} km${d.rttMs === null ? '' : ` (rtt ${pageMs(d.rttMs)} ms)`}${d.site ? ` → ${d.site}` : ''}`, 300)}</title></path>`
  })
  // a site is somewhere in each of these, where is not said: a dashed outline, no fill
  for (const n of input.notPlaced ?? []) {
    discs.push(`<path class="disc-unplaced" data-disc-unplaced="${esc(n.vantageId, 200)}" d="${discPath(n.lat, n.lon, n.radiusKm)}" fill="none" stroke="#555" stroke-dasharray="4 3"><title>${esc(`${n.vantageId}: a site within ${n.radiusKm} km, not placed (${n.note})`, 400)}</title></path>`)
  }
  const vps: string[] = []
  const unplaced: string[] = []
  for (const v of input.vantagePoints) {
    const xy = v.lat !== null && v.lon !== null ? w.project(v.lat, v.lon) : null
    const attrs = `data-vantage="${esc(v.id, 200)}" data-pop="${esc(v.site ?? '', 100)}"`
    const c = v.site ? colors.get(v.site) : '#777'
    if (!xy) unplaced.push(`<li class="vp-unplaced" ${attrs}>${esc(v.id, 80)}</li>`)
    else vps.push(`<circle class="vp" ${attrs} cx="${num(xy[0])}" cy="${num(xy[1])}" r="4.5" fill="${c}"><title>${esc(v.id, 200)}</title></circle>`)
  }
  // the sites' labels: in the document's order (its first are the best proven), each beside its
  // mark where it covers no other label or site mark (Frankfurt, London, Amsterdam, Paris were drawn
  // over each other), else left off: the site is in the table beside the map and in its hover text
  const drawn = input.sites.flatMap((s) => {
    const xy = w.project(s.lat, s.lon)
    return xy ? [{s, xy}] : []
  })
  const wanted: LabelWanted[] = drawn.map(({s, xy}) => ({x: xy[0], y: xy[1] - 2, r: 9, text: sanitize(s.code, 20), size: 12, bold: true}))
  const spots = placeMapLabels(wanted, {width: MAP_WIDTH, height: MAP_HEIGHT, obstacles: drawn.map(({xy}, i) => ({...boxAround(xy[0], xy[1] - 2, 9), owner: i}))})
  const sites: string[] = []
  drawn.forEach(({s, xy}, i) => {
    const c = colors.get(s.code)
    const detail = [`site ${s.code}${s.city ? ` ${s.city}` : ''}${s.country ? `, ${s.country}` : ''}`, s.confirmed ? 'confirmed' : 'not confirmed', s.areaKm === null ? null : `within ${Math.round(s.areaKm)} km of this place`, s.evidence ? `evidence: ${s.evidence}` : null]
      .filter((l): l is string => l !== null)
      .map((l) => esc(l, 300))
      .join('\n')
    const l = spots[i]
    const leader = l?.leader ? `<line class="leader" x1="${num(xy[0])}" y1="${num(xy[1] - 2)}" x2="${num(Math.max(l.box.x0, Math.min(xy[0], l.box.x1)))}" y2="${num(Math.max(l.box.y0, Math.min(xy[1] - 2, l.box.y1)))}" stroke="${c}" stroke-width="0.8"/>` : ''
    const label = l ? `${leader}<text class="lbl" x="${num(l.x)}" y="${num(l.y)}" text-anchor="${l.anchor}" fill="${c}">${esc(wanted[i]!.text, 40)}</text>` : ''
    sites.push(
      `<g class="site-mark" data-pop-site="${esc(s.code, 100)}"><title>${detail}</title><path class="site" d="M${num(xy[0])} ${num(xy[1] - 10)}l9 16h-18z" fill="${c}"${s.confirmed ? '' : ' fill-opacity="0.4" stroke-dasharray="3 2"'}/>${label}</g>`,
    )
  })
  const unlabelled = spots.filter((l) => l === null).length
  const legend = input.sites
    .map((s) => `<tr data-pop-legend="${esc(s.code, 100)}"><td><span class="sw sq" style="background:${colors.get(s.code)}"></span><b>${esc(s.code, 20)}</b></td><td>${esc([s.city, s.country].filter(Boolean).join(', ') || '-', 60)}</td><td>${s.confirmed ? 'confirmed' : esc(s.source ?? 'possible', 20)}</td><td class="n">${s.areaKm === null ? '-' : Math.round(s.areaKm)}</td></tr>`)
    .join('')
  const svg = `<svg viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="sites map">${worldSvg(w)}<g class="discs">${discs.join('')}</g><g class="vps">${vps.join('')}</g><g class="sites">${sites.join('')}</g></svg>`
  return `<section class="sites"><h2>${esc(opts.heading ?? 'Sites', 120)}</h2><p class="sub">${input.target === '' ? '' : `${esc(input.target, 200)}: `}${plural(input.sites.length, 'site')} from ${plural(input.discs.length, 'disc')}${(input.notPlaced ?? []).length > 0 ? `, ${(input.notPlaced ?? []).length} more seen but not placed` : ''}${unlabelled ? `<span data-unlabelled="${unlabelled}">; ${unlabelled} named only in the table (their labels would cover others)</span>` : ''}</p>${(input.notes ?? []).map((n) => `<p class="sub note" data-note>${esc(n, 400)}</p>`).join('')}<div class="row"><div class="map">${svg}</div><div class="side"><table><thead><tr><th>site</th><th>place</th><th>how</th><th>within km</th></tr></thead><tbody>${legend || '<tr><td colspan="4">no site found</td></tr>'}</tbody></table>${(input.notPlaced ?? []).length ? `<h3 style="font-size:14px">Seen, not placed (dashed)</h3><ul class="plain">${(input.notPlaced ?? []).map((n) => `<li data-not-placed="${esc(n.vantageId, 200)}">${esc(`${n.vantageId}: a site within ${n.radiusKm} km`, 200)}</li>`).join('')}</ul>` : ''}${notOnMapList(unplaced)}</div></div></section>`
}

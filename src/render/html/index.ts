// The HTML report: one self-contained file (see ./page.ts) of the sections a command has: a
// catchment map, a failover timeline, a sites map, a diff. Each builder returns the whole page.
import type {CatchmentResult} from '../../model/catchment.js'
import {catchmentMapSection} from './catchment-map.js'
import {ColorMap} from './colors.js'
import {esc} from './escape.js'
import {htmlPage} from './page.js'
import {type SitesMapInput, sitesMapSection} from './sites-map.js'
import type {TimelineData} from './timeline-data.js'
import {timelineSection} from './timeline.js'

export {catchmentMapSection} from './catchment-map.js'
export {TimelineCollector, type TimelineData} from './timeline-data.js'
export {timelineSection} from './timeline.js'
export {sitesMapSection, type SitesMapInput} from './sites-map.js'
export {esc} from './escape.js'

export interface HtmlReportParts {
  catchment?: CatchmentResult | null
  timeline?: TimelineData | null
  /** a saved file holding several watches (--out appends): one timeline each, in file order (instead of `timeline`) */
  timelines?: TimelineData[]
  sites?: SitesMapInput | null
  title?: string
  note?: string
  /** what reading left out (report's input.notes, catchment's one-target notes): on the catchment section, else at the top */
  notes?: readonly string[]
}

/** The page of whatever parts there are (a report of a file may have a catchment, a watch, or both). */
export function htmlReport(parts: HtmlReportParts): string {
  const colors = new ColorMap()
  const sections: string[] = []
  const notes = parts.notes ?? []
  if (parts.catchment) sections.push(catchmentMapSection(parts.catchment, {colors, inputNotes: notes}))
  else if (notes.length > 0) sections.push(`<section class="notes">${notes.map((n) => `<p class="sub note" data-note>${esc(n, 1200)}</p>`).join('')}</section>`)
  if (parts.timeline) sections.push(timelineSection(parts.timeline, {colors}))
  const many = parts.timelines ?? []
  many.forEach((t, i) => sections.push(timelineSection(t, {colors, ...(many.length > 1 ? {heading: `Failover timeline: watch ${i + 1} of ${many.length}`} : {})})))
  if (parts.sites) sections.push(sitesMapSection(parts.sites))
  const target = parts.catchment?.target || parts.timeline?.start?.target || many[0]?.start?.target || parts.sites?.target || ''
  const title = parts.title ?? `anyprobe${target ? `: ${target}` : ''}`
  return htmlPage(title, sections, parts.note ?? `generated ${new Date().toISOString().slice(0, 19)}Z`)
}

// --html FILE and --locations FILE, shared by report, catchment, watch and diff: the flags, and the
// one call each command makes to write its page (src/render/html). Not a command itself.
import * as Flags from '@oclif/core/flags'

import type {CatchmentResult} from '../analysis/catchment.js'
import {htmlReport, type HtmlReportParts} from '../render/html/index.js'
import {writeHtml} from '../render/html/write.js'
import {readLocations, withLocations} from '../vantage/locations.js'

export const htmlFlags = {
  html: Flags.string({
    description: 'also write a self-contained HTML page to FILE (catchment map, failover timeline of a watch): opens offline, fetches nothing',
    helpGroup: 'OUTPUT',
  }),
  locations: Flags.string({
    description: 'vantage point locations for the map, for those that carry none (netns, ssh, local): a file of "ID LAT LON [COUNTRY]" lines',
    helpGroup: 'OUTPUT',
  }),
}

/** The catchment with --locations applied (read once; a bad file fails before anything is measured). */
export function locator(flags: {locations?: string}): (c: CatchmentResult) => CatchmentResult {
  const locs = flags.locations === undefined ? null : readLocations(flags.locations)
  return (c) => withLocations(c, locs)
}

export function writeHtmlReport(path: string, parts: HtmlReportParts): void {
  writeHtml(path, htmlReport(parts))
}

// --html FILE, --locations FILE and --location NAME=LAT,LON, shared by report, catchment, watch,
// diff and sites: the flags, and the one call each command makes to write its page
// (src/render/html). Not a command itself. The locations are attached in src/vantage/locations.ts.
import * as Flags from '@oclif/core/flags'

import type {CatchmentResult} from '../analysis/catchment.js'
import {formatError} from '../base-command.js'
import {htmlReport, type HtmlReportParts} from '../render/html/index.js'
import {writeHtml} from '../render/html/write.js'
import type {VantagePoint} from '../model/vantage.js'
import type {ReportItem} from '../store/read.js'
import {locateItem} from '../vantage/located-verdict.js'
import {type Locations, locationsOf, unmatchedLocations, unmatchedLocationsWarning, withLocations} from '../vantage/locations.js'

/** Where vantage points without a location of their own are (netns, ssh, local): for maps, tables, JSON, sites. */
export const locationFlags = {
  locations: Flags.string({
    description: 'where vantage points without a location of their own (netns, ssh, local) are: a file of "ID LAT LON [COUNTRY]" lines. Not --vp-location of trace/dns/http, which is where this host is',
    helpGroup: 'LOCATIONS',
  }),
  location: Flags.string({
    // one value per --location: `report --location ap-vp-ber=FRA FILE` took FILE for a second location
    multiple: true,
    multipleNonGreedy: true,
    description: 'NAME=LAT,LON or NAME=FRA (an airport code or city, which also gives the country): where one vantage point is (its id or name, decimal degrees); repeatable, wins over --locations; a NAME that matches no vantage point is warned about',
    helpGroup: 'LOCATIONS',
  }),
}

/** --html FILE, its help saying what this command's page shows ("the catchment map"). */
export function htmlFlag(what: string) {
  return Flags.string({description: `also write a self-contained HTML page to FILE: ${what}; opens offline, fetches nothing`, helpGroup: 'OUTPUT'})
}

/** --html with what this command's page shows, and the location flags its map uses. */
export function htmlFlagsFor(what: string) {
  return {html: htmlFlag(what), ...locationFlags}
}

/** The flag names (commands skip them when building a probe plan); each command's --html says its own page. */
export const htmlFlags = htmlFlagsFor('the page of the command')

/** --locations / --location read once: a bad file or value fails before anything is measured. */
export function locationsFromFlags(flags: {locations?: string; location?: string[]}): Locations | null {
  return locationsOf(flags)
}

/**
 * Says on stderr which --location / --locations names matched none of these vantage points (a
 * typo placed nothing, silently), each name once however often it is called (`warned`).
 */
export function warnUnmatchedLocations(locs: Locations | null, vantages: readonly VantagePoint[], warned: Set<string> = new Set()): void {
  const names = unmatchedLocations(locs, vantages).filter((n) => !warned.has(n))
  const w = unmatchedLocationsWarning(names, vantages)
  if (w === null) return
  for (const n of names) warned.add(n)
  process.stderr.write(`warning: ${w}\n`)
}

/** --locations / --location for a command that reads saved files (report, diff): see locator. */
export interface Locator {
  /** the catchment with the locations applied; a name that matched no vantage point of it is warned about */
  <T extends CatchmentResult>(c: T): T
  /**
   * One item read, placed BEFORE the catchment is built, so its PoP is judged with the location
   * (vantage/located-verdict.ts): placed only afterwards, a location the RTT rules out went unflagged.
   */
  item(i: ReportItem): ReportItem
}

/** The --locations / --location of a command that reads saved files: each item placed as read, the catchment after. */
export function locator(flags: {locations?: string; location?: string[]}): Locator {
  const locs = locationsOf(flags)
  const warned = new Set<string>()
  const locate = <T extends CatchmentResult>(c: T): T => {
    warnUnmatchedLocations(locs, c.vantagePoints.map((r) => r.vantage), warned)
    return withLocations(c, locs)
  }
  return Object.assign(locate, {item: (i: ReportItem): ReportItem => locateItem(i, locs)})
}

/** Write the page; false (and the error said on stderr) when it could not be: the exit code is then 10 at most. */
export function writeHtmlReport(path: string, parts: HtmlReportParts): boolean {
  const e = writeHtml(path, htmlReport(parts))
  if (e !== null) process.stderr.write(formatError(e))
  return e === null
}

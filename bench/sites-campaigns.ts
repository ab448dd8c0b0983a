// Campaigns whose truth is an operator's published site list rather than what each vantage point
// was told (test/fixtures/sites/README.md): RIPE Atlas ping results as iGreedy2.0 stores them (one
// line per probe: id, latitude, longitude, the RTTs of its pings; "-" = missing) and the list of
// sites (IATA code, latitude, longitude, city). No identities: latency only.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {SiteObservation} from '../src/analysis/sites/index.js'
import {airportByIata} from '../src/geo/airports.js'
import {parseTruth} from '../src/store/truth-file.js'
import {SITES_DIR, type Campaign} from '../test/helpers/sites-fixtures.js'
import type {Listed} from './sites-igreedy2-score.js'

function rows(file: string, dir = SITES_DIR): string[][] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'))
}

const num = (s: string | undefined): number | null => (s === undefined || s === '-' || s.trim() === '' ? null : Number(s))

export interface PublishedCampaign extends Campaign {
  /** the list as iGreedy2.0's validation reads it: town and country of each entry, duplicates kept (./sites-igreedy2-score.ts) */
  listed: Listed[]
}

/**
 * `pings`: the campaign; `sites`: the published list it is scored against (CODE LAT LON and a name:
 * "Town, CC" in the root letters' lists, the city in Cloudflare's, whose country is its airport's).
 * The one-to-one truth is the list as `sites --truth` reads it: entries within 25 km of one listed
 * before are one site (root-servers.org lists K-root's two Berlin sites).
 */
export function loadPublishedCampaign(pings: string, sites: string, dir = SITES_DIR): PublishedCampaign {
  const obs: SiteObservation[] = rows(pings, dir).map(([id, lat, lon, ...rtts]) => {
    const ok = rtts.map(num).filter((r): r is number => r !== null)
    return {vp: `atlas:${id}`, lat: num(lat), lon: num(lon), rttMs: ok.length === 0 ? null : Math.min(...ok), identity: null}
  })
  const listed: Array<Listed & {code: string}> = rows(sites, dir).map(([code, lat, lon, name]) => {
    const m = /^(.*), ([A-Z]{2})$/.exec(name ?? '')
    const town = m ? m[1]! : (name ?? null)
    const country = m ? m[2]! : (airportByIata(code!)?.country ?? null)
    return {code: code!, lat: Number(lat), lon: Number(lon), town, country}
  })
  // the one-to-one truth is what `sites --truth FILE` reads from the same file (entries at one place count once)
  const truth = parseTruth(readFileSync(join(dir, sites), 'utf8'), sites).sites
  return {name: pings.replace(/\.tsv$/, ''), obs, truth, listed}
}

/** The published-list campaigns committed: [pings file, sites file]. */
export const PUBLISHED_CAMPAIGNS: Array<[string, string]> = [
  ['cloudflare-atlas-300.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-500.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-1000.tsv', 'cloudflare-europe-published.tsv'],
  // the root letters from iGreedy2.0, scored against root-servers.org's lists (whole world: the
  // recall is of every listed site, most of them out of reach of probes in Europe)
  ['a-atlas-300.tsv', 'root-a-published.tsv'],
  ['a-atlas-1000.tsv', 'root-a-published.tsv'],
  ['b-atlas-100.tsv', 'root-b-published.tsv'],
  ['c-atlas-100.tsv', 'root-c-published.tsv'],
  ['c-atlas-500.tsv', 'root-c-published.tsv'],
  ['e-atlas-300.tsv', 'root-e-published.tsv'],
  ['h-atlas-1000.tsv', 'root-h-published.tsv'],
  ['i-atlas-300.tsv', 'root-i-published.tsv'],
  ['j-atlas-100.tsv', 'root-j-published.tsv'],
  ['k-atlas-500.tsv', 'root-k-published.tsv'],
  ['l-atlas-300.tsv', 'root-l-published.tsv'],
  ['m-atlas-300.tsv', 'root-m-published.tsv'],
  // the second batch, read after LIKELY_METRO_KM was set
  ['e-atlas-500.tsv', 'root-e-published.tsv'],
  ['h-atlas-100.tsv', 'root-h-published.tsv'],
  ['h-atlas-300.tsv', 'root-h-published.tsv'],
  ['j-atlas-300.tsv', 'root-j-published.tsv'],
  ['a-atlas-500.tsv', 'root-a-published.tsv'],
  ['c-atlas-300.tsv', 'root-c-published.tsv'],
  ['d-atlas-section.tsv', 'root-d-published.tsv'],
  ['cloudflare-atlas-section.tsv', 'cloudflare-europe-published.tsv'],
  ['f-atlas-100.tsv', 'root-f-published.tsv'],
  ['f-atlas-300.tsv', 'root-f-published.tsv'],
  ['f-atlas-1000.tsv', 'root-f-published.tsv'],
  ['k-atlas-300.tsv', 'root-k-published.tsv'],
  ['k-atlas-1000.tsv', 'root-k-published.tsv'],
  ['m-atlas-500.tsv', 'root-m-published.tsv'],
  ['m-atlas-1000.tsv', 'root-m-published.tsv'],
  // the holdout: probes chosen on a grid ("section" 2 and 1.5), transcribed after every parameter
  // was set and scored once with the rule decided beforehand (fixtures README)
  ['a-atlas-section2.tsv', 'root-a-published.tsv'],
  ['c-atlas-section2.tsv', 'root-c-published.tsv'],
  ['e-atlas-section2.tsv', 'root-e-published.tsv'],
  ['f-atlas-section2.tsv', 'root-f-published.tsv'],
  ['h-atlas-section2.tsv', 'root-h-published.tsv'],
  ['i-atlas-section2.tsv', 'root-i-published.tsv'],
  ['j-atlas-section2.tsv', 'root-j-published.tsv'],
  ['k-atlas-section2.tsv', 'root-k-published.tsv'],
  ['k-atlas-section15.tsv', 'root-k-published.tsv'],
  ['l-atlas-section2.tsv', 'root-l-published.tsv'],
  ['cloudflare-atlas-section2.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-section15.tsv', 'cloudflare-europe-published.tsv'],
  // the second holdout (round 4): grid campaigns "section" 1 and 1.5 and Cloudflare's per-country
  // campaigns, transcribed after the method was frozen (/work/notes/prereg2.md) and scored once
  ['a-atlas-section1.tsv', 'root-a-published.tsv'],
  ['a-atlas-section15.tsv', 'root-a-published.tsv'],
  ['c-atlas-section1.tsv', 'root-c-published.tsv'],
  ['c-atlas-section15.tsv', 'root-c-published.tsv'],
  ['e-atlas-section1.tsv', 'root-e-published.tsv'],
  ['e-atlas-section15.tsv', 'root-e-published.tsv'],
  ['f-atlas-section1.tsv', 'root-f-published.tsv'],
  ['f-atlas-section15.tsv', 'root-f-published.tsv'],
  ['h-atlas-section1.tsv', 'root-h-published.tsv'],
  ['h-atlas-section15.tsv', 'root-h-published.tsv'],
  ['i-atlas-section1.tsv', 'root-i-published.tsv'],
  ['i-atlas-section15.tsv', 'root-i-published.tsv'],
  ['j-atlas-section1.tsv', 'root-j-published.tsv'],
  ['k-atlas-section1.tsv', 'root-k-published.tsv'],
  ['l-atlas-section1.tsv', 'root-l-published.tsv'],
  ['l-atlas-section15.tsv', 'root-l-published.tsv'],
  ['cloudflare-atlas-countries5.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-countries10.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-countries15.tsv', 'cloudflare-europe-published.tsv'],
  // F-root worldwide and on 8 April 2023: transcribed in the same round, scored after the 19 above,
  // the method still unchanged
  ['f-atlas-world-1000.tsv', 'root-f-published.tsv'],
  ['f-atlas-0408-300.tsv', 'root-f-published.tsv'],
  ['f-atlas-0408-1000.tsv', 'root-f-published.tsv'],
  // the third holdout (round 5): 16 campaigns transcribed after the method was frozen at f1f4f33
  // (/work/notes/prereg3.md: B and D root, M on a grid, J section 1.5, L from 1000 probes, F of 8
  // April from 100 and 500) and scored once
  ['b-atlas-500.tsv', 'root-b-published.tsv'],
  ['b-atlas-1000.tsv', 'root-b-published.tsv'],
  ['b-atlas-section1.tsv', 'root-b-published.tsv'],
  ['b-atlas-section15.tsv', 'root-b-published.tsv'],
  ['b-atlas-section2.tsv', 'root-b-published.tsv'],
  ['d-atlas-500.tsv', 'root-d-published.tsv'],
  ['d-atlas-section1.tsv', 'root-d-published.tsv'],
  ['d-atlas-section2.tsv', 'root-d-published.tsv'],
  ['d-atlas-section15b.tsv', 'root-d-published.tsv'],
  ['j-atlas-section15.tsv', 'root-j-published.tsv'],
  ['l-atlas-1000.tsv', 'root-l-published.tsv'],
  ['m-atlas-section1.tsv', 'root-m-published.tsv'],
  ['m-atlas-section15.tsv', 'root-m-published.tsv'],
  ['m-atlas-section2.tsv', 'root-m-published.tsv'],
  ['f-atlas-0408-100.tsv', 'root-f-published.tsv'],
  ['f-atlas-0408-500.tsv', 'root-f-published.tsv'],
]

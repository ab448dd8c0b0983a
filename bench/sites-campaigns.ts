// Campaigns whose truth is an operator's published site list rather than what each vantage point
// was told (test/fixtures/sites/README.md): RIPE Atlas ping results as iGreedy2.0 stores them (one
// line per probe: id, latitude, longitude, the RTTs of its pings; "-" = missing) and the list of
// sites (IATA code, latitude, longitude, city). No identities: latency only.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {SiteObservation} from '../src/analysis/sites/index.js'
import {SITES_DIR, type Campaign} from '../test/helpers/sites-fixtures.js'

function rows(file: string): string[][] {
  return readFileSync(join(SITES_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'))
}

const num = (s: string | undefined): number | null => (s === undefined || s === '-' || s.trim() === '' ? null : Number(s))

/** `pings`: the campaign; `sites`: the published list it is scored against. */
export function loadPublishedCampaign(pings: string, sites: string): Campaign {
  const obs: SiteObservation[] = rows(pings).map(([id, lat, lon, ...rtts]) => {
    const ok = rtts.map(num).filter((r): r is number => r !== null)
    return {vp: `atlas:${id}`, lat: num(lat), lon: num(lon), rttMs: ok.length === 0 ? null : Math.min(...ok), identity: null}
  })
  const truth = rows(sites).map(([code, lat, lon]) => ({code: code!, lat: Number(lat), lon: Number(lon)}))
  return {name: pings.replace(/\.tsv$/, ''), obs, truth}
}

/** The published-list campaigns committed: [pings file, sites file]. */
export const PUBLISHED_CAMPAIGNS: Array<[string, string]> = [
  ['cloudflare-atlas-300.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-500.tsv', 'cloudflare-europe-published.tsv'],
  ['cloudflare-atlas-1000.tsv', 'cloudflare-europe-published.tsv'],
]

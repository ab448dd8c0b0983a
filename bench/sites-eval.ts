// Precision / recall of `sites` against iGreedy (alpha = 1) on the committed campaigns
// (test/fixtures/sites/, see its README), scored as iGreedy's validation does (100 km, one-to-one).
//   node --import tsx bench/sites-eval.ts [FILE...]
// Columns: iGreedy (latency only, our re-implementation, same candidate cities); `sites` latency
// only (the fair comparison); `sites` with the identities of 1 vantage point in 4 (a campaign where
// only some vantage points return an identity: truth still comes from all of them); `sites` with
// every identity (an upper bound: the truth is made of those same identities). Then, where the
// operator published a site list (Cloudflare), the share of found sites within 100 km of a
// published site.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {findSites, iGreedyBaseline, scoreSites, citySource, type SiteObservation} from '../src/analysis/sites/index.js'
import {distanceKm} from '../src/analysis/sites/discs.js'
import {airportByIata} from '../src/geo/airports.js'
import {latencyOnly, loadCampaign, SITES_DIR} from '../test/helpers/sites-fixtures.js'
import {loadPublishedCampaign, PUBLISHED_CAMPAIGNS} from './sites-campaigns.js'
import {NORTH_CENTRAL, scoreLikeIGreedy2} from './sites-igreedy2-score.js'

export const EVAL_FILES = ['f-ripe.tsv', 'f-ripe.tsv+f-ripe-mid.tsv', 'f-ripe-sample.tsv', 'l-ripe.tsv', 'l-ripe-sample.tsv', 'k-ripe-sample.tsv', 'cloudflare-planetlab.tsv', 'edgecast-planetlab.tsv', 'cira-ripe.tsv', 'cloudflare-dns-africa.tsv']

/** Keep the identity of 1 vantage point in `n` (chosen by a hash of its id, not by its RTT or site). */
export function someIdentities(obs: readonly SiteObservation[], n = 4): SiteObservation[] {
  return obs.map((o) => {
    let h = 2_166_136_261
    for (let i = 0; i < o.vp.length; i++) h = Math.imul(h ^ o.vp.charCodeAt(i), 16_777_619) >>> 0
    return h % n === 0 ? o : {...o, identity: null}
  })
}

/** Share of found sites within 100 km of a site on the operator's published list (IATA codes). */
export function publishedPrecision(found: ReadonlyArray<{lat: number; lon: number}>, listFile: string): number | null {
  const places = readFileSync(join(SITES_DIR, listFile), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((code) => airportByIata(code.trim()))
    .filter((a) => a !== null)
  if (found.length === 0) return null
  return found.filter((f) => places.some((p) => distanceKm(f, p) <= 100)).length / found.length
}

const PUBLISHED: Record<string, string> = {'cloudflare-planetlab.tsv': 'cloudflare-published.txt'}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : EVAL_FILES
  const fmt = (n: number | null): string => (n === null ? '  -  ' : n.toFixed(2))
  const pr = (s: {precision: number | null; recall: number | null; found: number}): string => `${fmt(s.precision)} / ${fmt(s.recall)} (${s.found})`
  console.log('| target | VPs | true sites | iGreedy P / R (found) | sites, latency only | sites + ids of 1 VP in 4 | sites + all ids (upper bound) |')
  console.log('|---|---|---|---|---|---|---|')
  const notes: string[] = []
  for (const f of files) {
    const c = loadCampaign(f)
    const base = iGreedyBaseline(latencyOnly(c), citySource)
    const lat = findSites(latencyOnly(c), {identities: false})
    const some = findSites(someIdentities(c.obs))
    const all = findSites(c.obs)
    console.log(`| ${c.name} | ${c.obs.length} | ${c.truth.length} | ${pr(scoreSites(base.sites, c.truth))} | ${pr(scoreSites(lat.sites, c.truth))} | ${pr(scoreSites(some.sites, c.truth))} | ${pr(scoreSites(all.sites, c.truth))} |`)
    const list = PUBLISHED[f]
    if (list !== undefined) notes.push(`${c.name}: found sites within 100 km of a published site (${list}): iGreedy ${fmt(publishedPrecision(base.sites, list))}, latency only ${fmt(publishedPrecision(lat.sites, list))}, all ids ${fmt(publishedPrecision(all.sites, list))}`)
  }
  if (process.argv.slice(2).length === 0) {
    const v2: string[] = []
    for (const [pings, sites] of PUBLISHED_CAMPAIGNS) {
      const c = loadPublishedCampaign(pings, sites)
      const base = iGreedyBaseline(c.obs, citySource)
      const lat = findSites(c.obs, {identities: false})
      const located = c.obs.filter((o) => o.lat !== null && o.rttMs !== null).length
      console.log(`| ${c.name} (truth: published list) | ${located} | ${c.truth.length} | ${pr(scoreSites(base.sites, c.truth))} | ${pr(scoreSites(lat.sites, c.truth))} | no identities | no identities |`)
      const a = scoreLikeIGreedy2(base.sites, c.listed, NORTH_CENTRAL)
      const b = scoreLikeIGreedy2(lat.sites, c.listed, NORTH_CENTRAL)
      v2.push(`| ${c.name} | ${a.tp + a.fn} | ${fmt(a.precision)} / ${fmt(a.recall)} (${a.tp} TP, ${a.fp} FP) | ${fmt(b.precision)} / ${fmt(b.recall)} (${b.tp} TP, ${b.fp} FP) |`)
    }
    console.log('\nThe published-list campaigns scored as iGreedy2.0\'s validation does (./sites-igreedy2-score.ts: area North-Central, a hit takes every listed site within 100 km):\n')
    console.log('| campaign | listed sites scored (TP + FN of the iGreedy run) | iGreedy P / R | sites, latency only P / R |\n|---|---|---|---|')
    for (const l of v2) console.log(l)
  }
  for (const n of notes) console.log(`\n${n}`)
}

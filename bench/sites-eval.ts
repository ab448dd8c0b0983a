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
  const pr = (s: {precision: number | null; recall: number | null; found: number; hits: number}): string => `${fmt(s.precision)} / ${fmt(s.recall)} (${s.hits} of ${s.found})`
  // latency only against iGreedy, per campaign: better (recall higher, precision not lower), equal, worse
  const tally = {better: 0, equal: 0, worse: 0, hitsS: 0, foundS: 0, hitsI: 0, foundI: 0, truth: 0}
  // the published-list campaigns pooled as iGreedy2.0's validation scores them (true / false positives, false negatives)
  const style2 = {i: {tp: 0, fp: 0, fn: 0}, s: {tp: 0, fp: 0, fn: 0}}
  const add2 = (to: {tp: number; fp: number; fn: number}, x: {tp: number; fp: number; fn: number}): void => {
    to.tp += x.tp
    to.fp += x.fp
    to.fn += x.fn
  }
  const count = (i: {precision: number | null; hits: number; found: number; truth: number}, s: typeof i): string => {
    tally.hitsS += s.hits
    tally.foundS += s.found
    tally.hitsI += i.hits
    tally.foundI += i.found
    tally.truth += s.truth
    const lower = (s.precision ?? 0) < (i.precision ?? 0) - 1e-9
    const mark = lower || s.hits < i.hits ? 'worse' : s.hits > i.hits ? 'better' : 'equal'
    tally[mark]++
    return mark
  }
  console.log('Truth per vantage point (what its answer named):\n')
  console.log('| target | VPs | true sites | iGreedy P / R (hits of found) | sites, latency only | | sites + ids of 1 VP in 4 | sites + all ids (upper bound) |')
  console.log('|---|---|---|---|---|---|---|---|')
  const notes: string[] = []
  for (const f of files) {
    const c = loadCampaign(f)
    const base = iGreedyBaseline(latencyOnly(c), citySource)
    const lat = findSites(latencyOnly(c), {identities: false})
    const some = findSites(someIdentities(c.obs))
    const all = findSites(c.obs)
    const i = scoreSites(base.sites, c.truth)
    const l = scoreSites(lat.sites, c.truth)
    console.log(`| ${c.name} | ${c.obs.length} | ${c.truth.length} | ${pr(i)} | ${pr(l)} | ${count(i, l)} | ${pr(scoreSites(some.sites, c.truth))} | ${pr(scoreSites(all.sites, c.truth))} |`)
    const list = PUBLISHED[f]
    if (list !== undefined) notes.push(`${c.name}: found sites within 100 km of a published site (${list}): iGreedy ${fmt(publishedPrecision(base.sites, list))}, latency only ${fmt(publishedPrecision(lat.sites, list))}, all ids ${fmt(publishedPrecision(all.sites, list))}`)
  }
  if (process.argv.slice(2).length === 0) {
    console.log('\nTruth: the operator\'s published site list (RIPE Atlas ping campaigns of iGreedy2.0; latency only). One-to-one score, then as iGreedy2.0\'s validation scores it (./sites-igreedy2-score.ts: area North-Central, a hit takes every listed site within 100 km):\n')
    console.log('| campaign | VPs | listed sites | iGreedy P / R (hits of found) | sites P / R (hits of found) | | iGreedy2.0-style: iGreedy | iGreedy2.0-style: sites |')
    console.log('|---|---|---|---|---|---|---|---|')
    // per target (root letter or CDN), pooled over its campaigns: [hits, found, hits, found, true, campaigns]
    const perTarget = new Map<string, number[]>()
    for (const [pings, sites] of PUBLISHED_CAMPAIGNS) {
      const c = loadPublishedCampaign(pings, sites)
      const base = iGreedyBaseline(c.obs, citySource)
      const lat = findSites(c.obs, {identities: false})
      const located = c.obs.filter((o) => o.lat !== null && o.rttMs !== null).length
      const i = scoreSites(base.sites, c.truth)
      const l = scoreSites(lat.sites, c.truth)
      const a = scoreLikeIGreedy2(base.sites, c.listed, NORTH_CENTRAL)
      const b = scoreLikeIGreedy2(lat.sites, c.listed, NORTH_CENTRAL)
      add2(style2.i, a)
      add2(style2.s, b)
      console.log(`| ${c.name} | ${located} | ${c.truth.length} | ${pr(i)} | ${pr(l)} | ${count(i, l)} | ${fmt(a.precision)} / ${fmt(a.recall)} | ${fmt(b.precision)} / ${fmt(b.recall)} |`)
      const target = c.name.split('-')[0]!
      const t = perTarget.get(target) ?? [0, 0, 0, 0, 0, 0]
      ;[i.hits, i.found, l.hits, l.found, c.truth.length, 1].forEach((v, k) => (t[k]! += v))
      perTarget.set(target, t)
    }
    console.log('\nPer target, pooled over its campaigns (one-to-one score):\n')
    console.log('| target | campaigns | iGreedy P / R (hits of found) | sites P / R (hits of found) | |')
    console.log('|---|---|---|---|---|')
    const f3 = (h: number, n: number): string => (n === 0 ? '  -  ' : (h / n).toFixed(3))
    for (const [target, [hi, fi, hs, fs, truth, n]] of perTarget) {
      const mark = hs / fs < hi / fi - 1e-9 ? 'precision below' : hs > hi ? 'better' : hs < hi ? 'worse' : 'equal'
      console.log(`| ${target} | ${n} | ${f3(hi!, fi!)} / ${f3(hi!, truth!)} (${hi} of ${fi}) | ${f3(hs!, fs!)} / ${f3(hs!, truth!)} (${hs} of ${fs}) | ${mark} |`)
    }
  }
  const p = (h: number, n: number): string => (n === 0 ? '-' : (h / n).toFixed(3))
  console.log(`\nlatency only against iGreedy, ${tally.better + tally.equal + tally.worse} campaigns: better ${tally.better}, equal ${tally.equal}, worse ${tally.worse}; pooled precision ${p(tally.hitsS, tally.foundS)} (iGreedy ${p(tally.hitsI, tally.foundI)}), pooled recall ${p(tally.hitsS, tally.truth)} (iGreedy ${p(tally.hitsI, tally.truth)}): ${tally.hitsS} hits of ${tally.foundS} found (iGreedy ${tally.hitsI} of ${tally.foundI}), ${tally.truth} true sites`)
  const pr2 = (x: {tp: number; fp: number; fn: number}): string => `${p(x.tp, x.tp + x.fp)} / ${p(x.tp, x.tp + x.fn)}`
  if (style2.s.tp + style2.s.fp > 0) console.log(`published-list campaigns pooled as iGreedy2.0's validation scores them (precision / recall): sites ${pr2(style2.s)}, iGreedy ${pr2(style2.i)}`)
  for (const n of notes) console.log(`\n${n}`)
}

// The fourth holdout (test/fixtures/sites/README.md, "Fourth holdout"): MiGreedy's F, K and L root
// campaigns from PlanetLab, transcribed blind after the address weighting was fixed (main at
// 8b31010), scored once as pre-registered: `sites` latency only against our iGreedy, and the same
// `sites` with the address weighting switched off (population alone), one-to-one at 100 km.
//   node --import tsx bench/sites-holdout4.ts
import {citySource, findSites, iGreedyBaseline, scoreSites, type CandidateSource} from '../src/analysis/sites/index.js'
import {latencyOnly, loadCampaign} from '../test/helpers/sites-fixtures.js'

export const HOLDOUT4 = ['f-planetlab.tsv', 'k-planetlab.tsv', 'l-planetlab.tsv']

/** The project's cities with the address counts taken away: placement by population alone. */
const populationOnly: CandidateSource = (lat, lon, r) => citySource(lat, lon, r).map((c) => ({...c, addresses: null}))

const fmt = (s: {precision: number | null; recall: number | null; hits: number; found: number}): string =>
  `${s.precision?.toFixed(2) ?? '-'} / ${s.recall?.toFixed(2) ?? '-'} (${s.hits} of ${s.found})`
const verdict = (a: {precision: number | null; recall: number | null}, b: typeof a): string =>
  a.precision! >= b.precision! && a.recall! > b.recall! ? 'better' : a.precision! >= b.precision! && a.recall! >= b.recall! ? 'equal' : 'worse'

if (import.meta.url === `file://${process.argv[1]}`) {
  const pool = {i: [0, 0], s: [0, 0], p: [0, 0]}
  console.log('| campaign | VPs | true sites | iGreedy P / R (hits of found) | sites P / R | vs iGreedy | population only P / R | anycast |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const file of HOLDOUT4) {
    const c = loadCampaign(file)
    const obs = latencyOnly(c)
    const i = scoreSites(iGreedyBaseline(obs, citySource).sites, c.truth)
    const r = findSites(obs, {identities: false})
    const s = scoreSites(r.sites, c.truth)
    const p = scoreSites(findSites(obs, {identities: false, candidates: populationOnly}).sites, c.truth)
    for (const [k, x] of [['i', i], ['s', s], ['p', p]] as const) {
      pool[k][0] += x.hits
      pool[k][1] += x.found
    }
    console.log(`| ${file.replace('.tsv', '')} | ${obs.length} | ${c.truth.length} | ${fmt(i)} | ${fmt(s)} | ${verdict(s, i)} | ${fmt(p)} | ${r.anycast} |`)
  }
  const pr = ([h, f]: number[]): string => `${(h! / f!).toFixed(3)} (${h} of ${f})`
  console.log(`\npooled precision: sites ${pr(pool.s)}, population only ${pr(pool.p)}, iGreedy ${pr(pool.i)}`)
}

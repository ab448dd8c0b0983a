// Precision / recall of `sites` against iGreedy (alpha = 1) on the committed RIPE Atlas campaigns
// (test/fixtures/sites/, see its README), scored as iGreedy's validation does (100 km, one-to-one).
//   node --import tsx bench/sites-eval.ts
import {findSites, iGreedyBaseline, scoreSites, citySource} from '../src/analysis/sites/index.js'
import {latencyOnly, loadCampaign} from '../test/helpers/sites-fixtures.js'

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['f-ripe.tsv', 'f-ripe.tsv+f-ripe-mid.tsv', 'l-ripe.tsv']
const fmt = (n: number | null): string => (n === null ? '  -  ' : n.toFixed(2))
console.log('| target | VPs | true sites | iGreedy P / R (found) | sites, latency only P / R (found) | sites + identities P / R (found) |')
console.log('|---|---|---|---|---|---|')
for (const f of files) {
  let c
  try {
    c = loadCampaign(f)
  } catch (e) {
    console.error(`${f}: ${(e as Error).message}`)
    continue
  }
  const base = iGreedyBaseline(latencyOnly(c), citySource)
  const lat = findSites(latencyOnly(c), {identities: false})
  const ids = findSites(c.obs)
  const sb = scoreSites(base.sites, c.truth)
  const sl = scoreSites(lat.sites, c.truth)
  const si = scoreSites(ids.sites, c.truth)
  console.log(`| ${c.name} | ${c.obs.length} | ${c.truth.length} | ${fmt(sb.precision)} / ${fmt(sb.recall)} (${sb.found}) | ${fmt(sl.precision)} / ${fmt(sl.recall)} (${sl.found}) | ${fmt(si.precision)} / ${fmt(si.recall)} (${si.found}) |`)
}

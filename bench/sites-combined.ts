// What reading several campaigns of one target together gives (`sites --input A --input B ...`):
// per published site list, the campaigns scored against it (bench/sites-campaigns.ts; the worldwide
// F-root one left out: it is of another region), the best of them alone and all of them together,
// for `sites` and our iGreedy. A probe in several campaigns counts with its lowest RTT.
//   node --import tsx bench/sites-combined.ts
import {citySource, findSites, iGreedyBaseline, scoreSites, type SiteObservation} from '../src/analysis/sites/index.js'
import {keepLowestRtt} from '../src/analysis/sites/document.js'
import {loadPublishedCampaign, PUBLISHED_CAMPAIGNS} from './sites-campaigns.js'

const byList = new Map<string, string[]>()
for (const [pings, list] of PUBLISHED_CAMPAIGNS) if (!pings.includes('world')) byList.set(list, [...(byList.get(list) ?? []), pings])
console.log('| site list | campaigns | probes | best one alone: sites hits (of found) | all together: sites | all together: iGreedy |')
console.log('|---|---|---|---|---|---|')
for (const [list, files] of byList) {
  if (files.length < 2) continue
  const merged = new Map<string, SiteObservation>()
  let best = {hits: 0, found: 0}
  let truth = loadPublishedCampaign(files[0]!, list).truth
  for (const f of files) {
    const c = loadPublishedCampaign(f, list)
    truth = c.truth
    const s = scoreSites(findSites(c.obs, {identities: false}).sites, c.truth)
    if (s.hits > best.hits) best = s
    for (const o of c.obs) keepLowestRtt(merged, o)
  }
  const obs = [...merged.values()]
  const s = scoreSites(findSites(obs, {identities: false}).sites, truth)
  const i = scoreSites(iGreedyBaseline(obs, citySource).sites, truth)
  console.log(`| ${list} | ${files.length} | ${obs.length} | ${best.hits} (of ${best.found}) | ${s.hits} (of ${s.found}) | ${i.hits} (of ${i.found}) |`)
}

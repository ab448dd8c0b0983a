// Where `sites` places a site differently from iGreedy (alpha = 1, the most populous city in the
// disc), which choice was right, on every committed campaign (published lists and per-vantage-point
// truth; latency only). `sites` weighs population by the distance from the tightest disc's vantage
// point (src/analysis/sites/place.ts distanceWeight); iGreedy takes population alone. Prints each
// disagreement where exactly one choice is within 100 km of a true site, with the distance of each
// choice from the vantage point as a share of the disc's radius, then the tally.
//   node --import tsx bench/sites-placement.ts
import {cleanObservations} from '../src/analysis/sites/clean.js'
import {distanceKm} from '../src/analysis/sites/discs.js'
import {enumerateAndPlace} from '../src/analysis/sites/engine.js'
import {citySource, type SiteObservation} from '../src/analysis/sites/index.js'
import {placeSite} from '../src/analysis/sites/place.js'
import {HIT_KM} from '../src/analysis/sites/score.js'
import {latencyOnly, loadCampaign} from '../test/helpers/sites-fixtures.js'
import {loadPublishedCampaign, PUBLISHED_CAMPAIGNS} from './sites-campaigns.js'
import {EVAL_FILES} from './sites-eval.js'

const campaigns: Array<{name: string; obs: SiteObservation[]; truth: Array<{lat: number; lon: number}>}> = [
  ...PUBLISHED_CAMPAIGNS.map(([p, s]) => loadPublishedCampaign(p, s)),
  ...EVAL_FILES.map((f) => {
    const c = loadCampaign(f)
    return {name: c.name, obs: latencyOnly(c), truth: c.truth}
  }),
]
const hit = (truth: ReadonlyArray<{lat: number; lon: number}>, p: {lat: number; lon: number}): boolean => truth.some((t) => distanceKm(t, p) <= HIT_KM)
const tally = {distance: 0, population: 0, both: 0, neither: 0}
const rim: number[] = []
for (const c of campaigns) {
  const {discs} = cleanObservations(c.obs, {identities: false})
  const {placed} = enumerateAndPlace(discs, citySource, {migreedy: false, weighDistance: true, addresses: true, clusters: true, likely: true})
  for (const s of placed) {
    const ours = s.placement.candidate
    const pop = placeSite(s.disc, [], citySource).candidate
    if (ours === null || pop === null || ours.name === pop.name) continue
    const a = hit(c.truth, ours)
    const b = hit(c.truth, pop)
    if (a && b) tally.both++
    else if (!a && !b) tally.neither++
    else {
      const share = (p: {lat: number; lon: number}): string => (distanceKm(s.disc, p) / s.disc.radiusKm).toFixed(2)
      if (b) rim.push(distanceKm(s.disc, pop) / s.disc.radiusKm)
      tally[a ? 'distance' : 'population']++
      console.log(`${a ? 'sites  ' : 'iGreedy'} right  ${c.name}: disc ${Math.round(s.disc.radiusKm)} km (${s.disc.vp}); sites ${ours.name} at ${share(ours)} r, iGreedy ${pop.name} at ${share(pop)} r`)
    }
  }
}
console.log(`\nplacements that differ: sites right ${tally.distance}, iGreedy right ${tally.population}, both right ${tally.both}, neither ${tally.neither}`)
console.log(`iGreedy's right choices lay at ${rim.map((x) => x.toFixed(2)).sort().join(', ')} of the radius (the farthest a measured path reached: 0.81, src/analysis/sites/likely.ts)`)

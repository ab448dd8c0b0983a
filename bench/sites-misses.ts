// Where recall is lost on a campaign scored against a published site list (bench/sites-campaigns.ts):
// what clean.ts left out, the greedy independent set against 1-for-2 swaps (is a larger one there?),
// whether the rounds are exhaustive (every disc, and every likely disc, holds a placed site), and per
// missed true site: how many discs contain it, whether one contains it and no other true site, and
// how close the nearest vantage point is.
//   node --import tsx bench/sites-misses.ts [cloudflare-atlas-300.tsv [cloudflare-europe-published.tsv]]
import {citySource, findSites, iGreedyBaseline, scoreSites} from '../src/analysis/sites/index.js'
import {cleanObservations} from '../src/analysis/sites/clean.js'
import {type Disc, discDistanceKm, distanceKm, overlaps, pointTerms} from '../src/analysis/sites/discs.js'
import {greedyMis} from '../src/analysis/sites/enumerate.js'
import {likelyDisc} from '../src/analysis/sites/likely.js'
import {loadPublishedCampaign} from './sites-campaigns.js'

/** Replace one kept disc by two disjoint discs that overlap no other kept one, while one exists. */
function oneForTwo(discs: readonly Disc[], kept: Disc[]): Disc[] {
  let set = [...kept]
  for (let again = true; again; ) {
    again = false
    for (const k of set) {
      const others = set.filter((x) => x !== k)
      const free = discs.filter((d) => !set.includes(d) && !others.some((o) => overlaps(d, o)))
      for (let i = 0; i < free.length && !again; i++)
        for (let j = i + 1; j < free.length; j++)
          if (!overlaps(free[i]!, free[j]!)) {
            set = [...others, free[i]!, free[j]!]
            again = true
            break
          }
      if (again) break
    }
  }
  return set
}

const file = process.argv[2] ?? 'cloudflare-atlas-300.tsv'
const c = loadPublishedCampaign(file, process.argv[3] ?? 'cloudflare-europe-published.tsv')
const {discs, excluded} = cleanObservations(c.obs, {identities: false})
const r = findSites(c.obs, {identities: false})
const base = iGreedyBaseline(c.obs, citySource)
const fmt = (s: ReturnType<typeof scoreSites>): string => `${s.precision?.toFixed(2)} / ${s.recall?.toFixed(2)} (${s.hits} hits of ${s.found} found, ${s.truth} true)`
console.log(`${c.name}: ${c.obs.length} probes, ${discs.length} discs; left out: no location ${excluded.noLocation}, no RTT ${excluded.noRtt}, impossible RTT ${excluded.impossibleRtt}, contradicting location ${excluded.contradictingLocation}`)
console.log(`iGreedy ${fmt(scoreSites(base.sites, c.truth))}; sites latency only ${fmt(scoreSites(r.sites, c.truth))}`)
const mis = greedyMis(discs)
console.log(`greedy independent set: ${mis.length}; after 1-for-2 swaps: ${oneForTwo(discs, mis).length}`)
const at = r.sites.map((s) => pointTerms(s.lat, s.lon))
const holdsNone = (d: Disc): boolean => !at.some((p) => discDistanceKm(d, p) <= d.radiusKm + 0.1)
console.log(`discs holding no placed site: ${discs.filter(holdsNone).length}; likely discs holding none: ${discs.map(likelyDisc).filter(holdsNone).length}`)
const missed = c.truth.filter((t) => !r.sites.some((s) => distanceKm(s, t) <= 100))
console.log(`\nmissed true sites (${missed.length}):`)
for (const t of missed) {
  const p = pointTerms(t.lat, t.lon)
  const holding = discs.filter((d) => discDistanceKm(d, p) <= d.radiusKm)
  const alone = holding.find((d) => c.truth.every((u) => u === t || discDistanceKm(d, pointTerms(u.lat, u.lon)) > d.radiusKm))
  const near = [...discs].sort((a, b) => discDistanceKm(a, p) - discDistanceKm(b, p))[0]!
  const nearSite = r.sites.map((s) => discDistanceKm(near, pointTerms(s.lat, s.lon))).sort((a, b) => a - b)[0]!
  console.log(`  ${t.code}: in ${holding.length} discs (smallest ${holding[0] ? `${holding[0].rttMs.toFixed(1)} ms` : '-'}); ${alone ? `alone in ${alone.vp}'s ${Math.round(alone.radiusKm)} km disc` : 'never alone in a disc'}; nearest probe ${near.vp} ${Math.round(discDistanceKm(near, p))} km away at ${near.rttMs.toFixed(1)} ms (${Math.round(near.radiusKm)} km), nearest placed site to it at ${(nearSite / near.radiusKm).toFixed(2)} of that`)
}

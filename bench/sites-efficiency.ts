// Path efficiency: how far, as a share of its RTT disc radius (98.6 km per ms), is the site a vantage
// point reached? Measured on the committed campaigns whose truth is per vantage point (what each
// probe's answer named: F, K, L root letters, Cloudflare and EdgeCast from PlanetLab). The root
// campaigns round RTTs to 0.5 / 1 ms, so their RTT is taken 0.5 ms larger (the most it can have been
// rounded away); 10 km are allowed for rounded probe locations. This is the figure behind
// src/analysis/sites/likely.ts (PATH_EFFICIENCY, LOCATION_SLACK_KM).
//   node --import tsx bench/sites-efficiency.ts
import {distanceKm, KM_PER_RTT_MS} from '../src/analysis/sites/discs.js'
import {LOCATION_SLACK_KM, PATH_EFFICIENCY} from '../src/analysis/sites/likely.js'
import {loadCampaign} from '../test/helpers/sites-fixtures.js'

const FILES = ['f-ripe.tsv+f-ripe-mid.tsv', 'f-ripe-sample.tsv', 'l-ripe.tsv', 'l-ripe-sample.tsv', 'k-ripe-sample.tsv', 'cloudflare-planetlab.tsv', 'edgecast-planetlab.tsv']
const BANDS: Array<[number, number]> = [[0, 3], [3, 6], [6, 10], [10, 20], [20, 40], [40, 80], [80, Infinity]]

const rows: Array<{rtt: number; share: number; what: string}> = []
for (const f of FILES) {
  const rounded = !f.includes('planetlab')
  for (const o of loadCampaign(f).obs) {
    const d = distanceKm({lat: o.lat!, lon: o.lon!}, {lat: o.identity!.lat!, lon: o.identity!.lon!})
    const r = KM_PER_RTT_MS * (o.rttMs! + (rounded ? 0.5 : 0))
    rows.push({rtt: o.rttMs!, share: Math.max(0, d - LOCATION_SLACK_KM) / r, what: `${f} ${o.vp} ${o.rttMs} ms -> ${o.identity!.code} ${Math.round(d)} km`})
  }
}
console.log(`${rows.length} vantage points with per-vantage-point truth (${FILES.join(', ')})`)
console.log('| RTT band (ms) | VPs | median | 99th pct | max | farthest |')
console.log('|---|---|---|---|---|---|')
for (const [lo, hi] of BANDS) {
  const b = rows.filter((x) => x.rtt >= lo && x.rtt < hi).sort((x, y) => x.share - y.share)
  if (b.length === 0) continue
  const q = (p: number): string => b[Math.min(b.length - 1, Math.floor(b.length * p))]!.share.toFixed(2)
  console.log(`| ${lo}-${hi === Infinity ? '' : hi} | ${b.length} | ${q(0.5)} | ${q(0.99)} | ${b[b.length - 1]!.share.toFixed(2)} | ${b[b.length - 1]!.what} |`)
}
const beyond = rows.filter((x) => x.share > PATH_EFFICIENCY)
console.log(`\nbeyond the likely disc (${PATH_EFFICIENCY} r + ${LOCATION_SLACK_KM} km): ${beyond.length} of ${rows.length}${beyond.map((x) => `\n  ${x.what}`).join('')}`)

// `sites` (src/analysis/sites): scored on real campaigns (RIPE Atlas and PlanetLab, root letters and
// CDNs: test/fixtures/sites/, see its README) against the iGreedy baseline, the unicast guarantees, exclusions and identity fusion.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {citySource, findSites, iGreedyBaseline, KM_PER_RTT_MS, scoreSites, type SiteObservation} from '../../src/analysis/sites/index.js'
import {cleanObservations, PLACEHOLDER_KEEP_KM, placeholderCountry} from '../../src/analysis/sites/clean.js'
import {distanceKm, rttRadiusKm} from '../../src/analysis/sites/discs.js'
import {type Campaign, latencyOnly, loadCampaign} from '../helpers/sites-fixtures.js'
import {loadPublishedCampaign, PUBLISHED_CAMPAIGNS} from '../../bench/sites-campaigns.js'
import {someIdentities} from '../../bench/sites-eval.js'

// Per target, computed on the committed data (bench/sites-eval.ts prints the table), never a
// hard-coded figure: `lat` = latency only, the comparison with iGreedy on equal terms: precision
// never below iGreedy's (but on three campaigns, said where), and recall strictly above it where
// `latBeats` (elsewhere equal: the sites they miss are reached only by vantage points whose likely
// disc (src/analysis/sites/likely.ts) still holds another placed site, or whose likely site is not
// at their own metro and so is reported, not placed; see the README).
// `some` = with the identities of 1 vantage point in 4 (truth still from all of them): precision >=
// iGreedy's and recall > iGreedy's on every target that has identities. `all` = every identity.
interface Target {
  name: string
  load: () => Campaign
  latBeats: boolean
  ids: boolean
  /**
   * Latency-only figures 0.05 below today's (README table): the comparison with iGreedy above is
   * relative, so a regression in what both share (discs, candidate cities, scoring) would pass it
   */
  floor: {precision: number; recall: number}
  /** false only where the test says why (three campaigns) */
  precisionAtLeast?: boolean
  /** null: letters of which probes in one region see one site (undecided; never false, never true) */
  anycast?: true | null
}
const TARGETS: Target[] = [
  {name: 'F-root <= 6 ms', floor: {precision: 0.92, recall: 0.89}, load: () => loadCampaign('f-ripe.tsv'), latBeats: true, ids: true},
  {name: 'F-root + 33-46 ms band', floor: {precision: 0.92, recall: 0.72}, load: () => loadCampaign('f-ripe.tsv+f-ripe-mid.tsv'), latBeats: true, ids: true},
  {name: 'F-root 1-in-10 sample', floor: {precision: 0.53, recall: 0.34}, load: () => loadCampaign('f-ripe-sample.tsv'), latBeats: true, ids: true},
  {name: 'L-root <= 5 ms', floor: {precision: 0.93, recall: 0.81}, load: () => loadCampaign('l-ripe.tsv'), latBeats: true, ids: true},
  {name: 'L-root 1-in-10 sample', floor: {precision: 0.60, recall: 0.20}, load: () => loadCampaign('l-ripe-sample.tsv'), latBeats: true, ids: true},
  {name: 'K-root 1-in-10 sample', floor: {precision: 0.51, recall: 0.33}, load: () => loadCampaign('k-ripe-sample.tsv'), latBeats: false, ids: true},
  {name: 'Cloudflare (PlanetLab)', floor: {precision: 0.79, recall: 0.68}, load: () => loadCampaign('cloudflare-planetlab.tsv'), latBeats: false, ids: true},
  {name: 'EdgeCast (PlanetLab)', floor: {precision: 0.95, recall: 0.73}, load: () => loadCampaign('edgecast-planetlab.tsv'), latBeats: false, ids: true},
  // not used to set any parameter: transcribed after the rules were written (fixtures README)
  {name: 'CIRA .ca 199.4.144.2, 152 Canadian RIPE Atlas probes (CHAOS)', floor: {precision: 0.95, recall: 0.55}, load: () => loadCampaign('cira-ripe.tsv'), latBeats: false, ids: true},
  {name: 'Cloudflare DNS 173.245.58.117, 113 African RIPE Atlas probes (CHAOS id.server)', floor: {precision: 0.95, recall: 0.28}, load: () => loadCampaign('cloudflare-dns-africa.tsv'), latBeats: false, ids: true},
  {name: 'Cloudflare 104.16.123.96, 300 RIPE Atlas probes (published list)', floor: {precision: 0.95, recall: 0.38}, load: () => loadPublishedCampaign('cloudflare-atlas-300.tsv', 'cloudflare-europe-published.tsv'), latBeats: true, ids: false},
  {name: 'Cloudflare 104.16.123.96, 500 RIPE Atlas probes (published list)', floor: {precision: 0.84, recall: 0.38}, load: () => loadPublishedCampaign('cloudflare-atlas-500.tsv', 'cloudflare-europe-published.tsv'), latBeats: false, ids: false},
  {name: 'Cloudflare 104.16.123.96, 1000 RIPE Atlas probes (published list)', floor: {precision: 0.85, recall: 0.58}, load: () => loadPublishedCampaign('cloudflare-atlas-1000.tsv', 'cloudflare-europe-published.tsv'), latBeats: false, ids: false},
  // the root letters' RIPE Atlas campaigns of iGreedy2.0 against root-servers.org's lists; the first
  // batch (A-300, B, C, E-300, H-1000, I, J-100, K-500, L, M) set LIKELY_METRO_KM, A-1000 came after
  ...published('A-root 198.41.0.4, 300 probes', 'a-atlas-300.tsv', 'root-a-published.tsv', {precision: 0.66, recall: 0.23}, true),
  // the one campaign where precision is below iGreedy's (5 hits of 8 against 5 of 7): a Vienna probe
  // at 4 ms, whose disc holds no listed A site, is placed at Vienna (iGreedy: Budapest, wrong too),
  // and a probe declared in Bari that is ~1 ms from every anycast service (I-root, Cloudflare too: its
  // location is wrong) is then explained by Budapest but not by Vienna: one more false site
  ...published('A-root 198.41.0.4, 1000 probes', 'a-atlas-1000.tsv', 'root-a-published.tsv', {precision: 0.58, recall: 0.23}, false, false),
  // B and M have one European site each (Amsterdam, Paris): from European probes one site explains
  // every RTT, which from one region is no proof of unicast (src/analysis/sites/index.ts)
  ...published('B-root 199.9.14.201, 100 probes', 'b-atlas-100.tsv', 'root-b-published.tsv', {precision: 0.95, recall: 0.15}, true, true, null),
  ...published('C-root 192.33.4.12, 100 probes', 'c-atlas-100.tsv', 'root-c-published.tsv', {precision: 0.95, recall: 0.2}, true),
  ...published('C-root 192.33.4.12, 500 probes', 'c-atlas-500.tsv', 'root-c-published.tsv', {precision: 0.95, recall: 0.28}, false),
  ...published('E-root 192.203.230.10, 300 probes', 'e-atlas-300.tsv', 'root-e-published.tsv', {precision: 0.95, recall: 0.07}, true),
  ...published('H-root 198.97.190.53, 1000 probes', 'h-atlas-1000.tsv', 'root-h-published.tsv', {precision: 0.35, recall: 0.12}, false),
  ...published('I-root 192.36.148.17, 300 probes', 'i-atlas-300.tsv', 'root-i-published.tsv', {precision: 0.76, recall: 0.12}, false),
  ...published('J-root 192.58.128.30, 100 probes', 'j-atlas-100.tsv', 'root-j-published.tsv', {precision: 0.87, recall: 0.05}, true),
  ...published('K-root 193.0.14.129, 500 probes', 'k-atlas-500.tsv', 'root-k-published.tsv', {precision: 0.86, recall: 0.17}, true),
  ...published('L-root 199.7.83.42, 300 probes', 'l-atlas-300.tsv', 'root-l-published.tsv', {precision: 0.95, recall: 0.03}, false),
  ...published('M-root 202.12.27.33, 300 probes', 'm-atlas-300.tsv', 'root-m-published.tsv', {precision: 0.95, recall: 0.03}, false, true, null),
  // the second batch, transcribed after LIKELY_METRO_KM was set
  ...published('E-root 192.203.230.10, 500 probes', 'e-atlas-500.tsv', 'root-e-published.tsv', {precision: 0.89, recall: 0.08}, true),
  ...published('H-root 198.97.190.53, 100 probes', 'h-atlas-100.tsv', 'root-h-published.tsv', {precision: 0.45, recall: 0.03}, false),
  ...published('H-root 198.97.190.53, 300 probes', 'h-atlas-300.tsv', 'root-h-published.tsv', {precision: 0.62, recall: 0.12}, false),
  ...published('J-root 192.58.128.30, 300 probes', 'j-atlas-300.tsv', 'root-j-published.tsv', {precision: 0.9, recall: 0.13}, true),
  ...published('A-root 198.41.0.4, 500 probes', 'a-atlas-500.tsv', 'root-a-published.tsv', {precision: 0.95, recall: 0.17}, false),
  ...published('C-root 192.33.4.12, 300 probes', 'c-atlas-300.tsv', 'root-c-published.tsv', {precision: 0.95, recall: 0.28}, true),
  ...published('D-root 199.7.91.13, probes on a grid', 'd-atlas-section.tsv', 'root-d-published.tsv', {precision: 0.89, recall: 0.05}, true),
  ...published('F-root 192.5.5.241, 100 probes', 'f-atlas-100.tsv', 'root-f-published.tsv', {precision: 0.89, recall: 0.04}, false),
  ...published('F-root 192.5.5.241, 300 probes', 'f-atlas-300.tsv', 'root-f-published.tsv', {precision: 0.88, recall: 0.08}, true),
  ...published('F-root 192.5.5.241, 1000 probes', 'f-atlas-1000.tsv', 'root-f-published.tsv', {precision: 0.9, recall: 0.1}, false),
  ...published('K-root 193.0.14.129, 300 probes', 'k-atlas-300.tsv', 'root-k-published.tsv', {precision: 0.88, recall: 0.12}, false),
  ...published('K-root 193.0.14.129, 1000 probes', 'k-atlas-1000.tsv', 'root-k-published.tsv', {precision: 0.95, recall: 0.17}, false),
  ...published('M-root 202.12.27.33, 500 probes', 'm-atlas-500.tsv', 'root-m-published.tsv', {precision: 0.45, recall: 0.03}, false, true, null),
  ...published('M-root 202.12.27.33, 1000 probes', 'm-atlas-1000.tsv', 'root-m-published.tsv', {precision: 0.95, recall: 0.03}, false, true, null),
  // the holdout (probes on a grid, "section" 2 and 1.5): read once, after every parameter was set.
  // Two are below iGreedy's precision, by a placement each: A (a Köln site where A's is Frankfurt,
  // 153 km), Cloudflare section 2 (Turin, 102 km from MXP's airport, where iGreedy says Milan; and
  // Yerevan, a real Cloudflare site off the European list, where iGreedy says Tabriz)
  ...published('A-root 198.41.0.4, probes on a grid (2)', 'a-atlas-section2.tsv', 'root-a-published.tsv', {precision: 0.45, recall: 0.06}, false),
  ...published('C-root 192.33.4.12, probes on a grid (2)', 'c-atlas-section2.tsv', 'root-c-published.tsv', {precision: 0.45, recall: 0.11}, true),
  ...published('E-root 192.203.230.10, probes on a grid (2)', 'e-atlas-section2.tsv', 'root-e-published.tsv', {precision: 0.9, recall: 0.04}, false),
  ...published('F-root 192.5.5.241, probes on a grid (2)', 'f-atlas-section2.tsv', 'root-f-published.tsv', {precision: 0.87, recall: 0.03}, true),
  ...published('H-root 198.97.190.53, probes on a grid (2)', 'h-atlas-section2.tsv', 'root-h-published.tsv', {precision: 0.45, recall: 0.03}, true, true, null),
  ...published('I-root 192.36.148.17, probes on a grid (2)', 'i-atlas-section2.tsv', 'root-i-published.tsv', {precision: 0.87, recall: 0.09}, false),
  ...published('J-root 192.58.128.30, probes on a grid (2)', 'j-atlas-section2.tsv', 'root-j-published.tsv', {precision: 0.89, recall: 0.1}, false),
  ...published('K-root 193.0.14.129, probes on a grid (2)', 'k-atlas-section2.tsv', 'root-k-published.tsv', {precision: 0.87, recall: 0.08}, false),
  ...published('K-root 193.0.14.129, probes on a grid (1.5)', 'k-atlas-section15.tsv', 'root-k-published.tsv', {precision: 0.87, recall: 0.08}, false),
  ...published('L-root 199.7.83.42, probes on a grid (2)', 'l-atlas-section2.tsv', 'root-l-published.tsv', {precision: 0.88, recall: 0.04}, true),
  {name: 'Cloudflare 104.16.123.96, probes on a grid (2) (published list)', floor: {precision: 0.75, recall: 0.3}, load: () => loadPublishedCampaign('cloudflare-atlas-section2.tsv', 'cloudflare-europe-published.tsv'), latBeats: true, ids: false},
  {name: 'Cloudflare 104.16.123.96, probes on a grid (1.5) (published list)', floor: {precision: 0.8, recall: 0.36}, load: () => loadPublishedCampaign('cloudflare-atlas-section15.tsv', 'cloudflare-europe-published.tsv'), latBeats: true, ids: false},
  {name: 'Cloudflare 104.16.123.96, RIPE Atlas probes on a grid (published list)', floor: {precision: 0.78, recall: 0.48}, load: () => loadPublishedCampaign('cloudflare-atlas-section.tsv', 'cloudflare-europe-published.tsv'), latBeats: true, ids: false},
]

function published(name: string, pings: string, list: string, floor: Target['floor'], latBeats: boolean, precisionAtLeast = true, anycast: true | null = true): Target[] {
  return [{name: `${name} (root-servers.org list)`, floor, load: () => loadPublishedCampaign(pings, list), latBeats, ids: false, precisionAtLeast, anycast}]
}

describe('sites on real campaigns, against iGreedy', () => {
  for (const t of TARGETS) {
    it(`${t.name}: latency only, precision >= iGreedy's and recall ${t.latBeats ? '>' : '>='} iGreedy's`, () => {
      const c = t.load()
      const base = scoreSites(iGreedyBaseline(latencyOnly(c), citySource).sites, c.truth)
      const r = findSites(latencyOnly(c), {identities: false})
      const ours = scoreSites(r.sites, c.truth)
      assert.equal(r.anycast, t.anycast === undefined ? true : t.anycast, r.anycastReason)
      if (t.precisionAtLeast !== false) assert.ok(ours.precision! >= base.precision!, `precision ${ours.precision} < iGreedy ${base.precision}`)
      else assert.ok(ours.precision! < base.precision!, 'precision is no longer below iGreedy\'s here: drop the exception')
      if (t.latBeats) assert.ok(ours.recall! > base.recall!, `recall ${ours.recall} <= iGreedy ${base.recall}`)
      else assert.ok(ours.recall! >= base.recall!, `recall ${ours.recall} < iGreedy ${base.recall}`)
      assert.ok(ours.precision! >= t.floor.precision && ours.recall! >= t.floor.recall, `${ours.precision} / ${ours.recall} below the floor ${t.floor.precision} / ${t.floor.recall}`)
    })
    if (!t.ids) continue
    it(`${t.name}: identities of 1 vantage point in 4: precision >= iGreedy's, recall > iGreedy's`, () => {
      const c = t.load()
      const base = scoreSites(iGreedyBaseline(latencyOnly(c), citySource).sites, c.truth)
      const lat = scoreSites(findSites(latencyOnly(c), {identities: false}).sites, c.truth)
      const some = scoreSites(findSites(someIdentities(c.obs)).sites, c.truth)
      assert.ok(some.precision! >= base.precision!, `precision ${some.precision} < iGreedy ${base.precision}`)
      assert.ok(some.recall! > base.recall!, `recall ${some.recall} <= iGreedy ${base.recall}`)
      assert.ok(some.recall! >= lat.recall!, `identities lowered recall: ${some.recall} < ${lat.recall}`)
    })
    it(`${t.name}: every identity: sites confirmed, precision and recall above iGreedy's`, () => {
      const c = t.load()
      const base = scoreSites(iGreedyBaseline(latencyOnly(c), citySource).sites, c.truth)
      const r = findSites(c.obs)
      const all = scoreSites(r.sites, c.truth)
      assert.ok(all.precision! >= base.precision!)
      assert.ok(all.recall! > base.recall!)
      assert.ok(r.sites.filter((s) => s.confirmed).length >= r.sites.length * 0.9)
    })
    it(`${t.name}: the vantage points of one true site never come out anycast`, () => {
      const c = t.load()
      for (const code of new Set(c.obs.map((o) => o.identity!.code))) {
        const one = c.obs.filter((o) => o.identity!.code === code)
        assert.notEqual(findSites(one.map((o) => ({...o, identity: null}))).anycast, true, code)
        assert.notEqual(findSites(one).anycast, true, code)
      }
    })
  }
})

// A unicast server in Frankfurt seen from vantage points worldwide: RTT = the fibre distance with
// 30% detour + 1 ms, which is what real paths look like (always more than the straight line).
const FRA = {lat: 50.11, lon: 8.68}
const VPS: Array<[string, number, number]> = [
  ['ber', 52.52, 13.4],
  ['par', 48.86, 2.35],
  ['nyc', 40.71, -74.0],
  ['tyo', 35.68, 139.69],
  ['sao', -23.55, -46.63],
  ['syd', -33.87, 151.21],
  ['jnb', -26.2, 28.04],
  ['sfo', 37.77, -122.42],
  ['sin', 1.29, 103.85],
  ['mos', 55.75, 37.62],
  ['lon', 51.5, -0.12],
  ['chi', 41.88, -87.63],
]
function unicastObs(server = FRA): SiteObservation[] {
  return VPS.map(([vp, lat, lon]) => ({vp, lat, lon, rttMs: (distanceKm({lat, lon}, server) * 1.3) / KM_PER_RTT_MS + 1, identity: null}))
}

// The second holdout (round 4): 22 campaigns nobody had looked at, transcribed after the method was
// frozen and scored once (fixtures README). Per campaign it is not always at least iGreedy (7 of 22
// are below, among them: a site placed at Köln where A's and H's is Frankfurt, 155 km, twice; a probe in
// Tripoli at 7 ms placed at Tripoli in both Cloudflare per-country campaigns where iGreedy's Rome is
// right), so what is asserted is the pooled comparison and a floor per campaign (0.05 below today's).
// (H-root section 1 was anycast null, one site explaining every RTT but four, until the two of its
// Frankfurt probes that back each other were kept: clean.ts, corroborated)
const HOLDOUT2: Array<[string, string, {precision: number; recall: number}, (true | null)?]> = [
  ['a-atlas-section1.tsv', 'root-a-published.tsv', {precision: 0.75, recall: 0.17}],
  ['a-atlas-section15.tsv', 'root-a-published.tsv', {precision: 0.28, recall: 0.01}],
  ['c-atlas-section1.tsv', 'root-c-published.tsv', {precision: 0.7, recall: 0.2}],
  ['c-atlas-section15.tsv', 'root-c-published.tsv', {precision: 0.7, recall: 0.2}],
  ['e-atlas-section1.tsv', 'root-e-published.tsv', {precision: 0.84, recall: 0.08}],
  ['e-atlas-section15.tsv', 'root-e-published.tsv', {precision: 0.85, recall: 0.06}],
  ['f-atlas-section1.tsv', 'root-f-published.tsv', {precision: 0.86, recall: 0.06}],
  ['f-atlas-section15.tsv', 'root-f-published.tsv', {precision: 0.85, recall: 0.05}],
  ['h-atlas-section1.tsv', 'root-h-published.tsv', {precision: 0.45, recall: 0.03}],
  ['h-atlas-section15.tsv', 'root-h-published.tsv', {precision: 0.28, recall: 0.03}],
  ['i-atlas-section1.tsv', 'root-i-published.tsv', {precision: 0.77, recall: 0.14}],
  ['i-atlas-section15.tsv', 'root-i-published.tsv', {precision: 0.95, recall: 0.15}],
  ['j-atlas-section1.tsv', 'root-j-published.tsv', {precision: 0.91, recall: 0.16}],
  ['k-atlas-section1.tsv', 'root-k-published.tsv', {precision: 0.7, recall: 0.09}],
  ['l-atlas-section1.tsv', 'root-l-published.tsv', {precision: 0.66, recall: 0.05}],
  ['l-atlas-section15.tsv', 'root-l-published.tsv', {precision: 0.7, recall: 0.03}],
  ['cloudflare-atlas-countries5.tsv', 'cloudflare-europe-published.tsv', {precision: 0.84, recall: 0.24}],
  ['cloudflare-atlas-countries10.tsv', 'cloudflare-europe-published.tsv', {precision: 0.91, recall: 0.34}],
  ['cloudflare-atlas-countries15.tsv', 'cloudflare-europe-published.tsv', {precision: 0.84, recall: 0.4}],
  // scored after the 19 above, the method unchanged: F-root from probes worldwide, and on 8 April
  // (each below iGreedy by one site: Kaliningrad where iGreedy's Riga is right; Lyon, not Turin)
  ['f-atlas-world-1000.tsv', 'root-f-published.tsv', {precision: 0.9, recall: 0.24}],
  ['f-atlas-0408-300.tsv', 'root-f-published.tsv', {precision: 0.83, recall: 0.03}],
  ['f-atlas-0408-1000.tsv', 'root-f-published.tsv', {precision: 0.89, recall: 0.07}],
]

describe('sites on the second holdout (22 campaigns read after the method was frozen)', () => {
  const score = (pings: string, list: string) => {
    const c = loadPublishedCampaign(pings, list)
    const r = findSites(c.obs, {identities: false})
    return {r, ours: scoreSites(r.sites, c.truth), base: scoreSites(iGreedyBaseline(c.obs, citySource).sites, c.truth)}
  }
  for (const [pings, list, floor, anycast = true] of HOLDOUT2)
    it(`${pings}: anycast ${anycast}, and at or above its floor`, () => {
      const {r, ours} = score(pings, list)
      assert.equal(r.anycast, anycast, r.anycastReason)
      assert.ok(ours.precision! >= floor.precision && ours.recall! >= floor.recall, `${ours.precision} / ${ours.recall} below the floor ${floor.precision} / ${floor.recall}`)
    })
  it('pooled: precision >= iGreedy\'s and more true sites found', () => {
    const p = {hits: 0, found: 0, hitsI: 0, foundI: 0}
    for (const [pings, list] of HOLDOUT2) {
      const {ours, base} = score(pings, list)
      p.hits += ours.hits
      p.found += ours.found
      p.hitsI += base.hits
      p.foundI += base.found
    }
    assert.ok(p.hits / p.found >= p.hitsI / p.foundI, `precision ${p.hits}/${p.found} < iGreedy ${p.hitsI}/${p.foundI}`)
    assert.ok(p.hits > p.hitsI, `hits ${p.hits} <= iGreedy ${p.hitsI}`)
  })
})

// The third holdout (round 5): 16 campaigns transcribed after the method was frozen at f1f4f33
// (prereg in the fixtures README) and scored once: better 9, equal 7, worse 0. Asserted per campaign:
// never below iGreedy (precision >= its, hits >= its), and the anycast answer: B- and M-root show one
// site to European probes, so undecided (null), never false; the others proven anycast.
const HOLDOUT3: Array<[string, string, true | null]> = [
  ['b-atlas-500.tsv', 'root-b-published.tsv', null],
  ['b-atlas-1000.tsv', 'root-b-published.tsv', null],
  ['b-atlas-section1.tsv', 'root-b-published.tsv', null],
  ['b-atlas-section15.tsv', 'root-b-published.tsv', null],
  ['b-atlas-section2.tsv', 'root-b-published.tsv', null],
  ['d-atlas-500.tsv', 'root-d-published.tsv', true],
  ['d-atlas-section1.tsv', 'root-d-published.tsv', true],
  ['d-atlas-section2.tsv', 'root-d-published.tsv', true],
  ['d-atlas-section15b.tsv', 'root-d-published.tsv', true],
  ['j-atlas-section15.tsv', 'root-j-published.tsv', true],
  ['l-atlas-1000.tsv', 'root-l-published.tsv', true],
  ['m-atlas-section1.tsv', 'root-m-published.tsv', null],
  ['m-atlas-section15.tsv', 'root-m-published.tsv', null],
  ['m-atlas-section2.tsv', 'root-m-published.tsv', null],
  ['f-atlas-0408-100.tsv', 'root-f-published.tsv', true],
  ['f-atlas-0408-500.tsv', 'root-f-published.tsv', true],
]

describe('sites on the third holdout (16 campaigns read after the method was frozen again)', () => {
  const p = {hits: 0, found: 0, hitsI: 0, foundI: 0}
  for (const [pings, list, anycast] of HOLDOUT3)
    it(`${pings}: anycast ${anycast}, never below iGreedy`, () => {
      const c = loadPublishedCampaign(pings, list)
      const r = findSites(c.obs, {identities: false})
      const ours = scoreSites(r.sites, c.truth)
      const base = scoreSites(iGreedyBaseline(c.obs, citySource).sites, c.truth)
      p.hits += ours.hits
      p.found += ours.found
      p.hitsI += base.hits
      p.foundI += base.found
      assert.equal(r.anycast, anycast, r.anycastReason)
      assert.ok(ours.hits >= base.hits, `${ours.hits} hits < iGreedy ${base.hits}`)
      assert.ok((ours.precision ?? 0) >= (base.precision ?? 0), `precision ${ours.precision} < iGreedy ${base.precision}`)
    })
  it('pooled: precision above iGreedy\'s and more true sites found', () => {
    assert.equal(p.found > 0 && p.foundI > 0, true, 'the per-campaign cases ran first')
    assert.ok(p.hits / p.found > p.hitsI / p.foundI, `precision ${p.hits}/${p.found} <= iGreedy ${p.hitsI}/${p.foundI}`)
    assert.ok(p.hits > p.hitsI, `hits ${p.hits} <= iGreedy ${p.hitsI}`)
  })
})

describe('sites: anycast decision', () => {
  it('one site explaining every RTT is unicast only when another region reached it too (two vantage points > 5000 km from it); else undecided', () => {
    // the same unicast server in Frankfurt, seen from Europe only (and from one far vantage point): undecided
    const europe = unicastObs().filter((o) => ['ber', 'par', 'mos', 'lon'].includes(o.vp))
    const a = findSites(europe)
    assert.equal(a.anycast, null, a.anycastReason)
    assert.match(a.anycastReason, /no vantage point is farther than 5000 km from it/)
    const b = findSites([...europe, unicastObs().find((o) => o.vp === 'nyc')!])
    assert.equal(b.anycast, null, b.anycastReason)
    assert.match(b.anycastReason, /only one vantage point is farther than 5000 km/)
    const c = findSites([...europe, ...unicastObs().filter((o) => o.vp === 'nyc' || o.vp === 'tyo')])
    assert.equal(c.anycast, false, c.anycastReason)
  })
  it('a unicast address seen from everywhere is anycast false, with one site', () => {
    const r = findSites(unicastObs())
    assert.equal(r.anycast, false, r.anycastReason)
    assert.equal(r.lowerBound, 1)
  })
  it('a unicast address stays not-anycast when one probe reports a wrong location (left out and counted)', () => {
    const obs = unicastObs()
    obs[1] = {...obs[1]!, lat: -33.9, lon: 18.4} // "par" claims Cape Town with its 5 ms RTT
    const r = findSites(obs)
    assert.notEqual(r.anycast, true, r.anycastReason)
    assert.equal(r.excluded.contradictingLocation, 1)
  })
  it('a unicast address stays not-anycast when one probe sits at a placeholder location (whole degrees: a country\'s centre), left out and counted', () => {
    const obs = unicastObs()
    obs[1] = {...obs[1]!, lat: -29.0025, lon: 23.9985} // "par" at South Africa's centre, as RIPE Atlas shows it
    const r = findSites(obs)
    assert.notEqual(r.anycast, true, r.anycastReason)
    assert.equal(r.excluded.placeholderLocation, 1)
    assert.equal(r.excluded.contradictingLocation, 0)
  })
  it('whole degrees that are no country\'s point are a rounding of a real place, kept; a small country\'s point is kept with its disc grown', () => {
    const obs = unicastObs()
    obs[1] = {...obs[1]!, lat: 48, lon: 2} // a host near Paris declared to the degree (not France's point, 46, 2)
    const r = findSites(obs)
    assert.equal(r.excluded.placeholderLocation, 0)
    assert.equal(r.used, VPS.length)
    assert.notEqual(r.anycast, true, r.anycastReason)
    // Singapore's point (1.3667, 103.8): the country reaches ~10 km from it, under PLACEHOLDER_KEEP_KM
    const sg = placeholderCountry(1.3675, 103.7985)
    assert.equal(sg?.country, 'SG')
    assert.ok(sg!.reachKm! > 0 && sg!.reachKm! <= PLACEHOLDER_KEEP_KM, JSON.stringify(sg))
    const kept = cleanObservations([{vp: 'atlas:1', lat: 1.3675, lon: 103.7985, rttMs: 2, identity: null}])
    assert.equal(kept.excluded.placeholderLocation, 0)
    assert.ok(Math.abs(kept.discs[0]!.radiusKm - (rttRadiusKm(2) + sg!.reachKm!)) < 1e-6, String(kept.discs[0]!.radiusKm))
    // the US point (38, -97) reaches thousands of km: left out, with the reason
    const us = cleanObservations([{vp: 'atlas:2', lat: 38.0015, lon: -96.9985, rttMs: 2, identity: null}])
    assert.equal(us.excluded.placeholderLocation, 1)
    assert.match(us.excluded.examples[0]!.reason, /standing for US, which reaches \d+ km/)
  })
  it('whole degrees the user gave (--location) are their rounding, kept', () => {
    const obs = unicastObs()
    obs[1] = {...obs[1]!, lat: 49, lon: 2, locationGiven: true}
    const r = findSites(obs)
    assert.equal(r.excluded.placeholderLocation, 0)
    assert.equal(r.used, VPS.length)
  })
  it('a lone vantage point in a region no other one samples is kept: nothing there contradicts it', () => {
    // every other vantage point is in southern Africa and reaches one site there; one in New York at 3 ms
    const jnb = {lat: -26.2, lon: 28.04}
    const africa: Array<[string, number, number]> = [
      ['cpt', -33.92, 18.42], ['dur', -29.86, 31.02], ['pta', -25.75, 28.19], ['blo', -29.12, 26.21], ['gab', -24.65, 25.91],
      ['har', -17.83, 31.05], ['lus', -15.39, 28.32], ['map', -25.97, 32.57], ['win', -22.56, 17.08], ['mas', -29.31, 27.48],
      ['plz', -33.96, 25.6],
    ]
    const obs: SiteObservation[] = africa.map(([vp, lat, lon]) => ({vp, lat, lon, rttMs: (distanceKm({lat, lon}, jnb) * 1.3) / KM_PER_RTT_MS + 1, identity: null}))
    obs.push({vp: 'nyc', lat: 40.71, lon: -74.01, rttMs: 3.2, identity: null})
    const r = findSites(obs)
    assert.equal(r.excluded.contradictingLocation, 0)
    assert.equal(r.anycast, true, r.anycastReason)
    // with a witness near it (a New Jersey probe reaching the African site), the same one is left out
    const witnessed = [...obs, {vp: 'ewr', lat: 40.73, lon: -74.17, rttMs: 280, identity: null}]
    const w = findSites(witnessed)
    assert.equal(w.excluded.contradictingLocation, 1)
    assert.match(w.excluded.examples[0]!.reason, /ewr/)
    assert.notEqual(w.anycast, true, w.anycastReason)
  })
  it('two outliers that back each other (small overlapping discs, different places) are a site seen by few, not two wrong locations', () => {
    // 240 vantage points on a grid over Europe reach one site in London; two probes near Frankfurt,
    // 30 km apart, reach another at 0.7 and 1.3 ms (H-root's section-1 campaign looked like this)
    const lon = {lat: 51.51, lon: -0.13}
    const grid: SiteObservation[] = []
    for (let i = 0; i < 16; i++)
      for (let j = 0; j < 15; j++) {
        const p = {lat: 40 + i * 1.2, lon: -8 + j * 2.2}
        grid.push({vp: `g${i}-${j}`, lat: p.lat, lon: p.lon, rttMs: (distanceKm(p, lon) * 1.3) / KM_PER_RTT_MS + 1, identity: null})
      }
    const base = findSites(grid)
    assert.notEqual(base.anycast, true, base.anycastReason)
    const fra = [
      {vp: 'fra-a', lat: 50.1, lon: 8.64, rttMs: 0.71, identity: null},
      {vp: 'fra-b', lat: 49.99, lon: 8.24, rttMs: 1.29, identity: null},
    ]
    const r = findSites([...grid, ...fra])
    assert.equal(r.excluded.contradictingLocation, 0)
    assert.equal(r.anycast, true, r.anycastReason)
    assert.ok(r.sites.some((s) => distanceKm(s, {lat: 50.11, lon: 8.68}) < 100), 'a site at Frankfurt')
    // the same two at one registered place (co-located probes share one registration and its
    // mistakes), or far apart: two wrong locations, left out
    for (const wrong of [
      fra.map((o) => ({...o, lat: 50.1, lon: 8.64})),
      [fra[0]!, {...fra[1]!, lat: 48.14, lon: 11.58}],
    ]) {
      const w = findSites([...grid, ...wrong])
      assert.equal(w.excluded.contradictingLocation, 2, JSON.stringify(w.excluded.examples))
      assert.notEqual(w.anycast, true, w.anycastReason)
    }
  })
  it('an outlier whose PoP verdict names a place inside its own disc is kept: the verdict agrees with its location', () => {
    const obs = unicastObs()
    obs[1] = {...obs[1]!, lat: -33.9, lon: 18.4, identity: {code: 'cpt', city: 'Cape Town', country: 'ZA', lat: -33.97, lon: 18.6, evidence: null}}
    const r = findSites(obs)
    assert.equal(r.excluded.contradictingLocation, 0)
    assert.equal(r.anycast, true, r.anycastReason)
  })
  it('two disjoint discs make it anycast, with two sites at the nearby cities', () => {
    const r = findSites([
      {vp: 'ber', lat: 52.52, lon: 13.4, rttMs: 1.5, identity: null},
      {vp: 'nyc', lat: 40.71, lon: -74.0, rttMs: 2, identity: null},
      {vp: 'par', lat: 48.86, lon: 2.35, rttMs: 14, identity: null},
    ])
    assert.equal(r.anycast, true)
    assert.equal(r.lowerBound, 2)
    const cities = r.sites.map((s) => s.city).sort()
    assert.deepEqual(cities, ['Berlin', 'New York City'])
  })
  it('too few vantage points: undecided, never false', () => {
    assert.equal(findSites(unicastObs().slice(0, 2)).anycast, null)
  })
  it('leaves out and counts missing locations, missing and impossible RTTs', () => {
    const r = findSites([
      ...unicastObs(),
      {vp: 'x1', lat: null, lon: null, rttMs: 3, identity: null},
      {vp: 'x2', lat: 10.3, lon: 10.7, rttMs: 0, identity: null},
      {vp: 'x3', lat: 10.3, lon: 10.7, rttMs: -4, identity: null},
      {vp: 'x4', lat: 10.3, lon: 10.7, rttMs: null, identity: null},
    ])
    assert.deepEqual([r.excluded.noLocation, r.excluded.impossibleRtt, r.excluded.noRtt], [1, 2, 1])
    assert.equal(r.used, VPS.length)
    assert.equal(r.anycast, false)
  })
  it('identities naming two places the discs cannot separate make it undecided, not true', () => {
    const obs = unicastObs().map((o, i) => ({...o, identity: i % 2 === 0 ? {code: 'fra', city: 'Frankfurt', country: 'DE', lat: 50.11, lon: 8.68, evidence: null} : {code: 'ams', city: 'Amsterdam', country: 'NL', lat: 52.37, lon: 4.9, evidence: null}}))
    const r = findSites(obs)
    assert.equal(r.anycast, null, r.anycastReason)
  })
  it('a verdict its disc excludes is a contradiction, not a site', () => {
    const r = findSites([
      {vp: 'ber', lat: 52.52, lon: 13.4, rttMs: 1.5, identity: {code: 'syd', city: 'Sydney', country: 'AU', lat: -33.87, lon: 151.21, evidence: null}},
      {vp: 'nyc', lat: 40.71, lon: -74.0, rttMs: 2, identity: null},
    ])
    assert.equal(r.contradictions.length, 1)
    assert.equal(r.contradictions[0]!.vp, 'ber')
    assert.ok(!r.sites.some((s) => s.code === 'syd'))
  })
  it('a feasible verdict confirms the site and places it at the named place', () => {
    const r = findSites([
      {vp: 'bonn', lat: 50.73, lon: 7.1, rttMs: 2.5, identity: {code: 'fra', city: 'Frankfurt', country: 'DE', lat: 50.04, lon: 8.56, evidence: 'dns-identity s1.fra'}},
      {vp: 'nyc', lat: 40.71, lon: -74.0, rttMs: 2, identity: null},
    ])
    const fra = r.sites.find((s) => s.code === 'fra')
    assert.ok(fra)
    assert.equal(fra.confirmed, true)
    assert.ok(fra.evidence.some((e) => e.kind === 'identity' && e.vp === 'bonn'))
  })
})

// The acceptance, per target: every committed campaign with a published list pooled by its
// target (A-root's six, Cloudflare's nine...), scored one-to-one: precision at least iGreedy's and
// more hits. A-root and Cloudflare were below it with population alone (0.677 vs 0.714, 0.8866 vs
// 0.8875) until placement weighed address density (src/analysis/sites/place.ts candidateWeight).
describe('sites per target, pooled over its published-list campaigns', () => {
  const byTarget = new Map<string, Array<[string, string]>>()
  for (const [pings, list] of PUBLISHED_CAMPAIGNS) {
    const t = pings.split('-')[0]!
    byTarget.set(t, [...(byTarget.get(t) ?? []), [pings, list]])
  }
  for (const [target, campaigns] of byTarget)
    it(`${target}: precision >= iGreedy's, hits > iGreedy's (${campaigns.length} campaigns)`, () => {
      const p = {hits: 0, found: 0, hitsI: 0, foundI: 0}
      for (const [pings, list] of campaigns) {
        const c = loadPublishedCampaign(pings, list)
        const ours = scoreSites(findSites(c.obs, {identities: false}).sites, c.truth)
        const base = scoreSites(iGreedyBaseline(c.obs, citySource).sites, c.truth)
        p.hits += ours.hits
        p.found += ours.found
        p.hitsI += base.hits
        p.foundI += base.found
      }
      assert.ok(p.hits * p.foundI >= p.hitsI * p.found, `precision ${p.hits}/${p.found} < iGreedy ${p.hitsI}/${p.foundI}`)
      assert.ok(p.hits > p.hitsI, `hits ${p.hits} <= iGreedy ${p.hitsI}`)
    })
})

// The fourth holdout (session 8): MiGreedy's F, K and L PlanetLab campaigns, transcribed blind after
// the address weighting was fixed at 8b31010 and scored once (bench/sites-holdout4.ts). Pooled,
// `sites` is above iGreedy and the weighting above population alone; F-root is the exception, below
// iGreedy (15 of 18 against 17 of 19 then): a Paris PlanetLab node given at (48, 2) was left out as a
// placeholder location (since session 9 only a country's own point is: 16 of 19), and a 5.7 ms disc
// from Ottawa is placed at Montréal where the site is New York, 540 km away at the disc's rim.
describe('sites on the fourth holdout (PlanetLab, read blind after the address weighting)', () => {
  const populationOnly = (lat: number, lon: number, r: number) => citySource(lat, lon, r).map((c) => ({...c, addresses: null}))
  it('pooled: precision and hits above iGreedy, and above placement by population alone; F-root stays the exception', () => {
    const p = {s: [0, 0], i: [0, 0], pop: [0, 0]}
    for (const file of ['f-planetlab.tsv', 'k-planetlab.tsv', 'l-planetlab.tsv']) {
      const c = loadCampaign(file)
      const obs = latencyOnly(c)
      const s = scoreSites(findSites(obs, {identities: false}).sites, c.truth)
      const i = scoreSites(iGreedyBaseline(obs, citySource).sites, c.truth)
      const pop = scoreSites(findSites(obs, {identities: false, candidates: populationOnly}).sites, c.truth)
      if (file === 'f-planetlab.tsv') {
        assert.ok(s.precision! < i.precision!, 'F-root is no longer below iGreedy: drop the exception')
        // the Évry node at (48, 2) is kept and places the Paris site
        const r = findSites(obs, {identities: false})
        // Évry at (48, 2) and Tunis at (36, 10) are roundings, kept; three nodes on Singapore's point are kept (it reaches ~10 km)
        assert.equal(r.excluded.placeholderLocation, 0, JSON.stringify(r.excluded))
        assert.ok(r.sites.some((x) => x.evidence.some((e) => e.vp === 'atlas:planetlab-node3.it-sudparis.eu')), 'Paris site from the Évry node')
        assert.ok(s.hits >= 16, `${s.hits} hits`)
      }
      else assert.ok(s.precision! >= i.precision! && s.hits >= i.hits, `${file}: ${s.hits}/${s.found} against iGreedy ${i.hits}/${i.found}`)
      for (const [k, x] of [['s', s], ['i', i], ['pop', pop]] as const) {
        p[k][0] += x.hits
        p[k][1] += x.found
      }
    }
    assert.ok(p.s[0]! * p.i[1]! > p.i[0]! * p.s[1]! && p.s[0]! > p.i[0]!, `sites ${p.s} against iGreedy ${p.i}`)
    assert.ok(p.s[0]! * p.pop[1]! >= p.pop[0]! * p.s[1]! && p.s[0]! >= p.pop[0]!, `sites ${p.s} against population alone ${p.pop}`)
  })
})

// The fifth and sixth holdouts (session 9): iGreedy2.0's last F-root and Cloudflare RIPE Atlas campaigns,
// transcribed blind, scored once with the method at cab6607 (bench/sites-holdout5.ts). Pooled, `sites`
// keeps the higher precision (64 of 67 against 65 of 69) but finds one hit fewer: the rule written before
// scoring asked for more hits, so issue 15 stays open. Both facts are held here: a change that gives up
// the precision fails, and one that lifts the hits above iGreedy's says so (update the READMEs and the issue).
describe('sites on the fifth and sixth holdouts (RIPE Atlas, read blind)', () => {
  it('pooled precision at least iGreedy\'s, per target too; hits one short of iGreedy\'s', async () => {
    const {scoreHoldout5} = await import('../../bench/sites-holdout5.js')
    const {pool} = scoreHoldout5()
    for (const [k, p] of pool) assert.ok(p.s[0]! * p.i[1]! >= p.i[0]! * p.s[1]!, `${k}: sites ${p.s} against iGreedy ${p.i}`)
    const all = pool.get('all')!
    assert.ok(all.s[0]! < all.i[0]!, `hits ${all.s[0]} no longer below iGreedy's ${all.i[0]}: the holdout rule may now be met`)
    assert.ok(all.s[0]! >= all.i[0]! - 1, `hits ${all.s[0]} fell further below iGreedy's ${all.i[0]}`)
  })
})

// How far a site can really be. The RTT disc (98.6 km per ms) is what light in fibre along a
// straight line would allow; real paths never get there. On the campaigns committed with
// per-vantage-point truth (test/fixtures/sites: F, K, L root samples and slices, Cloudflare and
// EdgeCast from PlanetLab; 3,212 vantage points, RTTs from 0.5 to 2,445 ms), the site a vantage point
// reached was never farther than 0.81 of its disc radius (0.70 below 20 ms: regional paths waste
// more), allowing 10 km for rounded probe locations and the RTT rounding of the root campaigns
// (bench/sites-efficiency.ts prints the figures per RTT band). So a site lies within the "likely
// disc" of radius 0.85 r + 10 km (at most r).
//
// Used only AFTER iGreedy's exact rounds and only once they proved anycast (two disjoint discs): for
// iGreedy a disc that contains a placed site is explained by it, even when that site sits on its rim
// where no measured path reaches; when the likely disc contains no placed site, the vantage point
// reached another site, inside its likely disc. Never used to decide anycast or the lower bound.
// A lower efficiency finds more sites but places some wrongly (measured: 0.75 below 20 ms costs
// precision on Cloudflare's PlanetLab and 500-probe RIPE Atlas campaigns), so the bound stays the
// measured envelope.
//
// Where such a site is, one vantage point cannot say much: anywhere in a disc of hundreds of km. It
// is placed only when the place chosen (./place.ts) is the vantage point's own metro area, within
// LIKELY_METRO_KM of it, where population and path efficiency agree (the median site is at 0.03 to
// 0.2 of the radius: bench/sites-efficiency.ts); otherwise it is reported as not placed. Measured
// out of sample on the root letters' RIPE Atlas campaigns from iGreedy2.0 (test/fixtures/sites/,
// bench/sites-eval.ts): sites from likely discs were 15 right and 7 wrong (Cairo for Tel Aviv,
// Milan for Florence, Turin for a probe that reached Paris at 0.92 of its radius); the 12 in the
// vantage point's own metro area were 11 right; and precision fell below iGreedy's on 3 of 11
// campaigns without the rule, on none with it (plateau from 35 to 75 km).
import {type Disc, makeDisc} from './discs.js'

export const PATH_EFFICIENCY = 0.85
export const LOCATION_SLACK_KM = 10
export const LIKELY_METRO_KM = 50

export function likelyRadiusKm(radiusKm: number): number {
  return Math.min(radiusKm, PATH_EFFICIENCY * radiusKm + LOCATION_SLACK_KM)
}

/** The likely part of the distance the RTT allows; the doubt about the vantage point's place is kept whole. */
export function likelyDisc(d: Disc): Disc {
  const slack = d.locationSlackKm ?? 0
  return makeDisc(d.idx, d.vp, d.lat, d.lon, d.rttMs, likelyRadiusKm(d.radiusKm - slack) + slack, slack)
}

// What is left out before any disc is drawn, each counted with its reason:
//  - no location: a disc needs a centre;
//  - placeholder locations: a location from the data (not one the user gave) on the point that
//    stands for a whole country in IP geolocation (../../geo/country-centres.ts: South Africa
//    -29, 24; the US 38, -97; Canada 60, -95; Germany 51, 9), where registries put a probe whose
//    place they do not know, and RIPE Atlas shows it fuzzed by a few thousandths of a degree. Such a
//    vantage point may be anywhere in the country: its disc, drawn at the point, places sites where
//    nothing was measured (a 3.8 ms probe "at" -29, 24 that reached Johannesburg, 500 km away, put a
//    site in Bloemfontein). It is left out unless the country is small (it reaches at most
//    PLACEHOLDER_KEEP_KM from its point: Singapore, Luxembourg), and then its disc grows by that
//    reach: it still says where the site can be. RIPE Atlas also says so itself: a probe tagged
//    system-auto-geoip-country was placed from its address at a point standing for its country
//    (left out whatever the country). Whole degrees elsewhere are a person's rounding of a real
//    place, kept (a PlanetLab host in Évry declared at 48, 2 reached the Paris site in 2.5 ms:
//    leaving out every whole-degree location lost that site);
//  - no RTT (the target did not answer) and impossible RTTs (< 0, not a number, over an hour:
//    ../../model/rtt.ts impossibleRtt, the rule report and diff drop them by; and here 0 too,
//    see zeroRtt): no disc;
//  - locations that contradict several others. Two checks, both only where the others outnumber the
//    one by far, because a wrong probe location is the one thing that can make a unicast address
//    look anycast (its disc lands away from the server):
//    a) RTT: the point covered by the most discs leaves out only a few vantage points (at most 1% of
//       them but at least one, and only with >= 10 vantage points): those few disagree with all the
//       others, which agree on one point, so their locations are taken as wrong, when a witness
//       contradicts them: another vantage point within NEIGHBOUR_KM of the disc's edge (at most
//       2 x NEIGHBOUR_KM from its centre) reached the common point. One alone in a region no other
//       vantage point samples is kept (nothing there says it is wrong: a lone New York probe in a
//       campaign of African probes reached a New York site), and so is one whose PoP verdict names
//       a place inside its own disc (the verdict agrees with its location and says it reached
//       another site), and so is one that another of the few corroborates: both discs small (at
//       most CORROBORATE_KM) and overlapping, from places at least 1 km apart. A wrong location is
//       one probe's fault; two probes at different places agreeing on a place none of the others
//       reaches are a site seen by few (H-root's Frankfurt site, reached at 0.7 and 1.3 ms by two
//       probes 30 km apart whose discs excluded the point the other 632 shared, was taken for two
//       wrong locations, and H-root for undecided).
//       (A real site seen by ONE vantage point, with a witness nearby, is lost: precision first.)
//    b) identity: a vantage point whose PoP verdict names a place its disc excludes, while at least
//       two others naming the same place have discs that contain it: its location is wrong.
import {impossibleRtt} from '../../model/rtt.js'
import {bestCoverPoint} from './intersect.js'
import {countryCentreAt, countryReachKm} from '../../geo/country-centres.js'
import {byRtt, type Disc, discDistanceKm, makeDisc, overlaps, pointTerms, rttRadiusKm} from './discs.js'
import type {SiteObservation, SitesExcluded} from './types.js'

export const OUTLIER_SHARE = 0.01
export const OUTLIER_MIN_VPS = 10
/** a witness against an outlier lies within this distance of its disc's edge, and never farther than twice it from its centre (the same region) */
export const NEIGHBOUR_KM = 1000
/** two outliers' discs both within this radius and overlapping back each other (a site seen by few, not two wrong locations) */
export const CORROBORATE_KM = 200
/** a country's point is kept only for a country that reaches at most this far from it (its disc grows by that reach) */
export const PLACEHOLDER_KEEP_KM = 100
/** slack on "a disc contains a claimed place": city centre vs. the building, coordinate rounding */
export const IDENTITY_SLACK_KM = 50
const EXAMPLES = 10

/**
 * A 0 ms RTT: a real reading for report and diff (model/rtt.ts impossibleRtt: Globalping's whole
 * milliseconds round a probe in the target's datacentre to 0), but no disc: the reading is a
 * rounding, not a bound, and a disc of radius 0 would place the site exactly at the vantage point's
 * stated location, which is nothing the measurement says. Counted as impossibleRtt with the rest.
 */
const zeroRtt = (ms: number): boolean => ms === 0

export interface Cleaned {
  /** sorted smallest first; disc.idx points into the observations */
  discs: Disc[]
  excluded: SitesExcluded
}

function exclude(ex: SitesExcluded, vp: string, reason: string): void {
  if (ex.examples.length < EXAMPLES) ex.examples.push({vp, reason})
}

export function cleanObservations(obs: readonly SiteObservation[], opts: {outliers?: boolean; identities?: boolean; placeholders?: boolean} = {}): Cleaned {
  const excluded: SitesExcluded = {noLocation: 0, placeholderLocation: 0, noRtt: 0, impossibleRtt: 0, contradictingLocation: 0, examples: []}
  let discs: Disc[] = []
  obs.forEach((o, i) => {
    if (o.lat === null || o.lon === null || !Number.isFinite(o.lat) || !Number.isFinite(o.lon) || Math.abs(o.lat) > 90 || Math.abs(o.lon) > 180) {
      excluded.noLocation++
      return
    }
    let growKm = 0
    if (opts.placeholders !== false && o.locationGiven !== true) {
      const centre = o.locationPlaceholder === true ? null : placeholderCountry(o.lat, o.lon)
      if (o.locationPlaceholder === true || (centre !== null && (centre.reachKm === null || centre.reachKm > PLACEHOLDER_KEEP_KM))) {
        excluded.placeholderLocation++
        exclude(excluded, o.vp, centre === null ? `location (${o.lat}, ${o.lon}) stands for its country (RIPE Atlas placed it from its address: system-auto-geoip-country)` : `location (${o.lat}, ${o.lon}) is the point standing for ${centre.country}${centre.reachKm === null ? '' : `, which reaches ${Math.round(centre.reachKm)} km from it`}: an unknown place in the country`)
        return
      }
      if (centre !== null) growKm = centre.reachKm!
    }
    if (o.rttMs === null) {
      excluded.noRtt++
      return
    }
    if (impossibleRtt(o.rttMs) || zeroRtt(o.rttMs)) {
      excluded.impossibleRtt++
      exclude(excluded, o.vp, `impossible RTT ${String(o.rttMs)} ms`)
      return
    }
    discs.push(makeDisc(i, o.vp, o.lat, o.lon, o.rttMs, rttRadiusKm(o.rttMs) + growKm, growKm))
  })
  discs.sort(byRtt)

  // b) identity: the others naming the same place agree on it, this one's disc excludes it
  const byCode = new Map<string, Disc[]>()
  for (const d of opts.identities === false ? [] : discs) {
    const id = obs[d.idx]!.identity
    if (id === null || id.lat === null || id.lon === null) continue
    const list = byCode.get(id.code) ?? []
    list.push(d)
    byCode.set(id.code, list)
  }
  const drop = new Set<number>()
  for (const [code, list] of byCode) {
    const id = obs[list[0]!.idx]!.identity!
    const p = pointTerms(id.lat!, id.lon!)
    const inside = list.filter((d) => discDistanceKm(d, p) <= d.radiusKm + IDENTITY_SLACK_KM)
    if (inside.length < 2) continue
    for (const d of list) {
      if (inside.includes(d)) continue
      drop.add(d.idx)
      excluded.contradictingLocation++
      exclude(excluded, d.vp, `names ${code} like ${inside.length} others whose discs contain it, but its own disc (${Math.round(d.radiusKm)} km) is ${Math.round(discDistanceKm(d, p))} km away from it: its location is taken as wrong`)
    }
  }
  if (drop.size > 0) discs = discs.filter((d) => !drop.has(d.idx))

  // a) RTT: a few vantage points against a point all the others share
  if (opts.outliers !== false && discs.length >= OUTLIER_MIN_VPS) {
    const best = bestCoverPoint(discs)
    const tolerance = Math.max(1, Math.floor(discs.length * OUTLIER_SHARE))
    if (best !== null && best.outside.length > 0 && best.outside.length <= tolerance) {
      const outside = new Set(best.outside)
      const out = new Set<number>()
      for (const i of best.outside) {
        const d = discs[i]!
        if (opts.identities !== false && agreesWithIdentity(d, obs[d.idx]!)) continue
        if (corroborated(i, best.outside, discs)) continue
        const reach = Math.min(d.radiusKm, NEIGHBOUR_KM) + NEIGHBOUR_KM
        const witness = discs.find((w, j) => !outside.has(j) && discDistanceKm(w, d) <= reach)
        if (witness === undefined) continue
        out.add(i)
        excluded.contradictingLocation++
        exclude(excluded, d.vp, `its disc excludes the point (${best.lat.toFixed(2)}, ${best.lon.toFixed(2)}) that the discs of all ${best.covered} others contain, ${witness.vp} ${Math.round(discDistanceKm(witness, d))} km away among them: its location is taken as wrong`)
      }
      if (out.size > 0) discs = discs.filter((_, i) => !out.has(i))
    }
  }
  return {discs, excluded}
}

/**
 * Another of the few discs outside the common point backs disc `i`: both at most CORROBORATE_KM
 * (about 2 ms: so small that two wrong locations rarely overlap by chance, where large discs of
 * distant probes would) and overlapping, from vantage points at least 1 km apart (co-located probes
 * share one registration and its mistakes).
 */
function corroborated(i: number, outside: readonly number[], discs: readonly Disc[]): boolean {
  const d = discs[i]!
  if (d.radiusKm > CORROBORATE_KM) return false
  return outside.some((j) => {
    const o = discs[j]!
    return j !== i && o.radiusKm <= CORROBORATE_KM && overlaps(o, d) && discDistanceKm(o, d) >= 1
  })
}

/** The country whose standing-for point this location is, and how far the country reaches from it (null: unknown), else null. */
export function placeholderCountry(lat: number, lon: number): {country: string; reachKm: number | null} | null {
  const c = countryCentreAt(lat, lon)
  return c === null ? null : {country: c.country, reachKm: countryReachKm(c)}
}

/** Its PoP verdict names a place inside its own disc: its location and its RTT agree with it. */
function agreesWithIdentity(d: Disc, o: SiteObservation): boolean {
  const id = o.identity
  if (id === null || id.lat === null || id.lon === null) return false
  return discDistanceKm(d, pointTerms(id.lat, id.lon)) <= d.radiusKm + IDENTITY_SLACK_KM
}

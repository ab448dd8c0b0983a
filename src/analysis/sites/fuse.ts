// Latency sites fused with what the sites say of themselves (a vantage point's PoP verdict: CHAOS /
// NSID, CDN header, hop name) for the same vantage points:
//  - a verdict naming a place inside its vantage point's disc is feasible. When it is the verdict of
//    the vantage point whose disc made a site (or of most of that site's cluster), the site is no
//    longer a guess: it moves to the named place and is confirmed;
//  - a feasible verdict naming a place no site is near (100 km) adds a site there: the discs could
//    not separate it from the others, the verdict does;
//  - a verdict naming a place its RTT excludes is a contradiction: a wrong verdict or a wrong
//    vantage point location (the locations that several others contradict were already left out,
//    ./clean.ts). It is reported, never used. So is a verdict the probe's own check already dropped
//    (a result's popRejected), so that it shows whichever method and backend produced it.
// "Its RTT allows the place" is one rule for every method and for trace / dns / http's own check
// (src/infer/rtt.ts rttFeasibility): geo's maxDistanceKm, slack included. A verdict the disc's bare
// radius excludes but that rule allows (the place is a metro centre, the coordinates are rounded)
// is feasible in both, never confirmed by one and contradicted by the other.
import {maxDistanceKm} from '../../geo/distance.js'
import {discDistanceKm, type Disc, pointTerms, rttText} from './discs.js'
import type {PlacedSite} from './engine.js'
import type {Site, SiteContradiction, SiteEvidence, SiteIdentity, SiteObservation} from './types.js'

export const MATCH_KM = 100
export const MAX_EVIDENCE = 10

/**
 * How far from its vantage point the place of a verdict can be, given the disc's RTT: the one rule,
 * plus the doubt about where the vantage point is that its disc carries (a small country's point).
 */
export function verdictAllowsKm(d: Disc): number {
  return maxDistanceKm(d.rttMs) + (d.locationSlackKm ?? 0)
}

interface Feasible {
  id: SiteIdentity & {lat: number; lon: number}
  disc: Disc
}

function discEvidence(d: Disc, note: string): SiteEvidence {
  return {kind: 'disc', vp: d.vp, rttMs: d.rttMs, radiusKm: Math.round(d.radiusKm), code: null, note}
}

function identityEvidence(f: Feasible): SiteEvidence {
  const km = Math.round(discDistanceKm(f.disc, pointTerms(f.id.lat, f.id.lon)))
  return {kind: 'identity', vp: f.disc.vp, rttMs: f.disc.rttMs, radiusKm: Math.round(f.disc.radiusKm), code: f.id.code, note: `${f.id.evidence ?? f.id.code}: ${km} km from the vantage point, within the ${Math.round(verdictAllowsKm(f.disc))} km its RTT allows`}
}

function confirm(site: Site, f: Feasible): void {
  site.lat = f.id.lat
  site.lon = f.id.lon
  site.city = f.id.city ?? site.city
  site.country = f.id.country ?? site.country
  site.code = f.id.code
  site.confirmed = true
}

function addEvidence(site: Site, e: SiteEvidence): void {
  if (site.evidence.length < MAX_EVIDENCE && !site.evidence.some((x) => x.kind === e.kind && x.vp === e.vp)) site.evidence.push(e)
}

export function fuseIdentities(placed: readonly PlacedSite[], discs: readonly Disc[], obs: readonly SiteObservation[], useIdentities = true): {sites: Site[]; contradictions: SiteContradiction[]} {
  const sites: Site[] = placed.map((p) => {
    const note = p.round === 0 ? 'disjoint from the other sites\' discs' : p.likely ? `no other site lies within ${Math.round(p.disc.radiusKm)} km, the farthest a measured path reaches with its RTT (round ${p.round + 1})` : `separable once its neighbours were placed (round ${p.round + 1})`
    const evidence: SiteEvidence[] = [discEvidence(p.disc, note)]
    for (const d of p.placement.constraining.slice(1)) if (evidence.length < MAX_EVIDENCE) evidence.push(discEvidence(d, 'overlaps only this site\'s disc and narrows where it is'))
    // the vantage points that most likely reached this site: discs overlapping only its disc and containing the chosen place
    const at = pointTerms(p.lat, p.lon)
    const supporting = p.cluster.filter((d) => discDistanceKm(d, at) <= d.radiusKm)
    for (const d of supporting) {
      if (evidence.length >= MAX_EVIDENCE) break
      if (!evidence.some((e) => e.vp === d.vp)) evidence.push(discEvidence(d, 'contains the site and overlaps no other site\'s disc'))
    }
    return {
      lat: p.lat,
      lon: p.lon,
      city: p.placement.candidate?.name ?? null,
      country: p.placement.candidate?.country ?? null,
      code: null,
      evidence,
      areaKm: p.placement.areaKm,
      vantagePoints: 1 + supporting.filter((d) => d !== p.disc).length,
      confirmed: false,
      source: p.round === 0 ? 'disjoint' : 'iteration',
    }
  })
  const contradictions: SiteContradiction[] = []
  if (!useIdentities) return {sites: mergeSameSite(sites), contradictions}

  const feasible = new Map<Disc, Feasible>()
  for (const d of discs) {
    const id = obs[d.idx]?.identity ?? null
    const rejected = obs[d.idx]?.rejected ?? []
    if (id === null && rejected.length > 0) {
      // the probe's own check (the same rule) already dropped its verdict: listed here all the same
      const r = rejected[0]!
      const others = rejected.slice(1).map((x) => x.code)
      contradictions.push({
        vp: d.vp,
        code: r.code,
        distanceKm: Math.round(r.distanceKm),
        radiusKm: Math.round(verdictAllowsKm(d)),
        note: `${r.code}${others.length > 0 ? ` (also read: ${others.join(', ')})` : ''} is ${Math.round(r.distanceKm)} km from the vantage point but its ${rttText(d.rttMs)} RTT allows ${Math.round(verdictAllowsKm(d))} km: a wrong PoP verdict or a wrong vantage point location`,
      })
      continue
    }
    if (id === null || id.lat === null || id.lon === null) continue
    const km = discDistanceKm(d, pointTerms(id.lat, id.lon))
    const allows = verdictAllowsKm(d)
    if (km <= allows) {
      feasible.set(d, {id: id as Feasible['id'], disc: d})
    } else {
      contradictions.push({
        vp: d.vp,
        code: id.code,
        distanceKm: Math.round(km),
        radiusKm: Math.round(allows),
        note: `${id.code} is ${Math.round(km)} km from the vantage point but its ${rttText(d.rttMs)} RTT allows ${Math.round(allows)} km: a wrong PoP verdict or a wrong vantage point location`,
      })
    }
  }

  const byObservation = new Map([...feasible.values()].map((f) => [f.disc.idx, f]))
  // the site's own vantage point, else most of its cluster, names a feasible place: that is the site
  placed.forEach((p, i) => {
    const site = sites[i]!
    // by observation: a site from a likely disc (./likely.ts) has its own disc object
    let f = byObservation.get(p.disc.idx) ?? null
    if (f === null && p.cluster.length > 0) {
      const votes = new Map<string, {f: Feasible; n: number}>()
      for (const d of p.cluster) {
        const g = feasible.get(d)
        if (g === undefined || discDistanceKm(p.disc, pointTerms(g.id.lat, g.id.lon)) > verdictAllowsKm(p.disc)) continue
        const v = votes.get(g.id.code) ?? {f: g, n: 0}
        v.n++
        votes.set(g.id.code, v)
      }
      const ranked = [...votes.values()].sort((a, b) => b.n - a.n)
      if (ranked.length > 0 && ranked[0]!.n * 2 > p.cluster.length) f = ranked[0]!.f
    }
    if (f !== null) {
      confirm(site, f)
      addEvidence(site, identityEvidence(f))
    }
  })

  // every other feasible verdict: confirms a site near its place, or adds one
  for (const f of feasible.values()) {
    const p = pointTerms(f.id.lat, f.id.lon)
    let near: Site | null = null
    let nearKm = Infinity
    for (const s of sites) {
      const km = discDistanceKm(pointTerms(s.lat, s.lon), p)
      if (km < nearKm) {
        near = s
        nearKm = km
      }
    }
    if (near !== null && nearKm <= MATCH_KM) {
      if (!near.confirmed) confirm(near, f)
      addEvidence(near, identityEvidence(f))
      continue
    }
    sites.push({
      lat: f.id.lat,
      lon: f.id.lon,
      city: f.id.city,
      country: f.id.country,
      code: f.id.code,
      evidence: [identityEvidence(f)],
      areaKm: Math.round(f.disc.radiusKm),
      vantagePoints: 1,
      confirmed: true,
      source: 'identity',
    })
  }
  return {sites: mergeSameSite(sites), contradictions}
}

/** same place: placed at one city (or point), or named by one identity code */
export const SAME_SITE_KM = 1

/**
 * Two sites at one place are one site (a disc placed at the city another site is at, or two sites
 * that identities moved to the same named PoP): the first found is kept with the other's evidence.
 */
function mergeSameSite(sites: Site[]): Site[] {
  const out: Site[] = []
  for (const s of sites) {
    const p = pointTerms(s.lat, s.lon)
    const same = out.find((o) => (s.code !== null && o.code === s.code) || discDistanceKm(pointTerms(o.lat, o.lon), p) <= SAME_SITE_KM)
    if (same === undefined) {
      out.push(s)
      continue
    }
    for (const e of s.evidence) addEvidence(same, e)
    same.vantagePoints += s.vantagePoints
    if (s.confirmed && !same.confirmed) {
      same.lat = s.lat
      same.lon = s.lon
      same.city = s.city
      same.country = s.country
      same.code = s.code
      same.confirmed = true
    }
  }
  return out
}

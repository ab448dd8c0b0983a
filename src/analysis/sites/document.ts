// The `sites` document (schemas/sites.schema.json) and how vantage outcomes become observations.
import type {PopVerdict} from '../../model/pop.js'
import type {VantagePoint} from '../../model/vantage.js'
import {sanitize} from '../../util/sanitize.js'
import {findSites} from './index.js'
import {SITES_SCHEMA_VERSION, type SiteObservation, type SitesDocument} from '../../model/sites.js'

export {SITES_SCHEMA_VERSION, type SitesDocument} from '../../model/sites.js'

/** One vantage point's result as an observation: its location, lowest RTT, and PoP verdict. */
export function observationOf(vantage: VantagePoint, rttMs: number | null, pop: PopVerdict | null, evidence: string | null): SiteObservation {
  return {
    vp: vantage.id,
    lat: vantage.lat,
    lon: vantage.lon,
    rttMs,
    identity:
      pop === null
        ? null
        : {code: sanitize(pop.code, 40), city: pop.city === null ? null : sanitize(pop.city, 80), country: pop.country, lat: pop.lat, lon: pop.lon, evidence: evidence === null ? null : sanitize(evidence, 120)},
  }
}

/**
 * Keep `o` in `byVp` unless that vantage point already has a lower RTT: a vantage point measured
 * several times (in one file, or in several campaigns read together) counts with its lowest RTT,
 * the only one that bounds where its site is; an identity seen in any of its results is kept.
 */
export function keepLowestRtt(byVp: Map<string, SiteObservation>, o: SiteObservation): void {
  const prev = byVp.get(o.vp)
  if (prev === undefined || (o.rttMs !== null && (prev.rttMs === null || o.rttMs < prev.rttMs))) byVp.set(o.vp, {...o, identity: o.identity ?? prev?.identity ?? null})
}

export function sitesDocument(obs: readonly SiteObservation[], meta: {target: string | null; method: string | null}): SitesDocument {
  const {used, ...rest} = findSites(obs)
  return {schemaVersion: SITES_SCHEMA_VERSION, kind: 'sites', target: meta.target, method: meta.method, ...rest, vantagePoints: {total: obs.length, used}}
}

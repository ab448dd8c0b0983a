// The peer's method as published, as a baseline to compare `sites` with on the same data:
// iGreedy (Cicalese et al., INFOCOM 2015 / JSAC 2016; iGreedy2.0) with alpha = 1: greedy MIS of
// the RTT discs (98.6 km/ms), each kept disc placed at the most populous candidate city inside it,
// tiny discs at the chosen cities, repeat until stable. No identities, no exclusions beyond
// unusable input. Same candidate cities as `sites` (the project's geo data) so that only the method
// differs (iGreedy ships its own airport list with city populations).
import {cleanObservations} from './clean.js'
import {enumerateAndPlace} from './engine.js'
import type {CandidateSource, SiteObservation} from './types.js'

export interface BaselineSite {
  lat: number
  lon: number
  city: string | null
  country: string | null
}

export function iGreedyBaseline(obs: readonly SiteObservation[], source: CandidateSource): {anycast: boolean; sites: BaselineSite[]; lowerBound: number} {
  const {discs} = cleanObservations(obs, {outliers: false, identities: false, placeholders: false})
  const {placed, lowerBound} = enumerateAndPlace(discs, source, {migreedy: false})
  return {
    anycast: lowerBound >= 2,
    lowerBound,
    sites: placed.map((p) => ({lat: p.lat, lon: p.lon, city: p.placement.candidate?.name ?? null, country: p.placement.candidate?.country ?? null})),
  }
}

// Raw RIPE Atlas results carry probe ids, not where the probes are. `sites --input` given such
// results with `--probes api` asks the Atlas API for those probes' metadata (/probes/?id__in=...,
// public: no key), as RIPE Atlas's own tools do, so a results download is enough. Asked for, never
// implied: reading a file does not go to the network unless the user says so. --probes FILE reads
// the same metadata from a file.
//
// An API that cannot be reached loses nothing: the probes stay without a location (counted in
// `excluded.noLocation`) and the error says how to give the file. Few tries and a short timeout:
// this is a side lookup, not the measurement, and an offline machine should hear so quickly.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {SiteObservation} from '../../model/sites.js'
import {AtlasClient} from './client.js'
import {loadAtlasConfig} from './config.js'
import {fetchProbeMeta} from './index.js'
import type {AtlasProbeMeta} from './parse.js'

/** a RIPE Atlas probe's vantage id; ids are well below 10 digits (a longer one is not a probe) */
const ATLAS_VP = /^atlas:(\d{1,10})$/

/** The probe ids of observations with no location of their own (and none the user gave). */
export function unlocatedProbeIds(obs: readonly SiteObservation[]): number[] {
  const ids = new Set<number>()
  for (const o of obs) {
    if (o.lat !== null && o.lon !== null) continue
    const m = ATLAS_VP.exec(o.vp)
    if (m) ids.add(Number(m[1]))
  }
  return [...ids]
}

export type ProbeFetcher = (ids: readonly number[]) => Promise<Map<number, AtlasProbeMeta>>

/** ids per request (the API's page size) */
export const PROBES_PER_REQUEST = 500

/** The API's probe list; public metadata, so no key is sent even when one is configured. */
export function apiProbeFetcher(): ProbeFetcher {
  const config = loadAtlasConfig()
  const client = new AtlasClient({apiUrl: config.apiUrl, key: null, maxTries: 2, timeoutMs: 15_000, baseDelayMs: 500})
  return (ids) => fetchProbeMeta(client, ids)
}

/**
 * The observations with the locations the API gave (a probe RIPE Atlas placed at its country's
 * centre is marked so: ../../analysis/sites/clean.ts leaves it out), how many were found, and the
 * error of the pages that could not be fetched (their probes stay as they were).
 */
export async function locateAtlasObservations(obs: readonly SiteObservation[], fetch: ProbeFetcher = apiProbeFetcher()): Promise<{obs: SiteObservation[]; asked: number; located: number; error: AnyprobeError | null}> {
  const ids = unlocatedProbeIds(obs)
  if (ids.length === 0) return {obs: [...obs], asked: 0, located: 0, error: null}
  // one request per page of ids; a page that fails loses only its own probes
  const metas = new Map<number, AtlasProbeMeta>()
  let failed = 0
  let why: string | null = null
  for (let i = 0; i < ids.length; i += PROBES_PER_REQUEST) {
    const page = ids.slice(i, i + PROBES_PER_REQUEST)
    try {
      for (const [id, m] of await fetch(page)) metas.set(id, m)
    } catch (e) {
      failed += page.length
      why ??= e instanceof AnyprobeError ? e.message : (e as Error).message
    }
  }
  const error =
    failed === 0
      ? null
      : new AnyprobeError('E_NETWORK', `the locations of ${failed} of ${ids.length} RIPE Atlas probes could not be fetched: ${why}`, {
          hint: 'give their metadata with --probes FILE (a saved /api/v2/probes/?id__in=... page, or the daily probe archive); the sites shown are of the located ones',
          exitCode: EXIT.network,
        })
  let located = 0
  const out = obs.map((o) => {
    if (o.lat !== null && o.lon !== null) return o
    const m = ATLAS_VP.exec(o.vp)
    const meta = m ? metas.get(Number(m[1])) : undefined
    if (meta === undefined || meta.lat === null || meta.lon === null) return o
    located++
    return {...o, lat: meta.lat, lon: meta.lon, ...(meta.tags.includes('system-auto-geoip-country') ? {locationPlaceholder: true} : {})}
  })
  return {obs: out, asked: ids.length, located, error}
}

// Reads the iGreedy-format campaigns in test/fixtures/sites/ (one RIPE Atlas probe per line:
// id, latitude, longitude, the site its CHAOS answer named, min RTT) into `sites` observations, and
// the ground truth: the distinct sites named, placed at their code's airport (IATA) or, for
// operator codes, at the place test/fixtures/sites/codes.tsv gives. Also: RIPE Atlas ping results and
// --probes bodies for `sites --input` tests (atlasPing, atlasProbesBody).
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {airportByIata} from '../../src/geo/airports.js'
import type {SiteObservation} from '../../src/analysis/sites/index.js'

export const SITES_DIR = join(import.meta.dirname, '..', 'fixtures', 'sites')

export interface Campaign {
  name: string
  obs: SiteObservation[]
  truth: Array<{code: string; lat: number; lon: number}>
}

function codeTable(): Map<string, {lat: number; lon: number; city: string}> {
  const m = new Map<string, {lat: number; lon: number; city: string}>()
  let text = ''
  try {
    text = readFileSync(join(SITES_DIR, 'codes.tsv'), 'utf8')
  } catch {
    return m
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const [code, lat, lon, city] = line.split('\t')
    m.set(code!, {lat: Number(lat), lon: Number(lon), city: city ?? code!})
  }
  return m
}

export function placeOfCode(code: string, table = codeTable()): {lat: number; lon: number; city: string | null; country: string | null} | null {
  const t = table.get(code)
  if (t) return {lat: t.lat, lon: t.lon, city: t.city, country: null}
  const a = airportByIata(code)
  if (a === null) return null
  return {lat: a.lat, lon: a.lon, city: a.municipality, country: a.country}
}

/** One file, or several joined with "+" (e.g. "f-ripe.tsv+f-ripe-mid.tsv": two slices of one campaign). */
export function loadCampaign(file: string): Campaign {
  const table = codeTable()
  const obs: SiteObservation[] = []
  const codes = new Set<string>()
  const text = file
    .split('+')
    .map((f) => readFileSync(join(SITES_DIR, f), 'utf8'))
    .join('\n')
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const [id, lat, lon, gt, rtt] = line.split('\t')
    const place = placeOfCode(gt!, table)
    codes.add(gt!)
    obs.push({
      vp: `atlas:${id}`,
      lat: Number(lat),
      lon: Number(lon),
      rttMs: Number(rtt),
      identity: {code: gt!, city: place?.city ?? null, country: place?.country ?? null, lat: place?.lat ?? null, lon: place?.lon ?? null, evidence: `CHAOS ${gt}`},
    })
  }
  const truth: Campaign['truth'] = []
  for (const c of codes) {
    const p = placeOfCode(c, table)
    if (p === null) throw new Error(`${file}: no place for site code ${c}: add it to codes.tsv`)
    truth.push({code: c, lat: p.lat, lon: p.lon})
  }
  return {name: file.replace(/\.tsv/g, ''), obs, truth}
}

/** The same campaign without the identities (latency only, as iGreedy sees it). */
export function latencyOnly(c: Campaign): SiteObservation[] {
  return c.obs.map((o) => ({...o, identity: null}))
}

/**
 * A campaign written as a user would have it: a RIPE Atlas ping download (one result per probe,
 * its min RTT) and a probe archive with the probes' locations, for `sites --input FILE --probes FILE`.
 */
export function atlasCampaignFiles(file = 'f-ripe.tsv'): {results: string; probes: string} {
  const c = loadCampaign(file)
  const dir = mkdtempSync(join(tmpdir(), 'sites-'))
  const results = c.obs.map((o) => {
    const id = Number(o.vp.slice('atlas:'.length))
    return {fw: 5020, af: 4, dst_addr: '192.5.5.241', dst_name: '192.5.5.241', from: '192.0.2.1', msm_id: 1001, prb_id: id, proto: 'ICMP', type: 'ping', timestamp: 1457111609, size: 48, sent: 3, rcvd: 3, min: o.rttMs, avg: o.rttMs, max: o.rttMs, result: [{rtt: o.rttMs}, {rtt: o.rttMs}, {rtt: o.rttMs}]}
  })
  const probes = c.obs.map((o) => ({id: Number(o.vp.slice('atlas:'.length)), asn_v4: null, country_code: null, latitude: o.lat, longitude: o.lon}))
  writeFileSync(join(dir, 'ping.json'), JSON.stringify(results))
  writeFileSync(join(dir, 'probes.json'), JSON.stringify({objects: probes}))
  return {results: join(dir, 'ping.json'), probes: join(dir, 'probes.json')}
}

/**
 * A RIPE Atlas ping result of probe `id` to 192.5.5.241 as the API returns it (three packets, each
 * `rtt` ms; null: timed out, rcvd 0, min -1, result [{"x": "*"}]: https://atlas.ripe.net/docs/apis/result-format/ ping).
 */
export function atlasPing(id: number, rtt: number | null): Record<string, unknown> {
  const base = {fw: 5080, af: 4, dst_addr: '192.5.5.241', dst_name: '192.5.5.241', from: '192.0.2.1', msm_id: 9999, prb_id: id, proto: 'ICMP', type: 'ping', timestamp: 1700000000, size: 48, sent: 3}
  return rtt === null ? {...base, rcvd: 0, min: -1, avg: -1, max: -1, result: [{x: '*'}, {x: '*'}, {x: '*'}]} : {...base, rcvd: 3, min: rtt, avg: rtt, max: rtt, result: [{rtt}, {rtt}, {rtt}]}
}

/** A --probes file's body locating each probe (the API's probe objects: id, ASN, country, place). */
export function atlasProbesBody(probes: ReadonlyArray<{id: number; lat: number; lon: number}>, countryCode: string | null = null): {objects: unknown[]} {
  return {objects: probes.map((p) => ({id: p.id, asn_v4: null, country_code: countryCode, latitude: p.lat, longitude: p.lon}))}
}

// Hand-made inputs for the HTML report tests: a catchment of the lab's shape (plus an unreached, a
// failed and an unlocated vantage point, and hostile text), a watch with a silent-cut failover, a
// sites map. Made in code so each test can change one thing and see the page change.
import type {CatchmentResult, CatchmentVantagePoint} from '../../src/analysis/catchment.js'
import type {Observation, WatchEvent, WatchStart} from '../../src/model/watch.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import type {SitesMapInput} from '../../src/render/html/sites-map.js'

export const EVIL = '<img src=x onerror=alert(1)>"\'&'

function vp(id: string, lat: number | null, lon: number | null, country: string | null = null): VantagePoint {
  return {kind: 'atlas', id, name: null, asn: 64500, country, lat, lon}
}

function row(v: VantagePoint, pop: {code: string; city: string | null; country: string | null} | null, rtt: number | null, reached: boolean | null, evidence: string | null = null): CatchmentVantagePoint {
  return {
    vantage: v,
    pop: pop ? {...pop, confidence: 0.9} : null,
    rttMs: rtt,
    evidence,
    reached,
    error: reached === null ? {code: 'E_TIMEOUT', message: 'no answer', hint: null} as unknown as CatchmentVantagePoint['error'] : null,
  }
}

const FRA = {code: 'fra', city: 'Frankfurt am Main', country: 'DE'}
const IAD = {code: 'iad', city: 'Ashburn', country: 'US'}
const SIN = {code: 'sin', city: 'Singapore', country: 'SG'}

export function sampleCatchment(): CatchmentResult {
  return {
    schemaVersion: 1,
    kind: 'catchment',
    target: '198.51.100.10',
    method: 'dns',
    vantagePoints: [
      row(vp('1001', 52.52, 13.405, 'DE'), FRA, 4.1, true, 'dns-identity s1.fra.anycast.example'),
      row(vp('1002', 40.71, -74.0, 'US'), IAD, 3.2, true, `dns-identity ${EVIL}`),
      row(vp('1003', 35.68, 139.69, 'JP'), SIN, 12.5, true, 'dns-identity s1.sin.anycast.example'),
      row(vp('1004', -23.55, -46.63, 'BR'), IAD, 31.7, false, 'hop-hostname be1.iad.example'),
      row(vp('1005', null, null), IAD, 5, true, 'dns-identity s2.iad.anycast.example'),
      row(vp('1006', 48.85, 2.35, 'FR'), null, 9.1, true, null),
      row(vp('1007', 51.5, -0.12, 'GB'), null, null, null),
      row(vp(EVIL, 10, 10), null, 1, true, EVIL),
    ],
    pops: [
      {code: 'iad', city: 'Ashburn', country: 'US', vantagePoints: ['1002', '1004', '1005'], share: 0.4286, medianRttMs: 5},
      {code: 'fra', city: 'Frankfurt am Main', country: 'DE', vantagePoints: ['1001'], share: 0.1429, medianRttMs: 4.1},
      {code: 'sin', city: 'Singapore', country: 'SG', vantagePoints: ['1003'], share: 0.1429, medianRttMs: 12.5},
    ],
    summary: {vantagePoints: 8, measured: 7, located: 5, unlocated: 2, failed: 1},
  }
}

export const WATCH_T0 = Date.parse('2026-12-06T12:00:00Z')

export function sampleStart(): WatchStart {
  return {schemaVersion: 1, kind: 'watch-start', at: new Date(WATCH_T0).toISOString(), target: '198.51.100.10', method: 'dns', intervalMs: 200, flows: 1, flapThreshold: 4, flapWindowMs: 60000, outageAfter: 3, reorderRounds: 12}
}

/** vp-ber at FRA, lost rounds 20..31 (a silent cut), then IAD; vp-nyc at IAD throughout. */
export function sampleObservations(rounds = 60, lost: [number, number] = [20, 31]): Observation[] {
  const out: Observation[] = []
  for (let r = 0; r < rounds; r++) {
    const t = WATCH_T0 + r * 200
    const cut = r >= lost[0] && r <= lost[1]
    out.push({vantageId: 'ap-vp-ber', round: r, flow: 0, sentAt: t, receivedAt: cut ? null : t + 5, rttMs: cut ? null : 5, pop: cut ? null : r < lost[0] ? 'FRA' : 'IAD', answered: !cut})
    out.push({vantageId: 'ap-vp-nyc', round: r, flow: 0, sentAt: t + 1, receivedAt: t + 4, rttMs: 3, pop: 'IAD', answered: true})
  }
  return out
}

// anyprobe sites from the lab's four netns vantage points, with locations given (--location).
// The lab's delays are not the Earth's: every VP sits at its home PoP with a sub-ms RTT, and the
// delay lines give fra-iad 40 ms, fra-sin 80 ms, iad-sao 30 ms of RTT, while Frankfurt-Ashburn alone
// is 6,500 km (>= 66 ms at 98.6 km/ms). With the real cities a unicast address in FRA would look
// anycast (nyc's 40 ms disc around Ashburn excludes Frankfurt). So the VPs get locations consistent
// with the lab's delays: ber = Frankfurt, nyc = Nuuk (3,790 km from Frankfurt <= 40 ms), tyo = Mumbai
// (6,560 km from Frankfurt <= 80 ms), sao = Cambridge Bay (2,330 km from Nuuk <= 30 ms; 5,710 km from
// Frankfurt <= 70 ms). Two of them more than 5,000 km from Frankfurt: another region than the FRA
// server's reached it, which `sites` needs to call an address unicast rather than undecided.
// Needs root; probes stay inside the lab's ap-* namespaces.
import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import type {SitesDocument} from '../../src/analysis/sites/document.js'
import {distanceKm} from '../../src/analysis/sites/discs.js'
import {schemaErrors} from '../helpers/schema.js'
import {ANYPROBE, E, isRoot, lab, run, VPS} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'
const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const UNICAST = E.AP_POP_SERVER_ADDR4_fra ?? '198.18.21.2'
const NS = VPS.map((vp) => E[`AP_VP_NS_${vp}`]!)
const LOC: Record<string, string> = {ber: '50.11,8.68', nyc: '64.18,-51.72', tyo: '19.08,72.88', sao: '69.12,-105.06'}
// the default --concurrency: the four children start together on a small host, which is what
// inflated dns / http / trace RTTs (ber's 0.25 ms DNS RTT read 1.6-13.6 ms: discs of 150-1,300 km)
const ARGS = ['--from', `netns:${NS.join(',')}`, ...VPS.flatMap((vp) => ['--location', `${E[`AP_VP_NS_${vp}`]}=${LOC[vp]}`]), '--json']

async function sites(target: string, method: string): Promise<SitesDocument> {
  const r = await run(process.execPath, [ANYPROBE, 'sites', target, '--method', method, ...ARGS], 120_000)
  assert.equal(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as SitesDocument
  assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
  return doc
}

const near = (s: {lat: number; lon: number}, ll: string): boolean => {
  const [lat, lon] = ll.split(',').map(Number)
  return Math.abs(s.lat - lat!) < 1 && Math.abs(s.lon - lon!) < 1.5
}

before(async () => {
  if (!isRoot) return
  const w = await lab('wait-converged', '30')
  assert.equal(w.code, 0, `lab not converged: ${w.stderr}${w.stdout}`)
})

describe('anyprobe sites in the lab', {skip}, () => {
  it('ping: the anycast address is anycast, with one site per PoP (at the VP homed there)', async () => {
    const doc = await sites(ANYCAST, 'ping')
    assert.equal(doc.anycast, true, doc.anycastReason)
    assert.equal(doc.lowerBound, 3)
    assert.equal(doc.sites.length, 3)
    // fra (ber), iad (nyc; sao's 30 ms disc overlaps it), sin (tyo)
    for (const vp of ['ber', 'nyc', 'tyo']) assert.ok(doc.sites.some((s) => near(s, LOC[vp]!)), `a site at ${vp}: ${JSON.stringify(doc.sites)}`)
    assert.equal(doc.vantagePoints.used, 4)
  })
  it('ping: a unicast lab address (the FRA server) is not anycast', async () => {
    const doc = await sites(UNICAST, 'ping')
    assert.equal(doc.anycast, false, doc.anycastReason)
    assert.equal(doc.lowerBound, 1)
  })
  it('dns: CHAOS identities confirm FRA; the ones the lab geography excludes are contradictions', async () => {
    const doc = await sites(ANYCAST, 'dns')
    assert.equal(doc.anycast, true, doc.anycastReason)
    const fra = doc.sites.find((s) => s.code?.toLowerCase() === 'fra')
    assert.ok(fra?.confirmed, JSON.stringify(doc.sites))
    // nyc names IAD (Ashburn), 3,260 km from "Nuuk" with a sub-ms RTT: flagged, not a site
    assert.ok(doc.contradictions.some((c) => c.vp === E.AP_VP_NS_nyc), JSON.stringify(doc.contradictions))
  })
  // every method: the home VPs' discs are their own and mutually disjoint (their paths are < 1 ms, but
  // one-round RTTs read 1.6-13.6 ms at the default concurrency on a loaded host; a fixed bound (3 ms,
  // then 10 ms) failed in CI at 3.6 ms and under load at 12.6 ms, so what is asserted is what the
  // verdict needs: each pair of home discs leaves the other's centre out and the two do not meet
  // (Frankfurt-Nuuk 3,300 km: 33 ms of RTT between them), the three PoPs are three sites, and the
  // verdicts the lab geography excludes are contradictions named with the PoP code the probe gives
  // (IAD, not a homonym "ashburn" elsewhere)
  for (const method of ['dns', 'http', 'trace']) {
    it(`${method}: small discs at the home VPs, 3 sites, the excluded verdicts listed as contradictions`, async () => {
      const doc = await sites(ANYCAST, method)
      assert.equal(doc.anycast, true, doc.anycastReason)
      assert.equal(doc.sites.length, 3, JSON.stringify(doc.sites))
      const home = ['ber', 'nyc', 'tyo'].map((vp) => {
        const ns = E[`AP_VP_NS_${vp}`]!
        const disc = doc.sites.flatMap((s) => s.evidence).find((e) => e.vp === ns && e.kind === 'disc')
        assert.ok(disc !== undefined && disc.rttMs !== null && disc.rttMs > 0 && disc.radiusKm !== null, `${vp}: ${JSON.stringify(disc)}`)
        const [lat, lon] = LOC[vp]!.split(',').map(Number)
        return {vp, radiusKm: disc.radiusKm, lat: lat!, lon: lon!}
      })
      for (const [i, a] of home.entries()) {
        for (const b of home.slice(i + 1)) {
          const km = distanceKm(a, b)
          assert.ok(a.radiusKm + b.radiusKm < km, `${a.vp} (${a.radiusKm} km) and ${b.vp} (${b.radiusKm} km) are ${Math.round(km)} km apart: their discs meet`)
        }
      }
      for (const vp of ['nyc', 'tyo', 'sao']) {
        const c = doc.contradictions.find((x) => x.vp === E[`AP_VP_NS_${vp}`])
        assert.ok(c !== undefined, `${vp}: ${JSON.stringify(doc.contradictions)}`)
        assert.equal(c.code.toLowerCase(), vp === 'tyo' ? 'sin' : 'iad', JSON.stringify(c))
      }
    })
  }
})

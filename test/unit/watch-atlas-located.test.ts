// watch --from atlas: names a probe's PoP where the probe is, as catchment names it from the same
// result (the verdict's speed-of-light check with the probe's RTT), and a probe RIPE Atlas placed
// only at its country's centre (tag system-auto-geoip-country) counts as unplaced there and in
// catchment: its "location" can be thousands of km from the probe.
//
// Shapes: the result is a CHAOS TXT hostname.bind "Tdig" result as RIPE Atlas records them (abuf,
// rt, answers; see test/fixtures/atlas/README.md); the probes are /api/v2/probes/ objects (GeoJSON
// geometry [lon, lat], tags as {name, slug}), read by probeMetaFromApi as the live backend reads them.
// Probe 20981 (Cape Verde, tagged system-auto-geoip-country at 15.1075,-23.6185) is in a public
// probe dump (a RIPE Atlas connection-event example); the country-level US probe sits at
// 37.751,-97.822, the point GeoIP databases give for "somewhere in the United States" (MaxMind's
// default US location, widely reported); the identity "ns1.san-juan.example.net" is illustrative:
// a name of two places (San Juan, Puerto Rico / Argentina) that only the probe's location and RTT
// tell apart.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import * as dnsPacket from 'dns-packet'

import {explainAtlasPop} from '../../src/vantage/atlas/enrich.js'
import {AtlasObserver} from '../../src/vantage/atlas/observe.js'
import {type AtlasProbeMeta, parseAtlasResult} from '../../src/vantage/atlas/parse.js'
import {probeMetaFromApi} from '../../src/vantage/atlas/probe-meta.js'
import {popNamer} from '../../src/vantage/live/probe.js'

const MSM = 7201001
const T0 = 1_765_000_000
const INTERVAL = 300
const TARGET = '192.0.2.53'

const measurement = {id: MSM, type: 'dns', af: 4, target: TARGET, interval: INTERVAL, is_oneoff: false, query_class: 'CHAOS', query_type: 'TXT', query_argument: 'hostname.bind', set_nsid_bit: true, status: {id: 2, name: 'Ongoing'}}

function probe(id: number, cc: string, lonLat: [number, number], countryLevel: boolean): AtlasProbeMeta {
  const tags = [{name: 'System: V3', slug: 'system-v3'}, {name: 'System: IPv4 Works', slug: 'system-ipv4-works'}]
  if (countryLevel) tags.push({name: 'System: Auto Geoip Country', slug: 'system-auto-geoip-country'})
  const raw = {id, address_v4: null, asn_v4: 7922, asn_v6: null, country_code: cc, description: `probe ${id}`, geometry: {type: 'Point', coordinates: lonLat}, is_anchor: false, is_public: true, status: {id: 1, name: 'Connected', since: '2026-11-01T00:00:00Z'}, tags, type: 'Probe'}
  return probeMetaFromApi(raw)!
}

function result(prb: number, server: string, rt: number, ts = T0): Record<string, unknown> {
  const id = prb & 0xffff
  const abuf = dnsPacket
    .encode({
      type: 'response',
      id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}],
      answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: [server]}],
    })
    .toString('base64')
  return {
    fw: 5080, lts: 23, from: '198.51.100.7', msm_id: MSM, prb_id: prb, timestamp: ts, msm_name: 'Tdig', type: 'dns', af: 4, proto: 'UDP', dst_addr: TARGET, src_addr: '192.168.1.2', group_id: MSM, stored_timestamp: ts + 4,
    result: {abuf, rt, size: 60, ID: id, ANCOUNT: 1, QDCOUNT: 1, NSCOUNT: 0, ARCOUNT: 0, answers: [{TYPE: 'TXT', NAME: 'hostname.bind', RDATA: [server]}]},
  }
}

/** watch --from atlas:'s reading of one result (the observer the live rounds use). */
function watchPop(meta: AtlasProbeMeta, raw: Record<string, unknown>): string | null {
  const o = new AtlasObserver({intervalSec: INTERVAL, baseSec: T0 - INTERVAL, measurement, probe: (id) => (id === meta.id ? {meta, tags: meta.tags} : null), name: popNamer()})
  const xs = o.result(raw)
  assert.equal(xs.length, 1)
  assert.equal(xs[0]!.obs.answered, true)
  return xs[0]!.obs.pop
}

/** catchment's reading of the same result (parse, then the one verdict function). */
function catchment(meta: AtlasProbeMeta | null, raw: Record<string, unknown>): ReturnType<typeof explainAtlasPop>['verdict'] {
  const r = parseAtlasResult(raw, meta, {measurement}).outcomes[0]!.result
  assert.ok(r !== null)
  return explainAtlasPop(r).verdict
}

const SAN_JUAN = 'ns1.san-juan.example.net'
const miami = probe(61001, 'US', [-80.1925, 25.7615], false)
const usCountryLevel = probe(61002, 'US', [-97.822, 37.751], true)

describe('watch --from atlas: PoPs named where the probe is', () => {
  it('precondition: the probe\'s place decides this identity (located and unplaced readings differ)', () => {
    const located = catchment(miami, result(miami.id, SAN_JUAN, 38.4))
    const unplaced = catchment(null, result(miami.id, SAN_JUAN, 38.4))
    assert.notEqual(located?.code, unplaced?.code, 'pick another identity: this one no longer depends on where the probe is')
  })

  it('a located probe\'s observation names the PoP catchment names from the same result', () => {
    const raw = result(miami.id, SAN_JUAN, 38.4)
    assert.equal(watchPop(miami, raw), catchment(miami, raw)?.code.toUpperCase())
    assert.equal(watchPop(miami, raw), 'SANJUAN')
  })

  it('a probe Atlas placed at its country\'s centre is read as unplaced: no place picked from a point it is not at', () => {
    assert.deepEqual(usCountryLevel.tags.includes('system-auto-geoip-country'), true)
    const raw = result(usCountryLevel.id, SAN_JUAN, 38.4)
    const unplaced = catchment(null, raw)?.code.toUpperCase()
    // the Kansas point would keep Puerto Rico's San Juan and drop Argentina's: a guess from a location that is not the probe's
    assert.equal(watchPop(usCountryLevel, raw), unplaced)
    assert.equal(catchment(usCountryLevel, raw)?.code.toUpperCase(), unplaced)
  })

  it('catchment: a country-level probe near its PoP is not said to contradict its location', () => {
    // a probe in New York placed at the US GeoIP point, 1.9 ms from K-root's New York site: the
    // real PoP, 1,900 km from the point, is not "farther than the RTT allows"
    const raw = result(usCountryLevel.id, 'ns1.us-nyc.k.ripe.net', 1.9)
    const v = catchment(usCountryLevel, raw)
    assert.equal(v?.code, 'usnyc')
    assert.equal(v?.contradiction ?? null, null)
    assert.deepEqual(v?.rejected ?? [], [])
    // a probe really located far away still gets the contradiction (the check is on for located probes)
    const far = probe(61003, 'US', [-97.5123, 37.7011], false)
    assert.equal(catchment(far, result(far.id, 'ns1.us-nyc.k.ripe.net', 1.9))?.contradiction?.kind, 'vantage-location')
  })

  it('a Cape Verde probe tagged country-level (real metadata shape) has no location for the RTT check', () => {
    const cv = probe(20981, 'CV', [-23.6185, 15.1075], true)
    assert.deepEqual([cv.lat, cv.lon, cv.country], [15.1075, -23.6185, 'CV'])
    const raw = result(cv.id, SAN_JUAN, 95.2)
    assert.equal(watchPop(cv, raw), catchment(null, raw)?.code.toUpperCase())
  })
})

// matchProbes (src/vantage/globalping/identity.ts): which watched vantage point a Globalping result
// is from, by what the API says of the probe, never by its position in the measurement.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {VantagePoint} from '../../src/model/vantage.js'
import {globalpingVantage} from '../../src/vantage/globalping/parse.js'
import {matchProbes} from '../../src/vantage/globalping/identity.js'

// probe fields as GET /v1/measurements/:id gives them (shape: test/fixtures/globalping)
const probe = (country: string, city: string, asn: number, network: string, state: string | null = null): Record<string, unknown> => ({continent: 'EU', region: 'x', country, state, city, asn, network, latitude: 1, longitude: 2, tags: [], resolvers: []})
const v = (p: Record<string, unknown>, i: number): VantagePoint => globalpingVantage(p, i)

const FRA1 = probe('DE', 'Frankfurt', 24940, 'Hetzner Online GmbH')
const NUE = probe('DE', 'Nuremberg', 24940, 'Hetzner Online GmbH')
const TYO = probe('JP', 'Tokyo', 2516, 'KDDI CORPORATION')
const SEA = probe('US', 'Seattle', 7922, 'Comcast Cable Communications, LLC', 'WA')

describe('globalping matchProbes', () => {
  const known = [FRA1, TYO, SEA].map((p, i) => ({id: v(p, i).id, vantage: v(p, i)}))

  it('a shorter list does not shift: Seattle at position 2 is still Seattle', () => {
    const m = matchProbes(known, [{index: 0, vantage: v(FRA1, 0)}, {index: 1, vantage: v(SEA, 1)}])
    assert.deepEqual([...m], [[0, '1.DE.Frankfurt.AS24940'], [1, '3.US.Seattle.AS7922']])
  })

  it('two probes alike in every field the API gives: the k-th result of the group is the k-th vantage point', () => {
    const twins = [FRA1, FRA1, TYO].map((p, i) => ({id: v(p, i).id, vantage: v(p, i)}))
    const m = matchProbes(twins, [{index: 2, vantage: v(TYO, 2)}, {index: 1, vantage: v(FRA1, 1)}, {index: 0, vantage: v(FRA1, 0)}])
    assert.deepEqual([m.get(0), m.get(1), m.get(2)], ['1.DE.Frankfurt.AS24940', '2.DE.Frankfurt.AS24940', '3.JP.Tokyo.AS2516'])
  })

  it('a probe Globalping re-geolocated (another city, same country and ASN) is matched when that pair is unique', () => {
    const m = matchProbes(known, [{index: 0, vantage: v(NUE, 0)}, {index: 1, vantage: v(TYO, 1)}])
    assert.equal(m.get(0), '1.DE.Frankfurt.AS24940')
  })

  it('...but not when the pair is ambiguous, and a probe never watched is not matched', () => {
    const two = [FRA1, probe('DE', 'Berlin', 24940, 'Hetzner Online GmbH')].map((p, i) => ({id: v(p, i).id, vantage: v(p, i)}))
    assert.equal(matchProbes(two, [{index: 0, vantage: v(NUE, 0)}]).size, 0)
    assert.equal(matchProbes(known, [{index: 0, vantage: v(probe('BR', 'São Paulo', 28573, 'Claro'), 0)}]).size, 0)
  })
})

describe('globalping watch interval and the 7 days a measurement is kept', () => {
  it('an --interval of 7 days or more is refused (E_USAGE, exit 2): the next round could not ask for the same probes', async () => {
    const {checkGlobalpingInterval, RESULT_TTL_MS} = await import('../../src/vantage/globalping/index.js')
    assert.throws(() => checkGlobalpingInterval(2, false, RESULT_TTL_MS), (e: {code?: string; exitCode?: number; message?: string}) => e.code === 'E_USAGE' && e.exitCode === 2 && /7 days/.test(e.message ?? ''))
    assert.equal(checkGlobalpingInterval(2, false, RESULT_TTL_MS - 3_600_000), RESULT_TTL_MS - 3_600_000)
  })
})

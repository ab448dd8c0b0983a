// RIPE Atlas results -> watch observations (src/vantage/atlas/observe.ts): rounds per probe from its
// own phase (jitter-proof), skipped rounds, silence by the stream's clock, and what a result says.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {AtlasObserver} from '../../src/vantage/atlas/observe.js'
import {popNamer} from '../../src/vantage/live/probe.js'
import {INTERVAL, measurementObject, resultOf, T0} from '../helpers/atlas-watch-scenario.js'

const make = (): AtlasObserver =>
  new AtlasObserver({intervalSec: INTERVAL, baseSec: T0 - 1000, measurement: measurementObject(), probe: () => null, name: popNamer()})

describe('AtlasObserver', () => {
  it('one observation per result, at the result\'s own time, its PoP from the hostname.bind/NSID answer', () => {
    const o = make()
    const [x] = o.result(resultOf(1016, 0)!)
    assert.equal(x!.fromResult, true)
    assert.equal(x!.obs.vantageId, 'atlas:1016')
    assert.equal(x!.obs.sentAt, (resultOf(1016, 0)!.timestamp as number) * 1000)
    assert.equal(x!.obs.pop, 'DEFRA')
    assert.equal(x!.obs.answered, true)
    assert.ok(x!.obs.rttMs! > 0)
    assert.equal(x!.obs.vantage?.id, 'atlas:1016', 'the vantage point rides on the first observation')
    const [y] = o.result(resultOf(1016, 1)!)
    assert.equal(y!.obs.vantage, undefined)
    const [t] = o.result(resultOf(1035, 5)!) // a timeout result
    assert.deepEqual([t!.obs.answered, t!.obs.pop, t!.obs.rttMs, t!.obs.error], [false, null, null, 'E_TIMEOUT'])
  })

  it('a resultset (the probe asking each of its resolvers) is one observation: answered, at the lowest RTT, whatever entry timed out', () => {
    // real result (corpus sagan-dns-017), its entries reordered so the timeout comes first
    const [raw] = JSON.parse(readFileSync('test/fixtures/atlas/results-dns-resultset.json', 'utf8')) as Array<Record<string, unknown> & {resultset: unknown[]}>
    const rs = raw!.resultset
    const reordered = {...raw!, timestamp: T0, resultset: [rs[2], rs[0], rs[1]]}
    // a use_probe_resolver measurement names no target: every resolver of the probe counts
    const {target: _none, ...def} = measurementObject()
    const o = new AtlasObserver({intervalSec: INTERVAL, baseSec: T0 - 1000, measurement: {...def, use_probe_resolver: true}, probe: () => null, name: popNamer()})
    const xs = o.result(reordered)
    assert.equal(xs.length, 1)
    assert.deepEqual([xs[0]!.obs.vantageId, xs[0]!.obs.answered, xs[0]!.obs.rttMs, xs[0]!.obs.error], ['atlas:2793', true, 127.644, undefined])
    // a measurement of 193.0.14.129: resolvers that are other servers do not measure it
    const [t] = make().result(reordered)
    assert.deepEqual([t!.obs.answered, t!.obs.rttMs, t!.obs.error], [false, null, 'E_BAD_INPUT'])
  })

  it('rounds follow the probe\'s own phase; jitter never puts two results in one round', () => {
    const o = make()
    const r = (ts: number): number => o.result({...resultOf(1001, 0)!, timestamp: ts}).at(-1)!.obs.round
    const a = r(T0 + 100)
    assert.equal(r(T0 + 100 + INTERVAL + 4), a + 1)
    assert.equal(r(T0 + 100 + 2 * INTERVAL - 5), a + 2)
  })

  it('a skipped round is unanswered (E_NO_RESULT) once a later result or the stream clock says so', () => {
    const o = make()
    o.result(resultOf(1037, 0)!)
    o.result(resultOf(1001, 0)!)
    // rounds count intervals from the base (T0 - 1000 s): the first results are round 4.
    // 1001 reported at T0, 1037 at T0+180. A round is unanswered once the clock is more than one
    // interval past the time its result was due: 1001's round 1 (due T0+240) after T0+480,
    // 1037's round 1 (due T0+420) after T0+660
    const ids = (xs: ReturnType<AtlasObserver['sweep']>): string[] => xs.map((x) => `${x.obs.vantageId}#${x.obs.round}:${x.obs.error}`)
    assert.deepEqual(ids(o.sweep(T0 + 480, true)), [])
    assert.deepEqual(ids(o.sweep(T0 + 481, true)), ['atlas:1001#5:E_NO_RESULT'])
    assert.deepEqual(ids(o.sweep(T0 + 661, true)), ['atlas:1037#5:E_NO_RESULT'])
    assert.deepEqual(ids(o.sweep(T0 + 721, true)), ['atlas:1001#6:E_NO_RESULT'])
    // a probe that reports again after skipping: the rounds in between first
    const back = o.result(resultOf(1037, 3)!)
    assert.deepEqual(back.map((x) => [x.obs.round, x.fromResult]), [[6, false], [7, true]])
  })
})

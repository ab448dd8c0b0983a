// The pieces of watch --from atlas: that are pure: result deduplication (bounded per probe), the
// interval limits, and the cost of a periodic measurement.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {ResultDedupe} from '../../src/vantage/atlas/live.js'
import {buildRecurringRequest, checkAtlasInterval, recurringCost} from '../../src/vantage/atlas/recurring.js'
import {parseAtlasSelector} from '../../src/vantage/atlas/selector.js'

describe('atlas live', () => {
  it('dedupes by probe and timestamp, in a bounded window per probe', () => {
    const d = new ResultDedupe(4)
    assert.equal(d.accept(1, 100), true)
    assert.equal(d.accept(1, 100), false)
    assert.equal(d.accept(2, 100), true)
    for (const t of [340, 580, 820, 1060]) assert.equal(d.accept(1, t), true)
    // 100 fell out of the window: older than everything remembered, so not new
    assert.equal(d.accept(1, 100), false)
    assert.equal(d.accept(1, 1060), false)
    assert.equal(d.accept(1, 700), true) // a late one inside the window is new once
    assert.equal(d.accept(1, 700), false)
  })

  it('refuses intervals Atlas does not allow, saying the minimum', () => {
    assert.throws(() => checkAtlasInterval('dns', 30_000), /shorter than RIPE Atlas allows for dns measurements \(minimum 60s\)/)
    assert.throws(() => checkAtlasInterval('trace', 59_000), /traceroute measurements \(minimum 60s\)/)
    assert.throws(() => checkAtlasInterval('ping', 90_500), /whole seconds/)
    assert.throws(() => checkAtlasInterval('http', 300_000), /dns, trace or ping/)
    assert.equal(checkAtlasInterval('ping', 60_000), 60)
  })

  it('a periodic DNS measurement: CHAOS hostname.bind with NSID, its cost per hour and per day', () => {
    const req = buildRecurringRequest({method: 'dns', target: '193.0.14.129', cliArgs: [], options: {}}, parseAtlasSelector('area=WW,n=100'), 300)
    assert.equal(req.is_oneoff, false)
    assert.equal(req.definitions[0]!.interval, 300)
    assert.equal(req.definitions[0]!.query_argument, 'hostname.bind')
    assert.equal(req.definitions[0]!.set_nsid_bit, true)
    const c = recurringCost(req.definitions[0]!, 100, 300)
    // 10 credits per periodic UDP DNS result x 100 probes x 12 results an hour
    assert.deepEqual([c.perResult, c.perHour, c.perDay], [10, 12_000, 288_000])
    const ping = buildRecurringRequest({method: 'ping', target: '193.0.14.129', cliArgs: [], options: {}}, parseAtlasSelector('country=NL,n=10'), 240)
    assert.deepEqual([recurringCost(ping.definitions[0]!, 10, 240).perHour], [450]) // 3 packets x 10 probes x 15/h
  })
})

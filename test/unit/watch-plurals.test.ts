// Counts in the text of watch and its remote backends agree with their nouns: "1 round", "1 outage",
// "1 flip", "1 probe" (a watch of one probe, one round, one outage printed "1 rounds", "1 outages",
// "1 probes": read as a bug in the tool).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {analyze} from '../../src/analysis/watch/index.js'
import type {Observation, WatchSummaryEvent} from '../../src/model/watch.js'
import {renderWatchEvent, renderWatchSummary} from '../../src/render/watch.js'
import {plural} from '../../src/util/plural.js'
import {buildRecurringRequest, describeCost, recurringCost} from '../../src/vantage/atlas/recurring.js'
import {parseAtlasSelector} from '../../src/vantage/atlas/selector.js'
import {measurementLine} from '../../src/vantage/globalping/backends.js'

const T0 = 1_765_000_000_000

describe('plurals in watch text', () => {
  it('plural(): the noun agrees with the count', () => {
    assert.deepEqual([plural(0, 'round'), plural(1, 'round'), plural(2, 'flap episode'), plural(1, 'flap episode'), plural(1, 'child', 'children'), plural(3, 'child', 'children')], ['0 rounds', '1 round', '2 flap episodes', '1 flap episode', '1 child', '3 children'])
  })

  it('the summary of one round of one vantage point: "1 round", "1 probe"; one flip, one outage, one flap episode, one skipped round', () => {
    const ob = (round: number): Observation => ({vantageId: 'vp', round, flow: 0, sentAt: T0 + round * 1000, receivedAt: T0 + round * 1000 + 2, rttMs: 2, pop: 'FRA', answered: true})
    const one = analyze([ob(0)], {intervalMs: 1000, flows: 1}).at(-1) as WatchSummaryEvent
    assert.match(renderWatchSummary(one), /^summary: 1 round, 1 probe every 1000 ms/)
    const v = one.vantagePoints[0]!
    const text = renderWatchSummary({...one, vantagePoints: [{...v, flips: 1, flapEpisodes: 1, outages: 1, skippedRounds: 1}]})
    assert.match(text, /1 answered, 0 lost, 1 round skipped, 1 flip, 1 flap episode, 1 outage/)
    const many = renderWatchSummary({...one, rounds: 2, observations: 2, vantagePoints: [{...v, flips: 2, flapEpisodes: 0, outages: 3, skippedRounds: 2}]})
    assert.match(many, /^summary: 2 rounds, 2 probes every/)
    assert.match(many, /2 rounds skipped, 2 flips, 0 flap episodes, 3 outages/)
  })

  it('a flap event\'s flips', () => {
    const at = new Date(T0).toISOString()
    assert.match(renderWatchEvent({type: 'flap-end', at, round: 9, vantageId: 'vp', pop: 'FRA', windowMs: 60_000, flips: 1, since: at, lastFlipAt: at} as never), /\(1 flip from/)
  })

  it('a flap rate under 0.1 a minute is per hour (3 flips in a 4-hour window read "0/min")', () => {
    const at = new Date(T0).toISOString()
    const flap = (windowMs: number, flips: number): string => renderWatchEvent({type: 'flap', at, round: 9, vantageId: 'vp', pops: ['FRA', 'IAD'], windowMs, flips, flipsPerMinute: flips / (windowMs / 60_000)} as never)
    assert.match(flap(14_400_000, 3), /3 flips in 14400 s \(0\.8\/h\)$/)
    assert.match(flap(60_000, 3), /3 flips in 60 s \(3\/min\)$/)
  })

  it('Globalping\'s measurement line for one probe', () => {
    const line = measurementLine('globalping:DE,limit=1', {id: 'abc', probesCount: 1, rate: {limit: 250, consumed: 1, remaining: 249, resetSeconds: 3600, cost: 1, creditsRemaining: null}})
    assert.match(line, /: 1 probe, cost 1, 249\/250 left this hour/)
  })

  it('a RIPE Atlas recurring measurement\'s cost for one probe', () => {
    const req = buildRecurringRequest({method: 'dns', target: '193.0.14.129', cliArgs: [], options: {}}, parseAtlasSelector('probes=6036'), 300)
    const c = recurringCost(req.definitions[0]!, 1, 300)
    assert.match(describeCost(c), /per day \(1 probe, one result each every 300s/)
    assert.match(c.formula, / x 1 probe x 12 results\/hour/)
  })
})

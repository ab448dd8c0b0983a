// What a run's vantage points did, as the exit code counts it (model/exit.ts answerOf, rowAnswer,
// countAnswers; console/multi-run.ts answerOfOutcome): one rule for catchment (its rows), trace /
// dns / http --from (outcomes) and sites --input (what was read), where each counted it itself.
// And OwnFaults, the watch's one ledger of vantage points failing for a reason of their own (a
// fault of their latest probes, or a place that could not be used), where the session kept a
// second Set for the place failures.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {answerOfOutcome} from '../../src/console/multi-run.js'
import {answerOf, countAnswers, measuredExit, OwnFaults, rowAnswer} from '../../src/model/exit.js'
import {EXIT} from '../../src/model/errors.js'
import type {VantageOutcome} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'

const vp = (kind: VantagePoint['kind'], id = `${kind}-1`): VantagePoint => ({kind, id, name: null, asn: null, country: null, lat: null, lon: null})
const err = (code: string) => ({code, message: 'x', hint: null}) as NonNullable<VantageOutcome['error']>
const dns = (answered: boolean) => ({kind: 'dns', answered}) as unknown as NonNullable<VantageOutcome['result']>

describe('answers of a run (model/exit.ts)', () => {
  it('answered only when reached; own only without a result and for a reason of its own; silent otherwise', () => {
    assert.equal(answerOf(true, 'atlas', null), 'answered')
    assert.equal(answerOf(false, 'local', null), 'silent')
    // a result that did not reach the target is the target's silence, whatever an error says
    assert.equal(answerOf(false, 'local', 'E_NETWORK'), 'silent')
    assert.equal(answerOf(null, 'local', 'E_NETWORK'), 'own')
    assert.equal(answerOf(null, 'ssh', 'E_VP_CONNECT'), 'own')
    // a RIPE Atlas probe's E_NETWORK is read from its own words: maybe the target's
    assert.equal(answerOf(null, 'atlas', 'E_NETWORK'), 'silent')
    assert.equal(answerOf(null, 'netns', 'E_VP_DIED'), 'silent')
    assert.equal(answerOf(null, 'netns', null), 'silent')
  })

  it('a catchment row and an outcome say the same for the same vantage point', () => {
    const cases: Array<[VantageOutcome, boolean | null]> = [
      [{vantage: vp('atlas'), result: dns(true), error: null}, true],
      [{vantage: vp('local'), result: dns(false), error: null}, false],
      [{vantage: vp('local'), result: null, error: err('E_NETWORK')}, null],
      [{vantage: vp('netns'), result: null, error: err('E_VP_NETNS')}, null],
      [{vantage: vp('atlas'), result: null, error: err('E_NETWORK')}, null],
    ]
    const fromOutcomes = cases.map(([o]) => answerOfOutcome(o))
    assert.deepEqual(fromOutcomes, ['answered', 'silent', 'own', 'own', 'silent'])
    assert.deepEqual(cases.map(([o, reached]) => rowAnswer({vantage: o.vantage, reached, error: o.error})), fromOutcomes)
  })

  it('counted once: answered, own failures, of how many; measuredExit decides 0 / 9 / 4 / 6 from them', () => {
    assert.deepEqual(countAnswers(['answered', 'silent', 'own', 'answered']), {answered: 2, total: 4, ownFailures: 1})
    assert.deepEqual(countAnswers([]), {answered: 0, total: 0, ownFailures: 0})
    const exit = (...a: Array<'answered' | 'silent' | 'own'>) => measuredExit(countAnswers(a))
    assert.equal(exit('answered', 'answered'), EXIT.ok)
    assert.equal(exit('answered', 'own'), EXIT.partial)
    assert.equal(exit('silent', 'own'), EXIT.unreachable)
    assert.equal(exit('own', 'own'), EXIT.network)
    assert.equal(exit(), EXIT.unreachable)
    // the rest of the rule goes with the count: an alert outranks all
    assert.equal(measuredExit({...countAnswers(['own']), alert: true}), EXIT.alert)
  })
})

describe('OwnFaults: the watch\'s vantage points failing for a reason of their own', () => {
  it('a fault of the latest probes lasts until it answers again; a place that could not be used lasts', () => {
    const f = new OwnFaults()
    f.observe({vantageId: 'a', answered: false, vantageFault: true})
    f.observe({vantageId: 'b', answered: false}) // the target's silence, not its own
    f.failed('c', 'E_VP_NETNS')
    f.failed('d', 'E_VP_DIED') // the child died: not a place that could not be used
    assert.deepEqual(['a', 'b', 'c', 'd'].map((id) => f.has(id)), [true, false, true, false])
    assert.equal(f.count(['a', 'b', 'c', 'd', 'e']), 2)
    f.observe({vantageId: 'a', answered: true})
    f.observe({vantageId: 'c', answered: true})
    assert.deepEqual([f.has('a'), f.has('c')], [false, true])
    f.clear()
    assert.equal(f.count(['a', 'c']), 0)
  })
})

// store/observation.ts observationFrom: the one reader of an observation line, for a watch --out file
// (`report`) and for the lines a netns/ssh child prints to its parent. What the naming's confidence
// was must survive both: under 0.5 the PoP is a hint, which --expect does not judge and the starting
// state marks '?' (a child's hint read without it was judged as a verdict).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {observationFrom} from '../../src/store/observation.js'

const line = {vantageId: 'vp', round: 0, flow: 0, sentAt: 1_000, receivedAt: 1_005, rttMs: 5, pop: 'NRT', answered: true}

describe('observationFrom', () => {
  it('keeps popConfidence of a named PoP', () => {
    assert.equal(observationFrom({...line, popConfidence: 0.45})?.popConfidence, 0.45)
    assert.equal(observationFrom({...line, popConfidence: 0.99})?.popConfidence, 0.99)
  })

  it('drops a confidence that is not one (out of 0..1, not a number) or has no PoP to go with', () => {
    assert.equal('popConfidence' in observationFrom({...line, popConfidence: 1.5})!, false)
    assert.equal('popConfidence' in observationFrom({...line, popConfidence: '0.4'})!, false)
    assert.equal('popConfidence' in observationFrom({...line, pop: null, popConfidence: 0.4})!, false)
    assert.equal('popConfidence' in observationFrom(line)!, false)
  })
})

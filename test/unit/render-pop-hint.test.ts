// One-shot trace / dns / http / ping print their PoP through renderPop: a naming under the one
// confidence rule (isConfidentPop, 0.5) is a hint and must read as one ('?', "a hint, not a
// verdict"), as catchment, diff and the trace hop column say it; a confident one reads as before.
// Real inference: a DNS CHAOS hostname.bind answer "london-1" (the shape operators give their
// servers: a city word and a number) and a lone "fra1" stay under 0.5 by design (src/infer/identity.ts).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {inferPop} from '../../src/infer/index.js'
import type {PopVerdict} from '../../src/model/pop.js'
import {renderPop} from '../../src/render/pop.js'

const identity = (input: string): PopVerdict => {
  const v = inferPop([{signal: 'dns-identity', input}], {destinationAnswered: true})
  assert.ok(v, `${input} names a PoP`)
  return v
}

describe('renderPop: a hint is not printed as a verdict', () => {
  it('a lone city word ("london-1", confidence under 0.5) is marked ? and called a hint', () => {
    const v = identity('london-1')
    assert.ok(v.confidence < 0.5, `test premise: ${v.confidence}`)
    const first = renderPop(v).split('\n')[0]!
    assert.match(first, /^PoP: LONDON\? \(city\) — London, GB, confidence 0\.48 \(a hint, not a verdict: confidence under 0\.5\)$/)
  })

  it('a lone server name ("fra1") is a hint too', () => {
    assert.match(renderPop(identity('fra1')), /^PoP: FRA\? .*a hint, not a verdict/)
  })

  it('a confident PoP (a PCH resolver name, 0.9) reads as a verdict: no ?, no hint words', () => {
    const text = renderPop(identity('res100.iad.rrdns.pch.net'))
    assert.match(text, /^PoP: IAD \(iata\) — Washington, D\.C\., US, confidence 0\.90\n/)
    assert.doesNotMatch(text, /\?|hint/)
  })

  it('exactly 0.5 is confident (the rule is >= 0.5)', () => {
    const v = {...identity('fra1'), confidence: 0.5}
    assert.doesNotMatch(renderPop(v).split('\n')[0]!, /\?|hint/)
  })
})

// Two sources that contradict each other with equal weight are a coin toss, not a verdict: the
// PoP comes out under the confidence `diff` and `--expect` act on (isConfidentPop), the conflict is
// said in the verdict's conflicts, and the catchment's evidence column shows the other side.
// Shapes: a Cloudflare response whose cf-ray names one colo (the suffix after the ray id, as
// https://developers.cloudflare.com/fundamentals/reference/cloudflare-ray-id/ describes) while
// /cdn-cgi/trace's colo= names another (the review's case: a stale cached page, or a request
// answered by one colo and traced through another); a DNS server whose id.server and NSID name two
// sites (two instances behind one address answering the two queries).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {shortEvidence} from '../../src/analysis/catchment.js'
import {diffCatchments} from '../../src/analysis/diff.js'
import type {CatchmentResult} from '../../src/analysis/catchment.js'
import {inferPop, type Observation} from '../../src/infer/fuse.js'
import {CONFIDENT_POP, isConfidentPop} from '../../src/model/pop-confidence.js'
import type {ProbeResult} from '../../src/model/probe.js'
import {renderCatchment} from '../../src/render/catchment.js'

const cfRay = (colo: string): Observation => ({signal: 'http-header', header: 'cf-ray', input: `8a1b2c3d4e5f6789-${colo}`})
const cfTrace = (colo: string): Observation => ({signal: 'http-header', header: 'cf-trace', input: `colo=${colo}`})

describe('a tie of contradicting sources is a hint', () => {
  it('cf-ray AMS against cf-trace colo=SIN: under 0.5, the conflict said with equal weight', () => {
    const v = inferPop([cfRay('AMS'), cfTrace('SIN')])
    assert.ok(v)
    assert.ok(v.confidence < CONFIDENT_POP, `confidence ${v.confidence}`)
    assert.equal(isConfidentPop(v), false)
    assert.equal(v.conflicts.length, 1)
    assert.equal(v.conflicts[0]!.code, 'sin')
    assert.match(v.conflicts[0]!.note, /equal weight/)
  })

  it('two DNS identities naming two sites: under 0.5 either way round', () => {
    const a = {signal: 'dns-identity', input: 's1.fra.anycast.example'} as const
    const b = {signal: 'dns-identity', input: 's2.ams.anycast.example'} as const
    for (const obs of [[a, b], [b, a]]) {
      const v = inferPop(obs)
      assert.ok(v && !isConfidentPop(v), `${v?.code} ${v?.confidence}`)
    }
  })

  it('agreement and a weaker disagreement still make a verdict (the tie rule is only for ties)', () => {
    assert.ok(isConfidentPop(inferPop([cfRay('AMS'), cfTrace('AMS')])))
    const weaker = inferPop([cfRay('AMS'), {signal: 'hop-hostname', input: 'ae1.sin1.example.net', distance: 1}])
    assert.equal(weaker?.code, 'ams')
    assert.ok(isConfidentPop(weaker), `${weaker?.confidence}`)
  })

  it('the catchment row says the other side (evidence column), marks the hint, and diff does not page on it', () => {
    const v = inferPop([cfRay('AMS'), cfTrace('SIN')])!
    const evidence = shortEvidence(v, {kind: 'http'} as ProbeResult)
    assert.match(evidence ?? '', /cf-ray: 8a1b2c3d4e5f6789-AMS; against: cf-trace: colo=SIN/)
    const doc = (pop: {code: string; city: string; country: string; confidence: number}, ev: string | null): CatchmentResult => ({
      schemaVersion: 1, kind: 'catchment', target: 'www.example.com', method: 'http',
      vantagePoints: [{vantage: {kind: 'local', id: 'local', name: null, asn: null, country: null, lat: null, lon: null}, pop, rttMs: 5, evidence: ev, reached: true, error: null}],
      pops: [{code: pop.code, city: pop.city, country: pop.country, vantagePoints: ['local'], share: 1, medianRttMs: 5}],
      summary: {vantagePoints: 1, measured: 1, located: 1, unlocated: 0, failed: 0},
    })
    const tied = doc({code: v.code, city: v.city!, country: v.country!, confidence: v.confidence}, evidence)
    const text = renderCatchment(tied)
    assert.match(text, /AMS\? \(Amsterdam\) 0\.49 .*against: cf-trace: colo=SIN/)
    assert.match(text, /a PoP marked \? was named with confidence under 0\.5: a hint/)
    // before: a confident SIN; after: the tie's AMS hint. A hint is not a move of a confident PoP
    const d = diffCatchments(doc({code: 'sin', city: 'Singapore', country: 'SG', confidence: 0.95}, null), tied)
    assert.deepEqual(d.changes.map((c) => [c.type, c.toState]), [['lost', 'uncertain']])
  })
})

// A PoP named only as a hint (confidence under 0.5: a lone server name "nrt1", two sources tied)
// is counted apart from the confident ones: each PoP's share is of confident answers, the hints
// go to hintedPops (JSON), 'NRT?' rows (text table, HTML legend) and summary.hinted; diff's shares
// count them in no PoP either. Before, a hint was in its PoP's share as if confident.
// The verdict shapes are the inference's (src/model/pop.ts); codes and places are the lab's.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {CatchmentBuilder} from '../../src/analysis/catchment.js'
import {diffCatchments} from '../../src/analysis/diff.js'
import type {CatchmentPop} from '../../src/model/catchment.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {renderCatchment} from '../../src/render/catchment.js'
import {catchmentMapSection} from '../../src/render/html/catchment-map.js'
import {schemaErrors} from '../helpers/schema.js'

const vp = (id: string): VantagePoint => ({kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null})
const FRA = {code: 'fra', city: 'Frankfurt am Main', country: 'DE', confidence: 0.9}
const NRT = {code: 'nrt', city: 'Tokyo', country: 'JP', confidence: 0.85}
// "nrt1" as a lone DNS identity: its readings stay under 0.5 (src/infer/identity.ts)
const NRT_HINT = {code: 'nrt', city: 'Tokyo', country: 'JP', confidence: 0.45}
const LHR_HINT = {code: 'lhr', city: 'London', country: 'GB', confidence: 0.4}

function build(rows: Array<[string, CatchmentPop | null]>) {
  const b = new CatchmentBuilder()
  for (const [id, pop] of rows) b.addRow({vantage: vp(id), pop, rttMs: 10, evidence: null, reached: true, error: null})
  return b.result({target: '198.51.100.10', method: 'dns'})
}

const c = build([['a', FRA], ['b', FRA], ['c', NRT], ['d', NRT_HINT], ['e', LHR_HINT], ['f', null]])

describe('catchment shares: a PoP named only as a hint is counted apart', () => {
  it('pops count confident answers only; hintedPops and summary.hinted hold the hints; the schema takes it', () => {
    assert.deepEqual(c.pops.map((p) => [p.code, p.vantagePoints, p.share]), [['fra', ['a', 'b'], 0.3333], ['nrt', ['c'], 0.1667]])
    assert.deepEqual(c.hintedPops?.map((p) => [p.code, p.vantagePoints, p.share]), [['lhr', ['e'], 0.1667], ['nrt', ['d'], 0.1667]])
    assert.deepEqual(c.summary, {vantagePoints: 6, measured: 6, located: 5, hinted: 2, unlocated: 1, failed: 0})
    assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
  })

  it('without hints the document is as before (no hintedPops, no summary.hinted)', () => {
    const plain = build([['a', FRA], ['c', NRT]])
    assert.equal('hintedPops' in plain, false)
    assert.equal('hinted' in plain.summary, false)
  })

  it('the text table: confident rows, then the hints as NRT? / LHR? rows, said apart', () => {
    const text = renderCatchment(c)
    assert.match(text, /5 with a PoP named \(2 only as a hint\)/)
    assert.match(text, /\nFRA +Frankfurt am Main, DE +2 +33\.3%/)
    assert.match(text, /\nNRT +Tokyo, JP +1 +16\.7%/)
    assert.match(text, /\nLHR\? +London, GB +1 +16\.7%/)
    assert.match(text, /\nNRT\? +Tokyo, JP +1 +16\.7%/)
    assert.match(text, /2 vantage points named a PoP only as a hint \(rows marked \?\): counted apart, in no PoP's share/)
  })

  it('the HTML legend: a row per hinted PoP, marked', () => {
    const html = catchmentMapSection(c)
    assert.match(html, /data-pop-hint="nrt"><td>.*<b>NRT\?<\/b>.*\(only a hint\).*<td class="n">1<\/td><td class="n">16\.7%/)
    assert.match(html, /data-pop-legend="nrt">.*<td class="n">1<\/td><td class="n">16\.7%/)
    assert.match(html, /\(2 only as a hint: counted apart, in no PoP's share\)/)
  })

  it('diff: a hint is in no PoP share on either side (NRT -> NRT? takes that vantage point out of the NRT share)', () => {
    const before = build([['a', FRA], ['c', NRT], ['d', NRT]])
    const after = build([['a', FRA], ['c', NRT], ['d', NRT_HINT]])
    const d = diffCatchments(before, after)
    const nrt = d.pops.find((p) => p.code === 'nrt')!
    assert.deepEqual([nrt.vantagePointsBefore, nrt.vantagePointsAfter, nrt.shareBefore, nrt.shareAfter], [2, 1, 0.6667, 0.3333])
  })
})

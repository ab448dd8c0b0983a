// --expect must not pass what it did not check (review findings): a rule whose `match` fits no
// vantage point (a typo, "lcoal") is named and makes the rules "not fully used" (exit 7 by the
// exit precedence), where it read "every vantage point with a result keeps the rules", exit 0; and a
// PoP named under the confidence `diff` pages by (isConfidentPop, model/pop-confidence.ts) is
// 'uncertain', never a breach (a lone server name "nrt3" at 0.48 gave UNEXPECTED, exit 8).
// Rows are catchment --json rows as anyprobe writes them (schemas/catchment.schema.json).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {CatchmentVantagePoint} from '../../src/analysis/catchment.js'
import {checkCatchment, ExpectTracker, expectAlert, expectUnused, type VantageFacts} from '../../src/analysis/expect.js'
import type {ExpectFile} from '../../src/model/expect.js'
import {measuredExit, watchExit} from '../../src/model/exit.js'
import {renderCatchmentExpect, renderExpectSummary} from '../../src/render/expect.js'
import type {RoundEvent} from '../../src/model/probe.js'
import {WatchSession} from '../../src/watch/session.js'
import {schemaErrors} from '../helpers/schema.js'
import {watchEndFixture} from '../helpers/watch-end-fixture.js'

const local = {kind: 'local' as const, id: 'local', name: null, asn: null, country: null, lat: null, lon: null}
const row = (pop: {code: string; confidence: number} | null, rttMs = 0.8): CatchmentVantagePoint => ({
  vantage: local,
  pop: pop === null ? null : {code: pop.code, city: null, country: null, confidence: pop.confidence},
  rttMs,
  evidence: pop === null ? null : `dns-identity ${pop.code}3`,
  reached: true,
  error: null,
})
const rules = (...r: ExpectFile['rules']): ExpectFile => ({schemaVersion: 1, kind: 'expect', rules: r})
const facts: VantageFacts = {id: 'local', vantage: local, tags: []}

describe('--expect: a rule that matched no vantage point', () => {
  it('catchment: named, unmatchedRules in the document (schema), exit 7 — 8 still wins over it', () => {
    const c = checkCatchment(rules({name: 'typo', match: {vantage: 'lcoal'}, pops: ['FRA']}), 'exp2.json', [row({code: 'fra', confidence: 0.95})])
    assert.deepEqual(c.unmatchedRules, [{rule: 0, name: 'typo'}])
    assert.equal(c.judged, 0)
    assert.equal(expectUnused(c), true)
    const text = renderCatchmentExpect(c)
    assert.doesNotMatch(text, /keeps the rules/)
    assert.match(text, /no vantage point was judged against the rules of exp2\.json/)
    assert.match(text, /a rule of exp2\.json matched no vantage point, so it checked nothing: "typo"/)
    const doc = {schemaVersion: 1, kind: 'catchment', target: '127.0.0.1', method: 'dns', vantagePoints: [row({code: 'fra', confidence: 0.95})], pops: [], summary: {vantagePoints: 1, measured: 1, located: 1, unlocated: 0, failed: 0}, expect: c}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(measuredExit({answered: 1, total: 1, data: expectUnused(c)}), 7)
    assert.equal(measuredExit({answered: 1, total: 1, alert: true, data: expectUnused(c)}), 8)
  })

  it('a rule that matched a vantage point that failed is not unmatched (the rule was right)', () => {
    const failed: CatchmentVantagePoint = {vantage: local, pop: null, rttMs: null, evidence: null, reached: null, error: {code: 'E_TIMEOUT', message: 'no answer', hint: null}}
    const c = checkCatchment(rules({match: {vantage: 'local'}, pops: ['FRA']}), 'x.json', [failed])
    assert.deepEqual(c.unmatchedRules, [])
    assert.equal(expectUnused(c), false)
  })

  it('watch: the summary names the rule, the exit is 7, and the end says so on stderr', () => {
    const t = new ExpectTracker(rules({name: 'typo', match: {vantage: 'lcoal'}, pops: ['FRA']}, {name: 'fast', maxRttMs: 50}))
    t.observe(facts, {vantageId: 'local', round: 0, at: 1_765_000_000_000, answered: true, pop: 'FRA', popConfidence: 0.95, rttMs: 1})
    const x = t.summary()
    assert.deepEqual(x.unmatchedRules, [{rule: 0, name: 'typo'}])
    assert.equal(expectAlert(x), false)
    assert.equal(watchExit({vantagePoints: [{answered: 1}]}, {alert: expectAlert(x), data: expectUnused(x)}), 7)
    assert.match(renderExpectSummary(x) ?? '', /a rule of the --expect file matched no vantage point, so it checked nothing: "typo"/)
  })

  it('a live watch session (the real one, fed observations): exit 7, the summary (schema) and stderr name the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-expect-unmatched-'))
    try {
      const path = join(dir, 'exp2.json')
      writeFileSync(path, JSON.stringify(rules({name: 'typo', match: {vantage: 'lcoal'}, pops: ['FRA']})))
      const T0 = Date.parse('2026-12-07T04:28:28.000Z')
      const {start, vp, ob} = watchEndFixture(T0)
      const events: RoundEvent[] = []
      for (let r = 0; r < 3; r++) events.push({type: 'observation', vantage: vp('ap-vp-ber'), observation: ob('ap-vp-ber', r, 'FRA')}, {type: 'round', round: r})
      const reports: string[] = []
      const session = await WatchSession.open({start, json: true, write: () => {}, tty: false, report: (l) => reports.push(l), extras: {expect: path}})
      await session.consume((async function* () { yield* events })())
      const end = await session.finish('test')
      assert.equal(end.exitCode, 7, reports.join('\n'))
      assert.deepEqual(schemaErrors('watch-event.schema.json', end.summary), [])
      assert.deepEqual((end.summary as {expect?: {unmatchedRules?: unknown}}).expect?.unmatchedRules, [{rule: 0, name: 'typo'}])
      assert.match(reports.join('\n'), /matched no vantage point, so it checked nothing: "typo"/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('--expect: a PoP named only as a hint is uncertain, never a breach', () => {
  const atFra = rules({name: 'local at FRA', match: {vantage: 'local'}, pops: ['FRA']})

  it('catchment: NRT at 0.48 against pops [FRA] is listed uncertain, no violation (no exit 8); at 0.5 it breaks the rule', () => {
    const hint = checkCatchment(atFra, 'exp1.json', [row({code: 'nrt', confidence: 0.48})])
    assert.deepEqual(hint.violations, [])
    assert.deepEqual(hint.uncertain, [{vantageId: 'local', pop: 'nrt', confidence: 0.48}])
    assert.match(renderCatchmentExpect(hint), /1 vantage point\(s\) named a PoP only as a hint \(confidence under 0\.5\): uncertain.*\n {2}local at nrt\? \(confidence 0\.48\)/)
    const sure = checkCatchment(atFra, 'exp1.json', [row({code: 'nrt', confidence: 0.5})])
    assert.deepEqual(sure.violations.map((v) => v.broken[0]!.why), ['pop-not-allowed'])
    assert.deepEqual(sure.uncertain, [])
  })

  it('an RTT rule still judges an answer whose PoP is a hint', () => {
    const c = checkCatchment(rules({pops: ['FRA'], maxRttMs: 10}), 'x.json', [row({code: 'nrt', confidence: 0.48}, 126)])
    assert.deepEqual(c.violations.map((v) => v.broken.map((b) => b.why)), [['rtt-over-bound']])
    assert.equal(c.uncertain.length, 1)
  })

  it('watch: hints fire no unexpected event (no exit 8); the summary counts the vantage point uncertain', () => {
    const t = new ExpectTracker(atFra)
    for (let round = 0; round < 3; round++) assert.deepEqual(t.observe(facts, {vantageId: 'local', round, at: 1_765_000_000_000 + round * 1000, answered: true, pop: 'NRT', popConfidence: 0.48, rttMs: 1}), [])
    const x = t.summary()
    assert.deepEqual([x.judged, x.brokeRules, x.uncertain], [0, 0, 1])
    assert.equal(expectAlert(x), false)
    assert.match(renderExpectSummary(x) ?? '', /1 vantage point\(s\) named a PoP only as a hint/)
    // a confident NRT does break it
    const ev = t.observe(facts, {vantageId: 'local', round: 3, at: 1_765_000_004_000, answered: true, pop: 'NRT', popConfidence: 0.9, rttMs: 1})
    assert.deepEqual(ev.map((e) => e.type), ['unexpected'])
  })
})

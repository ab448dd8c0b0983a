// A row the speed-of-light check left unknown keeps what it ruled out and why (popRejected, and
// the evidence column), as one-shot `trace --vp-location` lists "ruled out by the RTT": README
// promises nothing the check rejects is hidden. Input: the lab's saved `trace --from ... --ndjson`
// (test/fixtures/diff, real CLI output), ap-vp-nyc placed in Sydney: its IAD router names are
// 0.02 ms away, so the check rejects them.
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {checkRow} from '../../src/store/validate.js'

const TRACE = join(ROOT, 'test/fixtures/diff/lab-trace-withdraw-fra.ndjson')
type Row = {vantage: {id: string}; pop: unknown; evidence: string | null; popRejected?: Array<{code: string; reason: string; measuredRttMs: number}>}
const rowOf = (doc: {vantagePoints: Row[]}, id: string): Row => doc.vantagePoints.find((r) => r.vantage.id === id)!

describe('catchment rows keep what the RTT ruled out', () => {
  it('report --json: the unknown row carries popRejected with the reason (schema-valid), the table says it', async () => {
    const j = await runCommand('report', [TRACE, '--no-rdns', '--json', '--location', 'ap-vp-nyc=-33.87,151.21'])
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    const nyc = rowOf(doc, 'ap-vp-nyc')
    assert.equal(nyc.pop, null)
    assert.ok(nyc.popRejected && nyc.popRejected.length > 0, JSON.stringify(nyc))
    assert.match(nyc.popRejected[0]!.code.toLowerCase(), /^(iad|ashburn)$/)
    assert.match(nyc.popRejected[0]!.reason, /rejected: [\d,]+ km from -33\.87,151\.21 needs >= \d+ ms, measured [\d.]+ ms/)
    assert.match(nyc.evidence ?? '', /^ruled out by the RTT: .*rejected/)
    // rows not placed reject nothing
    assert.equal(rowOf(doc, 'ap-vp-ber').popRejected, undefined)
    const t = await runCommand('report', [TRACE, '--no-rdns', '--location', 'ap-vp-nyc=-33.87,151.21'])
    assert.match(t.stdout, /netns:ap-vp-nyc .*unknown .*ruled out by the RTT: \S+ rejected: [\d,]+ km/)
  })

  it('a saved catchment document read again keeps popRejected; malformed entries are dropped', async () => {
    const j = await runCommand('report', [TRACE, '--no-rdns', '--json', '--location', 'ap-vp-nyc=-33.87,151.21'])
    const saved = rowOf(JSON.parse(j.stdout), 'ap-vp-nyc')
    const back = checkRow(saved)
    assert.ok(typeof back !== 'string')
    assert.deepEqual(back.popRejected, saved.popRejected)
    const bad = checkRow({...saved, popRejected: [{code: 'iad'}]})
    assert.ok(typeof bad !== 'string')
    assert.equal(bad.popRejected, undefined)
  })
})

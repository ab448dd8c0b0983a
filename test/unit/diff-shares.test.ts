// `anyprobe diff`: shares over one denominator, and "not reached" as its own state. Inputs: the lab
// DNS catchment (test/fixtures/diff/lab-dns-before.json, written by catchment --json in the lab),
// changed the ways a real "after" file is: a vantage point that failed (no result), one absent
// (RIPE Atlas gives other probes to a new measurement), one whose result came without an answer
// from the target (reached false: the catchment's "not reached").
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import type {CatchmentResult} from '../../src/analysis/catchment.js'
import {diffCatchments} from '../../src/analysis/diff.js'
import {renderDiff} from '../../src/render/diff.js'
import {diffHtml} from '../../src/render/html/diff.js'
import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const BEFORE = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')
const before = (): CatchmentResult => JSON.parse(readFileSync(BEFORE, 'utf8')) as CatchmentResult
/** the lab catchment with ap-vp-ber changed by `f`, its pops and summary left as the file had them */
function berChanged(f: (c: CatchmentResult) => void): CatchmentResult {
  const c = before()
  f(c)
  return c
}
const failed = berChanged((c) => {
  c.vantagePoints[0] = {...c.vantagePoints[0]!, pop: null, rttMs: null, evidence: null, reached: null, error: {code: 'E_TIMEOUT', message: 'no reply'} as never}
  c.pops = c.pops.filter((p) => p.code !== 'fra').map((p) => ({...p, share: p.vantagePoints.length / 3}))
})
const dropped = berChanged((c) => {
  c.vantagePoints.shift()
  c.pops = c.pops.filter((p) => p.code !== 'fra').map((p) => ({...p, share: p.vantagePoints.length / 3}))
})
const unreached = berChanged((c) => {
  c.vantagePoints[0] = {...c.vantagePoints[0]!, pop: null, rttMs: null, evidence: null, reached: false}
  c.pops = c.pops.filter((p) => p.code !== 'fra')
})
const share = (d: ReturnType<typeof diffCatchments>, code: string) => {
  const p = d.pops.find((x) => x.code === code)!
  return [p.shareBefore, p.shareAfter, p.shareDelta]
}

describe('diff shares: one denominator, the vantage points with a result in both files', () => {
  it('a vantage point that failed after moves no other PoP\'s share (was IAD +16.7 pt, SIN +8.3 pt)', () => {
    const d = diffCatchments(before(), failed)
    assert.equal(d.summary.measuredBoth, 3)
    assert.deepEqual(share(d, 'iad'), [0.6667, 0.6667, 0])
    assert.deepEqual(share(d, 'sin'), [0.3333, 0.3333, 0])
    // ber's FRA is still said where it belongs: a lost PoP, and FRA's vantage points 1 -> 0
    assert.deepEqual(d.changes.map((c) => `${c.vantage.id} ${c.type} ${c.toState}`), ['ap-vp-ber lost failed'])
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
  })

  it('a vantage point absent after moves no share either', () => {
    const d = diffCatchments(before(), dropped)
    assert.equal(d.summary.measuredBoth, 3)
    for (const code of ['iad', 'sin', 'fra']) assert.equal(share(d, code)[2], 0, code)
    assert.deepEqual(d.onlyBefore.map((v) => v.id), ['ap-vp-ber'])
  })

  it('a PoP with none of them on one side has share 0 there, never null beside a delta', () => {
    const d = diffCatchments(before(), unreached)
    assert.deepEqual(share(d, 'fra'), [0.25, 0, -0.25])
    assert.deepEqual(share(d, 'iad'), [0.5, 0.5, 0])
    for (const p of d.pops) assert.ok(p.shareDelta === null || (p.shareBefore !== null && p.shareAfter !== null), p.code)
  })

  it('no vantage point with a result in both: both shares and the delta are null, and the table says why', () => {
    const allFailed = berChanged((c) => {
      c.vantagePoints = c.vantagePoints.map((r) => ({...r, pop: null, rttMs: null, evidence: null, reached: null, error: {code: 'E_TIMEOUT', message: 'no reply'} as never}))
      c.pops = []
    })
    const d = diffCatchments(before(), allFailed)
    assert.equal(d.summary.measuredBoth, 0)
    for (const p of d.pops) assert.deepEqual([p.shareBefore, p.shareAfter, p.shareDelta], [null, null, null], p.code)
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    const text = renderDiff(d)
    assert.match(text, /no vantage point has a result in both files/)
    assert.doesNotMatch(text, /pt\b/)
    assert.doesNotMatch(diffHtml(d, before(), allFailed), /NaN|null pt/)
  })

  it('the table says what the shares are of', () => {
    assert.match(renderDiff(diffCatchments(before(), failed)), /shares of the 3 vantage points with a result in both files/)
  })

  it('a document written before measuredBoth (shares of each file, shareDelta a number) still validates', () => {
    const d = diffCatchments(before(), unreached) as unknown as {summary: Record<string, unknown>; pops: Array<Record<string, unknown>>}
    delete d.summary.measuredBoth
    d.pops[0]!.shareAfter = null
    d.pops[0]!.shareDelta = -0.25
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
  })
})

describe('diff: not reached is its own state, as the catchment says it', () => {
  it('a confident PoP whose target then did not answer is lost to "not-reached", not "unlocated"', () => {
    const d = diffCatchments(before(), unreached)
    assert.deepEqual(d.changes.map((c) => `${c.vantage.id} ${c.type} ${c.fromState}->${c.toState}`), ['ap-vp-ber lost located->not-reached'])
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    assert.match(renderDiff(d), /ap-vp-ber\s+lost\s+FRA \(Frankfurt am Main\)\s+\(not reached\)/)
    assert.match(diffHtml(d, before(), unreached), /\(not reached\)/)
  })

  it('an answer that named no site stays "unlocated"', () => {
    const unnamed = berChanged((c) => {
      c.vantagePoints[0] = {...c.vantagePoints[0]!, pop: null, evidence: null, reached: true}
    })
    assert.deepEqual(diffCatchments(before(), unnamed).changes.map((c) => c.toState), ['unlocated'])
  })

  const dir = mkdtempSync(join(tmpdir(), 'diff-shares-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  it('the CLI: diff --json of the files says not-reached and the one-denominator shares', async () => {
    const b = join(dir, 'after.json')
    writeFileSync(b, JSON.stringify(unreached))
    const r = await runCommand('diff', [BEFORE, b, '--json'])
    assert.equal(r.status, 8, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.equal(doc.changes[0].toState, 'not-reached')
    assert.equal(doc.summary.measuredBoth, 4)
  })
})

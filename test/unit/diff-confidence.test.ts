// `anyprobe diff` and low-confidence verdicts: a PoP named with confidence under 0.5 is a hint (the
// inference keeps a lone server name such as "fra1" below 0.5 on purpose, src/infer/identity.ts), so
// a move to or from a hint must not page an on-call operator (exit 8) as a move of a confident PoP
// does. Shapes: catchment --json rows as anyprobe writes them (schemas/catchment.schema.json); the
// lone-name identity case is how a DNS server named "fra1" reads.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {diffCatchments, diffExit} from '../../src/analysis/diff.js'
import type {CatchmentResult, CatchmentVantagePoint} from '../../src/analysis/catchment.js'
import {renderDiff} from '../../src/render/diff.js'
import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const FRA = {code: 'fra', city: 'Frankfurt am Main', country: 'DE'}
const AMS = {code: 'ams', city: 'Amsterdam', country: 'NL'}
const row = (id: string, pop: typeof FRA | null, confidence: number): CatchmentVantagePoint => ({
  vantage: {kind: 'atlas', id: `atlas:${id}`, name: null, asn: null, country: null, lat: null, lon: null},
  pop: pop === null ? null : {...pop, confidence},
  rttMs: 5,
  evidence: pop === null ? null : `dns-identity ${pop.code}1`,
  reached: true,
  error: null,
})
function catchmentOf(rows: CatchmentVantagePoint[]): CatchmentResult {
  const pops = new Map<string, {code: string; city: string | null; country: string | null; vantagePoints: string[]; share: number; medianRttMs: number | null}>()
  for (const r of rows) if (r.pop) {
    const p = pops.get(r.pop.code) ?? {code: r.pop.code, city: r.pop.city, country: r.pop.country, vantagePoints: [], share: 0, medianRttMs: 5}
    p.vantagePoints.push(r.vantage.id)
    pops.set(r.pop.code, p)
  }
  const located = rows.filter((r) => r.pop).length
  for (const p of pops.values()) p.share = p.vantagePoints.length / rows.length
  return {schemaVersion: 1, kind: 'catchment', target: '193.0.14.129', method: 'dns', vantagePoints: rows, pops: [...pops.values()], summary: {vantagePoints: rows.length, measured: rows.length, located, unlocated: rows.length - located, failed: 0}}
}
const byId = (d: ReturnType<typeof diffCatchments>): Record<string, string> => Object.fromEntries(d.changes.map((c) => [c.vantage.id, `${c.type} ${c.fromState}->${c.toState}`]))

describe('diff: a PoP under 0.5 confidence is a hint, not a PoP change to page on', () => {
  const before = catchmentOf([row('1', FRA, 0.9), row('2', FRA, 0.9), row('3', FRA, 0.3), row('4', FRA, 0.3), row('5', null, 0), row('6', FRA, 0.9), row('7', FRA, 0.3)])
  const after = catchmentOf([row('1', FRA, 0.3), row('2', AMS, 0.3), row('3', AMS, 0.3), row('4', null, 0), row('5', AMS, 0.3), row('6', AMS, 0.9), row('7', AMS, 0.9)])
  const d = diffCatchments(before, after)

  it('classifies each kind of move by the confidence on each side', () => {
    assert.deepEqual(byId(d), {
      // 1: FRA -> FRA? is the same place: no change
      'atlas:2': 'lost located->uncertain', // a confident FRA now only a hint of AMS: the verdict is gone
      'atlas:3': 'uncertain uncertain->uncertain',
      'atlas:4': 'uncertain uncertain->unlocated',
      'atlas:5': 'uncertain unlocated->uncertain',
      'atlas:6': 'moved located->located',
      'atlas:7': 'found uncertain->located',
    })
    assert.deepEqual({...d.summary}, {common: 7, moved: 1, lost: 1, found: 1, uncertain: 3, unchanged: 1, measuredBoth: 7, onlyBefore: 0, onlyAfter: 0})
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
  })

  it('exit 8 only for a change of a confident PoP; hints alone exit 0', () => {
    assert.equal(diffExit(d, {partialInput: false}), 8)
    const noise = diffCatchments(catchmentOf([row('1', FRA, 0.9), row('2', FRA, 0.3)]), catchmentOf([row('1', FRA, 0.3), row('2', AMS, 0.3)]))
    assert.deepEqual(byId(noise), {'atlas:2': 'uncertain uncertain->uncertain'})
    assert.equal(diffExit(noise, {partialInput: false}), 0)
    const text = renderDiff(noise)
    assert.match(text, /no vantage point changed a confident PoP/)
    assert.match(text, /atlas:2\s+uncertain\s+FRA\? \(Frankfurt am Main\)\s+AMS\? \(Amsterdam\)/)
    assert.match(text, /1 uncertain \(no PoP named with confidence 0.5 or more on either side: not counted\)/)
  })

  it('plurals: one vantage point is "1 VP", one lost "its" PoP', () => {
    const one = diffCatchments(catchmentOf([row('1', FRA, 0.9)]), catchmentOf([row('1', null, 0)]))
    const text = renderDiff(one)
    assert.match(text, /\(1 VP\) -> .*\(1 VP\): 0 moved, 1 lost its PoP/)
    assert.doesNotMatch(text, /1 VPs/)
  })
})

describe('anyprobe diff FILE FILE with hints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-diff-conf-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  it('a saved catchment whose FRA became a hint FRA?/AMS? exits 0 with the rows listed, --json in its schema', async () => {
    const base = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/diff/lab-dns-before.json'), 'utf8')) as CatchmentResult
    const weak = structuredClone(base)
    // ap-vp-ber's server renamed "fra1" (a lone name: a hint), ap-vp-nyc's "ams1"
    weak.vantagePoints[0]!.pop!.confidence = 0.35
    weak.vantagePoints[1]!.pop = {code: 'ams', city: 'Amsterdam', country: 'NL', confidence: 0.35}
    const a = join(dir, 'a.json')
    const b = join(dir, 'b.json')
    writeFileSync(a, JSON.stringify(base))
    writeFileSync(b, JSON.stringify(weak))
    const r = await runCommand('diff', [a, b])
    // nyc: a confident IAD now only a hint of AMS: the confident verdict was lost
    assert.equal(r.status, 8, r.stderr)
    assert.match(r.stdout, /netns:ap-vp-nyc\s+lost\s+IAD .*AMS\? \(Amsterdam\)/)
    assert.doesNotMatch(r.stdout, /ap-vp-ber/)
    // the same with nyc's hint back at its confident place's city: nothing to page on
    weak.vantagePoints[1]!.pop = {...base.vantagePoints[1]!.pop!, confidence: 0.35}
    writeFileSync(b, JSON.stringify(weak))
    const j = await runCommand('diff', [a, b, '--json'])
    assert.equal(j.status, 0, j.stderr)
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(doc.changes, [])
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
  })
})

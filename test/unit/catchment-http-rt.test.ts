// A RIPE Atlas HTTP result rarely times its phases: no `ttc`/`ttfb`, only `rt` (the request's whole
// time, DNS excluded). Its RTT was read from the connect phase alone, so every such row read
// 'rtt ms *' (rttMs null) and the speed-of-light check had nothing. Now `rt` is the RTT's upper
// bound (model/rtt.ts httpRtt, the verdict's and the catchment's one reading), marked as such.
//
// The results are written here, not copied: their shape is the RIPE Atlas HTTP result format
// (https://atlas.ripe.net/docs/apis/result-format/, "http": fw, msm_id, prb_id, timestamp, type,
// uri, from, and `result`: one object per request with af, dst_addr, src_addr, method, res, rt,
// hsize, bsize, ver, and ttc/ttfb only when the measurement asked for timing details).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {httpRtt, minRttFromTimings} from '../../src/model/rtt.js'
import {checkCatchment, parseExpectFile} from '../../src/analysis/expect.js'
import type {CatchmentVantagePoint} from '../../src/model/catchment.js'
import {CatchmentBuilder} from '../../src/analysis/catchment.js'
import {diffCatchments} from '../../src/analysis/diff.js'

const base = {fw: 5080, lts: 12, msm_id: 9100001, type: 'http', uri: 'http://192.0.2.80/', msm_name: 'HTTPGet', group_id: 9100001}
const rtOnly = {...base, prb_id: 4101, from: '203.0.113.7', timestamp: 1733500000, result: [{af: 4, bsize: 612, dst_addr: '192.0.2.80', hsize: 238, method: 'GET', res: 200, rt: 41.523, src_addr: '10.0.0.7', ver: '1.1'}]}
const timed = {...base, prb_id: 4102, from: '203.0.113.8', timestamp: 1733500003, result: [{af: 4, bsize: 612, dst_addr: '192.0.2.80', hsize: 238, method: 'GET', res: 200, rt: 30.1, ttc: 9.75, ttfb: 21.2, src_addr: '10.0.0.8', ver: '1.1'}]}

type Row = {vantage: {id: string}; rttMs: number | null; rttUpperBound?: boolean}
const rowOf = (doc: {vantagePoints: Row[]}, id: string): Row => doc.vantagePoints.find((r) => r.vantage.id === id || r.vantage.id === `atlas:${id}`)!

describe('an HTTP result without a connect time keeps its RTT as an upper bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'http-rt-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  const file = join(dir, 'atlas-http.json')
  writeFileSync(file, JSON.stringify([rtOnly, timed]))

  it('httpRtt: the connect phase, else the first byte, else the total, the last two marked upper bounds', () => {
    assert.deepEqual(httpRtt({dnsMs: null, connectMs: 9.75, tlsMs: null, firstByteMs: 11.4, totalMs: 30.1}), {ms: 9.75, upperBound: false})
    assert.deepEqual(httpRtt({dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: 11.4, totalMs: 30.1}), {ms: 11.4, upperBound: true})
    assert.deepEqual(httpRtt({dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: 41.523}), {ms: 41.523, upperBound: true})
    assert.deepEqual(httpRtt({dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: null}), {ms: null, upperBound: false})
    assert.equal(minRttFromTimings({dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: 41.523}), 41.523)
  })

  it('report --json: rt is the row RTT, marked rttUpperBound; a timed result keeps its connect time unmarked (schema-valid)', async () => {
    const r = await runCommand('report', [file, '--json'])
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(rowOf(doc, '4101').rttMs, 41.523)
    assert.equal(rowOf(doc, '4101').rttUpperBound, true)
    assert.equal(rowOf(doc, '4102').rttMs, 9.75)
    assert.equal(rowOf(doc, '4102').rttUpperBound, undefined)
  })

  it('the table marks the bound (<=) and says what it means', async () => {
    const r = await runCommand('report', [file])
    assert.match(r.stdout, /atlas:4101 .*<=41\.5 /)
    assert.match(r.stdout, /atlas:4102 .* 9\.75 /)
    assert.match(r.stdout, /an RTT marked <= is only an upper bound/)
  })

  it('catchment --expect: an upper bound over maxRttMs is no breach; a measured RTT over it is', () => {
    const file = parseExpectFile(JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{maxRttMs: 20}]}))
    const vantage = (id: string): CatchmentVantagePoint['vantage'] => ({kind: 'atlas', id, name: id, asn: null, country: null, lat: null, lon: null})
    const row = (id: string, rttMs: number, bound: boolean): CatchmentVantagePoint => ({vantage: vantage(id), pop: null, rttMs, ...(bound ? {rttUpperBound: true as const} : {}), evidence: null, reached: true, error: null})
    const x = checkCatchment(file, 'e.json', [row('1', 41.5, true), row('2', 25, false)])
    assert.deepEqual(x.violations.map((v) => v.vantageId), ['2'])
  })
})

// read of the merged change: a bound was taken into a PoP's median RTT and listed by diff as an RTT
// change against a connect time (a whole request of 41 ms "changed" from a 9 ms connect)
describe('an RTT upper bound is no RTT for a median or a change', () => {
  const FRA = {code: 'fra', city: 'Frankfurt am Main', country: 'DE', confidence: 0.9}
  const vantage = (id: string): CatchmentVantagePoint['vantage'] => ({kind: 'atlas', id, name: id, asn: null, country: null, lat: null, lon: null})
  const build = (rows: Array<[string, number, boolean]>) => {
    const b = new CatchmentBuilder()
    for (const [id, rttMs, bound] of rows) b.addRow({vantage: vantage(id), pop: FRA, rttMs, ...(bound ? {rttUpperBound: true as const} : {}), evidence: null, reached: true, error: null})
    return b.result({target: '192.0.2.80', method: 'http'})
  }
  it('medianRttMs leaves bounds out (null when only bounds)', () => {
    assert.equal(build([['1', 9, false], ['2', 41.5, true], ['3', 40, true]]).pops[0]!.medianRttMs, 9)
    assert.equal(build([['2', 41.5, true]]).pops[0]!.medianRttMs, null)
  })
  it('diff lists no RTT change from or to a bound', () => {
    const before = build([['1', 9, false], ['2', 9, false]])
    const after = build([['1', 41.5, true], ['2', 12, false]])
    assert.deepEqual(diffCatchments(before, after).rtt.map((r) => r.vantageId), ['2'])
  })
})

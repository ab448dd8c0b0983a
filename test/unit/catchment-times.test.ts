// catchment --json says when: each row's startedAt (its result's, or a failure's when known) and
// the run's (the earliest), so a saved catchment read again is ordered by time, as results are:
// `cat after.json before.json | report -` counted the file read last (before.json) as the latest.
// Inputs: the lab's DNS catchments before and during `lab.sh withdraw fra`
// (test/fixtures/diff, catchment --json output; ap-vp-ber is FRA before, IAD during).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {catchment, type CatchmentResult} from '../../src/analysis/catchment.js'
import type {VantageOutcome} from '../../src/model/probe.js'
import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const fixture = (name: string): CatchmentResult => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/diff', name), 'utf8')) as CatchmentResult
/** the document as a catchment of now writes it: each row measured at `at` */
const timed = (c: CatchmentResult, at: string): CatchmentResult => ({...c, startedAt: at, vantagePoints: c.vantagePoints.map((r) => ({...r, startedAt: at}))})
const berOf = (doc: CatchmentResult): string | undefined => doc.vantagePoints.find((r) => r.vantage.id === 'ap-vp-ber')?.pop?.code

describe('catchment documents carry their time', () => {
  it('each row has its result\'s startedAt (a failure: its time when known, else null); the document the earliest', () => {
    const v = (id: string) => ({kind: 'netns' as const, id, name: id, asn: null, country: null, lat: null, lon: null})
    const dns = (id: string, startedAt: string): VantageOutcome => ({
      vantage: v(id),
      error: null,
      result: {schemaVersion: 1, kind: 'dns', target: 'x', targetAddr: '198.51.100.10', port: 53, transport: 'udp', vantage: v(id), startedAt, durationMs: 1, params: {timeoutMs: 1000, qname: 'hostname.bind', qtype: 'TXT'}, queries: [{rttMs: 1.5}], identity: {}, answered: true, pop: null} as never,
    })
    const c = catchment([
      dns('b', '2026-12-07T02:08:04.000Z'),
      dns('a', '2026-12-07T02:08:03.160Z'),
      {vantage: v('c'), result: null, error: {code: 'E_VP_TIMEOUT', message: 'x', hint: null}},
      {vantage: v('d'), result: null, error: {code: 'E_VP_TIMEOUT', message: 'x', hint: null}, at: '2026-12-07T02:08:01Z'},
    ])
    assert.deepEqual(c.vantagePoints.map((r) => [r.vantage.id, r.startedAt]), [['a', '2026-12-07T02:08:03.160Z'], ['b', '2026-12-07T02:08:04.000Z'], ['c', null], ['d', '2026-12-07T02:08:01.000Z']])
    assert.equal(c.startedAt, '2026-12-07T02:08:01.000Z')
    assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
    assert.equal(catchment([{vantage: v('c'), result: null, error: {code: 'E_VP_TIMEOUT', message: 'x', hint: null}}]).startedAt, null)
  })

  it('a document written before the times still validates', () => {
    assert.deepEqual(schemaErrors('catchment.schema.json', fixture('lab-dns-before.json')), [])
  })

  const dir = mkdtempSync(join(tmpdir(), 'catchment-times-'))
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('report of two saved catchments, the later one first: the latest by time counts, not the last read', async () => {
    const before = timed(fixture('lab-dns-before.json'), '2026-12-07T02:00:00.000Z')
    const during = timed(fixture('lab-dns-withdraw-fra.json'), '2026-12-07T02:10:00.000Z')
    assert.equal(berOf(before), 'fra')
    assert.equal(berOf(during), 'iad')
    const f = join(dir, 'both.json')
    writeFileSync(f, JSON.stringify(during, null, 2) + '\n' + JSON.stringify(before, null, 2) + '\n')
    const r = await runCommand('report', [f, '--json'])
    const doc = JSON.parse(r.stdout) as CatchmentResult
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(berOf(doc), 'iad', r.stderr)
    assert.equal(doc.vantagePoints.find((x) => x.vantage.id === 'ap-vp-ber')!.startedAt, '2026-12-07T02:10:00.000Z')
    assert.equal(doc.startedAt, '2026-12-07T02:10:00.000Z')
    // documents without times: the order read, as before (the last read counts)
    const old = join(dir, 'old.json')
    writeFileSync(old, JSON.stringify(fixture('lab-dns-withdraw-fra.json')) + '\n' + JSON.stringify(fixture('lab-dns-before.json')) + '\n')
    assert.equal(berOf(JSON.parse((await runCommand('report', [old, '--json'])).stdout)), 'fra')
  })
})

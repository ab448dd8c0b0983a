// A failed measurement belongs to its own target. RIPE Atlas downloads saved together (or a daily
// dump) hold error results of other measurements: probe 22586's "name resolution failed" of
// syndication.exoclick.com (msm 2906346; real result, corpus sagan-traceroute-022, in
// test/fixtures/atlas/results-errors.json) sat in the catchment of 194.0.25.10 as a FAILED vantage
// point of that service, and made report exit 9 ("some vantage points did not answer") for a
// service every probe reached. A failure whose file says its target (an Atlas result's dst_name /
// dst_addr; a saved outcome line's or document's target) now goes with that target: left out and
// said when another is read, read when it is the one asked, even if all of it failed.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-failed-of-'))
after(() => rmSync(dir, {recursive: true, force: true}))

type Raw = Record<string, unknown>
const json = (p: string): Raw[] => JSON.parse(readFileSync(p, 'utf8')) as Raw[]
// two real traceroutes of msm 3606560 to 194.0.25.10 (probes 12185, 22880), both reached
const K = json('test/fixtures/atlas/results-3606560.json')
const FAILED_OTHER = json('test/fixtures/atlas/results-errors.json')[1]!
/** the same error result, as if it were of 194.0.25.10 (msm 3606560) */
const FAILED_SAME = {...FAILED_OTHER, dst_name: '194.0.25.10', dst_addr: '194.0.25.10', msm_id: 3606560, group_id: 3606560, prb_id: 30001, timestamp: 1460000000}
const file = (name: string, v: unknown[]): string => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(v))
  return p
}
const ids = (doc: {vantagePoints: Array<{vantage: {id: string}}>}): string[] => doc.vantagePoints.map((v) => v.vantage.id)

describe('report: a failed measurement of another target is not a failure of the service read', () => {
  it('an Atlas download with another measurement\'s error result: left out and said, exit 0 (was a FAILED row and exit 9)', async () => {
    const r = await runCommand('report', [file('k-and-error.json', [...K, FAILED_OTHER]), '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.target, '194.0.25.10')
    assert.deepEqual(ids(doc), ['atlas:12185', 'atlas:22880'])
    assert.equal(doc.summary.failed, 0)
    assert.match(doc.input.notes.join('\n'), /1 failed measurement of other targets than 194\.0\.25\.10 was left out \(syndication\.exoclick\.com \(1\)\)/)
  })

  it('the failure read first does not make its target the file\'s; a failure of the target read stays a failed row (exit 9)', async () => {
    const r = await runCommand('report', [file('error-first.json', [FAILED_OTHER, FAILED_SAME, ...K]), '--no-rdns', '--json'])
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.target, '194.0.25.10')
    assert.deepEqual(ids(doc), ['atlas:12185', 'atlas:22880', 'atlas:30001'])
    assert.equal(doc.summary.failed, 1)
  })

  it('--target naming the failed one: its catchment (every vantage point failed to resolve it: exit 3), the others said', async () => {
    const r = await runCommand('report', [file('k-and-error-2.json', [...K, FAILED_OTHER]), '--no-rdns', '--json', '--target', 'syndication.exoclick.com'])
    // its one probe's "name resolution failed" is E_RESOLVE: every vantage point failed with that
    // same error, so the exit is the error's (3), as the live run's (model/exit.ts sharedFailureExit)
    assert.equal(r.status, 3, r.stderr)
    assert.equal(JSON.parse(r.stdout).vantagePoints[0].error.code, 'E_RESOLVE')
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.target, 'syndication.exoclick.com')
    assert.deepEqual(ids(doc), ['atlas:22586'])
    assert.match(doc.input.notes.join('\n'), /other targets than syndication\.exoclick\.com: 2 results were left out \(194\.0\.25\.10 \(2\)\)/)
  })

  it('saved anyprobe NDJSON: a failed outcome line of another target is left out too', async () => {
    const trace = readFileSync('test/fixtures/diff/lab-trace-withdraw-fra.ndjson', 'utf8')
    const vantage = {kind: 'ssh', id: 'root@far', name: 'root@far', asn: null, country: null, lat: null, lon: null}
    const line = {schemaVersion: 1, kind: 'outcome', method: 'trace', target: '192.0.2.77', vantage, result: null, error: {code: 'E_VP_CONNECT', message: 'ssh: connect refused', hint: null}}
    const p = join(dir, 'trace-and-other.ndjson')
    writeFileSync(p, trace + JSON.stringify(line) + '\n')
    const r = await runCommand('report', [p, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.summary.failed, 0)
    assert.ok(!ids(doc).includes('root@far'))
    assert.match(r.stderr, /failed measurement of other targets than 198\.51\.100\.10 was left out \(192\.0\.2\.77 \(1\)\)/)
  })
})

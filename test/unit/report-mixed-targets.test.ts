// RIPE Atlas downloads of several measurements concatenated into one file: a catchment is of one
// service, so report gives that of the first target (or of --target) and says on stderr (and in
// --json input.notes) what it left out, by target. It used to merge every probe's latest result
// under the first target: two services' PoPs in one table. One measurement's results get no note.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {ROOT, runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-mixed-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const fixture = (f: string): unknown[] => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/atlas', f), 'utf8')) as unknown[]

describe('report of results for several targets', () => {
  it('the first target only; the other is left out and said, never merged into its catchment', async () => {
    const file = join(dir, 'mixed.json')
    writeFileSync(file, JSON.stringify([...fixture('results-1423386.json'), ...fixture('results-3606560.json')]))
    const r = await runCommand('report', [file, '--no-rdns'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /warning: .*mixed\.json holds results of other targets than 193\.0\.14\.129: 2 results were left out \(194\.0\.25\.10 \(2\)\); the catchment is of 193\.0\.14\.129\. report --target/)
    assert.match(r.stdout, /catchment of 193\.0\.14\.129 by dns from 1 vantage point/)
    assert.doesNotMatch(r.stdout, /atlas:12185|atlas:22880/)
    const j = await runCommand('report', [file, '--no-rdns', '--json'])
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.method, 'dns')
    assert.deepEqual(doc.vantagePoints.map((v: {vantage: {id: string}}) => v.vantage.id), ['atlas:6036'])
    assert.equal(doc.input.notes.length, 1)
    assert.match(doc.input.notes[0], /2 results were left out \(194\.0\.25\.10 \(2\)\)/)
  })

  it('--target: the catchment of that one', async () => {
    const file = join(dir, 'mixed.json')
    const r = await runCommand('report', [file, '--no-rdns', '--json', '--target', '194.0.25.10'])
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.target, '194.0.25.10')
    assert.equal(doc.method, 'trace')
    assert.deepEqual(doc.vantagePoints.map((v: {vantage: {id: string}}) => v.vantage.id), ['atlas:12185', 'atlas:22880'])
    assert.match(r.stderr, /1 result was left out \(193\.0\.14\.129 \(1\)\); the catchment is of 194\.0\.25\.10/)
  })

  it('one measurement: no note', async () => {
    const r = await runCommand('report', [join(ROOT, 'test/fixtures/atlas/results-3606560.json'), '--no-rdns'])
    assert.doesNotMatch(r.stderr, /targets|left out/)
    assert.match(r.stdout, /catchment of 194\.0\.25\.10/)
  })
})

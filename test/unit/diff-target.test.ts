// `anyprobe diff --target NAME|ADDRESS`: files holding results of several targets (RIPE Atlas
// downloads of two measurements concatenated, in either order: real results of measurements
// 1423386, K-root by DNS, and 3606560, 194.0.25.10 by traceroute, test/fixtures/atlas) are each read
// for that target, as report --target reads one file (analysis/catchment-scope.ts, the same rule);
// without it each file gives its first target and two files that start differently compare two
// services (a targets-differ warning).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {ROOT, runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-diff-target-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const fixture = (f: string): unknown[] => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/atlas', f), 'utf8')) as unknown[]
const K = fixture('results-1423386.json')
const T = fixture('results-3606560.json')
const A = join(dir, 'monday.json')
const B = join(dir, 'today.json')
writeFileSync(A, JSON.stringify([...K, ...T]))
writeFileSync(B, JSON.stringify([...T, ...K]))
const ids = (vs: Array<{id: string}>): string[] => vs.map((v) => v.id)

describe('diff --target', () => {
  it('without it: each file its first target, said as two services', async () => {
    const r = await runCommand('diff', [A, B, '--json'])
    const doc = JSON.parse(r.stdout)
    assert.deepEqual([doc.before.target, doc.after.target], ['193.0.14.129', '194.0.25.10'])
    assert.ok(doc.warnings.some((w: {code: string}) => w.code === 'targets-differ'))
  })

  it('--target ADDRESS: that target in both files, the same service compared; the other said left out', async () => {
    const r = await runCommand('diff', [A, B, '--json', '--target', '194.0.25.10'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.deepEqual([doc.before.target, doc.after.target], ['194.0.25.10', '194.0.25.10'])
    assert.deepEqual([doc.before.method, doc.after.method], ['trace', 'trace'])
    assert.equal(doc.summary.common, 2)
    assert.deepEqual([ids(doc.onlyBefore), ids(doc.onlyAfter)], [[], []])
    const codes = doc.warnings.map((w: {code: string}) => w.code)
    assert.ok(!codes.includes('targets-differ'), JSON.stringify(doc.warnings))
    const left = doc.warnings.filter((w: {code: string}) => w.code === 'left-out').map((w: {message: string}) => w.message)
    assert.equal(left.length, 2)
    for (const m of left) assert.match(m, /193\.0\.14\.129 \(1\)\); the catchment is of 194\.0\.25\.10\. diff --target NAME\|ADDRESS compares another/)
  })

  it('--target naming no target of a file: said, not silently the first', async () => {
    const r = await runCommand('diff', [A, B, '--target', '192.0.2.1'])
    assert.match(r.stderr, /warning: .*monday\.json: no result measured 192\.0\.2\.1; the catchment is of 193\.0\.14\.129/)
    assert.match(r.stderr, /warning: .*today\.json: no result measured 192\.0\.2\.1; the catchment is of 194\.0\.25\.10/)
  })
})

// A saved document cut short: the break is said as a break, never counted as a value that "could
// not be used". A `multi` document (trace --from ... --json) cut inside its third outcome read two
// outcomes and said "1 of 2 values could not be used": both were used. Input: the lab's saved
// traces (test/fixtures/diff, real CLI output) written as the multi document trace --json writes.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const lines = readFileSync(join(ROOT, 'test/fixtures/diff/lab-trace-withdraw-fra.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {vantage: {id: string}; result: unknown; error: unknown})

describe('report of a cut document counts what it read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cut-count-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  const doc = JSON.stringify({schemaVersion: 1, kind: 'multi', target: '198.51.100.10', method: 'trace', outcomes: lines.slice(0, 3).map((l) => ({vantage: l.vantage, result: l.result, error: l.error}))}, null, 2)
  const third = lines[2]!.vantage.id
  const file = join(dir, 'cut.json')
  writeFileSync(file, doc.slice(0, doc.indexOf(`"${third}"`) + 100))

  it('a multi document cut in its third outcome: two read, the break said, none "could not be used"', async () => {
    const r = await runCommand('report', [file, '--no-rdns'])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stderr, /cut\.json: the input breaks off after 2 values; everything before the break was kept/)
    assert.doesNotMatch(r.stderr, /could not be used/)
    const j = await runCommand('report', [file, '--no-rdns', '--json'])
    const out = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', out), [])
    assert.equal(out.vantagePoints.length, 2)
    assert.deepEqual({values: out.input.values, unparseable: out.input.unparseable, truncated: out.input.truncated}, {values: 2, unparseable: 0, truncated: true})
  })

  it('an array whose elements are whole but whose end is missing: the same, nothing unusable', async () => {
    const arr = join(dir, 'open.json')
    writeFileSync(arr, `[${lines.slice(0, 2).map((l) => JSON.stringify(l)).join(',\n')}`)
    const r = await runCommand('report', [arr, '--no-rdns'])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stderr, /open\.json: the input breaks off after 2 values/)
  })
})

// RIPE Atlas downloads of several measurements concatenated into one file: report keeps one row per
// probe (its latest result) under the first target. It now says so on stderr (how many targets,
// which) instead of mixing them silently; one measurement's results get no note.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {ROOT, runCommand} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-mixed-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const fixture = (f: string): unknown[] => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/atlas', f), 'utf8')) as unknown[]

describe('report of results for several targets', () => {
  it('notes the targets it mixes', async () => {
    const file = join(dir, 'mixed.json')
    writeFileSync(file, JSON.stringify([...fixture('results-1423386.json'), ...fixture('results-3606560.json')]))
    const r = await runCommand('report', [file])
    assert.match(r.stderr, /note: .*mixed\.json holds results for 2 targets \(193\.0\.14\.129, 194\.0\.25\.10\): the catchment mixes them under 193\.0\.14\.129/)
    assert.match(r.stdout, /catchment of 193\.0\.14\.129/)
  })

  it('one measurement: no note', async () => {
    const r = await runCommand('report', [join(ROOT, 'test/fixtures/atlas/results-3606560.json')])
    assert.doesNotMatch(r.stderr, /targets/)
    assert.match(r.stdout, /catchment of 194\.0\.25\.10/)
  })
})

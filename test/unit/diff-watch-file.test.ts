// `diff` given a `watch --out` file: refused by its kind, as a usage error (E_USAGE, exit 2) with a
// hint to `report`, the same way a file of a kind a command does not take is refused elsewhere
// (README "Errors and exit codes": exit 7 is input read only in part, not a file of the wrong kind).
// Found in round 5: the refusal said so clearly but exited 7.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-diff-watch-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const T0 = Date.parse('2026-12-07T05:10:00.000Z')
// what `watch --out` writes (schemas/watch-out.schema.json): a start line, then observations
const lines = [
  {schemaVersion: 1, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns', intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60000, outageAfter: 2, reorderRounds: 2},
  ...[0, 1, 2].map((r) => ({vantageId: 'ap-vp-ber', round: r, flow: 0, sentAt: T0 + r * 100, receivedAt: T0 + r * 100 + 1, rttMs: 0.8, pop: 'FRA', answered: true})),
]
const WATCH = join(dir, 'watch.ndjson')
writeFileSync(WATCH, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
const CATCHMENT = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')

describe('diff of a watch --out file', () => {
  it('before or after: E_USAGE, exit 2, with the hint to report', async () => {
    for (const args of [[WATCH, CATCHMENT], [CATCHMENT, WATCH]]) {
      const r = await runCommand('diff', args)
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /error E_USAGE: .*watch\.ndjson is a watch --out file: it holds observations over time, not one catchment/)
      assert.match(r.stderr, /hint: .*report FILE judges a watch/)
      assert.equal(r.stdout, '')
    }
  })

  it('--json: the error document says exit 2 (schemas/error.schema.json)', async () => {
    const r = await runCommand('diff', [WATCH, CATCHMENT, '--json'])
    assert.equal(r.status, 2, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('error.schema.json', doc), [])
    assert.equal(doc.error.code, 'E_USAGE')
    assert.equal(doc.error.exitCode, 2)
  })
})

// diff reads raw RIPE Atlas traceroutes offline by default (no reverse DNS), so their hops carry no
// router names and their vantage points are unlocated; against a catchment saved from a live run
// (where hop names located them) every such vantage point read as "lost" and diff exited 8 with
// nothing to say why: an alert made by how the file was read, not by the network. Now said in a
// 'no-hop-names' warning (schemas/diff.schema.json), naming diff --rdns.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {hopNamesWarning} from '../../src/analysis/diff-warnings.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-hop-names-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const RAW = 'test/fixtures/atlas/results-3606560.json' // real traceroutes of msm 3606560 (probes 12185, 22880)
const vantage = (id: number): Record<string, unknown> => ({kind: 'atlas', id: `atlas:${id}`, name: null, asn: null, country: null, lat: null, lon: null})
/** what a live `catchment 194.0.25.10 --from atlas:probes=12185,22880 --method trace --json` saved: PoPs from hop names */
const live = {
  schemaVersion: 1, kind: 'catchment', target: '194.0.25.10', method: 'trace',
  vantagePoints: [12185, 22880].map((id) => ({vantage: vantage(id), pop: {code: 'ams', city: 'Amsterdam', country: 'NL', confidence: 0.9}, rttMs: 19, evidence: 'hop-hostname ae1.ams.example.net', reached: true, error: null})),
  pops: [{code: 'ams', city: 'Amsterdam', country: 'NL', vantagePoints: ['atlas:12185', 'atlas:22880'], share: 1, medianRttMs: 19}],
  summary: {vantagePoints: 2, measured: 2, located: 2, unlocated: 0, failed: 0},
}

describe('diff of raw Atlas traceroutes read without reverse DNS', () => {
  it('against a live catchment: the vantage points read as lost, and a no-hop-names warning says why', async () => {
    const before = join(dir, 'live.json')
    writeFileSync(before, JSON.stringify(live))
    assert.deepEqual(schemaErrors('catchment.schema.json', live), [])
    const r = await runCommand('diff', [before, RAW, '--json'])
    assert.equal(r.status, 8, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.equal(doc.summary.lost, 2)
    const w = doc.warnings.find((x: {code: string}) => x.code === 'no-hop-names')
    assert.ok(w, `no warning: ${JSON.stringify(doc.warnings)}`)
    assert.match(w.message, /results-3606560\.json: raw RIPE Atlas traceroutes read without reverse DNS .*diff --rdns/)
    assert.match(r.stderr, /warning: .*raw RIPE Atlas traceroutes read without reverse DNS/)
  })

  it('two downloads read alike (nothing moved): no warning', async () => {
    const r = await runCommand('diff', [RAW, RAW, '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout).warnings, [])
  })

  it('hopNamesWarning: only with such a file and a lost or found vantage point', () => {
    assert.equal(hopNamesWarning([], [{type: 'lost'}]), null)
    assert.equal(hopNamesWarning(['a.json'], [{type: 'moved'}]), null)
    assert.equal(hopNamesWarning(['a.json'], [{type: 'found'}])?.code, 'no-hop-names')
  })
})

// Saved catchment documents (and other pretty-printed documents) as operators keep them: several
// `catchment --json` outputs appended to one file (`>>`, or `cat monday.json http.json`), or one
// per line (`jq -c`), and `report --target` on them. Before: rows of a saved catchment carried no
// target, so two documents' rows were merged into one table under the first document's target and
// method (the DNS label over the HTTP rows), `--target` was silently ignored for them, and of
// pretty documents written one after another only the first was read, the rest lost without a
// word (exit 0), as was anything after a document (garbage). Fixtures: real lab output
// (test/fixtures/diff/README.md).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {watchEndFixture} from '../helpers/watch-end-fixture.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-docs-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const DNS = 'test/fixtures/diff/lab-dns-before.json' // 198.51.100.10 by dns
const HTTP = 'test/fixtures/diff/lab-http.json' // http://198.51.100.10/ by http
const text = (p: string): string => readFileSync(p, 'utf8')
const file = (name: string, t: string): string => {
  const p = join(dir, name)
  writeFileSync(p, t)
  return p
}
const evidence = (doc: {vantagePoints: Array<{evidence: string | null}>}): string[] => doc.vantagePoints.map((v) => v.evidence ?? '')

describe('report --target on saved catchment documents', () => {
  it('one document, --target naming another: said (stderr and input.notes), the document\'s own catchment and label kept', async () => {
    const r = await runCommand('report', [DNS, '--target', 'k.root-servers.net', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.target, '198.51.100.10')
    assert.equal(doc.vantagePoints.length, 4)
    assert.equal(doc.input.notes.length, 1, 'the --target that named nothing was silently ignored')
    assert.match(doc.input.notes[0], /no result measured k\.root-servers\.net; the catchment is of 198\.51\.100\.10, the one target in it \(--target chooses among/)
    assert.match(r.stderr, /^warning: .*no result measured k\.root-servers\.net/m)
    const same = await runCommand('report', [DNS, '--target', '198.51.100.10', '--json'])
    assert.deepEqual(JSON.parse(same.stdout).input.notes, [])
    assert.equal(same.stderr, '')
  })

  for (const [how, join] of [['one per line (jq -c)', (a: string, b: string) => JSON.stringify(JSON.parse(a)) + '\n' + JSON.stringify(JSON.parse(b)) + '\n'], ['pretty, one after another (cat a b)', (a: string, b: string) => a + b]] as const) {
    it(`two documents of two targets, ${how}: the first one's catchment, never a merge; --target gives the other, under its own target and method`, async () => {
      const f = file(`two-${how.length}.json`, join(text(DNS), text(HTTP)))
      const first = await runCommand('report', [f, '--json'])
      assert.equal(first.status, 0, first.stderr)
      const a = JSON.parse(first.stdout)
      assert.equal(a.target, '198.51.100.10')
      assert.equal(a.method, 'dns')
      assert.ok(evidence(a).every((e) => e.startsWith('dns-identity')), `rows of the http document merged in: ${evidence(a)}`)
      assert.match(a.input.notes.join('\n'), /holds results of other targets than 198\.51\.100\.10: 4 results were left out \(http:\/\/198\.51\.100\.10\/ \(4\)\)/)
      const second = await runCommand('report', [f, '--json', '--target', 'http://198.51.100.10/'])
      assert.equal(second.status, 0, second.stderr)
      const b = JSON.parse(second.stdout)
      assert.deepEqual(schemaErrors('catchment.schema.json', b), [])
      assert.equal(b.target, 'http://198.51.100.10/')
      assert.equal(b.method, 'http')
      assert.ok(evidence(b).every((e) => e.startsWith('http-header')), evidence(b).join(', '))
      const d = await runCommand('diff', [DNS, f, '--json'])
      assert.equal(d.status, 0, d.stderr)
      assert.ok(JSON.parse(d.stdout).warnings.some((w: {code: string}) => w.code === 'left-out'))
    })
  }

  it('trace --json results appended to one file (trace X --json >> traces.json): every one is read', async () => {
    const lines = text('test/fixtures/diff/lab-trace-withdraw-fra.ndjson').split('\n').filter((l) => l !== '')
    const pretty = lines.map((l) => JSON.stringify(JSON.parse(l).result, null, 2) + '\n').join('')
    const r = await runCommand('report', [file('traces.json', pretty), '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.input.format, 'json-document')
    assert.deepEqual(doc.vantagePoints.map((v: {vantage: {id: string}}) => v.vantage.id), ['ap-vp-ber', 'ap-vp-nyc', 'ap-vp-sao', 'ap-vp-tyo'])
  })

  it("RIPE Atlas results as jq '.[]' prints them (pretty, one after another): every one is read (only the first was, then 'the input breaks off')", async () => {
    const raw = JSON.parse(text('test/fixtures/atlas/results-3606560.json')) as unknown[]
    const r = await runCommand('report', [file('jq-each.json', raw.map((x) => JSON.stringify(x, null, 2) + '\n').join('')), '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(doc.vantagePoints.map((v: {vantage: {id: string}}) => v.vantage.id), ['atlas:12185', 'atlas:22880'])
    assert.equal(doc.input.unparseable, 0)
  })

  it('something after a document that is not one: the catchment of the document, then E_BAD_INPUT (exit 7), not a silent exit 0', async () => {
    const r = await runCommand('report', [file('doc-garbage.json', text(DNS) + 'garbage\n')])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stdout, /^catchment of 198\.51\.100\.10 by dns from 4 vantage points/)
    assert.match(r.stderr, /^error E_BAD_INPUT: .*doc-garbage\.json: .*the input breaks off/m)
  })

  it('a watch --out file with --target: said that it does not apply (the events are of the watch\'s target), not silently ignored', async () => {
    const {start, vp, ob} = watchEndFixture(Date.parse('2026-12-07T02:00:00.000Z'))
    const lines = [JSON.stringify(start)]
    for (let r = 0; r < 6; r++) lines.push(JSON.stringify({...ob('ap-vp-ber', r, 'FRA'), vantage: vp('ap-vp-ber')}))
    const f = file('watch-out.ndjson', lines.join('\n') + '\n')
    const other = await runCommand('report', [f, '--target', 'k.root-servers.net'])
    assert.equal(other.status, 0, other.stderr)
    assert.match(other.stderr, /^warning: .*watch-out\.ndjson: --target k\.root-servers\.net does not apply to a watch's events: they are judged as the watch ran \(of 198\.51\.100\.10\)/m)
    const same = await runCommand('report', [f, '--target', '198.51.100.10'])
    assert.doesNotMatch(same.stderr, /does not apply/)
  })
})

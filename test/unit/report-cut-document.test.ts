// A saved catchment cut short keeps what it said of itself before the cut: its target and method
// (read as the document streams in, not only once it is whole), and a method nothing names is
// unknown (null), never a guess. The fixture is a real lab run:
//   anyprobe catchment http://198.51.100.10/ --from netns:ap-vp-ber,ap-vp-nyc,ap-vp-tyo,ap-vp-sao --method http --json
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {catchment} from '../../src/analysis/catchment.js'
import {diffCatchments} from '../../src/analysis/diff.js'
import type {VantageOutcome} from '../../src/model/probe.js'
import {renderCatchment} from '../../src/render/catchment.js'
import {newStats, readSaved, type ReportItem} from '../../src/store/read.js'
import {ROOT, srcConfig} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-report-cut-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const WHOLE = readFileSync(join(ROOT, 'test/fixtures/report/catchment-http.json'), 'utf8')

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text)
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size)
}

async function read(text: string, size: number) {
  const stats = newStats()
  const items: ReportItem[] = []
  for await (const item of readSaved(chunks(text, size), stats)) items.push(item)
  return {stats, items, metas: items.filter((i) => i.type === 'meta'), rows: items.filter((i) => i.type === 'row')}
}

function cli(args: string[]): {status: number | null; stdout: string; stderr: string} {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/report.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('report: a saved catchment cut short', () => {
  it('keeps the target and method read before the cut, whatever the chunking', async () => {
    const cut = WHOLE.slice(0, 1500) // inside the third vantage point's row, as `head -c 1500` cuts it
    for (const size of [1, 7, 64, 1 << 16]) {
      const r = await read(cut, size)
      assert.equal(r.stats.format, 'json-document')
      assert.equal(r.stats.truncated, true)
      assert.deepEqual(r.metas, [{type: 'meta', target: 'http://198.51.100.10/', method: 'http'}], `chunk size ${size}`)
      assert.equal(r.rows.length, 2, 'the whole rows before the cut are kept')
    }
  })

  it('a field not reached before the cut stays unknown (null), the other one is kept', async () => {
    const cut = WHOLE.slice(0, WHOLE.indexOf('"method"')) // after the target, before the method
    const r = await read(cut, 5)
    assert.deepEqual(r.metas, [{type: 'meta', target: 'http://198.51.100.10/', method: null}])
    // a whole document still gives exactly one meta, from the document itself
    assert.deepEqual((await read(WHOLE, 5)).metas, [{type: 'meta', target: 'http://198.51.100.10/', method: 'http'}])
  })

  it('a catchment nothing names the method of says so: null in the document, what is known in the text', () => {
    const failed: VantageOutcome = {vantage: {kind: 'netns', id: 'ap-vp-ber', name: 'ap-vp-ber', asn: null, country: null, lat: null, lon: null}, result: null, error: {code: 'E_VP_CONNECT', message: 'refused', hint: null}}
    const c = catchment([failed])
    assert.equal(c.method, null)
    assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
    assert.match(renderCatchment(c), /^catchment of an unknown target \(no result to tell the method\) from 1 vantage point/)
    // diff of such a file: its side says null too, and the diff document is still valid
    assert.deepEqual(schemaErrors('diff.schema.json', diffCatchments(c, c)), [])
  })

  it('NDJSON of failed vantage points only: the lines name the target and method, so nothing is unknown', async () => {
    const line = (id: string) => JSON.stringify({schemaVersion: 1, kind: 'outcome', method: 'http', target: 'http://198.51.100.10/', vantage: {kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null}, result: null, error: {code: 'E_VP_CONNECT', message: 'refused', hint: null}})
    const r = await read([line('a'), line('b')].join('\n') + '\n', 1 << 16)
    assert.deepEqual(r.metas[0], {type: 'meta', target: 'http://198.51.100.10/', method: 'http'})
  })

  it('the command: text and --json name the target and method of the cut file, then E_BAD_INPUT (exit 7)', () => {
    const f = join(dir, 'cut.json')
    writeFileSync(f, WHOLE.slice(0, 1500))
    const text = cli([f])
    assert.equal(text.status, 7, text.stderr)
    assert.match(text.stdout, /^catchment of http:\/\/198\.51\.100\.10\/ by http from 2 vantage points/)
    assert.match(text.stderr, /E_BAD_INPUT/)
    const json = cli([f, '--json'])
    assert.equal(json.status, 7, json.stderr)
    const doc = JSON.parse(json.stdout)
    assert.deepEqual([doc.target, doc.method, doc.input.truncated], ['http://198.51.100.10/', 'http', true])
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
  })
})

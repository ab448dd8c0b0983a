// A saved `report --json` read again (report, diff) keeps what its reading left out. The document's
// input.notes say e.g. that results of another target were left out: its rows alone no longer show
// it, and re-rendering the saved report (or comparing it with diff) dropped the notes without a word.
// The results are RIPE Atlas "dns" results of the public format (atlas.ripe.net/docs/apis/result-format:
// resultset entries with dst_addr and a base64 abuf), made here with dns-packet.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-saved-notes-'))
after(() => rmSync(dir, {recursive: true, force: true}))

function dnsResult(prb: number, msm: number, server: string, node: string): Record<string, unknown> {
  const t = 1765083600 + prb
  const abuf = dnsPacket
    .encode({type: 'response', id: prb, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: node}]})
    .toString('base64')
  return {fw: 5080, lts: 20, msm_id: msm, prb_id: prb, timestamp: t, type: 'dns', from: '203.0.113.9', msm_name: 'Tdig', group_id: msm, resultset: [{af: 4, dst_addr: server, lts: 20, proto: 'UDP', src_addr: '192.168.1.10', subid: 1, submax: 1, time: t, result: {ANCOUNT: 1, ARCOUNT: 0, ID: prb, NSCOUNT: 0, QDCOUNT: 1, rt: 8, size: 60, abuf}}]}
}

// two measurements downloaded into one file: 9.9.9.9 first (its catchment), K-root's left out and said
const RESULTS = [dnsResult(20, 5000002, '9.9.9.9', 'res100.ams.rrdns.pch.net'), dnsResult(21, 5000002, '9.9.9.9', 'res200.fra.rrdns.pch.net'), dnsResult(22, 1423386, '193.0.14.129', 'ns1.fi-hel.k.ripe.net')]
const LEFT_OUT = /two\.json holds results of other targets than 9\.9\.9\.9: 1 result was left out \(193\.0\.14\.129 \(1\)\); the catchment is of 9\.9\.9\.9/

async function savedReport(): Promise<{doc: {input: {notes: string[]}}; pretty: string; line: string}> {
  const raw = join(dir, 'two.json')
  writeFileSync(raw, JSON.stringify(RESULTS))
  const r = await runCommand('report', [raw, '--no-rdns', '--json'])
  assert.equal(r.status, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  assert.equal(doc.input.notes.length, 1)
  assert.match(doc.input.notes[0], LEFT_OUT)
  const pretty = join(dir, 'saved.json')
  writeFileSync(pretty, r.stdout)
  const line = join(dir, 'saved.ndjson')
  writeFileSync(line, JSON.stringify(doc) + '\n')
  return {doc, pretty, line}
}

describe('a saved report --json keeps its input.notes when read again', () => {
  it('report --json of it (pretty-printed and one line): the notes are in input.notes, the document valid', async () => {
    const {doc, pretty, line} = await savedReport()
    for (const f of [pretty, line]) {
      const r = await runCommand('report', [f, '--json'])
      assert.equal(r.status, 0, r.stderr)
      const again = JSON.parse(r.stdout)
      assert.deepEqual(schemaErrors('catchment.schema.json', again), [])
      assert.deepEqual(again.input.notes, doc.input.notes, f)
      assert.deepEqual(again.vantagePoints.map((v: {vantage: {id: string}}) => v.vantage.id), ['atlas:20', 'atlas:21'])
    }
  })

  it('report of it as a table: the notes are said on stderr, once', async () => {
    const {doc, pretty} = await savedReport()
    const r = await runCommand('report', [pretty])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr.split(doc.input.notes[0]!).length - 1, 1, r.stderr)
    assert.match(r.stderr, /^warning: /m)
  })

  it('diff of it: the notes are its left-out warnings', async () => {
    const {doc, pretty} = await savedReport()
    const r = await runCommand('diff', [pretty, pretty, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const d = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    assert.deepEqual(
      d.warnings.filter((w: {code: string}) => w.code === 'left-out').map((w: {message: string}) => w.message),
      [doc.input.notes[0], doc.input.notes[0]],
    )
  })

  it('notes that are not text, or hold control characters, are not shown as they are', async () => {
    const {doc} = await savedReport()
    const hostile = {...doc, input: {...doc.input, notes: [42, '', 'left out \u001b[31mred\u001b[0m', null]}}
    const f = join(dir, 'hostile.json')
    writeFileSync(f, JSON.stringify(hostile))
    const r = await runCommand('report', [f, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const again = JSON.parse(r.stdout)
    assert.equal(again.input.notes.length, 1)
    assert.doesNotMatch(again.input.notes[0], /\u001b/)
    assert.doesNotMatch(r.stderr, /\u001b/)
  })
})

// A recorded RIPE Atlas result stream read by report / diff. The streaming API's messages are JSON
// arrays [type, payload] (atlas.ripe.net/docs/apis/streaming-api, "Format": ["atlas_subscribed",
// {...}] after subscribing, then ["atlas_result", result] per result); its documented clients print
// one message a line, so a recording is lines of such arrays. Read before as a JSON array of
// arrays, every result came through but each "atlas_result" string counted as a value that could
// not be used: "5 of 10 values could not be used", exit 7, for a file read whole.
// The results are RIPE Atlas "dns" results of the public format (abuf made here with dns-packet).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {atlasStreamMessage} from '../../src/store/atlas-stream.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-atlas-stream-'))
after(() => rmSync(dir, {recursive: true, force: true}))

function dnsResult(prb: number, node: string, rt: number): Record<string, unknown> {
  const t = 1765090000 + prb
  const abuf = dnsPacket
    .encode({type: 'response', id: prb, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: node}]})
    .toString('base64')
  return {fw: 5080, lts: 20, af: 4, dst_addr: '193.0.14.129', dst_name: '193.0.14.129', from: '203.0.113.9', msm_id: 10001, msm_name: 'Tdig', prb_id: prb, proto: 'UDP', src_addr: '192.168.1.10', timestamp: t, type: 'dns', group_id: 10001, result: {ANCOUNT: 1, ARCOUNT: 0, ID: prb, NSCOUNT: 0, QDCOUNT: 1, rt, size: 80, abuf}}
}

const RESULTS = [dnsResult(6001, 'ns1.nl-ams.k.ripe.net', 3.1), dnsResult(6002, 'ns2.de-fra.k.ripe.net', 5.4), dnsResult(6004, 'ns1.jp-tyo.k.ripe.net', 12.2)]
const write = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const SUBSCRIBED = JSON.stringify(['atlas_subscribed', {streamType: 'result', msm: 10001}])
const recording = (extra: string[] = []): string => [SUBSCRIBED, ...RESULTS.map((r) => JSON.stringify(['atlas_result', r])), ...extra].join('\n') + '\n'
const rows = (doc: {vantagePoints: Array<{vantage: {id: string}; pop: {city: string | null} | null}>}): string[] => doc.vantagePoints.map((v) => `${v.vantage.id} ${v.pop?.city ?? '-'}`)

describe('a recorded RIPE Atlas result stream', () => {
  it('report reads every result: the catchment of the download, nothing counted as unusable (exit 0)', async () => {
    const stream = write('stream.ndjson', recording())
    const download = write('download.json', JSON.stringify(RESULTS))
    const r = await runCommand('report', [stream, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.input.unparseable, 0)
    assert.equal(doc.input.values, 3)
    assert.deepEqual(rows(doc), ['atlas:6001 Amsterdam', 'atlas:6002 Frankfurt am Main', 'atlas:6004 Tokyo'])
    const d = JSON.parse((await runCommand('report', [download, '--json'])).stdout)
    assert.deepEqual(rows(d), rows(doc))
    // diff of the recording against the download: the same catchment, exit 0
    const diff = await runCommand('diff', [download, stream])
    assert.equal(diff.status, 0, diff.stderr)
    assert.match(diff.stdout, /3 unchanged of 3 in both/)
  })

  it('an error the stream sent is said (exit 7, the results kept); a recording of another stream is the wrong file (exit 2)', async () => {
    const r = await runCommand('report', [write('err.ndjson', recording([JSON.stringify(['atlas_error', 'the measurement is not public'])]))])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stdout, /from 3 vantage points/)
    assert.match(r.stderr, /1 of 4 values could not be used; first at line 5: the RIPE Atlas stream sent an error: the measurement is not public/)
    const p = await runCommand('report', [write('probestatus.ndjson', JSON.stringify(['atlas_probestatus', {prb_id: 6001, event: 'connect'}]) + '\n')])
    assert.equal(p.status, 2, p.stderr)
    assert.match(p.stderr, /E_BAD_INPUT: .*holds no measurement: a RIPE Atlas stream message "atlas_probestatus"/)
    assert.match(p.stderr, /hint: record the result stream/)
  })

  it('what a stream message is (pure): only a two-element array of an atlas_ type', () => {
    assert.deepEqual(atlasStreamMessage(['atlas_result', {prb_id: 1}]), {kind: 'result', result: {prb_id: 1}})
    assert.deepEqual(atlasStreamMessage(['atlas_subscribed', {}]), {kind: 'control'})
    assert.equal(atlasStreamMessage([{prb_id: 1}, {prb_id: 2}]), null)
    assert.equal(atlasStreamMessage(['result', {}]), null)
    assert.equal(atlasStreamMessage(['atlas_result', {}, 3]), null)
  })
})

describe('an empty results download', () => {
  it('[] (a time window with no results) is said as such, exit 7', async () => {
    const r = await runCommand('report', [write('empty.json', '[]\n')])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stderr, /no anyprobe or RIPE Atlas result could be read \(it is an empty list, \[\], as the RIPE Atlas API gives for a measurement or a time window with no results\)/)
    const d = await runCommand('diff', [write('one.json', JSON.stringify(RESULTS)), join(dir, 'empty.json')])
    assert.equal(d.status, 7, d.stderr)
    assert.match(d.stderr, /empty\.json: .*it is an empty list/)
  })
})

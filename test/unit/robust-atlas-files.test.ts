// Issue 12, "Files": saved and downloaded RIPE Atlas results that lost data or said more than they
// held. Each test names the behaviour it guards; every one failed before its fix.
import assert from 'node:assert/strict'
import {Buffer} from 'node:buffer'
import {describe, it} from 'node:test'

import * as dnsPacket from 'dns-packet'

import {CatchmentBuilder} from '../../src/analysis/catchment.js'
import type {DnsResult} from '../../src/model/dns.js'
import type {HttpResult} from '../../src/model/http.js'
import type {PingResult} from '../../src/model/ping.js'
import {parseAtlasResult} from '../../src/vantage/atlas/parse.js'
import {newStats, readSaved, type ReadStats, type ReportItem} from '../../src/store/read.js'
import {loadAtlasModule} from '../../src/vantage/index.js'
import type {VantageOutcome} from '../../src/vantage/types.js'

async function read(text: string, chunk = 4096): Promise<{items: ReportItem[]; outcomes: VantageOutcome[]; stats: ReadStats}> {
  const stats = newStats()
  const items: ReportItem[] = []
  async function* src(): AsyncGenerator<string> {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk)
  }
  for await (const it of readSaved(src(), stats, {loadAtlas: loadAtlasModule})) items.push(it)
  const outcomes = items.flatMap((i) => (i.type === 'outcome' ? [i.outcome] : []))
  return {items, outcomes, stats}
}

// a real ping result (sagan tests/test_ping.py, fw 4470), varied per probe
const ping = (prb: number | string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  af: 4, avg: 195.649, dst_addr: '62.2.16.12', dst_name: 'hsi.cablecom.ch', dup: 0, from: '194.85.27.7', fw: 4470, max: 197.793, min: 193.059,
  msm_id: 1000192, prb_id: prb, proto: 'ICMP', rcvd: 3, result: [{rtt: 196.095}, {rtt: 197.793}, {rtt: 193.059}], sent: 3, size: 20,
  src_addr: '192.168.3.8', timestamp: 1344514151, ttl: 46, type: 'ping', ...extra,
})
const deep = (n: number): unknown => {
  let v: unknown = 'x'
  for (let i = 0; i < n; i++) v = [v]
  return v
}
/** JSON text of a value nested n deep (JSON.stringify itself would overflow on it) */
const deepText = (n: number): string => '['.repeat(n) + '"x"' + ']'.repeat(n)

describe('Atlas results in saved files (issue 12: files)', () => {
  it('a value nested 100 000 deep in a string field neither throws nor loses the lines around it', async () => {
    // before: JSON.stringify in the parser threw RangeError; report exited 1 with nothing
    for (const field of ['dst_name', 'error', 'type']) {
      const r = parseAtlasResult({...ping(1), [field]: deep(5000)})
      assert.ok(r.status === 'ok' || r.status === 'malformed' || r.status === 'probe-error', field)
    }
    const good = JSON.stringify(ping(1))
    const bad = JSON.stringify(ping(2)).replace('"hsi.cablecom.ch"', deepText(100_000)).replace('"dst_name"', '"dst_name"')
    const badErr = JSON.stringify({...ping(3), result: undefined, sent: undefined}).replace(/}$/, `,"error":${deepText(100_000)}}`)
    const r = await read([good, bad, badErr, JSON.stringify(ping(4))].join('\n') + '\n')
    const ids = r.outcomes.map((o) => o.vantage.id)
    assert.ok(ids.includes('atlas:1') && ids.includes('atlas:4'), ids.join(','))
    assert.equal(r.stats.values, 4)
  })

  it('prb_id / msm_id as numeric strings are read (real NTP results have them)', async () => {
    const r = await read(JSON.stringify(ping('165', {msm_id: '1000192'})) + '\n')
    assert.equal(r.stats.unparseable, 0)
    assert.deepEqual(r.outcomes.map((o) => o.vantage.id), ['atlas:165'])
  })

  it('a later failed result of a probe replaces its earlier success: no stale "reached"', async () => {
    const ok = ping(7, {timestamp: 1700000000})
    const failed = {fw: 4790, msm_id: 1000192, prb_id: 7, timestamp: 1700000600, type: 'ping', dst_name: 'hsi.cablecom.ch', error: 'name resolution failed: non-recoverable failure in name resolution'}
    for (const order of [[ok, failed], [failed, ok]]) {
      const r = await read(order.map((x) => JSON.stringify(x)).join('\n') + '\n')
      const b = new CatchmentBuilder()
      for (const o of r.outcomes) b.add(o)
      const row = b.result().vantagePoints.find((v) => v.vantage.id === 'atlas:7')!
      assert.equal(row.reached, null, 'the latest (failed) result counts, whatever the order read')
      assert.ok(row.error?.code === 'E_RESOLVE')
    }
  })

  it('NDJSON lines ending in "," are read and counted (a JSON array cut into lines)', async () => {
    const lines = Array.from({length: 10}, (_, i) => JSON.stringify(ping(100 + i)) + (i < 9 ? ',' : ''))
    const r = await read(lines.join('\n') + '\n')
    assert.equal(r.outcomes.length, 10)
    assert.equal(r.stats.values, 10)
    assert.equal(r.stats.unparseable, 0)
    assert.equal(r.stats.repaired, 9)
  })

  it('raw control characters inside JSON strings: the line is read, and what is shown is sanitised', async () => {
    const line = JSON.stringify(ping(200, {dst_name: 'hsi\u0007cable\u001b[2Jcom.ch'})).replace('\\u0007', '\u0007').replace('\\u001b', '\u001b')
    assert.ok(line.includes('\u001b'))
    const r = await read(`${line}\n${JSON.stringify(ping(201))}\n`)
    assert.equal(r.stats.unparseable, 0)
    assert.equal(r.stats.repaired, 1)
    const p = r.outcomes.find((o) => o.vantage.id === 'atlas:200')!.result as PingResult
    assert.equal(p.target, 'hsi\\x07cable\\x1b[2Jcom.ch')
  })

  it('a DNS result without abuf keeps its RTT, is answered, and does not claim to be left out', () => {
    const r = parseAtlasResult({af: 4, dst_addr: '193.0.14.129', from: '1.2.3.4', fw: 4790, msm_id: 30001, prb_id: 9, proto: 'UDP', timestamp: 1700000000, type: 'dns', result: {rt: 12.5, size: 80}})
    assert.equal(r.status, 'ok')
    const d = r.outcomes[0]!.result as DnsResult
    assert.equal(d.queries[0]!.rttMs, 12.5)
    assert.equal(d.answered, true)
    assert.doesNotMatch(r.outcomes[0]!.error!.hint ?? '', /left out|counted as malformed/)
  })

  it('an RRSIG signed by the root prints its signer as "." (not "..")', () => {
    const abuf = dnsPacket.encode({
      type: 'response', id: 1, flags: 0,
      questions: [{type: 'SOA', name: '.', class: 'IN'}],
      answers: [{type: 'RRSIG', name: '.', ttl: 86400, class: 'IN', data: {typeCovered: 'SOA', algorithm: 8, labels: 0, originalTTL: 86400, expiration: 1700086400, inception: 1700000000, keyTag: 46780, signersName: '.', signature: Buffer.from('c2lnbmF0dXJl', 'base64')}}],
    } as never)
    const r = parseAtlasResult({af: 4, dst_addr: '193.0.14.129', fw: 4790, msm_id: 30002, prb_id: 9, timestamp: 1700000000, type: 'dns', result: {rt: 5, abuf: abuf.toString('base64')}})
    const answers = (r.outcomes[0]!.result as DnsResult).queries[0]!.answers
    assert.equal(answers.length, 1)
    assert.match(answers[0]!, / 46780 \. c2lnbmF0dXJl$/)
  })

  it('firmware-1 ping (counts only) and text-form HTTP results are read (sagan tests/test_ping.py, test_http.py)', () => {
    const p = parseAtlasResult({addr: '62.2.16.12', avg: 124.572, dup: 0, from: '194.85.27.7', fw: 1, max: 125.44499999999999, min: 123.89400000000001, msm_id: 1000192, name: 'hsi.cablecom.ch', prb_id: 165, rcvd: 3, sent: 3, size: 56, timestamp: 1340523908, type: 'ping'})
    assert.equal(p.status, 'ok')
    const pr = p.outcomes[0]!.result as PingResult
    assert.deepEqual([pr.avgMs, pr.minMs, pr.maxMs, pr.sent, pr.received, pr.targetAddr], [124.572, 123.894, 125.445, 3, 3, '62.2.16.12'])
    const h = parseAtlasResult({from: '62.194.83.50', fw: 1, msm_id: 12023, prb_id: 1, result: 'GET4 193.0.6.139 0.030229 200 263 1406', timestamp: 1333387900, type: 'http'})
    assert.equal(h.status, 'ok')
    const hr = h.outcomes[0]!.result as HttpResult
    assert.deepEqual([hr.status, hr.targetAddr, hr.timings.totalMs, hr.bodyBytes, hr.method], [200, '193.0.6.139', 30.229, 1406, 'GET'])
    // what sagan calls malformed stays malformed
    assert.equal(parseAtlasResult({fw: 1, msm_id: 12023, prb_id: 1, src_addr: 'connect error 4', timestamp: 1323118908, type: 'http'}).status, 'malformed')
  })

  it('sslcert / ntp / wifi results are counted by kind, apart from unparseable', async () => {
    const ntp = {msm_id: '1020235', fw: 4661, lts: 76, timestamp: 1418196642, dst_name: 'atlas', prb_id: 71, dst_addr: '193.0.6.139', src_addr: '193.0.10.127', proto: 'UDP', af: 4, from: '193.0.0.78', type: 'ntp', result: [{x: '*'}, {x: '*'}, {x: '*'}]}
    const ssl = {af: 4, cert: [], dst_addr: '1.2.3.4', dst_name: 'example.com', dst_port: '443', from: '5.6.7.8', fw: 4790, msm_id: 1443369, prb_id: 6, timestamp: 1700000000, type: 'sslcert', ver: '3.0'}
    const r = await read([ntp, ssl, ping(5)].map((x) => JSON.stringify(x)).join('\n') + '\n')
    assert.equal(r.stats.unparseable, 0)
    assert.deepEqual(r.stats.otherKinds, {ntp: 1, sslcert: 1})
    assert.equal(r.outcomes.length, 1)
  })

  it('a truncated NDJSON download is reported as truncated, what came before is kept', async () => {
    const text = [ping(1), ping(2)].map((x) => JSON.stringify(x)).join('\n')
    const r = await read(text.slice(0, -40))
    assert.equal(r.outcomes.length, 1)
    assert.equal(r.stats.truncated, true)
    // a complete file whose last line has no newline is not truncated
    assert.equal((await read(text)).stats.truncated, false)
  })

  it('one very long line is read in linear time, and whole', async () => {
    // 16 MB in one line, fed in 1 kB chunks: re-scanning the whole unfinished line for a newline at
    // every chunk was quadratic (~130 GB scanned here, a minute); each chunk is searched once now
    const big = JSON.stringify(ping(300, {dst_name: 'a'.repeat(16 << 20)}))
    const t0 = performance.now()
    const r = await read(`${JSON.stringify(ping(299))}\n${big}\n${JSON.stringify(ping(301))}\n`, 1024)
    const ms = performance.now() - t0
    assert.equal(r.outcomes.length, 3)
    assert.ok(ms < 10_000, `${ms} ms`)
  })
})

// RIPE Atlas downloads joined the ways users join them: `cat a.json b.json` (two arrays back to back),
// `curl ... >> results.json` for two measurements or time windows (the same, with a newline), and
// `jq -s . a.json b.json` (an array of downloads). Every result of each is read; something that is
// not an array after the first still breaks the input (said, with what came before kept).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {newStats, readSaved, type ReadStats} from '../../src/store/read.js'
import {loadAtlasModule} from '../../src/vantage/index.js'

async function read(text: string, chunk = 7): Promise<{ids: string[]; stats: ReadStats}> {
  const stats = newStats()
  const ids: string[] = []
  async function* src(): AsyncGenerator<string> {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk)
  }
  for await (const it of readSaved(src(), stats, {loadAtlas: loadAtlasModule})) if (it.type === 'outcome') ids.push(it.outcome.vantage.id)
  return {ids, stats}
}

// RIPE Atlas API v2 ping result (fw 5080; atlas.ripe.net/docs/apis/result-format, "ping")
const ping = (prb: number): Record<string, unknown> => ({
  fw: 5080, lts: 12, dst_name: 'k.root-servers.net', af: 4, dst_addr: '193.0.14.129', src_addr: '192.168.1.10', proto: 'ICMP', ttl: 55, size: 48,
  result: [{rtt: 1.2}, {x: '*'}, {rtt: 1.3}], dup: 0, rcvd: 2, sent: 3, min: 1.2, max: 1.3, avg: 1.25, msm_id: 1001, prb_id: prb, timestamp: 1733500000 + prb, msm_name: 'Ping', from: '203.0.113.9', type: 'ping', group_id: 1001, step: 240,
})
const a = JSON.stringify([ping(1), ping(2)])
const b = JSON.stringify([ping(3)], null, 2)

describe('joined RIPE Atlas downloads', () => {
  it('two arrays back to back, with or without a newline, at any chunk boundary: every result, nothing said broken', async () => {
    for (const text of [a + b, `${a}\n${b}\n`, `${a}\n\n${a.replace(/"prb_id":1,/, '"prb_id":4,').replace(/"prb_id":2,/, '"prb_id":5,')}${b}`]) {
      for (const chunk of [1, 7, 4096]) {
        const r = await read(text, chunk)
        assert.deepEqual(new Set(r.ids), new Set(text.includes('"prb_id":4') ? ['atlas:1', 'atlas:2', 'atlas:3', 'atlas:4', 'atlas:5'] : ['atlas:1', 'atlas:2', 'atlas:3']), `chunk ${chunk}`)
        assert.equal(r.stats.truncated, false)
        assert.equal(r.stats.unparseable, 0)
      }
    }
  })

  it('an array of downloads (jq -s): the results of each', async () => {
    const r = await read(`[${a},${b}]`)
    assert.deepEqual(r.ids, ['atlas:1', 'atlas:2', 'atlas:3'])
    assert.equal(r.stats.unparseable, 0)
  })

  it('an array followed by something else still breaks off, keeping the array', async () => {
    const r = await read(`${a}\n{"not": "an array"}\n`)
    assert.deepEqual(r.ids, ['atlas:1', 'atlas:2'])
    assert.equal(r.stats.truncated, true)
  })
})

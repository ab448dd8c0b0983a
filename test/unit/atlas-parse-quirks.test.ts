// RIPE Atlas result quirks read as sagan reads them (github.com/RIPE-NCC/ripe-atlas-sagan, ping.py:
// Packet reads float(data["rtt"]), so an RTT written as a string is an RTT).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {PingResult} from '../../src/model/ping.js'
import {parseAtlasResult} from '../../src/vantage/atlas/parse.js'

const ping = (result: unknown[]): Record<string, unknown> => ({fw: 4790, af: 4, dst_addr: '193.0.14.129', dst_name: 'k.root-servers.net', msm_id: 1001, prb_id: 7, timestamp: 1733500000, type: 'ping', from: '', sent: result.length, rcvd: 2, result})

describe('Atlas result quirks', () => {
  it('an RTT written as a string is read; junk and 0 stay null', () => {
    const r = parseAtlasResult(ping([{rtt: '9.5'}, {rtt: 10.25}, {rtt: 'abc'}, {rtt: '0'}])).outcomes[0]!.result as PingResult
    assert.deepEqual(r.rttMs, [9.5, 10.25, null, null])
    assert.equal(r.minMs, 9.5)
  })
})

// Raw transports draw their trace ids from the process's registry (src/engines/trace/trace-ids.ts)
// and give them back when they close; the echo replies Linux sends on loopback still match with
// the IPv4 reply checksum checked (flow.ts). Real raw sockets on loopback only (127.0.0.1: nothing
// leaves the host); needs root or CAP_NET_RAW, skipped otherwise.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runTrace} from '../../src/engines/trace/engine.js'
import {createRawTransport, type RawTransport} from '../../src/engines/trace/raw-transport.js'
import {traceIds} from '../../src/engines/trace/trace-ids.js'
import {isAnyprobeError} from '../../src/model/errors.js'

async function loopbackTransport(flowId?: number): Promise<RawTransport | string> {
  try {
    return await createRawTransport({target: '127.0.0.1', family: 4, protocol: 'icmp', ...(flowId === undefined ? {} : {flowId})})
  } catch (e) {
    if (isAnyprobeError(e) && (e.code === 'E_NO_RAW_SOCKET' || e.code === 'E_NETWORK')) return `no raw ICMP socket on loopback here: ${e.message}`
    throw e
  }
}

describe('raw transports and the trace id registry', () => {
  it('transports open at once hold distinct registered ids, released on close', async (t) => {
    const first = await loopbackTransport()
    if (typeof first === 'string') return t.skip(first)
    const all: RawTransport[] = [first]
    try {
      for (let i = 0; i < 15; i++) all.push((await loopbackTransport()) as RawTransport)
      assert.equal(new Set(all.map((x) => x.traceId)).size, 16)
      assert.equal(traceIds.size, 16, 'each open transport holds its id')
    } finally {
      await Promise.all(all.map((x) => x.close()))
    }
    assert.equal(traceIds.size, 0, 'closed transports gave their ids back')
    await first.close() // closing twice gives back nothing twice
    assert.equal(traceIds.size, 0)
  })

  it('the kernel\'s echo replies match (the reply checksum follows the flow id), for flow ids either side of the carry', async (t) => {
    for (const flowId of [1234, 0xf7ff, 0xfabc]) {
      const tr = await loopbackTransport(flowId)
      if (typeof tr === 'string') return t.skip(tr)
      try {
        const r = await runTrace({target: '127.0.0.1', family: 4, protocol: 'icmp', maxHops: 1, probes: 2, timeoutMs: 1000}, tr)
        assert.equal(r.destinationReached, true, `flow ${flowId}`)
        assert.equal(r.hops[0]!.rttMs.filter((x) => x !== null).length, 2, `flow ${flowId}: both probes answered`)
      } finally {
        await tr.close()
      }
    }
  })
})

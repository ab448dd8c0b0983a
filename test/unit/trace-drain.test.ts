// A trace whose process got no CPU while replies arrived (a busy host: seen in the lab with both
// cores taken, the destination's replies read 8-16 ms late) wakes with its deadlines passed and the
// replies still in the socket: the engine must read them before it calls those probes silent.
// Real raw sockets on loopback only (127.0.0.1: nothing leaves the host); needs root or
// CAP_NET_RAW, skipped otherwise.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createRawTransport, type RawTransport} from '../../src/engines/trace/raw-transport.js'
import {runTrace} from '../../src/engines/trace/engine.js'
import type {TraceTransport} from '../../src/engines/trace/transport.js'
import {isAnyprobeError} from '../../src/model/errors.js'

async function loopbackTransport(): Promise<RawTransport | string> {
  try {
    return await createRawTransport({target: '127.0.0.1', family: 4, protocol: 'icmp'})
  } catch (e) {
    if (isAnyprobeError(e) && (e.code === 'E_NO_RAW_SOCKET' || e.code === 'E_NETWORK')) return `no raw ICMP socket on loopback here: ${e.message}`
    throw e
  }
}

/**
 * Stop the event loop for ms, as a process the scheduler left without CPU: the thread sleeps in the
 * kernel (a busy loop would also hold back the loopback's own delivery on this CPU), so the reply
 * arrives and waits in the socket.
 */
function starve(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

describe('replies waiting in the socket when a deadline has passed', () => {
  it('are read before the trace settles: a starved process still counts them (they were "*" before)', async (t) => {
    const real = await loopbackTransport()
    if (typeof real === 'string') return t.skip(real)
    try {
      // probes 20 ms apart (--rate 50); the last one's send is followed by 60 ms without CPU, past
      // its 20 ms adaptive wait (the first replies came in ~0.05 ms), while its reply arrives
      const starved: TraceTransport = {
        flowId: real.flowId,
        send: (p) =>
          real.send(p).then((at) => {
            if (p.index === 2) starve(60)
            return at
          }),
        listen: (a, b) => real.listen(a, b),
        ...(real.drain ? {drain: () => real.drain()} : {}),
        close: () => real.close(),
      }
      const r = await runTrace({target: '127.0.0.1', family: 4, protocol: 'icmp', maxHops: 1, probes: 3, rate: 50, timeoutMs: 1000}, starved)
      assert.equal(r.destinationReached, true)
      const rtts = r.hops[0]!.rttMs
      assert.equal(rtts.filter((x) => x !== null).length, 3, `every probe answered: ${JSON.stringify(rtts)}`)
      // the third was read after the starvation: its RTT says so, it is not made up
      assert.ok(rtts[2]! >= 55, `the late-read reply's RTT ${rtts[2]} ms`)
    } finally {
      await real.close()
    }
  })
})

// The unit tests' closed port (test/helpers/loopback-server.ts): one nothing listens on, so a UDP
// query is refused and a TCP connect too. Drawn inside the ephemeral range (bound to port 0, then
// closed), it was not always closed: a UDP socket connected to it could be given that very port as
// its own source port, read its own query and time out instead of being refused (seen once in
// ~3,000 draws; a TCP connect can likewise connect to itself). Outside the range the kernel never
// gives it to a socket; in a namespace whose range is two ports, where the old draw self-connected
// about every other time, every query is refused.
import assert from 'node:assert/strict'
import {connect} from 'node:net'
import {describe, it} from 'node:test'

import {closedTcpPort, closedUdpPort, ephemeralRange, udpQueryOutcome} from '../helpers/loopback-server.js'
import {runInTightRange, tightRangeSkip, TIGHT_RANGE} from '../helpers/tight-port-range.js'

const outside = (port: number): boolean => {
  const [low, high] = ephemeralRange()
  return port < low || port > high
}

describe('closed ports for tests: outside the ephemeral range, refused', () => {
  it('closedUdpPort: outside the range the kernel draws source ports from, and a query there is refused', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await closedUdpPort()
      assert.ok(outside(port), `port ${port} is inside the ephemeral range ${ephemeralRange().join('-')}`)
    }
    assert.equal(await udpQueryOutcome(await closedUdpPort()), 'refused')
  })

  it('closedTcpPort: outside the range, and a connect there is refused', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await closedTcpPort()
      assert.ok(outside(port), `port ${port} is inside the ephemeral range ${ephemeralRange().join('-')}`)
    }
    const port = await closedTcpPort()
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const c = connect(port, '127.0.0.1')
      c.on('connect', () => {
        c.destroy()
        resolve(null)
      })
      c.on('error', resolve)
    })
    assert.equal(err?.code, 'ECONNREFUSED')
  })

  it(`with a two-port ephemeral range (${TIGHT_RANGE.join('-')}, a namespace of its own) 40 queries to closed ports are all refused, none self-connected`, {skip: tightRangeSkip(), timeout: 60_000}, async () => {
    const r = await runInTightRange('test/fixtures/ports/closed-port-outcomes.ts', ['40'])
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {refused: number; self: number; timeout: number; ports: number[]}
    assert.deepEqual({refused: out.refused, self: out.self, timeout: out.timeout}, {refused: 40, self: 0, timeout: 0}, `ports ${out.ports.join(' ')}`)
  })
})

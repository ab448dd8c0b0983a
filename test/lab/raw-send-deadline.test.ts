// A raw-socket send whose callback never comes must not hang a probe: it fails by its deadline,
// or when the transport closes, as E_NETWORK (watch --method icmp|trace lost 1.5-5% of probes
// to such sends, and a netns/ssh child then never ended). Root: real raw sockets, sending only to
// 127.0.0.1 (the patched send never puts a packet on the wire at all).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createRawTransport, SEND_DEADLINE_MS} from '../../src/engines/trace/raw-transport.js'
import {AnyprobeError} from '../../src/model/errors.js'

const skip = process.getuid?.() === 0 ? false : 'needs root (raw sockets)'

/** A transport to 127.0.0.1 whose sends are swallowed: the library takes them and never calls back. */
async function swallowingTransport(): Promise<{t: Awaited<ReturnType<typeof createRawTransport>>; calls: () => number}> {
  const t = await createRawTransport({target: '127.0.0.1', family: 4, protocol: 'icmp'})
  let n = 0
  ;(t as unknown as {sendSocket: {send: (...a: unknown[]) => void}}).sendSocket.send = () => {
    n++
  }
  return {t, calls: () => n}
}

describe('raw send deadline', {skip}, () => {
  it('a send with no callback fails with E_NETWORK by its deadline', async () => {
    const {t, calls} = await swallowingTransport()
    try {
      const t0 = performance.now()
      await assert.rejects(t.send({key: 1, ttl: 1, index: 0}), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError)
        assert.equal(e.code, 'E_NETWORK')
        assert.match(e.message, /did not complete within/)
        return true
      })
      const took = performance.now() - t0
      assert.equal(calls(), 1)
      assert.ok(took >= SEND_DEADLINE_MS - 5 && took < SEND_DEADLINE_MS + 1000, `failed after ${took.toFixed(0)} ms`)
    } finally {
      await t.close()
    }
  })

  it('closing the transport fails the sends still waiting, at once', async () => {
    const {t} = await swallowingTransport()
    const pending = t.send({key: 1, ttl: 1, index: 0})
    const t0 = performance.now()
    await t.close()
    await assert.rejects(pending, (e: unknown) => e instanceof AnyprobeError && e.code === 'E_NETWORK' && /closed before/.test(e.message))
    assert.ok(performance.now() - t0 < SEND_DEADLINE_MS / 2, 'not left to the deadline')
  })
})

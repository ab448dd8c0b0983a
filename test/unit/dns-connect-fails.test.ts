// A UDP connect that fails (no route to the server: ENETUNREACH on a host with no network; an
// address of the other family: EINVAL) reaches dgram's connect callback, not an 'error' event. It
// was ignored, the query sent on the unconnected socket, and ERR_SOCKET_BAD_PORT was thrown out of
// the process (`dns 2001:db8::53` on an IPv4-only host: a stack trace, exit 1, no result). The
// failing connect here is the family mismatch: it fails before anything is sent, anywhere.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {DnsExchangeError, makeExchanger} from '../../src/engines/dns/transport.js'

describe('dns over UDP: a connect that fails', () => {
  it('ends each query waiting for it as a network error, at once, and the process goes on', async () => {
    const ex = makeExchanger('udp', {family: 4, addr: '::1', port: 53})
    const started = performance.now()
    const results = await Promise.allSettled([ex.exchange(Buffer.alloc(12), () => true, 5000), ex.exchange(Buffer.alloc(12), () => true, 5000)])
    for (const r of results) {
      assert.equal(r.status, 'rejected')
      const e = (r as PromiseRejectedResult).reason as DnsExchangeError
      assert.ok(e instanceof DnsExchangeError, String(e))
      assert.equal(e.kind, 'network')
      assert.match(e.message, /cannot reach ::1 port 53: .*EINVAL/)
    }
    assert.ok(performance.now() - started < 2500, 'not left to the 5 s timeout')
  })
})

describe('dns exit: every query failed on this host (no route) is 6, not "the target did not answer" (4)', () => {
  const q = (error: string | null) => ({error}) as never
  it('all network: failed locally; a timeout or refusal among them: the target was asked', async () => {
    const {failedLocally} = await import('../../src/util/dns-no-answer.js')
    assert.equal(failedLocally({answered: false, queries: [q('network'), q('network')]}), true)
    assert.equal(failedLocally({answered: false, queries: [q('network'), q('timeout')]}), false)
    assert.equal(failedLocally({answered: false, queries: [q('refused')]}), false)
    assert.equal(failedLocally({answered: true, queries: [q('network'), q(null)]}), false)
    assert.equal(failedLocally({answered: false, queries: []}), false)
  })
})

// The one-shot `dns` probe and `watch`'s DNS prober send their UDP queries through one exchanger
// (engines/dns/transport.ts); the watch's flows only keep its socket open. They had one each, and
// the two read the same event apart: a connected socket's ICMP port unreachable comes back on the
// NEXT send's callback (the kernel keeps it for the socket's next call; no 'error' event follows).
// With two queries of one flow in flight to a closed port, the one-shot exchanger ended both as
// `refused`; the watch's ended the second (whose send got the refusal) and left the first, whose
// refusal it was, to time out. On loopback the ICMP comes back within the first send, so the
// second send always gets it.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {DnsExchangeError, type DnsExchanger, makeExchanger} from '../../src/engines/dns/transport.js'
import {FlowExchangers} from '../../src/vantage/live/flows.js'
import {makeDnsProber} from '../../src/vantage/live/probe.js'
import {closedUdpPort as closedPort} from '../helpers/loopback-server.js'

const query = (id: number): Buffer => dnsPacket.encode({type: 'query', id, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}]})
const TIMEOUT = 4000

/** Two queries in flight at once on one exchanger: each one's error kind (null: answered), and how long it took. */
async function twoAtOnce(ex: DnsExchanger): Promise<{kinds: Array<string | null>; ms: number}> {
  const started = performance.now()
  const out = await Promise.allSettled([ex.exchange(query(1), () => true, TIMEOUT), ex.exchange(query(2), () => true, TIMEOUT)])
  const kinds = out.map((r) => (r.status === 'fulfilled' ? null : r.reason instanceof DnsExchangeError ? r.reason.kind : String(r.reason)))
  return {kinds, ms: performance.now() - started}
}

describe('dns and watch: one UDP exchanger, one reading of an ICMP refusal', () => {
  it('two queries of one flow to a closed port: both refused at once, by the one-shot exchanger and by a watch flow alike', async () => {
    const to = {addr: '127.0.0.1', port: await closedPort(), family: 4 as const}
    const oneShot = await twoAtOnce(makeExchanger('udp', to))
    const flows = new FlowExchangers(to)
    let watch: Awaited<ReturnType<typeof twoAtOnce>>
    try {
      watch = await twoAtOnce(flows.get(0))
    } finally {
      flows.close()
    }
    assert.deepEqual(oneShot.kinds, ['refused', 'refused'])
    assert.deepEqual(watch.kinds, oneShot.kinds, 'the watch flow reads the refusal as the one-shot probe does')
    assert.ok(watch.ms < TIMEOUT / 2, `the refused query was not left to its ${TIMEOUT} ms timeout (${Math.round(watch.ms)} ms)`)
  })

  it("the watch prober records both probes as 'refused' (never a timeout for a refusal)", async () => {
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: await closedPort(), timeoutMs: TIMEOUT, name: null})
    try {
      const answers = await Promise.all([prober(0), prober(0)])
      assert.deepEqual(
        answers.map((a) => a.error),
        ['refused', 'refused'],
      )
      for (const a of answers) assert.deepEqual(a, {receivedAt: null, rttMs: null, pop: null, answered: false, error: 'refused'})
    } finally {
      prober.close?.()
    }
  })
})

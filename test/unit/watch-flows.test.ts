// What --flows means for the watch DNS prober, against a tiny DNS server on 127.0.0.1 that notes
// the source port of every query: each flow id keeps one source port round after round, N flows
// are N distinct ports (so an L4 ECMP hash splits flows and keeps each on its path), probes of one
// flow in flight together get their own replies (by DNS id), an ICMP port unreachable is
// `refused` and the flow goes on, a flow that keeps losing starts again on a new socket, and
// close() releases the sockets (the retired one too, when it comes while a renewal is opening).
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {runRounds} from '../../src/vantage/live/loop.js'
import {FlowExchangers, RENEW_AFTER} from '../../src/vantage/live/flows.js'
import {makeDnsProber} from '../../src/vantage/live/probe.js'
import type {Observation} from '../../src/model/watch.js'
import {startDnsServer, txtReply} from '../helpers/dns-server.js'
import {closedUdpPort} from '../helpers/loopback-server.js'
import {runInTightRange, tightRangeSkip, TIGHT_RANGE} from '../helpers/tight-port-range.js'

interface Server {
  port: number
  /** source port of each query, in arrival order */
  ports: number[]
  /** when set, queries are held until this many have arrived, then answered newest first */
  holdFor: number
  /** when set, queries are not answered */
  silent: boolean
  close(): Promise<void>
}

async function server(): Promise<Server> {
  const held: Array<[Buffer, (b: Buffer) => void]> = []
  const s: Server = {port: 0, ports: [], holdFor: 0, silent: false, close: async () => {}}
  const dns = await startDnsServer({
    answer: ({query}) => (s.silent ? null : txtReply(query, 's1.fra.anycast.example')),
    sendUdp: (reply, _ex, io) => {
      if (s.holdFor > 0) {
        held.push([reply, io.send])
        if (held.length < s.holdFor) return
        for (const [r, send] of held.splice(0).reverse()) send(r)
        return
      }
      io.send(reply)
    },
  })
  return Object.assign(s, {port: dns.port, ports: dns.udpFrom, close: dns.close})
}

describe('watch --flows: one source port per flow', () => {
  let dns: Server
  before(async () => {
    dns = await server()
  })
  after(() => dns.close())

  it('each flow keeps its source port round after round, and the flows of a round have distinct ports', async () => {
    dns.ports.length = 0
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 1000, name: null})
    const byFlow = new Map<number, Set<number>>()
    try {
      for (let round = 0; round < 5; round++) {
        for (let flow = 0; flow < 4; flow++) {
          const a = await prober(flow)
          assert.equal(a.answered, true, JSON.stringify(a))
          const port = dns.ports.at(-1)!
          if (!byFlow.has(flow)) byFlow.set(flow, new Set())
          byFlow.get(flow)!.add(port)
        }
      }
    } finally {
      prober.close?.()
    }
    assert.equal(dns.ports.length, 20)
    for (const [flow, ports] of byFlow) assert.equal(ports.size, 1, `flow ${flow} used ports ${[...ports].join(', ')}`)
    const all = new Set([...byFlow.values()].map((p) => [...p][0]))
    assert.equal(all.size, 4, `4 flows, 4 ports: ${[...all].join(', ')}`)
  })

  it('the round loop: N flows x R rounds reach the server from exactly N ports, each flow from one', async () => {
    dns.ports.length = 0
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 500, name: null})
    const seen: Observation[] = []
    try {
      await runRounds({vantageId: 'local', prober, intervalMs: 20, flows: 3, startAt: Date.now() + 10, count: 8, onObservation: (o) => seen.push(o)})
    } finally {
      prober.close?.()
    }
    assert.equal(seen.length, 24)
    assert.ok(seen.every((o) => o.answered))
    assert.equal(new Set(dns.ports).size, 3, `ports seen: ${[...new Set(dns.ports)].join(', ')}`)
  })

  it('probes of one flow in flight together each get their own reply (matched by id, whatever the order)', async () => {
    dns.ports.length = 0
    dns.holdFor = 3
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 2000, name: null})
    try {
      const answers = await Promise.all([prober(0), prober(0), prober(0)])
      for (const a of answers) assert.equal(a.answered, true, JSON.stringify(a))
      assert.equal(new Set(dns.ports).size, 1, 'one flow, one port')
    } finally {
      dns.holdFor = 0
      prober.close?.()
    }
  })

  it('a closed port is `refused` (ICMP port unreachable on the connected socket) and the flow goes on', async () => {
    const port = await closedUdpPort()
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port, timeoutMs: 1000, name: null})
    try {
      const a = await prober(0)
      assert.deepEqual(a, {receivedAt: null, rttMs: null, pop: null, answered: false, error: 'refused'})
      const b = await prober(0)
      assert.equal(b.error, 'refused')
    } finally {
      prober.close?.()
    }
  })

  it(`a flow whose last ${RENEW_AFTER} probes all failed starts again on a new socket (new port), then keeps that one`, async () => {
    dns.ports.length = 0
    // 600 ms: an answered probe must not time out on a loaded machine (150 ms did not leave room)
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 600, name: null})
    try {
      assert.equal((await prober(0)).answered, true)
      const first = dns.ports.at(-1)!
      dns.silent = true
      for (let i = 0; i < RENEW_AFTER; i++) assert.equal((await prober(0)).error, 'timeout')
      dns.silent = false
      assert.deepEqual(dns.ports, Array(RENEW_AFTER + 1).fill(first), 'the lost probes went out on the flow\'s port')
      assert.equal((await prober(0)).answered, true)
      assert.equal((await prober(0)).answered, true)
      const [renewed, kept] = dns.ports.slice(-2)
      assert.notEqual(renewed, first, 'after the losses the flow has a new port')
      assert.equal(kept, renewed, 'and keeps it while it is answered')
    } finally {
      dns.silent = false
      prober.close?.()
    }
  })

  it(`a renewed flow never gets its old port back, even with a two-port ephemeral range (${TIGHT_RANGE.join('-')}, a namespace of its own)`, {skip: tightRangeSkip(), timeout: 60_000}, async () => {
    // the old socket closed before the new one bound: the kernel could hand back the same port (1
    // renewal in ~28,000 in the default range, every other one with two ports), and the "new"
    // path was the old one. 12 renewals: the old order passed by chance once in 4,096 runs.
    const r = await runInTightRange('test/fixtures/ports/flow-renewal-ports.ts', ['12'])
    assert.equal(r.status, 0, r.stderr)
    const {renewals} = JSON.parse(r.stdout) as {renewals: Array<[number, number]>}
    assert.equal(renewals.length, 12)
    const same = renewals.filter(([before, after]) => before === after)
    assert.deepEqual(same, [], `renewals (port before, after): ${renewals.map((p) => p.join('>')).join(' ')}`)
  })

  it('close() fails what is in flight and frees the ports; a flow reopens on its next use', async () => {
    const flows = new FlowExchangers({addr: '127.0.0.1', port: dns.port, family: 4})
    dns.holdFor = 2 // the first query is held: it is in flight when we close
    try {
      const inFlight = flows.get(0).exchange(dnsPacket.encode({type: 'query', id: 1, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}]}), () => true, 5000)
      await new Promise((r) => setTimeout(r, 50))
      assert.equal(flows.ports().size, 1)
      flows.close()
      await assert.rejects(inFlight, /closed this flow/)
      assert.equal(flows.ports().size, 0)
    } finally {
      dns.holdFor = 0
      flows.close()
    }
  })

  it('close() while a renewal is opening also closes the retired socket: its probes fail now, no UDP socket is left', async () => {
    // the retired socket is closed once its successor has its port; a close before that moment must
    // close it too (FlowSocket.retiring), or its probe in flight keeps it open (and the process up)
    // until that probe times out
    const udpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length
    const before = udpSockets()
    const flows = new FlowExchangers({addr: '127.0.0.1', port: dns.port, family: 4})
    const query = (id: number): Buffer => dnsPacket.encode({type: 'query', id, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}]})
    dns.silent = true
    try {
      const flow = flows.get(0)
      // one probe that outlives the renewal, on the first socket
      const lingering = flow.exchange(query(100), () => true, 4000).then(() => null, (e: unknown) => e as Error & {kind?: string})
      const lost = Array.from({length: RENEW_AFTER}, (_, i) => flow.exchange(query(i + 1), () => true, 100))
      const firstPort = await new Promise<number | undefined>((r) => setTimeout(() => r(flows.ports().get(0)), 20))
      assert.ok(firstPort !== undefined, 'the first socket is open')
      // the last loss renews the flow; close in the very next step, before the new socket connected
      let pendingAtClose: number | undefined | null = null
      const closed = lost.at(-1)!.catch(() => {
        pendingAtClose = flows.ports().get(0)
        flows.close()
      })
      await Promise.allSettled(lost)
      await closed
      assert.equal(pendingAtClose, undefined, 'closed while the renewed socket had no port yet (the renewal was opening)')
      const e = await lingering
      assert.ok(e !== null, 'the probe in flight on the retired socket failed')
      assert.equal(e.kind, 'network', `it failed as closed, not by its timeout: ${e.message}`)
      assert.match(e.message, /closed this flow/)
      await new Promise((r) => setImmediate(r))
      assert.equal(udpSockets(), before, 'no UDP socket of the flow is left open')
    } finally {
      dns.silent = false
      flows.close()
    }
  })
})

// A PoP 300 ms away (another continent, a satellite link, a loaded server) answers every probe of a
// --failover watch (a round every 50 ms): with the default timeout each probe waits long enough for
// its answer. The default was the interval, at least 250 ms: every probe was lost and the watch
// said "outage" / "no probe was answered" (exit 4) of a target that answered each one.
// Against a DNS server on 127.0.0.1 that answers hostname.bind after 300 ms.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {analyze} from '../../src/analysis/watch/index.js'
import type {Observation, WatchEvent, WatchSummaryEvent} from '../../src/model/watch.js'
import {runRounds} from '../../src/vantage/live/loop.js'
import {makeDnsProber} from '../../src/vantage/live/probe.js'
import {localTiming} from '../../src/vantage/live/schedule.js'
import {type DnsTestServer, startDnsServer, txtReply} from '../helpers/dns-server.js'

let dns: DnsTestServer
let port = 0
before(async () => {
  dns = await startDnsServer({answer: ({query}) => txtReply(query, 's1.syd.anycast.example'), sendUdp: (reply, _ex, io) => setTimeout(() => io.send(reply), 300)})
  port = dns.port
})
after(() => dns.close())

describe('watch --failover and a PoP 300 ms away', () => {
  it('the default timeout waits for its answers: every probe answered, no outage', async () => {
    const t = localTiming({method: 'dns', intervalMs: undefined, failover: true, timeoutMs: undefined})
    assert.equal(t.intervalMs, 50)
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port, timeoutMs: t.timeoutMs})
    const seen: Observation[] = []
    try {
      await runRounds({vantageId: 'vp', prober, intervalMs: t.intervalMs, flows: 1, startAt: Date.now() + 20, count: 10, countFromFirst: true, onObservation: (o) => seen.push(o)})
    } finally {
      prober.close?.()
    }
    assert.equal(seen.length, 10)
    // a loaded machine may answer a little later still; 300 ms must never read as a loss
    assert.ok(seen.filter((o) => o.answered).length >= 9, JSON.stringify(seen.map((o) => [o.answered, o.rttMs, o.error])))
    const events = analyze(seen, {intervalMs: t.intervalMs})
    assert.deepEqual(events.filter((e: WatchEvent) => e.type === 'outage'), [])
    const sum = events.at(-1) as WatchSummaryEvent
    assert.equal(sum.vantagePoints[0]!.pop, 'SYD')
  })
})

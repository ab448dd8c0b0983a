// A PoP 300 ms away (another continent, a satellite link, a loaded server) answers every probe of a
// --failover watch (a round every 50 ms): with the default timeout each probe waits long enough for
// its answer. The default was the interval, at least 250 ms: every probe was lost and the watch
// said "outage" / "no probe was answered" (exit 4) of a target that answered each one.
// Against a DNS server on 127.0.0.1 that answers hostname.bind after 300 ms.
import assert from 'node:assert/strict'
import {createSocket} from 'node:dgram'
import {after, before, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {analyze} from '../../src/analysis/watch/index.js'
import type {Observation, WatchEvent, WatchSummaryEvent} from '../../src/model/watch.js'
import {runRounds} from '../../src/vantage/live/loop.js'
import {makeDnsProber} from '../../src/vantage/live/probe.js'
import {localTiming} from '../../src/vantage/live/schedule.js'

const udp = createSocket('udp4')
let port = 0
before(async () => {
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()))
  port = udp.address().port
  udp.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg)
    const question = q.questions![0]!
    const reply = dnsPacket.encode({type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [question], answers: [{type: 'TXT', class: 'CH', name: question.name, data: 's1.syd.anycast.example'}]})
    setTimeout(() => udp.send(reply, rinfo.port, rinfo.address), 300)
  })
})
after(() => udp.close())

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

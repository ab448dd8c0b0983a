// The traceroute state machine over scenario data files, on a virtual clock (no root, no network).
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {runTrace, WAIT_FACTOR, WAIT_FLOOR_MS} from '../../src/engines/trace/engine.js'
import {FakeClock, type Scenario, ScenarioTransport} from '../../src/engines/trace/scenario.js'
import {isAnyprobeError} from '../../src/model/errors.js'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'trace-scenarios')
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()

function load(name: string): Scenario {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Scenario
}

async function play(s: Scenario, extra: {signal?: AbortSignal} = {}) {
  const clock = new FakeClock()
  const transport = new ScenarioTransport(s, clock)
  const result = await clock.run(runTrace({...s.options, ...extra}, transport, clock))
  return {result, clock, transport}
}

describe('trace engine: scenario files', () => {
  it('has the scenarios the brief asks for', () => {
    for (const f of ['silent-hop-adaptive', 'out-of-order-duplicates', 'unreachable', 'loop', 'load-balanced', 'gap-limit']) {
      assert.ok(files.includes(`${f}.json`), `missing scenario ${f}`)
    }
  })

  for (const file of files) {
    const s = load(file)
    it(`${s.name}: ${s.description}`, async () => {
      const {result, transport} = await play(s)
      assert.equal(result.stopReason, s.expect.stopReason, 'stopReason')
      assert.equal(result.destinationReached, s.expect.destinationReached, 'destinationReached')
      assert.deepEqual(
        result.hops.map((h) => h.ttl),
        s.expect.hops.map((h) => h.ttl),
        'hop TTLs',
      )
      s.expect.hops.forEach((want, i) => {
        const got = result.hops[i]!
        if (want.addr !== undefined) assert.equal(got.addr, want.addr, `hop ${want.ttl} addr`)
        if (want.addrs !== undefined) assert.deepEqual(got.addrs, want.addrs, `hop ${want.ttl} addrs`)
        if (want.rttMs !== undefined) assert.deepEqual(got.rttMs, want.rttMs, `hop ${want.ttl} rttMs`)
      })
      for (const h of result.hops) {
        assert.equal(h.rttMs.length, s.options.probes ?? 3)
        assert.equal(h.replies.length, h.rttMs.length)
        h.replies.forEach((r, i) => {
          assert.equal(r.probe, i)
          assert.equal(r.rttMs, h.rttMs[i])
          // missing is null, never 0; an answer has both an address and an RTT
          assert.notEqual(r.rttMs, 0)
          assert.equal(r.addr === null, r.rttMs === null, `hop ${h.ttl} probe ${i}: addr and rtt agree`)
        })
        if (h.addr === null) assert.deepEqual(h.addrs, [])
        else assert.ok(h.addrs.includes(h.addr))
        assert.equal(h.hostname, null)
        assert.equal(h.asn, null)
        assert.equal(h.asOrg, null)
        assert.equal(h.hint, null)
      }
      const d = s.expect.durationMs
      if (d?.min !== undefined) assert.ok(result.durationMs >= d.min, `duration ${result.durationMs} ms >= ${d.min}`)
      if (d?.max !== undefined) assert.ok(result.durationMs <= d.max, `duration ${result.durationMs} ms <= ${d.max}`)
      assert.deepEqual(result.identity, s.expect.identity, 'identity')
      if (s.expect.maxProbesSent !== undefined) {
        assert.ok(transport.sent.length <= s.expect.maxProbesSent, `sent ${transport.sent.length} probes`)
      }
    })
  }
})

describe('trace engine: behaviour', () => {
  it('sends every TTL at once, TTL-major, without waiting for replies', async () => {
    const s = load('silent-hop-adaptive.json')
    const {transport} = await play(s)
    assert.equal(transport.sent.length, 30 * 3)
    assert.ok(transport.sent.every((p) => p.at === 0), 'all probes leave at t=0')
    assert.deepEqual(
      transport.sent.slice(0, 6).map((p) => [p.ttl, p.index]),
      [
        [1, 0],
        [1, 1],
        [1, 2],
        [2, 0],
        [2, 1],
        [2, 2],
      ],
    )
    assert.deepEqual(
      transport.sent.map((p) => p.key),
      transport.sent.map((_, i) => i),
    )
  })

  it('adaptive wait: a silent hop before answering hops costs WAIT_FACTOR x their RTT, not the timeout', async () => {
    const s = load('silent-hop-adaptive.json')
    const {result, clock} = await play(s)
    assert.equal(s.options.timeoutMs, 5000)
    assert.equal(clock.nowMs(), WAIT_FACTOR * 40)
    assert.ok(result.durationMs < 200, `took ${result.durationMs} ms of a 5000 ms timeout`)
  })

  it('adaptive wait: many silent hops cost no more than one', async () => {
    const s = load('silent-hop-adaptive.json')
    s.hops = [
      {ttl: [1, 9]},
      {ttl: [10, 30], addr: '198.51.100.9', rttMs: 40, kind: 'echo-reply'},
    ]
    const {result} = await play(s)
    assert.equal(result.hops.length, 10)
    assert.equal(result.stopReason, 'completed')
    assert.equal(result.durationMs, WAIT_FACTOR * 40)
  })

  it('adaptive wait is floored', async () => {
    const {result} = await play(load('silent-hops-floor.json'))
    assert.equal(result.durationMs, WAIT_FLOOR_MS)
  })

  it('wait factor and floor can be tuned', async () => {
    const s = load('silent-hop-adaptive.json')
    s.options = {...s.options, waitFactor: 2, waitFloorMs: 5}
    const {result} = await play(s)
    assert.equal(result.durationMs, 80)
  })

  it('a silent tail waits the full timeout once, in parallel', async () => {
    const {result} = await play(load('gap-limit.json'))
    assert.equal(result.durationMs, 800)
  })

  it('is halted by an AbortSignal and keeps what it has', async () => {
    const s = load('gap-limit.json')
    const ac = new AbortController()
    const clock = new FakeClock()
    const transport = new ScenarioTransport(s, clock)
    clock.setTimer(() => ac.abort(), 50)
    const result = await clock.run(runTrace({...s.options, signal: ac.signal}, transport, clock))
    assert.equal(result.stopReason, 'halted')
    assert.equal(result.destinationReached, false)
    assert.equal(result.durationMs, 50)
    assert.deepEqual(
      result.hops.map((h) => h.addr),
      ['10.0.0.1', '10.0.1.1'],
    )
  })

  it('an already-aborted signal halts at once', async () => {
    const s = load('basic-icmp.json')
    const ac = new AbortController()
    ac.abort()
    const {result, transport} = await play(s, {signal: ac.signal})
    assert.equal(result.stopReason, 'halted')
    assert.equal(transport.sent.length, 0)
  })

  it('halted after the destination answered still reports it reached', async () => {
    const s = load('silent-hop-adaptive.json')
    const ac = new AbortController()
    const clock = new FakeClock()
    const transport = new ScenarioTransport(s, clock)
    clock.setTimer(() => ac.abort(), 60) // destination at 40 ms, silent hop 2 waits until 120 ms
    const result = await clock.run(runTrace({...s.options, signal: ac.signal}, transport, clock))
    assert.equal(result.stopReason, 'halted')
    assert.equal(result.destinationReached, true)
    assert.equal(result.hops.length, 6)
  })

  it('at the last TTL, a reached answer beats an unreachable one', async () => {
    const s = load('udp-port-unreachable.json')
    // probes 0 and 1: port unreachable (reached); probe 2: administratively prohibited
    s.hops[2] = {ttl: [3, 20], addr: ['198.51.100.9', '198.51.100.9', null], rttMs: [4, 5, null], kind: 'unreachable', icmpType: 3, icmpCode: 3}
    s.extra = [{ttl: 3, probe: 2, addr: '198.51.100.9', rttMs: 6, kind: 'unreachable', icmpType: 3, icmpCode: 13}]
    const {result} = await play(s)
    assert.equal(result.stopReason, 'completed')
    assert.equal(result.destinationReached, true)
    assert.deepEqual(
      result.hops[2]!.replies.map((r) => r.icmpCode),
      [3, 3, 13],
    )
  })

  it('reports the flow id it was given', async () => {
    const {result} = await play(load('basic-icmp.json'))
    assert.equal(result.flowId, 4242)
    assert.deepEqual(result.params, {maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, port: null, gapLimit: 5, waitFactor: WAIT_FACTOR})
  })

  it('onResponder hears each answering address once, as its first reply arrives', async () => {
    const s = load('out-of-order-duplicates.json')
    const heard: Array<[string, number]> = []
    const clock = new FakeClock()
    const transport = new ScenarioTransport(s, clock)
    const result = await clock.run(runTrace({...s.options, onResponder: (a) => heard.push([a, clock.nowMs()])}, transport, clock))
    const addrs = heard.map(([a]) => a)
    assert.equal(new Set(addrs).size, addrs.length, 'once per address')
    // every address that is in the result was heard (the duplicate's 10.99.99.99 answered too)
    for (const h of result.hops) for (const a of h.addrs) assert.ok(addrs.includes(a), `${a} heard`)
    // heard when it answered, not after the trace: the destination (12 ms) before hop 1 (14 ms)
    const at = new Map(heard)
    assert.ok(at.get('198.51.100.9')! < at.get('10.0.0.1')!)
    assert.ok(Math.max(...at.values()) < result.durationMs)
  })

  it('picks a random flow id when none is given', async () => {
    const s = load('unreachable.json')
    const a = (await play(s)).result.flowId
    assert.ok(Number.isInteger(a) && a >= 1 && a <= 65535)
  })

  it('a send failure rejects with E_NETWORK', async () => {
    const s = load('basic-icmp.json')
    s.failSend = [4]
    await assert.rejects(play(s), (e: unknown) => isAnyprobeError(e) && e.code === 'E_NETWORK' && e.exitCode === 6)
  })

  it('bad options are usage errors', async () => {
    const s = load('basic-icmp.json')
    const cases: Array<[Partial<Scenario['options']>, string]> = [
      [{maxHops: 0}, 'E_USAGE'],
      [{maxHops: 256}, 'E_USAGE'],
      [{firstHop: 40}, 'E_USAGE'],
      [{probes: 0}, 'E_USAGE'],
      [{timeoutMs: -1}, 'E_USAGE'],
      [{rate: 0}, 'E_USAGE'],
      [{flowId: 70000}, 'E_USAGE'],
      [{maxHops: 255, probes: 10}, 'E_USAGE'],
      [{target: '2001:db8::1'}, 'E_BAD_TARGET'],
      [{target: 'example.com'}, 'E_BAD_TARGET'],
    ]
    for (const [patch, code] of cases) {
      const clock = new FakeClock()
      await assert.rejects(
        runTrace({...s.options, ...patch}, new ScenarioTransport(s, clock), clock),
        (e: unknown) => isAnyprobeError(e) && e.code === code,
        JSON.stringify(patch),
      )
    }
  })
})

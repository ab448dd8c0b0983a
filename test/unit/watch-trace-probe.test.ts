// watch --method trace / icmp probers over the trace engine's scenario transport (no root): what a
// probe returns, the signals a PoP is named from, and a flow id held per flow for the whole watch.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {FakeClock, type Scenario, ScenarioTransport, traceIds} from '../../src/engines/trace/index.js'
import type {ReverseResolver} from '../../src/enrich/rdns.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {popNamer} from '../../src/vantage/live/probe.js'
import {makeTraceProber, type TraceProberOptions} from '../../src/vantage/live/trace-probe.js'

const scenario = (name: string): Scenario =>
  JSON.parse(readFileSync(new URL(`../fixtures/trace-scenarios/${name}.json`, import.meta.url), 'utf8')) as Scenario

const names: Record<string, string> = {
  '10.0.1.1': 'ae1-0.cr1.ams02.transit.example',
  '203.0.113.5': 'et-0-0-1.edge1.frankfurt1.pop.anycast.example',
  '198.51.100.9': 'ns.anycast.example',
}
const rdns: ReverseResolver = {reverse: async (a) => names[a] ?? null}

/** One probe of flow `flow` on a virtual clock; the flow ids the transports were opened with. */
async function probe(s: Scenario, o: Partial<TraceProberOptions>, flows: number[]) {
  const clock = new FakeClock()
  const opened: Array<number | null> = []
  const prober = makeTraceProber({
    method: 'trace', addr: s.options.target, family: s.options.family, timeoutMs: 1000, rdns, clock,
    transport: (t) => {
      opened.push(t.flowId)
      return new ScenarioTransport(s, clock)
    },
    ...o,
  })
  const answers = []
  for (const f of flows) answers.push(await clock.run(prober(f)))
  return {answers, opened}
}

describe('watch --method trace / icmp probers', () => {
  it('trace: answered with the destination RTT; the signals are the last hops and the destination name, nearer hops closer', async () => {
    const {answers} = await probe(scenario('basic-icmp'), {}, [0])
    const a = answers[0]!
    assert.equal(a.answered, true)
    assert.equal(a.pop, null, 'no namer: the caller (the parent of a child) names it')
    assert.ok(a.rttMs !== null && a.rttMs > 0)
    assert.deepEqual(a.signals, [
      {signal: 'dest-hostname', input: 'ns.anycast.example'},
      {signal: 'hop-hostname', input: 'et-0-0-1.edge1.frankfurt1.pop.anycast.example', distance: 1},
      {signal: 'hop-hostname', input: 'ae1-0.cr1.ams02.transit.example', distance: 2},
    ])
  })

  it('trace with a namer: the PoP from those signals (the edge outweighs the transit hop)', async () => {
    const {answers} = await probe(scenario('basic-icmp'), {name: popNamer()}, [0])
    assert.equal(answers[0]!.pop, 'FRANKFURT')
  })

  it('icmp: one echo request at TTL 64, loss and RTT only, no PoP', async () => {
    const s: Scenario = {...scenario('basic-icmp'), hops: [{ttl: [1, 64], addr: '198.51.100.9', rttMs: 12, kind: 'echo-reply'}] as Scenario['hops']}
    const clock = new FakeClock()
    let sent: ScenarioTransport | null = null
    const prober = makeTraceProber({method: 'icmp', addr: '198.51.100.9', family: 4, timeoutMs: 1000, rdns, clock, name: popNamer(), transport: () => (sent = new ScenarioTransport(s, clock))})
    const a = await clock.run(prober(0))
    assert.deepEqual({answered: a.answered, rttMs: a.rttMs, pop: a.pop, signals: a.signals}, {answered: true, rttMs: 12, pop: null, signals: []})
    assert.deepEqual(sent!.sent.map((p) => p.ttl), [64], 'one probe, TTL 64')
  })

  it('trace that never reaches the target: lost, no PoP and no signals, however its first hops are named', async () => {
    // every TTL up to the watch's 32 answers time exceeded (a routing loop beyond hop 2, or a filter)
    const s: Scenario = {...scenario('hop-limit'), hops: [{ttl: 1, addr: '10.0.0.1', rttMs: 1}, {ttl: [2, 32], addr: '10.0.1.1', rttMs: 2}] as Scenario['hops']}
    const clock = new FakeClock()
    const named: ReverseResolver = {reverse: async (a) => ({'10.0.0.1': 'gw.fra1.lab.example', '10.0.1.1': 'ae1.cr1.fra03.transit.example'})[a] ?? null}
    const prober = makeTraceProber({method: 'trace', addr: s.options.target, family: 4, timeoutMs: 800, rdns: named, clock, name: popNamer(), transport: () => new ScenarioTransport(s, clock)})
    const a = await clock.run(prober(0))
    assert.deepEqual({answered: a.answered, pop: a.pop, rttMs: a.rttMs, signals: a.signals}, {answered: false, pop: null, rttMs: null, signals: undefined})
  })

  it('no answer within the timeout: unanswered, with why', async () => {
    const s: Scenario = {...scenario('basic-icmp'), hops: []}
    const {answers} = await probe(s, {method: 'icmp', timeoutMs: 300}, [0])
    assert.equal(answers[0]!.answered, false)
    assert.equal(answers[0]!.rttMs, null)
    assert.equal(typeof answers[0]!.error, 'string')
  })

  it('--flows 64: the probes of a round, all in flight at once, never share a trace id (echo identifier); ids are released', async () => {
    // the process-wide registry's random source is stuck on one number: independent draws (a prober
    // drawing ids itself, from any source) would all collide or, from another source, not be the
    // registry's; only the registry's own choice (that draw, then a scan up from it) passes
    const registry = traceIds as unknown as {random: (max: number) => number}
    const random = registry.random
    registry.random = () => 4242
    try {
      await sixtyFourInFlight()
    } finally {
      registry.random = random
    }
  })

  async function sixtyFourInFlight(): Promise<void> {
    for (const method of ['icmp', 'trace'] as const) {
      const s: Scenario = {...scenario('basic-icmp'), hops: []} // nobody answers: all 64 wait out their timeout together
      const clock = new FakeClock()
      const ids: number[] = []
      let open = 0
      let maxOpen = 0
      const prober = makeTraceProber({
        method, addr: s.options.target, family: 4, timeoutMs: 500, rdns, clock,
        transport: (t) => {
          ids.push(t.traceId)
          maxOpen = Math.max(maxOpen, ++open)
          const tr = new ScenarioTransport(s, clock)
          const close = tr.close.bind(tr)
          tr.close = () => {
            open--
            return close()
          }
          return tr
        },
      })
      const flows = Array.from({length: 64}, (_, f) => f)
      const answers = await clock.run(Promise.all(flows.map((f) => prober(f))))
      assert.ok(answers.every((a) => !a.answered))
      assert.equal(maxOpen, 64, `${method}: the 64 traces were in flight together`)
      assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff), method)
      assert.equal(new Set(ids).size, 64, `${method}: 64 distinct trace ids`)
      assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({length: 64}, (_, i) => 4242 + i), `${method}: the registry's ids`)
      assert.equal(traceIds.size, 0, `${method}: every id released once its transport closed`)
    }
  }

  it('a transport that cannot open gives its trace id back (an unanswered probe)', async () => {
    const clock = new FakeClock()
    const prober = makeTraceProber({
      method: 'icmp', addr: '198.51.100.9', family: 4, timeoutMs: 500, rdns, clock,
      transport: () => {
        throw new AnyprobeError('E_NETWORK', 'no route')
      },
    })
    const a = await clock.run(prober(0))
    assert.deepEqual({answered: a.answered, error: a.error}, {answered: false, error: 'E_NETWORK'})
    assert.equal(traceIds.size, 0)
  })

  it('each flow keeps one Paris flow id for the whole watch, and flows differ', async () => {
    const {opened} = await probe(scenario('basic-icmp'), {}, [0, 1, 0, 1, 2])
    assert.equal(opened[0], opened[2])
    assert.equal(opened[1], opened[3])
    assert.equal(new Set(opened).size, 3)
  })
})

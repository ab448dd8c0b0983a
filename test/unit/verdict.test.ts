// One PoP verdict for one set of signals, whichever path the result took: a local trace
// (traceTarget), a RIPE Atlas traceroute (enrichAtlasOutcomes / inferAtlasPop), a saved file read
// back (readSaved) and a watch prober's observation (makeTraceProber + popNamer). Each gets the
// same hops, names and identity, and must give the same code, confidence and evidence.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {nullAsnLookup} from '../../src/enrich/asn.js'
import type {ReverseResolver} from '../../src/enrich/rdns.js'
import {FakeClock, type Scenario, ScenarioTransport} from '../../src/engines/trace/index.js'
import {popVerdict, resultVerdict, traceSignals, verdictOfObservations} from '../../src/infer/verdict.js'
import type {TraceResult} from '../../src/model/trace.js'
import {traceTarget, type TracePlan} from '../../src/pipeline/trace.js'
import {enrichAtlasOutcomes} from '../../src/vantage/atlas/enrich.js'
import {newStats, readSaved} from '../../src/store/read.js'
import {popNamer} from '../../src/vantage/live/probe.js'
import {makeTraceProber} from '../../src/vantage/live/trace-probe.js'

const scenario = (name: string): Scenario =>
  JSON.parse(readFileSync(new URL(`../fixtures/trace-scenarios/${name}.json`, import.meta.url), 'utf8')) as Scenario

const rdnsOf = (table: Record<string, string>): ReverseResolver => ({reverse: async (a) => table[a] ?? null})

const plan = (s: Scenario, over: Partial<TracePlan> = {}): TracePlan => ({
  target: s.options.target, protocol: s.options.protocol, port: null, maxHops: s.options.maxHops ?? 32, firstHop: 1,
  probes: s.options.probes ?? 3, timeoutMs: s.options.timeoutMs ?? 1000, rate: null, flowId: s.options.flowId ?? null,
  gapLimit: 5, family: null, dns: true, asn: false, asnDbs: [], vpLocation: null, ...over,
})

async function local(s: Scenario, names: Record<string, string>, over: Partial<TracePlan> = {}): Promise<TraceResult> {
  const clock = new FakeClock()
  return clock.run(traceTarget(plan(s, over), {transport: () => new ScenarioTransport(s, clock), rdns: rdnsOf(names), asn: nullAsnLookup, clock}))
}

/** The same trace as RIPE Atlas delivers it: no names, no verdict, an Atlas vantage point; enriched with the same names. */
async function viaAtlas(r: TraceResult, names: Record<string, string>): Promise<TraceResult> {
  const bare: TraceResult = {
    ...r,
    vantage: {kind: 'atlas', id: 'atlas:1001', name: null, asn: null, country: null, lat: null, lon: null},
    hops: r.hops.map((h) => ({...h, hostname: null, hint: null})),
    targetHostname: null,
    pop: null,
  }
  const [oc] = await enrichAtlasOutcomes([{vantage: bare.vantage, result: bare, error: null}], {rdns: rdnsOf(names)})
  return oc!.result as TraceResult
}

/** The trace saved as NDJSON (what --ndjson writes) and read back by `report`'s reader. */
async function viaSavedFile(r: TraceResult): Promise<TraceResult> {
  const line = JSON.stringify({schemaVersion: 1, kind: 'outcome', method: 'trace', target: r.target, vantage: r.vantage, result: r, error: null})
  const items = []
  for await (const it of readSaved((async function* () { yield line + '\n' })(), newStats())) items.push(it)
  assert.equal(items.length, 1)
  const item = items[0]!
  assert.equal(item.type, 'outcome')
  return (item as {outcome: {result: TraceResult}}).outcome.result
}

const essence = (v: ReturnType<typeof popVerdict>) => (v === null ? null : {code: v.code, confidence: v.confidence, evidence: v.evidence, conflicts: v.conflicts})

const HOPS = {
  '10.0.0.1': 'gw.home.example',
  '10.0.1.1': 'ae1-0.cr1.ams02.transit.example',
  '203.0.113.5': 'et-0-0-1.edge1.frankfurt1.pop.anycast.example',
  '198.51.100.9': 'ns.anycast.example',
}

describe('popVerdict: one verdict whatever the path', () => {
  it('hops + destination name: local trace, Atlas traceroute, saved file and watch observation agree', async () => {
    const s = scenario('basic-icmp')
    const r = await local(s, HOPS)
    assert.equal(r.pop?.code, 'frankfurt')
    const want = essence(r.pop)
    assert.deepEqual(essence(popVerdict(traceSignals(r, null))), want, 'the function itself')
    assert.deepEqual(essence((await viaAtlas(r, HOPS)).pop), want, 'RIPE Atlas traceroute')
    const saved = await viaSavedFile(r)
    assert.deepEqual(essence(saved.pop), want, 'saved file, as saved')
    assert.deepEqual(essence(resultVerdict(saved)), want, 'saved file, judged again')
    // watch: the prober's observations named by the parent
    const clock = new FakeClock()
    const prober = makeTraceProber({method: 'trace', addr: s.options.target, family: 4, timeoutMs: 1000, rdns: rdnsOf(HOPS), clock, transport: () => new ScenarioTransport(s, clock)})
    const a = await clock.run(prober(0))
    assert.equal(a.answered, true)
    assert.deepEqual(essence(verdictOfObservations(a.signals ?? [], {rttMs: null, vpLocation: null})), want, 'watch observation signals')
    assert.deepEqual(popNamer()(a.signals ?? [], a.rttMs), {code: want!.code.toUpperCase(), confidence: want!.confidence}, 'watch observation pop')
  })

  it('the destination\'s DNS identity counts for an Atlas traceroute as for a local one', async () => {
    const names = {'10.0.1.1': 'ae1.cr1.fra03.transit.example'}
    const r = await local(scenario('udp-dns-answer'), names, {port: 53})
    assert.equal(r.pop?.code, 'ams', 'the server says it is the Amsterdam one')
    const atlas = await viaAtlas(r, names)
    assert.deepEqual(essence(atlas.pop), essence(r.pop))
    assert.deepEqual(essence((await viaSavedFile(r)).pop), essence(r.pop))
  })

  it('a loopback target\'s own name is not read, locally or from RIPE Atlas', async () => {
    const s = {
      name: 'loopback', description: '',
      options: {target: '127.0.0.1', family: 4, protocol: 'icmp', maxHops: 4, probes: 3, timeoutMs: 1000, flowId: 7},
      hops: [{ttl: [1, 4], addr: '127.0.0.1', rttMs: 0.1, kind: 'echo-reply'}],
      expect: {stopReason: 'completed', destinationReached: true, hops: []},
    } as unknown as Scenario
    const names = {'127.0.0.1': 'fra1.example.net'}
    const r = await local(s, names)
    assert.equal(r.targetHostname, 'fra1.example.net')
    assert.equal(r.pop, null)
    const atlas = await viaAtlas(r, names)
    assert.equal(atlas.targetHostname, 'fra1.example.net')
    assert.equal(atlas.pop, null, 'an Atlas traceroute to a loopback address is not named after the name either')
    // and the rule is the function's: the same signals with a public class name the place
    assert.equal(popVerdict({...traceSignals(r, null), targetClass: 'public'})?.code, 'fra')
  })
})

// The Atlas backend end to end against the replay server on 127.0.0.1: create a measurement, wait
// for its results on the WebSocket stream or by polling, parse, enrich (a stub resolver: no DNS
// leaves this host), and get one outcome per probe with the probe's metadata; read an existing
// measurement without a key; probes that never answer, probe errors and malformed results.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import type {DnsResult} from '../../src/model/dns.js'
import type {TraceResult} from '../../src/model/trace.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {AtlasBackend, type AtlasBackendOptions, type AtlasProgress, batches, buildCreateRequest, parseAtlasSelector} from '../../src/vantage/atlas/index.js'
import type {ProbePlan, VantageOutcome} from '../../src/vantage/types.js'
import {fixture, type ReplayRoute, type ReplayServer, standardRoutes, startAtlasReplay} from '../helpers/atlas-replay.js'
import {schemaErrors} from '../helpers/schema.js'

const KEY = '5ca1ab1e-0000-4000-8000-00000000beef'

// Reverse DNS stand-in: names for a few hops of the 3606560 paths (test data, not real PTRs)
const NAMES: Record<string, string> = {
  '202.147.51.46': 'ae1.cr1.sjc2.transit.example',
  '64.215.81.146': 'xe-0-1-0.br1.sjc2.transit.example',
  '202.147.58.142': 'et-1-0-0.cr2.sjc2.transit.example',
}
const stubRdns = {lookups: 0, reverse: async (a: string): Promise<string | null> => (stubRdns.lookups++, NAMES[a] ?? null)}

/** Right after creation a measurement is running, not stopped. */
const ongoingProbes: ReplayRoute = {path: 'measurements/3606560/', query: {optional_fields: 'probes'}, fixture: 'measurement-3606560-probes.json'}
const ongoing: ReplayRoute = {path: 'measurements/3606560/', body: {...fixture<object>('measurement-3606560.json'), status: {id: 2, name: 'Ongoing'}, stop_time: null}}

const tracePlan: ProbePlan = {method: 'trace', target: '194.0.25.10', cliArgs: ['194.0.25.10'], options: {protocol: 'icmp'}}

async function collect(b: AtlasBackend, plan: ProbePlan, signal?: AbortSignal): Promise<VantageOutcome[]> {
  const out: VantageOutcome[] = []
  for await (const o of b.run(plan, {concurrency: 4, signal})) out.push(o)
  return out
}

describe('Atlas backend end to end (replay server on 127.0.0.1)', () => {
  let srv: ReplayServer
  const routes = (extra: ReplayRoute[] = []): void => {
    srv.routes.length = 0
    srv.routes.push(...extra, ...standardRoutes())
  }
  const backend = (selector: string, o: AtlasBackendOptions = {}): AtlasBackend =>
    new AtlasBackend(selector, {
      env: {ANYPROBE_ATLAS_KEY: KEY, ANYPROBE_ATLAS_URL: srv.url, ANYPROBE_ATLAS_STREAM_URL: srv.streamUrl, XDG_CONFIG_HOME: '/nonexistent'},
      rdns: stubRdns,
      pollIntervalMs: 10,
      clientOptions: {baseDelayMs: 5},
      ...o,
    })

  before(async () => {
    srv = await startAtlasReplay({stream: {results: {3606560: fixture<unknown[]>('results-3606560.json')}}})
  })
  after(async () => {
    await srv.close()
  })

  it('create -> stream -> parse -> enrich: one outcome per probe, with the probe\'s metadata and a PoP', async () => {
    // the REST results are empty: what arrives can only have come over the WebSocket
    routes([{path: 'measurements/3606560/results/', body: []}, ongoingProbes, ongoing])
    const progress: AtlasProgress[] = []
    const told: unknown[] = []
    const b = backend('probes=12185,22880', {wait: 'stream', pollIntervalMs: 60_000, onProgress: (p) => progress.push(p), onMeasurement: (m) => told.push(m)})
    assert.equal(b.expected(), 2)
    assert.equal(b.spec, 'atlas:probes=12185,22880')
    const requestsBefore = srv.requests.length
    const outcomes = await collect(b, tracePlan)

    // what was sent: the create request of create.ts, with the key only in the header
    const post = srv.requests.slice(requestsBefore).find((r) => r.method === 'POST')!
    assert.deepEqual(JSON.parse(post.body), buildCreateRequest(tracePlan, parseAtlasSelector('probes=12185,22880')))
    assert.equal(post.headers.authorization, `Key ${KEY}`)
    const ws = srv.streamConnections.at(-1)!
    assert.deepEqual(JSON.parse(ws.messages[0]!), ['atlas_subscribe', {streamType: 'result', msm: 3606560}])
    assert.equal(ws.headers.authorization, undefined)
    assert.deepEqual(told, [{msmId: 3606560, created: true}])
    assert.deepEqual(progress.at(-1), {msmId: 3606560, answered: 2, requested: 2})

    assert.equal(outcomes.length, 2)
    const byId = new Map(outcomes.map((o) => [o.vantage.id, o]))
    assert.deepEqual(byId.get('atlas:12185')!.vantage, {kind: 'atlas', id: 'atlas:12185', name: 'probe in Oakland', asn: 7922, country: 'US', lat: 37.8, lon: -122.27})
    for (const o of outcomes) {
      assert.equal(o.error, null)
      const t = o.result as TraceResult
      assert.deepEqual(schemaErrors('trace.schema.json', t), [])
      assert.equal(t.destinationReached, true)
      assert.equal(t.stopReason, 'completed')
      assert.equal(t.targetAddr, '194.0.25.10')
      assert.equal(t.vantage, o.vantage)
    }
    // enrichment: hop names from the resolver, hints from the names, a verdict from the last hops
    const t = byId.get('atlas:12185')!.result as TraceResult
    assert.equal(t.hops.find((h) => h.addr === '202.147.51.46')!.hostname, 'ae1.cr1.sjc2.transit.example')
    assert.equal(t.hops.find((h) => h.addr === '202.147.51.46')!.hint?.code, 'sjc')
    assert.equal(t.pop?.code, 'sjc')
    assert.equal(b.stats.ok, 2)
  })

  it('create -> poll: the same results by polling /results/, probes fetched across pages', async () => {
    routes()
    const b = backend('probes=12185,22880', {wait: 'poll'})
    const before = srv.requests.length
    const outcomes = await collect(b, tracePlan)
    assert.deepEqual(outcomes.map((o) => o.vantage.id).sort(), ['atlas:12185', 'atlas:22880'])
    assert.ok(outcomes.every((o) => o.error === null && o.result !== null))
    const reqs = srv.requests.slice(before)
    assert.ok(reqs.some((r) => r.path === 'measurements/3606560/results/' && r.query.start !== undefined))
    const probeReqs = reqs.filter((r) => r.path === 'probes/')
    assert.equal(probeReqs.length, 2) // page 1, then the `next` link
    assert.equal(probeReqs[0]!.query.id__in, '12185,22880')
    assert.equal(srv.streamConnections.length, 1) // no new stream connection in poll mode
  })

  it('auto: a stream that drops falls back to polling; an atlas_error likewise', async () => {
    for (const script of [{closeAfter: 1}, {error: 'measurement is not public'}]) {
      await srv.close()
      srv = await startAtlasReplay({stream: {results: {3606560: fixture<unknown[]>('results-3606560.json')}, ...script}})
      routes()
      const outcomes = await collect(backend('probes=12185,22880'), tracePlan)
      assert.deepEqual(outcomes.map((o) => o.vantage.id).sort(), ['atlas:12185', 'atlas:22880'], JSON.stringify(script))
      assert.ok(outcomes.every((o) => o.error === null && o.result !== null))
      // in stream-only mode (and nothing in the API yet) the same failure is reported, not hidden
      routes([{path: 'measurements/3606560/results/', body: []}, ongoingProbes, ongoing])
      const only = backend('probes=12185,22880', {wait: 'stream', pollIntervalMs: 60_000})
      if (script.error) {
        await assert.rejects(collect(only, tracePlan), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_NETWORK' && /not public/.test(e.message))
      } else {
        const got = await collect(only, tracePlan)
        assert.deepEqual(
          got.map((o) => [o.result === null, o.error?.code ?? null]),
          [
            [false, null],
            [true, 'E_NETWORK'],
          ],
        )
      }
      assert.ok(srv.requests.some((r) => r.path === 'measurements/3606560/results/'))
    }
  })

  it('an existing measurement (--atlas-msm) needs no key: latest results of a periodic DNS measurement', async () => {
    routes()
    const b = new AtlasBackend('', {msmId: 1423386, env: {ANYPROBE_ATLAS_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, rdns: stubRdns})
    assert.equal(b.expected(), null)
    const before = srv.requests.length
    const outcomes = await collect(b, {method: 'dns', target: '193.0.14.129', cliArgs: [], options: {}})
    assert.equal(outcomes.length, 1)
    const o = outcomes[0]!
    assert.equal(o.vantage.id, 'atlas:6036')
    assert.equal(o.vantage.country, 'FI')
    const d = o.result as DnsResult
    assert.deepEqual(schemaErrors('dns.schema.json', d), [])
    assert.equal(d.identity.hostnameBind, 'ns1.fi-hel.k.ripe.net')
    assert.equal(d.pop?.city, 'Helsinki')
    for (const r of srv.requests.slice(before)) assert.equal(r.headers.authorization, undefined)
    // the wrong command for the measurement is a usage error, before any result
    await assert.rejects(collect(b, tracePlan), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && /is a dns measurement, not trace/.test(e.message))
  })

  it('probe errors, malformed results and silent probes each become an outcome with a code', async () => {
    routes([
      {method: 'POST', path: 'measurements/', fixture: 'create-response-7000001.json', status: 201},
      {path: 'measurements/7000001/', query: {optional_fields: 'probes'}, fixture: 'measurement-7000001-probes.json'},
      {path: 'measurements/7000001/', fixture: 'measurement-7000001.json'},
      {path: 'measurements/7000001/results/', fixture: 'results-errors.json'},
    ])
    const b = backend('probes=10834,22586,21,12185', {wait: 'poll', timeoutMs: 300})
    const outcomes = await collect(b, {...tracePlan, target: '78.46.48.134', options: {protocol: 'udp'}})
    const byId = new Map(outcomes.map((o) => [o.vantage.id, o]))
    assert.equal(outcomes.length, 4)
    assert.equal((byId.get('atlas:10834')!.result as TraceResult).stopReason, 'gap-limit')
    assert.equal(byId.get('atlas:22586')!.error!.code, 'E_RESOLVE')
    assert.equal(byId.get('atlas:22586')!.vantage.country, 'RS')
    assert.equal(byId.get('atlas:21')!.error!.code, 'E_BAD_INPUT')
    const silent = byId.get('atlas:12185')!
    assert.equal(silent.result, null)
    assert.equal(silent.error!.code, 'E_TIMEOUT')
    assert.match(silent.error!.hint ?? '', /--atlas-msm 7000001/)
    assert.equal(silent.vantage.country, 'US')
    assert.deepEqual([b.stats.total, b.stats.ok, b.stats.probeErrors, b.stats.malformed], [3, 1, 1, 1])
  })

  it('no key: creating is refused before any request, with the hint', async () => {
    routes()
    const before = srv.requests.length
    const b = new AtlasBackend('country=NL', {env: {ANYPROBE_ATLAS_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}})
    await assert.rejects(collect(b, tracePlan), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && /ANYPROBE_ATLAS_KEY/.test(e.hint ?? ''))
    assert.equal(srv.requests.length, before)
    assert.throws(() => new AtlasBackend('country=Netherlands'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE')
  })

  it('an abort stops waiting', async () => {
    routes([{path: 'measurements/3606560/results/', body: []}, ongoingProbes, ongoing])
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    const t0 = Date.now()
    const outcomes = await collect(backend('probes=12185,22880', {wait: 'poll', timeoutMs: 60_000}), tracePlan, ac.signal)
    assert.ok(Date.now() - t0 < 5000)
    assert.equal(outcomes.length, 0)
    // also while a request is in flight: the run ends, it does not throw
    routes([{path: 'measurements/3606560/results/', hang: true}, ongoingProbes, ongoing])
    const ac2 = new AbortController()
    setTimeout(() => ac2.abort(), 100)
    assert.deepEqual(await collect(backend('probes=12185,22880', {wait: 'poll', timeoutMs: 60_000}), tracePlan, ac2.signal), [])
  })

  it('batches: by size, and after a quiet period', async () => {
    async function* slow(): AsyncGenerator<number> {
      yield 1
      yield 2
      yield 3
      await new Promise((r) => setTimeout(r, 80))
      yield 4
    }
    const got: number[][] = []
    for await (const b of batches(slow(), 2, 20)) got.push(b)
    assert.deepEqual(got, [[1, 2], [3], [4]])
    // a failing source: the items before the failure still come out, then the error
    async function* failing(): AsyncGenerator<number> {
      yield 1
      throw new Error('boom')
    }
    const partial: number[][] = []
    await assert.rejects(
      (async () => {
        for await (const b of batches(failing(), 10, 1000)) partial.push(b)
      })(),
      /boom/,
    )
    assert.deepEqual(partial, [[1]])
  })
})

// RIPE Atlas traceroutes get hop ASNs as a local trace's hops get them (enrich/trace.ts
// enrichedHop over hopAsnLookup: the bundled GeoLite2 ASN when a hop is public), on every path
// Atlas traceroutes take into the model: a live atlas: run (catchment / trace --from atlas:) and
// raw results read from a file (report, diff). They had none: the live backend was handed no
// database and the file reader asked for none, while local, netns and ssh traces had them.
// Offline: recorded results (test/fixtures/atlas/results-3606560.json), the replay server on
// 127.0.0.1, no reverse DNS.
import assert from 'node:assert/strict'
import {createReadStream} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {bundledAsnLookup} from '../../src/enrich/asn.js'
import {nullReverseResolver} from '../../src/enrich/rdns.js'
import {enrichHops} from '../../src/enrich/trace.js'
import {hostnameHint} from '../../src/infer/index.js'
import type {TraceHop, TraceResult} from '../../src/model/trace.js'
import {decompressedInput, newStats, readSavedBatches} from '../../src/store/read.js'
import {AtlasBackend, enrichAtlasOutcomes, parseAtlasResult} from '../../src/vantage/atlas/index.js'
import {loadAtlasModule} from '../../src/vantage/index.js'
import type {ProbePlan, VantageOutcome} from '../../src/vantage/types.js'
import {fixture, type ReplayServer, standardRoutes, startAtlasReplay} from '../helpers/atlas-replay.js'
import {ROOT} from '../helpers/cli.js'

const FILE = join(ROOT, 'test/fixtures/atlas/results-3606560.json')
const parsed = (): VantageOutcome[] => fixture<unknown[]>('results-3606560.json').flatMap((raw) => parseAtlasResult(raw).outcomes)
const hopsOf = (outcomes: readonly VantageOutcome[]): TraceHop[] => outcomes.flatMap((o) => (o.result?.kind === 'trace' ? o.result.hops : []))

/** Every answering hop has the ASN the bundled database gives its address (public ones: some; private ones: none). */
async function assertHopAsns(hops: readonly TraceHop[]): Promise<void> {
  const db = await bundledAsnLookup()
  const answering = hops.filter((h) => h.addr !== null)
  assert.ok(answering.length > 5, 'the fixture has answering hops')
  for (const h of answering) {
    const want = db.lookup(h.addr!)
    assert.equal(h.asn, want?.asn ?? null, `hop ${h.ttl} ${h.addr}`)
    assert.equal(h.asOrg, want?.org ?? null, `hop ${h.ttl} ${h.addr}`)
  }
  assert.ok(answering.filter((h) => h.asn !== null).length >= 5, 'the public hops (Level 3, Hurricane Electric, ...) have ASNs')
  assert.ok(answering.some((h) => h.addr!.startsWith('192.168.') && h.asn === null), 'a home router has none')
}

describe('RIPE Atlas traceroutes: hop ASNs as a local trace has them', () => {
  it('enrichAtlasOutcomes fills hop ASNs, the same as a local trace\'s enrichHops of the same hops', async () => {
    const outcomes = parsed()
    assert.ok(hopsOf(outcomes).every((h) => h.asn === null), 'the parser leaves them to the enrichment')
    const enriched = hopsOf(await enrichAtlasOutcomes(outcomes, {rdns: nullReverseResolver}))
    await assertHopAsns(enriched)
    const local = await enrichHops(hopsOf(outcomes), {rdns: nullReverseResolver, asn: await bundledAsnLookup(), hint: hostnameHint})
    assert.deepEqual(enriched, local)
  })

  it('--no-asn (asn: null): none', async () => {
    const enriched = hopsOf(await enrichAtlasOutcomes(parsed(), {rdns: nullReverseResolver, asn: null}))
    assert.ok(enriched.length > 0 && enriched.every((h) => h.asn === null && h.asOrg === null))
  })

  it('a recorded Atlas traceroute file read as report and diff read it (--no-rdns)', async () => {
    const stats = newStats()
    const outcomes: VantageOutcome[] = []
    for await (const batch of readSavedBatches(decompressedInput(createReadStream(FILE), stats, FILE), stats, {loadAtlas: loadAtlasModule})) {
      for (const item of batch) if (item.type === 'outcome') outcomes.push(item.outcome)
    }
    assert.equal(stats.atlasTraces, 2)
    await assertHopAsns(hopsOf(outcomes))
  })

  describe('a live atlas: run (replay server on 127.0.0.1)', () => {
    let srv: ReplayServer
    before(async () => {
      srv = await startAtlasReplay({stream: {results: {3606560: fixture<unknown[]>('results-3606560.json')}}})
    })
    after(async () => {
      await srv.close()
    })
    const run = async (options: ProbePlan['options']): Promise<TraceHop[]> => {
      srv.routes.length = 0
      srv.routes.push(
        {path: 'measurements/3606560/results/', body: []},
        {path: 'measurements/3606560/', query: {optional_fields: 'probes'}, fixture: 'measurement-3606560-probes.json'},
        {path: 'measurements/3606560/', body: {...fixture<object>('measurement-3606560.json'), status: {id: 2, name: 'Ongoing'}, stop_time: null}},
        ...standardRoutes(),
      )
      const b = new AtlasBackend('probes=12185,22880', {
        env: {ANYPROBE_ATLAS_KEY: '5ca1ab1e-0000-4000-8000-00000000beef', ANYPROBE_ATLAS_URL: srv.url, ANYPROBE_ATLAS_STREAM_URL: srv.streamUrl, XDG_CONFIG_HOME: '/nonexistent'},
        rdns: nullReverseResolver,
        wait: 'stream',
        pollIntervalMs: 60_000,
        clientOptions: {baseDelayMs: 5},
      })
      const out: VantageOutcome[] = []
      for await (const o of b.run({method: 'trace', target: '194.0.25.10', cliArgs: [], options: {protocol: 'icmp', ...options}}, {concurrency: 4})) out.push(o)
      return hopsOf(out)
    }
    it('catchment / trace --from atlas: hop ASNs; with --no-asn, none', async () => {
      await assertHopAsns(await run({}))
      const bare = await run({asn: false})
      assert.ok(bare.length > 0 && bare.every((h) => h.asn === null))
    })
  })
})

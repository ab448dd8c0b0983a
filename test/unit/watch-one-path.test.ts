// One vantage layer for live runs (issue 11): `watch` runs every backend through one path
// (src/watch/run.ts: schedule -> WatchStart -> session -> merged rounds -> summary), so adding a
// backend is adding one implementation of VantageBackend (schedule + rounds), nothing in the
// command. A small extra backend written here, implementing only the interface, is watched through
// that path with no change elsewhere; and RIPE Atlas's rounds() against the loopback replay server
// (REST + stream on 127.0.0.1) yields the contract's events: history, started, observations,
// notes, vantage updates, ended; a measurement it created is stopped in its end, and one that
// cannot be stopped ends the watch in exit 1.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {LiveWatchEvent} from '../../src/model/expect.js'
import type {LiveSchedule, RoundEvent, RoundsPlan, ScheduleRequest, VantageBackend, VantageOutcome} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {AtlasBackend} from '../../src/vantage/atlas/index.js'
import {runWatch, type WatchRunOptions} from '../../src/watch/run.js'
import {startAtlasReplay, type ReplayServer} from '../helpers/atlas-replay.js'
import {measurementObject, MSM, probeObjects, rounds} from '../helpers/atlas-watch-scenario.js'
import {schemaErrors} from '../helpers/schema.js'

const tmp = mkdtempSync(join(tmpdir(), 'anyprobe-one-path-'))
after(() => rmSync(tmp, {recursive: true, force: true}))

const vp = (id: string, country: string | null = null): VantagePoint => ({kind: 'replay', id, name: null, asn: null, country, lat: null, lon: null})

/** A backend of its own kind: a fixed script of PoPs per vantage point and round, at its own pace. */
class ToyBackend implements VantageBackend {
  readonly spec = 'toy:a,b'
  readonly runsAlone = true
  asked: ScheduleRequest | null = null
  planned: RoundsPlan | null = null
  constructor(private readonly script: Record<string, Array<string | null>>) {}
  expected(): number {
    return Object.keys(this.script).length
  }
  // eslint-disable-next-line require-yield
  async *run(): AsyncIterable<VantageOutcome> {
    throw new Error('one-shot runs are not part of this test')
  }
  async schedule(ask: ScheduleRequest): Promise<LiveSchedule> {
    this.asked = ask
    // the engine decides its pace, whatever --interval said
    return {method: 'dns', target: `toy ${ask.target}`, intervalMs: 5000, flows: 1, timeoutMs: 5000, reorderRounds: 1, at: 1_765_000_000_000, remote: true, notes: ['toy: five seconds a round'], source: () => 'the toy engine'}
  }
  async *rounds(plan: RoundsPlan): AsyncIterable<RoundEvent> {
    this.planned = plan
    const ids = Object.keys(this.script)
    for (const id of ids) yield {type: 'started', vantage: vp(id)}
    yield {type: 'note', text: 'toy: measuring'}
    const n = this.script[ids[0]!]!.length
    for (let r = 0; r < n; r++) {
      for (const id of ids) {
        const pop = this.script[id]![r]!
        const sentAt = 1_765_000_000_000 + r * plan.intervalMs
        yield {type: 'observation', vantage: vp(id), observation: {vantageId: id, round: r, flow: 0, sentAt, receivedAt: pop === null ? null : sentAt + 7, rttMs: pop === null ? null : 7, pop, answered: pop !== null, ...(pop === null ? {error: 'E_TIMEOUT'} : {})}}
      }
      if (r === 0) yield {type: 'vantage', vantage: vp('b', 'NL'), tags: ['home']}
      yield {type: 'round', round: r}
    }
    for (const id of ids) yield {type: 'ended', vantage: vp(id), error: null}
  }
}

function options(over: Partial<WatchRunOptions> & {stdout: string[]; stderr: string[]; events?: LiveWatchEvent[]}): WatchRunOptions {
  const {stdout, stderr, events, ...rest} = over
  return {
    ask: {method: 'dns', target: '198.51.100.10', intervalMs: undefined, failover: false, timeoutMs: undefined, flows: 1, count: null, durationMs: null, dryRun: false},
    flapThreshold: 3,
    flapWindowMs: undefined,
    json: true,
    tty: false,
    extras: {},
    signal: new AbortController().signal,
    write: (t) => stdout.push(t),
    report: (l) => stderr.push(l),
    onEvent: (e) => events?.push(e),
    ...rest,
  }
}

describe('watch: one path for every backend', () => {
  it('a backend that implements only the interface is watched like any other: its schedule, its events, its notes, the summary', async () => {
    const toy = new ToyBackend({a: ['AMS', 'AMS', 'FRA', 'FRA'], b: ['LON', null, null, 'LON']})
    const stdout: string[] = []
    const stderr: string[] = []
    const out = join(tmp, 'toy.ndjson')
    const end = await runWatch([toy], options({stdout, stderr, out, ask: {method: 'dns', target: '198.51.100.10', intervalMs: 1000, failover: false, timeoutMs: undefined, flows: 1, count: 4, durationMs: null, dryRun: false}}))
    assert.ok(!('dryRun' in end))
    // the command's ask reached the backend; the plan keeps the backend's pace, not --interval
    assert.equal(toy.asked?.intervalMs, 1000)
    assert.equal(toy.planned?.intervalMs, 5000)
    assert.equal(toy.planned?.count, 4)
    const lines = stdout.join('').trim().split('\n').map((l) => JSON.parse(l))
    const brief = lines.map((e) => `${e.type} ${e.vantageId} ${e.round}`)
    assert.deepEqual(brief, ['state a 0', 'state b 0', 'shift a 2', 'outage b 2', 'recovered b 3'])
    for (const e of lines) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    // its notes reach the user, before the watch and during it
    assert.deepEqual(stderr.filter((l) => l.startsWith('toy:')), ['toy: five seconds a round', 'toy: measuring'])
    // --out starts with the backend's schedule
    const saved = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual([saved[0].kind, saved[0].intervalMs, saved[0].target, saved[0].at, saved[0].reorderRounds], ['watch-start', 5000, 'toy 198.51.100.10', new Date(1_765_000_000_000).toISOString(), 1])
    // the summary (the command prints it last with --json)
    assert.deepEqual(end.summary.vantagePoints.map((v) => [v.vantageId, v.pop, v.lost]), [['a', 'FRA', 0], ['b', 'LON', 2]])
    assert.equal(end.summary.observations, 8)
    assert.equal(end.exitCode, 0, stderr.join('\n'))
  })

  it('--expect groups by the tags a backend says late ("vantage" events); a rule broken at the end is exit 8', async () => {
    const toy = new ToyBackend({a: ['AMS', 'AMS'], b: ['LON', 'PAR']})
    const stdout: string[] = []
    const stderr: string[] = []
    const expect = join(tmp, 'expect-home.json')
    const {writeFileSync} = await import('node:fs')
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'homes stay in London', match: {tag: 'home'}, pops: ['LON']}]}))
    const end = await runWatch([toy], options({stdout, stderr, extras: {expect}}))
    assert.ok(!('dryRun' in end))
    const unexpected = stdout.join('').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'unexpected')
    assert.deepEqual(unexpected.map((e) => e.vantageId), ['b'])
    assert.equal(end.exitCode, 8)
  })

  it('--expect: a vantage point that broke a rule and came back before the end is still exit 8; the summary and stderr say who, which rule, when, how long', async () => {
    // b lands on PAR for rounds 1-2 (its rule: LON), and is home again from round 3 to the end
    const toy = new ToyBackend({a: ['AMS', 'AMS', 'AMS', 'AMS', 'AMS'], b: ['LON', 'PAR', 'PAR', 'LON', 'LON']})
    const stdout: string[] = []
    const stderr: string[] = []
    const expect = join(tmp, 'expect-b-home.json')
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'b stays in London', match: {vantage: 'b'}, pops: ['LON']}]}))
    const end = await runWatch([toy], options({stdout, stderr, extras: {expect}}))
    assert.ok(!('dryRun' in end))
    const events = stdout.join('').trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(events.filter((e) => e.type === 'unexpected' || e.type === 'expected').map((e) => `${e.type} ${e.vantageId} ${e.round}`), ['unexpected b 1', 'expected b 3'])
    assert.equal(end.exitCode, 8, stderr.join('\n'))
    // the summary (the command prints it last with --json): every breach, also the one that ended
    const at = (r: number): string => new Date(1_765_000_000_000 + r * 5000).toISOString()
    assert.deepEqual(end.summary.expect, {
      holdRounds: 1,
      judged: 1,
      brokeRules: 1,
      stillBroken: 0,
      breaches: [{vantageId: 'b', since: at(1), reportedAt: at(1), until: at(3), durationMs: 10_000, broken: [{rule: 0, name: 'b stays in London', why: 'pop-not-allowed', detail: 'landed on PAR; allowed: LON'}]}],
      breachesOmitted: 0,
      uncertain: 0,
      unmatchedRules: [],
    })
    assert.deepEqual(schemaErrors('watch-event.schema.json', end.summary), [])
    assert.ok(stderr.includes('anyprobe: 1 vantage point(s) broke the --expect rules during the watch (0 still at the end):'), stderr.join('\n'))
    assert.ok(stderr.includes(`  b: b stays in London: landed on PAR; allowed: LON; from ${at(1)} to ${at(3)} (10 s)`), stderr.join('\n'))
    // kept the rules all along: exit 0, an empty list, nothing said
    const calm = await runWatch([new ToyBackend({a: ['AMS', 'AMS'], b: ['LON', 'LON']})], options({stdout: [], stderr: [], extras: {expect}}))
    assert.ok(!('dryRun' in calm))
    assert.equal(calm.exitCode, 0)
    assert.deepEqual([calm.summary.expect?.judged, calm.summary.expect?.brokeRules, calm.summary.expect?.breaches], [1, 0, []])
    assert.deepEqual(schemaErrors('watch-event.schema.json', calm.summary), [])
  })

  it('a backend that runs alone cannot share a watch; one without rounds() cannot watch: E_USAGE before anything opens', async () => {
    const out = join(tmp, 'never.ndjson')
    await assert.rejects(
      runWatch([new ToyBackend({a: ['AMS']}), new ToyBackend({b: ['LON']})], options({stdout: [], stderr: [], out})),
      (e: Error & {code?: string}) => e.code === 'E_USAGE' && /--from toy: runs alone/.test(e.message),
    )
    const oneShot: VantageBackend = {spec: 'once:x', expected: () => 1, run: async function* () {}}
    await assert.rejects(runWatch([oneShot], options({stdout: [], stderr: [], out})), (e: Error & {code?: string}) => e.code === 'E_USAGE' && /cannot run from once:x/.test(e.message))
    assert.throws(() => readFileSync(out), /ENOENT/)
  })

  it('the command has no branch per backend: it imports no backend, and names no kind (which flags go with which --from: console/vantage-flags.ts)', () => {
    const src = readFileSync(fileURLToPath(new URL('../../src/commands/watch.ts', import.meta.url)), 'utf8').replace(/^\s*\/\/.*$/gm, '')
    assert.doesNotMatch(src, /from '\.\.\/vantage\/(atlas|globalping)\//)
    assert.doesNotMatch(src, /from '\.\.\/watch\/(atlas|globalping)/)
    const kinds = [...src.matchAll(/kind === '(\w+)'/g)].map((m) => m[1])
    assert.deepEqual(kinds, [])
    assert.match(src, /runWatch\(backends,/)
  })
})

describe('AtlasBackend.rounds (replay server on 127.0.0.1)', () => {
  async function collect(backend: AtlasBackend, ask: ScheduleRequest, durationMs: number): Promise<{schedule: LiveSchedule; events: RoundEvent[]}> {
    const signal = new AbortController().signal
    const schedule = await backend.schedule(ask, {signal})
    const plan: RoundsPlan = {method: schedule.method, target: ask.target, cliArgs: [], intervalMs: schedule.intervalMs, flows: 1, timeoutMs: schedule.timeoutMs, startAt: Date.now(), count: null, durationMs, flapWindowMs: 60 * schedule.intervalMs}
    const events: RoundEvent[] = []
    for await (const e of backend.rounds(plan, {signal})) events.push(e)
    return {schedule, events}
  }
  const ask = (over: Partial<ScheduleRequest> = {}): ScheduleRequest => ({method: 'dns', target: '193.0.14.129', intervalMs: undefined, failover: false, timeoutMs: undefined, flows: 1, count: null, durationMs: null, dryRun: false, ...over})

  /** The existing measurement MSM on a replay server: rounds 0-1 as its backfill (the results since one interval before the start), 2-3 on the stream. */
  const followed = async (): Promise<{srv: Awaited<ReturnType<typeof startAtlasReplay>>; backend: AtlasBackend}> => {
    const srv = await startAtlasReplay({
      routes: [
        {path: `measurements/${MSM}/`, body: measurementObject()},
        {path: `measurements/${MSM}/results/`, body: rounds(0, 1), times: 1},
        {path: `measurements/${MSM}/results/`, body: []},
        {path: 'probes/', body: probeObjects()},
      ],
      stream: {results: {[MSM]: rounds(2, 3)}, delayMs: 1},
    })
    return {srv, backend: new AtlasBackend('', {msmId: MSM, apiUrl: srv.url, streamUrl: srv.streamUrl, key: null, env: {}, configFile: '/nonexistent-anyprobe-test/config.json'})}
  }

  it('an existing measurement: its own schedule; history, then the stream; started before each probe\'s observations; vantage updates; ended for each', async () => {
    const {srv, backend} = await followed()
    try {
      const {schedule, events} = await collect(backend, ask({intervalMs: 60_000}), 1500)
      assert.deepEqual([schedule.method, schedule.intervalMs, schedule.target, schedule.reorderRounds, schedule.remote], ['dns', 240_000, '193.0.14.129', 1, true])
      assert.match(schedule.notes.join('\n'), /--interval is ignored: measurement 7101001 runs every 240 s/)
      const types = events.map((e) => e.type)
      const hs = types.indexOf('history-start')
      const he = types.indexOf('history-end')
      assert.ok(hs >= 0 && he > hs, types.join(','))
      assert.ok(types.indexOf('observation') > hs, 'no observation before the history starts')
      // the backfill's observations are inside the history; the stream's after it
      const obs = events.filter((e): e is Extract<RoundEvent, {type: 'observation'}> => e.type === 'observation')
      const inHistory = events.slice(hs, he).filter((e) => e.type === 'observation').length
      assert.equal(inHistory, rounds(0, 1).length)
      assert.ok(obs.length >= rounds(0, 3).length, `${obs.length}`)
      assert.ok(obs.every((e) => e.complete === true && e.observation.vantageId === e.vantage.id))
      assert.ok(obs.slice(inHistory).some((e) => typeof e.arrivedAt === 'number'), 'stream results carry their arrival time')
      // per probe: started once, before its first observation; ended once, last
      const ids = new Set(obs.map((e) => e.vantage.id))
      assert.equal(ids.size, 40)
      for (const id of ids) {
        const at = (t: string): number[] => events.flatMap((e, i) => (e.type === t && 'vantage' in e && e.vantage.id === id ? [i] : []))
        assert.equal(at('started').length, 1, id)
        assert.equal(at('ended').length, 1, id)
        assert.ok(at('started')[0]! < at('observation')[0]! && at('ended')[0]! > at('observation').at(-1)!, id)
      }
      // the probes' metadata (listed by the measurement): country, ASN and tags as 'vantage' events
      const v = events.find((e): e is Extract<RoundEvent, {type: 'vantage'}> => e.type === 'vantage' && e.vantage.id === 'atlas:1001')
      assert.equal(v?.vantage.country, 'NL')
      assert.deepEqual(v?.tags, ['system-ipv4-works', 'home'])
      const notes = events.flatMap((e) => (e.type === 'note' ? [e.text] : []))
      assert.match(notes.join('\n'), /following RIPE Atlas measurement 7101001 \(dns of 193\.0\.14\.129 every 240s, 40 probes\).*flap window 240 min/)
      assert.match(notes.join('\n'), /give the starting state of 40 probe\(s\); following the stream/)
      assert.equal(srv.requests.filter((r) => r.method !== 'GET').length, 0)
    } finally {
      await srv.close()
    }
  })

  it('rounds() without schedule() first (the plan alone says what to watch): its schedule notes come as note events, then the same stream', async () => {
    const {srv, backend} = await followed()
    try {
      const signal = new AbortController().signal
      const plan: RoundsPlan = {method: 'dns', target: '193.0.14.129', cliArgs: [], intervalMs: 60_000, flows: 1, timeoutMs: 60_000, startAt: Date.now(), count: null, durationMs: 1500, flapWindowMs: 3_600_000}
      const events: RoundEvent[] = []
      for await (const e of backend.rounds(plan, {signal})) events.push(e)
      assert.equal(events[0]?.type, 'note')
      assert.match((events[0] as {text: string}).text, /--interval is ignored: measurement 7101001 runs every 240 s/)
      assert.ok(events.filter((e) => e.type === 'observation').length >= rounds(0, 3).length)
      assert.equal(new Set(events.flatMap((e) => (e.type === 'ended' ? [e.vantage.id] : []))).size, 40)
    } finally {
      await srv.close()
    }
  })

  it('a new measurement: schedule prices it and creates nothing; rounds() creates it, follows it and stops it; a stop that fails is a failed note and exit 1', async () => {
    const KEY = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
    const srv = await startAtlasReplay({
      routes: [
        {method: 'POST', path: 'measurements/', status: 201, body: {measurements: [MSM]}},
        {method: 'DELETE', path: `measurements/${MSM}/`, status: 204, times: 1},
        {method: 'DELETE', path: `measurements/${MSM}/`, status: 403, body: {error: {status: 403, detail: 'not yours'}}},
        {path: `measurements/${MSM}/results/`, body: []},
        {path: 'probes/', body: probeObjects()},
      ],
      stream: {results: {[MSM]: rounds(0, 1)}, delayMs: 1},
    })
    try {
      const make = (): AtlasBackend => new AtlasBackend('country=NL,n=40', {apiUrl: srv.url, streamUrl: srv.streamUrl, key: KEY, env: {}, configFile: '/nonexistent-anyprobe-test/config.json'})
      const dry = await make().schedule(ask({intervalMs: 300_000, dryRun: true}), {signal: new AbortController().signal})
      assert.equal(dry.dryRun?.document.kind, 'atlas-watch-dry-run')
      assert.match(dry.dryRun!.text, /"interval": 300/)
      assert.equal(srv.requests.length, 0, 'schedule() sends nothing for a new measurement')

      const {events} = await collect(make(), ask(), 1500)
      const notes = events.flatMap((e) => (e.type === 'note' ? [e.text] : []))
      assert.match(notes[0]!, /creating a dns measurement of 193\.0\.14\.129 every 240s: about 6000 credits per hour/)
      assert.match(notes.at(-1)!, /measurement 7101001 stopped/)
      assert.ok(events.some((e) => e.type === 'observation'))
      assert.deepEqual(srv.requests.filter((r) => r.method !== 'GET').map((r) => r.method), ['POST', 'DELETE'])

      // the second DELETE is refused: said as a failed note, and the watch (same path as the command)
      // exits 6 (an API that would not do what was asked; 1 is a bug) with its summary
      const stdout: string[] = []
      const stderr: string[] = []
      const end = await runWatch([make()], options({stdout, stderr, ask: ask({durationMs: 1500})}))
      assert.ok(!('dryRun' in end))
      assert.equal(end.exitCode, 6)
      assert.match(stderr.join('\n'), /error: could not stop measurement 7101001 .*stop it on atlas\.ripe\.net/)
      assert.equal(end.summary.type, 'summary')
      assert.ok(end.summary.vantagePoints.length > 0)
    } finally {
      await srv.close()
    }
  })
})

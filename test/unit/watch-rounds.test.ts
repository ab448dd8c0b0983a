// VantageBackend.rounds for local/netns/ssh and the session's side of the contract (model/probe.ts):
// a failed child is said at once, then reports unanswered rounds (an outage); 'round' is passed on
// only when every backend has said it; the session stops the watch when every vantage point is down.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {RoundEvent, RoundsPlan} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {mergeRounds} from '../../src/vantage/live/merge.js'
import {NetnsBackend} from '../../src/vantage/netns.js'
import {WatchSession} from '../../src/watch/session.js'

const vp = (id: string): VantagePoint => ({kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null})

async function* from(events: RoundEvent[], delayMs = 0): AsyncIterable<RoundEvent> {
  for (const e of events) {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
    yield e
  }
}

async function collect(it: AsyncIterable<RoundEvent>): Promise<RoundEvent[]> {
  const out: RoundEvent[] = []
  for await (const e of it) out.push(e)
  return out
}

const plan = (over: Partial<RoundsPlan> = {}): RoundsPlan => ({
  method: 'dns',
  target: '127.0.0.1',
  cliArgs: ['watch', '127.0.0.1'],
  intervalMs: 20,
  flows: 1,
  timeoutMs: 50,
  startAt: Date.now() + 10,
  count: null,
  durationMs: null,
  ...over,
})

describe('mergeRounds', () => {
  it('passes round r on only once every backend has said it (or ended)', async () => {
    const a = from([{type: 'round', round: 0}, {type: 'round', round: 1}, {type: 'round', round: 2}])
    const b = from([{type: 'started', vantage: vp('b')}, {type: 'round', round: 0}], 5)
    const rounds = (await collect(mergeRounds([a, b]))).filter((e) => e.type === 'round').map((e) => (e as {round: number}).round)
    // b said round 0, then ended: rounds 0 and then 2 (everything a said) — never 1 or 2 before b said 0
    assert.deepEqual(rounds, [0, 2])
  })

  it('a backend that never says rounds holds them back until it ends', async () => {
    const a = from([{type: 'round', round: 0}, {type: 'round', round: 1}])
    const b = from([{type: 'started', vantage: vp('b')}, {type: 'ended', vantage: vp('b'), error: null}], 10)
    const ev = await collect(mergeRounds([a, b]))
    const firstRound = ev.findIndex((e) => e.type === 'round')
    const ended = ev.findIndex((e) => e.type === 'ended')
    assert.ok(firstRound > ended, `round before the silent backend ended: ${JSON.stringify(ev)}`)
    assert.deepEqual(ev.filter((e) => e.type === 'round'), [{type: 'round', round: 1}])
  })
})

describe('ChildBackend.rounds (netns with a wrapper that fails)', () => {
  it('a child that cannot run: started, failed at once with an E_VP_ code, then unanswered rounds with that code, ended with the error', async () => {
    // the "ip netns exec" wrapper is a shell that fails at once, as a missing namespace would
    const backend = new NetnsBackend([{kind: 'netns', name: 'ap-none'}], {ipCommand: ['sh', '-c', 'echo "Cannot open network namespace" >&2; exit 1', 'sh']})
    const stop = new AbortController()
    const events = await collect(backend.rounds(plan({count: 3}), {signal: stop.signal}))
    const types = events.map((e) => e.type)
    assert.equal(types[0], 'started')
    const failed = events.find((e) => e.type === 'failed') as Extract<RoundEvent, {type: 'failed'}> | undefined
    assert.ok(failed, `no failed event: ${types.join(',')}`)
    assert.match(String(failed.error.code), /^E_VP_/)
    const obs = events.filter((e) => e.type === 'observation') as Array<Extract<RoundEvent, {type: 'observation'}>>
    assert.equal(obs.length, 3, '--count rounds of it after the failure')
    for (const o of obs) {
      assert.equal(o.observation.answered, false)
      assert.equal(o.observation.error, failed.error.code)
      assert.equal(o.observation.vantageId, 'ap-none')
    }
    assert.ok(types.indexOf('failed') < types.indexOf('observation'), 'said before its down rounds')
    const ended = events.at(-1) as Extract<RoundEvent, {type: 'ended'}>
    assert.equal(ended.type, 'ended')
    assert.equal(ended.error?.code, failed.error.code)
  })
})

describe('WatchSession.consume', () => {
  const start: WatchStart = {
    schemaVersion: WATCH_SCHEMA_VERSION,
    kind: 'watch-start',
    at: new Date(0).toISOString(),
    target: '127.0.0.1',
    method: 'dns',
    intervalMs: 100,
    flows: 1,
    flapThreshold: 3,
    flapWindowMs: 60_000,
    outageAfter: 2,
    reorderRounds: 2,
  }
  const down = (id: string, round: number): RoundEvent => ({
    type: 'observation',
    vantage: vp(id),
    observation: {vantageId: id, round, flow: 0, sentAt: round * 100, receivedAt: null, rttMs: null, pop: null, answered: false, error: 'E_VP_NETNS'},
  })
  const up = (id: string, round: number): RoundEvent => ({
    type: 'observation',
    vantage: vp(id),
    observation: {vantageId: id, round, flow: 0, sentAt: round * 100, receivedAt: round * 100 + 5, rttMs: 5, pop: 'FRA', answered: true},
  })
  const failed = (id: string): RoundEvent => ({type: 'failed', vantage: vp(id), error: {code: 'E_VP_NETNS', message: 'no such namespace', hint: null}})

  async function run(events: RoundEvent[]): Promise<{reports: string[]; allDownAt: number | null; exit: number | undefined}> {
    const reports: string[] = []
    const session = await WatchSession.open({start, json: true, write: () => {}, tty: false, report: (l) => reports.push(l), extras: {}})
    let seen = 0
    let allDownAt: number | null = null
    const counted = async function* (): AsyncIterable<RoundEvent> {
      for (const e of events) {
        seen++
        yield e
      }
    }
    await session.consume(counted(), {onAllDown: () => (allDownAt ??= seen)})
    const end = await session.finish('test')
    return {reports, allDownAt, exit: end.exitCode}
  }

  it('every vantage point failed and seen as an outage: asks to stop, says each failure once', async () => {
    const r = await run([{type: 'started', vantage: vp('a')}, {type: 'started', vantage: vp('b')}, failed('a'), failed('b'), down('a', 0), down('b', 0), down('a', 1), down('b', 1), {type: 'ended', vantage: vp('a'), error: {code: 'E_VP_NETNS', message: 'x', hint: null}}])
    assert.equal(r.allDownAt, 8, 'stop once both have outageAfter unanswered rounds')
    assert.equal(r.reports.filter((l) => l.startsWith('error E_VP_NETNS at vantage point a')).length, 1)
    assert.match(r.reports.find((l) => l.includes('vantage point a'))!, /the other vantage points go on/)
    assert.doesNotMatch(r.reports.find((l) => l.includes('vantage point b'))!, /go on/)
    assert.equal(r.exit, 6, 'no vantage point could be used (no such namespace): exit 6, not the target\'s 4 (README exit codes)')
  })

  it("a backend that could not measure the last rounds (a Globalping API refusing them): the state at the end is unknown, exit 6, said; measured again at the end: 0", async () => {
    const unmeasured = (id: string, round: number): RoundEvent => ({type: 'unmeasured', vantage: vp(id), round})
    const refused = await run([{type: 'started', vantage: vp('a')}, {type: 'started', vantage: vp('b')}, up('a', 0), up('b', 0), unmeasured('a', 1), unmeasured('b', 1), unmeasured('a', 2), unmeasured('b', 2)])
    assert.equal(refused.exit, 6, refused.reports.join('\n'))
    assert.ok(refused.reports.some((l) => /^warning: the last round of 2 vantage points was not measured \(the backend could not\): the state at the end is unknown \(exit 6\)$/.test(l)), refused.reports.join('\n'))
    const back = await run([{type: 'started', vantage: vp('a')}, up('a', 0), unmeasured('a', 1), up('a', 2), up('a', 3)])
    assert.equal(back.exit, 0, back.reports.join('\n'))
    assert.ok(!back.reports.some((l) => l.includes('was not measured')))
  })

  it('one vantage point still up: never asks to stop', async () => {
    const r = await run([{type: 'started', vantage: vp('a')}, {type: 'started', vantage: vp('b')}, failed('a'), down('a', 0), up('b', 0), down('a', 1), up('b', 1), down('a', 2), up('b', 2)])
    assert.equal(r.allDownAt, null)
  })

  it("a child's stderr line reaches the report, labelled and sanitised", async () => {
    const r = await run([{type: 'started', vantage: vp('a')}, {type: 'message', vantage: vp('a'), text: 'warn \u001b[31mred'}, up('a', 0)])
    assert.ok(r.reports.some((l) => l.startsWith('[a] warn') && !l.includes('\u001b')), r.reports.join('\n'))
  })
})

describe('WatchSession: --locations for --expect and --html', () => {
  it('a vantage point placed by --locations matches a country rule; the unexpected event is on the --html timeline; --out saves it located', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-rounds-'))
    writeFileSync(join(dir, 'locs.txt'), 'a 52.52 13.40 DE\n')
    writeFileSync(join(dir, 'expect.json'), JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'germany stays in AMS', match: {country: 'DE'}, pops: ['AMS']}]}))
    const start: WatchStart = {schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(0).toISOString(), target: '127.0.0.1', method: 'dns', intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 1}
    const printed: string[] = []
    const session = await WatchSession.open({
      start,
      json: true,
      write: () => {},
      tty: false,
      report: () => {},
      out: join(dir, 'out.ndjson'),
      html: join(dir, 'page.html'),
      extras: {locations: join(dir, 'locs.txt'), expect: join(dir, 'expect.json'), for: 1},
      onEvent: (e) => printed.push(e.type),
    })
    const ev = (round: number): RoundEvent => ({type: 'observation', vantage: vp('a'), observation: {vantageId: 'a', round, flow: 0, sentAt: 1_765_000_000_000 + round * 100, receivedAt: 1_765_000_000_005 + round * 100, rttMs: 5, pop: 'FRA', answered: true}})
    await session.consume(from([{type: 'started', vantage: vp('a')}, ev(0), ev(1), ev(2), {type: 'round', round: 2}]))
    await session.finish('test')
    assert.ok(printed.includes('unexpected'), `no unexpected event: ${printed.join(',')}`)
    const html = readFileSync(join(dir, 'page.html'), 'utf8')
    assert.match(html, /germany stays in AMS/, 'the unexpected event is on the timeline')
    const firstObs = readFileSync(join(dir, 'out.ndjson'), 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : null)).find((d) => d?.vantageId === 'a')
    assert.equal(firstObs.vantage.lat, 52.52)
    assert.equal(firstObs.vantage.country, 'DE')
  })
})

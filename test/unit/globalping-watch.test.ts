// watch --from globalping: against the Globalping replay server (127.0.0.1): the same DNS
// measurement repeated from the same three probes (round 0 by location, every later round with
// `locations: <the round before's id>`). Scenario: the Frankfurt probe stays at FRA (offline in round 5:
// one lost round, no event); the Tokyo probe shifts TYO -> SIN at round 3; the Seattle probe fails
// in rounds 2 and 3 (an outage) and answers again in round 4 (recovered). The events must be exactly
// these, after one starting state per probe; the token travels only in the Authorization header.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {LiveWatchEvent} from '../../src/model/expect.js'
import type {WatchSummaryEvent} from '../../src/model/watch.js'
import {checkGlobalpingInterval, GlobalpingBackend} from '../../src/vantage/globalping/index.js'
import {gpAnswered, gpDnsTemplate, type GpEntry, gpTestBackend, gpWatch, gpWatchCli} from '../helpers/globalping-watch.js'
import {type GpReplayServer, type GpRoute, rateHeaders, startGlobalpingReplay} from '../helpers/globalping-replay.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const TOKEN = 'gp-watch-secret-token-0123456789abcdef'
const ROUNDS = 6

type Entry = GpEntry
const template = gpDnsTemplate()
const [fra, tyo, sea] = template.results as [Entry, Entry, Entry]
const answered = gpAnswered
const failed = (e: Entry): Entry => ({probe: e.probe, result: {status: 'failed', rawOutput: ';; connection timed out; no servers could be reached\n'}})
const offline = (e: Entry): Entry => ({probe: e.probe, result: {status: 'offline', rawOutput: ''}})

/** round r's three results */
function roundResults(r: number): Entry[] {
  return [
    r === 5 ? offline(fra) : answered(fra, 'ns1.de-fra.k.ripe.net'),
    answered(tyo, r < 3 ? 'ns2.jp-tyo.k.ripe.net' : 'ns1.sg-sin.k.ripe.net'),
    r === 2 || r === 3 ? failed(sea) : answered(sea, 'ns1.us-sea.k.ripe.net'),
  ]
}

function scenarioRoutes(): GpRoute[] {
  const routes: GpRoute[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const id = `2gpwatch${r}aaaaaaaaaaaaaaaa`
    routes.push({method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, 3, 500, 3 * (r + 1)), body: {id, probesCount: 3}, times: 1})
    routes.push({path: `measurements/${id}`, body: {...template, id, probesCount: 3, limit: 3, results: roundResults(r)}})
  }
  return routes
}

describe('watch --from globalping: (replay server, repeated measurements)', () => {
  let srv: GpReplayServer
  let stdout = ''
  const stderr: string[] = []
  const events: LiveWatchEvent[] = []
  let summary: WatchSummaryEvent
  let exitCode: number | undefined
  let tmp = ''
  let out = ''

  before(async () => {
    srv = await startGlobalpingReplay({routes: scenarioRoutes()})
    tmp = mkdtempSync(join(tmpdir(), 'anyprobe-gp-watch-'))
    out = join(tmp, 'watch.ndjson')
    // the backend, through the one path every watch takes (src/watch/run.ts)
    const end = await gpWatch(gpTestBackend(srv.url, 'DE,JP,US,limit=3', {token: TOKEN}), {count: ROUNDS, intervalMs: 40, out})
    stdout = end.stdout
    stderr.push(...end.stderr)
    events.push(...end.events)
    summary = end.summary
    exitCode = end.exitCode
  })
  after(async () => {
    await srv.close()
    rmSync(tmp, {recursive: true, force: true})
  })

  it('emits exactly the scenario: three starting states, one shift, one outage, one recovery', () => {
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as LiveWatchEvent)
    assert.deepEqual(lines, events)
    const brief = lines.map((e) => (e.type === 'summary' ? 'summary' : `${e.type} ${e.vantageId.split('.').slice(1, 3).join('.')} ${e.round}`))
    assert.deepEqual(brief, ['state DE.Frankfurt 0', 'state JP.Tokyo 0', 'state US.Seattle 0', 'shift JP.Tokyo 3', 'outage US.Seattle 3', 'recovered US.Seattle 4'], JSON.stringify(lines, null, 1))
    const states = lines.filter((e) => e.type === 'state')
    assert.deepEqual(states.map((s) => s.type === 'state' && [s.pop, s.vantage?.country, s.vantage?.asn]), [['DEFRA', 'DE', 24940], ['JPTYO', 'JP', 2516], ['USSEA', 'US', 7922]])
    const shift = lines.find((e) => e.type === 'shift')!
    assert.ok(shift.type === 'shift' && shift.from === 'JPTYO' && shift.to === 'SGSIN')
    for (const e of lines) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    assert.equal(exitCode, 0, stderr.join('\n')) // every probe answered at least once (exit rule: model/exit.ts)
  })

  it('the summary covers every probe, the failed and offline rounds counted as lost', () => {
    assert.equal(summary.vantagePoints.length, 3)
    const by = Object.fromEntries(summary.vantagePoints.map((v) => [v.vantageId.split('.')[2], v]))
    assert.equal(by.Frankfurt!.lost, 1)
    assert.equal(by.Seattle!.lost, 2)
    assert.equal(by.Tokyo!.pop, 'SGSIN')
    assert.equal(summary.observations, 3 * ROUNDS)
  })

  it('round 0 selects the probes; every later round reuses them by the round before\'s measurement id (never one that ages past 7 days)', () => {
    const posts = srv.requests.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body) as {locations: unknown; limit?: number; type: string})
    assert.equal(posts.length, ROUNDS)
    assert.deepEqual(posts[0]!.locations, [{magic: 'DE'}, {magic: 'JP'}, {magic: 'US'}])
    posts.slice(1).forEach((p, i) => assert.equal(p.locations, `2gpwatch${i}aaaaaaaaaaaaaaaa`))
    assert.ok(posts.every((p) => p.type === 'dns'))
  })

  it('the token travels only in the Authorization header (never in a URL, a body, the output or --out)', () => {
    assert.ok(srv.requests.length >= 2 * ROUNDS)
    for (const r of srv.requests) {
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`)
      assert.ok(!r.url.includes(TOKEN) && !r.body.includes(TOKEN))
      for (const [k, v] of Object.entries(r.headers)) if (k !== 'authorization') assert.ok(!String(v).includes(TOKEN), k)
    }
    assert.ok(!stdout.includes(TOKEN) && !stderr.join('\n').includes(TOKEN))
    assert.ok(!readFileSync(out, 'utf8').includes(TOKEN))
  })

  it('--out holds the start line and every observation, and `report` replays it to the same events', async () => {
    const saved = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {kind?: string})
    assert.equal(saved[0]!.kind, 'watch-start')
    assert.equal(saved.length, 1 + 3 * ROUNDS)
    for (const l of saved) assert.deepEqual(schemaErrors('watch-out.schema.json', l), [], JSON.stringify(l))
    const rep = await runCommand('report', [out, '--json'])
    assert.equal(rep.status, 0, rep.stderr)
    const replayed = rep.stdout.trim().split('\n').map((l) => JSON.parse(l) as LiveWatchEvent)
    const strip = (xs: LiveWatchEvent[]): string[] => xs.flatMap((e) => (e.type === 'state' || e.type === 'summary' ? [] : [`${e.type} ${e.vantageId} ${e.round}`]))
    assert.deepEqual(strip(replayed), strip(events))
  })
})

describe('watch --from globalping: the interval the rate limit sustains', () => {
  it('is 3600 s x probes / limit: 43.2 s for 3 probes without a token, 21.6 s with one', () => {
    assert.equal(checkGlobalpingInterval(3, false, undefined), 43_200)
    assert.equal(checkGlobalpingInterval(3, true, undefined), 21_600)
    assert.equal(checkGlobalpingInterval(3, false, 60_000), 60_000)
    assert.throws(() => checkGlobalpingInterval(10, false, 60_000), (e: Error & {code?: string}) => e.code === 'E_USAGE' && /144s at the fastest/.test(e.message))
  })

  it('the CLI refuses a faster --interval with the figure (E_USAGE, exit 2) and sends nothing', async () => {
    const srv = await startGlobalpingReplay({routes: scenarioRoutes()})
    try {
      const r = await gpWatchCli(srv.url, ['193.0.14.129', '--from', 'globalping:DE,JP,limit=10', '--interval', '30s'])
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /error E_USAGE: --interval 30s is faster than Globalping allows for 10 probe\(s\).*one round every 144s at the fastest/)
      assert.match(r.stderr, /hint: use --interval 144s or more/)
      assert.equal(srv.requests.length, 0)
    } finally {
      await srv.close()
    }
  })

  it('the CLI runs a round at the sustainable pace by default (--count 1: one measurement)', async () => {
    const srv = await startGlobalpingReplay({routes: scenarioRoutes()})
    try {
      const r = await gpWatchCli(srv.url, ['193.0.14.129', '--from', 'globalping:DE,JP,US,limit=3', '--count', '1', '--json'], TOKEN)
      assert.equal(r.status, 0, r.stderr)
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as LiveWatchEvent)
      assert.deepEqual(lines.map((e) => e.type), ['state', 'state', 'state', 'summary'])
      assert.match(r.stderr, /from 3 Globalping probe\(s\) .* every 21\.6s/)
      assert.equal(srv.requests.filter((x) => x.method === 'POST').length, 1)
    } finally {
      await srv.close()
    }
  })

  it('a --location name that matches no probe of the watch is a warning naming it (as report, diff and catchment say); one that matches is not', async () => {
    const srv = await startGlobalpingReplay({routes: scenarioRoutes()})
    try {
      const r = await gpWatchCli(srv.url, ['193.0.14.129', '--from', 'globalping:DE,JP,US,limit=3', '--count', '1', '--json', '--location', '2.JP.Tokyo.AS2516=TYO', '--location', '2.JP.Tokio.AS2516=TYO'], TOKEN)
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stderr, /warning: --location \/ --locations name 2\.JP\.Tokio\.AS2516 matched no vantage point and placed nothing \(the 3 vantage points are 1\.DE\.Frankfurt\.AS24940, 2\.JP\.Tokyo\.AS2516, 3\.US\.Seattle\.AS7922\)/)
      assert.doesNotMatch(r.stderr, /name 2\.JP\.Tokyo\.AS2516 matched no/)
    } finally {
      await srv.close()
    }
  })
})

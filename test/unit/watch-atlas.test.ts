// watch --from atlas: --atlas-msm against the Atlas replay server (REST + WebSocket stream on
// 127.0.0.1): a recurring DNS measurement of 40 probes (test/helpers/atlas-watch-scenario.ts) with
// steady probes, probes that move once, a failover, a flapping probe, probes that go dark, and the
// stream dropped after round 4 and resumed at round 6 (round 5 only in the API). The events must be
// exactly the scenario's; the summary covers every probe; the stream never receives the key.
import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {after, before, describe, it} from 'node:test'

import {type ReplayServer, startAtlasReplay} from '../helpers/atlas-replay.js'
import {measurementObject, MSM, probeObjects, PROBES, rounds} from '../helpers/atlas-watch-scenario.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const KEY = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'

async function scenarioServer(): Promise<{srv: ReplayServer; restCalls: Array<Record<string, string>>}> {
  let dropped = false
  const restCalls: Array<Record<string, string>> = []
  // what the API has stored: rounds 0-1 at first; rounds 2-5 once the first connection is gone
  const stored = (): Array<Record<string, unknown>> => (dropped ? rounds(0, 5) : rounds(0, 1))
  const srv = await startAtlasReplay({
    routes: [
      {path: `measurements/${MSM}/`, body: measurementObject()},
      {
        path: `measurements/${MSM}/results/`,
        body: (q: Record<string, string>) => {
          restCalls.push(q)
          const start = Number(q.start ?? 0)
          // the first call is the backfill (since now - one interval): the scenario's rounds 0-1 stand for it
          return restCalls.length === 1 ? stored() : stored().filter((r) => (r.timestamp as number) >= start)
        },
      },
      {path: 'probes/', body: probeObjects()},
    ],
    stream: {
      results: {},
      delayMs: 1,
      perConnection: {
        // connection 0 repeats the end of round 1 (already known from the API), then rounds 2-4, and drops
        [MSM]: [[...rounds(1, 1).slice(-5), ...rounds(2, 4)], rounds(6, 11)],
      },
      onConnectionEnd: () => {
        dropped = true
      },
    },
  })
  return {srv, restCalls}
}

describe('watch --from atlas: --atlas-msm (replay server)', () => {
  let srv: ReplayServer
  let restCalls: Array<Record<string, string>>
  let out: {status: number | null; stdout: string; stderr: string}
  let outFile = ''
  const saved = {...process.env}

  before(async () => {
    ;({srv, restCalls} = await scenarioServer())
    process.env.ANYPROBE_ATLAS_URL = srv.url
    process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
    delete process.env.ANYPROBE_ATLAS_KEY
    process.env.XDG_CONFIG_HOME = '/nonexistent-anyprobe-test'
    outFile = `${mkdtempSync(`${tmpdir()}/anyprobe-atlas-watch-`)}/watch.ndjson`
    out = await runCommand('watch', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', String(MSM), '--json', '--duration', '6s', '--out', outFile])
  })
  after(async () => {
    process.env = saved
    await srv.close()
  })

  it('reports exactly the scenario: starting states, shifts, a failover, a flap, outages and a recovery', () => {
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l))
    // 1037-1039 are in an outage when the watch ends: not answered at the end, so exit 9, said on stderr
    assert.ok(out.status === 9 || out.status === 1, out.stderr)
    if (out.status === 9) assert.match(out.stderr, /warning: 3 vantage point\(s\) in an outage when the watch ended \(exit 9\): atlas:1037, atlas:1038, atlas:1039/)
    const states = lines.filter((e) => e.type === 'state')
    // every probe's starting state first, with its country and ASN
    assert.equal(states.length, 40)
    assert.deepEqual(lines.slice(0, 40).map((e) => e.type), Array(40).fill('state'))
    assert.ok(states.every((s) => typeof s.vantage.country === 'string' && typeof s.vantage.asn === 'number'))
    assert.equal(states.find((s) => s.vantageId === 'atlas:1016').pop, 'DEFRA')
    const events = lines.filter((e) => e.type !== 'state' && e.type !== 'summary').map((e) => `${e.type} ${e.vantageId} ${e.round}${e.type === 'shift' ? ` ${e.from}->${e.to}` : ''}`)
    const expected = [
      ...[1031, 1032, 1033, 1034, 1035].map((p) => `shift atlas:${p} 6 NLAMS->DEFRA`),
      'failover atlas:1035 6',
      'shift atlas:1036 4 NLAMS->GBLON',
      'shift atlas:1036 5 GBLON->NLAMS',
      'shift atlas:1036 6 NLAMS->GBLON',
      'flap atlas:1036 6',
      'shift atlas:1036 7 GBLON->NLAMS',
      'shift atlas:1036 8 NLAMS->GBLON',
      'shift atlas:1036 9 GBLON->NLAMS',
      'outage atlas:1037 7',
      'outage atlas:1038 7',
      'outage atlas:1039 8',
      'outage atlas:1040 5',
      'recovered atlas:1040 7',
    ]
    assert.deepEqual([...events].sort(), [...expected].sort())
    for (const e of lines) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e).slice(0, 200))
    const failover = lines.find((e) => e.type === 'failover')
    assert.equal(failover.resolutionMs, 240_000)
    assert.equal(failover.lostProbes, 1)
  })

  it('the summary covers every probe, and nothing was counted twice', () => {
    const summary = JSON.parse(out.stdout.trim().split('\n').at(-1)!)
    assert.equal(summary.type, 'summary')
    assert.deepEqual(summary.vantagePoints.map((v: {vantageId: string}) => v.vantageId).sort(), PROBES.map((p) => `atlas:${p}`).sort())
    assert.equal(summary.duplicates, 0)
    assert.equal(summary.late, 0)
    // every result of rounds 0-11 reached the analysis once (round 5 through the API after the drop)
    const answeredOrTimedOut = rounds(0, 11).length
    const fromResults = summary.vantagePoints.reduce((n: number, v: {answered: number; lost: number}) => n + v.answered + v.lost, 0)
    const silent = 2 * 6 + 3 // 1037/1038 rounds 6-11 (as far as the clock says they are due), 1040 rounds 4-6
    assert.ok(fromResults >= answeredOrTimedOut + 3 && fromResults <= answeredOrTimedOut + silent, `${fromResults} vs ${answeredOrTimedOut}`)
    assert.equal(summary.vantagePoints.find((v: {vantageId: string}) => v.vantageId === 'atlas:1001').answered, 12)
  })

  it('--out is replayable: report finds the same events from the saved observations', async () => {
    const r = await runCommand('report', [outFile, '--json'])
    // judged as the live watch: 1037-1039 in an outage at the end, so exit 9 with the same warning
    assert.equal(r.status, 9, r.stderr)
    assert.match(r.stderr, /warning: 3 vantage point\(s\) in an outage when the watch ended \(exit 9\): atlas:1037, atlas:1038, atlas:1039/)
    const key = (e: {type: string; vantageId?: string; round?: number}): string => `${e.type} ${e.vantageId} ${e.round}`
    const live = out.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type !== 'state' && e.type !== 'summary').map(key).sort()
    const replayed = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.kind === 'watch-event' && e.type !== 'state' && e.type !== 'summary').map(key).sort()
    assert.deepEqual(replayed, live)
    // a starting state for every probe too: the live watch takes each from the probe's LAST result
    // of the history it replays first, and the file marks that history (watch-history-start/-end
    // lines), so report states each probe the same way
    const states = (text: string): string[] => text.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'state').map((e) => `${e.vantageId} ${e.pop}`)
    assert.equal(states(out.stdout).length, 40)
    assert.deepEqual(states(r.stdout), states(out.stdout))
    const {readFileSync} = await import('node:fs')
    const saved = readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    for (const l of saved) assert.deepEqual(schemaErrors('watch-out.schema.json', l), [], JSON.stringify(l).slice(0, 200))
    assert.equal(saved[0].kind, 'watch-start')
    assert.equal(saved[0].intervalMs, 240_000)
    // the probe's country and ASN ride on its first observation
    assert.equal(saved.find((l) => l.vantageId === 'atlas:1002').vantage.country, 'DE')
  })

  it('reconnected after the drop and filled the gap from results/?start=', () => {
    assert.equal(srv.streamConnections.length, 2)
    assert.match(out.stderr, /stream dropped/)
    assert.ok(restCalls.length >= 3, JSON.stringify(restCalls))
    assert.ok(restCalls.every((q) => /^\d+$/.test(q.start ?? '')))
  })

  it('the stream got the subscription only: no key (none was set), nothing else', () => {
    for (const c of srv.streamConnections) {
      assert.deepEqual(c.messages.map((m) => JSON.parse(m)), [['atlas_subscribe', {streamType: 'result', msm: MSM}]])
      assert.equal(c.headers.authorization, undefined)
    }
    assert.ok(srv.requests.every((r) => r.headers.authorization === undefined))
  })
})

describe('watch --from atlas: with a key set', () => {
  it('sends the key to the REST API only, never to the stream', async () => {
    const {srv} = await scenarioServer()
    const saved = {...process.env}
    try {
      process.env.ANYPROBE_ATLAS_URL = srv.url
      process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
      process.env.ANYPROBE_ATLAS_KEY = KEY
      const out = await runCommand('watch', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', String(MSM), '--json', '--duration', '2500ms'])
      assert.ok(out.stdout.includes('"type":"state"'), out.stderr)
      assert.ok(srv.streamConnections.length >= 1)
      for (const c of srv.streamConnections) {
        assert.ok(!JSON.stringify(c).includes(KEY))
        assert.ok(!c.url.includes(KEY))
      }
      assert.ok(srv.requests.every((r) => r.headers.authorization === `Key ${KEY}` && !r.url.includes(KEY)))
    } finally {
      process.env = saved
      await srv.close()
    }
  })
})

describe('watch --from atlas:SELECTOR creates a periodic measurement', () => {
  async function createServer(): Promise<ReplayServer> {
    return startAtlasReplay({
      routes: [
        {method: 'POST', path: 'measurements/', status: 201, body: {measurements: [MSM]}},
        {method: 'DELETE', path: `measurements/${MSM}/`, status: 204},
        {path: `measurements/${MSM}/results/`, body: []},
        {path: 'probes/', body: probeObjects()},
      ],
      stream: {results: {[MSM]: rounds(0, 3)}, delayMs: 1},
    })
  }
  async function run(srv: ReplayServer, args: string[], key: string | null): Promise<{status: number | null; stdout: string; stderr: string}> {
    const saved = {...process.env}
    try {
      process.env.ANYPROBE_ATLAS_URL = srv.url
      process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
      process.env.XDG_CONFIG_HOME = '/nonexistent-anyprobe-test'
      if (key === null) delete process.env.ANYPROBE_ATLAS_KEY
      else process.env.ANYPROBE_ATLAS_KEY = key
      return await runCommand('watch', ['193.0.14.129', '--from', 'atlas:country=NL,n=40', '--method', 'dns', '--interval', '4m', '--json', ...args])
    } finally {
      process.env = saved
    }
  }

  it('shows the cost, creates it (CHAOS hostname.bind + NSID, every 240 s), follows it, and stops it at the end', async () => {
    const srv = await createServer()
    try {
      const out = await run(srv, ['--duration', '2500ms'], KEY)
      assert.match(out.stderr, /about 6000 credits per hour, 144000 per day/)
      const post = srv.requests.find((r) => r.method === 'POST')!
      const body = JSON.parse(post.body)
      assert.equal(body.is_oneoff, false)
      assert.deepEqual(
        {interval: body.definitions[0].interval, qc: body.definitions[0].query_class, qa: body.definitions[0].query_argument, nsid: body.definitions[0].set_nsid_bit, target: body.definitions[0].target},
        {interval: 240, qc: 'CHAOS', qa: 'hostname.bind', nsid: true, target: '193.0.14.129'},
      )
      assert.deepEqual(body.probes, [{type: 'country', value: 'NL', requested: 40}])
      const del = srv.requests.filter((r) => r.method === 'DELETE')
      assert.equal(del.length, 1)
      assert.equal(del[0]!.headers.authorization, `Key ${KEY}`)
      assert.match(out.stderr, new RegExp(`measurement ${MSM} stopped`))
      const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l))
      assert.equal(lines.filter((e) => e.type === 'state').length, 40)
      assert.equal(lines.at(-1).type, 'summary')
      for (const c of srv.streamConnections) assert.ok(!JSON.stringify(c).includes(KEY))
    } finally {
      await srv.close()
    }
  })

  it('--keep leaves it running and prints its id; without a key nothing is created', async () => {
    const srv = await createServer()
    try {
      const kept = await run(srv, ['--duration', '1500ms', '--keep'], KEY)
      assert.equal(srv.requests.filter((r) => r.method === 'DELETE').length, 0)
      assert.match(kept.stderr, new RegExp(`measurement ${MSM} keeps running .*--atlas-msm ${MSM}`))
      const before = srv.requests.length
      const nokey = await run(srv, ['--duration', '1s'], null)
      assert.equal(nokey.status, 2)
      assert.match(nokey.stdout, /needs an API key/)
      assert.equal(srv.requests.length, before)
    } finally {
      await srv.close()
    }
  })
})

describe('watch --from atlas: refuses what it cannot honour, before anything is sent', () => {
  it('--failover, --flows, --timeout, --port (the local probers\' flags), and --dry-run of an existing measurement: exit 2 with a hint, no request', async () => {
    const srv = await startAtlasReplay({routes: [{method: 'POST', path: 'measurements/', status: 201, body: {measurements: [MSM]}}]})
    const saved = {...process.env}
    try {
      process.env.ANYPROBE_ATLAS_URL = srv.url
      process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
      process.env.XDG_CONFIG_HOME = '/nonexistent-anyprobe-test'
      process.env.ANYPROBE_ATLAS_KEY = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
      const base = ['193.0.14.129', '--from', 'atlas:country=NL,n=40', '--method', 'dns', '--json', '--duration', '2s']
      for (const extra of [['--failover'], ['--flows', '4'], ['--timeout', '2s'], ['--port', '5353']]) {
        const r = await runCommand('watch', [...base, ...extra])
        assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`)
        const e = JSON.parse(r.stdout) as {error: {code: string; message: string; hint: string}}
        assert.equal(e.error.code, 'E_USAGE')
        assert.match(e.error.message, new RegExp(`${extra[0]}.* not reach RIPE Atlas`))
        assert.ok(e.error.hint.length > 0)
      }
      const dry = await runCommand('watch', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', String(MSM), '--dry-run', '--json'])
      assert.equal(dry.status, 2, dry.stderr)
      assert.match(dry.stdout, /following measurement 7101001 creates and spends nothing/)
      assert.deepEqual(srv.requests, [], 'nothing was sent')
    } finally {
      process.env = saved
      await srv.close()
    }
  })
})

describe('catchment --expect (one-shot)', () => {
  it('exits 8 with the list when a vantage point breaks a rule, 0 when all keep them', async () => {
    const {mkdtempSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {standardRoutes} = await import('../helpers/atlas-replay.js')
    const dir = mkdtempSync(`${tmpdir()}/anyprobe-expect-`)
    const srv = await startAtlasReplay({routes: standardRoutes()})
    const saved = {...process.env}
    try {
      process.env.ANYPROBE_ATLAS_URL = srv.url
      process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
      delete process.env.ANYPROBE_ATLAS_KEY
      // K-root from probe 6036 lands in Helsinki (ns1.fi-hel.k.ripe.net)
      writeFileSync(`${dir}/bad.json`, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'stay in Amsterdam', match: {probe: 6036}, pops: ['NLAMS']}]}))
      writeFileSync(`${dir}/good.json`, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'never Sydney', notPops: ['SYD']}]}))
      const bad = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386', '--method', 'dns', '--expect', `${dir}/bad.json`])
      assert.equal(bad.status, 8, bad.stderr)
      assert.match(bad.stderr, /1 vantage point\(s\) break the rules .*\n {2}atlas:6036 at \S+: stay in Amsterdam: landed on \S+; allowed: NLAMS/)
      const good = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386', '--method', 'dns', '--expect', `${dir}/good.json`])
      assert.equal(good.status, 0, good.stderr)
      writeFileSync(`${dir}/broken.json`, '{"kind":"expect","schemaVersion":1,"rules":[{"match":{"town":"x"},"pops":["A"]}]}')
      const refused = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386', '--method', 'dns', '--expect', `${dir}/broken.json`])
      assert.equal(refused.status, 2)
      assert.match(refused.stderr, /unknown field "town"/)
    } finally {
      process.env = saved
      await srv.close()
    }
  })
})

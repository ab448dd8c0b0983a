// RIPE Atlas and Globalping with no network (the new-user review, round 6): a name that does not
// resolve or a network with no route is said at once (one attempt, no back-off), as E_NETWORK exit 6
// with a hint saying what could not be reached, that nothing was created or spent and what to
// check; never as a made-up vantage point row whose "target did not answer" (exit 4). A timeout,
// a refused connection, a 5xx or a 429 is still retried.
//
// No name is ever resolved: node:dns's lookup is replaced, in this process and in the CLI children,
// by one that fails with getaddrinfo's code (EAI_AGAIN is what an offline host, or `unshare -n`,
// gives), and counts its calls; the names used are under .invalid (RFC 6761) besides. Servers are
// on 127.0.0.1 only.
import assert from 'node:assert/strict'
import dns from 'node:dns'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, before, describe, it} from 'node:test'

import {measuredExit} from '../../src/model/exit.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {AtlasClient} from '../../src/vantage/atlas/client.js'
import {AtlasBackend} from '../../src/vantage/atlas/index.js'
import {GlobalpingClient} from '../../src/vantage/globalping/client.js'
import {GlobalpingBackend} from '../../src/vantage/globalping/index.js'
import type {ProbePlan} from '../../src/vantage/types.js'
import {cutResultsRoutes, standardRoutes, startAtlasReplay} from '../helpers/atlas-replay.js'
import {closeServer, listenLoopback} from '../helpers/loopback-server.js'
import {gpFixture, rateHeaders, startGlobalpingReplay} from '../helpers/globalping-replay.js'
import {noNetwork, remoteRunFailure, socketErrorCode} from '../../src/vantage/remote-failure.js'
import {commandScript, runScript} from '../helpers/cli.js'
import {REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'

const ATLAS_URL = 'https://atlas.invalid/api/v2/'
const GP_URL = 'https://globalping.invalid/v1'

/** Replace dns.lookup with one failing with `code`; returns the call count and the restore. */
function offlineLookup(code: string): {calls: () => number; restore: () => void} {
  const real = dns.lookup
  let n = 0
  ;(dns as {lookup: unknown}).lookup = (host: string, o: unknown, cb?: (e: Error) => void): void => {
    n++
    const done = (typeof o === 'function' ? o : cb) as (e: Error) => void
    process.nextTick(() => done(Object.assign(new Error(`getaddrinfo ${code} ${host}`), {code, syscall: 'getaddrinfo', hostname: host})))
  }
  return {calls: () => n, restore: () => ((dns as {lookup: unknown}).lookup = real)}
}

/** The same (and reverse lookups fail too), as the first lines of a CLI child's script: it prints "lookups: N" on stderr at exit. */
const OFFLINE_PRELUDE =
  `const dns = (await import('node:dns')).default; let n = 0;` +
  `dns.lookup = (host, o, cb) => { n++; const done = typeof o === 'function' ? o : cb; process.nextTick(() => done(Object.assign(new Error('getaddrinfo EAI_AGAIN ' + host), {code: 'EAI_AGAIN', syscall: 'getaddrinfo', hostname: host}))) };` +
  `(await import('node:dns/promises')).Resolver.prototype.reverse = async () => { n++; throw Object.assign(new Error('offline'), {code: 'ECONNREFUSED'}) };` +
  `process.on('exit', () => process.stderr.write('lookups: ' + n + '\\n'));`

async function rejection(p: Promise<unknown>): Promise<AnyprobeError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof AnyprobeError, `expected an AnyprobeError, got ${String(e)}`)
    return e
  }
  assert.fail('expected a rejection')
}

const lookups = (stderr: string): number => Number(/lookups: (\d+)/.exec(stderr)?.[1] ?? NaN)

describe('no network: the decisions (vantage/remote-failure.ts, model/exit.ts)', () => {
  it('a name that does not resolve or no route is "no network"; a timeout, reset or refusal is not', () => {
    assert.match(noNetwork('EAI_AGAIN', 'atlas.ripe.net') ?? '', /atlas\.ripe\.net did not resolve \(EAI_AGAIN\)/)
    assert.match(noNetwork('ENOTFOUND', 'h') ?? '', /did not resolve/)
    assert.match(noNetwork('ENETUNREACH', 'h') ?? '', /no route to h/)
    assert.match(noNetwork('EHOSTUNREACH', 'h') ?? '', /no route/)
    for (const code of ['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', null]) assert.equal(noNetwork(code, 'h'), null, String(code))
    // connecting to several addresses (happy eyeballs) fails with an AggregateError of them
    assert.equal(socketErrorCode(new AggregateError([Object.assign(new Error('x'), {code: 'ENETUNREACH'})], 'x')), 'ENETUNREACH')
    assert.equal(socketErrorCode(new TypeError('fetch failed', {cause: Object.assign(new Error('x'), {code: 'EAI_AGAIN'})})), 'EAI_AGAIN')
  })

  it("a RIPE Atlas or Globalping backend's own error is the run's; a local, netns or ssh one stays a vantage point's", () => {
    const net = new AnyprobeError('E_NETWORK', 'x', {exitCode: 6})
    assert.equal(remoteRunFailure('atlas:results-of-msm=1', net), net)
    assert.equal(remoteRunFailure('globalping:world,limit=10', net), net)
    const usage = new AnyprobeError('E_USAGE', 'no key', {exitCode: 2})
    assert.equal(remoteRunFailure('atlas:country=NL,n=10', usage), usage)
    assert.equal(remoteRunFailure('netns:a', net), null)
    assert.equal(remoteRunFailure('ssh:h', net), null)
    assert.equal(remoteRunFailure('local', net), null)
    assert.equal(remoteRunFailure('atlas:x', new Error('a bug')), null)
    assert.equal(remoteRunFailure('atlas:x', new AnyprobeError('E_INTERNAL', 'bug')), null)
  })

  it('exit: a service that could not measure beside others wins over 4 and 9, not over an alert or unusable input', () => {
    assert.equal(measuredExit({answered: 0, total: 2, unmeasured: 6}), 6)
    assert.equal(measuredExit({answered: 1, total: 2, unmeasured: 6}), 6)
    assert.equal(measuredExit({answered: 2, total: 2, unmeasured: 2}), 2)
    assert.equal(measuredExit({answered: 1, total: 2, alert: true, unmeasured: 6}), 8)
    assert.equal(measuredExit({answered: 1, total: 2, data: true, unmeasured: 6}), 7)
    assert.equal(measuredExit({answered: 0, total: 2, unmeasured: null}), 4)
  })
})

describe('no network: the clients say so at once', () => {
  for (const code of ['EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH']) {
    it(`RIPE Atlas, ${code}: one attempt, no back-off, E_NETWORK exit 6 with what to check (GET and POST)`, async () => {
      const off = offlineLookup(code)
      const waits: number[] = []
      try {
        const client = new AtlasClient({apiUrl: ATLAS_URL, key: null, maxTries: 5, sleep: async (ms) => void waits.push(ms)})
        const e = await rejection(client.getJson('measurements/1423386/'))
        assert.equal(e.code, 'E_NETWORK')
        assert.equal(e.exitCode, 6)
        assert.match(e.message, /atlas\.invalid/)
        assert.match(e.message, new RegExp(code))
        assert.match(e.hint ?? '', /no measurement was created and no credits were spent/)
        assert.match(e.hint ?? '', /network and DNS/)
        assert.match(e.hint ?? '', /ANYPROBE_ATLAS_URL \(now https:\/\/atlas\.invalid\/api\/v2\/\)/)
        const p = await rejection(new AtlasClient({apiUrl: ATLAS_URL, key: 'k', maxTries: 5, sleep: async (ms) => void waits.push(ms)}).postJson('measurements/', {}))
        assert.equal(p.code, 'E_NETWORK')
        assert.equal(off.calls(), 2, 'one lookup per request: not retried')
        assert.deepEqual(waits, [], 'no back-off')
      } finally {
        off.restore()
      }
    })
  }

  it('Globalping, EAI_AGAIN: E_NETWORK exit 6, the name and what to check, nothing created', async () => {
    const off = offlineLookup('EAI_AGAIN')
    try {
      const e = await rejection(new GlobalpingClient({apiUrl: GP_URL}).createMeasurement({type: 'ping', target: '193.0.14.129', locations: [{magic: 'world'}], limit: 1} as never))
      assert.equal(e.code, 'E_NETWORK')
      assert.equal(e.exitCode, 6)
      assert.match(e.message, /globalping\.invalid did not resolve \(EAI_AGAIN\)/)
      assert.match(e.hint ?? '', /no measurement was created/)
      assert.match(e.hint ?? '', /ANYPROBE_GLOBALPING_URL/)
      assert.equal(off.calls(), 1)
    } finally {
      off.restore()
    }
  })

  describe('what is still retried (127.0.0.1)', () => {
    let srv: Server
    let hits = 0
    before(async () => {
      srv = createServer((_req, res) => {
        hits++
        res.writeHead(hits < 3 ? 503 : 200, {'content-type': 'application/json'}).end(hits < 3 ? '{}' : '{"id": 1}')
      })
      await listenLoopback(srv)
    })
    after(() => closeServer(srv))

    it('a refused connection and a 503 are retried with back-off, as before', async () => {
      const waits: number[] = []
      const sleep = async (ms: number): Promise<void> => void waits.push(ms)
      const refused = await rejection(new AtlasClient({apiUrl: 'http://127.0.0.1:9/api/v2/', maxTries: 3, baseDelayMs: 10, sleep}).getJson('measurements/1/'))
      assert.equal(refused.code, 'E_NETWORK')
      assert.equal(waits.length, 2, 'refused: tried 3 times')
      waits.length = 0
      const port = (srv.address() as AddressInfo).port
      const ok = await new AtlasClient({apiUrl: `http://127.0.0.1:${port}/api/v2/`, maxTries: 5, baseDelayMs: 10, sleep}).getJson<{id: number}>('measurements/1/')
      assert.equal(ok.id, 1)
      assert.equal(waits.length, 2, '503 twice, then the answer')
    })
  })
})

describe('no network: every command says E_NETWORK, exit 6, with no made-up vantage point', () => {
  const saved = {...process.env}
  before(() => {
    process.env.ANYPROBE_ATLAS_URL = ATLAS_URL
    process.env.ANYPROBE_ATLAS_STREAM_URL = 'wss://atlas-stream.invalid/stream/'
    process.env.ANYPROBE_GLOBALPING_URL = GP_URL
    process.env.XDG_CONFIG_HOME = '/nonexistent'
    delete process.env.ANYPROBE_ATLAS_KEY
    delete process.env.ANYPROBE_GLOBALPING_TOKEN
  })
  after(() => {
    process.env = saved
  })

  const cases: Array<[string, string[]]> = [
    ['catchment', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386', '--method', 'dns']],
    ['catchment', ['193.0.14.129', '--from', 'globalping:world', '--method', 'dns']],
    ['dns', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386']],
    ['trace', ['193.0.14.129', '--from', 'globalping:world']],
    ['sites', ['193.0.14.129', '--from', 'globalping:world', '--method', 'dns']],
    ['watch', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '1423386', '--method', 'dns', '--count', '1']],
    ['watch', ['193.0.14.129', '--from', 'globalping:world', '--method', 'dns', '--count', '1']],
  ]
  for (const [command, argv] of cases) {
    it(`${command} ${argv.join(' ')}`, async () => {
      const r = await runScript(OFFLINE_PRELUDE + commandScript(command, argv))
      assert.equal(r.status, 6, r.stdout + r.stderr)
      assert.match(r.stderr, /error E_NETWORK: cannot reach (RIPE Atlas|Globalping) for (GET|POST) \S+: the name \S+\.invalid did not resolve \(EAI_AGAIN\)/)
      assert.match(r.stderr, /hint: nothing was sent to (RIPE Atlas|Globalping), so no measurement was created/)
      assert.doesNotMatch(r.stdout, /FAILED|results-of-msm|globalping:world/, 'no vantage point row stands for the service')
      assert.equal(lookups(r.stderr), 1, 'asked once, not retried')
    })
  }

  it('--json: the error document, exit 6', async () => {
    const r = await runScript(OFFLINE_PRELUDE + commandScript('dns', ['193.0.14.129', '--from', 'globalping:world', '--json']))
    assert.equal(r.status, 6)
    const doc = JSON.parse(r.stdout) as {kind: string; error: {code: string; exitCode: number; hint: string}}
    assert.equal(doc.kind, 'error')
    assert.equal(doc.error.code, 'E_NETWORK')
    assert.equal(doc.error.exitCode, 6)
  })

  it('a RIPE Atlas measurement without a key is E_USAGE exit 2, not a vantage point that did not answer', async () => {
    const r = await runScript(OFFLINE_PRELUDE + commandScript('catchment', ['193.0.14.129', '--from', 'atlas:country=NL', '--method', 'dns']))
    assert.equal(r.status, 2, r.stdout + r.stderr)
    assert.match(r.stderr, /error E_USAGE: creating a RIPE Atlas measurement needs an API key/)
    assert.doesNotMatch(r.stdout, /FAILED/)
  })

  describe('beside a vantage point that measured (here: ssh through the fake ssh, an HTTP server on 127.0.0.1)', () => {
    let srv: Server
    let url = ''
    let undoSsh: () => void
    before(async () => {
      srv = createServer((_req, res) => res.writeHead(200, {'content-type': 'text/plain'}).end('ok\n'))
      url = `http://127.0.0.1:${await listenLoopback(srv)}/`
      undoSsh = withFakeSsh()
    })
    after(() => {
      undoSsh()
      return closeServer(srv)
    })

    for (const command of ['http', 'catchment']) {
      it(`${command}: what ssh measured is kept, the service's error is said, exit 6 (not 0 or 9)`, async () => {
        // the ssh vantage point runs anyprobe from the sources (REMOTE_COMMAND; alone, local is refused --remote-command)
        const from = ['--from', 'ssh:vp-ber', '--from', 'globalping:world', '--remote-command', REMOTE_COMMAND, '--json']
        const argv = command === 'http' ? [url, ...from] : [url, '--method', 'http', ...from]
        const r = await runScript(OFFLINE_PRELUDE + commandScript(command, argv))
        assert.equal(r.status, 6, r.stdout + r.stderr)
        assert.match(r.stderr, /error E_NETWORK: cannot reach Globalping/)
        const doc = JSON.parse(r.stdout) as {outcomes?: Array<{vantage: {kind: string}; result: unknown}>; vantagePoints?: Array<{vantage: {kind: string}; reached: boolean | null}>}
        const rows = doc.outcomes ?? doc.vantagePoints ?? []
        assert.deepEqual(rows.map((o) => o.vantage.kind), ['ssh'], 'the ssh outcome, and no row for Globalping')
      })
    }
  })
})

describe('a measurement created before the failure is named, with how to read it later (replay servers on 127.0.0.1)', () => {
  const plan: ProbePlan = {method: 'dns', target: '193.0.14.129', cliArgs: [], options: {}}
  const drain = async (it: AsyncIterable<unknown>): Promise<void> => {
    for await (const _ of it) void _
  }

  it('RIPE Atlas: created, then the results could not be read: E_NETWORK naming the measurement and --atlas-msm', async () => {
    const srv = await startAtlasReplay({routes: [{method: 'POST', path: 'measurements/', status: 201, fixture: 'create-response.json'}, {path: 'measurements/3606560/results/', status: 502, body: '{}'}]})
    try {
      const b = new AtlasBackend('country=NL,n=2', {
        env: {ANYPROBE_ATLAS_KEY: '5ca1ab1e-0000-4000-8000-00000000beef', ANYPROBE_ATLAS_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'},
        wait: 'poll',
        enrich: false,
        sleep: async () => {},
        clientOptions: {maxTries: 2, baseDelayMs: 1, sleep: async () => {}},
      })
      const e = await rejection(drain(b.run(plan, {concurrency: 1})))
      assert.equal(e.code, 'E_NETWORK')
      assert.equal(e.exitCode, 6)
      assert.match(e.message, /after creating RIPE Atlas measurement 3606560/)
      assert.match(e.hint ?? '', /measurement 3606560 was created and its credits are spent: read its results later with --atlas-msm 3606560/)
      assert.doesNotMatch(e.hint ?? '', /no measurement was created/)
    } finally {
      await srv.close()
    }
  })

  it('Globalping: created, then never readable: E_NETWORK naming the measurement and globalping:msm=', async () => {
    const id = '2gpfail0aaaaaaaaaaaaaaaaa'
    const srv = await startGlobalpingReplay({routes: [{method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, 1), body: {id, probesCount: 1}}, {path: `measurements/${id}`, status: 503, body: {}}]})
    try {
      const b = new GlobalpingBackend('world,limit=1', {env: {ANYPROBE_GLOBALPING_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, configFile: '/nonexistent/c.json', clientOptions: {sleep: async () => {}}})
      const e = await rejection(drain(b.run(plan, {concurrency: 1})))
      assert.equal(e.code, 'E_NETWORK')
      assert.match(e.message, new RegExp(`after creating Globalping measurement ${id}`))
      assert.match(e.hint ?? '', new RegExp(`--from globalping:msm=${id}`))
    } finally {
      await srv.close()
    }
  })

  it('Globalping: every probe still in progress when the API went away is the run\'s error, not every probe failing at the target', async () => {
    const id = '2gpfail1aaaaaaaaaaaaaaaaa'
    const running = gpFixture<{results: Array<{probe: unknown; result: Record<string, unknown>}>} & Record<string, unknown>>('dns-inprogress.json')
    const body = {...running, id, results: running.results.map((r) => ({probe: r.probe, result: {status: 'in-progress', rawOutput: ''}}))}
    const srv = await startGlobalpingReplay({
      routes: [
        {method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, body.results.length), body: {id, probesCount: body.results.length}},
        {path: `measurements/${id}`, body, times: 1},
        {path: `measurements/${id}`, status: 503, body: {}},
      ],
    })
    try {
      const b = new GlobalpingBackend('world,limit=3', {env: {ANYPROBE_GLOBALPING_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, configFile: '/nonexistent/c.json', clientOptions: {sleep: async () => {}}})
      const rows: unknown[] = []
      const e = await rejection(
        (async () => {
          for await (const o of b.run(plan, {concurrency: 1})) rows.push(o)
        })(),
      )
      assert.deepEqual(rows, [], 'no probe row stands for what was never read')
      assert.equal(e.code, 'E_NETWORK')
      assert.match(e.hint ?? '', new RegExp(`--from globalping:msm=${id}`))
    } finally {
      await srv.close()
    }
  })
})

describe('RIPE Atlas results that broke off after some came (replay server on 127.0.0.1)', () => {
  const saved = {...process.env}
  after(() => {
    process.env = saved
  })

  it('catchment --atlas-msm: what came is kept, the break said, and the exit is 7 (not read whole), not 9 or 0', async () => {
    // results cut inside the second result: the first is whole
    const srv = await startAtlasReplay({routes: cutResultsRoutes()})
    try {
      process.env.ANYPROBE_ATLAS_URL = srv.url
      process.env.XDG_CONFIG_HOME = '/nonexistent'
      delete process.env.ANYPROBE_ATLAS_KEY
      const r = await runScript(OFFLINE_PRELUDE + commandScript('catchment', ['194.0.25.10', '--method', 'trace', '--from', 'atlas:', '--atlas-msm', '3606560', '--no-rdns', '--no-asn', '--json']))
      assert.equal(r.status, 7, r.stdout + r.stderr)
      assert.match(r.stderr, /results of measurement 3606560 are incomplete: .*not a complete JSON array/)
      const doc = JSON.parse(r.stdout) as {vantagePoints: Array<{reached: boolean | null; error: {code: string} | null}>}
      assert.ok(doc.vantagePoints.some((v) => v.error === null), 'the whole result is kept')
      assert.equal(lookups(r.stderr), 0, 'no name was looked up')
    } finally {
      await srv.close()
    }
  })
})

describe('what is still retried is said as it happens (replay server on 127.0.0.1)', () => {
  const saved = {...process.env}
  after(() => {
    process.env = saved
  })

  it('catchment --atlas-msm: a 503 says the retry on stderr, then the answer (exit 0)', async () => {
    const srv = await startAtlasReplay()
    try {
      srv.routes.length = 0
      srv.routes.push({path: 'measurements/1423386/', status: 503, body: '{}', times: 1}, ...standardRoutes())
      process.env.ANYPROBE_ATLAS_URL = srv.url
      process.env.XDG_CONFIG_HOME = '/nonexistent'
      delete process.env.ANYPROBE_ATLAS_KEY
      const r = await runScript(OFFLINE_PRELUDE + commandScript('catchment', ['193.0.14.129', '--method', 'dns', '--from', 'atlas:', '--atlas-msm', '1423386', '--json']))
      assert.equal(r.status, 0, r.stdout + r.stderr)
      assert.match(r.stderr, /anyprobe: RIPE Atlas: HTTP 503 on GET \/api\/v2\/measurements\/1423386\/; trying again in \d+\.\d s \(try 2 of 5\)/)
    } finally {
      await srv.close()
    }
  })
})

// The Atlas HTTP client against the replay server on 127.0.0.1: retries (429 with Retry-After, 5xx),
// giving up, auth errors with a hint, pagination, cut-short bodies, and the API key: sent only as
// the Authorization header, never in a URL, a message, a result or an error's JSON.
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {inspect} from 'node:util'

import {AnyprobeError} from '../../src/model/errors.js'
import {AtlasClient, retryAfterMs} from '../../src/vantage/atlas/client.js'
import {configFilePath, loadAtlasConfig, redactSecrets} from '../../src/vantage/atlas/config.js'
import {AtlasBackend} from '../../src/vantage/atlas/index.js'
import type {ProbePlan, VantageOutcome} from '../../src/vantage/types.js'
import {fixture, type ReplayServer, startAtlasReplay} from '../helpers/atlas-replay.js'

const KEY = 'c0ffee00-1234-4abc-9def-5ec12e7a71a5'

function recordingSleep(): {sleep: (ms: number) => Promise<void>; waits: number[]} {
  const waits: number[] = []
  return {waits, sleep: async (ms: number) => void waits.push(ms)}
}

async function rejection(p: Promise<unknown>): Promise<AnyprobeError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof AnyprobeError, `expected an AnyprobeError, got ${inspect(e)}`)
    return e
  }
  assert.fail('expected a rejection')
}

/** Everything an error can show: message, hint, JSON, and util.inspect (cause chain included). */
function everything(e: unknown): string {
  return [String(e), JSON.stringify(e), inspect(e, {depth: 10})].join('\n')
}

describe('Atlas client: retries, errors, pagination (against the replay server)', () => {
  let srv: ReplayServer
  before(async () => {
    srv = await startAtlasReplay({routes: []})
  })
  after(async () => {
    await srv.close()
  })
  const client = (o: Partial<ConstructorParameters<typeof AtlasClient>[0]> = {}): AtlasClient =>
    new AtlasClient({apiUrl: srv.url, key: KEY, baseDelayMs: 10, random: () => 0.5, ...o})

  it('429 then success: waits as long as Retry-After says', async () => {
    srv.routes.length = 0
    srv.routes.push(
      {path: 'measurements/3606560/', status: 429, fixture: 'error-429.json', headers: {'Retry-After': '2'}, times: 1},
      {path: 'measurements/3606560/', fixture: 'measurement-3606560.json'},
    )
    const {sleep, waits} = recordingSleep()
    const m = await client({sleep}).getJson<{id: number}>('measurements/3606560/')
    assert.equal(m.id, 3606560)
    assert.deepEqual(waits, [2000])
  })

  it('5xx retried with exponential backoff, then success', async () => {
    srv.routes.length = 0
    srv.routes.push(
      {path: 'measurements/3606560/', status: 502, fixture: 'error-502.json', times: 1},
      {path: 'measurements/3606560/', status: 503, body: '', times: 1},
      {path: 'measurements/3606560/', status: 500, body: 'oops', times: 1},
      {path: 'measurements/3606560/', fixture: 'measurement-3606560.json'},
    )
    const {sleep, waits} = recordingSleep()
    const m = await client({sleep, baseDelayMs: 100}).getJson<{id: number}>('measurements/3606560/')
    assert.equal(m.id, 3606560)
    // equal jitter with random 0.5: 3/4 of 100, 200, 400
    assert.deepEqual(waits, [75, 150, 300])
  })

  it('5xx until the tries run out: E_NETWORK with a hint, bounded number of requests', async () => {
    srv.routes.length = 0
    srv.routes.push({path: 'measurements/1/', status: 503, fixture: 'error-502.json'})
    const before = srv.requests.length
    const {sleep, waits} = recordingSleep()
    const e = await rejection(client({sleep, maxTries: 4}).getJson('measurements/1/'))
    assert.equal(e.code, 'E_NETWORK')
    assert.match(e.message, /HTTP 503/)
    assert.match(e.hint ?? '', /gave up after 4 tries/)
    assert.equal(srv.requests.length - before, 4)
    assert.equal(waits.length, 3)
  })

  it('a Retry-After longer than the longest wait gives up at once instead of hanging', async () => {
    srv.routes.length = 0
    srv.routes.push({path: 'measurements/2/', status: 429, fixture: 'error-429.json', headers: {'Retry-After': '3600'}})
    const {sleep, waits} = recordingSleep()
    const e = await rejection(client({sleep, maxDelayMs: 60_000}).getJson('measurements/2/'))
    assert.equal(e.code, 'E_NETWORK')
    assert.deepEqual(waits, [])
  })

  it('POST is not retried on a 500 (a measurement may have been created), but is on 429', async () => {
    srv.routes.length = 0
    srv.routes.push({method: 'POST', path: 'measurements/', status: 500, body: '{}'})
    const before = srv.requests.length
    const {sleep} = recordingSleep()
    const e = await rejection(client({sleep}).postJson('measurements/', {}))
    assert.equal(e.code, 'E_NETWORK')
    assert.equal(srv.requests.length - before, 1)
    srv.routes.length = 0
    srv.routes.push({method: 'POST', path: 'measurements/', status: 429, fixture: 'error-429.json', times: 1}, {method: 'POST', path: 'measurements/', status: 201, fixture: 'create-response.json'})
    const r = await client({sleep}).postJson<{measurements: number[]}>('measurements/', {})
    assert.deepEqual(r.measurements, [3606560])
  })

  it('403 and 401: E_USAGE, exit 2, the reason from Atlas and how to set a key', async () => {
    for (const [status, file] of [
      [403, 'error-403-badkey.json'],
      [401, 'error-401.json'],
    ] as const) {
      srv.routes.length = 0
      srv.routes.push({method: 'POST', path: 'measurements/', status, fixture: file})
      const e = await rejection(client().postJson('measurements/', {}))
      assert.equal(e.code, 'E_USAGE')
      assert.equal(e.exitCode, 2)
      assert.match(e.message, new RegExp(`HTTP ${status}`))
      assert.match(e.message, /refused/)
      assert.match(e.hint ?? '', /ANYPROBE_ATLAS_KEY/)
      assert.match(e.hint ?? '', /atlas\.ripe\.net\/keys/)
      assert.match(e.hint ?? '', /Create a new user defined measurement/)
    }
    srv.routes.length = 0
    srv.routes.push({method: 'POST', path: 'measurements/', status: 403, fixture: 'error-403.json'})
    const anon = await rejection(client({key: null}).postJson('measurements/', {}))
    assert.match(anon.message, /no API key was given.*Authentication credentials were not provided/)
  })

  it('400 carries Atlas\'s reasons; 404 says which id', async () => {
    srv.routes.length = 0
    srv.routes.push({method: 'POST', path: 'measurements/', status: 400, fixture: 'error-400.json'})
    const e = await rejection(client().postJson('measurements/', {}))
    assert.equal(e.code, 'E_USAGE')
    assert.match(e.message, /\/definitions\/0\/target: Target not allowed/)
    const nf = await rejection(client().getJson('measurements/999/'))
    assert.equal(nf.code, 'E_USAGE')
    assert.match(nf.message, /measurements\/999\/.*404/)
  })

  it('pagination follows next links; a next link to another site is refused (it would get the key)', async () => {
    srv.routes.length = 0
    srv.routes.push({path: 'probes/', query: {page: '2'}, fixture: 'probes-page2.json'}, {path: 'probes/', fixture: 'probes-page1.json'})
    const ids: number[] = []
    for await (const p of client().paginate<{id: number}>('probes/', {id__in: '1,2'})) ids.push(p.id)
    assert.deepEqual(ids, [12185, 22880, 10834, 22586, 21, 6036])
    srv.routes.length = 0
    srv.routes.push({path: 'probes/', body: {count: 2, next: 'https://elsewhere.example/api/v2/probes/?page=2', results: [{id: 1}]}})
    const seen: number[] = []
    const e = await rejection(
      (async () => {
        for await (const p of client().paginate<{id: number}>('probes/')) seen.push(p.id)
      })(),
    )
    assert.deepEqual(seen, [1])
    assert.equal(e.code, 'E_BAD_INPUT')
    assert.equal(srv.requests.some((r) => r.headers.host?.includes('elsewhere')), false)
  })

  it('results arrays stream element by element; a body cut short is E_BAD_INPUT after what was whole', async () => {
    srv.routes.length = 0
    srv.routes.push({path: 'measurements/3606560/results/', fixture: 'results-3606560.json'}, {path: 'measurements/5/results/', fixture: 'results-truncated.txt'})
    const got: unknown[] = []
    for await (const r of client().getArray('measurements/3606560/results/')) got.push(r)
    assert.equal(got.length, 2)
    const partial: unknown[] = []
    const e = await rejection(
      (async () => {
        for await (const r of client().getArray('measurements/5/results/')) partial.push(r)
      })(),
    )
    assert.equal(e.code, 'E_BAD_INPUT')
    assert.equal(e.exitCode, 7)
    assert.equal(partial.length, 1)
  })

  it('a server that never answers: E_TIMEOUT after the per-request timeout and the retries', async () => {
    srv.routes.length = 0
    srv.routes.push({path: 'measurements/7/', hang: true})
    const {sleep} = recordingSleep()
    const e = await rejection(client({sleep, timeoutMs: 100, maxTries: 2}).getJson('measurements/7/'))
    assert.equal(e.code, 'E_TIMEOUT')
  })

  it('nothing listening: E_NETWORK naming the host, with a hint about ANYPROBE_ATLAS_URL', async () => {
    const {sleep} = recordingSleep()
    const e = await rejection(new AtlasClient({apiUrl: 'http://127.0.0.1:9/api/v2/', key: KEY, sleep, maxTries: 2}).getJson('measurements/1/'))
    assert.equal(e.code, 'E_NETWORK')
    assert.match(e.message, /127\.0\.0\.1:9/)
    assert.match(e.hint ?? '', /ANYPROBE_ATLAS_URL/)
  })

  it('retryAfterMs reads seconds and HTTP dates', () => {
    assert.equal(retryAfterMs('3'), 3000)
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000)
    assert.equal(retryAfterMs('soon'), null)
    assert.equal(retryAfterMs(undefined), null)
  })
})

describe('Atlas API key: configured, stored 0600, sent only in the Authorization header, never shown', () => {
  let srv: ReplayServer
  let dir: string
  before(async () => {
    srv = await startAtlasReplay()
    dir = await mkdtemp(join(tmpdir(), 'anyprobe-atlas-'))
  })
  after(async () => {
    await srv.close()
  })

  it('env beats the config file; the URL is configurable; the default is the real API', async () => {
    const env = {XDG_CONFIG_HOME: dir, HOME: '/nonexistent'}
    assert.equal(configFilePath(env), join(dir, 'anyprobe', 'config.json'))
    assert.deepEqual(loadAtlasConfig({env}), {apiUrl: 'https://atlas.ripe.net/api/v2/', streamUrl: 'wss://atlas-stream.ripe.net/stream/', key: null, keySource: null})
    // the file is the user's (no command writes it): a key there is read
    const path = configFilePath(env)
    await mkdir(dirname(path), {recursive: true})
    await writeFile(path, JSON.stringify({render: {color: false}, atlas: {key: KEY}}))
    assert.equal(loadAtlasConfig({env}).keySource, 'config')
    assert.equal(loadAtlasConfig({env}).key, KEY)
    const withEnv = loadAtlasConfig({env: {...env, ANYPROBE_ATLAS_KEY: 'e9e9e9e9-0000-4000-8000-000000000000', ANYPROBE_ATLAS_URL: srv.url}})
    assert.deepEqual([withEnv.keySource, withEnv.apiUrl], ['env', srv.url])
    assert.throws(() => loadAtlasConfig({env: {...env, ANYPROBE_ATLAS_KEY: 'bad key\r\nX-Injected: 1'}}), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && !everything(e).includes('X-Injected'))
    assert.throws(() => loadAtlasConfig({env: {...env, ANYPROBE_ATLAS_URL: 'ftp://x/'}}), /not a usable/)
  })

  it('redactSecrets removes the key in plain and URL-encoded form', () => {
    assert.equal(redactSecrets(`a ${KEY} b ${encodeURIComponent('k/+y')}`, [KEY, 'k/+y']), 'a [redacted] b [redacted]')
  })

  it('a whole run (create, results, probes, errors) never shows the key anywhere', async () => {
    const output: string[] = []
    const backend = new AtlasBackend('probes=12185,22880', {
      env: {ANYPROBE_ATLAS_KEY: KEY, ANYPROBE_ATLAS_URL: srv.url, ANYPROBE_ATLAS_STREAM_URL: srv.streamUrl, XDG_CONFIG_HOME: dir},
      wait: 'poll',
      pollIntervalMs: 10,
      rdns: {reverse: async () => null},
      onMeasurement: (m) => output.push(JSON.stringify(m)),
      onProgress: (p) => output.push(JSON.stringify(p)),
    })
    const plan: ProbePlan = {method: 'trace', target: '194.0.25.10', cliArgs: [], options: {protocol: 'icmp'}}
    const outcomes: VantageOutcome[] = []
    for await (const o of backend.run(plan, {concurrency: 4})) outcomes.push(o)
    assert.equal(outcomes.length, 2)
    output.push(JSON.stringify(outcomes), inspect(outcomes, {depth: 20}), JSON.stringify(backend), inspect(backend, {depth: 5}), backend.spec)

    // then every error path: 403, 400, 5xx give-up, network error
    const errs: AnyprobeError[] = []
    for (const r of [
      {method: 'POST' as const, path: 'measurements/', status: 403, fixture: 'error-403-badkey.json'},
      {method: 'POST' as const, path: 'measurements/', status: 400, body: {error: {detail: `bad key ${KEY} echoed back`}}},
      {path: 'measurements/1/', status: 503, body: {error: {detail: `upstream said ${KEY}`}}},
    ]) {
      srv.routes.unshift({...r, times: 10})
      const c = new AtlasClient({apiUrl: srv.url, key: KEY, sleep: async () => {}, maxTries: 2})
      errs.push(await rejection(r.method === 'POST' ? c.postJson(r.path, {}) : c.getJson(r.path)))
      srv.routes.shift()
    }
    errs.push(await rejection(new AtlasClient({apiUrl: 'http://127.0.0.1:9/api/v2/', key: KEY, sleep: async () => {}, maxTries: 1}).getJson(`measurements/?x=${KEY}`)))
    for (const e of errs) output.push(everything(e))

    const all = output.join('\n')
    for (const [i, o] of output.entries()) if (o.includes(KEY)) console.log('LEAK', i, o.slice(Math.max(0, o.indexOf(KEY) - 300), o.indexOf(KEY) + 50))
    assert.equal(all.includes(KEY), false, 'the key appears in output')
    assert.equal(all.includes(encodeURIComponent(KEY)), false)
    assert.match(all, /\[redacted\]/) // the echoed key was scrubbed, not just absent

    // on the wire: only as the Authorization header, never in a URL or a body, never to the stream
    const withKey = srv.requests.filter((r) => r.headers.authorization === `Key ${KEY}`)
    assert.ok(withKey.length >= 4)
    for (const r of srv.requests) {
      assert.equal(r.url.includes(KEY), false, r.url)
      assert.equal(r.body.includes(KEY), false)
    }
    for (const c of srv.streamConnections) assert.equal(JSON.stringify(c).includes(KEY), false)
    assert.equal(srv.sent.join('').includes(KEY), true) // the replayed 400/503 bodies did echo it; we scrubbed it
    assert.deepEqual(fixture<{measurements: number[]}>('create-response.json').measurements, [3606560])
  })
})

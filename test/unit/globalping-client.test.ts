// The Globalping client against the loopback replay server: polling waits as the API asks, a 429
// on GET waits Retry-After, 422 / 429 on create are clear errors, the poller gives up after the
// measurement's timeout plus its margin, the token is only in Authorization; the interval helper.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {GlobalpingClient, retryAfterMs, sustainableIntervalMs} from '../../src/vantage/globalping/client.js'
import {type GpReplayServer, gpFixture, measurementRoutes, startGlobalpingReplay} from '../helpers/globalping-replay.js'

const TOKEN = 'tok_4d1e9b7a2c6f8e0a5b3d'
const ID = '2Kq7cXw4RtPz9LmNa00120hQv'
const REQUEST = {type: 'http' as const, target: 'cdn.example.com', locations: [{magic: 'world'}], limit: 6}

describe('GlobalpingClient (replay server)', () => {
  let srv: GpReplayServer
  before(async () => {
    srv = await startGlobalpingReplay()
  })
  after(() => srv.close())
  const fresh = (routes: Parameters<typeof srv.routes.push>): void => {
    srv.routes.length = 0
    srv.requests.length = 0
    srv.routes.push(...routes)
  }

  it('creates, then polls until finished: 500 ms after each answer, If-None-Match, rate-limit headers read', async () => {
    fresh(measurementRoutes(ID, 6, 'http-inprogress.json', 'http-finished.json'))
    const c = new GlobalpingClient({apiUrl: srv.url, token: TOKEN})
    const created = await c.createMeasurement(REQUEST)
    assert.deepEqual(created, {id: ID, probesCount: 6, rate: {limit: 250, consumed: 6, remaining: 244, resetSeconds: 3412, cost: 6, creditsRemaining: null}})
    const states: string[] = []
    for await (const m of c.pollMeasurement(ID)) states.push(m.status)
    assert.deepEqual(states, ['in-progress', 'finished'], 'the 304 in between yields nothing new')
    const gets = srv.requests.filter((q) => q.method === 'GET')
    assert.equal(gets.length, 3)
    assert.ok(gets[1]!.at - gets[0]!.at >= 450 && gets[2]!.at - gets[1]!.at >= 450)
    assert.equal(gets[1]!.headers['if-none-match'], 'W/"a1-inprogress"')
    for (const q of srv.requests) assert.equal(q.headers.authorization, `Bearer ${TOKEN}`)
    assert.equal(JSON.parse(srv.requests[0]!.body).target, 'cdn.example.com')
  })

  it('a 429 on GET waits Retry-After (not a retry storm), then goes on', async () => {
    fresh([
      {path: `measurements/${ID}`, status: 429, times: 1, headers: {'Retry-After': '2'}, body: {error: {type: 'too_many_requests', message: 'Too many requests. Please retry in 2 seconds.'}}},
      {path: `measurements/${ID}`, fixture: 'http-finished.json'},
    ])
    const waits: number[] = []
    const c = new GlobalpingClient({apiUrl: srv.url, sleep: async (ms) => void waits.push(ms)})
    const m = await c.awaitMeasurement(ID)
    assert.equal(m.status, 'finished')
    assert.deepEqual(waits, [2000])
    assert.equal(srv.requests.length, 2)
    assert.equal(srv.requests[0]!.headers.authorization, undefined, 'no token, no Authorization header')
  })

  it('gives up after the measurement timeout plus the margin, with an E_TIMEOUT naming the id', async () => {
    fresh([{path: `measurements/${ID}`, fixture: 'http-inprogress.json'}])
    let now = 0
    const c = new GlobalpingClient({apiUrl: srv.url, now: () => now, sleep: async (ms) => void (now += ms)})
    await assert.rejects(c.awaitMeasurement(ID, {measurementTimeoutMs: 10_000, marginMs: 5_000}), (e: AnyprobeError) => {
      assert.equal(e.code, 'E_TIMEOUT')
      assert.match(e.message, new RegExp(`${ID}.*15 s \\(1/6 probes done\\)`))
      assert.match(e.hint ?? '', /globalping:msm=/)
      return true
    })
    // 15 s of 500 ms waits: about 30 polls, not more
    assert.ok(srv.requests.length >= 25 && srv.requests.length <= 31, `${srv.requests.length} polls`)
  })

  it('422 on create: no probes found, a usage error saying how to widen the selection', async () => {
    fresh([{method: 'POST', path: 'measurements', status: 422, body: {error: {type: 'no_probes_found', message: 'No matching IPv4 probes available.'}, links: {documentation: 'https://globalping.io/docs/api.globalping.io#post-/v1/measurements'}}}])
    const c = new GlobalpingClient({apiUrl: srv.url, token: TOKEN})
    await assert.rejects(c.createMeasurement(REQUEST), (e: AnyprobeError) => {
      assert.equal(e.code, 'E_USAGE')
      assert.match(e.message, /no_probes_found.*No matching IPv4 probes available/)
      assert.match(e.hint ?? '', /widen/)
      return true
    })
    assert.equal(srv.requests.length, 1)
  })

  it('429 on create: the reset time from X-RateLimit-Reset, the token hint when there is none, no retry', async () => {
    fresh([{method: 'POST', path: 'measurements', status: 429, headers: {'X-RateLimit-Limit': '250', 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset': '1800', 'X-Request-Cost': '40'}, body: {error: {type: 'rate_limit_exceeded', message: 'API rate limit exceeded.'}}}])
    const c = new GlobalpingClient({apiUrl: srv.url, now: () => Date.parse('2026-12-06T17:00:00Z')})
    await assert.rejects(c.createMeasurement(REQUEST), (e: AnyprobeError) => {
      assert.match(e.message, /rate_limit_exceeded \(limit 250\/h, 3 left, this measurement costs 40\); the limit resets in 1800 s \(at 17:30:00 UTC\)/)
      assert.match(e.hint ?? '', /fewer probes.*ANYPROBE_GLOBALPING_TOKEN/)
      return true
    })
    assert.equal(srv.requests.length, 1)
  })

  it('a 400 validation error lists its params; the token never appears in a message', async () => {
    fresh([{method: 'POST', path: 'measurements', status: 400, body: {error: {type: 'validation_error', message: `Parameter validation failed (${TOKEN}).`, params: {target: '"target" does not match any of the allowed types'}}}}])
    const c = new GlobalpingClient({apiUrl: srv.url, token: TOKEN})
    await assert.rejects(c.createMeasurement(REQUEST), (e: AnyprobeError) => {
      assert.match(e.message, /target: "target" does not match/)
      assert.ok(!e.message.includes(TOKEN) && !(e.hint ?? '').includes(TOKEN))
      return true
    })
  })

  it('an unknown field in a measurement is carried, not a failure', async () => {
    fresh([{path: `measurements/${ID}`, body: {...gpFixture<Record<string, unknown>>('http-finished.json'), brandNewField: {x: 1}}}])
    const m = await new GlobalpingClient({apiUrl: srv.url}).awaitMeasurement(ID)
    assert.equal(m.results.length, 6)
  })
})

describe('sustainableIntervalMs / retryAfterMs', () => {
  it('N probes out of the hourly limit, never under the floor', () => {
    assert.equal(sustainableIntervalMs(10, 250), 144_000)
    assert.equal(sustainableIntervalMs(40, 500), 288_000)
    assert.equal(sustainableIntervalMs(1, 500), 7_200)
    assert.equal(sustainableIntervalMs(1, 10_000), 5_000)
    assert.throws(() => sustainableIntervalMs(300, 250), /more than the whole hourly limit/)
  })
  it('Retry-After in seconds or as a date', () => {
    assert.equal(retryAfterMs('3'), 3000)
    assert.equal(retryAfterMs('Sun, 06 Dec 2026 17:00:05 GMT', Date.parse('2026-12-06T17:00:00Z')), 5000)
    assert.equal(retryAfterMs(null), null)
    assert.equal(retryAfterMs('soon'), null)
  })
})

describe('loadGlobalpingConfig', () => {
  it('env beats the config file, the file beats the default; a bad token is refused without echoing it', async () => {
    const {mkdtempSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const {loadGlobalpingConfig, DEFAULT_GLOBALPING_URL} = await import('../../src/vantage/globalping/config.js')
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-gpcfg-'))
    const file = join(dir, 'config.json')
    writeFileSync(file, JSON.stringify({atlas: {key: 'x'.repeat(36)}, globalping: {token: 'file-token-123456', url: 'http://127.0.0.1:9/v1/'}}), {mode: 0o600})
    assert.deepEqual(loadGlobalpingConfig({env: {}, configFile: file}), {apiUrl: 'http://127.0.0.1:9/v1', token: 'file-token-123456', tokenSource: 'config'})
    assert.deepEqual(loadGlobalpingConfig({env: {ANYPROBE_GLOBALPING_TOKEN: 'env-token-abcdef', ANYPROBE_GLOBALPING_URL: 'http://127.0.0.1:8/v1'}, configFile: file}), {apiUrl: 'http://127.0.0.1:8/v1', token: 'env-token-abcdef', tokenSource: 'env'})
    assert.deepEqual(loadGlobalpingConfig({env: {}, configFile: join(dir, 'missing.json')}), {apiUrl: DEFAULT_GLOBALPING_URL, token: null, tokenSource: null})
    const bad = 'bad token with spaces'
    assert.throws(() => loadGlobalpingConfig({env: {ANYPROBE_GLOBALPING_TOKEN: bad}, configFile: file}), (e: AnyprobeError) => !e.message.includes(bad) && e.code === 'E_USAGE')
  })
})

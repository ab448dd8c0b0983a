// Globalping through the command line, against the loopback replay server (127.0.0.1 only):
// catchment --method http / dns / trace gives one vantage point per probe with Globalping's
// location and ASN, the PoP of each, the failed probe as an error; --dry-run sends nothing; the
// token travels only in the Authorization header and appears in no output.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {measurementRoutes, useGlobalpingReplay} from '../helpers/globalping-replay.js'
import {schemaErrors} from '../helpers/schema.js'

const TOKEN = 'gp-tok-7f3c91aa0d2e4b6c8e1f5a9b3d7c2e10'
const HTTP_ID = '2Kq7cXw4RtPz9LmNa00120hQv'
const DNS_ID = '2Tb4nWq9PzXc7LmKe00120hQw'
const TRACE_ID = '2Pw3zTr8KvQm4XsYa00120hQx'

interface Row {
  vantage: {kind: string; id: string; country: string | null; asn: number | null; lat: number | null; lon: number | null; city?: string | null; network?: string | null; tags?: string[]}
  pop: {code: string; city: string | null} | null
  evidence: string | null
  error: {code: string; message: string} | null
}
interface Doc {
  kind: string
  vantagePoints: Row[]
  summary: {vantagePoints: number; failed: number; located: number}
}

describe('anyprobe catchment --from globalping: (replay server)', () => {
  const {server, home} = useGlobalpingReplay(TOKEN, 'anyprobe-gp-')
  const outputs: string[] = []

  const run = async (argv: string[]): Promise<{status: number | null; stdout: string; stderr: string}> => {
    const r = await runCommand('catchment', argv)
    outputs.push(r.stdout, r.stderr)
    return r
  }

  it('--method http: one row per probe, location + ASN from Globalping, PoP from each probe\'s headers, the failed probe as an error', async () => {
    server().routes.push(...measurementRoutes(HTTP_ID, 6, 'http-inprogress.json', 'http-finished.json'))
    const r = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=40', '--json'])
    assert.equal(r.status, 9, `one probe failed -> exit 9 (some answered)\n${r.stderr}`)
    const doc = JSON.parse(r.stdout) as Doc
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.vantagePoints.length, 6)
    const byCity = new Map(doc.vantagePoints.map((row) => [row.vantage.city, row]))
    const fra = byCity.get('Frankfurt')!
    assert.equal(fra.vantage.kind, 'globalping')
    assert.equal(fra.vantage.country, 'DE')
    assert.equal(fra.vantage.asn, 24940)
    assert.equal(fra.vantage.network, 'Hetzner Online GmbH')
    assert.deepEqual(fra.vantage.tags, ['datacenter-network'])
    assert.equal(fra.vantage.lat, 50.11)
    assert.equal(fra.pop?.code, 'fra')
    assert.match(fra.evidence ?? '', /8ed41c7a3b9f2e51-FRA/)
    assert.equal(byCity.get('Tokyo')!.pop?.code, 'nrt', 'Fastly X-Served-By')
    assert.equal(byCity.get('Seattle')!.pop?.code, 'sea', 'CloudFront X-Amz-Cf-Pop')
    assert.equal(byCity.get('São Paulo')!.pop?.code, 'gru')
    assert.equal(byCity.get('Sydney')!.pop?.code, 'syd')
    const jnb = byCity.get('Johannesburg')!
    assert.equal(jnb.pop, null)
    assert.equal(jnb.error?.code, 'E_VP_FAILED')
    assert.match(jnb.error?.message ?? '', /target.*Request timeout/)
    assert.equal(jnb.vantage.asn, 37457, 'a failed probe keeps its location')
    assert.equal(doc.summary.failed, 1)
    // what was asked: the URL's host and path, GET, HTTPS, one magic location and a global limit
    const post = server().requests.find((q) => q.method === 'POST')!
    assert.deepEqual(JSON.parse(post.body), {type: 'http', target: 'cdn.example.com', locations: [{magic: 'world'}], limit: 40, measurementOptions: {request: {method: 'GET', path: '/'}, protocol: 'HTTPS'}})
    // polling: in-progress, a 304 for the unchanged one (If-None-Match), then finished; >= 500 ms apart
    const gets = server().requests.filter((q) => q.method === 'GET' && q.path === `measurements/${HTTP_ID}`)
    assert.equal(gets.length, 3)
    assert.equal(gets[1]!.headers['if-none-match'], 'W/"a1-inprogress"')
    for (let i = 1; i < gets.length; i++) assert.ok(gets[i]!.at - gets[i - 1]!.at >= 450, `poll ${i} came ${gets[i]!.at - gets[i - 1]!.at} ms after the previous`)
  })

  it('--method dns: NSID decoded from dig\'s output, CHAOS said to be unavailable', async () => {
    server().routes.push(...measurementRoutes(DNS_ID, 6, 'dns-inprogress.json', 'dns-finished.json'))
    const r = await run(['193.0.14.129', '--method', 'dns', '--from', 'globalping:Europe,Asia,AS7922,limit=6', '--json'])
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout) as Doc
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.vantagePoints.length, 6)
    const fra = doc.vantagePoints.find((row) => row.vantage.city === 'Frankfurt')!
    assert.match(fra.evidence ?? '', /ns1\.de-fra\.k\.ripe\.net/)
    assert.equal(fra.pop?.city, 'Frankfurt am Main')
    assert.equal(doc.vantagePoints.find((row) => row.vantage.city === 'Tokyo')!.pop?.city, 'Tokyo')
    assert.equal(doc.vantagePoints.find((row) => row.vantage.city === 'Johannesburg')!.error?.code, 'E_VP_FAILED')
    const body = JSON.parse(server().requests.filter((q) => q.method === 'POST').at(-1)!.body) as Record<string, unknown>
    assert.deepEqual(body, {type: 'dns', target: '.', locations: [{magic: 'Europe'}, {magic: 'Asia'}, {magic: 'AS7922'}], limit: 6, measurementOptions: {query: {type: 'SOA'}, resolver: '193.0.14.129', protocol: 'UDP', port: 53}})
  })

  it('dns --from globalping: --json: the result says CHAOS was not available, the NSID has its hex', async () => {
    server().routes.push(...measurementRoutes(DNS_ID, 6, 'dns-inprogress.json', 'dns-finished.json'))
    const r = await runCommand('dns', ['193.0.14.129', '--from', 'globalping:world,limit=6', '--json'])
    outputs.push(r.stdout, r.stderr)
    const doc = JSON.parse(r.stdout) as {kind: string; outcomes: Array<{result: {params: {chaos?: boolean; note?: string}; identity: {nsid: {text: string; hex: string} | null}} | null}>}
    assert.equal(doc.kind, 'multi')
    assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/multi', doc), [])
    const first = doc.outcomes.find((o) => o.result !== null)!.result!
    assert.equal(first.params.chaos, false)
    assert.match(first.params.note ?? '', /CHAOS/)
    assert.equal(first.identity.nsid?.hex, Buffer.from('ns1.de-fra.k.ripe.net').toString('hex'))
  })

  it('--method trace: hop names give the PoP; params say it was not Paris-style', async () => {
    server().routes.push(...measurementRoutes(TRACE_ID, 6, 'trace-inprogress.json', 'trace-finished.json'))
    const r = await run(['cdn.example.com', '--method', 'trace', '--from', 'globalping:world,limit=6', '--json'])
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout) as Doc
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    const row = (city: string): Row => doc.vantagePoints.find((x) => x.vantage.city === city)!
    assert.equal(row('Frankfurt').pop?.code, 'fra')
    assert.match(row('Frankfurt').evidence ?? '', /edge2\.fra1\.anycast-cdn\.example\.net/)
    assert.equal(row('Seattle').pop?.code, 'sea')
    assert.equal(row('São Paulo').pop?.code, 'gru')
    assert.equal(row('Johannesburg').error?.code, 'E_VP_FAILED')
    // Sydney's trace died in Telstra's network: the target never answered, so no PoP is named
    assert.equal(row('Sydney').pop, null)
    assert.equal((row('Sydney') as Row & {reached: boolean | null}).reached, false)
    server().routes.push(...measurementRoutes(TRACE_ID, 6, 'trace-inprogress.json', 'trace-finished.json'))
    const t = await runCommand('trace', ['cdn.example.com', '--from', 'globalping:world,limit=6', '--json'])
    outputs.push(t.stdout, t.stderr)
    const multi = JSON.parse(t.stdout) as {outcomes: Array<{vantage: {city?: string}; result: {params: {paris?: boolean; engine?: string}; hops: Array<{hostname: string | null; hint: unknown}>} | null}>}
    assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/multi', multi), [])
    const fra = multi.outcomes.find((o) => o.vantage.city === 'Frankfurt')!.result!
    assert.equal(fra.params.paris, false)
    assert.equal(fra.params.engine, 'globalping traceroute')
    assert.deepEqual(fra.hops.map((h) => h.hostname), [null, 'core21.fsn1.hetzner.com', 'core0.fra.hetzner.com', null, 'ae-3.edge2.fra1.anycast-cdn.example.net', null])
    assert.notEqual(fra.hops[4]!.hint, null, 'hop names become hints')
  })

  it('the table says where each probe is: city and country, ASN, PoP; the failed probe too', async () => {
    server().routes.push(...measurementRoutes(HTTP_ID, 6, 'http-inprogress.json', 'http-finished.json'))
    const r = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=40'])
    assert.equal(r.status, 9, r.stderr)
    assert.match(r.stdout, /^vantage point +location +ASN +PoP/m)
    assert.match(r.stdout, /^globalping:1\.DE\.Frankfurt\.AS24940 +Frankfurt, DE +AS24940 +FRA \(Frankfurt am Main\)/m)
    assert.match(r.stdout, /^globalping:4\.BR\.Sao-Paulo\.AS28573 +São Paulo, BR +AS28573 +GRU/m)
    assert.match(r.stdout, /^globalping:6\.ZA\.Johannesburg\.AS37457 +Johannesburg, ZA +AS37457 +FAILED/m)
  })

  it('--dry-run prints the request and its cost, and sends nothing', async () => {
    const before = server().requests.length
    const r = await run(['https://cdn.example.com/assets/app.js?v=3', '--method', 'http', '--host', 'www.example.com', '--from', 'globalping:Germany,AS3320,limit=20', '--dry-run'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {kind: string; measurements: Array<{request: Record<string, unknown>; cost: {points: number; sustainableIntervalMs: {anonymous: number}}}>}
    assert.equal(doc.kind, 'globalping-dry-run')
    assert.deepEqual(doc.measurements[0]!.request, {type: 'http', target: 'cdn.example.com', locations: [{magic: 'Germany'}, {magic: 'AS3320'}], limit: 20, measurementOptions: {request: {method: 'GET', path: '/assets/app.js', query: 'v=3', host: 'www.example.com'}, protocol: 'HTTPS'}})
    assert.equal(doc.measurements[0]!.cost.points, 20)
    assert.equal(doc.measurements[0]!.cost.sustainableIntervalMs.anonymous, 288_000)
    assert.equal(server().requests.length, before, 'a dry run talks to nobody')
  })

  it('--dry-run refuses limit=200 without a token as the run would (E_USAGE, exit 2); with a token it is a plan', async () => {
    const before = server().requests.length
    const token = process.env.ANYPROBE_GLOBALPING_TOKEN
    delete process.env.ANYPROBE_GLOBALPING_TOKEN
    try {
      const anon = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=200', '--dry-run'])
      assert.equal(anon.status, 2, anon.stdout + anon.stderr)
      assert.match(anon.stderr, /E_USAGE/)
      assert.match(anon.stderr, /without a token Globalping allows at most 50 probes/)
      assert.equal(anon.stdout, '', 'no plan printed for a run that would be refused')
      // the real run says the same, with the same exit status
      const real = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=200'])
      assert.equal(real.status, anon.status)
      assert.match(real.stderr, /without a token Globalping allows at most 50 probes/)
    } finally {
      process.env.ANYPROBE_GLOBALPING_TOKEN = token
    }
    const withToken = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=200', '--dry-run'])
    assert.equal(withToken.status, 0, withToken.stderr)
    assert.equal((JSON.parse(withToken.stdout) as {measurements: Array<{request: {limit: number}}>}).measurements[0]!.request.limit, 200)
    assert.equal(server().requests.length, before, 'nothing sent')
  })

  it('http --from globalping: passes --header into the request; --pop-header reaches the parser', async () => {
    const before = server().requests.length
    const r = await runCommand('http', ['https://cdn.example.com/a', '--from', 'globalping:world,limit=3', '--header', 'X-Debug: 1', '--pop-header', 'X-Edge', '--dry-run'])
    outputs.push(r.stdout, r.stderr)
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {measurements: Array<{request: {measurementOptions: {request: Record<string, unknown>}}}>}
    assert.deepEqual(doc.measurements[0]!.request.measurementOptions.request, {method: 'GET', path: '/a', headers: {'X-Debug': '1'}})
    assert.equal(server().requests.length, before)
    const {parseContextOf, buildRequest, parseGlobalpingSelector} = await import('../../src/vantage/globalping/index.js')
    const plan = {method: 'http' as const, target: 'https://cdn.example.com/', cliArgs: [], options: {popHeaders: ['X-Edge', 'x-edge']}}
    assert.deepEqual(parseContextOf(plan, buildRequest(plan, parseGlobalpingSelector('world'))).popHeaders, ['x-edge'])
  })

  it('a 429 on create is a clear error with the reset time and a hint; nothing is retried', async () => {
    const before = server().requests.length
    server().routes.unshift({method: 'POST', path: 'measurements', status: 429, times: 1, headers: {'X-RateLimit-Limit': '500', 'X-RateLimit-Consumed': '495', 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': '1234', 'X-Request-Cost': '40'}, body: {error: {type: 'rate_limit_exceeded', message: 'API rate limit exceeded.'}, links: {documentation: 'https://globalping.io/docs/api.globalping.io#post-/v1/measurements'}}})
    const r = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=40', '--json'])
    assert.notEqual(r.status, 0)
    assert.match(r.stdout + r.stderr, /rate_limit_exceeded/)
    assert.match(r.stdout + r.stderr, /in 1234 s/)
    assert.match(r.stdout + r.stderr, /fewer probes/)
    assert.equal(server().requests.length - before, 1, 'one POST, no retry storm')
  })

  it('a measurement Globalping refused is the run error (exit 6), not a vantage point row; a backend row is labelled with its prefix once', async () => {
    server().routes.unshift({method: 'POST', path: 'measurements', status: 429, times: 1, headers: {'X-RateLimit-Reset': '60'}, body: {error: {type: 'rate_limit_exceeded', message: 'API rate limit exceeded.'}}})
    const r = await run(['https://cdn.example.com/', '--method', 'http', '--from', 'globalping:world,limit=2'])
    assert.equal(r.status, 6, r.stdout + r.stderr)
    assert.match(r.stderr, /error E_NETWORK: Globalping refused the measurement: rate_limit_exceeded/)
    assert.doesNotMatch(r.stdout, /globalping:world/, 'no made-up vantage point stands for the refused measurement')
    assert.doesNotMatch(r.stdout + r.stderr, /globalping:globalping:/)
    const {backendFailure} = await import('../../src/vantage/index.js')
    const {vantageLabel} = await import('../../src/render/catchment.js')
    const label = (spec: string): string => vantageLabel(backendFailure(spec, new Error('x')).vantage)
    assert.deepEqual(['globalping:world,limit=2', 'netns:a,b', 'ssh:host', 'atlas:country=NL,n=5', 'local'].map(label), ['globalping:world,limit=2', 'netns:a,b', 'ssh:host', 'atlas:country=NL,n=5', 'local'])
  })

  it('the token is only ever in the Authorization header, never in output, errors or files', () => {
    assert.ok(server().requests.length > 5)
    for (const q of server().requests) {
      assert.equal(q.headers.authorization, `Bearer ${TOKEN}`)
      const elsewhere = JSON.stringify({...q, headers: {...q.headers, authorization: undefined}})
      assert.ok(!elsewhere.includes(TOKEN), `token outside Authorization in ${q.method} ${q.path}`)
    }
    for (const text of outputs) assert.ok(!text.includes(TOKEN), 'token in command output')
    for (const f of readdirSync(home, {recursive: true}) as string[]) {
      assert.ok(!readFileSync(join(home, f)).toString().includes(TOKEN), `token in ${f}`)
    }
  })
})

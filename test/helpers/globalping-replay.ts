// A local stand-in for the Globalping API (https://api.globalping.io/v1): an HTTP server on
// 127.0.0.1 (random port) that replays recorded-shape responses from test/fixtures/globalping,
// in order (a route with `times` is used that many times, then the next matching one). Every
// request is recorded (method, path, headers, body) and every byte sent back is kept, so tests can
// check what was asked, how often, and that the token travels only in the Authorization header.
// ETag / If-None-Match are honoured as the real API does (koa-conditional-get): 304 when unchanged.
import {mkdtempSync, readFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before} from 'node:test'
import {fileURLToPath} from 'node:url'

export const GP_FIXTURES = fileURLToPath(new URL('../fixtures/globalping/', import.meta.url))
const REAL_BASE = 'https://api.globalping.io/v1'

export function gpFixtureText(name: string): string {
  return readFileSync(GP_FIXTURES + name, 'utf8')
}

export function gpFixture<T = unknown>(name: string): T {
  return JSON.parse(gpFixtureText(name)) as T
}

export interface GpRoute {
  method?: 'GET' | 'POST'
  /** path under /v1/, e.g. "measurements" or "measurements/2Rk8..." */
  path: string
  status?: number
  headers?: Record<string, string>
  /** a fixture file name, or a body (objects are JSON-encoded) */
  fixture?: string
  body?: unknown
  /** serve this route this many times, then fall through to later routes */
  times?: number
  /** serve this route only for a request this says yes to (e.g. a POST whose locations id has expired) */
  when?: (req: GpRecordedRequest) => boolean
}

export interface GpRecordedRequest {
  method: string
  /** the request target as sent, query string included */
  url: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  /** ms since the server started */
  at: number
}

export interface GpReplayServer {
  /** API base, e.g. http://127.0.0.1:PORT/v1 */
  url: string
  requests: GpRecordedRequest[]
  routes: GpRoute[]
  sent: string[]
  close(): Promise<void>
}

/** The headers a 202 carries: rate-limit state after this measurement (cost = probes). */
export function rateHeaders(id: string, cost: number, limit = 250, consumed = cost): Record<string, string> {
  return {
    Location: `${REAL_BASE}/measurements/${id}`,
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Consumed': String(consumed),
    'X-RateLimit-Remaining': String(limit - consumed),
    'X-RateLimit-Reset': '3412',
    'X-Request-Cost': String(cost),
  }
}

/**
 * A measurement's life: 202 on create, then the in-progress fixture (twice: the second GET carries
 * If-None-Match and gets a 304), then the finished one for every later GET.
 */
export function measurementRoutes(id: string, probes: number, inProgress: string, finished: string): GpRoute[] {
  return [
    {method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, probes), body: {id, probesCount: probes}, times: 1},
    {path: `measurements/${id}`, fixture: inProgress, headers: {ETag: 'W/"a1-inprogress"', 'Cache-Control': 'public, max-age=0'}, times: 2},
    {path: `measurements/${id}`, fixture: finished, headers: {ETag: 'W/"b2-finished"', 'Cache-Control': 'public, max-age=0'}},
  ]
}

function matches(route: GpRoute, req: GpRecordedRequest): boolean {
  return (route.method ?? 'GET') === req.method && route.path === req.path && (route.times === undefined || route.times > 0) && (route.when === undefined || route.when(req))
}

export async function startGlobalpingReplay(opts: {routes?: GpRoute[]} = {}): Promise<GpReplayServer> {
  const routes = opts.routes ?? []
  const requests: GpRecordedRequest[] = []
  const sent: string[] = []
  const t0 = Date.now()
  let base = ''
  const server: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1')
      const path = u.pathname.replace(/^\/v1\//, '')
      const recorded: GpRecordedRequest = {method: req.method ?? 'GET', url: req.url ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() - t0}
      requests.push(recorded)
      const route = routes.find((r) => matches(r, recorded))
      if (!route) {
        const body = JSON.stringify({error: {type: 'not_found', message: `Couldn't find the requested measurement.`}, links: {documentation: 'https://globalping.io/docs/api.globalping.io#get-/v1/measurements/-id-'}})
        sent.push(body)
        res.writeHead(404, {'Content-Type': 'application/json'}).end(body)
        return
      }
      if (route.times !== undefined) route.times--
      const etag = route.headers?.ETag
      if (etag !== undefined && req.headers['if-none-match'] === etag) {
        res.writeHead(304, {ETag: etag}).end()
        return
      }
      let body: string
      if (route.fixture) body = gpFixtureText(route.fixture)
      else if (typeof route.body === 'string') body = route.body
      else if (route.body === undefined) body = ''
      else body = JSON.stringify(route.body)
      body = body.split(REAL_BASE).join(base)
      const headers = Object.fromEntries(Object.entries(route.headers ?? {}).map(([k, v]) => [k, v.split(REAL_BASE).join(base)]))
      sent.push(body + JSON.stringify(headers))
      res.writeHead(route.status ?? 200, {'Content-Type': 'application/json; charset=utf-8', ...headers}).end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return {
    url: base,
    requests,
    routes,
    sent,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * A replay server for the tests of one describe(): started before them, with anyprobe's
 * environment pointed at it (API URL, the token, a config home of its own), and the environment
 * put back and the server closed after them.
 */
export function useGlobalpingReplay(token: string, homePrefix: string): {server: () => GpReplayServer; home: string} {
  let srv: GpReplayServer | null = null
  const saved = {...process.env}
  const home = mkdtempSync(join(tmpdir(), homePrefix))
  before(async () => {
    srv = await startGlobalpingReplay()
    process.env.ANYPROBE_GLOBALPING_URL = srv.url
    process.env.ANYPROBE_GLOBALPING_TOKEN = token
    process.env.XDG_CONFIG_HOME = home
  })
  after(async () => {
    process.env = saved
    await srv?.close()
  })
  return {server: () => srv!, home}
}

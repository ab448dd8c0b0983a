// A local stand-in for RIPE Atlas: an HTTP server on 127.0.0.1 (random port) that replays recorded
// API responses from test/fixtures/atlas, plus the result stream (WebSocket on /stream/) replaying
// results. Every request is recorded (method, URL, headers, body) so tests can check what was sent,
// including that the API key only ever travels in the Authorization header.
import {readFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {fileURLToPath} from 'node:url'

import {WebSocketServer} from 'ws'

export const FIXTURES = fileURLToPath(new URL('../fixtures/atlas/', import.meta.url))
const REAL_BASE = 'https://atlas.ripe.net/api/v2/'

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8')
}

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T
}

export interface ReplayRoute {
  method?: 'GET' | 'POST' | 'DELETE'
  /** path under /api/v2/, e.g. "measurements/3606560/" */
  path: string
  /** query parameters that must be present with these values */
  query?: Record<string, string>
  status?: number
  headers?: Record<string, string>
  /** a fixture file name, or a body (objects are JSON-encoded; strings sent as they are) */
  fixture?: string
  /** a body, or a function of the query giving one (objects are JSON-encoded; strings sent as they are) */
  body?: unknown
  /** serve this route this many times, then fall through to later routes */
  times?: number
  delayMs?: number
  /** accept the request and never answer (timeouts) */
  hang?: boolean
}

export interface RecordedRequest {
  method: string
  url: string
  path: string
  query: Record<string, string>
  headers: IncomingMessage['headers']
  body: string
}

export interface StreamScript {
  /** msm id -> results to send after the subscription */
  results: Record<number, unknown[]>
  delayMs?: number
  /** close the socket after sending this many results */
  closeAfter?: number
  /** answer the subscription with atlas_error instead */
  error?: string
  /** msm id -> what each connection sends in turn (then closes, but the last, which stays open); overrides results */
  perConnection?: Record<number, unknown[][]>
  /** connections from this index on (0, 1, ...) are refused at the upgrade (the stream unreachable) */
  refuseFrom?: number
  /** told when connection i (0, 1, ...) of a perConnection script has sent its results and closed */
  onConnectionEnd?: (i: number) => void
}

export interface ReplayServer {
  /** API base, e.g. http://127.0.0.1:PORT/api/v2/ */
  url: string
  /** ws://127.0.0.1:PORT/stream/ */
  streamUrl: string
  requests: RecordedRequest[]
  /** what arrived on the stream: connection URLs and headers, and messages received */
  streamConnections: Array<{url: string; headers: IncomingMessage['headers']; messages: string[]}>
  routes: ReplayRoute[]
  /** every byte the server sent back, for "the key never appears" checks */
  sent: string[]
  close(): Promise<void>
}

/** The routes of a measurement's life from the fixtures: creation, metadata, results, probes. */
export function standardRoutes(): ReplayRoute[] {
  return [
    {method: 'POST', path: 'measurements/', fixture: 'create-response.json', status: 201},
    {path: 'measurements/3606560/', query: {optional_fields: 'probes'}, fixture: 'measurement-3606560-probes.json'},
    {path: 'measurements/3606560/', fixture: 'measurement-3606560.json'},
    {path: 'measurements/3606560/results/', fixture: 'results-3606560.json'},
    {path: 'measurements/1423386/', fixture: 'measurement-1423386.json'},
    {path: 'measurements/1423386/latest/', fixture: 'results-1423386.json'},
    {path: 'probes/', query: {page: '2'}, fixture: 'probes-page2.json'},
    {path: 'probes/', fixture: 'probes-page1.json'},
  ]
}

/**
 * Measurement 3606560 stopped, its results broken off inside the second result (the first whole),
 * as a connection cut mid-download leaves them; the other standard routes as they are.
 */
export function cutResultsRoutes(): ReplayRoute[] {
  const finished = {...fixture<Record<string, unknown>>('measurement-3606560-probes.json'), is_oneoff: true, status: {id: 4, name: 'Stopped'}}
  const text = JSON.stringify(fixture<unknown[]>('results-3606560.json'))
  const cut = text.slice(0, text.indexOf('"prb_id"', text.indexOf('"prb_id"') + 10))
  return [
    {path: 'measurements/3606560/', query: {optional_fields: 'probes'}, body: finished},
    {path: 'measurements/3606560/', body: finished},
    {path: 'measurements/3606560/results/', body: cut},
    ...standardRoutes().filter((r) => !r.path.startsWith('measurements/3606560')),
  ]
}

/**
 * Point the RIPE Atlas API and result stream of this process (and the children it starts from now
 * on) at `srv`, with the API key given or none and no config file; returns the undo.
 */
export function useAtlasReplayEnv(srv: ReplayServer, o: {key?: string} = {}): () => void {
  const saved = {...process.env}
  process.env.ANYPROBE_ATLAS_URL = srv.url
  process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
  if (o.key === undefined) delete process.env.ANYPROBE_ATLAS_KEY
  else process.env.ANYPROBE_ATLAS_KEY = o.key
  process.env.XDG_CONFIG_HOME = '/nonexistent-anyprobe-test'
  return () => {
    process.env = saved
  }
}

/** An ongoing DNS measurement 5000001 of each probe's own resolver (use_probe_resolver, no target): its `latest` results as given. */
export function probeResolverRoutes(latest: unknown[], participants: number): ReplayRoute[] {
  return [
    {path: 'measurements/5000001/', body: {id: 5000001, type: 'dns', af: 4, target: null, target_ip: null, use_probe_resolver: true, is_oneoff: false, interval: 240, status: {id: 2, name: 'Ongoing'}, participant_count: participants}},
    {path: 'measurements/5000001/latest/', body: latest},
    {path: 'probes/', body: {count: 0, next: null, results: []}},
  ]
}

function matches(route: ReplayRoute, method: string, path: string, query: Record<string, string>): boolean {
  if ((route.method ?? 'GET') !== method || route.path !== path) return false
  if (route.times !== undefined && route.times <= 0) return false
  for (const [k, v] of Object.entries(route.query ?? {})) if (query[k] !== v) return false
  return true
}

export async function startAtlasReplay(opts: {routes?: ReplayRoute[]; stream?: StreamScript} = {}): Promise<ReplayServer> {
  const routes = opts.routes ?? standardRoutes()
  const requests: RecordedRequest[] = []
  const sent: string[] = []
  const streamConnections: ReplayServer['streamConnections'] = []
  let base = ''
  const pending = new Set<ServerResponse>()
  let refused = 0

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1')
      const path = u.pathname.replace(/^\/api\/v2\//, '')
      const query = Object.fromEntries(u.searchParams)
      requests.push({method: req.method ?? 'GET', url: req.url ?? '', path, query, headers: req.headers, body: Buffer.concat(chunks).toString('utf8')})
      const route = routes.find((r) => matches(r, req.method ?? 'GET', path, query))
      if (!route) {
        const body = JSON.stringify({error: {status: 404, code: 104, detail: 'Not found.', title: 'Not Found'}})
        sent.push(body)
        res.writeHead(404, {'Content-Type': 'application/json'}).end(body)
        return
      }
      if (route.times !== undefined) route.times--
      if (route.hang) {
        pending.add(res)
        return
      }
      let body: string
      if (route.fixture) body = fixtureText(route.fixture)
      else {
        const b = typeof route.body === 'function' ? (route.body as (q: Record<string, string>) => unknown)(query) : route.body
        if (typeof b === 'string') body = b
        else if (b === undefined) body = ''
        else body = JSON.stringify(b)
      }
      body = body.split(REAL_BASE).join(base)
      const send = (): void => {
        sent.push(body)
        res.writeHead(route.status ?? 200, {'Content-Type': 'application/json', ...route.headers}).end(body)
      }
      if (route.delayMs) setTimeout(send, route.delayMs)
      else send()
    })
  })

  const wss = new WebSocketServer({noServer: true})
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/stream/')) {
      socket.destroy()
      return
    }
    if (opts.stream?.refuseFrom !== undefined && refused + streamConnections.length >= opts.stream.refuseFrom) {
      refused++
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = {url: req.url ?? '', headers: req.headers, messages: [] as string[]}
      streamConnections.push(conn)
      ws.on('message', (data) => {
        const text = data.toString()
        conn.messages.push(text)
        let msg: unknown
        try {
          msg = JSON.parse(text)
        } catch {
          return
        }
        if (!Array.isArray(msg) || msg[0] !== 'atlas_subscribe') return
        const params = msg[1] as {msm?: number}
        const script = opts.stream
        if (!script) return
        if (script.error) {
          ws.send(JSON.stringify(['atlas_error', script.error]))
          return
        }
        ws.send(JSON.stringify(['atlas_subscribed', params]))
        const plan = script.perConnection?.[Number(params.msm)]
        const connIndex = streamConnections.length - 1
        const results = plan ? (plan[connIndex] ?? []) : (script.results[Number(params.msm)] ?? [])
        const closeAfter = plan && connIndex < plan.length - 1 ? results.length : script.closeAfter
        let i = 0
        const next = (): void => {
          if (ws.readyState !== ws.OPEN) return
          if (closeAfter !== undefined && i >= closeAfter) {
            script.onConnectionEnd?.(connIndex)
            ws.close()
            return
          }
          if (i >= results.length) return
          const m = JSON.stringify(['atlas_result', results[i++]])
          sent.push(m)
          ws.send(m)
          setTimeout(next, script.delayMs ?? 5)
        }
        setTimeout(next, script.delayMs ?? 5)
      })
    })
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  base = `http://127.0.0.1:${port}/api/v2/`
  return {
    url: base,
    streamUrl: `ws://127.0.0.1:${port}/stream/`,
    requests,
    streamConnections,
    routes,
    sent,
    close: async () => {
      for (const res of pending) res.destroy()
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

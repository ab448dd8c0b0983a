// The HTTP probe against raw servers on loopback that behave as real ones do: a body cut short
// after the headers (an edge or origin dropping the connection, a large object slower than the
// timeout, a broken chunked encoding), HTTP/1.0 with a body ended by close, HTTP/0.9 (no status
// line at all), and a redirect away from the target's address (--follow).
import assert from 'node:assert/strict'
import {createServer, type Server, type Socket} from 'node:net'
import {after, before, describe, it} from 'node:test'

import {normalizeHttpTarget} from '../../src/engines/http/probe.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {probeHttpTarget} from '../../src/pipeline/http.js'
import {renderHttp} from '../../src/render/http.js'
import {schemaErrors} from '../helpers/schema.js'
import {closedTcpPort, closeServer, listenLoopback, rawTcpServer} from '../helpers/loopback-server.js'

const RAY = 'CF-RAY: 8f1e2d3c4b5a6978-FRA\r\n'

/** Per request: what to write, and whether to end the connection after it (else it is left open). */
type Script = (path: string) => {chunks: string[]; end: boolean}

const scripts: Record<string, Script> = {
  // Content-Length promises 1000 bytes, 5 come, then FIN
  'mid-body': () => ({chunks: [`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n${RAY}\r\nshort`], end: true}),
  // headers at once, then a body that never ends within the timeout
  'slow-body': () => ({chunks: [`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n${RAY}\r\n`, 'x'.repeat(1000)], end: false}),
  // a chunk size that is not hex
  'bad-chunk': () => ({chunks: [`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n${RAY}\r\nzz\r\nhello\r\n`], end: true}),
  // HTTP/1.0: no length, the body ends when the server closes
  'http10': () => ({chunks: ['HTTP/1.0 200 OK\r\nServer: legacy\r\nX-Served-By: cache-fra-edf1234-FRA\r\n\r\nbody until close'], end: true}),
  // HTTP/0.9: a body, no status line
  'http09': () => ({chunks: ['hello\r\n'], end: true}),
}

interface Raw {
  port: number
  server: Server
}

async function rawServer(script: Script): Promise<Raw> {
  const sockets = new Set<Socket>()
  const server = createServer((sock) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => {})
    let head = ''
    sock.on('data', (d: Buffer) => {
      head += d.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '/'
      head = ''
      const {chunks, end} = script(path)
      for (const c of chunks) sock.write(c)
      if (end) sock.end()
    })
  })
  server.on('close', () => {
    for (const s of sockets) s.destroy()
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('no port')
  return {port: addr.port, server}
}

function closeAll(servers: Raw[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((res) => { s.server.close(() => res()); s.server.emit('close') }))).then(() => undefined)
}

const plan = (url: string, timeoutMs = 2000) => ({
  url: normalizeHttpTarget(url),
  method: 'GET' as const,
  host: null,
  headers: {},
  insecure: false,
  timeoutMs,
  follow: false,
  cfTrace: false,
  popHeaders: [],
  vpLocation: null,
})

describe('http: a body cut short keeps the status and the headers that name the edge', () => {
  const raw: Record<string, Raw> = {}
  before(async () => {
    for (const [name, script] of Object.entries(scripts)) raw[name] = await rawServer(script)
  })
  after(() => closeAll(Object.values(raw)))

  const cases: Array<[string, RegExp, number]> = [
    ['mid-body', /^the server closed the connection mid-body after 5 body bytes$/, 5],
    ['slow-body', /^the body did not end within 400 ms after 1000 body bytes$/, 1000],
    ['bad-chunk', /^the body is not valid HTTP \(HPE_INVALID_CHUNK_SIZE: .*\) after 0 body bytes$/, 0],
  ]
  for (const [name, why, bytes] of cases) {
    it(`${name}: answered, status 200, PoP from the headers, bodyError says why`, async () => {
      // before: mid-body and bad-chunk threw (exit 6 / 7, nothing kept); slow-body was "did not answer" (exit 4)
      const r = await probeHttpTarget(plan(`http://127.0.0.1:${raw[name]!.port}/`, 400))
      assert.equal(r.answered, true)
      assert.equal(r.status, 200)
      assert.equal(r.headers['cf-ray'], '8f1e2d3c4b5a6978-FRA')
      assert.match(r.bodyError ?? '', why)
      assert.equal(r.bodyBytes, bytes)
      assert.equal(r.timings.totalMs, null, 'the body did not end: no total')
      assert.ok(r.timings.firstByteMs !== null && r.timings.connectMs !== null)
      assert.equal(r.pop?.code.toUpperCase(), 'FRA')
      assert.deepEqual(schemaErrors('http.schema.json', r), [])
      assert.match(renderHttp(r), /warning: .*the status and headers had come and are used/)
    })
  }

  it('HTTP/1.0 with a body ended by close is a whole response', async () => {
    const r = await probeHttpTarget(plan(`http://127.0.0.1:${raw.http10!.port}/`))
    assert.equal(r.httpVersion, '1.0')
    assert.equal(r.bodyError, null)
    assert.equal(r.bodyBytes, 'body until close'.length)
    assert.ok(r.timings.totalMs !== null)
    assert.equal(r.pop?.code.toUpperCase(), 'FRA')
  })

  it('HTTP/0.9 (no status line) is still "not HTTP", exit 7: no headers ever came', async () => {
    await assert.rejects(probeHttpTarget(plan(`http://127.0.0.1:${raw.http09!.port}/`)), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 7)
  })
})

describe('http --follow: a chain that leaves the target\'s address does not name the target by another service\'s edge', () => {
  const servers: Raw[] = []
  let home = 0
  /** the paths the target was asked for, but /esc itself */
  let asked: string[] = []
  let elsewhere = 0
  let closedPort = 0
  before(async () => {
    // a port with nothing listening: bound, then closed
    closedPort = await closedTcpPort()
    // the other service, on another address: its edge is LHR
    const other = createServer((sock) => {
      sock.on('error', () => {})
      sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nCF-RAY: 8f1e2d3c4b5a6978-LHR\r\nConnection: close\r\n\r\nok'))
    })
    await new Promise<void>((res) => other.listen(0, '127.0.0.2', () => res()))
    elsewhere = (other.address() as {port: number}).port
    servers.push({port: elsewhere, server: other})
    asked = []
    // the target: FRA's edge answers with a redirect, to itself (/here) or to the other host (/away, /away-bare)
    const target = await rawServer((path) => {
      if (path === '/away') return {chunks: [`HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:${elsewhere}/\r\n${RAY}Content-Length: 0\r\n\r\n`], end: false}
      if (path === '/away-bare') return {chunks: [`HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.2:${elsewhere}/\r\nContent-Length: 0\r\n\r\n`], end: false}
      if (path === '/nowhere') return {chunks: [`HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${closedPort}/\r\n${RAY}Content-Length: 0\r\n\r\n`], end: false}
      if (path === '/esc') return {chunks: [`HTTP/1.1 302 Found\r\nLocation: /next\x1b[31m\u00e9?q=\x1b1\r\n${RAY}Content-Length: 0\r\n\r\n`], end: false}
      asked.push(path)
      if (path === '/here') return {chunks: [`HTTP/1.1 301 Moved\r\nLocation: /\r\nCF-RAY: 8f1e2d3c4b5a6978-LHR\r\nContent-Length: 0\r\n\r\n`], end: false}
      return {chunks: [`HTTP/1.1 200 OK\r\n${RAY}Content-Length: 2\r\n\r\nok`], end: false}
    })
    home = target.port
    servers.push(target)
  })
  after(() => closeAll(servers))
  const follow = (path: string) => ({...plan(`http://127.0.0.1:${home}${path}`), follow: true})

  it('a Location with control and non-ASCII bytes: requested as the server sent it (percent-encoded), shown escaped', async () => {
    asked.length = 0
    // Location: /next ESC [31m é ?q= ESC 1 (é as its two UTF-8 bytes, as a server writes them)
    const r = await probeHttpTarget(follow('/esc'))
    // before: the escaped display form was requested, /next/x1b[31m... (its backslash read as a path separator)
    assert.deepEqual(asked, ['/next%1B[31m%C3%A9?q=%1B1'])
    assert.equal(r.url, `http://127.0.0.1:${home}/next%1B[31m%C3%A9?q=%1B1`)
    assert.equal(r.redirects[0]!.next, r.url)
    assert.doesNotMatch(r.redirects[0]!.location, /\x1b/, 'the Location shown is the sanitised one')
    assert.doesNotMatch(renderHttp(r), /\x1b/)
  })

  it('the PoP is read from the redirect the target gave, the final response (another address) only shown', async () => {
    const r = await probeHttpTarget(follow('/away'))
    assert.equal(r.targetAddr, '127.0.0.2', 'the final response is still the one shown')
    assert.equal(r.headers['cf-ray'], '8f1e2d3c4b5a6978-LHR')
    // before: LHR, the other service's edge, as the target's PoP
    assert.equal(r.pop?.code.toUpperCase(), 'FRA')
    assert.equal(r.popFrom?.index, 0)
    assert.match(r.popFrom?.why ?? '', /127\.0\.0\.2, not from the target's address 127\.0\.0\.1/)
    assert.equal(r.redirects[0]!.headers?.['cf-ray'], '8f1e2d3c4b5a6978-FRA')
    assert.deepEqual(schemaErrors('http.schema.json', r), [])
    assert.match(renderHttp(r), /PoP read from redirect 1: /)
  })

  it('a redirect to another address that names no edge itself: no PoP, rather than the other service\'s', async () => {
    const r = await probeHttpTarget(follow('/away-bare'))
    assert.equal(r.status, 200)
    assert.equal(r.pop, null)
    assert.equal(r.popFrom?.index, 0)
  })

  it('a redirect to where nothing answers: the target\'s 3xx is the final response, with its PoP and why the chain ended', async () => {
    const r = await probeHttpTarget(follow('/nowhere'))
    // before: the refusal of the redirect's target made the whole result "the target did not answer" (exit 4)
    assert.equal(r.answered, true)
    assert.equal(r.status, 302)
    assert.deepEqual(r.redirects, [])
    assert.equal(r.redirectError?.code, 'E_UNREACHABLE')
    assert.equal(r.redirectError?.next, `http://127.0.0.1:${closedPort}/`)
    assert.equal(r.pop?.code.toUpperCase(), 'FRA')
    assert.deepEqual(schemaErrors('http.schema.json', r), [])
    assert.match(renderHttp(r), /could not follow the redirect to http:\/\/127\.0\.0\.1:\d+\/: connection refused/)
    assert.doesNotMatch(renderHttp(r), /use --follow/)
  })

  it('a chain that stays on the target\'s address is decided by the final response, as before', async () => {
    const r = await probeHttpTarget(follow('/here'))
    assert.equal(r.redirects.length, 1)
    assert.equal(r.popFrom, null)
    assert.equal(r.pop?.code.toUpperCase(), 'FRA')
  })
})

describe('http --cf-trace: /cdn-cgi/trace goes on the response\'s own connection (one flow)', () => {
  it('one connection carries the request and the trace, so a per-flow ECMP split cannot take them to two sites', async () => {
    const ports: number[] = []
    const srv = await import('node:http').then((http) => http.createServer((req, res) => {
      ports.push(req.socket.remotePort!)
      if (req.url === '/cdn-cgi/trace') res.end('fl=1f1\nh=127.0.0.1\ncolo=FRA\nloc=DE\n')
      else res.writeHead(200, {'CF-RAY': '8f1e2d3c4b5a6978-FRA'}).end('ok')
    }))
    const port = await listenLoopback(srv)
    try {
      const r = await probeHttpTarget({...plan(`http://127.0.0.1:${port}/`), cfTrace: true})
      assert.equal(r.cfTrace?.colo, 'FRA')
      assert.equal(ports.length, 2)
      // before: a new connection (another source port) for the trace
      assert.equal(new Set(ports).size, 1, `source ports ${ports.join(', ')}`)
      assert.ok(r.timings.connectMs !== null, 'the response itself is still timed on a fresh connection')
    } finally {
      await closeServer(srv)
    }
  })
})

describe('https to an address: an edge that refuses a handshake naming no server', () => {
  it('the hint says no SNI was sent and to give --host, not "is this port speaking TLS?"', async () => {
    // nginx with ssl_reject_handshake (and CDN edges) answer a ClientHello without SNI with a
    // fatal alert 112 unrecognized_name: record type 21, TLS 1.2, length 2, level 2, 112
    const srv = await rawTcpServer((sock) => sock.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70])))
    try {
      const url = `https://127.0.0.1:${srv.port}/`
      await assert.rejects(probeHttpTarget({...plan(url), insecure: true}), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError && e.code === 'E_NETWORK' && e.exitCode === 6, String(e))
        // before: "is this port speaking TLS? try http:// or another --port"
        assert.match(e.hint ?? '', /no server name \(SNI\) was sent.*--host NAME/)
        assert.doesNotMatch(e.message, /\\x0a$/, 'no escaped newline at the end')
        return true
      })
      // with a name sent, the server refused that name: the target's failure (exit 7, an outage in a
      // watch; it was E_NETWORK, exit 6, "is this port speaking TLS?"), the hint names the name
      await assert.rejects(probeHttpTarget({...plan(url), insecure: true, host: 'edge.anycast.example'}), (e: unknown) => {
        assert.ok(e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 7, String(e))
        assert.match(e.message, /refused the TLS handshake \(alert 112: unrecognized_name\)/)
        assert.match(e.hint ?? '', /serves no site named edge\.anycast\.example: check --host/)
        return true
      })
    } finally {
      await srv.close()
    }
  })
})

describe('https: the far end closes or resets the connection in the handshake, without a TLS alert', () => {
  it('is the target not answering (E_UNREACHABLE, exit 4, a result with answered false), not a local network error', async () => {
    // an SNI-routing proxy with no backend for the name closes at the ClientHello; a firewall resets
    for (const how of ['close', 'reset'] as const) {
      const srv = await rawTcpServer((sock) => (how === 'close' ? sock.end() : sock.resetAndDestroy()))
      try {
        const url = `https://127.0.0.1:${srv.port}/`
        // before: E_NETWORK "TLS handshake ... failed (ECONNRESET)", exit 6, and a watch called it this host's failure
        const r = await probeHttpTarget({...plan(url), insecure: true})
        assert.equal(r.answered, false, how)
        assert.equal(r.noAnswer?.code, 'E_UNREACHABLE', how)
        assert.match(r.noAnswer?.message ?? '', /closed the connection in the TLS handshake \(ECONNRESET\)/, how)
        assert.match(r.noAnswer?.hint ?? '', /--host NAME/, how)
      } finally {
        await srv.close()
      }
    }
  })
})

describe('http over IPv6 (::1)', () => {
  it('connects to [::1], times the phases and names the PoP; the address is shown without brackets', async () => {
    const http = await import('node:http')
    const srv = http.createServer((_req, res) => res.writeHead(200, {'X-Amz-Cf-Pop': 'FRA56-P5'}).end('ok'))
    const port = await listenLoopback(srv, '::1')
    try {
      const r = await probeHttpTarget(plan(`http://[::1]:${port}/`))
      assert.equal(r.targetAddr, '::1')
      assert.equal(r.status, 200)
      assert.equal(r.timings.dnsMs, null)
      assert.ok(r.timings.connectMs !== null && r.timings.firstByteMs !== null && r.timings.totalMs !== null)
      assert.equal(r.pop?.code.toUpperCase(), 'FRA')
    } finally {
      await closeServer(srv)
    }
  })
})

describe('http: a server that takes the request and closes without a response', () => {
  for (const how of ['close', 'reset'] as const) {
    it(`${how}: the target did not answer (a result with answered false, exit 4), not a local network error`, async () => {
      const srv = await rawTcpServer((sock) => (how === 'close' ? sock.end() : sock.resetAndDestroy()))
      try {
        // before: E_NETWORK, exit 6 ("local network error"), and no result at all
        const r = await probeHttpTarget(plan(`http://127.0.0.1:${srv.port}/`))
        assert.equal(r.answered, false)
        assert.equal(r.noAnswer?.code, 'E_UNREACHABLE')
        assert.match(r.noAnswer?.message ?? '', /closed the connection without a response/)
        assert.equal(r.pop, null)
        assert.deepEqual(schemaErrors('http.schema.json', r), [])
      } finally {
        await srv.close()
      }
    })
  }
})

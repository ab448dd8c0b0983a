// What --flows means for the watch HTTP prober, against a small HTTP server on 127.0.0.1 that notes
// the source port of every request: each flow keeps one keep-alive connection (one source port)
// round after round, N flows are N ports; a kept connection found dead when reused (reset, or
// closed) is retried at once on a new one, which answers; a new connection that fails is a lost
// probe, not retried; close() closes the connections and a watch process exits after its probes.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {makeHttpProber} from '../../src/vantage/live/probe.js'
import {closedTcpPort} from '../helpers/loopback-server.js'

interface Edge {
  port: number
  /** source port of each request, in arrival order */
  ports: number[]
  /** what to do to the connection of the next request instead of answering it */
  breakNext: 'reset' | 'close' | null
  /** server side of every connection accepted */
  sockets: Socket[]
  /** requests that arrived, from the start (never reset) */
  requests: number
  /**
   * an outage by request number: requests `from` (counted as `requests`) up to `to` (excluded) are
   * held and never answered. By number, not by the test's clock: a server that read a request
   * late (a stalled event loop) went silent on a probe sent before the outage.
   */
  silent: {from: number; to: number} | null
  /** ms a new connection waits before its first request is read (a handshake over a long path) */
  connectDelayMs: number
  server: Server
}

async function edge(): Promise<Edge> {
  const e: Edge = {port: 0, ports: [], breakNext: null, sockets: [], requests: 0, silent: null, connectDelayMs: 0, server: createServer()}
  // longer than any test here: a kept connection ends only when a test means it to
  e.server.keepAliveTimeout = 60_000
  e.server.on('connection', (s: Socket) => {
    e.sockets.push(s)
    if (e.connectDelayMs > 0) {
      s.pause()
      setTimeout(() => s.resume(), e.connectDelayMs)
    }
  })
  e.server.on('request', (req, res) => {
    e.ports.push(req.socket.remotePort!)
    const n = e.requests++
    if (e.silent && n >= e.silent.from && n < e.silent.to) return
    const brk = e.breakNext
    e.breakNext = null
    // what a client sees when the route moved (the new PoP resets) or the server dropped it idle
    if (brk === 'reset') return void req.socket.resetAndDestroy()
    if (brk === 'close') return void req.socket.destroy()
    res.writeHead(200, {'cf-ray': '8f1e2d3c4b5a6978-AMS'}).end('ok')
  })
  await new Promise<void>((r) => e.server.listen(0, '127.0.0.1', () => r()))
  e.port = (e.server.address() as AddressInfo).port
  return e
}

describe('watch --method http --flows: one keep-alive connection per flow', () => {
  let e: Edge
  before(async () => {
    e = await edge()
  })
  after(() => {
    e.server.closeAllConnections()
    e.server.close()
  })
  const url = (): URL => new URL(`http://127.0.0.1:${e.port}/`)

  it('a flow keeps one source port round after round; its answers have an RTT (first byte) once reused', async () => {
    const prober = makeHttpProber({url: url(), host: null, timeoutMs: 2000, insecure: false})
    try {
      e.ports.length = 0
      for (let i = 0; i < 6; i++) {
        const a = await prober(0)
        assert.equal(a.answered, true, a.error)
        assert.equal(a.pop, 'AMS')
        assert.ok(a.rttMs !== null && a.rttMs > 0, `probe ${i}: rtt ${a.rttMs}`)
      }
      assert.equal(e.ports.length, 6)
      assert.equal(new Set(e.ports).size, 1, `one source port: ${e.ports.join(' ')}`)
      assert.deepEqual(prober.flows.ports(), new Map([[0, e.ports[0]]]))
      assert.equal(prober.flows.retries, 0)
    } finally {
      prober.close()
    }
  })

  it('N flows are N source ports, each kept for the whole run (also when probed together)', async () => {
    const prober = makeHttpProber({url: url(), host: null, timeoutMs: 2000, insecure: false})
    try {
      e.ports.length = 0
      const byFlow = new Map<number, Set<number>>()
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all([0, 1, 2, 3].map((f) => prober(f)))
        assert.ok(answers.every((a) => a.answered))
        for (const [f, p] of prober.flows.ports()) {
          if (!byFlow.has(f)) byFlow.set(f, new Set())
          byFlow.get(f)!.add(p)
        }
      }
      assert.equal(e.ports.length, 20)
      assert.equal(new Set(e.ports).size, 4, `four source ports: ${e.ports.join(' ')}`)
      assert.equal(byFlow.size, 4)
      for (const [f, ports] of byFlow) assert.equal(ports.size, 1, `flow ${f} kept its port`)
      assert.deepEqual(new Set([...byFlow.values()].flatMap((s) => [...s])), new Set(e.ports))
    } finally {
      prober.close()
    }
  })

  for (const how of ['reset', 'close'] as const) {
    it(`a kept connection found dead when reused (${how}) is retried at once on a new one: answered, new port, counted`, {timeout: 10_000}, async () => {
      const prober = makeHttpProber({url: url(), host: null, timeoutMs: 2000, insecure: false})
      try {
        e.ports.length = 0
        assert.equal((await prober(0)).answered, true)
        assert.equal((await prober(0)).answered, true)
        const old = e.ports[0]!
        e.breakNext = how
        const a = await prober(0)
        assert.equal(a.answered, true, `the probe after the ${how} is answered: ${a.error}`)
        assert.equal(a.pop, 'AMS')
        assert.equal(prober.flows.retries, 1)
        // the broken request reached the old connection, its retry a new one, which the flow keeps
        assert.deepEqual(e.ports.slice(0, 3), [old, old, old])
        assert.equal(e.ports.length, 4)
        assert.notEqual(e.ports[3], old)
        assert.equal((await prober(0)).answered, true)
        assert.equal(e.ports[4], e.ports[3])
        assert.equal(prober.flows.retries, 1)
      } finally {
        prober.close()
      }
    })
  }

  it('a failure on a new connection is a lost probe, not retried', async () => {
    const prober = makeHttpProber({url: url(), host: null, timeoutMs: 2000, insecure: false})
    try {
      e.ports.length = 0
      e.breakNext = 'reset'
      const a = await prober(0)
      assert.equal(a.answered, false)
      // a reset after the request is the target not answering (engines/http/request.ts), not a local network error
      assert.equal(a.error, 'E_UNREACHABLE')
      assert.equal(e.ports.length, 1, 'sent once')
      assert.equal(prober.flows.retries, 0)
      assert.equal((await prober(0)).answered, true, 'the flow goes on, on a new connection')
    } finally {
      prober.close()
    }
    // nothing listening: refused at once, as before
    const port = await closedTcpPort()
    const refused = makeHttpProber({url: new URL(`http://127.0.0.1:${port}/`), host: null, timeoutMs: 2000, insecure: false})
    try {
      assert.deepEqual(await refused(0), {receivedAt: null, rttMs: null, pop: null, answered: false, error: 'E_UNREACHABLE'})
      assert.equal(refused.flows.retries, 0)
    } finally {
      refused.close()
    }
  })

  it('after an outage the flow recovers at once, though a new connection takes longer than the interval', {timeout: 15_000}, async () => {
    // probes every 100 ms, each with 300 ms; a new connection's first answer takes 120 ms. Queued
    // behind one connection, each probe of the outage would get it only as the one before gave up,
    // with under 100 ms left: never enough once the server is back. Failing, a flow gives each probe
    // a connection of its own, with its whole timeout.
    const prober = makeHttpProber({url: url(), host: null, timeoutMs: 300, insecure: false})
    e.connectDelayMs = 120
    try {
      const answers: Array<Promise<{i: number; answered: boolean}>> = []
      // probes 3 to 8 meet the outage: one request each (a probe that times out is not sent again)
      e.silent = {from: e.requests + 3, to: e.requests + 9}
      for (let i = 0; i < 20; i++) {
        if (i === 2) {
          // the server reads probe 2 150 ms late (a loaded machine: this process stalled)
          for (const s of e.sockets) s.pause()
          setTimeout(() => e.sockets.forEach((s) => s.resume()), 150)
        }
        answers.push(prober(0).then((a) => ({i, answered: a.answered})))
        await new Promise((r) => setTimeout(r, 100))
      }
      const got = await Promise.all(answers)
      const show = got.map((a) => (a.answered ? '+' : '.')).join('')
      assert.ok(got.slice(0, 3).every((a) => a.answered), show)
      assert.ok(got.slice(3, 8).every((a) => !a.answered), show)
      assert.ok(got.slice(10).every((a) => a.answered), `answered again from the first rounds after the outage: ${show}`)
      // and back on one kept connection
      e.ports.length = 0
      for (let i = 0; i < 3; i++) assert.equal((await prober(0)).answered, true)
      assert.equal(new Set(e.ports).size, 1, e.ports.join(' '))
      assert.equal(prober.flows.failing(0), false)
    } finally {
      e.connectDelayMs = 0
      e.silent = null
      prober.close()
    }
  })

  it('close() closes every flow connection; a flow reconnects on its next use', {timeout: 10_000}, async () => {
    const prober = makeHttpProber({url: url(), host: null, timeoutMs: 2000, insecure: false})
    e.sockets.length = 0
    await Promise.all([prober(0), prober(1)])
    assert.equal(e.sockets.length, 2)
    const closed = e.sockets.map((s) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r()))))
    prober.close()
    // at once, not when the server's own keep-alive timeout (5 s) ends them
    const late = new Promise<string>((r) => setTimeout(() => r('still open after 1 s'), 1000).unref())
    assert.equal(await Promise.race([Promise.all(closed).then(() => 'closed'), late]), 'closed')
    assert.deepEqual(prober.flows.ports(), new Map())
    assert.equal((await prober(0)).answered, true)
    assert.equal(e.sockets.length, 3)
    prober.close()
  })

  it('a process that probed exits by itself, with close() and without (no handle left open)', {timeout: 30_000}, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-http-flows-'))
    try {
      const probeTs = resolve('src/vantage/live/probe.ts')
      const script = join(dir, 'child.mts')
      writeFileSync(
        script,
        `import {makeHttpProber} from ${JSON.stringify(probeTs)}
const prober = makeHttpProber({url: new URL(process.argv[2]!), host: null, timeoutMs: 2000, insecure: false, name: null})
for (let r = 0; r < 3; r++) for (const a of await Promise.all([0, 1].map((f) => prober(f)))) if (!a.answered) process.exit(3)
if (process.argv[3] === 'close') prober.close()
process.stdout.write(String(process.getActiveResourcesInfo().filter((t) => t.startsWith('TCP')).length))
`,
      )
      const runChild = (mode: string): Promise<{code: number | null; out: string; ms: number}> =>
        new Promise((res, rej) => {
          const t0 = Date.now()
          const c = spawn(process.execPath, ['--import', 'tsx', script, url().toString(), mode], {stdio: ['ignore', 'pipe', 'inherit']})
          let out = ''
          c.stdout.on('data', (d: Buffer) => (out += d.toString()))
          const kill = setTimeout(() => c.kill('SIGKILL'), 15_000)
          c.on('error', rej)
          c.on('close', (code) => {
            clearTimeout(kill)
            res({code, out, ms: Date.now() - t0})
          })
        })
      const [closing, idle] = await Promise.all([runChild('close'), runChild('idle')])
      assert.equal(closing.code, 0, 'exits after close()')
      assert.equal(closing.out, '0', 'no TCP handle keeps it alive')
      // the kept connections are unref'd while idle: even a watch that never closes ends
      assert.equal(idle.code, 0, `exits with idle kept connections (${idle.ms} ms)`)
      assert.equal(idle.out, '0')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

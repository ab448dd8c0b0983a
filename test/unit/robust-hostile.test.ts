// Issue 12, "Hostile input and faults": sizes and shapes an attacker (or a broken server) can send.
// Each test names the behaviour it guards; every one failed (or ran for minutes) before its fix.
import assert from 'node:assert/strict'
import {createServer} from 'node:http'
import {describe, it} from 'node:test'

import Table from 'cli-table3'

import {WatchReplay} from '../../src/analysis/watch/index.js'
import {readLines} from '../../src/commands/geohint.js'
import {parseCfTrace} from '../../src/engines/http/probe.js'
import {collectHeaders} from '../../src/engines/http/request.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {HttpResult} from '../../src/model/http.js'
import {plainTable} from '../../src/render/table.js'
import {readFileCapped, TooLargeError} from '../../src/util/read-capped.js'
import {hasUnsafeChars, sanitize} from '../../src/util/sanitize.js'
import {AtlasBackend, AtlasClient, parseAtlasResult} from '../../src/vantage/atlas/index.js'
import {newStats, readSaved} from '../../src/store/read.js'
import {parseFrom} from '../../src/vantage/from.js'
import {backendsFor} from '../../src/vantage/index.js'
import type {VantageOutcome} from '../../src/vantage/types.js'
import {cutResultsRoutes, fixture, standardRoutes, startAtlasReplay} from '../helpers/atlas-replay.js'
import {closeServer, listenLoopback} from '../helpers/loopback-server.js'

describe('hostile input and faults (issue 12)', () => {
  it('the sanitiser escapes U+2028/2029, zero-width characters, bidi controls and U+FEFF', () => {
    for (const c of ['\u2028', '\u2029', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\ufeff']) {
      const out = sanitize(`a${c}b`)
      assert.equal(out, `a\\x${c.charCodeAt(0).toString(16)}b`)
      assert.equal(hasUnsafeChars(out), false)
    }
    assert.equal(sanitize('fra03.example.net ü 日本'), 'fra03.example.net ü 日本')
    // a 50 MB string is cut before it is scanned
    assert.equal(sanitize('\u0007'.repeat(50 << 20), 8), '\\x07\\x07…')
  })

  it('fuzz findings: geohint keeps no zero-width character, an Atlas HTTP version is sanitised', async () => {
    const {geohintRecord} = await import('../../src/commands/geohint.js')
    const rec = geohintRecord('ae0.r02.\u200btokyjp05.jp.bb.gin.ntt.net', 'auto')
    assert.equal(hasUnsafeChars(rec.input), false)
    assert.match(rec.input, /\\x200b/)
    const r = parseAtlasResult({fw: 4790, msm_id: 1, prb_id: 2, timestamp: 1700000000, type: 'http', uri: 'http://example.com/', result: [{af: 4, dst_addr: '192.0.2.1', method: 'GET', res: 200, rt: 10, ver: '1.1\u001b]0;x\u0007'}]})
    assert.equal(hasUnsafeChars((r.outcomes[0]!.result as HttpResult).httpVersion ?? ''), false)
  })

  it('fuzz findings: memos keep no long keys; a CLLI code named constructor is no place', async () => {
    const {boundedMemo, MEMO_MAX_KEY} = await import('../../src/util/memo.js')
    const m = boundedMemo(10, (k) => k.length)
    assert.equal(m('x'.repeat(MEMO_MAX_KEY + 1)), MEMO_MAX_KEY + 1)
    assert.equal(m.size, 0)
    m('fra')
    assert.equal(m.size, 1)
    const {clliPlace} = await import('../../src/geo/clli.js')
    for (const k of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) assert.equal(clliPlace(k), null, k)
  })

  it('the table renderer is linear: 200 TXT records in one cell render at once, as cli-table3 laid them out', {timeout: 20_000}, () => {
    const txt = Array.from({length: 200}, (_, i) => `"v=spf1 include:_spf${i}.example.com ~all ${'x'.repeat(40)}"`).join('\n')
    const t0 = performance.now()
    const out = plainTable(['query', 'rcode', 'rtt ms', 'answer'], [['example.com TXT', 'NOERROR', '12.1', txt]])
    assert.ok(performance.now() - t0 < 5000)
    assert.equal(out.split('\n').length, 201)
    // the same layout cli-table3 gave (small random tables, where it is fast)
    const PLAIN = {top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  '}
    const old = (head: string[], rows: string[][]): string => {
      const t = new Table({head, chars: PLAIN, style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0}})
      for (const r of rows) t.push(r)
      return t.toString().split('\n').map((l) => l.trimEnd()).join('\n')
    }
    const alpha = ['a', 'bb', ' ', '日', 'é', '\n', 'x', '-', '1', 'Ω', '']
    let seed = 7
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), (seed >>> 8) % n)
    const str = (): string => Array.from({length: rnd(10)}, () => alpha[rnd(alpha.length)]).join('')
    for (let k = 0; k < 300; k++) {
      const cols = 1 + rnd(4)
      const head = Array.from({length: cols}, str)
      const rows = Array.from({length: rnd(4)}, () => Array.from({length: cols}, str))
      assert.equal(plainTable(head, rows), old(head, rows), JSON.stringify({head, rows}))
    }
  })

  it('one observation with sentAt = 2^53 loses that line, not the saved watch', async () => {
    const start = {schemaVersion: 1, kind: 'watch-start', at: '2024-06-10T06:13:20.000Z', target: '198.51.100.10', method: 'dns', intervalMs: 1000, flows: 1, flapThreshold: 3, flapWindowMs: 60000, outageAfter: 3, reorderRounds: 2}
    const lines = [JSON.stringify(start)]
    for (let r = 0; r < 10; r++) lines.push(JSON.stringify({vantageId: 'vp-a', round: r, flow: 0, sentAt: r === 4 ? 2 ** 53 : 1718000000000 + r * 1000, receivedAt: null, rttMs: 12, pop: 'FRA', answered: true}))
    const stats = newStats()
    const replay = new WatchReplay()
    let events = 0
    async function* src(): AsyncGenerator<string> {
      yield lines.join('\n') + '\n'
    }
    for await (const item of readSaved(src(), stats)) {
      if (item.type === 'watch-start') replay.start(item.start)
      else if (item.type === 'observation') events += replay.push(item.observation).length
    }
    const fin = replay.finish()
    const summary = fin.find((e) => e.type === 'summary') as {vantagePoints: Array<{answered: number}>} | undefined
    assert.ok(summary, 'the watch is judged')
    assert.equal(summary.vantagePoints[0]!.answered, 9)
    assert.equal(stats.unparseable, 1)
  })

  it('an @FILE read is capped: --from @/dev/zero is a clear error, not 10 GB of memory', () => {
    assert.throws(() => readFileCapped('/dev/zero', 1 << 20), (e: unknown) => e instanceof TooLargeError)
    const rss = process.memoryUsage().rss
    assert.throws(() => parseFrom(['@/dev/zero']), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && /larger than 4 MiB/.test(e.message))
    assert.ok(process.memoryUsage().rss - rss < 200 << 20)
  })

  it('the Atlas client stops reading an endless body at its cap, with a clear error', async () => {
    let sent = 0
    const srv = createServer((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      const chunk = Buffer.alloc(64 << 10, 0x20)
      const pump = (): void => {
        while (sent < 64 << 20 && res.write(chunk)) sent += chunk.length
        if (sent < 64 << 20) res.once('drain', pump)
        else res.end()
      }
      res.write('[')
      pump()
    })
    const port = await listenLoopback(srv)
    try {
      const client = new AtlasClient({apiUrl: `http://127.0.0.1:${port}/api/v2/`, maxBodyBytes: 2 << 20, maxTries: 1})
      await assert.rejects(client.getJson('measurements/1/'), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && /more than 2 MiB/.test(e.message))
      assert.ok(sent < 32 << 20, `${sent} bytes were sent before the client stopped`)
    } finally {
      await closeServer(srv)
    }
  })

  it('geohint input lines are capped (a line with no newline does not grow without bound)', async () => {
    async function* endless(): AsyncGenerator<string> {
      for (let i = 0; i < 200; i++) yield 'a'.repeat(64 << 10)
      yield '\nfra03.example.net\n'
    }
    const info = {cut: 0}
    const got: string[] = []
    for await (const lines of readLines(endless(), info)) got.push(...lines)
    assert.deepEqual(got.map((l) => l.length), [8192, 'fra03.example.net'.length])
    assert.equal(info.cut, 1)
  })

  it('a header named constructor (or __proto__) reads as itself, not as Object.prototype', () => {
    assert.deepEqual({...collectHeaders(['Constructor', 'x', 'toString', 'y'])}, {constructor: 'x', tostring: 'y'})
    const cf = parseCfTrace('__proto__=evil\nconstructor=c\ncolo=FRA')
    assert.equal(Object.getPrototypeOf(cf), Object.prototype)
    assert.equal(cf.constructor, 'c')
    assert.equal(cf.colo, 'FRA')
    const r = parseAtlasResult({fw: 4790, msm_id: 1, prb_id: 2, timestamp: 1700000000, type: 'http', uri: 'http://example.com/', result: [{af: 4, dst_addr: '192.0.2.1', method: 'GET', res: 200, rt: 10, ver: '1.1', header: ['HTTP/1.1 200 OK', 'constructor: x', 'hasOwnProperty: y']}]})
    const h = (r.outcomes[0]!.result as HttpResult).headers
    assert.equal(h.constructor, 'x')
    assert.equal(h.hasownproperty, 'y')
  })

  it('--vp-timeout is handed to the Atlas backend when given, and not when unset', async () => {
    const seen: Array<number | undefined> = []
    class FakeBackend {
      constructor(_s: string, o: {timeoutMs?: number}) {
        seen.push(o.timeoutMs)
      }
    }
    const loadAtlas = async () => ({AtlasBackend: FakeBackend as never})
    await backendsFor([{kind: 'atlas', selector: 'country=NL'}], {concurrency: 1, timeoutMs: 5000, atlasTimeoutMs: 5000, loadAtlas})
    await backendsFor([{kind: 'atlas', selector: 'country=NL'}], {concurrency: 1, timeoutMs: 60000, loadAtlas})
    assert.deepEqual(seen, [5000, undefined])
  })

  it('a silent probe\'s E_TIMEOUT says the time really waited, not the 10 min limit', async () => {
    const srv = await startAtlasReplay()
    try {
      const finished = {...fixture<Record<string, unknown>>('measurement-7000001-probes.json'), status: {id: 4, name: 'Stopped'}}
      srv.routes.length = 0
      srv.routes.push(
        {path: 'measurements/7000001/', query: {optional_fields: 'probes'}, body: finished},
        {path: 'measurements/7000001/', body: finished},
        {path: 'measurements/7000001/results/', fixture: 'results-errors.json'},
        ...standardRoutes(),
      )
      const b = new AtlasBackend('probes=10834,22586,21,12185', {msmId: 7000001, env: {ANYPROBE_ATLAS_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, enrich: false})
      const out: VantageOutcome[] = []
      for await (const o of b.run({method: 'trace', target: '78.46.48.134', cliArgs: ['78.46.48.134'], options: {}}, {concurrency: 1})) out.push(o)
      const silent = out.find((o) => o.vantage.id === 'atlas:12185')!
      assert.equal(silent.error!.code, 'E_TIMEOUT')
      assert.doesNotMatch(silent.error!.message, /600 s|10 min|limit/)
      assert.match(silent.error!.message, /waited \d+\.\d\d s/)
    } finally {
      await srv.close()
    }
  })

  it('results that break off after some came are said (onIncomplete), not dropped', async () => {
    // results cut inside the second result: the first is whole
    const srv = await startAtlasReplay({routes: cutResultsRoutes()})
    try {
      const said: string[] = []
      const b = new AtlasBackend('probes=12185,22880', {msmId: 3606560, env: {ANYPROBE_ATLAS_URL: srv.url, XDG_CONFIG_HOME: '/nonexistent'}, enrich: false, onIncomplete: (e) => said.push(e.message)})
      const out: VantageOutcome[] = []
      for await (const o of b.run({method: 'trace', target: '194.0.25.10', cliArgs: ['194.0.25.10'], options: {}}, {concurrency: 1})) out.push(o)
      assert.ok(out.some((o) => o.result !== null), 'the whole result is kept')
      assert.equal(said.length, 1)
      assert.match(said[0]!, /not a complete JSON array/)
      assert.ok(b.incomplete instanceof AnyprobeError)
    } finally {
      await srv.close()
    }
  })
})

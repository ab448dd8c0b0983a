// anyprobe watch, without root: option parsing, the NDJSON / --out formats, the metrics text and
// server, and a real local watch against a tiny DNS server on 127.0.0.1 whose hostname.bind
// answer changes mid-run (a shift must appear, nothing lost, and --out must replay to the same).
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createSocket, type Socket as UdpSocket} from 'node:dgram'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import dnsPacket from 'dns-packet'

import {analyze} from '../../src/analysis/watch/index.js'
import {DnsExchangeError} from '../../src/engines/dns/transport.js'
import {childFlags, ndjsonLine, watchSettings} from '../../src/commands/watch.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {Observation, WatchEvent} from '../../src/model/watch.js'
import {renderWatchEvent} from '../../src/render/watch.js'
import {parseObservationLine} from '../../src/watch/children.js'
import {runRounds} from '../../src/watch/loop.js'
import {parseHostPort, WatchMetrics} from '../../src/watch/metrics.js'
import {makeDnsProber, makeHttpProber} from '../../src/watch/probe.js'
import {LiveView} from '../../src/watch/view.js'
import {schemaErrors} from '../helpers/schema.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'anyprobe-watch-'))
after(() => rmSync(tmp, {recursive: true, force: true}))

const baseFlags = {method: 'dns', failover: false, flows: 1, 'flap-threshold': 3, 'flap-window': '60s'}

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Run `anyprobe watch ARGS` from source in a child process (async: the test's DNS server keeps answering). */
function watchCli(args: string[], opts: {timeoutMs?: number; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void} = {}): Promise<Ran> {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/watch.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(ROOT)})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`watch ${args.join(' ')} did not end: ${stderr}`))
    }, opts.timeoutMs ?? 60_000)
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      opts.onStderr?.(stderr, child)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

/** A DNS server answering CH TXT hostname.bind with `identity()` (and NSID when asked). */
interface FakeDns {
  port: number
  queries: number
  identity: string
  /** after this many more queries, answer with `next` */
  flipAfter: {queries: number; next: string} | null
  close(): Promise<void>
}

async function fakeDns(identity: string): Promise<FakeDns> {
  const udp: UdpSocket = createSocket('udp4')
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()))
  const state: FakeDns = {
    port: udp.address().port,
    queries: 0,
    identity,
    flipAfter: null,
    close: () => new Promise<void>((res) => udp.close(() => res())),
  }
  udp.on('message', (msg, rinfo) => {
    state.queries++
    if (state.flipAfter && --state.flipAfter.queries < 0) {
      state.identity = state.flipAfter.next
      state.flipAfter = null
    }
    const q = dnsPacket.decode(msg)
    const question = q.questions![0]!
    const wantsNsid = (q.additionals ?? []).some((a) => a.type === 'OPT')
    const packet: dnsPacket.Packet = {
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [question],
      answers: [{type: 'TXT', class: 'CH', name: question.name, data: state.identity}],
    }
    if (wantsNsid) {
      const nsid = Buffer.from(state.identity.split('.').slice(0, 2).reverse().join('-'))
      packet.additionals = [
        {type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{code: 3, data: nsid} as unknown as dnsPacket.PacketOpt]},
      ]
    }
    udp.send(dnsPacket.encode(packet), rinfo.port, rinfo.address)
  })
  return state
}

function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown)
}

describe('watch options', () => {
  it('defaults: 1s interval, 50ms with --failover, timeout from the interval', () => {
    const d = watchSettings(baseFlags)
    assert.equal(d.intervalMs, 1000)
    assert.equal(d.timeoutMs, 1000)
    const f = watchSettings({...baseFlags, failover: true})
    assert.equal(f.intervalMs, 50)
    assert.equal(f.timeoutMs, 250)
    assert.equal(watchSettings({...baseFlags, failover: true, interval: '20ms'}).intervalMs, 20)
    assert.equal(watchSettings({...baseFlags, interval: '1m'}).timeoutMs, 2000)
    assert.equal(watchSettings({...baseFlags, duration: '2s', 'flap-window': '5s'}).durationMs, 2000)
  })

  it('bad durations are E_BAD_DURATION, exit 2', () => {
    for (const bad of [{interval: 'soon'}, {interval: '0s'}, {interval: '5ms'}, {duration: '-1s'}, {timeout: 'x'}, {'flap-window': '1 fortnight'}]) {
      assert.throws(
        () => watchSettings({...baseFlags, ...bad}),
        (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_DURATION' && e.exitCode === 2,
        JSON.stringify(bad),
      )
    }
  })

  it('icmp and trace say "not yet" as E_USAGE', () => {
    for (const method of ['icmp', 'trace']) {
      assert.throws(() => watchSettings({...baseFlags, method}), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && /not supported by watch yet/.test(e.message))
    }
  })

  it('the CLI exits 2 with E_BAD_DURATION on a bad --interval, and E_USAGE for ssh', async () => {
    const r = await watchCli(['127.0.0.1', '--interval', 'often'])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /error E_BAD_DURATION: --interval/)
    const j = await watchCli(['127.0.0.1', '--duration', '1x', '--json'])
    assert.equal(j.code, 2)
    assert.equal((lines(j.stdout)[0] as {error: {code: string}}).error.code, 'E_BAD_DURATION')
    const s = await watchCli(['127.0.0.1', '--from', 'ssh:probe.example'])
    assert.equal(s.code, 2)
    assert.match(s.stderr, /E_USAGE: watch --from ssh: not supported yet/)
  })

  it('a netns child gets the same schedule, observations only', () => {
    const s = watchSettings({...baseFlags, failover: true, count: 40})
    assert.deepEqual(childFlags(s, {port: 53, insecure: false}, 1_700_000_000_000, 'ap-vp-ber'), [
      '--from', 'local', '--observations', '--method=dns', '--interval=50ms', '--timeout=250ms', '--flows=1', '--port=53',
      '--start-at=1700000000000', '--vantage-id=ap-vp-ber', '--count=40',
    ])
  })
})

describe('watch formats', () => {
  it('an observation line round-trips; garbage and non-observations are ignored', () => {
    const o: Observation = {vantageId: 'x', round: 3, flow: 0, sentAt: 1000, receivedAt: 1001, rttMs: 1.25, pop: 'FRA', answered: true}
    const line = ndjsonLine(o)
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'))
    assert.deepEqual(parseObservationLine(line.trim()), o)
    assert.equal(parseObservationLine('not json'), null)
    assert.equal(parseObservationLine('{"kind":"watch-event"}'), null)
    assert.equal(parseObservationLine('{"round":1.5,"flow":0,"sentAt":1,"answered":true}'), null)
    assert.equal(parseObservationLine('{"round":1,"flow":0,"sentAt":1,"answered":false,"pop":"\\u001b[31mX"}')?.pop?.includes('\x1b'), false)
  })

  it('metrics: current PoP, last RTT, counters and a failover-gap histogram', () => {
    const m = new WatchMetrics()
    m.observe({vantageId: 'ber', round: 0, flow: 0, sentAt: 0, receivedAt: 1, rttMs: 0.5, pop: 'FRA', answered: true})
    m.observe({vantageId: 'ber', round: 1, flow: 0, sentAt: 50, receivedAt: null, rttMs: null, pop: null, answered: false})
    m.observe({vantageId: 'nyc', round: 0, flow: 0, sentAt: 0, receivedAt: 1, rttMs: 40.2, pop: 'IAD', answered: true})
    const common = {schemaVersion: 1 as const, kind: 'watch-event' as const, vantageId: 'ber', round: 5, at: '2026-01-01T00:00:00.000Z', lastOldAt: 'a', firstNewAt: 'b', rttBeforeMs: 0.5, rttAfterMs: 40, resolutionMs: 50, clockJump: false, unlocatedProbes: 0}
    m.event({...common, type: 'shift', from: 'FRA', to: 'IAD', gapMs: 2600, lostProbes: 51})
    m.event({...common, type: 'failover', from: 'FRA', to: 'IAD', gapMs: 2600, gapMinMs: 2500, lostProbes: 51})
    const t = m.text()
    assert.match(t, /^anyprobe_vantage_pop\{vantage="ber",pop="IAD"\} 1$/m)
    assert.match(t, /^anyprobe_vantage_pop\{vantage="nyc",pop="IAD"\} 1$/m)
    assert.doesNotMatch(t, /pop="FRA"/)
    assert.match(t, /^anyprobe_vantage_rtt_seconds\{vantage="nyc"\} 0\.0402$/m)
    assert.match(t, /^anyprobe_shifts_total\{vantage="ber"\} 1$/m)
    assert.match(t, /^anyprobe_shifts_total\{vantage="nyc"\} 0$/m)
    assert.match(t, /^anyprobe_flaps_total\{vantage="ber"\} 0$/m)
    assert.match(t, /^anyprobe_probes_lost_total\{vantage="ber"\} 1$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_bucket\{le="2"\} 0$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_bucket\{le="3"\} 1$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_bucket\{le="\+Inf"\} 1$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_sum 2\.6$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_count 1$/m)
    assert.match(t, /^# TYPE anyprobe_failover_gap_seconds histogram$/m)
    assert.deepEqual(parseHostPort('[::1]:9464'), {host: '::1', port: 9464})
    assert.throws(() => parseHostPort('9464'), /E_USAGE|HOST:PORT/)
  })

  it('event lines are one line each and sanitised', () => {
    const e = {schemaVersion: 1, kind: 'watch-event', type: 'flap', vantageId: 'b\x1b[2Jer', round: 9, at: '2026-01-01T00:00:01.000Z', pops: ['FRA', 'IAD'], flips: 4, windowMs: 10_000, threshold: 4, flipsPerMinute: 24, since: 'x'} as WatchEvent
    const text = renderWatchEvent(e)
    assert.ok(!text.includes('\x1b') && !text.includes('\n'))
    assert.match(text, /flapping between FRA, IAD: 4 flips in 10 s/)
  })
})

describe('watch live view', () => {
  const obs = (round: number, pop: string | null): Observation => ({vantageId: 'ber', round, flow: 0, sentAt: round * 50, receivedAt: round * 50 + 1, rttMs: 1, pop, answered: pop !== null})
  const shift = {schemaVersion: 1, kind: 'watch-event', type: 'shift', vantageId: 'ber', round: 3, at: '2026-01-01T00:00:00.150Z', from: 'FRA', to: 'IAD', rttBeforeMs: 1, rttAfterMs: 40, lastOldAt: 'a', firstNewAt: 'b', gapMs: 50, lostProbes: 0, unlocatedProbes: 0, resolutionMs: 50, clockJump: false} as WatchEvent

  it('off a terminal: the first catchment once, then one line per event, no escape codes', () => {
    const out: string[] = []
    const v = new LiveView((t) => out.push(t), false)
    v.observe(obs(0, 'FRA'))
    v.observe(obs(1, 'FRA'))
    v.event(shift)
    v.observe(obs(3, 'IAD'))
    v.close()
    const text = out.join('')
    assert.ok(!text.includes('\x1b'))
    const ls = text.trim().split('\n')
    assert.equal(ls.length, 2, text)
    assert.match(ls[0]!, /^ber\s+FRA\s+rtt/)
    assert.match(ls[1]!, /ber shift FRA -> IAD\s+gap 50 ms, 0 lost/)
  })

  it('on a terminal: the catchment block is erased and redrawn below each event', () => {
    const out: string[] = []
    const v = new LiveView((t) => out.push(t), true)
    v.observe(obs(0, 'FRA'))
    v.event(shift)
    v.close()
    const text = out.join('')
    // the event line is written after erasing the one-line block (cursor up 1, clear below), then the block again
    assert.ok(text.includes('\x1b[1A\r\x1b[J'), JSON.stringify(text))
    const afterEvent = text.slice(text.indexOf('shift FRA -> IAD'))
    assert.match(afterEvent, /\nber\s+IAD\s+rtt/)
  })
})

describe('watch against a local DNS server', () => {
  let dns: FakeDns
  before(async () => {
    dns = await fakeDns('s1.fra.anycast.example')
  })
  after(() => dns.close())

  it('the prober names the PoP from hostname.bind, one fresh source port per probe', async () => {
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 1000})
    const a = await prober(0)
    assert.equal(a.answered, true)
    assert.equal(a.pop, 'FRA')
    assert.ok(a.rttMs !== null && a.rttMs >= 0)
    const lost = await makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 100, exchanger: {exchange: () => Promise.reject(new DnsExchangeError('timeout', 't'))}})(0)
    assert.deepEqual(lost, {receivedAt: null, rttMs: null, pop: null, answered: false, error: 'timeout'})
  })

  it('the http prober names the PoP from the response headers', async () => {
    const server = createServer((_req, res) => res.writeHead(200, {'cf-ray': '8f1e2d3c4b5a6978-AMS'}).end('ok'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    try {
      const port = (server.address() as {port: number}).port
      const a = await makeHttpProber({url: new URL(`http://127.0.0.1:${port}/`), host: null, timeoutMs: 2000, insecure: false})(0)
      assert.equal(a.answered, true)
      assert.equal(a.pop, 'AMS')
    } finally {
      server.close()
    }
  })

  it('the round loop keeps an absolute schedule and reports every probe, flows included', async () => {
    const seen: Observation[] = []
    const complete: number[] = []
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 500})
    const start = Date.now() + 20
    await runRounds({vantageId: 'local', prober, intervalMs: 30, flows: 3, startAt: start, count: 10, onObservation: (o) => seen.push(o), onRoundComplete: (r) => complete.push(r)})
    assert.equal(seen.length, 30)
    assert.deepEqual(complete, [...Array(10).keys()])
    for (const o of seen) {
      // never early; late only by what a busy machine imposes (the schedule is absolute: no drift)
      assert.ok(o.sentAt >= start + o.round * 30 - 2 && o.sentAt < start + o.round * 30 + 1000, `round ${o.round} sent at +${o.sentAt - start}`)
      assert.equal(o.pop, 'FRA')
    }
    assert.deepEqual([...new Set(seen.map((o) => o.flow))].sort(), [0, 1, 2])
  })

  it('a shift appears when hostname.bind changes mid-run; --json is NDJSON ending with the summary; --out replays to the same events', async () => {
    dns.identity = 's1.fra.anycast.example'
    const out = join(tmp, 'obs.ndjson')
    dns.flipAfter = {queries: 20, next: 's1.iad.anycast.example'}
    const r = await watchCli(['127.0.0.1', '--port', String(dns.port), '--interval', '50ms', '--count', '50', '--json', '--out', out])
    assert.equal(r.code, 0, r.stderr)
    const events = lines(r.stdout) as WatchEvent[]
    const last = events.at(-1)!
    assert.equal(last.type, 'summary')
    const shifts = events.filter((e) => e.type === 'shift')
    assert.equal(shifts.length, 1, r.stdout)
    const shift = shifts[0]!
    assert.ok(shift.type === 'shift')
    assert.equal(shift.from, 'FRA')
    assert.equal(shift.to, 'IAD')
    assert.equal(shift.lostProbes, 0)
    assert.ok(shift.gapMs > 0 && shift.gapMs <= 300, `gap ${shift.gapMs}`)
    const saved0 = lines(readFileSync(out, 'utf8')) as Observation[]
    const firstNew = saved0.find((o) => o.pop === 'IAD')!
    assert.equal(shift.round, firstNew.round)
    assert.equal(saved0.find((o) => o.round === firstNew.round - 1)?.pop, 'FRA', 'the round before the shift was answered by FRA')
    assert.equal(events.filter((e) => e.type === 'failover').length, 0)
    for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    if (last.type !== 'summary') throw new Error('unreachable')
    assert.equal(last.observations, 50)
    assert.equal(last.vantagePoints[0]!.lost, 0)
    assert.equal(last.vantagePoints[0]!.pop, 'IAD')

    const saved = lines(readFileSync(out, 'utf8')) as Observation[]
    assert.equal(saved.length, 50)
    assert.deepEqual([...new Set(saved.map((o) => o.round))].length, 50)
    const replay = analyze(saved, {intervalMs: 50})
    const strip = (xs: WatchEvent[]): unknown[] => xs.filter((e) => e.type !== 'summary')
    assert.deepEqual(strip(replay), strip(events))
  })

  it('the human view prints the catchment once and one line per event when stdout is not a terminal', async () => {
    dns.identity = 's1.fra.anycast.example'
    dns.flipAfter = {queries: 15, next: 's1.sin.anycast.example'}
    const r = await watchCli(['127.0.0.1', '--port', String(dns.port), '--interval', '50ms', '--duration', '2s'])
    assert.equal(r.code, 0, r.stderr)
    assert.ok(!r.stdout.includes('\x1b'), 'no redraw codes off a terminal')
    const ls = r.stdout.trim().split('\n')
    assert.match(ls[0]!, /^local\s+FRA\s+rtt/)
    assert.equal(ls.filter((l) => / shift FRA -> SIN /.test(l)).length, 1, r.stdout)
    assert.ok(ls.some((l) => l.startsWith('summary: 40 rounds')), r.stdout)
  })

  it('child mode (--observations): one Observation per line on the shared schedule, nothing else', async () => {
    dns.identity = 's1.fra.anycast.example'
    dns.flipAfter = null
    const startAt = Date.now() + 3000
    const r = await watchCli(['127.0.0.1', '--from', 'local', '--observations', '--port', String(dns.port), '--interval=50ms', '--count=40', `--start-at=${startAt}`, '--vantage-id=ap-vp-x'])
    assert.equal(r.code, 0, r.stderr)
    const obs = lines(r.stdout).map((l) => parseObservationLine(JSON.stringify(l)))
    assert.ok(obs.every((o) => o !== null), r.stdout)
    // rounds whose time had passed before the child was ready are skipped, never sent late in a burst
    const rounds = obs.map((o) => o!.round)
    assert.ok(rounds.length >= 1 && rounds.at(-1) === 39, JSON.stringify(rounds))
    assert.deepEqual([...rounds].sort((a, b) => a - b), [...Array(rounds.length).keys()].map((i) => 40 - rounds.length + i))
    for (const o of obs) {
      assert.equal(o!.vantageId, 'ap-vp-x')
      assert.equal(o!.pop, 'FRA')
      assert.ok(o!.sentAt >= startAt + o!.round * 50 - 2)
    }
  })

  it('SIGTERM stops it: the summary is printed and every probe sent is counted and saved', async () => {
    dns.identity = 's1.fra.anycast.example'
    const out = join(tmp, 'term.ndjson')
    let killed = false
    const r = await watchCli(['127.0.0.1', '--port', String(dns.port), '--interval', '50ms', '--json', '--out', out, '--metrics', '127.0.0.1:0'], {
      onStderr: (text, child) => {
        const m = /metrics on (http:\S+)/.exec(text)
        if (!m || killed) return
        killed = true
        void (async () => {
          try {
            // poll until a few rounds are in (a busy machine may start slowly), then stop it
            for (let i = 0; i < 100 && !metricsOk; i++) {
              await new Promise((r) => setTimeout(r, 100))
              const body = await (await fetch(m[1]!)).text()
              const answered = Number(/^anyprobe_probes_answered_total\{vantage="local"\} (\d+)$/m.exec(body)?.[1] ?? 0)
              if (answered < 5) continue
              assert.match(body, /^anyprobe_vantage_pop\{vantage="local",pop="FRA"\} 1$/m)
              assert.match(body, /^anyprobe_failover_gap_seconds_count 0$/m)
              metricsOk = true
            }
          } finally {
            child.kill('SIGTERM')
          }
        })()
      },
    })
    assert.equal(r.code, 0, r.stderr)
    assert.ok(metricsOk, 'metrics were served')
    const events = lines(r.stdout) as WatchEvent[]
    const sum = events.at(-1)!
    assert.equal(sum.type, 'summary')
    assert.deepEqual(schemaErrors('watch-event.schema.json', sum), [])
    const saved = lines(readFileSync(out, 'utf8')) as Observation[]
    if (sum.type !== 'summary') throw new Error('unreachable')
    assert.ok(saved.length >= 5)
    assert.equal(sum.observations, saved.length)
    assert.equal(sum.vantagePoints[0]!.lost, 0)
  })
})

let metricsOk = false

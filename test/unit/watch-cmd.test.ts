// anyprobe watch, without root: option parsing, the NDJSON / --out formats, the metrics text and
// server, and a real local watch against a tiny DNS server on 127.0.0.1 whose hostname.bind
// answer changes mid-run (a shift must appear, nothing lost, and --out must replay to the same).
// ssh: vantage points through a fake `ssh` on PATH that runs the remote command here (one host
// works, one is refused), the child protocol (signals, stop on stdin EOF, garbage, failures), and
// the fast hostname.bind reply reader against dns-packet on generated and mutated replies.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import dnsPacket from 'dns-packet'

import {analyze} from '../../src/analysis/watch/index.js'
import {decodeReply, encodeQuery, matchesQuery, type QuerySpec, readReply} from '../../src/engines/dns/packet.js'
import {DnsExchangeError} from '../../src/engines/dns/transport.js'
import {watchSettings} from '../../src/commands/watch.js'
import {childFlags} from '../../src/vantage/live/child-args.js'
import {ndjsonLine} from '../../src/console/output.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {StateEvent} from '../../src/model/expect.js'
import type {Observation, WatchEvent, WatchStart, WatchSummaryEvent} from '../../src/model/watch.js'
import {renderWatchEvent} from '../../src/render/watch.js'
import {vantageOf} from '../../src/vantage/local.js'
import {childErrorReport, childFailure, parseChildLine, parseObservationLine, startChild} from '../../src/vantage/live/children.js'
import {runRounds} from '../../src/vantage/live/loop.js'
import {parseHostPort, WatchMetrics} from '../../src/watch/metrics.js'
import {placeCommand} from '../../src/vantage/live/places.js'
import {makeDnsProber, makeHttpProber} from '../../src/vantage/live/probe.js'
import {readHostnameBindReply} from '../../src/vantage/live/reply.js'
import {LiveView} from '../../src/watch/view.js'
import {runCommand, srcConfig} from '../helpers/cli.js'
import {readWatchOut} from '../helpers/watch-out.js'
import {schemaErrors} from '../helpers/schema.js'
import {hasOpt, nsidOpt, startDnsServer, txtReply} from '../helpers/dns-server.js'
import {closeServer, listenLoopback} from '../helpers/loopback-server.js'

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
function watchCli(args: string[], opts: {timeoutMs?: number; env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void} = {}): Promise<Ran> {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/watch.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env})
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
  /** the answer record's class and owner (a parked domain's server gives its wildcard IN TXT for any question) */
  answer?: {class: 'CH' | 'IN'; name?: string}
  close(): Promise<void>
}

async function fakeDns(identity: string): Promise<FakeDns> {
  const state: FakeDns = {port: 0, queries: 0, identity, flipAfter: null, close: async () => {}}
  const srv = await startDnsServer({
    answer: ({query}) => {
      state.queries++
      if (state.flipAfter && --state.flipAfter.queries < 0) {
        state.identity = state.flipAfter.next
        state.flipAfter = null
      }
      const packet = txtReply({...query, questions: [query.questions![0]!]}, state.identity, {class: state.answer?.class ?? 'CH', name: state.answer?.name})
      if (hasOpt(query) && state.answer === undefined) packet.additionals = [nsidOpt(state.identity.split('.').slice(0, 2).reverse().join('-'))]
      return packet
    },
  })
  return Object.assign(state, {port: srv.port, close: srv.close})
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
    // at least 1 s: probes overlap, and a far PoP's answer is not a loss (watch-slow-answer.test.ts)
    assert.equal(f.timeoutMs, 1000)
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

  it('every method of the issue is accepted (icmp and trace over raw sockets); anything else is E_USAGE', () => {
    for (const method of ['dns', 'http', 'icmp', 'trace']) assert.equal(watchSettings({...baseFlags, method}).method, method)
    assert.throws(() => watchSettings({...baseFlags, method: 'ping'}), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && /expected dns, http, icmp, trace/.test(e.message))
  })

  it('the CLI exits 2 with E_BAD_DURATION on a bad --interval, and E_USAGE for an Atlas interval under the minimum', async () => {
    const r = await watchCli(['127.0.0.1', '--interval', 'often'])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /error E_BAD_DURATION: --interval/)
    const j = await watchCli(['127.0.0.1', '--duration', '1x', '--json'])
    assert.equal(j.code, 2)
    assert.equal((lines(j.stdout)[0] as {error: {code: string}}).error.code, 'E_BAD_DURATION')
    const a = await watchCli(['127.0.0.1', '--from', 'atlas:country=NL,n=5', '--interval', '30s', '--dry-run', '--json'])
    assert.equal(a.code, 2)
    const err = (lines(a.stdout)[0] as {error: {code: string; message: string; hint: string}}).error
    assert.equal(err.code, 'E_USAGE')
    assert.match(err.message, /shorter than RIPE Atlas allows for dns measurements \(minimum 60s\)/)
    const d = await watchCli(['127.0.0.1', '--from', 'atlas:country=NL,n=5', '--interval', '5m', '--dry-run', '--json'])
    assert.equal(d.code, 0, d.stderr)
    const dry = lines(d.stdout)[0] as {request: {is_oneoff: boolean; definitions: Array<{interval: number; query_argument: string; set_nsid_bit: boolean}>}; cost: {perHour: number; perDay: number}}
    assert.equal(dry.request.is_oneoff, false)
    assert.equal(dry.request.definitions[0]!.interval, 300)
    assert.equal(dry.request.definitions[0]!.query_argument, 'hostname.bind')
    assert.equal(dry.request.definitions[0]!.set_nsid_bit, true)
    // 5 probes x 12 results an hour x 10 credits (periodic DNS over UDP)
    assert.deepEqual([dry.cost.perHour, dry.cost.perDay], [600, 14400])
  })

  it('a netns or ssh child gets the same schedule, observations with their signals only, stopped through stdin', () => {
    const s = watchSettings({...baseFlags, failover: true, count: 40})
    assert.deepEqual(childFlags(s, {port: 53, insecure: false}, 1_700_000_000_000, 'ap-vp-ber'), [
      '--from', 'local', '--observations', '--signals', '--stop-on-eof', '--method=dns', '--interval=50ms', '--timeout=1000ms', '--flows=1', '--port=53',
      '--start-at=1700000000000', '--vantage-id=ap-vp-ber', '--count=40',
    ])
  })

  it('ssh children use the vantage layer\'s ssh argv: BatchMode, -p, --ssh-option, "--", one shell-quoted command', () => {
    const c = placeCommand({kind: 'ssh', user: 'probe', host: 'vp1.example', port: 2222, id: 'probe@vp1.example:2222'}, ['watch', "198.51.100.10", '--vantage-id=probe@vp1.example:2222'], {
      remoteCommand: "node '/opt/any probe/bin/run.js'",
      sshOptions: ['IdentityFile=/k'],
    })
    assert.equal(c.file, 'ssh')
    assert.equal(c.via, 'ssh')
    assert.equal(c.command, '--remote-command')
    assert.deepEqual(c.vantage, vantageOf('ssh', 'probe@vp1.example:2222', 'vp1.example'))
    assert.deepEqual(c.args, [
      '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-p', '2222', '-o', 'IdentityFile=/k', '--', 'probe@vp1.example',
      "node '/opt/any probe/bin/run.js' watch 198.51.100.10 --vantage-id=probe@vp1.example:2222",
    ])
    const n = placeCommand({kind: 'netns', name: 'ap-vp-ber'}, ['watch', 'x'], {remoteCommand: 'anyprobe-x {args} --flag'})
    assert.deepEqual([n.file, ...n.args], ['ip', 'netns', 'exec', 'ap-vp-ber', 'anyprobe-x', 'watch', 'x', '--flag'])
    assert.equal(n.via, 'netns')
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

  it('metrics (prom-client): site info, probe success and duration, site changes, a failover-gap histogram', async () => {
    const m = new WatchMetrics()
    m.observe({vantageId: 'ber', round: 0, flow: 0, sentAt: 0, receivedAt: 1, rttMs: 0.5, pop: 'FRA', answered: true})
    m.observe({vantageId: 'ber', round: 1, flow: 0, sentAt: 50, receivedAt: null, rttMs: null, pop: null, answered: false})
    m.observe({vantageId: 'nyc', round: 0, flow: 0, sentAt: 0, receivedAt: 1, rttMs: 40.2, pop: 'IAD', answered: true})
    // 0.196 / 1000 is 0.00019600000000000002 in floating point: the gauge says what was measured
    m.observe({vantageId: 'sao', round: 0, flow: 0, sentAt: 0, receivedAt: 1, rttMs: 0.196, pop: 'GRU', answered: true})
    const common = {schemaVersion: 1 as const, kind: 'watch-event' as const, vantageId: 'ber', round: 5, at: '2026-01-01T00:00:00.000Z', lastOldAt: 'a', firstNewAt: 'b', rttBeforeMs: 0.5, rttAfterMs: 40, resolutionMs: 50, clockJump: false, unlocatedProbes: 0}
    m.event({...common, type: 'shift', from: 'FRA', to: 'IAD', gapMs: 2600, lostProbes: 51})
    m.event({...common, type: 'failover', from: 'FRA', to: 'IAD', gapMs: 2600, gapMinMs: 2500, lostProbes: 51})
    const t = await m.text()
    assert.match(t, /^anyprobe_site_info\{vantage="ber",site="IAD"\} 1$/m)
    assert.match(t, /^anyprobe_site_info\{vantage="nyc",site="IAD"\} 1$/m)
    assert.doesNotMatch(t, /site="FRA"/)
    assert.match(t, /^anyprobe_probe_duration_seconds\{vantage="nyc"\} 0\.0402$/m)
    assert.match(t, /^anyprobe_probe_duration_seconds\{vantage="sao"\} 0\.000196$/m)
    assert.match(t, /^anyprobe_probe_success\{vantage="ber"\} 0$/m)
    assert.match(t, /^anyprobe_probe_success\{vantage="nyc"\} 1$/m)
    assert.match(t, /^anyprobe_site_changes_total\{vantage="ber"\} 1$/m)
    assert.match(t, /^anyprobe_site_changes_total\{vantage="nyc"\} 0$/m)
    assert.match(t, /^anyprobe_flaps_total\{vantage="ber"\} 0$/m)
    assert.match(t, /^anyprobe_probes_total\{vantage="ber",result="lost"\} 1$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_bucket\{le="2"\} 0$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_bucket\{le="3"\} 1$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_bucket\{le="\+Inf"\} 1$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_sum 2\.6$/m)
    assert.match(t, /^anyprobe_failover_gap_seconds_count 1$/m)
    assert.match(t, /^# TYPE anyprobe_failover_gap_seconds histogram$/m)
    // an outage of the target and one the vantage point caused itself are counted apart
    const outage = {schemaVersion: 1 as const, kind: 'watch-event' as const, type: 'outage' as const, at: 'x', since: 'x', vantageId: 'nyc', round: 7, lostProbes: 2, lastPop: 'IAD'}
    m.event(outage)
    m.event({...outage, vantageId: 'ber', vantageError: 'E_VP_DIED'})
    const o = await m.text()
    assert.match(o, /^anyprobe_outages_total\{vantage="nyc"\} 1$/m)
    assert.match(o, /^anyprobe_outages_total\{vantage="ber"\} 0$/m)
    assert.match(o, /^anyprobe_vantage_failures_total\{vantage="ber"\} 1$/m)
    assert.match(o, /^anyprobe_vantage_failures_total\{vantage="nyc"\} 0$/m)
    m.expectWatched('ber')
    assert.match(await m.text(), /^anyprobe_unexpected\{vantage="ber"\} 0$/m)
    m.event({schemaVersion: 1, kind: 'watch-event', type: 'unexpected', at: 'x', vantageId: 'ber', round: 6, vantage: null, pop: 'IAD', rttMs: 1, since: 'x', holdRounds: 1, broken: []})
    assert.match(await m.text(), /^anyprobe_unexpected\{vantage="ber"\} 1$/m)
    assert.match(await m.text(), /^anyprobe_unexpected_total\{vantage="ber"\} 1$/m)
    m.event({schemaVersion: 1, kind: 'watch-event', type: 'expected', at: 'x', vantageId: 'ber', round: 7, vantage: null, pop: 'FRA', rttMs: 1, since: 'x', holdRounds: 1})
    // back within the rules: the gauge is 0 again, the counter keeps the breach for a scrape that came late
    assert.match(await m.text(), /^anyprobe_unexpected\{vantage="ber"\} 0$/m)
    assert.match(await m.text(), /^anyprobe_unexpected_total\{vantage="ber"\} 1$/m)
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

  it('the prober names the PoP from hostname.bind', async () => {
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 1000})
    const a = await prober(0)
    assert.equal(a.answered, true)
    assert.equal(a.pop, 'FRA')
    assert.ok(a.rttMs !== null && a.rttMs >= 0)
    const lost = await makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 100, exchanger: {exchange: () => Promise.reject(new DnsExchangeError('timeout', 't'))}})(0)
    assert.deepEqual(lost, {receivedAt: null, rttMs: null, pop: null, answered: false, error: 'timeout'})
  })

  it('records that do not answer CH TXT hostname.bind (another class or owner) name no PoP: a reply, no identity', async () => {
    const parked = await fakeDns('lhr-ns1.example.net')
    try {
      for (const answer of [{class: 'IN'}, {class: 'CH', name: 'www.example.net'}] as const) {
        parked.answer = answer
        const a = await makeDnsProber({addr: '127.0.0.1', family: 4, port: parked.port, timeoutMs: 1000})(0)
        assert.equal(a.answered, true, JSON.stringify(answer))
        assert.equal(a.pop, null, `${JSON.stringify(answer)}: ${String(a.pop)}`)
      }
      parked.answer = undefined
      assert.equal((await makeDnsProber({addr: '127.0.0.1', family: 4, port: parked.port, timeoutMs: 1000})(0)).pop, 'LHR')
    } finally {
      await parked.close()
    }
  })

  it('the http prober names the PoP from the response headers', async () => {
    const server = createServer((_req, res) => res.writeHead(200, {'cf-ray': '8f1e2d3c4b5a6978-AMS'}).end('ok'))
    const port = await listenLoopback(server)
    try {
      const a = await makeHttpProber({url: new URL(`http://127.0.0.1:${port}/`), host: null, timeoutMs: 2000, insecure: false})(0)
      assert.equal(a.answered, true)
      assert.equal(a.pop, 'AMS')
    } finally {
      await closeServer(server)
    }
  })

  it('a loop that starts late skips the rounds already past; with countFromFirst it still sends --count rounds (a child that joined late)', async () => {
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 500})
    // the schedule's clock is injected: on the real one, a loaded machine pausing this process for
    // 20 ms between reading the clock here and in runRounds moved the first round (flaky)
    const clock = (): {now: () => number; sleep: (ms: number) => Promise<void>} => {
      let t = 1_765_000_000_000
      return {now: () => t, sleep: async (ms) => void (t += ms)}
    }
    const startAt = 1_765_000_000_000 - 5 * 40 - 20 // 220 ms ago: rounds 0..5 are past, 6 is next
    const late: number[] = []
    await runRounds({vantageId: 'x', prober, intervalMs: 40, flows: 1, startAt, count: 3, countFromFirst: true, onObservation: (o) => late.push(o.round), ...clock()})
    assert.deepEqual(late.sort((a, b) => a - b), [6, 7, 8])
    // without it, --count is absolute: rounds 6..7 only
    const absolute: number[] = []
    await runRounds({vantageId: 'x', prober, intervalMs: 40, flows: 1, startAt, count: 8, onObservation: (o) => absolute.push(o.round), ...clock()})
    assert.deepEqual(absolute.sort((a, b) => a - b), [6, 7])
  })

  it('the round loop keeps an absolute schedule and reports every probe, flows included', async () => {
    const seen: Observation[] = []
    const complete: number[] = []
    // a generous probe timeout: the schedule is under test, not how fast a loaded machine answers
    const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: dns.port, timeoutMs: 5000})
    const start = Date.now() + 20
    // countFromFirst: a loaded machine pausing this process for over 20 ms before the loop read its
    // clock made round 0 already past, and an absolute --count then sent 9 rounds (27 probes)
    await runRounds({vantageId: 'local', prober, intervalMs: 30, flows: 3, startAt: start, count: 10, countFromFirst: true, onObservation: (o) => seen.push(o), onRoundComplete: (r) => complete.push(r)})
    // --count counts rounds sent: 10 of them, whatever a loaded machine made the loop skip
    assert.equal(seen.length, 30)
    const rounds = [...new Set(seen.map((o) => o.round))].sort((a, b) => a - b)
    assert.equal(rounds.length, 10)
    // every round reported complete, in order (skipped ones included: nothing was sent in them)
    assert.deepEqual(complete, [...Array(rounds.at(-1)! + 1).keys()])
    for (const o of seen) {
      // never early; late by at most half an interval (a later round is skipped, not sent late), plus
      // the few ms between the loop's monotonic clock and the wall clock of sentAt
      assert.ok(o.sentAt >= start + o.round * 30 - 2 && o.sentAt <= start + o.round * 30 + 15 + 10, `round ${o.round} sent at +${o.sentAt - start}`)
      assert.equal(o.pop, 'FRA')
    }
    assert.deepEqual([...new Set(seen.map((o) => o.flow))].sort(), [0, 1, 2])
  })

  it('a shift appears when hostname.bind changes mid-run; --json is NDJSON ending with the summary; --out replays to the same events', async () => {
    dns.identity = 's1.fra.anycast.example'
    const out = join(tmp, 'obs.ndjson')
    dns.flipAfter = {queries: 20, next: 's1.iad.anycast.example'}
    // --timeout 2s (not 250 ms from the interval): the test's server shares a loaded machine, and
    // a probe it answered late must not count as lost
    const r = await watchCli(['127.0.0.1', '--port', String(dns.port), '--interval', '50ms', '--timeout', '2s', '--count', '50', '--json', '--out', out])
    assert.equal(r.code, 0, r.stderr)
    const all = lines(r.stdout) as Array<WatchEvent | StateEvent>
    // the starting state of the vantage point first (issue 12), then the analysis's events
    const state = all[0]!
    assert.ok(state.type === 'state', r.stdout)
    assert.equal(state.vantageId, 'local')
    // the vantage point's first round: 0, or later when its prober took longer to start than a
    // round (from the TypeScript sources on a loaded machine); the rounds before it were skipped
    const observed = lines(readFileSync(out, 'utf8')).slice(1) as Observation[]
    assert.equal(state.round, Math.min(...observed.map((o) => o.round)))
    assert.equal(state.pop, 'FRA')
    assert.equal(all.filter((e) => e.type === 'state').length, 1)
    const events = all.filter((e): e is WatchEvent => e.type !== 'state')
    const last = events.at(-1)!
    assert.equal(last.type, 'summary')
    const shifts = events.filter((e) => e.type === 'shift')
    assert.equal(shifts.length, 1, r.stdout)
    const shift = shifts[0]!
    assert.ok(shift.type === 'shift')
    assert.equal(shift.from, 'FRA')
    assert.equal(shift.to, 'IAD')
    assert.equal(shift.lostProbes, 0)
    const [head, ...saved0] = lines(readFileSync(out, 'utf8')) as [WatchStart, ...Observation[]]
    // the start line: the settings the live analysis used, for report to use again
    assert.deepEqual({...head, at: ''}, {schemaVersion: 1, kind: 'watch-start', at: '', target: '127.0.0.1', method: 'dns', intervalMs: 50, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: head.reorderRounds})
    assert.ok(head.reorderRounds >= 1)
    for (const line of [head, ...saved0]) assert.deepEqual(schemaErrors('watch-out.schema.json', line), [], JSON.stringify(line))
    const firstNew = saved0.find((o) => o.pop === 'IAD')!
    assert.equal(shift.round, firstNew.round)
    // the last round sent before the shift (a loaded machine may have skipped the one just before)
    const lastOld = saved0.filter((o) => o.round < firstNew.round).sort((a, b) => b.round - a.round)[0]!
    assert.equal(lastOld?.pop, 'FRA', 'the round before the shift was answered by FRA')
    // the gap is between the two probes' send times, as saved; never 0 (late rounds are skipped,
    // not sent in a burst): half an interval at least, less what the two clocks differ
    assert.equal(shift.gapMs, Math.round(Math.max(0, firstNew.sentAt - lastOld.sentAt) * 1000) / 1000, `gap ${shift.gapMs}`)
    assert.ok(shift.gapMs >= 10, `gap ${shift.gapMs}`)
    assert.equal(events.filter((e) => e.type === 'failover').length, 0)
    for (const e of all) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    if (last.type !== 'summary') throw new Error('unreachable')
    assert.equal(last.observations, 50)
    assert.equal(last.vantagePoints[0]!.lost, 0)
    assert.equal(last.vantagePoints[0]!.pop, 'IAD')

    const saved = saved0
    assert.equal(saved.length, 50)
    assert.deepEqual([...new Set(saved.map((o) => o.round))].length, 50)
    const replay = analyze(saved, {intervalMs: 50})
    const strip = (xs: WatchEvent[]): unknown[] => xs.filter((e) => e.type !== 'summary')
    assert.deepEqual(strip(replay), strip(events))

    // `anyprobe report` on the --out file: the same events, starting state and summary included, in the same order
    const rep = await runCommand('report', [out, '--json'])
    assert.equal(rep.status, 0, rep.stderr)
    assert.deepEqual(lines(rep.stdout), all)
    const text = await runCommand('report', [out])
    assert.equal(text.status, 0, text.stderr)
    assert.match(text.stdout, /^watch of 127\.0\.0\.1 by dns, every 50 ms x 1 flow, started /)
    assert.match(text.stdout, /\n\d\d:\d\d:\d\d\.\d{3} local starts at FRA, rtt /)
    assert.match(text.stdout, /shift FRA -> IAD/)
    // 50 rounds sent (--count), and any a loaded machine could not send on time said as skipped
    assert.match(text.stdout, /summary: (50 rounds|(\d+) rounds \(\d+ skipped: not sent on time\)), 50 probes every 50 ms/)
  })

  it('the human view prints the catchment once and one line per event when stdout is not a terminal', async () => {
    dns.identity = 's1.fra.anycast.example'
    dns.flipAfter = {queries: 15, next: 's1.sin.anycast.example'}
    // --count, not --duration: the duration runs from the watch's start, and starting the prober
    // from the TypeScript sources took the whole 2 s on a loaded machine (nothing sent, exit 4)
    const r = await watchCli(['127.0.0.1', '--port', String(dns.port), '--interval', '50ms', '--timeout', '2s', '--count', '40'])
    assert.equal(r.code, 0, r.stderr)
    assert.ok(!r.stdout.includes('\x1b'), 'no redraw codes off a terminal')
    const ls = r.stdout.trim().split('\n')
    // the starting state first, as in every watch (then no separate first catchment line)
    assert.match(ls[0]!, /^\d\d:\d\d:\d\d\.\d{3} local starts at FRA, rtt /)
    assert.equal(ls.filter((l) => /^local\s+FRA\s+rtt/.test(l)).length, 0, r.stdout)
    assert.equal(ls.filter((l) => / shift FRA -> SIN /.test(l)).length, 1, r.stdout)
    // --count rounds from the first the prober sent, however long it took to start
    assert.match(r.stdout, /^summary: (40 rounds,|\d+ rounds \(\d+ skipped: not sent on time\),) 40 probes/m)
  })

  it('child mode (--observations): one Observation per line on the shared schedule, nothing else', async () => {
    dns.identity = 's1.fra.anycast.example'
    dns.flipAfter = null
    const startAt = Date.now() + 3000
    const r = await watchCli(['127.0.0.1', '--from', 'local', '--observations', '--port', String(dns.port), '--interval=50ms', '--timeout=2s', '--count=40', `--start-at=${startAt}`, '--vantage-id=ap-vp-x'])
    assert.equal(r.code, 0, r.stderr)
    const obs = lines(r.stdout).map((l) => parseObservationLine(JSON.stringify(l)))
    assert.ok(obs.every((o) => o !== null), r.stdout)
    // rounds whose time had passed before the child was ready are skipped, never sent late in a
    // burst; a child that joined late (node starting from the sources on a loaded machine took
    // 10 s) sends --count rounds from the first it was ready for: 40 distinct rounds from k on,
    // skipping (not bursting) any it could not send within half an interval of its time
    const rounds = [...obs.map((o) => o!.round)].sort((a, b) => a - b)
    assert.equal(rounds.length, 40, JSON.stringify(rounds))
    assert.equal(new Set(rounds).size, 40, JSON.stringify(rounds))
    for (const o of obs) {
      assert.equal(o!.vantageId, 'ap-vp-x')
      assert.equal(o!.pop, 'FRA')
      assert.ok(o!.sentAt >= startAt + o!.round * 50 - 2)
      // at most half an interval late (a later round is skipped), plus the ms between the loop's clock and sentAt's
      assert.ok(o!.sentAt <= startAt + o!.round * 50 + 25 + 10, `round ${o!.round} sent ${o!.sentAt - startAt - o!.round * 50} ms late`)
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
            for (let i = 0; i < 400 && !metricsOk; i++) {
              await new Promise((r) => setTimeout(r, 100))
              const body = await (await fetch(m[1]!)).text()
              const answered = Number(/^anyprobe_probes_total\{vantage="local",result="answered"\} (\d+)$/m.exec(body)?.[1] ?? 0)
              if (answered < 5) continue
              assert.match(body, /^anyprobe_site_info\{vantage="local",site="FRA"\} 1$/m)
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
    const saved = readWatchOut(out).observations
    if (sum.type !== 'summary') throw new Error('unreachable')
    assert.ok(saved.length >= 5)
    assert.equal(sum.observations, saved.length)
    assert.equal(sum.vantagePoints[0]!.lost, 0)
  })
})

let metricsOk = false

describe('watch children: the line protocol and how a vantage point fails', () => {
  const vp = vantageOf('ssh', 'probe@vp1.example', 'vp1.example')
  const spec = {vantage: vp, via: 'ssh' as const, command: 'anyprobe'}

  it('a child line carries the signals to name the PoP from; unknown kinds and oversized inputs are dropped', () => {
    const line = JSON.stringify({
      vantageId: 'x', round: 2, flow: 0, sentAt: 5, receivedAt: 6, rttMs: 1, pop: null, answered: true,
      signals: [
        {signal: 'dns-identity', input: 's1.fra.anycast.example'},
        {signal: 'hop-hostname', input: 'x', distance: 2},
        {signal: 'hop-hostname', input: 'z', distance: 1e9},
        {signal: 'http-header', header: 'cf-ray', input: 'a-AMS'},
        {signal: 'rtt-feasibility', input: 'w'},
        {signal: 'user', input: 'y'.repeat(5000)},
        7,
      ],
    })
    const c = parseChildLine(line)!
    assert.deepEqual(c.signals, [
      {signal: 'dns-identity', input: 's1.fra.anycast.example'},
      {signal: 'hop-hostname', input: 'x', distance: 2},
      {signal: 'hop-hostname', input: 'z'},
      {signal: 'http-header', header: 'cf-ray', input: 'a-AMS'},
    ])
    assert.equal(c.obs.round, 2)
    assert.equal(parseChildLine('{"round":-1,"flow":0,"sentAt":1,"answered":true}'), null)
    assert.equal(parseChildLine(JSON.stringify({round: 1, flow: 0, sentAt: 1, answered: false}))!.signals, null)
  })

  it('failures: ssh 255 is E_VP_CONNECT, 127 E_VP_SPAWN, the child\'s own error keeps its code (a usage error hints at versions), garbage E_VP_BAD_OUTPUT', () => {
    const base = {signal: null, spawnError: null, observations: 0, badLines: 0, firstBadLine: null}
    const refused = childFailure(spec, {...base, code: 255, stderr: 'ssh: connect to host vp1.example port 22: Connection refused\n'})
    assert.equal(refused?.code, 'E_VP_CONNECT')
    assert.match(refused!.message, /Connection refused/)
    assert.match(refused!.hint!, /BatchMode/)
    assert.equal(childFailure(spec, {...base, code: 127, stderr: 'sh: 1: anyprobe: not found\n'})?.code, 'E_VP_SPAWN')
    const enoent = Object.assign(new Error('spawn ssh ENOENT'), {code: 'ENOENT', path: 'ssh'}) as NodeJS.ErrnoException
    assert.equal(childFailure(spec, {...base, code: null, stderr: '', spawnError: enoent})?.code, 'E_VP_SPAWN')
    const usage = childFailure(spec, {...base, code: 2, stderr: 'error E_USAGE: Nonexistent flag: --signals\nhint: see --help\n'})
    assert.equal(usage?.code, 'E_USAGE')
    assert.match(usage!.message, /anyprobe at probe@vp1\.example: Nonexistent flag: --signals/)
    assert.match(usage!.hint!, /different version/)
    assert.deepEqual(childErrorReport('noise\nerror E_RESOLVE: x.example did not resolve\nhint: check the name\n'), {code: 'E_RESOLVE', message: 'x.example did not resolve', hint: 'check the name'})
    const garbage = childFailure(spec, {...base, code: 0, stderr: '', badLines: 3, firstBadLine: 'Welcome to \x1b[31mvp1'})
    assert.equal(garbage?.code, 'E_VP_BAD_OUTPUT')
    assert.ok(!garbage!.message.includes('\x1b'))
    assert.equal(childFailure(spec, {...base, code: 0, stderr: '', observations: 10}), null)
    // it died (a signal, a failing exit) without saying why: not garbage
    assert.equal(childFailure(spec, {...base, code: 1, stderr: 'Killed\n', observations: 10})?.code, 'E_VP_DIED')
    assert.equal(childFailure(spec, {...base, code: null, signal: 'SIGKILL', stderr: '', observations: 10})?.code, 'E_VP_DIED')
  })

  const nodeChild = (script: string) => ({file: process.execPath, args: ['-e', script]})
  const obsLine = (round: number): string => JSON.stringify({vantageId: 'liar', round, flow: 0, sentAt: 1000 + round, receivedAt: 1001 + round, rttMs: 1, pop: null, answered: true, signals: [{signal: 'dns-identity', input: 's1.fra.anycast.example'}]})

  it('stop() closes the child\'s stdin; what it sends while stopping is kept; it is relabelled and its PoP named here', async () => {
    const seen: Observation[] = []
    let stop: () => void = () => {}
    const script = `process.stdout.write(${JSON.stringify(obsLine(0) + '\n')}); process.stdin.on('end', () => { process.stdout.write(${JSON.stringify(obsLine(1) + '\n')}); process.exit(0) }); process.stdin.resume()`
    const h = startChild({...spec, ...nodeChild(script), name: (s) => (s[0]?.input === 's1.fra.anycast.example' ? {code: 'FRA', confidence: 0.95} : null), stopGraceMs: 30_000}, (o) => {
      seen.push(o)
      stop()
    }, () => {})
    stop = () => h.stop()
    const end = await h.done
    assert.equal(end.failure, null, JSON.stringify(end))
    assert.deepEqual(seen.map((o) => [o.vantageId, o.round, o.pop, o.popConfidence]), [['probe@vp1.example', 0, 'FRA', 0.95], ['probe@vp1.example', 1, 'FRA', 0.95]])
    assert.deepEqual(seen[0]!.vantage, vp)
  })

  it('a child printing garbage instead of observations is stopped and reported as E_VP_BAD_OUTPUT; its stderr is relayed sanitised', async () => {
    const err: string[] = []
    const script = `console.error('motd \\x1b[2J'); setInterval(() => console.log('Welcome!'), 5)`
    const h = startChild({...spec, ...nodeChild(script), name: () => null, stopGraceMs: 1000}, () => assert.fail('no observation'), (l) => err.push(l))
    const end = await h.done
    assert.equal(end.failure?.code, 'E_VP_BAD_OUTPUT')
    assert.match(end.failure!.message, /lines that are not observations, e\.g\. "Welcome!"/)
    assert.ok(err.some((l) => l.startsWith('motd')) && err.every((l) => !l.includes('\x1b')), JSON.stringify(err))
  })

  it('ssh failing to connect (exit 255) is E_VP_CONNECT with its message', async () => {
    const h = startChild({...spec, ...nodeChild(`console.error('ssh: connect to host vp1.example port 22: Connection refused'); process.exit(255)`), name: () => null, stopGraceMs: 1000}, () => {}, () => {})
    const end = await h.done
    assert.equal(end.failure?.code, 'E_VP_CONNECT')
    assert.match(end.failure!.message, /Connection refused/)
  })
})

describe('the fast hostname.bind reply reader agrees with dns-packet', () => {
  const HB: QuerySpec = {qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsid: true}
  const general = (buf: Buffer, id: number): unknown => {
    const d = decodeReply(buf)
    return d === null || !matchesQuery(d, HB, id) ? null : readReply(d, buf, HB)
  }
  const opt = (data: Buffer | null, extendedRcode = 0): dnsPacket.Answer =>
    ({type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode, ednsVersion: 0, flags: 0, flag_do: false, options: data === null ? [] : [{code: 3, data} as unknown as dnsPacket.PacketOpt]}) as dnsPacket.Answer
  const reply = (p: Partial<dnsPacket.Packet> & {rcode?: number; qname?: string}): Buffer => {
    const buf = dnsPacket.encode({
      type: 'response',
      id: 0x1234,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{name: p.qname ?? 'hostname.bind', type: 'TXT', class: 'CH'}],
      answers: p.answers ?? [{type: 'TXT', class: 'CH', name: 'hostname.bind', data: 's1.fra.anycast.example'}],
      ...(p.additionals ? {additionals: p.additionals} : {}),
    })
    if (p.rcode !== undefined) buf.writeUInt16BE((buf.readUInt16BE(2) & 0xfff0) | p.rcode, 2)
    return buf
  }
  const plain = reply({})
  // the answer's owner name replaced by a pointer to the question name, as most servers write it
  const pointer = Buffer.concat([plain.subarray(0, 31), Buffer.from([0xc0, 0x0c]), plain.subarray(31 + 15)])
  const bases: Array<[string, Buffer, boolean]> = [
    ['NSD-like with NSID', reply({additionals: [opt(Buffer.from('fra-s1'))]}), true],
    ['no OPT', plain, true],
    ['pointer owner', pointer, true],
    ['several strings and records', reply({answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', data: ['s1.', 'fra', '']}, {type: 'TXT', class: 'CH', name: 'hostname.bind', data: []}]}), true],
    ['REFUSED, extended rcode, no answers', reply({answers: [], rcode: 5, additionals: [opt(null, 1)]}), true],
    ['upper-case question', reply({qname: 'HOSTNAME.BIND'}), true],
    ['control characters and binary NSID', reply({answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', data: Buffer.from('s1\x1b[2J\xff')}], additionals: [opt(Buffer.from([0, 1, 0xff]))]}), true],
    ['a CNAME answer (general path)', reply({answers: [{type: 'CNAME', class: 'CH', name: 'hostname.bind', data: 'x.example'}]}), false],
    ['another question (general path)', reply({qname: 'id.server'}), false],
    ['an IN-class answer: a wildcard IN TXT (general path)', reply({answers: [{type: 'TXT', class: 'IN', name: 'hostname.bind', data: 'lhr-ns1'}]}), false],
    ['an answer for another owner (general path)', reply({answers: [{type: 'TXT', class: 'CH', name: 'www.example', data: 'lhr-ns1'}]}), false],
  ]

  it('on typical replies, and says "not sure" for other shapes', () => {
    for (const [what, buf, fast] of bases) {
      const f = readHostnameBindReply(buf, 0x1234)
      assert.equal(f !== undefined, fast, what)
      if (f !== undefined) assert.deepEqual(f, general(buf, 0x1234), what)
      assert.equal(readHostnameBindReply(buf, 0x4321), null, `${what}: another id`)
    }
    const query = encodeQuery(HB, 0x1234)
    assert.equal(readHostnameBindReply(query, 0x1234), null, 'a query is no reply')
    assert.equal(general(query, 0x1234), null)
  })

  it('on thousands of mutated and truncated replies: whenever it answers, dns-packet answers the same', () => {
    // mulberry32: the same mutations on every run
    let seed = 42
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) % n
    }
    let fastTaken = 0
    let rejected = 0
    for (let i = 0; i < 6000; i++) {
      // mutations of the replies the fast path takes (those of the general-path shapes mostly stay there)
      const taken = bases.filter(([, , fast]) => fast)
      const base = taken[rand(taken.length)]![1]
      let buf = Buffer.from(base)
      if (rand(4) === 0) buf = buf.subarray(0, rand(buf.length + 1))
      else for (let k = rand(3) + 1; k > 0; k--) buf[rand(buf.length)] = rand(4) === 0 ? rand(256) : buf[rand(buf.length)]!
      const f = readHostnameBindReply(buf, 0x1234)
      if (f === undefined) continue
      if (f === null) rejected++
      else fastTaken++
      assert.deepEqual(f, general(buf, 0x1234), `mutation ${i}: ${buf.toString('hex')}`)
    }
    assert.ok(fastTaken > 600 && rejected > 100, `fast ${fastTaken}, rejected ${rejected}`)
  })
})

describe('watch --from ssh: (a fake ssh on PATH runs the remote command here)', () => {
  let dns: FakeDns
  let bin = ''
  before(async () => {
    dns = await fakeDns('s1.fra.anycast.example')
    bin = join(tmp, 'fakebin')
    mkdirSync(bin)
    // options up to "--", then [user@]host and the remote command line; port 2222 is refused
    writeFileSync(join(bin, 'ssh'), [
      '#!/bin/sh',
      'port=22',
      'while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do',
      '  if [ "$1" = "-p" ]; then port=$2; shift; fi',
      '  shift',
      'done',
      'shift',
      'dest=$1; shift',
      'if [ "$port" = 2222 ]; then echo "ssh: connect to host ${dest#*@} port 2222: Connection refused" >&2; exit 255; fi',
      'exec sh -c "$1"',
      '',
    ].join('\n'))
    chmodSync(join(bin, 'ssh'), 0o755)
    // the "remote" anyprobe: this checkout's watch command, from source
    writeFileSync(join(tmp, 'anyprobe.mjs'), `const m = await import(${JSON.stringify(ROOT + 'src/commands/watch.ts')}); await m.default.run(process.argv.slice(3), ${JSON.stringify(srcConfig())})\n`)
  })
  after(() => dns.close())

  it('one host answers (its PoP named, relabelled as its ssh id), one is refused: E_VP_CONNECT on stderr, an outage for it, exit 9 (some answered)', async () => {
    dns.identity = 's1.fra.anycast.example'
    dns.flipAfter = null
    const r = await watchCli(
      ['127.0.0.1', '--port', String(dns.port), '--from', 'ssh:probe@127.0.0.1,probe@127.0.0.1:2222', '--remote-command', `${process.execPath} --import tsx ${join(tmp, 'anyprobe.mjs')}`,
        // no start delay (issue 12): each child joins at the first round after it is up and then
        // probes its --count rounds
        '--ssh-option', 'IdentityFile=/nonexistent', '--interval', '50ms', '--count', '8', '--json'],
      {env: {...process.env, PATH: `${bin}:${process.env.PATH}`}},
    )
    assert.equal(r.code, 9, r.stderr)
    assert.match(r.stderr, /error E_VP_CONNECT at vantage point probe@127\.0\.0\.1:2222: ssh failed: ssh: connect to host 127\.0\.0\.1 port 2222: Connection refused; the other vantage points go on/)
    const events = lines(r.stdout) as WatchEvent[]
    for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    const outage = events.find((e) => e.type === 'outage')
    assert.equal(outage?.type === 'outage' && outage.vantageId, 'probe@127.0.0.1:2222')
    const sum = events.at(-1) as WatchSummaryEvent
    assert.equal(sum.type, 'summary')
    const [ok, down] = sum.vantagePoints
    assert.equal(ok!.vantageId, 'probe@127.0.0.1')
    assert.deepEqual(ok!.vantage, vantageOf('ssh', 'probe@127.0.0.1', '127.0.0.1'))
    assert.ok(ok!.answered >= 1 && ok!.lost === 0, JSON.stringify(ok))
    assert.equal(ok!.pop, 'FRA')
    assert.equal(down!.vantageId, 'probe@127.0.0.1:2222')
    assert.equal(down!.answered, 0)
    // its --count rounds, from the round its failure was known
    assert.equal(down!.lost, 8, JSON.stringify(down))
    // the reachable host joined when it was up (node through the fake ssh: after round 0) and probed its 8 rounds
    assert.equal(ok!.answered, 8, JSON.stringify(ok))
    const okState = (lines(r.stdout) as Array<{type: string; vantageId?: string; round?: number}>).find((e) => e.type === 'state' && e.vantageId === 'probe@127.0.0.1')
    assert.ok(okState !== undefined && okState.round! > 0, JSON.stringify(okState))
    assert.equal(down!.inOutage, true)
  })
})

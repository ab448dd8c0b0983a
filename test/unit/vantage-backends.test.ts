// The netns and ssh backends against fake commands (test/fixtures/vantage): fake-ip.sh stands in for
// `ip netns exec`, fake-ssh.sh for ssh, fake-anyprobe.mjs (via --remote-command) prints a result,
// garbage, an error document, exits non-zero, or sleeps past the timeout. No root, no network.
// Also: the pure pieces (outcome from a child's output, ping parsing, quoting, child arguments) and
// the dns command end to end with --from + --remote-command.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import pLimit from 'p-limit'

import {FakeClock, type Scenario, ScenarioTransport} from '../../src/engines/trace/index.js'
import {nullAsnLookup} from '../../src/enrich/asn.js'
import {localVantage} from '../../src/model/vantage.js'
import {traceTarget} from '../../src/pipeline/trace.js'
import {backendsFor, mergeOutcomes} from '../../src/vantage/index.js'
import {fillTemplate, outcomeFromChild, parsePingOutput, pingArgv, shellQuote, splitWords} from '../../src/vantage/local.js'
import {NetnsBackend} from '../../src/vantage/netns.js'
import {SshBackend} from '../../src/vantage/ssh.js'
import type {ProbePlan, VantageOutcome} from '../../src/vantage/types.js'
import {schemaErrors} from '../helpers/schema.js'
import {srcConfig} from '../helpers/cli.js'
import {withFakeSsh} from '../helpers/loopback-vantage.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FIX = join(ROOT, 'test/fixtures/vantage')
const FAKE = (mode: string): string => `${process.execPath} ${FIX}/fake-anyprobe.mjs ${mode}`
const IP = [join(FIX, 'fake-ip.sh')]
const SSH = [join(FIX, 'fake-ssh.sh')]

const plan: ProbePlan = {method: 'dns', target: '198.51.100.10', cliArgs: ['198.51.100.10', '--timeout=1s'], options: {}}

async function collect(it: AsyncIterable<VantageOutcome>): Promise<Map<string, VantageOutcome>> {
  const m = new Map<string, VantageOutcome>()
  for await (const o of it) m.set(o.vantage.id, o)
  return m
}

const netns = (names: string[], mode: string, timeoutMs = 10_000): NetnsBackend =>
  new NetnsBackend(names.map((name) => ({kind: 'netns' as const, name})), {ipCommand: IP, remoteCommand: FAKE(mode), timeoutMs})

describe('netns backend (fake ip)', () => {
  it('runs the command in each namespace and sets the vantage to the namespace', async () => {
    const out = await collect(netns(['vp-ber', 'vp-tyo'], 'json').run(plan, {concurrency: 4}))
    assert.deepEqual([...out.keys()].sort(), ['vp-ber', 'vp-tyo'])
    const ber = out.get('vp-ber')!
    assert.equal(ber.error, null)
    assert.deepEqual(ber.vantage, {kind: 'netns', id: 'vp-ber', name: 'vp-ber', asn: null, country: null, lat: null, lon: null})
    assert.equal(ber.result?.kind, 'dns')
    assert.deepEqual(ber.result?.vantage, ber.vantage, 'the result carries the place too')
    assert.equal(ber.result?.pop?.code, 'fra')
    assert.equal(out.get('vp-tyo')!.result?.pop?.code, 'sin')
  })

  it('a missing namespace is E_VP_NETNS and the others go on', async () => {
    const out = await collect(netns(['vp-ber', 'nope'], 'json').run(plan, {concurrency: 2}))
    assert.equal(out.get('vp-ber')!.result?.kind, 'dns')
    const bad = out.get('nope')!
    assert.equal(bad.result, null)
    assert.equal(bad.error?.code, 'E_VP_NETNS')
    assert.match(bad.error!.message, /Cannot open network namespace "nope"/)
    assert.ok(bad.error!.hint)
  })

  it('exit 4 with a valid result keeps the result', async () => {
    const o = (await collect(netns(['vp-nyc'], 'unreachable').run(plan, {concurrency: 1}))).get('vp-nyc')!
    assert.equal(o.error, null)
    assert.equal(o.result?.kind, 'dns')
    assert.equal(o.result?.kind === 'dns' && o.result.answered, false)
  })

  it('garbage, a crash, a wrong document, and the child\'s own error each have their code', async () => {
    const one = async (mode: string): Promise<VantageOutcome> => (await collect(netns(['vp-ber'], mode).run(plan, {concurrency: 1}))).get('vp-ber')!
    const garbage = await one('garbage')
    assert.equal(garbage.error?.code, 'E_VP_BAD_OUTPUT')
    assert.match(garbage.error!.message, /<html>this is not json/)
    const crash = await one('crash')
    assert.equal(crash.error?.code, 'E_VP_DIED')
    assert.match(crash.error!.message, /exit 139.*Segmentation fault/)
    const wrong = await one('wrongkind')
    assert.equal(wrong.error?.code, 'E_VP_BAD_OUTPUT')
    assert.match(wrong.error!.message, /not a dns result \(kind geohint\)/)
    const own = await one('error')
    assert.deepEqual(own.error, {code: 'E_NO_RAW_SOCKET', message: 'raw sockets need root', hint: 'run as root'})
  })

  it('a vantage point that sleeps past --vp-timeout is killed (its whole process group) and is E_VP_TIMEOUT', async () => {
    const t0 = Date.now()
    const out = await collect(netns(['vp-ber', 'vp-tyo'], 'sleep', 600).run(plan, {concurrency: 2}))
    const took = Date.now() - t0
    assert.equal(out.get('vp-ber')!.error?.code, 'E_VP_TIMEOUT')
    assert.equal(out.get('vp-tyo')!.error?.code, 'E_VP_TIMEOUT')
    // not killed, it would sleep 30 s; 10 s leaves a loaded machine room to start two node children
    assert.ok(took < 10_000, `took ${took} ms`)
  })

  it('a timeout kills what the command started too (its process group), not just the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-pg-'))
    try {
      const pidFile = join(dir, 'pid')
      const b = new NetnsBackend([{kind: 'netns', name: 'vp-ber'}], {ipCommand: IP, remoteCommand: `sh -c 'sleep 30 & echo $! > ${pidFile}; wait' {args}`, timeoutMs: 300})
      const o = (await collect(b.run(plan, {concurrency: 1}))).get('vp-ber')!
      assert.equal(o.error?.code, 'E_VP_TIMEOUT')
      const pid = Number(readFileSync(pidFile, 'utf8'))
      // dead = gone, or a zombie waiting for a reaper (state Z in /proc/PID/stat)
      const alive = (): boolean => {
        try {
          return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
        } catch {
          return false
        }
      }
      for (let i = 0; i < 20 && alive(); i++) await new Promise((r) => setTimeout(r, 100))
      assert.equal(alive(), false, `sleep ${pid} still runs`)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a command that does not exist is E_VP_SPAWN', async () => {
    const b = new NetnsBackend([{kind: 'netns', name: 'vp-ber'}], {ipCommand: ['/nonexistent/ip'], remoteCommand: FAKE('json')})
    const o = (await collect(b.run(plan, {concurrency: 1}))).get('vp-ber')!
    assert.equal(o.error?.code, 'E_VP_SPAWN')
  })

  it('concurrency bounds how many run at once; outcomes stream as they finish', async () => {
    const names = ['vp-ber', 'vp-nyc', 'vp-tyo', 'vp-sao', 'vp-ber2', 'vp-nyc2']
    const limit = pLimit(2)
    const b = new NetnsBackend(names.map((name) => ({kind: 'netns' as const, name})), {ipCommand: IP, remoteCommand: FAKE('json'), limit})
    let maxActive = 0
    const timer = setInterval(() => (maxActive = Math.max(maxActive, limit.activeCount)), 5)
    const seen: string[] = []
    for await (const o of b.run(plan, {concurrency: 99})) seen.push(o.vantage.id)
    clearInterval(timer)
    assert.equal(seen.length, 6)
    assert.ok(maxActive <= 2 && maxActive >= 1, `max active ${maxActive}`)
  })
})

describe('ssh backend (fake ssh)', () => {
  it('passes BatchMode, ConnectTimeout, port and -o options before "--", then user@host and a quoted command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-ssh-'))
    try {
      const log = join(dir, 'argv')
      process.env.FAKE_SSH_LOG = log
      const b = new SshBackend([{kind: 'ssh', user: 'root', host: '198.19.2.2', port: 2222, id: 'root@198.19.2.2:2222'}], {
        sshCommand: SSH, sshOptions: ['IdentityFile=/tmp/k', 'StrictHostKeyChecking=no'], remoteCommand: FAKE('json'),
      })
      const weird: ProbePlan = {...plan, cliArgs: ['198.51.100.10', "--qname=it's; rm -rf /"]}
      const o = (await collect(b.run(weird, {concurrency: 1}))).get('root@198.19.2.2:2222')!
      assert.equal(o.error, null, JSON.stringify(o.error))
      assert.deepEqual(o.vantage, {kind: 'ssh', id: 'root@198.19.2.2:2222', name: '198.19.2.2', asn: null, country: null, lat: null, lon: null})
      const argv = readFileSync(log, 'utf8').trimEnd().split('\n')
      const dd = argv.indexOf('--')
      assert.deepEqual(argv.slice(0, dd), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-p', '2222', '-o', 'IdentityFile=/tmp/k', '-o', 'StrictHostKeyChecking=no'])
      assert.equal(argv[dd + 1], 'root@198.19.2.2')
      assert.match(argv[dd + 2]!, /fake-anyprobe\.mjs json dns 198\.51\.100\.10 '--qname=it'\\''s; rm -rf \/' --json$/)
      assert.equal(argv.length, dd + 3, 'one command string')
    } finally {
      delete process.env.FAKE_SSH_LOG
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a host that is down is E_VP_CONNECT; the others still report', async () => {
    const b = new SshBackend(
      [{kind: 'ssh', user: null, host: 'down.example', port: null, id: 'down.example'}, {kind: 'ssh', user: 'u', host: 'vp-sao.example', port: null, id: 'u@vp-sao.example'}],
      {sshCommand: SSH, remoteCommand: FAKE('json')},
    )
    const out = await collect(b.run(plan, {concurrency: 2}))
    assert.equal(out.get('down.example')!.error?.code, 'E_VP_CONNECT')
    assert.match(out.get('down.example')!.error!.message, /Connection refused/)
    assert.equal(out.get('u@vp-sao.example')!.result?.pop?.code, 'iad')
  })

  it('anyprobe missing from the remote PATH is E_VP_SPAWN with a --remote-command hint', async () => {
    const b = new SshBackend([{kind: 'ssh', user: null, host: 'h', port: null, id: 'h'}], {sshCommand: SSH, remoteCommand: 'anyprobe-not-installed-here'})
    const o = (await collect(b.run(plan, {concurrency: 1}))).get('h')!
    assert.equal(o.error?.code, 'E_VP_SPAWN')
    assert.match(o.error!.hint!, /--remote-command/)
  })
})

describe('several backends, one stream', () => {
  it('backendsFor groups by kind and mergeOutcomes yields every outcome', async () => {
    const backends = await backendsFor(
      [{kind: 'netns', name: 'vp-ber'}, {kind: 'ssh', user: null, host: 'vp-tyo', port: null, id: 'vp-tyo'}, {kind: 'netns', name: 'nope'}],
      {concurrency: 3, remoteCommand: FAKE('json'), ipCommand: IP, sshCommand: SSH},
    )
    assert.deepEqual(backends.map((b) => b.spec), ['netns:vp-ber,nope', 'ssh:vp-tyo'])
    const out = await collect(mergeOutcomes(backends.map((b) => b.run(plan, {concurrency: 3}))))
    assert.deepEqual([...out.keys()].sort(), ['nope', 'vp-ber', 'vp-tyo'])
  })
})

describe('child output -> outcome (pure)', () => {
  const v = localVantage('here')
  const run = {code: 0, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, spawnError: null}
  const ctx = {via: 'ssh' as const, command: 'anyprobe', timeoutMs: 1000}
  it('ssh exit 255 is E_VP_CONNECT, exit 127 E_VP_SPAWN, timeout E_VP_TIMEOUT, abort E_VP_ABORTED', () => {
    assert.equal(outcomeFromChild(v, plan, {...run, code: 255, stderr: 'Permission denied (publickey).'}, ctx, '').error?.code, 'E_VP_CONNECT')
    assert.equal(outcomeFromChild(v, plan, {...run, code: 127, stderr: 'sh: anyprobe: not found'}, ctx, '').error?.code, 'E_VP_SPAWN')
    assert.equal(outcomeFromChild(v, plan, {...run, timedOut: true}, ctx, '').error?.code, 'E_VP_TIMEOUT')
    assert.equal(outcomeFromChild(v, plan, {...run, aborted: true}, ctx, '').error?.code, 'E_VP_ABORTED')
    assert.equal(outcomeFromChild(v, plan, {...run, stdout: '{"truncated": '}, ctx, '').error?.code, 'E_VP_BAD_OUTPUT')
  })
  it('a trace child stopped (Ctrl-C, --vp-timeout) keeps the halted trace it printed; with nothing printed it is E_VP_ABORTED / E_VP_TIMEOUT', async () => {
    // every netns/ssh trace interrupted was reported as E_VP_ABORTED, its printed hops thrown away
    const s = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/trace-scenarios/basic-icmp.json'), 'utf8')) as Scenario
    const clock = new FakeClock()
    const ac = new AbortController()
    ac.abort()
    const plan0 = {target: s.options.target, protocol: s.options.protocol, port: null, maxHops: 8, firstHop: 1, probes: 1, timeoutMs: 1000, rate: null, flowId: null, gapLimit: 5, family: null, dns: false, asn: false, asnDbs: [], vpLocation: null, signal: ac.signal}
    const halted = await clock.run(traceTarget(plan0, {transport: () => new ScenarioTransport(s, clock), rdns: {reverse: async () => null}, asn: nullAsnLookup, clock}))
    assert.equal(halted.stopReason, 'halted')
    const tplan: ProbePlan = {method: 'trace', target: s.options.target, cliArgs: [s.options.target], options: {}}
    for (const stop of [{aborted: true}, {timedOut: true}]) {
      const o = outcomeFromChild(v, tplan, {...run, ...stop, code: 4, stdout: JSON.stringify(halted)}, ctx, '')
      assert.equal(o.error, null, JSON.stringify(stop))
      assert.equal(o.result?.kind === 'trace' && o.result.stopReason, 'halted')
    }
    assert.equal(outcomeFromChild(v, tplan, {...run, aborted: true, stdout: '{"trun'}, ctx, '').error?.code, 'E_VP_ABORTED')
    assert.equal(outcomeFromChild(v, tplan, {...run, timedOut: true}, ctx, '').error?.code, 'E_VP_TIMEOUT')
  })

  it('a child\'s result line that does not check against the model is E_VP_BAD_OUTPUT, never a crash', () => {
    const bare = outcomeFromChild(v, plan, {...run, stdout: `{"kind":"${plan.method}","schemaVersion":1}`}, ctx, '')
    assert.equal(bare.result, null)
    assert.equal(bare.error?.code, 'E_VP_BAD_OUTPUT')
    assert.match(bare.error!.message, /does not check/)
  })
  it('control characters from the far end are escaped in messages', () => {
    const o = outcomeFromChild(v, plan, {...run, code: 1, stderr: 'bad \u001b[31mred\u001b[0m'}, ctx, '')
    assert.doesNotMatch(o.error!.message, /\u001b/)
  })
})

describe('ping output (iputils)', () => {
  const text = `PING 198.51.100.10 (198.51.100.10) 56(84) bytes of data.
64 bytes from 198.51.100.10: icmp_seq=1 ttl=62 time=30.4 ms
64 bytes from 198.51.100.10: icmp_seq=3 ttl=62 time=30.9 ms

--- 198.51.100.10 ping statistics ---
3 packets transmitted, 2 received, 33.3333% packet loss, time 402ms
rtt min/avg/max/mdev = 30.400/30.650/30.900/0.250 ms
`
  it('RTT per packet (lost = null, never 0), min/avg/max, pop null', () => {
    const r = parsePingOutput(text, '198.51.100.10', localVantage(), '2026-01-01T00:00:00.000Z')!
    assert.deepEqual(r.rttMs, [30.4, null, 30.9])
    assert.equal(r.sent, 3)
    assert.equal(r.received, 2)
    assert.equal(r.minMs, 30.4)
    assert.equal(r.avgMs, 30.65)
    assert.equal(r.family, 4)
    assert.equal(r.pop, null)
  })
  it('not ping output is null; the argv is bounded', () => {
    assert.equal(parsePingOutput('ping: no.such.invalid: Name or service not known', 'x', localVantage(), ''), null)
    assert.deepEqual(pingArgv({...plan, method: 'ping', options: {probes: 2, timeoutMs: 1500}}), ['ping', '-n', '-c', '2', '-i', '0.2', '-W', '2', '--', '198.51.100.10'])
  })
})

describe('quoting and arguments', () => {
  it('shellQuote survives sh', () => {
    for (const word of ["it's", 'a b', '$(id)', '`x`', 'plain', '', '--x=y;z']) {
      const r = spawnSync('sh', ['-c', `printf %s ${shellQuote(word)}`], {encoding: 'utf8'})
      assert.equal(r.stdout, word)
    }
  })
  it('splitWords and {args}', () => {
    assert.deepEqual(splitWords(`node "/opt/any probe/bin/run.js" --x='a b' c\\ d`), ['node', '/opt/any probe/bin/run.js', '--x=a b', 'c d'])
    assert.deepEqual(fillTemplate(['sudo', '{args}', '--quiet'], ['dns', 'x']), ['sudo', 'dns', 'x', '--quiet'])
    assert.deepEqual(fillTemplate(['anyprobe'], ['dns', 'x']), ['anyprobe', 'dns', 'x'])
  })
})

describe('anyprobe dns --from (the command, end to end)', () => {
  function cli(args: string[]): {status: number | null; stdout: string; stderr: string} {
    const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/dns.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
    return {status: r.status, stdout: r.stdout, stderr: r.stderr}
  }

  it('--json is a multi document (schema-valid); a failed vantage point exits 9 (some answered) and is in it', () => {
    const r = cli(['198.51.100.10', '--from', 'local', '--from', 'ssh:down.example', '--remote-command', FAKE('json'), '--ssh-option', 'ConnectTimeout=1', '--json'])
    const doc = JSON.parse(r.stdout)
    assert.equal(r.status, 9, r.stderr)
    assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/multi', doc), [])
    assert.equal(doc.kind, 'multi')
    assert.equal(doc.method, 'dns')
    assert.deepEqual(doc.outcomes.map((o: VantageOutcome) => [o.vantage.kind, o.error?.code ?? null, o.result?.kind ?? null]), [
      ['local', null, 'dns'],
      ['ssh', 'E_VP_CONNECT', null],
    ])
  })

  it('--ndjson prints one schema-valid outcome per line', () => {
    // --remote-command goes with a netns or ssh vantage point (alone, local is refused it): ssh through the fake
    const undoSsh = withFakeSsh()
    let r: ReturnType<typeof cli>
    try {
      r = cli(['198.51.100.10', '--from', 'ssh:vp-ber', '--remote-command', FAKE('json'), '--ndjson'])
    } finally {
      undoSsh()
    }
    assert.equal(r.status, 0, r.stderr)
    const lines = r.stdout.trim().split('\n')
    assert.equal(lines.length, 1)
    const line = JSON.parse(lines[0]!)
    assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/outcomeLine', line), [])
    assert.equal(line.result.pop.code, 'fra')
  })

  it('text: each vantage point, then the summary table; bad --from is E_USAGE exit 2', () => {
    const r = cli(['198.51.100.10', '--from', 'local', '--from', 'ssh:down.example', '--remote-command', FAKE('json')])
    assert.match(r.stdout, /### local\ndns identity of 198\.51\.100\.10/)
    assert.match(r.stdout, /### summary\ncatchment of 198\.51\.100\.10 by dns from 2 vantage points/)
    assert.match(r.stdout, /ssh:down\.example {2}E_VP_CONNECT/)
    const bad = cli(['198.51.100.10', '--from', 'netns:a/b'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /error E_USAGE: --from "netns:a\/b"/)
    const both = cli(['198.51.100.10', '--from', 'netns:a', '--json', '--ndjson'])
    assert.equal(both.status, 2)
  })
})

describe('a backend that throws', () => {
  it('ends as one failed outcome named after its spec; the other backends still report', async () => {
    const {AnyprobeError} = await import('../../src/model/errors.js')
    async function* broken(): AsyncGenerator<VantageOutcome> {
      throw new AnyprobeError('E_USAGE', 'creating a RIPE Atlas measurement needs an API key', {hint: 'set ANYPROBE_ATLAS_KEY'})
    }
    const ok = netns(['vp-ber'], 'json').run(plan, {concurrency: 1})
    const out = await collect(mergeOutcomes([broken(), ok], ['atlas:country=DE,n=3', 'netns:vp-ber']))
    assert.equal(out.get('vp-ber')!.result?.kind, 'dns')
    assert.deepEqual(out.get('atlas:country=DE,n=3'), {
      vantage: {kind: 'atlas', id: 'atlas:country=DE,n=3', name: null, asn: null, country: null, lat: null, lon: null},
      result: null,
      error: {code: 'E_USAGE', message: 'creating a RIPE Atlas measurement needs an API key', hint: 'set ANYPROBE_ATLAS_KEY'},
    })
  })
})

describe('progress on stderr', () => {
  const outcome = (ok: boolean): VantageOutcome =>
    ok ? {vantage: localVantage(), result: {kind: 'ping'} as VantageOutcome['result'], error: null} : {vantage: localVantage(), result: null, error: {code: 'E_VP_TIMEOUT', message: 'x', hint: null}}
  it('redrawn in place on a terminal, one line per update otherwise, silent when off', async () => {
    const {Progress} = await import('../../src/console/multi-run.js')
    const sink = (isTTY: boolean) => {
      const s = {isTTY, text: '', write(t: string) { s.text += t; return true }}
      return s
    }
    const tty = sink(true)
    const p = new Progress(3, true, tty as unknown as NodeJS.WriteStream)
    p.update(outcome(true))
    p.update(outcome(false))
    p.end()
    assert.equal(tty.text, '\r\u001b[Kanyprobe: 1/3 vantage points done, 0 failed\r\u001b[Kanyprobe: 2/3 vantage points done, 1 failed\n')
    const pipe = sink(false)
    const q = new Progress(null, true, pipe as unknown as NodeJS.WriteStream)
    q.update(outcome(true))
    q.end()
    assert.equal(pipe.text, 'anyprobe: 1/? vantage points done, 0 failed\n')
    const off = sink(true)
    new Progress(3, false, off as unknown as NodeJS.WriteStream).update(outcome(true))
    assert.equal(off.text, '')
  })
})

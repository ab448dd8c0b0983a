// ssh: vantage points for real: an sshd started by this test inside ap-vp-nyc (listening on the VP's
// lab address only, host key and authorized key generated here in a temp dir), reached from another
// lab namespace (ap-vp-ber) with `--from ssh:root@<nyc address>`. The remote side runs the repo's
// anyprobe through --remote-command (anyprobe is not on the remote PATH). The ssh VP must name nyc's
// PoP (IAD), a second ssh VP on a closed port must fail alone with E_VP_CONNECT, and report must
// reproduce the saved catchment. `watch --from ssh:` runs one long-lived remote anyprobe through the
// same sshd: its observations name IAD, the closed port is an outage of its own, and SIGTERM stops
// the remote side through ssh losing nothing. sshd is stopped by its pid afterwards. Needs root.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {CatchmentResult} from '../../src/analysis/catchment.js'
import type {Observation, WatchEvent, WatchSummaryEvent} from '../../src/model/watch.js'
import {schemaErrors} from '../helpers/schema.js'
import {readWatchOut} from '../helpers/watch-out.js'
import {ANYPROBE, E, isRoot, lab, run} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces, sshd)'
const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const SERVER_NS = E.AP_VP_NS_nyc ?? 'ap-vp-nyc'
const SERVER_ADDR = E.AP_VP_ADDR4_nyc ?? '198.19.2.2'
const CLIENT_NS = E.AP_VP_NS_ber ?? 'ap-vp-ber'
const EXPECTED = E.AP_VP_EXPECT_nyc ?? 'IAD'

let dir = ''
let sshd: ChildProcess | null = null
let madeRunSshd = false
let sshOpts: string[] = []

/** anyprobe run inside the client namespace */
const anyprobeInClient = (args: string[]) => run('ip', ['netns', 'exec', CLIENT_NS, process.execPath, ANYPROBE, ...args], 120_000)

before(async () => {
  if (!isRoot) return
  const w = await lab('wait-converged', '30')
  assert.equal(w.code, 0, `lab not converged: ${w.stderr}${w.stdout}`)
  dir = mkdtempSync(join(tmpdir(), 'anyprobe-ssh-'))
  for (const [file, type] of [['host_key', 'ed25519'], ['id', 'ed25519']] as const) {
    const k = await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'anyprobe-lab-test', '-f', join(dir, file)])
    assert.equal(k.code, 0, k.stderr)
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')), {mode: 0o600})
  writeFileSync(join(dir, 'sshd_config'), [
    `ListenAddress ${SERVER_ADDR}`,
    'Port 22',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'LogLevel VERBOSE',
    '',
  ].join('\n'))
  madeRunSshd = !existsSync('/run/sshd')
  mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // sshd's privilege separation directory (removed after if made here)
  sshd = spawn('ip', ['netns', 'exec', SERVER_NS, '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')], {stdio: ['ignore', 'ignore', 'pipe']})
  let log = ''
  sshd.stderr!.on('data', (b: Buffer) => (log += b.toString()))
  sshOpts = [`IdentityFile=${join(dir, 'id')}`, 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR']
  // wait until it accepts a login from the client namespace
  for (let i = 0; ; i++) {
    const r = await run('ip', ['netns', 'exec', CLIENT_NS, 'ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', ...sshOpts.flatMap((o) => ['-o', o]), `root@${SERVER_ADDR}`, 'true'], 10_000)
    if (r.code === 0) break
    if (i >= 30 || sshd.exitCode !== null) assert.fail(`sshd did not come up: ${r.stderr}\n${log}`)
    await new Promise((res) => setTimeout(res, 200))
  }
})

after(() => {
  if (sshd?.pid !== undefined && sshd.exitCode === null) sshd.kill('SIGTERM') // ip netns exec exec()s sshd: this pid is sshd
  if (dir) rmSync(dir, {recursive: true, force: true})
  if (madeRunSshd) rmSync('/run/sshd', {recursive: true, force: true})
})

/** NDJSON text -> values */
const ndjson = <T>(text: string): T[] => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T)

const fromArgs = (): string[] => [
  '--from', `ssh:root@${SERVER_ADDR}`,
  '--from', `ssh:root@${SERVER_ADDR}:2222`, // nothing listens there
  '--remote-command', `${process.execPath} ${ANYPROBE}`,
  ...sshOpts.flatMap((o) => ['--ssh-option', o]),
]

describe('ssh: vantage points in the lab', {skip}, () => {
  for (const method of ['dns', 'http', 'trace']) {
    it(`catchment --method ${method} through ssh names the remote VP's PoP; a closed port fails alone; report reproduces it`, async () => {
      const live = await anyprobeInClient(['catchment', ANYCAST, '--method', method, ...fromArgs(), '--json'])
      assert.equal(live.code, 9, `one VP failed, so exit 9 (some answered): ${live.stderr}`)
      const c = JSON.parse(live.stdout) as CatchmentResult
      assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
      assert.deepEqual(c.vantagePoints.map((r) => [r.vantage.kind, r.vantage.id]), [['ssh', `root@${SERVER_ADDR}`], ['ssh', `root@${SERVER_ADDR}:2222`]])
      const [ok, down] = c.vantagePoints
      assert.equal(ok!.error, null, JSON.stringify(ok!.error))
      assert.equal(ok!.pop?.code.toUpperCase(), EXPECTED, `${method}: ${JSON.stringify(ok!.pop)} (${ok!.evidence})`)
      assert.equal(down!.error?.code, 'E_VP_CONNECT')
      assert.match(down!.error!.message, /Connection refused/)
      assert.deepEqual(c.pops.map((p) => [p.code.toUpperCase(), p.vantagePoints, p.share]), [[EXPECTED, [`root@${SERVER_ADDR}`], 1]])

      const file = join(dir, `ssh-${method}.json`)
      writeFileSync(file, live.stdout)
      const rep = await run(process.execPath, [ANYPROBE, 'report', file, '--json'])
      assert.equal(rep.code, 9, rep.stderr) // the saved run has the failed vantage point too: some answered
      const {input: _input, ...again} = JSON.parse(rep.stdout) as CatchmentResult & {input: unknown}
      assert.deepEqual(again, c)
    })
  }

  it('dns --from ssh: the result itself comes from the remote VP and carries it', async () => {
    const live = await anyprobeInClient(['dns', ANYCAST, ...fromArgs(), '--json'])
    const doc = JSON.parse(live.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/multi', doc), [])
    const o = doc.outcomes[0]
    assert.deepEqual(schemaErrors('dns.schema.json', o.result), [])
    assert.deepEqual(o.result.vantage, {kind: 'ssh', id: `root@${SERVER_ADDR}`, name: SERVER_ADDR, asn: null, country: null, lat: null, lon: null})
    assert.equal(o.result.identity.hostnameBind, `s1.${EXPECTED.toLowerCase()}.anycast.example`)
  })
})

describe('watch --from ssh: in the lab', {skip}, () => {
  const ok = `root@${SERVER_ADDR}`
  const remote = (): string[] => ['--remote-command', `${process.execPath} ${ANYPROBE}`, ...sshOpts.flatMap((o) => ['--ssh-option', o])]

  it('one long-lived remote anyprobe per host: its observations name the PoP it really reaches; a closed port is an outage of its own, exit 9', async () => {
    const out = join(dir, 'watch-ssh.ndjson')
    const r = await anyprobeInClient(['watch', ANYCAST, '--from', `ssh:${ok},${ok}:2222`, ...remote(), '--method', 'dns', '--interval', '200ms', '--count', '3', '--out', out, '--json'])
    assert.equal(r.code, 9, `one VP failed, so exit 9 (some answered): ${r.stderr}`)
    assert.match(r.stderr, new RegExp(`error E_VP_CONNECT at vantage point ${ok.replace(/\./g, '\\.')}:2222: ssh failed: .*Connection refused`))
    const events = ndjson<WatchEvent>(r.stdout)
    for (const e of events) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], JSON.stringify(e))
    const sum = events.at(-1) as WatchSummaryEvent
    assert.equal(sum.type, 'summary', r.stdout)
    const [good, down] = sum.vantagePoints
    assert.equal(good!.vantageId, ok)
    assert.deepEqual(good!.vantage, {kind: 'ssh', id: ok, name: SERVER_ADDR, asn: null, country: null, lat: null, lon: null})
    assert.equal(good!.pop, EXPECTED, JSON.stringify(good))
    assert.equal(good!.lost, 0)
    assert.equal(down!.vantageId, `${ok}:2222`)
    assert.equal(down!.answered, 0)
    assert.equal(down!.inOutage, true)
    assert.ok(events.some((e) => e.type === 'outage' && e.vantageId === `${ok}:2222`), r.stdout)
    // every probe the remote anyprobe sent was answered by the PoP that VP reaches (nyc -> IAD)
    const obs = readWatchOut(out).observations.filter((o) => o.vantageId === ok)
    assert.ok(obs.length >= 1 && obs.length <= 3, JSON.stringify(obs))
    for (const o of obs) {
      assert.equal(o.answered, true, JSON.stringify(o))
      assert.equal(o.pop, EXPECTED, JSON.stringify(o))
      assert.ok(o.rttMs !== null && o.rttMs >= 0)
    }
  })

  it('SIGTERM stops the remote anyprobe through ssh: the summary counts every observation saved, none lost, nothing left running there', async () => {
    const out = join(dir, 'watch-ssh-term.ndjson')
    const child = spawn('ip', ['netns', 'exec', CLIENT_NS, process.execPath, ANYPROBE, 'watch', ANYCAST, '--from', `ssh:${ok}`, ...remote(), '--interval', '100ms', '--out', out, '--json'], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
    const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)))
    try {
      // wait for a few observations from the remote side (ssh login and a node start come first)
      for (let i = 0; ; i++) {
        const n = existsSync(out) ? readWatchOut(out).observations.length : 0
        if (n >= 5) break
        if (i > 300 || child.exitCode !== null) assert.fail(`no observations from the ssh VP: ${stderr}`)
        await new Promise((res) => setTimeout(res, 100))
      }
      child.kill('SIGTERM')
      const code = await Promise.race([closed, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 30_000))])
      assert.notEqual(code, 'hung', `watch did not stop: ${stderr}`)
      assert.equal(code, 0, stderr)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    const sum = ndjson<WatchEvent>(stdout).at(-1) as WatchSummaryEvent
    assert.equal(sum.type, 'summary', stdout)
    const saved = readWatchOut(out).observations
    assert.equal(sum.observations, saved.length)
    assert.equal(sum.vantagePoints[0]!.lost, 0, JSON.stringify(sum.vantagePoints[0]))
    assert.equal(sum.vantagePoints[0]!.pop, EXPECTED)
    // the remote watch ended with the session (its --vantage-id names this test's host only)
    for (let i = 0; ; i++) {
      const ps = await run('ip', ['netns', 'pids', SERVER_NS])
      const left = ps.stdout.split('\n').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--vantage-id=${ok}`)
        } catch {
          return false
        }
      })
      if (left.length === 0) break
      if (i > 50) assert.fail(`remote watch still running in ${SERVER_NS}: ${left.join(' ')}`)
      await new Promise((res) => setTimeout(res, 100))
    }
  })
})

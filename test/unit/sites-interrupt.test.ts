// `sites --from` stopped by Ctrl-C / SIGTERM after some of its rounds: each vantage point's lowest
// RTT of the rounds measured was printed as if the run were complete (exit 0, nothing said), so
// neither an operator nor a script could tell a full answer from one cut short. The run says it was
// stopped and after how many of how many rounds (the text, and --json's `rounds`), keeps every RTT
// measured, and a vantage point with no result at all is still failed (E_VP_ABORTED, exit 9).
//
// Deterministic, no sleeps: the vantage points run a --remote-command wrapper that logs each
// child's start and, past the children the test lets through, hangs until it is killed; the test
// sends SIGINT once the log (or the --progress line) shows what it waits for.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {SITES_ROUNDS} from '../../src/console/sites-measure.js'
import {commandScript, ROOT} from '../helpers/cli.js'
import {dnsIdentityServer, type Loopback, REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'
import {schemaErrors} from '../helpers/schema.js'
import {geoDataForChildren} from '../helpers/src-geo-data.js'

interface Stopped {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Run `sites argv` from the sources and send it `signal` once `ready(stderr)` says so (polled: no fixed wait). */
function sitesStoppedWhen(argv: string[], ready: (stderr: string) => boolean, signal: NodeJS.Signals = 'SIGINT', timeoutMs = 90_000, againAfterMs: number | null = null): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript('sites', argv)], {cwd: ROOT})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    let sent = false
    const poll = setInterval(() => {
      if (!sent && ready(stderr)) {
        sent = true
        child.kill(signal)
        // a second Ctrl-C: the user insists
        if (againAfterMs !== null) setTimeout(() => child.kill(signal), againAfterMs)
      }
    }, 50)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`sites did not reach the point to stop it at within ${timeoutMs} ms (${signal} sent: ${sent}):\n${stderr}`))
    }, timeoutMs)
    child.on('close', (status, signal) => {
      clearInterval(poll)
      clearTimeout(timer)
      if (!sent) reject(new Error(`sites ended (${status}) before the test stopped it:\n${stderr}`))
      else resolve({status, signal, stdout, stderr})
    })
  })
}

describe('sites --from stopped by Ctrl-C: says so, keeps what was measured', () => {
  let dns: Loopback
  let undoSsh: () => void
  let undoGeo: () => void
  let dir: string
  before(async () => {
    dns = await dnsIdentityServer('fra')
    undoSsh = withFakeSsh()
    undoGeo = await geoDataForChildren()
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-stop-'))
  })
  after(async () => {
    undoSsh()
    undoGeo()
    await dns.close()
    rmSync(dir, {recursive: true, force: true})
  })

  /**
   * A --remote-command that logs each child's start to LOG and runs the real anyprobe, except past
   * the first `through` children or at a vantage point named *slow*, where it waits to be killed.
   */
  const wrapper = (name: string, through: number): {command: string; log: string} => {
    const log = join(dir, `${name}.log`)
    const script = join(dir, `${name}.sh`)
    writeFileSync(
      script,
      `#!/bin/sh\necho "start \${FAKE_VP:-local}" >> '${log}'\n` +
        `n=$(wc -l < '${log}')\n` +
        // *stubborn*: ignores Ctrl-C and SIGTERM (a child the run must wait out or kill)
        `case "\${FAKE_VP:-}" in *slow*) exec sleep 120 ;; *stubborn*) trap '' INT TERM; exec sleep 20 ;; esac\n` +
        `if [ "$n" -gt ${through} ]; then exec sleep 120; fi\n` +
        `exec ${REMOTE_COMMAND} "$@"\n`,
    )
    chmodSync(script, 0o755)
    return {command: script, log}
  }
  const started = (log: string): number => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('start')).length : 0)
  const args = (vps: string[], command: string): string[] => [
    '127.0.0.1', '--method', 'dns', '--port', String(dns.port), '--timeout', '400ms',
    ...vps.flatMap((v) => ['--from', v]), '--remote-command', command,
    // each placed (where the DNS server's fra is): a disc each, no contradiction in the way
    ...vps.flatMap((v) => ['--location', `${v.replace(/^ssh:/, '')}=50.1,8.7`]),
  ]

  it('after a complete round: the text says "stopped after 1 of 5 rounds", the RTTs of that round are kept, exit 0', async () => {
    // 2 vantage points: children 1 and 2 are round 1; a 3rd child starts only once round 1 has
    // every outcome (the rounds run one after another), and it hangs until the SIGINT
    const w = wrapper('text', 2)
    const r = await sitesStoppedWhen(args(['local', 'ssh:vp-ber'], w.command), () => started(w.log) >= 3)
    assert.match(r.stdout, new RegExp(`stopped +after 1 of ${SITES_ROUNDS} rounds \\(Ctrl-C / SIGTERM\\): each vantage point's lowest RTT of the rounds measured`), r.stdout + r.stderr)
    // nothing measured lost: both vantage points keep round 1's RTT, none is listed as failed
    assert.match(r.stdout, /vantage +2 of 2 used/)
    assert.doesNotMatch(r.stdout, /failed \(/)
    // every vantage point answered (in a complete round): 0, as catchment's rule counts answers
    assert.equal(r.status, 0, r.stderr)
  })

  it('--json, SIGTERM: rounds {planned, completed, stopped} (schema-valid), failed empty, exit 0', async () => {
    const w = wrapper('json', 2)
    const r = await sitesStoppedWhen([...args(['local', 'ssh:vp-ber'], w.command), '--json'], () => started(w.log) >= 3, 'SIGTERM')
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.deepEqual(doc.rounds, {planned: SITES_ROUNDS, completed: 1, stopped: true})
    assert.deepEqual(doc.failed, [])
    assert.equal(doc.excluded.noRtt, 0)
    assert.equal(doc.vantagePoints.used, 2)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, new RegExp(`note: stopped after 1 of ${SITES_ROUNDS} rounds`))
  })

  it('stopped in its first round: the vantage point with no result is failed E_VP_ABORTED, exit 9, completed 0', async () => {
    // local answers; ssh:vp-slow hangs. --progress says on stderr when local's outcome has come
    const w = wrapper('first', 100)
    const r = await sitesStoppedWhen([...args(['local', 'ssh:vp-slow'], w.command), '--json', '--progress'], (e) => /1\/2 vantage points done, 0 failed/.test(e))
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.deepEqual(doc.rounds, {planned: SITES_ROUNDS, completed: 0, stopped: true})
    assert.deepEqual(doc.failed.map((f: {vantage: {id: string}; error: {code: string}}) => [f.vantage.id, f.error.code]), [['vp-slow', 'E_VP_ABORTED']])
    assert.equal(doc.vantagePoints.used, 1)
    assert.equal(r.status, 9, r.stderr)
    // --json prints no table: stderr says the run was stopped
    assert.match(r.stderr, /note: stopped before its first round of 5 finished/)
  })
  it('a second Ctrl-C while the stopped round still waits for a vantage point ends the process at once', async () => {
    const w = wrapper('first', 100)
    const r = await sitesStoppedWhen([...args(['local', 'ssh:vp-stubborn'], w.command), '--json', '--progress'], (e) => /1\/2 vantage points done, 0 failed/.test(e), 'SIGINT', 90_000, 500)
    assert.equal(r.signal, 'SIGINT', `ended by exit ${r.status}, not by the second Ctrl-C:\n${r.stderr}`)
  })
})

// One exit-code rule for every command (README "Errors and exit codes", src/model/exit.ts), run as a
// user runs it: each command from the sources in a child process, against loopback DNS/HTTP servers,
// with real anyprobe children as vantage points (--from local, and ssh:NAME through a fake ssh that
// runs the command here; a NAME with "down" fails like an unreachable host). For every command the
// three cases: every vantage point answered (0), some did (9), none did (4); and the alert (8), data
// (7), usage (2) cases where the command has them.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {SITES_ROUNDS} from '../../src/console/sites-measure.js'
import {EXIT} from '../../src/model/errors.js'
import {measuredExit, watchExit} from '../../src/model/exit.js'
import {runCommand, SCRIPT_TIMEOUT_MS} from '../helpers/cli.js'
import {closedPort, dnsIdentityServer, httpIdentityServer, type Loopback, REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'
import {geoDataForChildren} from '../helpers/src-geo-data.js'

describe('the rule (model/exit.ts)', () => {
  it('0 all answered, 9 some, 4 none (or no vantage point); 8 > 7 > 4 > 9 > 10', () => {
    assert.equal(measuredExit({answered: 3, total: 3}), 0)
    assert.equal(measuredExit({answered: 1, total: 3}), 9)
    assert.equal(measuredExit({answered: 0, total: 3}), 4)
    assert.equal(measuredExit({answered: 0, total: 0}), 4)
    // every vantage point unusable (no namespace, no ssh login): 6; one that could be used: 4
    assert.equal(measuredExit({answered: 0, total: 2, ownFailures: 2}), 6)
    assert.equal(measuredExit({answered: 0, total: 3, ownFailures: 2}), 4)
    assert.equal(measuredExit({answered: 1, total: 3, ownFailures: 2}), 9)
    assert.equal(measuredExit({answered: 3, total: 3, writeFailed: true}), 10)
    assert.equal(measuredExit({answered: 1, total: 3, writeFailed: true}), 9)
    assert.equal(measuredExit({answered: 0, total: 3, data: true}), 7)
    assert.equal(measuredExit({answered: 0, total: 3, data: true, alert: true}), 8)
    assert.deepEqual([EXIT.alert, EXIT.partial, EXIT.write], [8, 9, 10])
    assert.equal(new Set(Object.values(EXIT)).size, Object.values(EXIT).length, 'no two meanings share a code')
  })

  it('watch: a vantage point answered when it answered a probe; a failed child makes "all" into "some"', () => {
    const s = (...answered: number[]): {vantagePoints: Array<{answered: number}>} => ({vantagePoints: answered.map((a) => ({answered: a}))})
    assert.equal(watchExit(s(5, 7)), 0)
    assert.equal(watchExit(s(5, 0)), 9)
    assert.equal(watchExit(s(0, 0)), 4)
    assert.equal(watchExit(s(0, 0), {vantageFailed: true, ownFailures: 2}), 6)
    assert.equal(watchExit(s(5, 7), {vantageFailed: true}), 9)
    assert.equal(watchExit(s(5, 7), {writeFailed: true}), 10)
    assert.equal(watchExit(s(5, 7), {alert: true}), 8)
  })
})

describe('every command, from the sources, against loopback', {concurrency: 3}, () => {
  let dns: Loopback
  let dnsIad: Loopback
  let http: Loopback
  let closed: number
  let undoSsh: () => void
  let undoGeo: () => void
  let dir: string
  const saved = new Map<string, string>()
  const ALL = ['--from', 'local', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND]
  const SOME = ['--from', 'local', '--from', 'ssh:vp-down', '--remote-command', REMOTE_COMMAND]
  const DOWN = ['--from', 'ssh:a-down', '--from', 'ssh:b-down', '--remote-command', REMOTE_COMMAND]

  before(async () => {
    dns = await dnsIdentityServer('fra')
    dnsIad = await dnsIdentityServer('iad')
    http = await httpIdentityServer('fra')
    closed = await closedPort()
    undoSsh = withFakeSsh()
    // without a build, the children read the place data written here once, not each decoding the
    // GeoNames package (sites: 10 children a run)
    undoGeo = await geoDataForChildren()
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-exit-'))
  })
  after(async () => {
    undoSsh()
    undoGeo()
    await Promise.all([dns.close(), dnsIad.close(), http.close()])
    rmSync(dir, {recursive: true, force: true})
  })

  const dnsArgs = (port: number): string[] => ['127.0.0.1', '--port', String(port), '--timeout', '400ms']
  const status = async (command: string, argv: string[], timeoutMs?: number): Promise<number | null> => {
    const r = await runCommand(command, argv, {timeoutMs})
    // a run the timeout stopped is no answer, whatever it exited with (sites keeps the rounds done)
    if (r.timedOut) {
      console.error(`anyprobe ${command} was stopped by the test's ${timeoutMs ?? SCRIPT_TIMEOUT_MS} ms timeout:\n${r.stderr}`)
      return null
    }
    // exit 1 is an internal error: say which, so a failure that does not repeat can still be read
    if (r.status === 1 || r.status === null) console.error(`anyprobe ${command} exited ${r.status}:\n${r.stderr}`)
    return r.status
  }

  it('dns: here 0 / 4; --from: all 0, some 9, none 4 (no reply at any vantage point)', async () => {
    assert.equal(await status('dns', dnsArgs(dns.port)), 0)
    assert.equal(await status('dns', dnsArgs(closed)), 4)
    assert.equal(await status('dns', [...dnsArgs(dns.port), ...ALL, '--json']), 0)
    assert.equal(await status('dns', [...dnsArgs(dns.port), ...SOME, '--json']), 9)
    assert.equal(await status('dns', [...dnsArgs(closed), ...ALL, '--json']), 4)
  })

  it('http: here 0 / 4; --from: all 0, some 9, none 4 (connection refused everywhere)', async () => {
    const url = `http://127.0.0.1:${http.port}/`
    const dead = `http://127.0.0.1:${closed}/`
    assert.equal(await status('http', [url, '--json']), 0)
    assert.equal(await status('http', [dead, '--json']), 4)
    assert.equal(await status('http', [url, ...ALL, '--ndjson']), 0)
    assert.equal(await status('http', [url, ...SOME, '--ndjson']), 9)
    assert.equal(await status('http', [dead, ...ALL, '--ndjson']), 4)
  })

  it('trace: here 0; --from: all 0, some 9, none 6 (every vantage point could not be used: ssh login failed)', async () => {
    const t = ['127.0.0.1', '--protocol', 'udp', '--max-hops', '3', '--timeout', '300ms', '--no-dns', '--no-asn']
    assert.equal(await status('trace', [...t, '--json']), 0)
    assert.equal(await status('trace', [...t, ...ALL, '--json']), 0)
    assert.equal(await status('trace', [...t, ...SOME, '--json']), 9)
    // the target was never asked: this host's fault (6), not the target's (4)
    assert.equal(await status('trace', [...t, ...DOWN, '--json']), 6)
  })

  it('catchment: all 0, some 9, none 4 (nothing located is no success), --expect broken 8, bad flag 2', async () => {
    const run = async (name: string, argv: string[]): Promise<number | null> => {
      const r = await runCommand('catchment', argv)
      saved.set(name, r.stdout)
      return r.status
    }
    assert.equal(await run('all', [...dnsArgs(dns.port), '--method', 'dns', ...ALL, '--ndjson']), 0)
    assert.equal(await run('some', [...dnsArgs(dns.port), '--method', 'dns', ...SOME, '--ndjson']), 9)
    assert.equal(await run('none', [...dnsArgs(closed), '--method', 'dns', ...ALL, '--ndjson']), 4)
    assert.equal(await run('iad', [...dnsArgs(dnsIad.port), '--method', 'dns', ...ALL, '--json']), 0)
    assert.equal(await run('fra', [...dnsArgs(dns.port), '--method', 'dns', ...ALL, '--json']), 0)
    const expect = join(dir, 'expect.json')
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{pops: ['iad']}]}))
    const broken = await runCommand('catchment', [...dnsArgs(dns.port), '--method', 'dns', ...ALL, '--expect', expect])
    assert.equal(broken.status, 8, broken.stderr)
    assert.match(broken.stderr, /2 vantage point\(s\) break the rules/)
    assert.equal(await status('catchment', [...dnsArgs(dnsIad.port), '--method', 'dns', ...ALL, '--expect', expect]), 0)
    assert.equal(await status('catchment', [...dnsArgs(dns.port), '--method', 'dns', '--no-rdns', ...ALL]), 2, '--no-rdns is for trace')

    // report: the saved runs read back; diff: the saved catchments compared
    for (const name of ['all', 'some', 'none', 'fra', 'iad']) writeFileSync(join(dir, `${name}.json`), saved.get(name)!)
    assert.equal(await status('report', [join(dir, 'all.json')]), 0)
    assert.equal(await status('report', [join(dir, 'some.json')]), 9)
    assert.equal(await status('report', [join(dir, 'none.json')]), 4)
    const missing = await runCommand('report', [join(dir, 'no-such-file.json')])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /error E_BAD_INPUT: cannot read .*ENOENT/)
    writeFileSync(join(dir, 'torn.json'), `${saved.get('all')!}{"schemaVersion":1,"kind":"outc\n`)
    assert.equal(await status('report', [join(dir, 'torn.json')]), 7)
    assert.equal(await status('diff', [join(dir, 'fra.json'), join(dir, 'all.json')]), 0)
    assert.equal(await status('diff', [join(dir, 'fra.json'), join(dir, 'iad.json')]), 8)
    assert.equal(await status('diff', [join(dir, 'fra.json'), join(dir, 'no-such-file.json')]), 2)
  })

  it('sites (http, the port in the URL): all 0, some 9, none 4', async () => {
    const s = (url: string, from: string[]): string[] => [url, '--method', 'http', ...from, '--vp-location', 'local=50.1,8.7', '--vp-location', 'vp-ber=52.5,13.4', '--json']
    // sites measures child-process vantage points in SITES_ROUNDS rounds, one after another (each
    // keeps its lowest RTT): 5 times the children the other commands start here, each a node + tsx
    // start from the sources (~1 s, 2-4 s on a loaded host; its probe takes ~20 ms). The other runs
    // have 30 s for their own start and one round; this one the same per start: 1 + 5 of them.
    const timeoutMs = (SCRIPT_TIMEOUT_MS / 2) * (1 + SITES_ROUNDS)
    assert.equal(await status('sites', s(`http://127.0.0.1:${http.port}/`, ALL), timeoutMs), 0)
    assert.equal(await status('sites', s(`http://127.0.0.1:${http.port}/`, SOME), timeoutMs), 9)
    assert.equal(await status('sites', s(`http://127.0.0.1:${closed}/`, ALL), timeoutMs), 4)
  })

  it('watch: all 0, some 9 (a vantage point that cannot connect), none 4', async () => {
    const w = (port: number, from: string[]): string[] => ['127.0.0.1', '--port', String(port), '--timeout', '200ms', '--interval', '200ms', '--count', '3', ...from]
    assert.equal(await status('watch', w(dns.port, ALL)), 0)
    assert.equal(await status('watch', w(dns.port, SOME)), 9)
    assert.equal(await status('watch', w(closed, ALL)), 4)
  })
})

describe('watch: a backend that failed', () => {
  it('(a RIPE Atlas measurement it could not stop) is 6, below an --expect alert (8)', () => {
  const all = {vantagePoints: [{answered: 3}, {answered: 2}]}
  assert.equal(watchExit(all, {unmeasured: 6}), 6)
  assert.equal(watchExit(all, {unmeasured: 6, alert: true}), 8)
  assert.equal(watchExit(all, {unmeasured: null}), 0)
})
})

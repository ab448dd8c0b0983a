// Audit finding 3: a usage error, a bad --asn-db, a name that does not resolve or no raw-socket
// privilege ended a multi-vantage run as exit 4 ("the target answered nobody"), so an alert on 4
// paged for the target because of a typo. A check that does not depend on where the probe runs is
// made in the parent before any vantage point starts (the single-host command's own check, same
// code); one that does (resolution, raw sockets there) gives the run that code when EVERY vantage
// point failed with it (model/exit.ts failedAs). Run as a user runs it, against loopback.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {measuredExit, sharedFailureExit} from '../../src/model/exit.js'
import {runCommand} from '../helpers/cli.js'
import {dnsIdentityServer, httpIdentityServer, type Loopback, withFakeSsh} from '../helpers/loopback-vantage.js'

describe('the rule: every vantage point failed with one error said before measuring', () => {
  it('gives that error\'s exit (2 / 3 / 5); mixed errors, a silent one or an answer keep 4 / 9', () => {
    assert.equal(sharedFailureExit(['E_RESOLVE', 'E_RESOLVE']), 3)
    assert.equal(sharedFailureExit(['E_NO_RAW_SOCKET']), 5)
    assert.equal(sharedFailureExit(['E_USAGE', 'E_USAGE']), 2)
    assert.equal(sharedFailureExit(['E_MMDB']), 2)
    assert.equal(sharedFailureExit(['E_RESOLVE', 'E_NO_RAW_SOCKET']), null)
    assert.equal(sharedFailureExit(['E_RESOLVE', null]), null, 'one vantage point asked the target')
    assert.equal(sharedFailureExit(['E_UNREACHABLE', 'E_UNREACHABLE']), null, 'the target did not answer: 4')
    assert.equal(sharedFailureExit([]), null)
    assert.equal(measuredExit({answered: 0, total: 2, failedAs: 3}), 3)
    assert.equal(measuredExit({answered: 0, total: 2, failedAs: 5, unmeasured: 6}), 6, 'a remote service that could not measure still wins')
    assert.equal(measuredExit({answered: 0, total: 2, failedAs: null}), 4)
  })
})

describe('multi-vantage runs exit as the single-host command does', {concurrency: 2}, () => {
  let dns: Loopback
  let http: Loopback
  let dir: string
  let undoSsh: () => void
  /** a stand-in anyprobe at a vantage point that fails with the error code it is given */
  let failing: (code: string, exit: number) => string[]

  before(async () => {
    dns = await dnsIdentityServer('fra')
    http = await httpIdentityServer('fra')
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-vp-exit-'))
    undoSsh = withFakeSsh()
    const script = join(dir, 'fail.mjs')
    writeFileSync(script, `const [code, exit] = process.argv.slice(2)\nprocess.stdout.write(JSON.stringify({error: {code, message: 'fails at the vantage point', hint: 'a hint', exitCode: Number(exit)}}) + '\\n')\nprocess.exit(Number(exit))\n`)
    failing = (code, exit) => ['--from', 'ssh:vp-ber', '--from', 'ssh:vp-nyc', '--remote-command', `${process.execPath} ${script} ${code} ${exit}`]
  })
  after(async () => {
    undoSsh()
    await Promise.all([dns.close(), http.close()])
    rmSync(dir, {recursive: true, force: true})
  })

  const usage = async (command: string, argv: string[], message: RegExp): Promise<void> => {
    const r = await runCommand(command, argv)
    assert.equal(r.status, 2, `${command} ${argv.join(' ')}\n${r.stderr}`)
    assert.match(r.stderr, message)
    // refused before any vantage point started: no vantage point's output, no summary
    assert.doesNotMatch(r.stdout + r.stderr, /vantage points done|### |catchment of/)
  }

  it('dns flags: --qname "" is E_USAGE (2) in the parent, as `dns --qname ""` says it', async () => {
    const d = ['127.0.0.1', '--port', String(dns.port), '--timeout', '400ms']
    await usage('catchment', [...d, '--method', 'dns', '--qname', ''], /error E_USAGE: --qname "" is not a domain name/)
    await usage('dns', [...d, '--qname', '', '--ndjson'], /error E_USAGE: --qname "" is not a domain name/)
    await usage('sites', [...d, '--method', 'dns', '--qname', '', '--from', 'local'], /error E_USAGE: --qname "" is not a domain name/)
    // audit finding 9: a RIPE Atlas dry run printed a request for hostname.bind, the empty name dropped
    await usage('catchment', ['127.0.0.1', '--from', 'atlas:country=DE', '--method', 'dns', '--qname', '', '--dry-run'], /error E_USAGE: --qname "" is not a domain name/)
  })

  it('http flags: --header without colon, --pop-header "", --host with a space are E_USAGE (2) in the parent', async () => {
    const u = [`http://127.0.0.1:${http.port}/`, '--method', 'http']
    await usage('catchment', [...u, '--header', 'nocolon'], /error E_USAGE: --header "nocolon" is not a "Name: value" header/)
    await usage('catchment', [...u, '--pop-header', ''], /error E_USAGE: --pop-header "" is not a header name/)
    await usage('catchment', [...u, '--host', 'a b'], /error E_USAGE: --host "a b" is not a host name/)
    await usage('catchment', [...u, '--header', 'Host: x'], /error E_USAGE: set the Host header with --host/)
    await usage('http', [`http://127.0.0.1:${http.port}/`, '--header', 'nocolon', '--ndjson'], /error E_USAGE: --header "nocolon"/)
  })

  it('trace --asn-db that does not exist is E_MMDB (2) before any vantage point starts', async () => {
    const missing = join(dir, 'nonexist.mmdb')
    await usage('trace', ['127.0.0.1', '--asn-db', missing, '--ndjson'], /error E_MMDB: cannot open ASN database/)
    await usage('catchment', ['127.0.0.1', '--method', 'trace', '--asn-db', missing], /error E_MMDB: cannot open ASN database/)
  })

  it('every vantage point failed with E_RESOLVE: 3; E_NO_RAW_SOCKET: 5; E_USAGE: 2 (not 4)', async () => {
    const d = ['127.0.0.1', '--port', String(dns.port), '--timeout', '400ms', '--method', 'dns']
    const resolve = await runCommand('catchment', [...d, ...failing('E_RESOLVE', 3)])
    assert.equal(resolve.status, 3, resolve.stderr)
    assert.equal((await runCommand('catchment', ['127.0.0.1', '--method', 'trace', '--protocol', 'udp', ...failing('E_NO_RAW_SOCKET', 5), '--json'])).status, 5)
    assert.equal((await runCommand('dns', ['127.0.0.1', '--port', String(dns.port), ...failing('E_USAGE', 2), '--ndjson'])).status, 2)
    assert.equal((await runCommand('sites', [...d, ...failing('E_RESOLVE', 3), '--json'])).status, 3)
  })
})

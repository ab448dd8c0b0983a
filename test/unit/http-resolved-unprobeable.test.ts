// http refused 0.0.0.0, :: and multicast addresses given as the target (util/target.ts unprobeable,
// the rule dns and trace apply to a name's answer too), but a NAME was resolved inside the request,
// where no such check ran: a name a DNS filter blocks (Pi-hole answers 0.0.0.0 and ::) was probed,
// and 0.0.0.0 reaches this host itself, so a local server's answer read as the service's PoP. The
// address a name resolves to now passes the same refusal (E_RESOLVE, exit 3, the filter's hint),
// before any connection. The machine's resolver is never asked: a fake lookup (the request's
// `lookup` option), and for the command /etc/hosts bound over in a mount namespace of its own.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer as createHttpServer} from 'node:http'
import type {AddressInfo, LookupFunction} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {probeHttp} from '../../src/engines/http/probe.js'
import {AnyprobeError, EXIT} from '../../src/model/errors.js'
import {commandScript, ROOT} from '../helpers/cli.js'
import {countingTarget} from '../helpers/loopback-server.js'
import {httpIdentityServer} from '../helpers/loopback-vantage.js'

/** A resolver answering every name with `address` (in the shape asked: one, or all), and counting the names asked. */
function answering(address: string, asked: string[] = []): LookupFunction {
  const family = address.includes(':') ? 6 : 4
  return ((hostname: string, options: {all?: boolean}, callback: (err: Error | null, address: unknown, family?: number) => void) => {
    asked.push(hostname)
    // later than the request's 'socket' tick, as the system's lookup (a thread) answers: the DNS phase is timed from it
    if (options?.all) setTimeout(callback, 2, null, [{address, family}])
    else setTimeout(callback, 2, null, address, family)
  }) as unknown as LookupFunction
}

const opts = (url: string, lookup: LookupFunction) => ({url: new URL(url), method: 'GET' as const, host: null, headers: {}, insecure: false, timeoutMs: 2000, follow: false, cfTrace: false, lookup})

const refusedAs = (addr: string, hint: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof AnyprobeError, String(e))
  assert.equal(e.code, 'E_RESOLVE')
  assert.equal(e.exitCode, EXIT.resolve)
  assert.match(e.message, new RegExp(`^blocked\\.example\\.test resolved to ${addr.replace(/\./g, '\\.')}, `))
  assert.match(e.hint ?? '', hint)
  return true
}

describe('http: a name that resolves to an address nothing can be measured at is refused, not probed', () => {
  it('0.0.0.0 (a DNS filter\'s block): E_RESOLVE exit 3 with the filter\'s hint; nothing reaches this host\'s server', async () => {
    const target = await countingTarget()
    const asked: string[] = []
    try {
      await assert.rejects(probeHttp(opts(`http://blocked.example.test:${target.port}/`, answering('0.0.0.0', asked))), refusedAs('0.0.0.0', /DNS filter \(Pi-hole, AdGuard, a blocklist\)/))
      assert.deepEqual(asked, ['blocked.example.test'], 'the fake resolver was the one asked')
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
    }
  })

  it(':: and a multicast address (224.0.0.1, ff02::1): refused the same way', async () => {
    const target = await countingTarget()
    try {
      await assert.rejects(probeHttp(opts(`http://blocked.example.test:${target.port}/`, answering('::'))), refusedAs('::', /DNS filter/))
      await assert.rejects(probeHttp(opts(`http://blocked.example.test:${target.port}/`, answering('224.0.0.1'))), refusedAs('224.0.0.1', /unicast or anycast address/))
      await assert.rejects(probeHttp(opts(`http://blocked.example.test:${target.port}/`, answering('ff02::1'))), refusedAs('ff02::1', /unicast or anycast address/))
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
    }
  })

  it('a name that resolves to a unicast address is still probed (through the same lookup)', async () => {
    const server = await httpIdentityServer('fra')
    const asked: string[] = []
    try {
      const out = await probeHttp(opts(`http://svc.example.test:${server.port}/`, answering('127.0.0.1', asked)))
      assert.equal(out.final.status, 200)
      assert.equal(out.final.remoteAddr, '127.0.0.1')
      assert.ok(out.final.timings.dnsMs !== null, 'a name has a DNS phase')
      assert.deepEqual(asked, ['svc.example.test'])
    } finally {
      await server.close()
    }
  })

  it('the http command: a name /etc/hosts maps to 0.0.0.0 exits 3 (E_RESOLVE), the local server never reached', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root for a mount namespace')
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-http-hosts-'))
    const hosts = join(dir, 'hosts')
    writeFileSync(hosts, '0.0.0.0 blocked.example.test\n')
    const target = await countingTarget()
    try {
      // a mount namespace only (the network stays this test's): the name is read from this hosts file, no resolver asked
      const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', commandScript('http', [`http://blocked.example.test:${target.port}/`, '--timeout', '2s'])]
      const r = await new Promise<{status: number | null; stdout: string; stderr: string}>((resolve) => {
        const child = spawn('unshare', ['-m', 'sh', '-c', `mount --bind "$0" /etc/hosts && exec "$@"`, hosts, ...node], {cwd: ROOT, timeout: 30_000})
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
        child.on('close', (status) => resolve({status, stdout, stderr}))
      })
      if (r.status !== 3 && /unshare|mount/.test(r.stderr) && !/anyprobe|E_[A-Z]/.test(r.stderr)) return t.skip(`no mount namespace here: ${r.stderr.trim()}`)
      assert.equal(r.status, 3, `${r.stdout}${r.stderr}`)
      assert.match(r.stderr, /error E_RESOLVE: blocked\.example\.test resolved to 0\.0\.0\.0, the unspecified address/)
      assert.match(r.stderr, /hint: a DNS filter/)
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })
  it('--follow: a redirect to a literal 0.0.0.0 or multicast URL is not requested; the chain ends with that reason', async () => {
    const target = await countingTarget()
    for (const host of ['0.0.0.0', '[::]', '224.0.0.1']) {
      const next = `http://${host}:${target.port}/`
      const redirector = createHttpServer((_req, res) => {
        res.writeHead(302, {location: next})
        res.end()
      })
      await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r))
      const port = (redirector.address() as AddressInfo).port
      try {
        const out = await probeHttp({...opts(`http://127.0.0.1:${port}/`, answering('127.0.0.1')), follow: true})
        assert.equal(out.final.status, 302, host)
        assert.equal(out.redirectError?.code, 'E_BAD_TARGET', host)
        assert.match(out.redirectError?.message ?? '', /cannot be probed/)
      } finally {
        redirector.closeAllConnections()
        await new Promise((r) => redirector.close(r))
      }
    }
    assert.equal(target.connections(), 0, 'nothing reached this host through 0.0.0.0')
    await target.close()
  })
  it('a resolver that answers no address at all: the request fails as a name that does not resolve (E_RESOLVE), no crash', async () => {
    const empty = ((_h: string, options: {all?: boolean}, callback: (err: Error | null, address: unknown, family?: number) => void) => {
      setTimeout(callback, 2, null, options?.all ? [] : undefined, 4)
    }) as unknown as LookupFunction
    await assert.rejects(probeHttp(opts('http://nothing.example.test:9/', empty)), (e: unknown) => {
      assert.ok(e instanceof AnyprobeError, String(e))
      assert.equal(e.code, 'E_RESOLVE')
      return true
    })
  })
})

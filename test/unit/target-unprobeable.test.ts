// Targets nothing can be measured at: the unspecified address (0.0.0.0, ::) and multicast, typed or
// resolved. The message read "0.0.0.0 is a unspecified address and cannot be traced" (an article
// wrong, and dns/watch say it too, which trace nothing); a name a DNS filter blocks resolves to
// 0.0.0.0 (Pi-hole's default blocking mode, https://docs.pi-hole.net/ftldns/blockingmode/) and was
// probed: Linux delivers it to this host, so a "trace" measured the loopback.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AnyprobeError, EXIT} from '../../src/model/errors.js'
import {resolveTarget} from '../../src/util/target.js'

const refused = (code: string, message: RegExp, hint?: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof AnyprobeError, String(e))
  assert.equal(e.code, code)
  assert.match(e.message, message)
  if (hint) assert.match(e.hint ?? '', hint)
  return true
}
// the system resolver is never asked: a fake answering as a DNS filter does
const answers = (address: string, family: 4 | 6) => (async () => [{address, family}]) as never

describe('unprobeable targets', () => {
  it('0.0.0.0 and :: are "the unspecified address", not "a unspecified address"', async () => {
    for (const t of ['0.0.0.0', '::', '::ffff:0.0.0.0']) {
      await assert.rejects(resolveTarget(t), refused('E_BAD_TARGET', /is the unspecified address \("no address": a probe would reach this host itself\) and cannot be probed$/))
      await assert.rejects(resolveTarget(t), (e: unknown) => !/ a unspecified|traced/.test((e as Error).message))
    }
  })

  it('a multicast address says what it is, with its article', async () => {
    await assert.rejects(resolveTarget('224.0.0.1'), refused('E_BAD_TARGET', /^224\.0\.0\.1 is a multicast address \(a group, not one host\) and cannot be probed$/))
    await assert.rejects(resolveTarget('ff02::1'), refused('E_BAD_TARGET', /^ff02::1 is a multicast address/))
  })

  it('a name resolved to 0.0.0.0 or :: (a DNS filter\'s block) is refused with the reason, not probed', async () => {
    await assert.rejects(
      resolveTarget('ads.example.net', null, answers('0.0.0.0', 4)),
      refused('E_RESOLVE', /^ads\.example\.net resolved to 0\.0\.0\.0, the unspecified address/, /DNS filter \(Pi-hole, AdGuard, a blocklist\)/),
    )
    await assert.rejects(resolveTarget('ads.example.net', 6, answers('::', 6)), (e: unknown) => e instanceof AnyprobeError && e.exitCode === EXIT.resolve && /resolved to ::,/.test(e.message))
  })

  it('a name resolved to a unicast address is kept (the fake resolver is used)', async () => {
    const info = await resolveTarget('svc.example.net', null, answers('198.51.100.10', 4))
    assert.equal(info.addr, '198.51.100.10')
    assert.equal(info.resolved, true)
  })
})

// audit-cli 10: `http http://0.0.0.0/` was probed (and measured this host) while dns and trace
// refuse 0.0.0.0: one rule (util/target.ts unprobeable) for every probe's target address.
describe('http: the same target-address rule as dns and trace', () => {
  it('an http URL or bare address that is unspecified or multicast: E_BAD_TARGET, the words dns gives', async () => {
    const {normalizeHttpTarget} = await import('../../src/engines/http/probe.js')
    for (const [t, addr] of [['http://0.0.0.0/', '0.0.0.0'], ['https://[::]:8443/x', '::'], ['0.0.0.0', '0.0.0.0'], ['http://224.0.0.1/', '224.0.0.1'], ['http://[::ffff:0.0.0.0]/', '0.0.0.0']]) {
      const dnsError = await resolveTarget(addr!).then(() => null, (e: unknown) => e as AnyprobeError)
      assert.throws(
        () => normalizeHttpTarget(t!),
        (e: unknown) => {
          assert.ok(e instanceof AnyprobeError, String(e))
          assert.deepEqual([e.code, e.exitCode, e.message, e.hint], [dnsError!.code, dnsError!.exitCode, dnsError!.message, dnsError!.hint])
          return true
        },
        t,
      )
    }
    assert.equal(normalizeHttpTarget('http://127.0.0.1:8080/').hostname, '127.0.0.1')
  })
  it('the command refuses it before any request: exit 2', async () => {
    const {runCommand} = await import('../helpers/cli.js')
    const r = await runCommand('http', ['http://0.0.0.0:9/', '--json', '--timeout', '300ms'])
    assert.equal(r.status, 2, r.stderr + r.stdout)
    assert.equal(JSON.parse(r.stdout).error.code, 'E_BAD_TARGET')
  })
})

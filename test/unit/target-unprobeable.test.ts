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

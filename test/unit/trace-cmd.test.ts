// The trace command line → the trace it runs: flags parsed by oclif exactly as the CLI does,
// then tracePlan (no sockets, no root).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import * as Parser from '@oclif/core/parser'

import Trace, {tracePlan} from '../../src/commands/trace.js'
import {isAnyprobeError} from '../../src/model/errors.js'

async function plan(argv: string[]) {
  const {args, flags} = await Parser.parse(argv, {flags: Trace.flags, args: Trace.args, strict: true})
  return tracePlan(args.target as string, flags as Parameters<typeof tracePlan>[1])
}

describe('trace command line', () => {
  it('defaults: icmp, 32 hops, 3 probes, 1 s, reverse DNS and ASNs on', async () => {
    const p = await plan(['198.51.100.10'])
    assert.equal(p.protocol, 'icmp')
    assert.equal(p.maxHops, 32)
    assert.equal(p.probes, 3)
    assert.equal(p.timeoutMs, 1000)
    assert.equal(p.dns, true)
    assert.equal(p.asn, true)
    assert.equal(p.port, null)
  })

  it('-n (as traceroute -n) and --no-dns both turn reverse DNS off', async () => {
    assert.equal((await plan(['198.51.100.10', '-n'])).dns, false)
    assert.equal((await plan(['198.51.100.10', '--numeric'])).dns, false)
    assert.equal((await plan(['198.51.100.10', '--no-dns'])).dns, false)
  })

  it('short flags as traceroute spells them: -m -q -w -f -p -P', async () => {
    const p = await plan(['198.51.100.10', '-m', '12', '-q', '1', '-w', '500ms', '-f', '2', '-P', 'udp', '-p', '53'])
    assert.deepEqual([p.maxHops, p.probes, p.timeoutMs, p.firstHop, p.protocol, p.port], [12, 1, 500, 2, 'udp', 53])
  })

  it('bad values are usage errors with a stable code and a hint, not a stack trace', async () => {
    const cases: Array<[string[], string]> = [
      [['x', '--wait-factor', '0'], 'E_USAGE'],
      [['x', '--vp-location', 'nowhere-at-all'], 'E_USAGE'],
      [['x', '--timeout', 'soon'], 'E_BAD_DURATION'],
      // checked by the engine too, whose message named no flag and had no hint
      [['x', '--first-hop', '10', '--max-hops', '5'], 'E_USAGE'],
      [['x', '--probes', '10', '--max-hops', '255'], 'E_USAGE'],
      // traceroute -p 53 habit: an ICMP trace has no port; it ran ICMP with params.port null, unsaid
      [['x', '--port', '53'], 'E_USAGE'],
      [['x', '-P', 'icmp', '-p', '80'], 'E_USAGE'],
    ]
    for (const [argv, code] of cases) {
      await assert.rejects(plan(argv), (e: unknown) => isAnyprobeError(e) && e.code === code && e.exitCode === 2 && Boolean(e.hint), argv.join(' '))
    }
  })
})

describe('trace --port', () => {
  it('with ICMP is refused with a hint naming --protocol udp|tcp; with udp or tcp it is the port', async () => {
    await assert.rejects(plan(['127.0.0.1', '--port', '53']), (e: unknown) => isAnyprobeError(e) && e.code === 'E_USAGE' && /--protocol udp/.test(e.hint ?? '') && /--protocol tcp/.test(e.hint ?? ''))
    assert.equal((await plan(['127.0.0.1', '--protocol', 'udp', '--port', '53'])).port, 53)
    assert.equal((await plan(['127.0.0.1', '--protocol', 'tcp', '--port', '443'])).port, 443)
    assert.equal((await plan(['127.0.0.1'])).port, null)
  })
})

// --port with --method trace and no --protocol: trace refuses it (ICMP, the default protocol, has
// no port), and catchment / sites / watch --method trace decide it by the same function with the
// same code, where they dropped the port silently (review finding: catchment --method trace --port
// 53 ran ICMP traces, Globalping's request carried no port, watch's local trace prober ignored it).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parse} from '@oclif/core/parser'

import Catchment, {CATCHMENT_PLAN} from '../../src/commands/catchment.js'
import Sites, {SITES_PLAN} from '../../src/commands/sites.js'
import Trace, {tracePlan} from '../../src/commands/trace.js'
import Watch, {watchAsk} from '../../src/commands/watch.js'
import {planFromParse, type PlanSpelling} from '../../src/console/plan.js'
import {refusal} from '../helpers/refusal.js'

type Cmd = {flags: Record<string, unknown>; args: Record<string, unknown>}

const parsed = async (cmd: Cmd, argv: string[]): Promise<{flags: Record<string, unknown>; metadata: {flags: Record<string, {setFromDefault?: boolean} | undefined>}}> =>
  (await parse(argv, {flags: cmd.flags as never, args: cmd.args as never, strict: true})) as never


const target = '198.51.100.10'

async function traceRefusal(argv: string[]): Promise<ReturnType<typeof refusal>> {
  const p = await parsed(Trace, [target, ...argv])
  return refusal(() => tracePlan(target, p.flags as never))
}

async function planRefusal(cmd: Cmd, spelling: PlanSpelling, argv: string[]): Promise<ReturnType<typeof refusal>> {
  const p = await parsed(cmd, [target, '--method', 'trace', ...argv])
  return refusal(() => planFromParse('trace', target, p as never, spelling))
}

describe('--method trace --port without --protocol: one decision for trace, catchment, sites and watch', () => {
  it('trace refuses it: E_USAGE, exit 2, a hint to --protocol udp / tcp', async () => {
    const t = await traceRefusal(['--port', '53'])
    assert.equal(t.code, 'E_USAGE')
    assert.equal(t.exitCode, 2)
    assert.match(t.message, /--port 53 does nothing with ICMP probes/)
    assert.match(t.hint ?? '', /--protocol udp.*--protocol tcp/)
  })

  it('catchment --method trace --port: the same refusal as trace (code, message, hint), for local and remote vantage points alike', async () => {
    const t = await traceRefusal(['--port', '53'])
    assert.deepEqual(await planRefusal(Catchment, CATCHMENT_PLAN, ['--port', '53']), t)
    assert.deepEqual(await planRefusal(Catchment, CATCHMENT_PLAN, ['--port', '53', '--from', 'globalping:world,limit=3']), t)
    // --protocol icmp written out is the same case
    assert.deepEqual(await planRefusal(Catchment, CATCHMENT_PLAN, ['--port', '53', '--protocol', 'icmp']), await traceRefusal(['--port', '53', '--protocol', 'icmp']))
  })

  it('sites --method trace --port: the same refusal as trace', async () => {
    assert.deepEqual(await planRefusal(Sites, SITES_PLAN, ['--port', '443', '--from', 'netns:a']), await traceRefusal(['--port', '443']))
  })

  it('a port with the protocol it applies to still reaches the plan', async () => {
    for (const [cmd, spelling] of [[Catchment, CATCHMENT_PLAN], [Sites, SITES_PLAN]] as const) {
      const p = await parsed(cmd, [target, '--method', 'trace', '--protocol', 'udp', '--port', '53'])
      const plan = planFromParse('trace', target, p as never, spelling)
      assert.deepEqual([plan.options.protocol, plan.options.port], ['udp', 53])
      assert.ok(plan.cliArgs.includes('--port=53'))
    }
  })

  it('watch --method trace --port: refused with trace\'s code (watch traces with ICMP only, so the hint does not offer --protocol)', async () => {
    const t = await traceRefusal(['--port', '33434'])
    const p = await parsed(Watch, [target, '--method', 'trace', '--port', '33434'])
    const w = refusal(() => watchAsk(p.flags as never, target, p.metadata))
    assert.deepEqual([w.code, w.exitCode], [t.code, t.exitCode])
    assert.match(w.message, /--port 33434 does nothing with ICMP probes/)
    assert.doesNotMatch(w.hint ?? '', /add --protocol/)
    assert.match(w.hint ?? '', /leave --port out/)
    // watch's --port defaults to 53 (the dns server port): the default is no port given
    const d = await parsed(Watch, [target, '--method', 'trace'])
    assert.equal(watchAsk(d.flags as never, target, d.metadata).port, undefined)
    // dns takes its port as before
    const dns = await parsed(Watch, [target, '--method', 'dns', '--port', '5353'])
    assert.equal(watchAsk(dns.flags as never, target, dns.metadata).port, 5353)
  })
})

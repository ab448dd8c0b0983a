// --no-asn with --asn-db: --no-asn looks no hop ASN up, so the database was never read and the
// user not told (review finding). Contradictory flags are refused (E_USAGE, exit 2, a hint), as
// --input with --from and --ipv4 with --ipv6 are, by trace and by the plan catchment --method
// trace and trace --from build, with the same words (sites has --asn-db but no --no-asn).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parse} from '@oclif/core/parser'

import Catchment, {CATCHMENT_PLAN} from '../../src/commands/catchment.js'
import Trace, {tracePlan} from '../../src/commands/trace.js'
import {planFromParse, type PlanSpelling} from '../../src/console/plan.js'
import {refusal} from '../helpers/refusal.js'

type Cmd = {flags: Record<string, unknown>; args: Record<string, unknown>}
const target = '198.51.100.10'

const parsed = async (cmd: Cmd, argv: string[]): Promise<never> =>
  (await parse([target, ...argv], {flags: cmd.flags as never, args: cmd.args as never, strict: true})) as never


const traceRun = async (argv: string[]): Promise<() => unknown> => {
  const p = (await parsed(Trace, argv)) as {flags: never}
  return () => tracePlan(target, p.flags)
}
const planRun = async (cmd: Cmd, spelling: PlanSpelling, argv: string[]): Promise<() => unknown> => {
  const p = await parsed(cmd, ['--method', 'trace', ...argv])
  return () => planFromParse('trace', target, p, spelling)
}

describe('--no-asn with --asn-db', () => {
  it('trace refuses it: E_USAGE, exit 2, the hint says which to drop', async () => {
    for (const argv of [['--no-asn', '--asn-db', 'my-asn.mmdb'], ['--asn-db', 'a.mmdb', '--asn-db', 'b.mmdb', '--no-asn']]) {
      const t = refusal(await traceRun(argv))
      assert.equal(t.code, 'E_USAGE')
      assert.equal(t.exitCode, 2)
      assert.match(t.message, /--no-asn and --asn-db do not go together/)
      assert.match(t.hint ?? '', /drop --no-asn.*or drop --asn-db/)
    }
  })

  it('catchment --method trace and trace --from (the plan): the same refusal as trace', async () => {
    const t = refusal(await traceRun(['--no-asn', '--asn-db', 'my-asn.mmdb']))
    assert.deepEqual(refusal(await planRun(Catchment, CATCHMENT_PLAN, ['--no-asn', '--asn-db', 'my-asn.mmdb'])), t)
    const p = await parsed(Trace, ['--no-asn', '--asn-db', 'my-asn.mmdb', '--from', 'netns:a'])
    assert.deepEqual(refusal(() => planFromParse('trace', target, p)), t)
  })

  it('either alone is taken as before', async () => {
    const db = (await traceRun(['--asn-db', 'my-asn.mmdb']))() as {asn: boolean; asnDbs: string[]}
    assert.deepEqual([db.asn, db.asnDbs], [true, ['my-asn.mmdb']])
    const no = (await traceRun(['--no-asn']))() as {asn: boolean; asnDbs: string[]}
    assert.deepEqual([no.asn, no.asnDbs], [false, []])
    const plan = ((await planRun(Catchment, CATCHMENT_PLAN, ['--asn-db', 'my-asn.mmdb']))() as {cliArgs: string[]}).cliArgs
    assert.ok(plan.includes('--asn-db=my-asn.mmdb'))
  })
})

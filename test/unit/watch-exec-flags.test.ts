// --exec-timeout and --exec-concurrency without --exec did nothing and were accepted in silence
// (audit-cli 9; --exec-timeout 0 was refused only once --exec was given): refused, E_USAGE with a
// hint, before anything is measured, as every unused flag is.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'

describe('watch: --exec-timeout / --exec-concurrency without --exec', () => {
  for (const flag of [['--exec-timeout', '0'], ['--exec-timeout', '5s'], ['--exec-concurrency', '3']]) {
    it(`${flag.join(' ')} alone is E_USAGE (exit 2) naming the flag, with a hint`, async () => {
      // port 9 on loopback: nothing is measured, the refusal comes first
      const r = await runCommand('watch', ['127.0.0.1', '--method', 'dns', '--port', '9', '--count', '1', '--interval', '200ms', '--timeout', '100ms', ...flag, '--json'])
      assert.equal(r.status, 2, r.stderr + r.stdout)
      const doc = JSON.parse(r.stdout) as {error: {code: string; message: string; hint: string | null}}
      assert.equal(doc.error.code, 'E_USAGE')
      assert.match(doc.error.message, new RegExp(`^${flag[0]} .*--exec`))
      assert.match(doc.error.hint ?? '', /--exec CMD/)
    })
  }
  it('the defaults alone (no flag given) are no refusal', async () => {
    const r = await runCommand('watch', ['127.0.0.1', '--method', 'dns', '--port', '9', '--count', '1', '--interval', '200ms', '--timeout', '100ms', '--json'])
    assert.notEqual(r.status, 2, r.stderr + r.stdout)
  })
})

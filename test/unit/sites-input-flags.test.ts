// sites --input reads results already measured: a flag that says how to measure would do nothing.
// `sites --input f.tsv --method dns` and `--concurrency 3` were accepted and dropped (the JSON then
// said "method": null); they are refused (E_USAGE, exit 2, with a hint), as --dry-run and the
// probe's own flags were. A flag left at its default, or turned off (--no-progress), asks nothing.
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {measuringFlagWithInput} from '../../src/console/sites-input.js'
import {runCommand} from '../helpers/cli.js'

const table = join(mkdtempSync(join(tmpdir(), 'anyprobe-sites-flags-')), 't.tsv')
writeFileSync(table, '1 50.11 8.68 2.5\n2 40.71 -74.01 3.0\n3 35.69 139.69 4.0\n')

describe('sites --input refuses the flags that say how to measure', () => {
  for (const [flag, message] of [
    [['--method', 'dns'], /--method says how the vantage points measure; --input reads results already measured/],
    [['--method', 'ping'], /--method says how/],
    [['--concurrency', '3'], /--concurrency says how many vantage points are measured at once; --input measures none/],
    [['--ndjson'], /--ndjson prints each vantage point's outcome as it is measured/],
    [['--progress'], /--progress shows the vantage points as they are measured/],
    [['--dry-run'], /--dry-run asks the probes of a measurement; --input reads one already made/],
    [['--timeout', '2s'], /--timeout asks the probes of a measurement/],
  ] as const) {
    it(`${flag.join(' ')}: E_USAGE, exit 2, with a hint`, async () => {
      const r = await runCommand('sites', ['--input', table, ...flag])
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, message)
      assert.match(r.stderr, new RegExp(`drop ${flag[0]}, or measure with --from`))
      assert.equal(r.stdout, '')
    })
  }

  it('flags at their defaults, --no-progress and the reading flags are taken', async () => {
    const r = await runCommand('sites', ['--input', table, '--no-progress', '--location', '1=50.1,8.7', '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).kind, 'sites')
  })

  it('the rule alone: the probe flags first, a default or false is not set', () => {
    const none = (): boolean => false
    assert.equal(measuringFlagWithInput({method: 'ping', concurrency: 8, progress: false}, ['port'], (k) => k === 'method' || k === 'concurrency'), null)
    assert.equal(measuringFlagWithInput({method: 'dns', port: 53}, ['port'], none)?.name, 'port')
    assert.equal(measuringFlagWithInput({method: 'dns'}, ['port'], none)?.name, 'method')
  })
})

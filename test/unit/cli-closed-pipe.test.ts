// `anyprobe report X 2>&1 | head`: a reader that goes away is not an internal error. Before, the
// note or error message the command wrote to the closed stderr raised an unhandled EPIPE and the
// run ended with exit 1 ("internal error") and no message. Now every command (BaseCommand.init,
// console/output.ts guardStdio) drops what the closed streams would get and ends with the exit
// code it has (README "Errors and exit codes").
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {describe, it} from 'node:test'

import {commandScript, ROOT} from '../helpers/cli.js'

/**
 * Run a command from the sources with its stdout (and stderr too, `bothClosed`: the pipe of
 * `2>&1 | head`) closed by the reader before the command writes anything.
 */
function runWithReaderGone(command: string, argv: string[], bothClosed: boolean, built = false): Promise<{status: number | null; signal: string | null; stderr: string}> {
  const nodeArgs = built ? [`${ROOT}bin/run.js`, command, ...argv] : ['--import', 'tsx', '--input-type=module', '-e', commandScript(command, argv)]
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs, {cwd: ROOT, timeout: 60_000})
    let stderr = ''
    child.stdout.destroy()
    if (bothClosed) child.stderr.destroy()
    else child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status, signal) => resolve({status, signal, stderr}))
  })
}

const FIX = 'test/fixtures/atlas/'

describe('a reader that goes away (stdout, or stdout and stderr: 2>&1 | head)', () => {
  it('report with unreadable values: exit 7 as without the pipe, not 1', async () => {
    for (const both of [true, false]) {
      const r = await runWithReaderGone('report', [`${FIX}results-errors.json`], both)
      assert.equal(r.status, 7, `stderr closed too: ${both}; ${r.stderr}`)
      // stderr still open: the error message still reaches it, and nothing else (no EPIPE trace)
      // (a warning first: the file's failure of another measurement is left out, said)
      if (!both) assert.match(r.stderr, /^(warning: [^\n]*\n)*error E_BAD_INPUT: .*\nhint: [^\n]*\n$/)
    }
  })

  it('report whose first write is a warning on stderr (several targets): exit 4 as without the pipe', async () => {
    // the catchment of one of the file's targets (analysis/catchment-scope.ts), which did not answer
    const r = await runWithReaderGone('report', [`${FIX}results-dns-mixed.json`, '--target', '194.0.25.16'], true)
    assert.equal(r.status, 4)
  })

  it('report of a clean file: exit 0', async () => {
    const r = await runWithReaderGone('report', [`${FIX}results-1423386.json`, '--json'], true)
    assert.equal(r.status, 0)
  })
})

describe('a reader that goes away, the built CLI (bin/run.js guards before oclif starts)', () => {
  const built = existsSync(`${ROOT}dist/anyprobe.bundle.cjs`)
  it('an unknown command with 2>&1 | head: exit 2, not 1', {skip: built ? false : 'not built (npm run build)'}, async () => {
    const r = await runWithReaderGone('traec', ['127.0.0.1'], true, true)
    assert.equal(r.status, 2)
  })
  it('report of a file with several targets with 2>&1 | head: exit 4', {skip: built ? false : 'not built (npm run build)'}, async () => {
    const r = await runWithReaderGone('report', [`${FIX}results-dns-mixed.json`, '--target', '194.0.25.16'], true, true)
    assert.equal(r.status, 4)
  })
})

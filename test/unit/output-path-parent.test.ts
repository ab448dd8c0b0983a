// The up-front check of --html / --learn tested only that the path's parent could be written to:
// `catchment ... --html /dev/null/x` passed it (/dev/null is writable), measured, then failed with
// exit 10. A parent that is not a directory, and a symbolic link whose target's directory is
// missing, are now refused before anything is measured (E_BAD_INPUT, exit 2, with the hint), while a
// device or a link to one (written into, util/atomic-write.ts) still passes. Devices are made here.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {checkOutputPath, HTML_PATH_HINT} from '../../src/util/output-path.js'
import {runCommand} from '../helpers/cli.js'
import {countingTarget} from '../helpers/loopback-server.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-out-parent-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const refused = (re: RegExp) => (e: {code?: string; exitCode?: number; message?: string; hint?: string | null}) =>
  e.code === 'E_BAD_INPUT' && e.exitCode === 2 && re.test(e.message ?? '') && e.hint === HTML_PATH_HINT

describe('--html whose parent is not a directory: refused up front', () => {
  it('a regular file as the parent', () => {
    const file = join(dir, 'plain')
    writeFileSync(file, '')
    assert.throws(() => checkOutputPath('--html', join(file, 'x.html'), HTML_PATH_HINT), refused(/^--html .*plain\/x\.html: .*plain is not a directory/))
  })

  it('a character device as the parent (as /dev/null/x), made here', (t) => {
    const nul = join(dir, 'null')
    if (spawnSync('mknod', [nul, 'c', '1', '3']).status !== 0) return t.skip('mknod is not permitted here')
    assert.throws(() => checkOutputPath('--html', join(nul, 'x'), HTML_PATH_HINT), refused(/null\/x: .*null is not a directory/))
    // the device itself is written into, so it passes, also through a link
    assert.doesNotThrow(() => checkOutputPath('--html', nul, HTML_PATH_HINT))
    symlinkSync(nul, join(dir, 'to-null'))
    assert.doesNotThrow(() => checkOutputPath('--html', join(dir, 'to-null'), HTML_PATH_HINT))
  })

  it('a link whose target is in a missing directory: the target is what gets written', () => {
    symlinkSync(join(dir, 'missing', 'page.html'), join(dir, 'dangling.html'))
    assert.throws(() => checkOutputPath('--html', join(dir, 'dangling.html'), HTML_PATH_HINT), refused(/its directory cannot be written to \(ENOENT\)/))
  })

  it('catchment --html FILE/x: exit 2 before the target is asked', async () => {
    const file = join(dir, 'plain2')
    writeFileSync(file, '')
    const target = await countingTarget()
    try {
      const c = await runCommand('catchment', [target.url, '--method', 'http', '--html', join(file, 'x.html')])
      assert.equal(c.status, 2, c.stderr)
      assert.match(c.stderr, /error E_BAD_INPUT: --html .*plain2\/x\.html: .*plain2 is not a directory/)
      assert.match(c.stderr, /hint: give a file path/)
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
    }
  })
})

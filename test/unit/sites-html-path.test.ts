// sites --html is written after measuring: `sites 127.0.0.1 --from local --html /nonexistent-dir/x.html`
// measured, then exited 10 (from atlas: the credits spent first). The path is checked before
// anything is measured or read, as catchment and watch check it (util/output-path.ts): exit 2.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {countingTarget} from '../helpers/loopback-server.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-html-path-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const missing = join(dir, 'no-such-dir', 'x.html')

describe('sites --html that cannot be written: refused before anything is measured (exit 2)', () => {
  it('--from local: the target is never asked', async () => {
    // a target that counts connections: nothing may reach it
    const target = await countingTarget()
    try {
      const r = await runCommand('sites', [target.url, '--from', 'local', '--method', 'http', '--location', 'local=52.52,13.40', '--html', missing])
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /--html .*x\.html: its directory cannot be written to \(ENOENT\)/)
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
    }
  })

  it('--input: said before the file is read (a directory as the page, too)', async () => {
    const table = join(dir, 't.tsv')
    writeFileSync(table, '1 50.11 8.68 2.5\n2 40.71 -74.01 3.0\n')
    for (const page of [missing, dir]) {
      const r = await runCommand('sites', ['--input', table, '--html', page])
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /--html .*(its directory cannot be written to|is a directory)/)
      assert.equal(r.stdout, '')
    }
  })
})

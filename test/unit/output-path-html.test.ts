// --html is written after measuring (watch: as it goes and at its end; catchment: at its end). A
// path that could not be written was found only then: `watch ... --html /nonexistent/x.html` exited
// 10 after the whole watch, where --out to such a path is refused at the start (exit 2). Now --html
// is checked when --out is opened (and --learn checked), before anything is measured.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {runCommand} from '../helpers/cli.js'
import {countingTarget} from '../helpers/loopback-server.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-html-path-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date().toISOString(), target: 'http://127.0.0.1/', method: 'http',
  intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
}
const missing = join(dir, 'no-such-dir', 'x.html')

describe('--html that cannot be written: refused before anything is measured (exit 2), as --out is', () => {
  it('watch: the session does not open, and --out given beside it is not created', async () => {
    const out = join(dir, 'w.ndjson')
    await assert.rejects(
      WatchSession.open({start, json: false, write: () => {}, tty: false, report: () => {}, out, html: missing, extras: {}}),
      (e: {code?: string; exitCode?: number; message?: string}) => e.code === 'E_BAD_INPUT' && e.exitCode === 2 && /^--html .*x\.html: its directory cannot be written to \(ENOENT\)/.test(e.message ?? ''),
    )
    await assert.rejects(WatchSession.open({start, json: false, write: () => {}, tty: false, report: () => {}, html: dir, extras: {}}), /--html .*: is a directory/)
    assert.equal(existsSync(out), false)
  })

  it('watch and catchment commands: exit 2 at once, the target never asked', async () => {
    // a target that counts connections: nothing may reach it
    const target = await countingTarget()
    const url = target.url
    try {
      const w = await runCommand('watch', [url, '--method', 'http', '--count', '3', '--html', missing])
      assert.equal(w.status, 2, w.stderr)
      assert.match(w.stderr, /--html .*x\.html: its directory cannot be written to/)
      const c = await runCommand('catchment', [url, '--method', 'http', '--html', missing])
      assert.equal(c.status, 2, c.stderr)
      assert.match(c.stderr, /--html .*x\.html: its directory cannot be written to/)
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
    }
  })
})

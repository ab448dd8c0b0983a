// util/atomic-write.ts followed symbolic links itself (readlink), so the kernel's
// fs.protected_symlinks never applied: root writing --html /tmp/sticky/page.html, a link another
// user planted there, overwrote the link's target (any file). A link is now followed only when its
// owner is the caller or the owner of the directory holding it (stricter than the kernel, which
// asks this only in sticky world-writable directories); else the path is refused up front
// (E_BAD_INPUT, exit 2) and at write time. Also: /dev/stdout opened with 'w' truncated a file the
// shell opened with `>>`; a FIFO with no reader blocked the event loop forever (now E_WRITE at once).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, closeSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {writeHtml} from '../../src/render/html/write.js'
import {writeFileAtomic} from '../../src/util/atomic-write.js'
import {checkOutputPath, HTML_PATH_HINT} from '../../src/util/output-path.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {countingTarget} from '../helpers/loopback-server.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-link-owner-'))
chmodSync(dir, 0o755)
after(() => rmSync(dir, {recursive: true, force: true}))
const isRoot = process.getuid?.() === 0
const NOBODY = 65534

/** A sticky world-writable directory (as /tmp) holding a link made by nobody to `target`. */
function planted(name: string, target: string): string {
  const sticky = join(dir, `sticky-${name}`)
  mkdirSync(sticky)
  chmodSync(sticky, 0o1777)
  const link = join(sticky, 'page.html')
  symlinkSync(target, link)
  lchownSync(link, NOBODY, NOBODY)
  return link
}

describe('a symbolic link owned by someone else', () => {
  it('planted in a sticky directory: refused up front, E_BAD_INPUT exit 2, and at write time; the victim untouched', async (t) => {
    if (!isRoot) return t.skip('needs root to make a link owned by another user')
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'data\n')
    const link = planted('a', victim)
    assert.throws(
      () => checkOutputPath('--html', link, HTML_PATH_HINT),
      (e: {code?: string; exitCode?: number; message?: string; hint?: string | null}) =>
        e.code === 'E_BAD_INPUT' && e.exitCode === 2 && /page\.html: .*symbolic link .*owned by uid 65534/.test(e.message ?? '') && typeof e.hint === 'string' && e.hint.length > 0,
    )
    const w = writeHtml(link, '<p>owned</p>')
    assert.equal(w?.code, 'E_WRITE')
    assert.equal(readFileSync(victim, 'utf8'), 'data\n')
    // the reviewer's repro: report measures nothing, but its page is checked before its input is read, as catchment's
    const r = await runCommand('report', [join(ROOT, 'test/fixtures/report/catchment-http.json'), '--no-rdns', '--html', link])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /error E_BAD_INPUT: --html .*page\.html: .*owned by uid 65534/)
    assert.match(r.stderr, /hint: give the path of the link's target/)
    assert.equal(readFileSync(victim, 'utf8'), 'data\n')
    assert.ok(lstatSync(link).isSymbolicLink())
    // catchment measures: refused before the target is asked
    const target = await countingTarget()
    try {
      const c = await runCommand('catchment', [target.url, '--method', 'http', '--html', link])
      assert.equal(c.status, 2, c.stderr)
      assert.match(c.stderr, /error E_BAD_INPUT: --html .*page\.html: .*owned by uid 65534/)
      assert.equal(target.connections(), 0)
    } finally {
      await target.close()
    }
    assert.equal(readFileSync(victim, 'utf8'), 'data\n')
  })

  it('a dangling one: no file is made at its target', (t) => {
    if (!isRoot) return t.skip('needs root to make a link owned by another user')
    const made = join(dir, 'would-be-made')
    const link = planted('b', made)
    assert.throws(() => writeFileAtomic(link, 'x'))
    assert.throws(() => lstatSync(made), /ENOENT/)
  })

  it('as a directory on the way (sticky/d -> elsewhere): refused too', (t) => {
    if (!isRoot) return t.skip('needs root to make a link owned by another user')
    const elsewhere = join(dir, 'elsewhere')
    mkdirSync(elsewhere)
    writeFileSync(join(elsewhere, 'page.html'), 'keep')
    const link = planted('c', elsewhere)
    assert.throws(() => checkOutputPath('--html', join(link, 'page.html'), HTML_PATH_HINT), {code: 'E_BAD_INPUT'})
    assert.throws(() => writeFileAtomic(join(link, 'page.html'), 'x'))
    assert.equal(readFileSync(join(elsewhere, 'page.html'), 'utf8'), 'keep')
  })

  it("the caller's own link in that sticky directory is followed as before", () => {
    const sticky = join(dir, 'sticky-own')
    mkdirSync(sticky)
    chmodSync(sticky, 0o1777)
    const target = join(dir, 'own-target.html')
    writeFileSync(target, 'old')
    symlinkSync(target, join(sticky, 'page.html'))
    checkOutputPath('--html', join(sticky, 'page.html'), HTML_PATH_HINT)
    assert.equal(writeHtml(join(sticky, 'page.html'), 'new'), null)
    assert.equal(readFileSync(target, 'utf8'), 'new')
    assert.ok(lstatSync(join(sticky, 'page.html')).isSymbolicLink())
  })

  it("a link owned by its directory's owner (root's /dev/stdout in root's /dev) is followed by another user", (t) => {
    if (!isRoot) return t.skip('needs root to make a directory owned by another user')
    const d = join(dir, 'others-dir')
    mkdirSync(d)
    const target = join(dir, 'others-target.html')
    writeFileSync(target, 'old')
    symlinkSync(target, join(d, 'page.html'))
    lchownSync(join(d, 'page.html'), NOBODY, NOBODY)
    lchownSync(d, NOBODY, NOBODY)
    assert.equal(writeHtml(join(d, 'page.html'), 'new'), null)
    assert.equal(readFileSync(target, 'utf8'), 'new')
  })
})

describe('/dev/stdout-style chains and FIFOs', () => {
  const script = (p: string) => `import {writeHtml} from './src/render/html/write.ts'; const e = writeHtml(${JSON.stringify(p)}, '<p>out</p>'); if (e) console.error(e.message, e.hint); process.exit(e === null ? 0 : 3)`

  it('a link to /proc/self/fd/1 (as /dev/stdout) into a file opened for append (>>): what was there is kept', () => {
    const link = join(dir, 'stdout')
    symlinkSync('/proc/self/fd/1', link)
    const file = join(dir, 'appended.html')
    writeFileSync(file, 'before\n')
    const fd = openSync(file, 'a')
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(link)], {cwd: ROOT, stdio: ['ignore', fd, 'pipe'], timeout: 30_000})
    closeSync(fd)
    assert.equal(r.status, 0, String(r.stderr))
    assert.equal(readFileSync(file, 'utf8'), 'before\n<p>out</p>')
  })

  it('the same chain as another user (nobody): still followed', (t) => {
    if (!isRoot) return t.skip('needs root to run as nobody')
    const link = join(dir, 'stdout-nobody')
    symlinkSync('/proc/self/fd/1', link)
    // as /dev/stdout: a root-owned link in a root-owned directory, followed by nobody
    const r = spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', '"$NODE" --import tsx --input-type=module -e "$SCRIPT" | cat'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {...process.env, NODE: process.execPath, SCRIPT: script(link)},
      timeout: 30_000,
    })
    // 3 is the script's own "writeHtml refused": a failure; anything else is nobody unable to run the
    // sources at all on this machine (a checkout it cannot read, no su): nothing measured, skipped
    if (r.status !== 0 && r.status !== 3) return t.skip(`nobody cannot run the sources here (exit ${r.status}): ${r.stderr.slice(0, 200)}`)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '<p>out</p>')
  })

  it('a FIFO with no reader: E_WRITE exit 10 at once, with a hint, instead of blocking forever', () => {
    const fifo = join(dir, 'lonely-fifo')
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
    const started = Date.now()
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import {writeHtml} from './src/render/html/write.ts'; const e = writeHtml(${JSON.stringify(fifo)}, 'x'); console.log(JSON.stringify(e && {code: e.code, exitCode: e.exitCode, hint: e.hint}))`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 15_000,
    })
    assert.equal(r.signal, null, 'the write blocked (killed by the timeout)')
    const e = JSON.parse(r.stdout)
    assert.equal(e?.code, 'E_WRITE')
    assert.equal(e.exitCode, 10)
    assert.match(e.hint, /no process is reading FIFO/)
    assert.ok(Date.now() - started < 15_000)
    assert.ok(lstatSync(fifo).isFIFO())
  })
})

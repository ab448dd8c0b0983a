// --html (report, catchment, sites, diff, watch) and --learn were written as a temporary file renamed
// over the path: a symbolic link became a regular file (its target untouched), a device node
// (/dev/full, as root) was replaced by a regular file and the run exited 0 without E_WRITE, and a
// replaced file lost its mode (0600 -> 0644) and owner. Now a link is followed and its target
// replaced, a device or FIFO is written into (its errors are E_WRITE, exit 10), and a replaced file
// keeps its mode and owner. Devices here are made in a temporary directory, never /dev's own.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, closeSync, lstatSync, openSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {HtmlRefresher, writeHtml} from '../../src/render/html/write.js'
import {writeFileAtomic} from '../../src/util/atomic-write.js'
import {ROOT, runCommand} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-write-through-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const isRoot = process.getuid?.() === 0

/** A character device like /dev/full (1,7: every write fails with ENOSPC), made here. */
function ownFull(name: string): string | null {
  const p = join(dir, name)
  return spawnSync('mknod', [p, 'c', '1', '7']).status === 0 ? p : null
}

describe('writing a file the user named', () => {
  it('a symbolic link: the link is kept and its target written', () => {
    const target = join(dir, 'target.html')
    writeFileSync(target, 'old')
    const link = join(dir, 'link.html')
    symlinkSync('target.html', link)
    assert.equal(writeHtml(link, '<p>new</p>'), null)
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link')
    assert.equal(readlinkSync(link), 'target.html')
    assert.equal(readFileSync(target, 'utf8'), '<p>new</p>')
  })

  it('a link to a link, and a dangling link: followed to the end, the file made there', () => {
    const sub = join(dir, 'sub')
    spawnSync('mkdir', [sub])
    symlinkSync(join(sub, 'made.html'), join(dir, 'dangling.html'))
    symlinkSync('dangling.html', join(dir, 'chain.html'))
    writeFileAtomic(join(dir, 'chain.html'), 'made')
    assert.ok(lstatSync(join(dir, 'chain.html')).isSymbolicLink())
    assert.ok(lstatSync(join(dir, 'dangling.html')).isSymbolicLink())
    assert.equal(readFileSync(join(sub, 'made.html'), 'utf8'), 'made')
  })

  it('a character device (its own /dev/full): E_WRITE, exit 10, and it is still a character device', (t) => {
    const full = ownFull('full')
    if (full === null) return t.skip('mknod is not permitted here')
    const e = writeHtml(full, '<p>page</p>')
    assert.ok(e !== null, 'a write that failed must be said')
    assert.equal(e.code, 'E_WRITE')
    assert.equal(e.exitCode, 10)
    assert.match(e.message, /ENOSPC/)
    assert.ok(statSync(full).isCharacterDevice(), 'the device node must not be replaced')
    assert.ok(lstatSync(full).isCharacterDevice())
  })

  it('a link to a character device: the link and the device both kept', (t) => {
    const full = ownFull('full2')
    if (full === null) return t.skip('mknod is not permitted here')
    symlinkSync(full, join(dir, 'to-full'))
    assert.equal(writeHtml(join(dir, 'to-full'), 'x')?.code, 'E_WRITE')
    assert.ok(lstatSync(join(dir, 'to-full')).isSymbolicLink())
    assert.ok(lstatSync(full).isCharacterDevice())
  })

  it('a FIFO is written into (a reader gets the page), not replaced', async () => {
    const fifo = join(dir, 'fifo')
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
    // bounded: before the fix the FIFO was renamed away and this reader waited forever
    const reader = spawn('timeout', ['10', 'cat', fifo])
    let got = ''
    reader.stdout.on('data', (b: Buffer) => (got += String(b)))
    const closed = new Promise((r) => reader.on('close', r))
    // the reader is started first (the FIFO is opened O_NONBLOCK: no reader yet would be ENXIO, E_WRITE,
    // write-links-owner-fifo.test.ts); node's start with tsx takes far longer than cat's open
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import {writeHtml} from './src/render/html/write.ts'; const e = writeHtml(${JSON.stringify(fifo)}, '<p>through</p>'); process.exit(e === null ? 0 : 3)`], {cwd: ROOT, timeout: 30_000})
    assert.equal(r.status, 0, String(r.stderr))
    await closed
    assert.equal(got, '<p>through</p>')
    assert.ok(lstatSync(fifo).isFIFO())
  })

  it('an open descriptor (/proc/self/fd/1, as /dev/stdout is) is written into: a pipe, and a file the shell opened', () => {
    const script = `import {writeHtml} from './src/render/html/write.ts'; const e = writeHtml('/proc/self/fd/1', '<p>out</p>'); process.exit(e === null ? 0 : 3)`
    // through a shell's pipe (node's own child stdio is a socket, which cannot be opened by path: ENXIO, as with `>`)
    const piped = spawnSync('sh', ['-c', '"$NODE" --import tsx --input-type=module -e "$SCRIPT" | cat'], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NODE: process.execPath, SCRIPT: script}, timeout: 30_000})
    assert.equal(piped.status, 0, piped.stderr)
    assert.equal(piped.stdout, '<p>out</p>')
    const file = join(dir, 'redirected.html')
    const fd = openSync(file, 'w')
    const before = statSync(file).ino
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, stdio: ['ignore', fd, 'pipe'], timeout: 30_000})
    closeSync(fd)
    assert.equal(r.status, 0, String(r.stderr))
    assert.equal(readFileSync(file, 'utf8'), '<p>out</p>')
    assert.equal(statSync(file).ino, before, 'the file the descriptor is open on, not a new one')
  })

  it('watch --html into a device or FIFO: no page while it runs (each would add a page), one at the end', (t) => {
    const nul = join(dir, 'null')
    if (spawnSync('mknod', [nul, 'c', '1', '3']).status !== 0) return t.skip('mknod is not permitted here')
    let built = 0
    let now = 0
    const r = new HtmlRefresher(nul, () => `page ${++built}`, 1000, () => now)
    assert.equal(r.poke(), false)
    now += 5000
    assert.equal(r.poke(), false)
    assert.equal(built, 0)
    assert.equal(r.flush(), true)
    assert.equal(built, 1)
    assert.ok(lstatSync(nul).isCharacterDevice())
  })

  it('an existing file keeps its mode on replacement', () => {
    const p = join(dir, 'private.html')
    writeFileSync(p, 'old')
    chmodSync(p, 0o640)
    assert.equal(writeHtml(p, 'new'), null)
    assert.equal(statSync(p).mode & 0o7777, 0o640)
    assert.equal(readFileSync(p, 'utf8'), 'new')
  })

  it('as root, an existing file keeps its owner and group', (t) => {
    if (!isRoot) return t.skip('needs root to own a file as someone else')
    const p = join(dir, 'owned.html')
    writeFileSync(p, 'old')
    chownSync(p, 1234, 5678)
    assert.equal(writeHtml(p, 'new'), null)
    const st = statSync(p)
    assert.deepEqual([st.uid, st.gid], [1234, 5678])
  })

  it('a new path is still written atomically (no temporary file left beside it)', () => {
    const sub = mkdtempSync(join(dir, 'new-'))
    writeFileAtomic(join(sub, 'page.html'), 'fresh')
    assert.equal(readFileSync(join(sub, 'page.html'), 'utf8'), 'fresh')
    assert.deepEqual(spawnSync('ls', ['-A', sub], {encoding: 'utf8'}).stdout.trim().split('\n'), ['page.html'])
  })

  it('report --html through a link: the command keeps the link too', async () => {
    const target = join(dir, 'report-target.html')
    writeFileSync(target, '')
    const link = join(dir, 'report-link.html')
    symlinkSync(target, link)
    const r = await runCommand('report', [join(ROOT, 'test/fixtures/diff/lab-dns-before.json'), '--html', link])
    assert.equal(r.status, 0, r.stderr)
    assert.ok(lstatSync(link).isSymbolicLink())
    assert.match(readFileSync(target, 'utf8'), /<html/i)
  })
})

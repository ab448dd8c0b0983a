// report --html and diff --html ran no up-front check of the page's path: a parent that is not a
// directory, or a link another user planted, was found only when the page was written, after the
// whole input had been read and rendered (E_WRITE, exit 10), where catchment, watch and sites refuse
// such a path before any work (E_BAD_INPUT, exit 2, with a hint: util/output-path.ts). Both now check
// it before reading their input; the file a planted link points at stays untouched.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {commandScript, ROOT, runCommand} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-saved-html-path-'))
chmodSync(dir, 0o755)
after(() => rmSync(dir, {recursive: true, force: true}))

const REPORT_IN = join(ROOT, 'test/fixtures/report/catchment-http.json')
const BEFORE = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')
const AFTER = join(ROOT, 'test/fixtures/diff/lab-dns-withdraw-fra.json')

const plain = join(dir, 'plain')
writeFileSync(plain, 'not a directory\n')
const underFile = join(plain, 'x.html')

/** Refused before work: exit 2, E_BAD_INPUT naming the path, a hint, and nothing rendered on stdout. */
function refusedUpFront(r: {status: number | null; stdout: string; stderr: string}, re: RegExp): void {
  assert.equal(r.status, 2, r.stderr)
  assert.match(r.stderr, /error E_BAD_INPUT: --html /)
  assert.match(r.stderr, re)
  assert.match(r.stderr, /\nhint: \S/)
  assert.doesNotMatch(r.stderr, /E_WRITE/)
  assert.equal(r.stdout, '', 'nothing was read or rendered')
}

describe('report --html / diff --html: a path that cannot be written is refused before the input is read', () => {
  it('a parent that is not a directory: report and diff exit 2 (E_BAD_INPUT, with a hint), not 10 after rendering', async () => {
    const [r, d] = await Promise.all([
      runCommand('report', [REPORT_IN, '--no-rdns', '--html', underFile]),
      runCommand('diff', [BEFORE, AFTER, '--html', underFile]),
    ])
    refusedUpFront(r, /plain\/x\.html: .*plain is not a directory/)
    refusedUpFront(d, /plain\/x\.html: .*plain is not a directory/)
  })

  it('report - with standard input left open: refused at once, standard input never read', async () => {
    // the child's standard input is a pipe nobody writes to or closes: reading it would wait forever
    const r = await new Promise<{status: number | null; stdout: string; stderr: string}>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript('report', ['-', '--html', underFile])], {cwd: ROOT, timeout: 20_000})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
      child.on('close', (status) => resolve({status, stdout, stderr}))
    })
    refusedUpFront(r, /plain is not a directory/)
  })

  it('a link another user planted in a sticky directory: exit 2 for both, the file it points at untouched', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to make a link owned by another user')
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'data\n')
    const sticky = join(dir, 'sticky')
    mkdirSync(sticky)
    chmodSync(sticky, 0o1777)
    const link = join(sticky, 'page.html')
    symlinkSync(victim, link)
    lchownSync(link, 65534, 65534)
    const [r, d] = await Promise.all([
      runCommand('report', [REPORT_IN, '--no-rdns', '--html', link]),
      runCommand('diff', [BEFORE, AFTER, '--html', link]),
    ])
    refusedUpFront(r, /page\.html: .*owned by uid 65534/)
    refusedUpFront(d, /page\.html: .*owned by uid 65534/)
    assert.match(r.stderr, /hint: give the path of the link's target/)
    assert.equal(readFileSync(victim, 'utf8'), 'data\n')
    assert.ok(lstatSync(link).isSymbolicLink())
  })
})

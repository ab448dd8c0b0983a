// scripts/setup.sh runs `npm ci` only when node_modules is not what package-lock.json asks for,
// judged on content (scripts/node-modules-current.mjs), not mtimes: a fresh clone whose
// node_modules is a symlink to another checkout's has a package-lock.json newer than that
// node_modules, and the old `-nt` test rebuilt the shared node_modules under the other checkout.
// Run against a copy in a temporary directory with a fake node_modules, and fake `npm` and `dpkg`
// on PATH that only record their calls: nothing is installed.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {ROOT} from '../helpers/cli.js'

type Lock = {packages: Record<string, {version?: string; optional?: boolean}>}
const LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock

/** What `npm ci` leaves in node_modules/.package-lock.json: the lock's packages but the root and the optional ones of other platforms. */
function hiddenLock(lock: Lock): string {
  const packages = Object.fromEntries(Object.entries(lock.packages).filter(([k, p]) => k !== '' && !p.optional))
  return JSON.stringify({name: 'anyprobe', lockfileVersion: 3, requires: true, packages}, null, 2)
}

const base = mkdtempSync(join(tmpdir(), 'anyprobe-setup-'))
after(() => rmSync(base, {recursive: true, force: true}))
let n = 0

/** A checkout: scripts/setup.sh and its check, a package-lock.json, a node_modules as given; fake npm/dpkg. */
function checkout(opts: {lock?: Lock; installed?: Lock | null; hash?: string}): string {
  const dir = join(base, `c${n++}`)
  mkdirSync(join(dir, 'scripts'), {recursive: true})
  mkdirSync(join(dir, 'node_modules', '@oclif', 'core'), {recursive: true})
  mkdirSync(join(dir, 'fakebin'))
  for (const f of ['setup.sh', 'node-modules-current.mjs']) copyFileSync(join(ROOT, 'scripts', f), join(dir, 'scripts', f))
  if (opts.installed !== null) writeFileSync(join(dir, 'node_modules', '.package-lock.json'), hiddenLock(opts.installed ?? LOCK))
  if (opts.hash !== undefined) writeFileSync(join(dir, 'node_modules', '.anyprobe-lock-hash'), opts.hash)
  // an hour old, as a node_modules installed before this checkout was cloned
  const old = new Date(Date.now() - 3_600_000)
  utimesSync(join(dir, 'node_modules'), old, old)
  if (opts.installed !== null) utimesSync(join(dir, 'node_modules', '.package-lock.json'), old, old)
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(opts.lock ?? LOCK, null, 2))
  for (const tool of ['npm', 'dpkg']) {
    writeFileSync(join(dir, 'fakebin', tool), `#!/bin/sh\necho "${tool} $*" >> "${join(dir, 'calls.log')}"\n`)
    chmodSync(join(dir, 'fakebin', tool), 0o755)
  }
  return dir
}

/** Run the checkout's setup.sh; the npm commands it ran. */
function setup(dir: string): string[] {
  const r = spawnSync('bash', [join(dir, 'scripts', 'setup.sh')], {env: {...process.env, PATH: `${join(dir, 'fakebin')}:${process.env.PATH}`}, encoding: 'utf8'})
  assert.equal(r.status, 0, r.stderr)
  return readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter((l) => l.startsWith('npm '))
}

const withVersion = (lock: Lock, path: string, version: string): Lock => ({...lock, packages: {...lock.packages, [path]: {...lock.packages[path], version}}})

describe('scripts/setup.sh: npm ci only when node_modules differs from package-lock.json', () => {
  it('a fresh clone (lock newer than node_modules, same packages, no hash yet): no npm ci', () => {
    const dir = checkout({})
    // the case the mtime test got wrong: the lock is newer than npm's record of the install
    const lockMtime = spawnSync('stat', ['-c', '%Y', join(dir, 'package-lock.json')], {encoding: 'utf8'}).stdout
    const nmMtime = spawnSync('stat', ['-c', '%Y', join(dir, 'node_modules', '.package-lock.json')], {encoding: 'utf8'}).stdout
    assert.ok(Number(lockMtime) > Number(nmMtime))
    assert.deepEqual(setup(dir), ['npm run build --silent'])
  })

  it('a lock that asks for another version: npm ci, then the lock\'s hash is recorded; the next run installs nothing', () => {
    const dir = checkout({lock: withVersion(LOCK, 'node_modules/ws', '0.0.1')})
    assert.deepEqual(setup(dir), ['npm ci --ignore-scripts --no-audit --no-fund --loglevel=error', 'npm run build --silent'])
    const hash = readFileSync(join(dir, 'node_modules', '.anyprobe-lock-hash'), 'utf8').trim()
    assert.match(hash, /^[0-9a-f]{64}$/)
    // the fake npm ci did not rewrite .package-lock.json: only the recorded hash says "current" now
    // (calls.log keeps both runs: still the one npm ci of the first)
    assert.deepEqual(setup(dir).filter((c) => c.startsWith('npm ci')), ['npm ci --ignore-scripts --no-audit --no-fund --loglevel=error'])
  })

  it('a package locked but not installed, or installed but not locked: npm ci', () => {
    const extra: Lock = {...LOCK, packages: {...LOCK.packages, 'node_modules/left-pad': {version: '1.3.0'}}}
    assert.equal(setup(checkout({lock: extra})).filter((c) => c.startsWith('npm ci')).length, 1)
    assert.equal(setup(checkout({installed: extra})).filter((c) => c.startsWith('npm ci')).length, 1)
  })

  it('no record of what was installed: npm ci; a stale hash falls back to comparing packages', () => {
    assert.equal(setup(checkout({installed: null})).filter((c) => c.startsWith('npm ci')).length, 1)
    assert.deepEqual(setup(checkout({hash: '0'.repeat(64)})), ['npm run build --silent'])
    assert.equal(setup(checkout({hash: '0'.repeat(64), lock: withVersion(LOCK, 'node_modules/ws', '0.0.1')})).filter((c) => c.startsWith('npm ci')).length, 1)
  })
})

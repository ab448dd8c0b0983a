// Is node_modules what package-lock.json asks for? scripts/setup.sh runs `npm ci` only when not.
//   node scripts/node-modules-current.mjs [DIR]            exit 0: current; 1: install (reason on stderr)
//   node scripts/node-modules-current.mjs --record [DIR]   after a successful install: remember this lock
//
// Content, not modification times: a fresh clone's package-lock.json is newer than an existing
// node_modules/.package-lock.json even when identical, and `npm ci` there would rebuild a
// node_modules that other checkouts share (a symlink to it). Current when either
//  - node_modules/.anyprobe-lock-hash (written by --record after `npm ci`) holds the SHA-256 of
//    package-lock.json, or
//  - npm's own record of what it installed, node_modules/.package-lock.json, has every package of
//    package-lock.json at the same version, resolved URL and integrity (an optional package may be
//    absent: esbuild's builds for other platforms are never installed), and nothing else. This
//    covers a node_modules installed before the hash was kept, and a lock rewritten with the same packages.
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const HASH_FILE = '.anyprobe-lock-hash'

/** Why node_modules in `dir` is not current, or null when it is. */
function staleReason(dir) {
  let lockText
  try {
    lockText = readFileSync(join(dir, 'package-lock.json'), 'utf8')
  } catch {
    return 'no package-lock.json'
  }
  let recorded = null
  try {
    recorded = readFileSync(join(dir, 'node_modules', HASH_FILE), 'utf8').trim()
  } catch {
    // not recorded: compare packages below
  }
  if (recorded === sha256(lockText)) return null
  let hidden
  try {
    hidden = JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')).packages ?? {}
  } catch {
    return 'node_modules has no readable .package-lock.json'
  }
  const wanted = JSON.parse(lockText).packages ?? {}
  for (const [path, p] of Object.entries(wanted)) {
    if (path === '') continue
    const got = hidden[path]
    if (got === undefined) {
      if (p.optional) continue
      return `${path} is not installed`
    }
    for (const f of ['version', 'resolved', 'integrity']) {
      if (p[f] !== got[f]) return `${path}: ${f} ${got[f]} installed, ${p[f]} locked`
    }
  }
  for (const path of Object.keys(hidden)) if (!(path in wanted)) return `${path} is installed but not locked`
  return null
}

function record(dir) {
  writeFileSync(join(dir, 'node_modules', HASH_FILE), `${sha256(readFileSync(join(dir, 'package-lock.json'), 'utf8'))}\n`)
}

function sha256(text) {
  return createHash('sha256').update(text).digest('hex')
}

const args = process.argv.slice(2)
const doRecord = args[0] === '--record'
const dir = (doRecord ? args[1] : args[0]) ?? '.'
if (doRecord) record(dir)
else {
  const why = staleReason(dir)
  if (why !== null) {
    process.stderr.write(`setup: node_modules is not current: ${why}\n`)
    process.exit(1)
  }
}

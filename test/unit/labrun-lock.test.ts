// test/lab/labrun-lock.sh: one lab run at a time (CI, the demo, screenshots, a hand-typed run), and
// never a run that waits for the lock its own caller holds. Run against a lock file of the test's
// own (ANYPROBE_LABRUN_LOCK_FILE), with a script that reports whether it holds the lock: another
// process's `flock -n` on the file must fail while the script body runs.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {ROOT} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ap-labrun-lock-'))
const lock = join(dir, 'lock')
writeFileSync(lock, '')
mkdirSync(join(dir, 'sub'))
// a script shaped like scripts/demo.sh: its path resolved before it changes directory
const script = join(dir, 'run.sh')
writeFileSync(
  script,
  `#!/usr/bin/env bash
set -euo pipefail
self=$(realpath "$0")
cd /
source ${JSON.stringify(join(ROOT, 'test/lab/labrun-lock.sh'))}
labrun_lock "$self" "$@"
if flock -n ${JSON.stringify(lock)} true; then echo "ran unlocked"; else echo "ran locked"; fi
`,
)
after(() => rmSync(dir, {recursive: true, force: true}))

const env = {...process.env, ANYPROBE_LABRUN_LOCK_FILE: lock, ANYPROBE_LABRUN_LOCKED: ''}

function run(cmd: string, cwd = dir): {out: string; status: number | null; timedOut: boolean} {
  const r = spawnSync('bash', ['-c', cmd], {cwd, env, encoding: 'utf8', timeout: 15_000})
  return {out: r.stdout, status: r.status, timedOut: r.error !== undefined || r.signal !== null}
}

describe('labrun-lock.sh: the lab-run lock', () => {
  it('a plain run takes the lock for its body', () => {
    assert.deepEqual(run(`bash ${script}`), {out: 'ran locked\n', status: 0, timedOut: false})
  })

  it('started by a relative path from another directory (the script changes directory first)', () => {
    assert.deepEqual(run('bash ../run.sh', join(dir, 'sub')), {out: 'ran locked\n', status: 0, timedOut: false})
  })

  it('under `flock LOCK bash script`: runs at once (the holder is its parent), does not wait for itself', () => {
    assert.deepEqual(run(`flock ${lock} bash ${script}`), {out: 'ran locked\n', status: 0, timedOut: false})
  })

  it('with the lock held on an inherited descriptor (`( flock 9; bash script ) 9>LOCK`): runs at once', () => {
    assert.deepEqual(run(`( flock 9; bash ${script} ) 9>${lock}`), {out: 'ran locked\n', status: 0, timedOut: false})
  })

  it('ANYPROBE_LABRUN_LOCKED=1: the caller says it holds the lock, the script takes none', () => {
    assert.deepEqual(run(`ANYPROBE_LABRUN_LOCKED=1 bash ${script}`), {out: 'ran unlocked\n', status: 0, timedOut: false})
  })

  it('held by an unrelated process: waits (and says so), then runs when it is released', async () => {
    const holder = spawn('flock', [lock, 'sleep', '30'], {stdio: 'ignore'})
    try {
      // the holder has the lock once flock -n fails
      for (let i = 0; i < 100 && spawnSync('flock', ['-n', lock, 'true']).status === 0; i++) await new Promise((r) => setTimeout(r, 50))
      const waiter = spawn('bash', [script], {env, stdio: ['ignore', 'pipe', 'pipe']})
      let out = ''
      let err = ''
      waiter.stdout.on('data', (d: Buffer) => (out += d.toString()))
      waiter.stderr.on('data', (d: Buffer) => (err += d.toString()))
      const done = new Promise<number | null>((r) => waiter.on('close', r))
      await new Promise((r) => setTimeout(r, 1500))
      assert.equal(out, '', 'it ran while another process held the lock')
      assert.match(err, /waiting for .*lock/)
      holder.kill()
      assert.equal(await done, 0)
      assert.equal(out, 'ran locked\n')
    } finally {
      holder.kill()
    }
  })
  it('an open file of the lock inherited while nobody holds it: the run takes the lock its own way, and nothing holds it after', () => {
    // the lock taken on the caller's open file would outlive the run (held by the caller's descriptor)
    assert.deepEqual(run(`( bash ${script}; flock -n ${lock} true && echo free-after || echo still-held ) 9>>${lock}`), {out: 'ran locked\nfree-after\n', status: 0, timedOut: false})
  })
})

// `anyprobe config set`: a refused key or token says the rule it broke (it said "printable
// characters only, like a UUID" for a 3-letter key that is printable), the hints name
// `anyprobe config set ... -`, and a token the Globalping backend accepts can be saved (config set
// allowed 200 characters, the backend 500).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {KEY_HINT, secretShapeProblem, validateKey} from '../../src/vantage/atlas/config.js'
import {TOKEN_HINT, validateToken} from '../../src/vantage/globalping/config.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {spawnSync} from 'node:child_process'

import {commandScript, ROOT, runCommand} from '../helpers/cli.js'

test('a refused key says the length rule and how it broke it, never the value', () => {
  assert.throws(() => validateKey('foo'), (e: unknown) => {
    assert.ok(e instanceof AnyprobeError)
    assert.match(e.message, /3 characters, expected 8 to 200 printable ASCII characters without spaces/)
    assert.ok(!e.message.includes('foo'))
    return true
  })
  assert.match(secretShapeProblem('has a space', 8, 200) ?? '', /holds a space/)
  assert.match(secretShapeProblem('x'.repeat(201), 8, 200) ?? '', /^201 characters/)
  assert.equal(secretShapeProblem('0a1b2c3d-4e5f-4000-8000-00000000abcd', 8, 200), null)
  assert.match(secretShapeProblem('a', 8, 200) ?? '', /^1 character,/)
})

test('the key and token hints name anyprobe config set', () => {
  assert.match(KEY_HINT, /`anyprobe config set atlas-key -`/)
  assert.match(TOKEN_HINT, /`anyprobe config set globalping-token -`/)
  assert.throws(() => validateToken('short'), /5 characters, expected 8 to 500/)
})

test('config set globalping-token takes a token the backend takes (300 characters), and refuses "foo" with the rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-cfg-'))
  try {
    process.env.XDG_CONFIG_HOME = dir
    const long = 'T'.repeat(300)
    const ok = await runCommand('config/set', ['globalping-token', long])
    assert.equal(ok.status, 0, ok.stderr)
    assert.equal(JSON.parse(readFileSync(join(dir, 'anyprobe', 'config.json'), 'utf8')).globalping.token, long)
    const bad = await runCommand('config/set', ['atlas-key', 'foo'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /3 characters, expected 8 to 200/)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('config set atlas-key - with nothing on standard input says so (it said "0 characters")', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-cfg-'))
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript('config/set', ['atlas-key', '-'])], {
      cwd: ROOT,
      input: '\n',
      encoding: 'utf8',
      env: {...process.env, XDG_CONFIG_HOME: dir},
      timeout: 30_000,
    })
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /nothing was read from standard input for atlas-key/)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

// `anyprobe help CMD`, `-h`, and `anyprobe config set` (the key file is written 0600, a file that
// others can read draws a warning when a key is taken from it).
import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {helpAddition} from '@oclif/core/run'

import {loadAtlasConfig} from '../../src/vantage/atlas/config.js'
import {secretFileWarning} from '../../src/vantage/config-file.js'
import {runCommand} from '../helpers/cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

test('-h asks for help like --help (package.json oclif.additionalHelpFlags)', () => {
  const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: object}
  const config = {pjson} as unknown as Parameters<typeof helpAddition>[1]
  assert.equal(helpAddition(['trace', '-h'], config), true)
  assert.equal(helpAddition(['trace', '198.51.100.10'], config), false)
})

test('help CMD prints that command\'s help', async () => {
  const r = await runCommand('help', ['trace'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /Paris-style traceroute/)
  assert.match(r.stdout, /--protocol/)
})

test('config set writes the key 0600 in a 0700 directory, keeps other settings, never prints the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-cfg-'))
  const file = join(dir, 'anyprobe', 'config.json')
  process.env.XDG_CONFIG_HOME = dir
  const key = '0a1b2c3d-4e5f-4000-8000-00000000abcd'
  const r = await runCommand('config/set', ['atlas-key', key])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key), 'the key is never printed')
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(join(dir, 'anyprobe')).mode & 0o777, 0o700)
  const r2 = await runCommand('config/set', ['globalping-token', 'tok-12345678'])
  assert.equal(r2.status, 0, r2.stderr)
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {atlas: {key: string}; globalping: {token: string}}
  assert.equal(saved.atlas.key, key)
  assert.equal(saved.globalping.token, 'tok-12345678')
  const bad = await runCommand('config/set', ['atlas-key', 'bad key\r\nX-Injected: 1'])
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /E_USAGE/)
  delete process.env.XDG_CONFIG_HOME
})

test('a key file others can read gets a warning; a 0600 one does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-cfg-'))
  const file = join(dir, 'config.json')
  writeFileSync(file, JSON.stringify({atlas: {key: '0a1b2c3d-4e5f-4000-8000-00000000abcd'}}))
  chmodSync(file, 0o644)
  assert.match(secretFileWarning(file) ?? '', /can be read by others \(mode 0644\).*chmod 600/)
  assert.match(loadAtlasConfig({env: {}, configFile: file}).warning ?? '', /chmod 600/)
  chmodSync(file, 0o600)
  assert.equal(secretFileWarning(file), null)
  assert.equal(loadAtlasConfig({env: {}, configFile: file}).warning, undefined)
})

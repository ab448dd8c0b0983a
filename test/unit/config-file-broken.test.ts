// `config set` read the config file, and when it was not valid JSON (a trailing comma) or not an
// object took it as empty and wrote the one new setting over it: exit 0, the Globalping token
// gone. Reading commands refused an invalid file (E_USAGE) but took one holding an array or a
// string as empty. Now both refuse the same way (E_USAGE, exit 2, the file named in the message
// and the hint) and `config set` leaves the file byte for byte as it was. A symlinked config file
// was replaced by a regular file; now its target is written and the link kept.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {loadAtlasConfig} from '../../src/vantage/atlas/config.js'
import {saveConfigValue} from '../../src/vantage/config-file.js'
import {loadGlobalpingConfig} from '../../src/vantage/globalping/config.js'
import {runCommand} from '../helpers/cli.js'

const root = mkdtempSync(join(tmpdir(), 'anyprobe-config-broken-'))
after(() => rmSync(root, {recursive: true, force: true}))

const KEY = '0a1b2c3d-4e5f-6789-abcd-ef0123456789'
const TRAILING_COMMA = '{\n  "globalping": {"token": "keep-this-token-1234"},\n}\n'

/** A config home with config.json holding `text` (mode 0600); returns its dir and file. */
function home(name: string, text: string): {xdg: string; file: string} {
  const xdg = join(root, name)
  mkdirSync(join(xdg, 'anyprobe'), {recursive: true, mode: 0o700})
  const file = join(xdg, 'anyprobe', 'config.json')
  writeFileSync(file, text, {mode: 0o600})
  return {xdg, file}
}

type Err = {code?: string; exitCode?: number; message?: string; hint?: string | null}
const refusal = (file: string, why: RegExp) => (e: Err) => {
  assert.equal(e.code, 'E_USAGE')
  assert.equal(e.exitCode, 2)
  assert.ok(e.message?.includes(file), `the message names the file: ${e.message}`)
  assert.match(e.message ?? '', why)
  assert.ok(e.hint?.includes(file), `the hint names the file: ${e.hint}`)
  assert.ok(!(e.message ?? '').includes('keep-this-token'), 'never the content (it holds secrets)')
  return true
}

describe('a config file that is not a JSON object', () => {
  for (const [name, text, why] of [
    ['trailing comma', TRAILING_COMMA, /is not valid JSON/],
    ['an array', '[{"globalping": {"token": "keep-this-token-1234"}}]\n', /does not hold a JSON object/],
    ['a string', '"keep-this-token-1234"\n', /does not hold a JSON object/],
  ] as const) {
    it(`${name}: saveConfigValue refuses and leaves it byte for byte`, async () => {
      const {file} = home(`save-${name.replace(/ /g, '-')}`, text)
      const before = readFileSync(file)
      await assert.rejects(saveConfigValue(file, 'atlas', 'key', KEY), refusal(file, why))
      assert.deepEqual(readFileSync(file), before)
      assert.equal(statSync(file).mode & 0o777, 0o600)
    })

    it(`${name}: reading it for RIPE Atlas or Globalping says the same`, () => {
      const {file} = home(`read-${name.replace(/ /g, '-')}`, text)
      assert.throws(() => loadAtlasConfig({configFile: file, env: {}}), refusal(file, why))
      assert.throws(() => loadGlobalpingConfig({configFile: file, env: {}}), refusal(file, why))
    })
  }

  it('config set atlas-key: exit 2, error and hint naming the file, the Globalping token kept', async () => {
    const {xdg, file} = home('cli', TRAILING_COMMA)
    const saved = process.env.XDG_CONFIG_HOME
    process.env.XDG_CONFIG_HOME = xdg
    try {
      const r = await runCommand('config/set', ['atlas-key', KEY])
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /error E_USAGE: the config file .*config\.json is not valid JSON/)
      assert.match(r.stderr, /hint: .*config\.json/)
      assert.equal(readFileSync(file, 'utf8'), TRAILING_COMMA)
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME
      else process.env.XDG_CONFIG_HOME = saved
    }
  })
})

describe('a symlinked config file', () => {
  it('config set writes the file the link points at (0600), keeps the link and the other settings', async () => {
    const xdg = join(root, 'linked')
    mkdirSync(join(xdg, 'anyprobe'), {recursive: true})
    const real = join(root, 'dotfiles-anyprobe.json')
    writeFileSync(real, '{"globalping": {"token": "keep-this-token-1234"}}\n', {mode: 0o600})
    const link = join(xdg, 'anyprobe', 'config.json')
    symlinkSync(real, link)
    await saveConfigValue(link, 'atlas', 'key', KEY)
    assert.ok(lstatSync(link).isSymbolicLink())
    assert.equal(readlinkSync(link), real)
    assert.deepEqual(JSON.parse(readFileSync(real, 'utf8')), {globalping: {token: 'keep-this-token-1234'}, atlas: {key: KEY}})
    assert.equal(statSync(real).mode & 0o777, 0o600)
  })
})

describe('a config file that cannot be written', () => {
  it('config set: E_WRITE (exit 10) naming the file, not a crash; the file left as it was', async (t) => {
    const {xdg, file} = home('immutable', '{"globalping": {"token": "keep-this-token-1234"}}\n')
    const d = join(xdg, 'anyprobe')
    // a directory nobody may change (root passes every permission check, so not chmod)
    if (spawnSync('chattr', ['+i', d]).status !== 0) return t.skip('chattr +i is not possible here')
    try {
      const before = readFileSync(file)
      await assert.rejects(saveConfigValue(file, 'atlas', 'key', KEY), (e: Err) => e.code === 'E_WRITE' && e.exitCode === 10 && (e.message ?? '').includes(file) && /left as it was/.test(e.message ?? ''))
      assert.deepEqual(readFileSync(file), before)
    } finally {
      spawnSync('chattr', ['-i', d])
    }
  })
})

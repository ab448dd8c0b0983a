// `anyprobe traec 127.0.0.1`: an unknown command is an E_USAGE error like any other bad usage
// (stderr "error E_USAGE: ..." and a hint naming the closest commands, or the error document with
// --json; exit 2), not oclif's "› Error: command traec:127.0.0.1 not found" with no document.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {closestCommands, unknownCommandError} from '../../src/console/unknown-command.js'
import {EXIT} from '../../src/model/errors.js'
import {editDistance} from '../../src/util/edit-distance.js'
import {ROOT, runCommand, runScript, srcConfig} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const IDS = ['catchment', 'config:set', 'diff', 'dns', 'geohint', 'help', 'http', 'report', 'sites', 'trace', 'watch']

describe('closest commands (pure)', () => {
  it('edit distance counts a swap of two neighbours as one edit', () => {
    assert.equal(editDistance('traec', 'trace'), 1)
    assert.equal(editDistance('kitten', 'sitting'), 3)
    assert.equal(editDistance('', 'dns'), 3)
    assert.equal(editDistance('dns', 'dns'), 0)
  })

  it('typos name the command meant; a prefix names the commands it starts; nonsense names none', () => {
    assert.deepEqual(closestCommands(['traec', '127.0.0.1'], IDS), ['trace'])
    assert.deepEqual(closestCommands(['htp', 'x'], IDS), ['http'])
    assert.deepEqual(closestCommands(['dsn'], IDS), ['dns'])
    assert.deepEqual(closestCommands(['reprot', 'f.json'], IDS), ['report'])
    assert.deepEqual(closestCommands(['config', 'sett', 'x'], IDS), ['config set'])
    assert.deepEqual(closestCommands(['catch'], IDS), ['catchment', 'watch'])
    assert.deepEqual(closestCommands(['xyzzy'], IDS), [])
  })

  it('the error: E_USAGE, exit 2, the closest command and `anyprobe help` in the hint', () => {
    const e = unknownCommandError(['traec', '127.0.0.1'], IDS)
    assert.equal(e.code, 'E_USAGE')
    assert.equal(e.exitCode, EXIT.usage)
    assert.equal(e.message, 'unknown command "traec"')
    assert.equal(e.hint, 'did you mean "anyprobe trace"? "anyprobe help" lists every command')
    assert.match(unknownCommandError(['xyzzy'], IDS).hint!, /"anyprobe help" lists every command: catchment, config set, diff, /)
    assert.equal(unknownCommandError(['\u001b[31mx'], IDS).message, 'unknown command "\\x1b[31mx"')
    const flagFirst = unknownCommandError(['--json'], IDS, 'anyprobe', ['trace', '1.2.3.4'])
    assert.match(flagFirst.message, /"--json" before the command/)
    assert.match(flagFirst.hint!, /"anyprobe trace \.\.\. --json"/)
  })
})

/** Run oclif's main loop from the sources, with the command_not_found hook wired as package.json wires it into the bundle. */
function runCli(argv: string[]): Promise<{status: number | null; stdout: string; stderr: string}> {
  const config = srcConfig() as {root: string; pjson: {oclif: Record<string, unknown>}}
  config.pjson.oclif.hooks = {command_not_found: {target: './src/base-command.ts', identifier: 'commandNotFound'}}
  const code =
    `const {run, handle, flush} = await import('@oclif/core');` +
    `await run(${JSON.stringify(argv)}, ${JSON.stringify(config)}).then(() => flush(), (e) => handle(e))`
  return runScript(code)
}

describe('anyprobe with an unknown command (oclif, from the sources)', () => {
  it('text: "error E_USAGE" and a hint on stderr, nothing on stdout, exit 2', async () => {
    const r = await runCli(['traec', '127.0.0.1'])
    assert.equal(r.status, 2, r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, 'error E_USAGE: unknown command "traec"\nhint: did you mean "anyprobe trace"? "anyprobe help" lists every command\n')
  })

  it('--json anywhere on the line: the error document on stdout (schemas/error.schema.json), exit 2', async () => {
    for (const argv of [['traec', '127.0.0.1', '--json'], ['traec', '--json', '127.0.0.1']]) {
      const r = await runCli(argv)
      assert.equal(r.status, 2, r.stderr)
      assert.equal(r.stderr, '')
      const doc = JSON.parse(r.stdout) as {error: {code: string; hint: string; exitCode: number}}
      assert.deepEqual(schemaErrors('error.schema.json', doc), [])
      assert.equal(doc.error.code, 'E_USAGE')
      assert.equal(doc.error.exitCode, 2)
      assert.match(doc.error.hint, /"anyprobe trace"/)
    }
  })

  it('the built CLI wires the same hook (package.json oclif.hooks -> the bundle\'s commandNotFound)', async (t) => {
    const pjson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {oclif: {hooks: Record<string, unknown>}}
    assert.deepEqual(pjson.oclif.hooks.command_not_found, {target: './dist/anyprobe.bundle.cjs', identifier: 'commandNotFound'})
    assert.match(readFileSync(`${ROOT}src/cli.ts`, 'utf8'), /export \{commandNotFound\} from '\.\/base-command\.js'/)
    if (!existsSync(`${ROOT}dist/anyprobe.bundle.cjs`)) return t.skip('not built (npm run build)')
    const r = await new Promise<{status: number | null; stderr: string}>((resolve) => {
      const child = spawn(process.execPath, [`${ROOT}bin/run.js`, 'traec', '127.0.0.1'], {cwd: ROOT, timeout: 30_000})
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('close', (status) => resolve({status, stderr}))
    })
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /^error E_USAGE: unknown command "traec"\nhint: did you mean "anyprobe trace"\?/)
  })
})

describe('anyprobe help with an unknown command', () => {
  it('help traec: the same E_USAGE error (exit 2); with --json the error document, not a stack trace', async () => {
    const r = await runCommand('help', ['traec'])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /^error E_USAGE: unknown command "traec"\nhint: did you mean "anyprobe trace"\?/)
    const j = await runCommand('help', ['traec', '--json'])
    assert.equal(j.status, 2, j.stderr)
    const doc = JSON.parse(j.stdout) as {error: {code: string}}
    assert.deepEqual(schemaErrors('error.schema.json', doc), [])
    assert.equal(doc.error.code, 'E_USAGE')
  })

  it('help trace --json: the help text, exit 0, and no "undefined" document after it', async () => {
    const r = await runCommand('help', ['trace', '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /Paris-style traceroute/)
    assert.doesNotMatch(r.stdout, /undefined/)
  })
})

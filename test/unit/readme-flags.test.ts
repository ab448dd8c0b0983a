// Every flag a command's --help shows is mentioned in README.md (help listed --exec-concurrency and
// --[no-]progress, which README never named), so a user reading either finds the other.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {ROOT} from '../helpers/cli.js'

/** Every command file (src/commands/*.ts and topic folders), as oclif ids: "trace", "config/set". */
function commandIds(): string[] {
  const dir = join(ROOT, 'src/commands')
  const ids: string[] = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    if (e.isDirectory()) for (const f of readdirSync(join(dir, e.name))) ids.push(`${e.name}/${f.replace(/\.ts$/, '')}`)
    else if (e.name.endsWith('.ts')) ids.push(e.name.replace(/\.ts$/, ''))
  }
  return ids
}

/** README names --NAME, --no-NAME or --[no-]NAME (not as the start of a longer flag). */
function readmeNames(readme: string, flag: string): boolean {
  return new RegExp(`--(?:\\[no-\\]|no-)?${flag.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![\\w-])`).test(readme)
}

test('readmeNames: a flag is not found inside a longer one', () => {
  assert.equal(readmeNames('use `--exec CMD` and `--exec-timeout`', 'exec-concurrency'), false)
  assert.equal(readmeNames('use `--exec-timeout`', 'exec'), false)
  assert.equal(readmeNames('`--[no-]progress`', 'progress'), true)
  assert.equal(readmeNames('`--no-progress`', 'progress'), true)
})

test('every flag --help shows is named in README.md', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const missing: string[] = []
  let seen = 0
  for (const id of commandIds()) {
    const mod = (await import(join(ROOT, 'src/commands', `${id}.ts`))) as {default?: unknown}
    // html-flags.ts is shared flags, not a command
    if (typeof mod.default !== 'function') continue
    const flags = (mod.default as {flags?: Record<string, {hidden?: boolean}>}).flags ?? {}
    for (const [name, f] of Object.entries(flags)) {
      if (f.hidden) continue
      seen++
      if (!readmeNames(readme, name)) missing.push(`${id} --${name}`)
    }
  }
  assert.ok(seen > 100, `only ${seen} flags found: the command list is not being read`)
  assert.deepEqual(missing, [], 'flags in --help that README.md never names')
})

// What --help and a usage error say: each command's --html names only the page that command writes
// (every one listed catchment map, watch timeline and sites map); no description breaks its lines
// mid-sentence (geohint's hard-wrapped source lines showed through oclif's own wrapping); every
// example is a command line with its `$`; `anyprobe report` alone names the missing FILE without
// oclif's note about --location (no --location was given).
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {missingArgsMessage} from '../../src/console/usage-error.js'
import {ROOT, runCommand} from '../helpers/cli.js'

type Cmd = {description?: string; examples?: Array<string | {command: string}>; flags?: Record<string, {description?: string}>}

async function commands(): Promise<Array<[string, Cmd]>> {
  const dir = join(ROOT, 'src/commands')
  const ids: string[] = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    if (e.isDirectory()) for (const f of readdirSync(join(dir, e.name))) ids.push(`${e.name}/${f.replace(/\.ts$/, '')}`)
    else if (e.name.endsWith('.ts') && e.name !== 'html-flags.ts') ids.push(e.name.replace(/\.ts$/, ''))
  }
  return Promise.all(ids.map(async (id) => [id, ((await import(join(dir, `${id}.ts`))) as {default: Cmd}).default] as [string, Cmd]))
}

test('each --html says the page its command writes, and not the other commands\' pages', async () => {
  const all = Object.fromEntries(await commands())
  const html = (id: string): string => all[id]!.flags!.html!.description ?? ''
  const pages = {catchment: /catchment map/, sites: /sites map/, watch: /failover timeline/, diff: /PoP moved/, report: /catchment map.*failover timeline/}
  for (const [id, re] of Object.entries(pages)) assert.match(html(id), re, id)
  assert.doesNotMatch(html('catchment'), /timeline|sites/)
  assert.doesNotMatch(html('sites'), /catchment|timeline/)
  assert.doesNotMatch(html('watch'), /map|sites/)
  assert.doesNotMatch(html('diff'), /timeline|sites/)
  assert.doesNotMatch(html('report'), /sites/)
})

test('no description has a line break inside a paragraph, and every example starts with the command or $', async () => {
  for (const [id, C] of await commands()) {
    for (const para of (C.description ?? '').split(/\n\s*\n/)) {
      // a list (lines starting "- " or "  ") may break its lines; prose may not
      const lines = para.split('\n')
      if (lines.length > 1 && !lines.slice(1).every((l) => /^\s*(-|\d+\.|\s)/.test(l))) assert.fail(`${id}: a paragraph breaks mid-sentence: "${lines[0]!.slice(-40)}" / "${lines[1]!.slice(0, 40)}"`)
    }
    for (const e of C.examples ?? []) {
      const line = typeof e === 'string' ? e : e.command
      assert.ok(line.startsWith('<%= config.bin %>') || line.startsWith('$ '), `${id} example without $: ${line}`)
    }
  }
})

test('missing arguments are named as the usage spells them; the note about a greedy flag only when one was given', () => {
  const args = [{name: 'file', description: 'saved results'}]
  const flags = {location: {type: 'option', multiple: true}, from: {type: 'option', multiple: true, multipleNonGreedy: true}}
  assert.equal(missingArgsMessage({message: 'Missing 1 required arg:\nfile', args, parse: {input: {flags}, output: {raw: []}}}), 'missing argument FILE (saved results)')
  assert.match(missingArgsMessage({message: 'Missing 1 required arg:\nfile', args, parse: {input: {flags}, output: {raw: [{type: 'flag', flag: 'location'}]}}}) ?? '', /--location takes several values and may have read it/)
  // --from takes one value per --from: it cannot have read the argument
  assert.equal(missingArgsMessage({message: 'Missing 1 required arg:\nfile', args, parse: {input: {flags}, output: {raw: [{type: 'flag', flag: 'from'}]}}}), 'missing argument FILE (saved results)')
  assert.equal(missingArgsMessage({message: 'Nonexistent flag: --x'}), null)
})

test('anyprobe report with no arguments: E_USAGE naming FILE, without oclif\'s note about --location', async () => {
  const r = await runCommand('report', [])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /E_USAGE: missing argument FILE \(/)
  assert.doesNotMatch(r.stderr, /Note:|multiple values|--location/)
})

// Imports point down. The folders of src/ are layers; a module may import its own folder and any
// folder of a lower layer (or of its own layer, as long as no two folders import each other, even
// through others). render/ and analysis/ are pure presentation and arithmetic: they import only
// model/, util/ and geo/. Type-only imports count: a type is a dependency too.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** The layers, lowest first. A top-level file of src/ is its own unit, named by its file name. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['model', 'util'], // the types everything shares; small pure helpers
  ['geo'], // place dictionaries
  ['engines', 'enrich', 'infer', 'analysis', 'render'], // probes, names/ASNs, the PoP verdict, catchment/watch arithmetic, text output
  ['store'], // reading and checking records from outside (saved files, child lines)
  ['pipeline', 'vantage', 'watch'], // measuring: one local probe end to end, vantage points, live rounds
  ['base-command.ts', 'console'], // the CLI layer: flags to plans, printing (text, JSON, NDJSON), progress, exit codes
  ['commands'], // oclif commands
  ['cli.ts', 'warm-up.ts', 'bundle-loader.ts', 'index.ts'], // entry points: the command list, the build's warm-up, the library entry
]

/** Folders that may import only these, whatever their layer. */
const ONLY: Readonly<Record<string, readonly string[]>> = {
  render: ['model', 'util', 'geo'],
  analysis: ['model', 'util', 'geo'],
}

const layerOf = new Map<string, number>()
LAYERS.forEach((units, i) => units.forEach((u) => layerOf.set(u, i)))

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** The unit (first path segment under src/) of a file. */
const unitOf = (file: string): string => relative(SRC, file).split('/')[0]!

// static imports and re-exports (`import ... from`, `export ... from`), side-effect imports, import(), require()
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

interface Edge {
  from: string
  to: string
  file: string
  spec: string
}

function edges(): Edge[] {
  const out: Edge[] = []
  for (const file of sources(SRC)) {
    // comments can quote import lines; drop them first
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    for (const m of text.matchAll(SPEC)) {
      const target = resolve(dirname(file), m[1]!)
      if (!target.startsWith(SRC)) continue
      const from = unitOf(file)
      const to = unitOf(target.replace(/\.js$/, '.ts'))
      if (from !== to) out.push({from, to, file: relative(SRC, file), spec: m[1]!})
    }
  }
  return out
}

/** Folder-level cycles (strongly connected components of more than one unit). */
function cycles(es: Edge[]): string[][] {
  const graph = new Map<string, Set<string>>()
  for (const e of es) {
    if (!graph.has(e.from)) graph.set(e.from, new Set())
    graph.get(e.from)!.add(e.to)
  }
  // Tarjan
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = []
      let w: string
      do {
        w = stack.pop()!
        on.delete(w)
        comp.push(w)
      } while (w !== v)
      if (comp.length > 1) found.push(comp.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return found
}

/** Imports that go up a layer, or out of what render/ and analysis/ may import. */
function upward(es: Edge[]): string[] {
  const bad: string[] = []
  for (const e of es) {
    const only = ONLY[e.from]
    if (only && !only.includes(e.to)) bad.push(`${e.file} -> ${e.spec} (${e.from} may import only ${only.join(', ')})`)
    else if ((layerOf.get(e.to) ?? Infinity) > (layerOf.get(e.from) ?? -1)) bad.push(`${e.file} -> ${e.spec} (${e.from} is below ${e.to})`)
  }
  return bad
}

describe('imports point down (src/)', () => {
  const es = edges()

  it('reads the import graph (sanity: it sees the known edges)', () => {
    assert.ok(es.length > 50, `only ${es.length} cross-folder imports found`)
    assert.ok(es.some((e) => e.from === 'commands' && e.to === 'model'))
    assert.ok(es.some((e) => e.from === 'infer' && e.to === 'geo'))
  })

  it('every unit of src/ has a layer', () => {
    const units = new Set(sources(SRC).map(unitOf))
    assert.deepEqual([...units].filter((u) => !layerOf.has(u)), [], 'add the new folder to LAYERS')
  })

  it('no import goes to a higher layer; render/ and analysis/ import only model/, util/, geo/', () => {
    assert.deepEqual(upward(es), [])
  })

  it('pipeline/ imports no renderer: one probe builds its result and its errors, the command renders', () => {
    // (pipeline/dns.ts took dnsNoAnswerError, an error object's builder, from render/dns.ts)
    assert.deepEqual(es.filter((e) => e.from === 'pipeline' && e.to === 'render').map((e) => `${e.file} -> ${e.spec}`), [])
  })

  it('no cycle between folders', () => {
    assert.deepEqual(cycles(es), [])
  })

  it('nothing below the CLI layer writes to stdout or calls process.exit', () => {
    const cli = layerOf.get('base-command.ts')!
    const bad = sources(SRC)
      .filter((f) => (layerOf.get(unitOf(f)) ?? 0) < cli)
      .filter((f) => /process\.stdout|process\.exit\b/.test(readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, '')))
      .map((f) => relative(SRC, f))
    assert.deepEqual(bad, [])
  })

  it('JSON and NDJSON reach stdout one way: only console/output.ts writes to process.stdout', () => {
    const bad = sources(SRC)
      .filter((f) => relative(SRC, f) !== join('console', 'output.ts'))
      .filter((f) => /process\.stdout\.write/.test(readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, '')))
      .map((f) => relative(SRC, f))
    assert.deepEqual(bad, [])
  })

  it('the check can fail: a made-up upward import and a made-up cycle are caught', () => {
    assert.equal(upward([{from: 'model', to: 'commands', file: 'model/x.ts', spec: '../commands/x.js'}]).length, 1)
    assert.equal(upward([{from: 'render', to: 'infer', file: 'render/x.ts', spec: '../infer/x.js'}]).length, 1)
    assert.equal(upward([{from: 'commands', to: 'model', file: 'commands/x.ts', spec: '../model/x.js'}]).length, 0)
    assert.deepEqual(cycles([...es, {from: 'geo', to: 'infer', file: 'geo/x.ts', spec: '../infer/x.js'}]).length > 0, true)
  })
})

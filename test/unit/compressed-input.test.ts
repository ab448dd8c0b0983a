// Compressed inputs (src/util/decompress.ts): `sites --input` and `report` read gzipped files as
// they are kept (detected from the bytes, not the name), --probes too; a gzip file cut short keeps
// what came before the cut and says so (exit 7); bzip2 likewise through the system's bzip2, and
// without one is refused with the command that undoes it.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, it} from 'node:test'

import {execFileSync} from 'node:child_process'

import {bzip2Tool, compressionOf, gunzipBytes, gunzipIfCompressed} from '../../src/util/decompress.js'
import {runCommand} from '../helpers/cli.js'
import {atlasCampaignFiles, SITES_DIR} from '../helpers/sites-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-gz-'))
const table = readFileSync(join(SITES_DIR, 'c-atlas-300.tsv'))

async function collect(source: AsyncIterable<Buffer | string>): Promise<string> {
  let s = ''
  for await (const c of source) s += typeof c === 'string' ? c : c.toString('utf8')
  return s
}

async function* chunks(b: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size)
}

describe('compressed inputs', () => {
  it('gzip and bzip2 are told by their first bytes; plain text passes through unchanged', async () => {
    assert.equal(compressionOf(gzipSync(Buffer.from('x'))), 'gzip')
    assert.equal(compressionOf(Buffer.from('BZh91AY&SY')), 'bzip2')
    assert.equal(compressionOf(Buffer.from('{"BZh": 1}')), null)
    assert.equal(await collect(gunzipIfCompressed(chunks(table))), table.toString('utf8'))
    assert.equal(await collect(gunzipIfCompressed(chunks(gzipSync(table), 97))), table.toString('utf8'))
  })

  it('a gzip stream cut short: the whole lines before the cut (never half a line, which could parse as a wrong number), and the error', async () => {
    const gz = gzipSync(table)
    for (const share of [0.3, 0.5, 0.77, 0.9]) {
      let error: string | null = null
      const got = await collect(gunzipIfCompressed(chunks(gz.subarray(0, Math.floor(gz.length * share))), {error: (m) => (error = m)}))
      assert.ok(got.length > 1000 && table.toString('utf8').startsWith(got), `${got.length} characters, a prefix of the file`)
      assert.ok(got.endsWith('\n'), `ends with a whole line: ...${JSON.stringify(got.slice(-30))}`)
      assert.match(error ?? '', /^gzip: .*the line it cut/)
    }
  })

  it('a one-line JSON document passes as it comes (its reader cuts a broken value itself; holding it would hold the file)', async () => {
    const doc = Buffer.from(JSON.stringify(Array.from({length: 5000}, (_, i) => ({prb_id: i, type: 'ping', min: i / 7}))))
    const gz = gzipSync(doc)
    let error: string | null = null
    const got = await collect(gunzipIfCompressed(chunks(gz.subarray(0, Math.floor(gz.length * 0.8)), 4096), {error: (m) => (error = m)}))
    assert.ok(got.length > doc.length * 0.5 && doc.toString('utf8').startsWith(got), `${got.length} of ${doc.length}`)
    assert.match(error ?? '', /^gzip: /)
  })

  it('sites --input FILE.gz gives what the plain file gives', async () => {
    const gz = join(dir, 'c-atlas-300.tsv.gz')
    writeFileSync(gz, gzipSync(table))
    const a = await runCommand('sites', ['--input', gz, '--json'])
    const b = await runCommand('sites', ['--input', join(SITES_DIR, 'c-atlas-300.tsv'), '--json'])
    assert.equal(a.status, 0, a.stderr)
    assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout))
  })

  it('a gzipped Atlas download with gzipped --probes, for sites and report', async () => {
    const f = atlasCampaignFiles('f-ripe.tsv')
    const results = join(dir, 'ping.json.gz')
    const probes = join(dir, 'probes.json.gz')
    writeFileSync(results, gzipSync(readFileSync(f.results)))
    writeFileSync(probes, gzipSync(readFileSync(f.probes)))
    const a = await runCommand('sites', ['--input', results, '--probes', probes, '--json'])
    const b = await runCommand('sites', ['--input', f.results, '--probes', f.probes, '--json'])
    assert.equal(a.status, 0, a.stderr)
    assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout))
    const r = await runCommand('report', [results, '--probes', probes, '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout) as {vantagePoints: unknown[]}).vantagePoints.length, 276)
  })

  it('sites on a gzip file cut short: the sites of what was read, E_BAD_INPUT naming the compressed file, exit 7', async () => {
    const gz = gzipSync(table)
    const cut = join(dir, 'cut.tsv.gz')
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)))
    const r = await runCommand('sites', ['--input', cut])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stdout, /anycast {5}yes/)
    assert.match(r.stderr, /E_BAD_INPUT/)
    assert.match(r.stderr, /compressed file: gzip: /)
  })

  it('bzip2 with no bzip2 tool on PATH (as RIPE Atlas publishes its probe archive) is refused with what to install or run (exit 2)', async () => {
    const bz = join(dir, 'probes.json.bz2')
    writeFileSync(bz, Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(64, 1)]))
    // the child inherits PATH when it is spawned: a PATH with node and nothing else (node's own
    // directory may hold bzip2, as /usr/bin does)
    const bin = mkdtempSync(join(tmpdir(), 'anyprobe-path-'))
    symlinkSync(process.execPath, join(bin, 'node'))
    const path = process.env.PATH
    process.env.PATH = bin
    const running = runCommand('sites', ['--input', bz])
    process.env.PATH = path
    const r = await running
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /E_BAD_INPUT[^\n]*bzip2-compressed and no bzip2[^\n]*\nhint: install one \(apt install bzip2\)[^\n]*run bunzip2/)
  })

  it('bzip2 on standard input with no tool: the hint says to pipe it through bzcat, not "bzcat standard input"', async () => {
    const {decompressedInput, newStats} = await import('../../src/store/read.js')
    const source = (async function* () {
      yield Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(64, 1)])
    })()
    const path = process.env.PATH
    process.env.PATH = ''
    try {
      await assert.rejects(
        (async () => {
          for await (const _ of decompressedInput(source, newStats(), 'standard input')) void _
        })(),
        (e: unknown) => e instanceof Error && /bzip2-compressed/.test(e.message) && /pipe it through bzcat/.test((e as {hint?: string}).hint ?? '') && !/bzcat standard input/.test((e as {hint?: string}).hint ?? ''),
      )
    } finally {
      process.env.PATH = path
    }
  })

  // Real bzip2 data, made by the system's own bzip2 (RIPE Atlas's dumps are made the same way).
  const tool = bzip2Tool()
  const bzip = (b: Buffer): Buffer => execFileSync(tool!, ['-c'], {input: b})
  it('bzip2 is read through the system tool, streamed: the same text as the plain file, in any chunking', {skip: tool === null ? 'no bzip2 or lbzip2 installed' : false}, async () => {
    assert.equal(await collect(gunzipIfCompressed(chunks(bzip(table), 97))), table.toString('utf8'))
    assert.deepEqual(gunzipBytes(bzip(table)), table)
  })

  it('a bzip2 stream cut short: the whole lines before the cut, and the tool\'s reason', {skip: tool === null ? 'no bzip2 or lbzip2 installed' : false}, async () => {
    // bzip2 gives out whole 900 kB blocks: a file several blocks long, cut in its last block
    const lines = table.toString('utf8').split('\n')
    const big = Buffer.from(Array.from({length: 60_000}, (_, i) => `${i}\t${lines[i % lines.length]}\t${(i * 7919) % 100_003}\n`).join(''))
    const bz = bzip(big)
    let error: string | null = null
    const got = await collect(gunzipIfCompressed(chunks(bz.subarray(0, Math.floor(bz.length * 0.9)), 4096), {error: (m) => (error = m)}))
    assert.ok(got.length > 500_000 && big.toString('utf8').startsWith(got), `${got.length} characters, a prefix of the file`)
    assert.ok(got.endsWith('\n'), 'ends with a whole line')
    assert.match(error ?? '', /^bzip2: /)
  })

  it('sites --input and --probes read bzip2 files as they are, as they read the plain ones', {skip: tool === null ? 'no bzip2 or lbzip2 installed' : false}, async () => {
    const {results, probes} = atlasCampaignFiles()
    const bzResults = join(dir, 'results.json.bz2')
    const bzProbes = join(dir, 'probes.json.bz2')
    writeFileSync(bzResults, bzip(readFileSync(results)))
    writeFileSync(bzProbes, bzip(readFileSync(probes)))
    const plain = await runCommand('sites', ['--input', results, '--probes', probes, '--json'])
    const bz = await runCommand('sites', ['--input', bzResults, '--probes', bzProbes, '--json'])
    assert.equal(bz.status, plain.status, bz.stderr)
    const strip = (o: string): unknown => {
      const d = JSON.parse(o) as Record<string, unknown>
      delete d.input
      delete d.inputNotes
      return d.sites
    }
    assert.ok((JSON.parse(bz.stdout) as {sites: unknown[]}).sites.length > 0)
    assert.deepEqual(strip(bz.stdout), strip(plain.stdout))
  })

  it('a broken bzip2 --probes file says the tool\'s reason (exit 2)', {skip: tool === null ? 'no bzip2 or lbzip2 installed' : false}, async () => {
    const bz = join(dir, 'broken-probes.json.bz2')
    writeFileSync(bz, Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(64, 1)]))
    const {results} = atlasCampaignFiles()
    const r = await runCommand('sites', ['--input', results, '--probes', bz])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /--probes [^\n]*cannot read it \(bzip2: /)
  })
})

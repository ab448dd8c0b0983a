// What report and diff decide from an input's first bytes, and where it comes from: /dev/zero or
// any input that is clearly no text (a NUL byte in its first 4 KiB, UTF-16) is refused at once
// (E_BAD_INPUT, exit 2): it was read as NDJSON with no newline, gigabytes, forever. Text that is
// not JSON (a log line captured with 2>&1, with an ANSI colour code or a Latin-1 byte: the
// review's finding, refused outright for a while) stays NDJSON, one unusable line, and gzip,
// a BOM and JSON whitespace before the first value stay read. `diff -` reads standard input as
// `report -` does. A RIPE Atlas file of sslcert results only says which kind it held.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {gzipSync} from 'node:zlib'

import {AnyprobeError} from '../../src/model/errors.js'
import {newStats, readSaved, type ReportItem} from '../../src/store/read.js'
import {commandScript, ROOT, runCommand} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-input-start-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const file = (name: string, data: Buffer | string): string => {
  const p = join(dir, name)
  writeFileSync(p, data)
  return p
}
const BEFORE = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')
const AFTER = join(ROOT, 'test/fixtures/diff/lab-dns-withdraw-fra.json')

/** a command from the sources with `input` on its standard input (closed after it) */
function runWithStdin(command: string, argv: string[], input: Buffer | string): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript(command, argv)], {cwd: ROOT, timeout: 30_000})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdin.on('error', () => {})
    child.stdin.end(input)
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}

/** an endless source of one byte (what /dev/zero is), stopping the test if it is read past `limit` bytes */
async function* endless(byte: number, limit = 8 << 20): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(64 << 10, byte)
  for (let sent = 0; sent < limit; sent += chunk.length) yield chunk
  throw new Error(`read ${limit} bytes of it: never decided`)
}

async function* each(list: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield* list
}

async function readAll(source: AsyncIterable<Buffer | string> | Array<Buffer | string>) {
  const stats = newStats()
  const items: ReportItem[] = []
  for await (const item of readSaved(Array.isArray(source) ? each(source) : source, stats, {name: 'in.bin'})) items.push(item)
  return {stats, items}
}

describe('report: an input that is no text is refused at its first bytes', () => {
  it('NUL bytes without end (/dev/zero), a NUL in the first 4 KiB, UTF-16 (with or without its mark): E_BAD_INPUT exit 2', async () => {
    await assert.rejects(readAll(endless(0)), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && /in\.bin is not JSON or NDJSON: it begins with the control character U\+0000/.test(e.message))
    const utf16 = (text: string, be: boolean): Buffer => (be ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text, 'utf16le'))
    const ndjson = '{"a":1}\n{"b":2}\n'
    for (const [name, data, what] of [
      ['nul-line', Buffer.from('ELF\x00\x00\x00 binary\n{"a":1}\n'), /holds a NUL byte at character 3: binary data/],
      ['utf16le-bom', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(ndjson, false)]), /it is UTF-16 text \(little-endian, byte-order mark FF FE\)/],
      ['utf16be-bom', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(ndjson, true)]), /it is UTF-16 text \(big-endian, byte-order mark FE FF\)/],
      ['utf16le', utf16(ndjson, false), /UTF-16, not UTF-8/],
      ['utf16be', utf16(ndjson, true), /UTF-16, not UTF-8/],
    ] as const) {
      await assert.rejects(readAll([data]), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && what.test(e.message), name)
    }
    // the hint says how to make it readable
    await assert.rejects(readAll([Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(ndjson, false)])]), (e: unknown) => e instanceof AnyprobeError && /iconv -f UTF-16 -t UTF-8 in\.bin/.test(e.hint ?? ''))
  })

  it('a first line with an ANSI colour code (ESC) or a Latin-1 byte is a log line: counted as unusable, the rest read (exit 7, not refused)', async () => {
    const rest = readFileSync(join(ROOT, 'test/fixtures/diff/lab-trace-withdraw-fra.ndjson'))
    const n = rest.toString('utf8').split('\n').filter((l) => l.trim() !== '').length
    for (const [name, first] of [
      ['esc', Buffer.from('\x1b[33mwarning: x\x1b[0m\n')],
      ['latin1', Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' log line\n')])],
      ['form-feed', Buffer.from('\x0cnot json\n')],
    ] as const) {
      const r = await readAll([Buffer.concat([first, rest])])
      assert.equal(r.stats.format, 'ndjson', name)
      assert.equal(r.stats.unparseable, 1, name)
      assert.equal(r.stats.values, n + 1, name)
      const cli = await runCommand('report', [file(`${name}.ndjson`, Buffer.concat([first, rest]))])
      assert.equal(cli.status, 7, `${name}: ${cli.stderr}`)
      assert.match(cli.stderr, new RegExp(`${name}\\.ndjson: 1 of ${n + 1} values could not be used`), name)
      assert.match(cli.stdout, /ap-vp-/, name)
    }
  })

  it('text, JSON whitespace, a BOM and gzip are read as before', async () => {
    const line = readFileSync(join(ROOT, 'test/fixtures/diff/lab-trace-withdraw-fra.ndjson'), 'utf8')
    const n = line.split('\n').filter((l) => l.trim() !== '').length
    const text = await readAll([`warning: a log line captured with 2>&1\n${line}`])
    assert.equal(text.stats.format, 'ndjson')
    assert.equal(text.stats.unparseable, 1)
    assert.equal(text.stats.values, n + 1)
    for (const input of [`\uFEFF${line}`, ` \t\r\n${line}`]) {
      const r = await readAll([input])
      assert.equal(r.stats.format, 'ndjson')
      assert.equal(r.stats.unparseable, 0)
      assert.equal(r.stats.values, n)
    }
    assert.equal((await readAll([` \n${readFileSync(BEFORE, 'utf8')}`])).stats.format, 'json-document')
  })

  it('anyprobe report /dev/zero: refused at once', async () => {
    const r = await runCommand('report', ['/dev/zero'])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /^error E_BAD_INPUT: \/dev\/zero is not JSON or NDJSON: it begins with the control character U\+0000/m)
    assert.match(r.stderr, /hint: /)
    // a gzipped file is still read (its first bytes are gzip's, decided before)
    const gz = await runCommand('report', [file('before.json.gz', gzipSync(readFileSync(BEFORE)))])
    assert.match(gz.stdout, /ap-vp-ber/)
    assert.doesNotMatch(gz.stderr, /error/)
  })
})

describe('diff -: standard input, as report - reads it', () => {
  it('either side may be -; both cannot', async () => {
    const files = await runCommand('diff', [BEFORE, AFTER, '--json'])
    const before = await runWithStdin('diff', ['-', AFTER, '--json'], readFileSync(BEFORE))
    assert.equal(before.status, files.status, before.stderr)
    assert.equal(before.stderr, '')
    const a = JSON.parse(files.stdout) as {changes: unknown; summary: unknown}
    const b = JSON.parse(before.stdout) as {changes: unknown; summary: unknown}
    assert.deepEqual(b.changes, a.changes)
    assert.deepEqual(b.summary, a.summary)
    // gzipped on standard input, as the after side
    const after = await runWithStdin('diff', [BEFORE, '-', '--json'], gzipSync(readFileSync(AFTER)))
    assert.deepEqual((JSON.parse(after.stdout) as {changes: unknown}).changes, a.changes)
    const both = await runWithStdin('diff', ['-', '-'], '')
    assert.equal(both.status, 2)
    assert.match(both.stderr, /^error E_USAGE: diff - -: standard input holds one catchment/m)
    // nothing usable on standard input names it as such
    const empty = await runWithStdin('diff', ['-', AFTER], '')
    assert.match(empty.stderr, /error E_BAD_INPUT: standard input: no anyprobe or RIPE Atlas result could be read \(it is empty\)/)
  })
})

describe('RIPE Atlas results of a kind that names no site, and nothing else', () => {
  const ssl = (prb: number) => ({af: 4, cert: [], dst_addr: '192.0.2.1', dst_name: 'example.com', dst_port: '443', from: '198.51.100.7', fw: 4790, msm_id: 1443369, prb_id: prb, timestamp: 1700000000, type: 'sslcert', ver: '3.0'})
  const ntp = {msm_id: 1020235, fw: 4661, lts: 76, timestamp: 1418196642, dst_name: 'atlas', prb_id: 71, dst_addr: '192.0.2.2', src_addr: '192.0.2.3', proto: 'UDP', af: 4, from: '198.51.100.8', type: 'ntp', result: [{x: '*'}]}
  it('report and diff name the kind(s) and count, exit 2, instead of "no measurement in it"', async () => {
    const only = file('sslcert.json', JSON.stringify([ssl(1), ssl(2)]))
    const mixed = file('ssl-ntp.json', JSON.stringify([ssl(1), ntp]))
    const r = await runCommand('report', [only])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /error E_BAD_INPUT: .*sslcert\.json holds no measurement anyprobe reads a site from: only RIPE Atlas sslcert results \(2 sslcert\), a kind that carries no sign of which site answered/)
    assert.match(r.stderr, /hint: give RIPE Atlas ping, traceroute, dns or http results/)
    const m = await runCommand('report', [mixed])
    assert.match(m.stderr, /only RIPE Atlas sslcert, ntp results \(1 sslcert, 1 ntp\), kinds that carry/)
    const d = await runCommand('diff', [only, AFTER])
    assert.equal(d.status, 2, d.stderr)
    assert.match(d.stderr, /only RIPE Atlas sslcert results \(2 sslcert\)/)
  })
})

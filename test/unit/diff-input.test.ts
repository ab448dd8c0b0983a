// `anyprobe diff` on the inputs a user really has: gzipped files (read as `report` reads them), files
// cut short (the diff of what was read, then E_BAD_INPUT and exit 7, unless something moved: 8), and
// catchments measured with different methods or targets (a warning; RTT changes not comparable).
// Real lab catchments (test/fixtures/diff), run as a user runs the command.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {gzipSync} from 'node:zlib'

import {diffCatchments, diffExit} from '../../src/analysis/diff.js'
import {comparabilityWarnings} from '../../src/analysis/diff-warnings.js'
import {runCommand, ROOT} from '../helpers/cli.js'
import {sampleCatchment} from '../helpers/html-fixtures.js'
import {schemaErrors} from '../helpers/schema.js'

const FIX = join(ROOT, 'test/fixtures/diff')
const BEFORE = join(FIX, 'lab-dns-before.json')
const AFTER = join(FIX, 'lab-dns-withdraw-fra.json')
const TRACE = join(FIX, 'lab-trace-withdraw-fra.ndjson')
const HTTP = join(FIX, 'lab-http.json')
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-diff-input-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const file = (name: string, data: Buffer | string): string => {
  const p = join(dir, name)
  writeFileSync(p, data)
  return p
}
const codes = (doc: {warnings: Array<{code: string}>}): string[] => doc.warnings.map((w) => w.code)

describe('diff: the rules (pure)', () => {
  const names = {before: 'a.json', after: 'b.json'}
  it('warns when the methods or the targets differ, and only when both files said theirs', () => {
    assert.deepEqual(comparabilityWarnings({target: 't', method: 'dns'}, {target: 't', method: 'dns'}, names), [])
    const m = comparabilityWarnings({target: 't', method: 'dns'}, {target: 't', method: 'trace'}, names)
    assert.deepEqual(m.map((w) => w.code), ['methods-differ'])
    assert.match(m[0]!.message, /dns in a\.json, trace in b\.json.*RTT changes are not comparable across methods/)
    assert.deepEqual(comparabilityWarnings({target: 'x', method: 'dns'}, {target: 'y', method: 'dns'}, names).map((w) => w.code), ['targets-differ'])
    // a name and an address: maybe one service, said as such; a name's case and root dot are no difference
    const na = comparabilityWarnings({target: 'k.root-servers.net', method: 'dns'}, {target: '193.0.14.129', method: 'dns'}, names)
    assert.match(na[0]!.message, /one is a name and the other an address; if the name led to that address it is one service/)
    assert.doesNotMatch(comparabilityWarnings({target: 'x', method: 'dns'}, {target: 'y', method: 'dns'}, names)[0]!.message, /one is a name/)
    assert.doesNotMatch(comparabilityWarnings({target: '198.51.100.10', method: 'dns'}, {target: 'http://198.51.100.10/', method: 'dns'}, names)[0]!.message, /one is a name/)
    assert.deepEqual(comparabilityWarnings({target: 'K.Root-Servers.NET.', method: 'dns'}, {target: 'k.root-servers.net', method: 'dns'}, names), [])
    // a file cut before its document's end said neither: nothing claimed
    assert.deepEqual(comparabilityWarnings({target: 'x', method: 'dns'}, {target: null, method: null}, names), [])
    // a target from the network is sanitised before it is shown
    assert.doesNotMatch(comparabilityWarnings({target: 'x\u001b[31m', method: 'dns'}, {target: 'y', method: 'dns'}, names)[0]!.message, /\u001b/)
  })

  it('diffCatchments: warnings in the document (schema), from what each catchment says of itself', () => {
    const b = {...sampleCatchment(), method: 'trace' as const}
    const d = diffCatchments(sampleCatchment(), b)
    assert.deepEqual(codes(d), ['methods-differ'])
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    // the after file said no method (its catchment's method is null, never a default): no warning
    assert.deepEqual(codes(diffCatchments(sampleCatchment(), {...b, method: null})), [])
    assert.deepEqual(codes(diffCatchments(sampleCatchment(), sampleCatchment())), [])
  })

  it('exit: 8 something changed, outranks 7 a file read in part, outranks 10 the page not written, else 0', () => {
    const moved = {changes: [{}]}
    const none = {changes: []}
    assert.equal(diffExit(moved, {partialInput: true, writeFailed: true}), 8)
    assert.equal(diffExit(none, {partialInput: true, writeFailed: true}), 7)
    assert.equal(diffExit(none, {partialInput: false, writeFailed: true}), 10)
    assert.equal(diffExit(none, {partialInput: false}), 0)
  })
})

describe('anyprobe diff: gzip, cut files, different methods', () => {
  it('reads gzipped catchments as report does: the same diff as of the plain files', async () => {
    const gz = file('after.json.gz', gzipSync(readFileSync(AFTER)))
    const [plain, zipped] = await Promise.all([runCommand('diff', [BEFORE, AFTER]), runCommand('diff', [BEFORE, gz])])
    assert.equal(zipped.status, 8, zipped.stderr)
    assert.equal(zipped.stderr, '')
    assert.match(zipped.stdout, /netns:ap-vp-ber\s+moved\s+FRA .*IAD/)
    assert.equal(zipped.stdout.replace(gz, 'AFTER'), plain.stdout.replace(AFTER, 'AFTER'))
  })

  it('a gzipped file cut short: the diff of what was read, E_BAD_INPUT after it, exit 7; nothing raw on the terminal', async () => {
    const z = gzipSync(readFileSync(BEFORE))
    const cut = file('before-cut.json.gz', z.subarray(0, Math.floor(z.length * 0.7)))
    const r = await runCommand('diff', [BEFORE, cut])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stdout, /^diff of .*before-cut\.json\.gz \([1-3] VPs\)/)
    assert.match(r.stderr, /^error E_BAD_INPUT: .*before-cut\.json\.gz: .*(breaks off|could not be used).*gzip/m)
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/)
  })

  it('a file cut short: the diff of what was read, then E_BAD_INPUT and exit 7; --json stays one valid document saying so', async () => {
    const cut = file('http-cut.json', readFileSync(HTTP).subarray(0, 1500))
    const [t, j] = await Promise.all([runCommand('diff', [HTTP, cut]), runCommand('diff', [HTTP, cut, '--json'])])
    assert.equal(t.status, 7, t.stderr)
    assert.match(t.stdout, /no vantage point changed PoP/)
    assert.match(t.stderr, /^error E_BAD_INPUT: .*http-cut\.json: the input breaks off after 2 values; everything before the break was kept/m)
    assert.match(t.stderr, /hint: the diff above is of the values that could be read/)
    // the cut document lost its target and method: no "different" warning claimed from defaults
    assert.doesNotMatch(t.stderr + t.stdout, /different (methods|targets)/)
    assert.equal(j.status, 7, j.stderr)
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.deepEqual(codes(doc), ['partial-input'])
    assert.match(doc.warnings[0].message, /http-cut\.json: the input breaks off after 2 values/)
    assert.match(j.stderr, /error E_BAD_INPUT/)
  })

  it('a cut file in which a vantage point moved: still 8 (what to alert on), the error still said', async () => {
    // the first row (ap-vp-ber, moved FRA -> IAD) is whole, the rest cut off
    const cut = file('after-cut.json', readFileSync(AFTER).subarray(0, 1200))
    const r = await runCommand('diff', [BEFORE, cut])
    assert.equal(r.status, 8, r.stderr)
    assert.match(r.stdout, /netns:ap-vp-ber\s+moved/)
    assert.match(r.stderr, /error E_BAD_INPUT: .*after-cut\.json/)
  })

  it('dns before, trace after: a warning on stderr and in --json; the RTT changes flagged as not comparable', async () => {
    const [t, j] = await Promise.all([runCommand('diff', [BEFORE, TRACE]), runCommand('diff', [BEFORE, TRACE, '--json'])])
    assert.equal(t.status, 8, t.stderr)
    assert.match(t.stderr, /^warning: different methods: dns in .*lab-dns-before\.json, trace in .*lab-trace-withdraw-fra\.ndjson: .*RTT changes are not comparable across methods/m)
    assert.match(t.stdout, /largest RTT changes at the same PoP \(\d+ of \d+; NOT comparable: dns before, trace after/)
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.deepEqual(codes(doc), ['methods-differ'])
    // dns against http: other methods and other targets
    const h = await runCommand('diff', [BEFORE, HTTP])
    assert.match(h.stderr, /warning: different methods: dns .* http/)
    assert.match(h.stderr, /warning: different targets: 198\.51\.100\.10 in .*, http:\/\/198\.51\.100\.10\/ in /)
  })

  it('--html in a missing directory: refused before the files are read (E_BAD_INPUT, exit 2)', async () => {
    const r = await runCommand('diff', [BEFORE, BEFORE, '--html', join(dir, 'no-such-dir', 'x.html')])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /error E_BAD_INPUT: --html .*x\.html: its directory cannot be written to \(ENOENT\)/)
    assert.equal(r.stdout, '')
  })

  it('--html that passes the check but cannot be written after all (/dev/full): E_WRITE, exit 10 when nothing moved', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full here')
    const r = await runCommand('diff', [BEFORE, BEFORE, '--html', '/dev/full'])
    assert.equal(r.status, 10, r.stderr)
    assert.match(r.stderr, /error E_WRITE: --html \/dev\/full: cannot write \(ENOSPC\)/)
    assert.match(r.stdout, /no vantage point changed PoP/)
  })
})

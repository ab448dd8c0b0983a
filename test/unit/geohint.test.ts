// `anyprobe geohint`: kind detection, the record shape, and the command itself (run in a child
// process through tsx so stdin streaming and stdout are real): NDJSON, one object per input line,
// in order, and no second JSON document at the end.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {detectKind, geohintRecord, readLines, responseRecords} from '../../src/commands/geohint.js'
import {schemaErrors} from '../helpers/schema.js'
import {srcConfig} from '../helpers/cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function runGeohint(args: string[], stdin = ''): {status: number | null; stdout: string; stderr: string} {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/geohint.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('geohint helpers', () => {
  it('detects headers, identities and hostnames', () => {
    assert.equal(detectKind('CF-RAY: 4968f5278537a67d-DUB'), 'header')
    assert.equal(detectKind('colo=FRA'), 'header')
    assert.notEqual(detectKind('2001:db8::1'), 'header')
    assert.notEqual(detectKind('fe80::1'), 'header')
    assert.equal(detectKind('be2815.ccr41.ams03.atlas.cogentco.com'), 'hostname')
    assert.equal(detectKind('res700.fra.rrdns.pch.net'), 'identity')
    assert.equal(detectKind('ns1.jp-tyo.k.ripe.net'), 'identity')
    assert.equal(detectKind('M-CDG-1'), 'identity')
    assert.equal(detectKind('CleanBrowsing v1.6a - dns-edge-newyork1'), 'identity')
  })
  it('a record has the documented shape; missing is null', () => {
    const r = geohintRecord('X-Amz-Cf-Pop: FRA56-P5', 'auto')
    assert.equal(r.schemaVersion, 1)
    assert.equal(r.kind, 'header')
    assert.deepEqual(Object.keys(r.pop!), ['code', 'codeType', 'city', 'country', 'lat', 'lon'])
    assert.equal(r.pop!.code, 'fra')
    assert.ok(r.confidence! > 0.8)
    assert.ok(r.evidence.length >= 1)
    const none = geohintRecord('xe-0-0-1.core1.static.example.net', 'auto')
    assert.equal(none.pop, null)
    assert.equal(none.confidence, null)
    assert.deepEqual(none.evidence, [])
  })
  it('a router name the RTT rules out leaves no verdict but stays visible in the evidence and in rejected', () => {
    const r = geohintRecord('ae1.cr1.sin03.example.net', 'hostname', new Set(), {lat: 50.03, lon: 8.57}, 5)
    assert.equal(r.pop, null)
    assert.ok(r.evidence.some((e) => e.code === 'sin' && /RTT/.test(e.note)), JSON.stringify(r.evidence))
    assert.equal(r.rejected[0]?.code, 'sin')
    assert.match(r.rejected[0]!.reason, /^singapore rejected: 10,\d{3} km from 50\.03,8\.57 needs >= \d+ ms, measured 5 ms$/)
  })
  it('a header naming its own site, too far for the RTT: the site is kept and the vantage location flagged', () => {
    const r = geohintRecord('colo=SIN', 'auto', new Set(), {lat: 50.03, lon: 8.57}, 5)
    assert.equal(r.pop?.code, 'sin')
    assert.equal(r.contradiction?.kind, 'vantage-location')
    assert.equal(r.rejected[0]?.code, 'sin')
  })
  it('--pop-header turns a header into a user signal read with the generic rules', () => {
    const r = geohintRecord('X-Server-Location: fra03', 'auto', new Set(['x-server-location']))
    assert.equal(r.pop?.city, 'Frankfurt am Main')
    assert.equal(r.evidence[0]!.signal, 'user')
  })
  it('sanitises the echoed input', () => {
    const r = geohintRecord('ae1.cr1.fra03.example.net\u001b[2J', 'hostname')
    assert.doesNotMatch(r.input, /\u001b/)
    assert.doesNotMatch(JSON.stringify(r), /\\u001b/)
  })
})

describe('readLines', () => {
  it('splits chunks into lines: CRLF, a line across chunks, UTF-8 split mid-character, no final newline', async () => {
    const euro = Buffer.from('€') // 3 bytes
    async function* chunks(): AsyncGenerator<Buffer> {
      yield Buffer.from('a.fra1.example.net\r\nb.am')
      yield Buffer.concat([Buffer.from('s1.example.net\nx'), euro.subarray(0, 1)])
      yield Buffer.concat([euro.subarray(1), Buffer.from('y\nlast')])
    }
    const got: string[] = []
    for await (const lines of readLines(chunks())) got.push(...lines)
    assert.deepEqual(got, ['a.fra1.example.net', 'b.ams1.example.net', 'x€y', 'last'])
  })
})

describe('geohint command', () => {
  it('--json from stdin: one NDJSON line per input, in order, blank lines skipped, nothing else', () => {
    const lines = ['be2815.ccr41.ams03.atlas.cogentco.com', '', 'CF-RAY: 4968f5278537a67d-DUB', 'u4.sub', 'ns1.jp-tyo.k.ripe.net']
    const r = runGeohint(['--json'], lines.join('\n') + '\n')
    assert.equal(r.status, 0, r.stderr)
    const out = r.stdout.trimEnd().split('\n')
    assert.equal(out.length, 4, r.stdout)
    const recs = out.map((l) => JSON.parse(l))
    assert.deepEqual(
      recs.map((x) => x.input),
      lines.filter(Boolean),
    )
    assert.deepEqual(
      recs.map((x) => x.pop?.code ?? null),
      ['ams', 'dub', null, 'jptyo'],
    )
    for (const x of recs) assert.equal(x.schemaVersion, 1)
  })
  it('arguments and the text table', () => {
    const r = runGeohint(['ae-1.r22.sttlwa01.us.bb.gin.ntt.net', 'ldn-bb2-link.ip.twelve99.net'])
    assert.equal(r.status, 0, r.stderr)
    const out = r.stdout.trimEnd().split('\n')
    assert.match(out[0]!, /^INPUT\s+CODE\s+TYPE\s+CITY\s+COUNTRY\s+CONFIDENCE$/)
    assert.match(out[1]!, /sttlwa01\S*\s+sttlwa\s+clli\s+Seattle\s+US\s+0\.\d\d/)
    assert.match(out[2]!, /ldn\s+operator\s+-\s+-\s+0\.\d\d/)
  })
  it('--vp-location and --rtt rule out far readings', () => {
    const r = runGeohint(['--json', '--vp-location', 'YYZ', '--rtt', '6', 'xe-1.cr1.london1.example.net'])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).pop.country, 'CA')
  })
  it('a line over 8192 characters is cut, said on stderr, and exits 7 (input not fully used), from stdin or an argument', () => {
    const long = `${'a'.repeat(9000)}.fra.example`
    for (const r of [runGeohint(['--json'], `${long}\nae1.cr1.fra03.transit.example\n`), runGeohint(['--json', long, 'ae1.cr1.fra03.transit.example'])]) {
      assert.equal(r.status, 7, r.stderr)
      assert.match(r.stderr, /error E_BAD_INPUT: 1 input line longer than 8192 characters was cut to that length/)
      assert.equal(r.stdout.trimEnd().split('\n').filter((l) => JSON.parse(l).kind !== 'error').length, 2, 'every line is still read')
    }
    // two: the plural and its verb agree (was "1 input line(s) ... were cut")
    assert.match(runGeohint(['--json', long, long]).stderr, /error E_BAD_INPUT: 2 input lines longer than 8192 characters were cut/)
  })
  it('--rtt without --vp-location is a usage error (it rules nothing out alone, and was ignored)', () => {
    const r = runGeohint(['--json', '--rtt', '5', 'x.fra.example'])
    assert.equal(r.status, 2)
    assert.equal(JSON.parse(r.stdout).error.code, 'E_USAGE')
  })
  it('a bad --vp-location is a usage error (exit 2) with a JSON error under --json', () => {
    const r = runGeohint(['--json', '--vp-location', 'nowhere-xyz', 'fra1.example.net'])
    assert.equal(r.status, 2)
    assert.equal(JSON.parse(r.stdout).error.code, 'E_USAGE')
  })
})

// A saved response head as `curl -sI` prints it (CRLF lines, a blank line after each response).
// Shapes: Fastly's "Via: 1.1 varnish" and X-Served-By "cache-{pop}{n}-{POP}", CloudFront's Via
// entry and X-Amz-Cf-Pop (their public docs); CloudFront in front of Fastly appends its Via entry last.
const CF_OVER_FASTLY = [
  'HTTP/2 200',
  'content-type: text/html',
  'x-served-by: cache-iad-kiad7000126-IAD',
  'via: 1.1 varnish',
  'via: 1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront)',
  'x-amz-cf-pop: CDG50-C1',
  '',
].join('\r\n')

describe('geohint --response: a whole response head, one decision', () => {
  it('the Via order decides which CDN is outermost, as for an http result (line by line it cannot)', () => {
    const [rec] = responseRecords(CF_OVER_FASTLY)
    assert.equal(rec!.kind, 'response')
    assert.equal(rec!.input, 'HTTP/2 200')
    assert.equal(rec!.pop?.code, 'cdg') // CloudFront's edge; Fastly's IAD is further in
    assert.match(rec!.evidence.map((e) => e.note).join(' '), /inner proxy/)
    // the other way round: Fastly in front
    const fastlyOut = CF_OVER_FASTLY.replace('via: 1.1 varnish\r\nvia: 1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront)', 'via: 1.1 7b72973d4641bd6bda77655d7cf0cc30.cloudfront.net (CloudFront), 1.1 varnish')
    assert.equal(responseRecords(fastlyOut)[0]!.pop?.code, 'iad')
    assert.deepEqual(schemaErrors('geohint.schema.json', rec), [])
  })
  it('curl -sIL: one record per response of the redirect chain; a dump without a status line is one response', () => {
    const chain = `HTTP/1.1 301 Moved Permanently\r\nServer: cloudflare\r\nCF-RAY: 8a1b2c3d4e5f6789-AMS\r\nLocation: https://example.com/\r\n\r\n${CF_OVER_FASTLY}`
    const recs = responseRecords(chain)
    assert.deepEqual(recs.map((r) => [r.input, r.pop?.code]), [['HTTP/1.1 301 Moved Permanently', 'ams'], ['HTTP/2 200', 'cdg']])
    assert.equal(responseRecords('cf-ray: 8a1b2c3d4e5f6789-FRA\nserver: cloudflare')[0]!.input, 'response of 2 headers')
  })
  it('the command reads stdin as responses with --response, and exits 0', () => {
    const r = runGeohint(['--json', '--response'], CF_OVER_FASTLY)
    assert.equal(r.status, 0, r.stderr)
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(lines.map((l) => [l.kind, l.pop?.code]), [['response', 'cdg']])
  })
})

describe('geohint text: a hint is marked as one', () => {
  // a DNS identity "london-1" and a lone "fra1" stay under 0.5 by design (src/infer/identity.ts);
  // the table printed them as every other row (review finding, as renderPop's one-shot line)
  it('a code under 0.5 gets ? and the table says what ? means; a confident one none', () => {
    const r = runGeohint(['london-1', 'ae-1.r22.sttlwa01.us.bb.gin.ntt.net'])
    assert.equal(r.status, 0, r.stderr)
    const out = r.stdout.trimEnd().split('\n')
    assert.match(out[1]!, /^london-1\s+london\?\s+city\s+London\s+GB\s+0\.48$/)
    assert.match(out[2]!, /\ssttlwa\s+clli\s/)
    assert.equal(out.at(-1), 'a code marked ? was named with confidence under 0.5: a hint, not a verdict (a lone server name such as "fra1" or "london-1" stays under it)')
    const sure = runGeohint(['ae-1.r22.sttlwa01.us.bb.gin.ntt.net'])
    assert.doesNotMatch(sure.stdout, /\?|hint/)
    // JSON unchanged: the confidence says it
    assert.equal(JSON.parse(runGeohint(['--json', 'london-1']).stdout.split('\n')[0]!).pop.code, 'london')
  })
})

// Review finding (audit-cli 6): exit 7 came with no error code or hint, and nothing in --json; and
// --response of input with no response head in it printed an empty table and exited 0.
describe('geohint: input it could not (fully) use is an error with a code and a hint', () => {
  const long = `${'a'.repeat(9000)}.fra.example`
  it('a cut line: error E_BAD_INPUT and a hint on stderr, exit 7; --json ends with the error document', () => {
    const text = runGeohint([long, 'ae1.cr1.fra03.transit.example'])
    assert.equal(text.status, 7, text.stderr)
    assert.match(text.stderr, /^error E_BAD_INPUT: 1 input line longer than 8192 characters was cut to that length/m)
    assert.match(text.stderr, /^hint: \S/m)
    const json = runGeohint(['--json'], `${long}\nae1.cr1.fra03.transit.example\n`)
    assert.equal(json.status, 7, json.stderr)
    const lines = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    assert.equal(lines.length, 3, 'two records, then the error')
    assert.ok(lines.slice(0, 2).every((l) => l.kind !== 'error' && typeof l.input === 'string'), 'the records of what was read come first')
    const last = lines.at(-1)
    assert.equal(last.kind, 'error')
    assert.equal(last.error.code, 'E_BAD_INPUT')
    assert.equal(last.error.exitCode, 7)
    assert.ok(typeof last.error.hint === 'string' && last.error.hint.length > 0)
    for (const l of lines) assert.deepEqual(schemaErrors('geohint.schema.json', l), [])
  })
  it('--response with no response head in the input: E_BAD_INPUT with a hint, exit 7 (was an empty table, exit 0)', () => {
    const text = runGeohint(['--response'], 'garbage\nmore garbage\n')
    assert.equal(text.status, 7, text.stderr)
    assert.match(text.stderr, /^error E_BAD_INPUT: .*no response head/m)
    assert.match(text.stderr, /^hint: .*curl -sI/m)
    const json = runGeohint(['--json', '--response'], 'garbage\n')
    assert.equal(json.status, 7, json.stderr)
    const lines = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    assert.equal(lines.length, 1)
    assert.equal(lines[0].error.code, 'E_BAD_INPUT')
    assert.deepEqual(schemaErrors('geohint.schema.json', lines[0]), [])
    // the same from an argument; and a real response next to garbage is used (exit 0)
    assert.equal(runGeohint(['--response', 'garbage']).status, 7)
    assert.equal(runGeohint(['--response'], `garbage\n${CF_OVER_FASTLY}`).status, 0)
    // no input at all is not bad input
    assert.equal(runGeohint(['--response'], '').status, 0)
  })
})

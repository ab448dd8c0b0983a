// anyprobe report: format detection (NDJSON, JSON array, one pretty document), streaming in any
// chunking, bad input counted and skipped with the rest kept, raw Atlas results refused until the
// Atlas parser exists (and handed to it when it does), and the command end to end: a saved catchment
// reproduces itself exactly, a garbage line exits 7 after printing the catchment of the rest.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {catchment} from '../../src/analysis/catchment.js'
import type {DnsResult} from '../../src/model/dns.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {arrayElementsOf, newStats, readSaved, type ReadOptions, type ReportItem} from '../../src/store/read.js'
import type {VantageOutcome} from '../../src/vantage/types.js'
import {schemaErrors} from '../helpers/schema.js'
import {srcConfig} from '../helpers/cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-report-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const CITY: Record<string, [string, string]> = {fra: ['Frankfurt am Main', 'DE'], iad: ['Washington, D.C.', 'US'], sin: ['Singapore', 'SG']}

function result(id: string, code: string, rtt: number): DnsResult {
  const [city, country] = CITY[code]!
  return {
    schemaVersion: 1, kind: 'dns', target: '198.51.100.10', targetAddr: '198.51.100.10', port: 53, transport: 'udp',
    vantage: {kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null},
    startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'},
    queries: [{qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsidRequested: false, rcode: 'NOERROR', rttMs: rtt, answers: [`s1.${code}.anycast.example`], nsid: null, aa: true, truncated: false, error: null}],
    identity: {hostnameBind: `s1.${code}.anycast.example`, idServer: null, versionBind: null, nsid: null},
    answered: true,
    pop: {code, codeType: 'iata', city, country, lat: null, lon: null, confidence: 0.99, evidence: [{signal: 'dns-identity', input: `s1.${code}.anycast.example`, code, codeType: 'iata', city, country, weight: 0.9, note: ''}], conflicts: []},
  }
}
const outcome = (r: DnsResult): VantageOutcome => ({vantage: r.vantage, result: r, error: null})
const RESULTS = [result('ap-vp-ber', 'fra', 1), result('ap-vp-nyc', 'iad', 1.1), result('ap-vp-tyo', 'sin', 1.2), result('ap-vp-sao', 'iad', 31)]
const FAILED: VantageOutcome = {vantage: {kind: 'ssh', id: 'root@down', name: 'down', asn: null, country: null, lat: null, lon: null}, result: null, error: {code: 'E_VP_CONNECT', message: 'refused', hint: null}}
const LIVE = catchment([...RESULTS.map(outcome), FAILED], {target: '198.51.100.10', method: 'dns'})
const line = (o: VantageOutcome) => JSON.stringify({schemaVersion: 1, kind: 'outcome', method: 'dns', target: '198.51.100.10', ...o})

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text)
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size)
}

async function read(text: string, size = 1 << 16, opts: ReadOptions = {}) {
  const stats = newStats()
  const items: ReportItem[] = []
  for await (const item of readSaved(chunks(text, size), stats, opts)) items.push(item)
  const outcomes = items.filter((i) => i.type === 'outcome').map((i) => (i as {outcome: VantageOutcome}).outcome)
  return {stats, items, outcomes}
}

describe('report: reading saved measurements', () => {
  it('NDJSON with a garbage line in the middle: counted, reported, the rest kept', async () => {
    const text = [line(outcome(RESULTS[0]!)), line(outcome(RESULTS[1]!)), '{"this is": garbage', line(outcome(RESULTS[2]!)), '', line(FAILED)].join('\n') + '\n'
    for (const size of [1, 7, 1 << 16]) {
      const {stats, outcomes} = await read(text, size)
      assert.equal(stats.format, 'ndjson')
      assert.equal(stats.values, 5)
      assert.equal(stats.unparseable, 1)
      assert.equal(stats.errors[0]!.where, 'line 3')
      assert.deepEqual(outcomes.map((o) => o.vantage.id), ['ap-vp-ber', 'ap-vp-nyc', 'ap-vp-tyo', 'root@down'], `chunk size ${size}`)
    }
  })

  it('NDJSON whose first line is garbage is still NDJSON; plain results and whole one-line documents count too', async () => {
    const text = `not json at all\n${JSON.stringify(RESULTS[0])}\n${JSON.stringify(LIVE)}\n{"kind": "geohint"}\n{"error": {"code": "E_RESOLVE", "message": "x"}}\n`
    const {stats, items, outcomes} = await read(text)
    assert.equal(stats.format, 'ndjson')
    assert.equal(stats.unparseable, 3)
    assert.deepEqual(stats.errors.map((e) => e.where), ['line 1', 'line 4', 'line 5'])
    assert.match(stats.errors[2]!.message, /error document \(E_RESOLVE\)/)
    assert.equal(outcomes.length, 1)
    assert.equal(items.filter((i) => i.type === 'row').length, 5)
  })

  it('a pretty-printed multi document streams its outcomes; a catchment document gives its rows', async () => {
    const multi = JSON.stringify({schemaVersion: 1, kind: 'multi', method: 'dns', target: '198.51.100.10', outcomes: [...RESULTS.map(outcome), FAILED]}, null, 2)
    for (const size of [3, 1 << 16]) {
      const m = await read(multi, size)
      assert.equal(m.stats.format, 'json-document')
      assert.equal(m.outcomes.length, 5)
      assert.deepEqual(m.items.find((i) => i.type === 'meta'), {type: 'meta', target: '198.51.100.10', method: 'dns'})
    }
    const c = await read(JSON.stringify(LIVE, null, 2), 5)
    assert.deepEqual(c.items.filter((i) => i.type === 'row').map((i) => (i as {row: unknown}).row), LIVE.vantagePoints)
    const single = await read(JSON.stringify(RESULTS[3], null, 2))
    assert.equal(single.outcomes[0]!.vantage.id, 'ap-vp-sao')
  })

  it('a JSON array: elements one by one, a bad element skipped, a broken end kept up to the break', async () => {
    const tricky = {...RESULTS[0]!, identity: {...RESULTS[0]!.identity, versionBind: 'say \\"hi]}\\" \\\\'}} // quotes, brackets and a backslash inside a string
    const arr = `[\n ${JSON.stringify(tricky)},\n nonsense, "str]ing{" ,\n ${JSON.stringify(outcome(RESULTS[1]!))} ]\n`
    for (const size of [1, 4, 1 << 16]) {
      const a = await read(arr, size)
      assert.equal(a.stats.format, 'json-array')
      assert.deepEqual(a.outcomes.map((o) => o.vantage.id), ['ap-vp-ber', 'ap-vp-nyc'], `chunk size ${size}`)
      assert.equal(a.stats.unparseable, 2)
      assert.equal(a.stats.truncated, false)
    }
    const cut = await read(`[${JSON.stringify(RESULTS[0])}, ${JSON.stringify(RESULTS[1]).slice(0, 100)}`)
    assert.deepEqual(cut.outcomes.map((o) => o.vantage.id), ['ap-vp-ber'])
    assert.equal(cut.stats.truncated, true)
    // the cut element and the missing end are one break: counted once, so "1 of 2 values could not be used" (one was)
    assert.equal(cut.stats.unparseable, 1, 'the cut element, the missing end said with it')
    assert.equal(cut.stats.values, 2)
    assert.ok(cut.stats.errors.some((e) => /the array is not closed/.test(e.message)), JSON.stringify(cut.stats.errors))
    // an array whose elements are whole but whose end is missing: that is the one thing not used
    const open = await read(`[${JSON.stringify(RESULTS[0])}, ${JSON.stringify(RESULTS[1])}`)
    assert.equal(open.stats.truncated, true)
    assert.equal(open.outcomes.length, 2)
  })

  it('a big pretty document is streamed: outcomes already handed on are not kept', () => {
    // in a child with --expose-gc: 20 000 outcomes (~60 MB of JSON) generated on the fly, heap compared after gc
    const script = `
      import {newStats, readSaved} from ${JSON.stringify(ROOT + 'src/store/read.ts')}
      const one = ${JSON.stringify(JSON.stringify(outcome(RESULTS[0]!), null, 2))}
      async function* gen() {
        yield '{"schemaVersion": 1, "kind": "multi", "method": "dns", "target": "t", "outcomes": [\\n'
        for (let i = 0; i < 20000; i++) yield (i ? ',\\n' : '') + one.replace('ap-vp-ber', 'vp-' + i)
        yield ']}\\n'
      }
      globalThis.gc(); const before = process.memoryUsage().heapUsed
      let n = 0; const keep = []; let after = 0
      for await (const item of readSaved(gen(), newStats())) {
        if (item.type !== 'outcome') continue
        n++
        if (n % 5000 === 0) keep.push(item.outcome.vantage.id)
        // measured while reading (at the end everything is garbage anyway)
        if (n === 19000) { globalThis.gc(); after = process.memoryUsage().heapUsed }
      }
      console.log(JSON.stringify({n, keep, grewMB: (after - before) / 1e6}))`
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 120_000})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {n: number; keep: string[]; grewMB: number}
    assert.equal(out.n, 20000)
    assert.deepEqual(out.keep, ['vp-4999', 'vp-9999', 'vp-14999', 'vp-19999'])
    assert.ok(out.grewMB < 20, `heap grew ${out.grewMB.toFixed(1)} MB`)
  })

  it('array elements are cut right at every chunk boundary, whatever the escapes', async () => {
    const values: unknown[] = []
    for (let i = 0; i < 60; i++) values.push({s: '\\'.repeat(i % 5) + '"' + ']}'.repeat(i % 3) + '\\'.repeat(i % 4), n: [i, {x: `"${i}\\`}]}, `str\\"${i}`, i)
    const text = JSON.stringify(values, null, 1)
    for (const size of [1, 2, 3, 5, 8, 13, 64, 1 << 16]) {
      async function* src(): AsyncGenerator<string> {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
      }
      const it = src()[Symbol.asyncIterator]()
      const first = (await it.next()).value as string
      let complete = false
      const got: unknown[] = []
      for await (const els of arrayElementsOf(first, it, (c) => (complete = c))) for (const el of els) got.push(JSON.parse(el))
      assert.equal(complete, true, `chunk size ${size}`)
      assert.deepEqual(got, values, `chunk size ${size}`)
    }
  })

  it('NDJSON followed by a pretty-printed document (cat run.ndjson catchment.json): both read, nothing lost', async () => {
    const ndjson = RESULTS.slice(0, 2).map((r) => JSON.stringify(outcome(r))).join('\n') + '\n'
    const pretty = JSON.stringify({schemaVersion: 1, kind: 'multi', method: 'dns', target: 't', outcomes: RESULTS.slice(2).map(outcome)}, null, 2) + '\n'
    for (const size of [7, 1 << 16]) {
      const r = await read(ndjson + pretty, size)
      assert.equal(r.stats.format, 'ndjson')
      assert.equal(r.stats.unparseable, 0, JSON.stringify(r.stats.errors))
      assert.deepEqual(r.outcomes.map((o) => o.vantage.id), RESULTS.map((x) => x.vantage.id), `chunk size ${size}`)
    }
    // the appended document cut short: what came before is kept, the break said once
    const cut = await read(ndjson + pretty.slice(0, Math.floor(pretty.length / 2)))
    assert.deepEqual(cut.outcomes.map((o) => o.vantage.id), RESULTS.slice(0, 2).map((x) => x.vantage.id))
    assert.equal(cut.stats.unparseable, 1)
    assert.equal(cut.stats.truncated, true)
  })

  it('a document that breaks off keeps the outcomes before the break', async () => {
    const multi = JSON.stringify({schemaVersion: 1, kind: 'multi', method: 'dns', target: 't', outcomes: RESULTS.map(outcome)}, null, 1)
    const r = await read(multi.slice(0, Math.floor(multi.length * 0.6)))
    assert.ok(r.outcomes.length >= 1 && r.outcomes.length < 4)
    assert.equal(r.stats.truncated, true)
    // the break is said (truncated, an error), not counted as a value that could not be used
    assert.equal(r.stats.unparseable, 0)
  })

  it('empty input', async () => {
    const r = await read('  \n\n')
    assert.equal(r.stats.format, 'empty')
    assert.equal(r.items.length, 0)
  })

  it('raw RIPE Atlas results: parsed, counted, enriched per batch', async () => {
    const raw = (prb: number, type = 'ping') => ({fw: 5080, type, prb_id: prb, msm_id: 5001, timestamp: 1700000000, dst_addr: '198.51.100.10'})
    const atlas = JSON.stringify([raw(1001), raw(1002, 'wifi'), raw(1003)])
    const batches: number[] = []
    const fake = {
      parseAtlasResult: ((r: {prb_id: number; type: string}) => r.type === 'wifi'
        ? {status: 'unsupported', meta: {}, outcomes: [], reason: 'wifi results are not measurements of a target'}
        : {status: 'ok', meta: {}, outcomes: [outcome(result(`atlas:${r.prb_id}`, 'fra', 5))], reason: null}) as never,
      enrichAtlasOutcomes: (async (batch: VantageOutcome[]) => {
        batches.push(batch.length)
        return batch.map((o) => ({...o, vantage: {...o.vantage, name: 'enriched'}}))
      }) as never,
    }
    const r = await read(atlas, 3, {loadAtlas: async () => fake})
    assert.deepEqual(r.outcomes.map((o) => [o.vantage.id, o.vantage.name]), [['atlas:1001', 'enriched'], ['atlas:1003', 'enriched']])
    assert.deepEqual(batches, [2])
    // a wifi result is valid and read: counted as a kind with no site signal, not as unparseable
    assert.equal(r.stats.unparseable, 0)
    assert.deepEqual(r.stats.otherKinds, {wifi: 1})
  })

  it('real RIPE Atlas traceroutes (test/fixtures/atlas) through the real parser and enrich step, offline', async () => {
    const {loadAtlasModule} = await import('../../src/vantage/index.js')
    const text = readFileSync(join(ROOT, 'test/fixtures/atlas/results-3606560.json'), 'utf8')
    const r = await read(text, 1000, {loadAtlas: loadAtlasModule})
    assert.equal(r.stats.format, 'json-array')
    assert.equal(r.stats.unparseable, 0, JSON.stringify(r.stats.errors))
    assert.deepEqual(r.outcomes.map((o) => [o.vantage.kind, o.vantage.id, o.result?.kind, o.result?.kind === 'trace' && o.result.destinationReached]), [
      ['atlas', 'atlas:12185', 'trace', true],
      ['atlas', 'atlas:22880', 'trace', true],
    ])
    const c = catchment(r.outcomes)
    assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
    assert.equal(c.target, '194.0.25.10')
  })
})

describe('anyprobe report (the command)', () => {
  function cli(args: string[], input = ''): {status: number | null; stdout: string; stderr: string} {
    const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/report.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, input, encoding: 'utf8', timeout: 60_000})
    return {status: r.status, stdout: r.stdout, stderr: r.stderr}
  }

  it('a saved catchment document reproduces itself exactly', () => {
    const f = join(dir, 'catchment.json')
    writeFileSync(f, JSON.stringify(LIVE, null, 2))
    const r = cli([f, '--json'])
    assert.equal(r.status, 9, r.stderr) // everything read; one vantage point failed: some answered
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    const {input, ...rest} = doc
    assert.deepEqual(rest, LIVE)
    assert.deepEqual(input, {format: 'json-document', values: 5, unparseable: 0, truncated: false, errors: [], otherKinds: {}, repaired: 0, notes: []})
  })

  it('NDJSON outcomes on stdin give the live catchment', () => {
    const r = cli(['-', '--json'], [FAILED, ...RESULTS.map(outcome)].map(line).join('\n'))
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(doc.vantagePoints, LIVE.vantagePoints)
    assert.deepEqual(doc.pops, LIVE.pops)
  })

  it('a garbage line: the catchment of the rest on stdout, E_BAD_INPUT with the count on stderr, exit 7', () => {
    const f = join(dir, 'garbage.ndjson')
    writeFileSync(f, [line(outcome(RESULTS[0]!)), 'garbage', line(outcome(RESULTS[1]!))].join('\n'))
    const r = cli([f])
    assert.equal(r.status, 7)
    assert.match(r.stdout, /catchment of 198\.51\.100\.10 by dns from 2 vantage points/)
    assert.match(r.stderr, /^error E_BAD_INPUT: .*garbage\.ndjson: 1 of 3 values could not be used; first at line 2: /m)
    assert.match(r.stderr, /^hint: /m)
    const j = cli([f, '--json'])
    assert.equal(j.status, 7)
    assert.equal(JSON.parse(j.stdout).input.unparseable, 1)
  })

  it('nothing usable is E_BAD_INPUT exit 7; a missing file is E_BAD_INPUT exit 2', () => {
    const f = join(dir, 'junk.txt')
    writeFileSync(f, 'hello\nworld\n')
    const r = cli([f])
    assert.equal(r.status, 7)
    assert.match(r.stderr, /error E_BAD_INPUT: .*no anyprobe or RIPE Atlas result could be read \(line 1: /)
    const m = cli([join(dir, 'missing.json')])
    assert.equal(m.status, 2)
    assert.match(m.stderr, /error E_BAD_INPUT: cannot read .*missing\.json: ENOENT/)
  })
})

describe('readSaved checks every record against the model (src/store/validate.ts)', () => {
  const vp = (id: string) => ({kind: 'local', id, name: null, asn: null, country: null, lat: null, lon: null})
  const good = (id: string) => ({vantage: vp(id), result: {schemaVersion: 1, kind: 'ping', target: 'x', targetAddr: null, family: 4, vantage: vp(id), startedAt: '', sent: 1, received: 1, rttMs: [3], minMs: 3, avgMs: 3, maxMs: 3, pop: null}, error: null})
  it('an invalid record is counted with its line, never a crash; the rest is kept', async () => {
    const lines = [
      JSON.stringify(good('a')),
      '{"kind":"trace","schemaVersion":1}',
      JSON.stringify({kind: 'trace', schemaVersion: 1, vantage: vp('b'), target: 't'}),
      JSON.stringify({kind: 'http', schemaVersion: 1, vantage: vp('c'), target: 't', pop: {code: 5}}),
      JSON.stringify({vantage: vp('d'), result: {kind: 'dns', schemaVersion: 1, vantage: vp('d')}, error: null}),
      JSON.stringify({...good('e'), result: {...good('e').result, pop: {code: 'fra\u001b[31m', confidence: 0.5, city: null, country: null, evidence: [], conflicts: []}}}),
    ]
    const r = await read(lines.join('\n') + '\n', 7)
    assert.deepEqual(r.outcomes.map((o) => o.vantage.id), ['a', 'e'])
    assert.equal(r.stats.unparseable, 4)
    assert.deepEqual(r.stats.errors.map((e) => e.where), ['line 2', 'line 3', 'line 4', 'line 5'])
    assert.equal(r.outcomes[1]!.result!.pop!.code, 'fra\\x1b[31m', 'text is sanitised by the reader')
  })
  it('a multi document with a broken outcome keeps the others and counts that one', async () => {
    const doc = JSON.stringify({schemaVersion: 1, kind: 'multi', method: 'ping', target: 'x', outcomes: [good('a'), {vantage: vp('z'), result: {kind: 'ping', schemaVersion: 1}, error: null}, good('b')]}, null, 2)
    const r = await read(doc, 50)
    assert.deepEqual(r.outcomes.map((o) => o.vantage.id), ['a', 'b'])
    assert.equal(r.stats.unparseable, 1)
  })
})

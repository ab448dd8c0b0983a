// RTTs no measurement gives, read from saved files (the audit's finding: a catchment document with
// rttMs -5 and 1e308 printed -5.00 and 1e+308 and a PoP median of Infinity; a watch --out line with
// "rttMs": -100 printed `rtt 0.6 ms -> -100 ms`). One rule (model/rtt.ts impossibleRtt: not finite,
// < 0, over an hour), the one sites --input counts impossibleRtt by (sites adds 0: no disc of radius
// 0; 0 ms is a real reading elsewhere, Globalping's whole milliseconds): report and diff keep the
// value (its PoP, its answer), drop the RTT, and say which file held how many. Real lab catchments
// (test/fixtures/diff), run as a user runs the commands.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {cleanObservations} from '../../src/analysis/sites/clean.js'
import {impossibleRtt, MAX_RTT_MS} from '../../src/model/rtt.js'
import {newStats, readSaved, type ReportItem} from '../../src/store/read.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-impossible-rtt-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const file = (name: string, data: string): string => {
  const p = join(dir, name)
  writeFileSync(p, data)
  return p
}
const BEFORE = join(ROOT, 'test/fixtures/diff/lab-dns-before.json')
const AFTER = join(ROOT, 'test/fixtures/diff/lab-dns-withdraw-fra.json')

interface Row {vantage: {id: string}; rttMs: number | null; pop: {code: string} | null; reached: boolean | null}
interface Doc {vantagePoints: Row[]; pops: Array<{code: string; medianRttMs: number | null}>; input: {notes: string[]}}

/** the lab catchment with the RTTs of its first three rows replaced by these texts (1e400 reads as Infinity) */
function broken(rtts: string[]): string {
  const doc = JSON.parse(readFileSync(BEFORE, 'utf8')) as {vantagePoints: Array<{rttMs: unknown}>}
  rtts.forEach((_, i) => (doc.vantagePoints[i]!.rttMs = `@RTT${i}@`))
  let text = JSON.stringify(doc, null, 2)
  rtts.forEach((r, i) => (text = text.replace(`"@RTT${i}@"`, r)))
  return text
}

describe('the rule', () => {
  it('impossible: not finite, below zero, over an hour; a slow, tiny or 0 ms real RTT (Globalping rounds to whole ms) is not', () => {
    for (const x of [-5, -0.001, Number.NaN, Number.POSITIVE_INFINITY, 1e308, MAX_RTT_MS + 1]) assert.equal(impossibleRtt(x), true, String(x))
    for (const x of [0, 0.001, 0.6, 600, 45_000, MAX_RTT_MS]) assert.equal(impossibleRtt(x), false, String(x))
  })

  it('report of a catchment row with rttMs 0: read as 0.00, no warning; sites still leaves a 0 out as impossibleRtt (no disc of radius 0)', async () => {
    const f = file('catchment-zero-rtt.json', broken(['0']))
    const r = await runCommand('report', [f, '--json'])
    const doc = JSON.parse(r.stdout) as Doc
    assert.equal(doc.vantagePoints[0]!.rttMs, 0)
    assert.doesNotMatch(r.stderr, /impossible/)
    assert.doesNotMatch(doc.input.notes.join('\n'), /impossible/)
    const text = await runCommand('report', [f])
    assert.match(text.stdout, /\b0\.00\b/)
    assert.doesNotMatch(text.stderr, /impossible/)
    const c = cleanObservations([
      {vp: 'a', lat: 50.1, lon: 8.7, rttMs: 0, identity: null},
      {vp: 'b', lat: 50.1, lon: 8.7, rttMs: 3, identity: null},
    ])
    assert.equal(c.excluded.impossibleRtt, 1)
    assert.deepEqual(c.discs.map((d) => d.vp), ['b'])
  })

  it('sites counts an RTT over the bound as impossible, by the same rule', () => {
    const r = cleanObservations([
      {vp: 'a', lat: 50.1, lon: 8.7, rttMs: 1e308, identity: null},
      {vp: 'b', lat: 50.1, lon: 8.7, rttMs: -5, identity: null},
      {vp: 'c', lat: 50.1, lon: 8.7, rttMs: 3, identity: null},
    ])
    assert.equal(r.excluded.impossibleRtt, 2)
    assert.deepEqual(r.discs.map((d) => d.vp), ['c'])
  })
  it('sites --input of a catchment with such RTTs (and a 0): still counted there as impossibleRtt (the reader keeps them for it), never as no RTT', async () => {
    const doc = JSON.parse(broken(['-5', '1e400', '0'])) as {vantagePoints: Array<{vantage: {lat: number | null; lon: number | null}}>}
    doc.vantagePoints.forEach((v, i) => Object.assign(v.vantage, {lat: 50.1 + i, lon: 8.7 + i}))
    // JSON.stringify writes Infinity as null: the 1e400 is put back by hand
    const f = file('sites-bad-rtt.json', JSON.stringify(doc).replace('"rttMs":null', '"rttMs":1e400'))
    const r = await runCommand('sites', ['--input', f, '--json'])
    const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {excluded: {impossibleRtt: number; noRtt: number}}
    assert.deepEqual([out.excluded.impossibleRtt, out.excluded.noRtt], [3, 0], r.stderr)
  })
})

describe('report: a saved catchment document', () => {
  it('rows with rttMs -5, 1e308 and 1e400: kept with their PoPs, RTT dropped, never printed, no median of them; a warning names the file and the count', async () => {
    const f = file('catchment-bad-rtt.json', broken(['-5', '1e308', '1e400']))
    const text = await runCommand('report', [f])
    assert.doesNotMatch(text.stdout, /-5\.00|1e\+308|Infinity/)
    assert.match(text.stderr, /warning: .*catchment-bad-rtt\.json: 3 impossible RTTs left out \(negative, not a finite number, or over an hour/)
    const j = await runCommand('report', [f, '--json'])
    const doc = JSON.parse(j.stdout) as Doc
    const want = JSON.parse(readFileSync(BEFORE, 'utf8')) as Doc
    // every vantage point is still there, with its PoP and reach; only the three RTTs are gone
    assert.deepEqual(doc.vantagePoints.map((r) => [r.vantage.id, r.pop?.code ?? null, r.reached]), want.vantagePoints.map((r) => [r.vantage.id, r.pop?.code ?? null, r.reached]))
    assert.deepEqual(doc.vantagePoints.map((r) => r.rttMs), [null, null, null, want.vantagePoints[3]!.rttMs])
    for (const p of doc.pops) assert.ok(p.medianRttMs === null || (p.medianRttMs > 0 && Number.isFinite(p.medianRttMs)), JSON.stringify(p))
    assert.match(doc.input.notes.join('\n'), /3 impossible RTTs left out/)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(j.status, text.status)
  })

  it('a saved result (NDJSON outcome) with a negative DNS RTT: the result is read, its RTT is not', async () => {
    // one DNS outcome: a query answered at -2 ms
    const dns = {schemaVersion: 1, kind: 'outcome', method: 'dns', target: '198.51.100.10', vantage: {kind: 'netns', id: 'ap-vp-x', name: 'ap-vp-x', asn: null, country: null, lat: null, lon: null}, error: null, result: {schemaVersion: 1, kind: 'dns', target: '198.51.100.10', targetAddr: '198.51.100.10', port: 53, transport: 'udp', vantage: {kind: 'netns', id: 'ap-vp-x', name: 'ap-vp-x', asn: null, country: null, lat: null, lon: null}, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'}, queries: [{qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsidRequested: false, rcode: 'NOERROR', rttMs: -2, answers: ['s1.fra.anycast.example'], nsid: null, aa: true, truncated: false, error: null}], identity: {hostnameBind: 's1.fra.anycast.example', idServer: null, versionBind: null, nsid: null}, answered: true, pop: null}}
    const stats = newStats()
    const items: ReportItem[] = []
    async function* src(): AsyncGenerator<string> {
      yield JSON.stringify(dns) + '\n'
    }
    for await (const it of readSaved(src(), stats)) items.push(it)
    const o = items.find((i) => i.type === 'outcome')
    assert.ok(o !== undefined && o.type === 'outcome' && o.outcome.result?.kind === 'dns')
    assert.equal(o.outcome.result.queries[0]!.rttMs, null)
    assert.equal(o.outcome.result.identity.hostnameBind, 's1.fra.anycast.example')
    assert.equal(stats.impossibleRtts, 1)
    assert.equal(stats.unparseable, 0)
  })
})

describe('report: a watch --out file', () => {
  it('"rttMs": -100 is never printed as an RTT; the observations still count as answered; said with the file and count', async () => {
    const T0 = Date.parse('2026-12-07T02:08:05.000Z')
    const lines = [JSON.stringify({schemaVersion: 1, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns', intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2})]
    for (let r = 0; r < 10; r++) lines.push(JSON.stringify({vantageId: 'ap-vp-ber', round: r, flow: 0, sentAt: T0 + r * 100, receivedAt: T0 + r * 100 + 5, rttMs: r < 5 ? 0.6 : r < 9 ? -100 : 1e400, pop: r < 5 ? 'FRA' : 'IAD', answered: true}))
    // 1e400 is not JSON.stringify's: written by hand
    const f = file('watch-bad-rtt.ndjson', lines.join('\n').replace('"rttMs":null', '"rttMs":1e400') + '\n')
    const r = await runCommand('report', [f])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /shift FRA -> IAD/)
    assert.doesNotMatch(r.stdout, /-100|Infinity|1e\+/)
    assert.match(r.stdout, /10 answered, 0 lost/)
    assert.match(r.stderr, /warning: .*watch-bad-rtt\.ndjson: 5 impossible RTTs left out/)
  })
})

describe('diff', () => {
  it('an impossible RTT in either file: no RTT change or median of it, an impossible-rtt warning (schema), the vantage points compared all the same', async () => {
    const f = file('before-bad-rtt.json', broken(['-5', '1e308']))
    const plain = JSON.parse((await runCommand('diff', [BEFORE, AFTER, '--json'])).stdout) as {changes: unknown; rtt: Array<{vantageId: string}>}
    const r = await runCommand('diff', [f, AFTER, '--json'])
    const d = JSON.parse(r.stdout) as {changes: Array<{rttBeforeMs: number | null}>; rtt: Array<{vantageId: string; beforeMs: number; deltaMs: number}>; pops: Array<{medianRttBeforeMs: number | null}>; warnings: Array<{code: string; message: string}>}
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    assert.equal(JSON.stringify(d.changes.map((c) => ({...c, rttBeforeMs: null}))), JSON.stringify((plain.changes as typeof d.changes).map((c) => ({...c, rttBeforeMs: null}))))
    for (const x of d.rtt) assert.ok(x.beforeMs > 0 && x.beforeMs < 1e6 && Number.isFinite(x.deltaMs), JSON.stringify(x))
    for (const p of d.pops) assert.ok(p.medianRttBeforeMs === null || (p.medianRttBeforeMs > 0 && p.medianRttBeforeMs < 1e6), JSON.stringify(p))
    const w = d.warnings.filter((x) => x.code === 'impossible-rtt')
    assert.equal(w.length, 1)
    assert.match(w[0]!.message, /before-bad-rtt\.json: 2 impossible RTTs left out/)
    const text = await runCommand('diff', [f, AFTER])
    assert.doesNotMatch(text.stdout, /-5\.0|1e\+308|Infinity/)
    assert.match(text.stderr, /warning: .*before-bad-rtt\.json: 2 impossible RTTs left out/)
    assert.equal(text.status, r.status)
  })
})

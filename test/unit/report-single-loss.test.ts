// report and diff of a periodic RIPE Atlas DNS measurement (hostname.bind to K-root every 240 s):
// a probe whose latest result was a single timeout after answers read "not reached" (report exit 9)
// and diff paged it as "lost" (exit 8). One lost query is packet loss, not an outage (watch's rule,
// outageAfter 2): the last answered result counts, said in a note (report: stderr and input.notes;
// diff: a single-loss warning). Results are built here in the public RIPE Atlas "dns" result
// format: an answer with its abuf (made with dns-packet), a timeout as {"error": {"timeout": 5000}}
// with dst_addr and no "result" (the shape of test/fixtures/atlas/results-dns-mixed.json's probe
// 2960 result, corpus sagan-dns-009).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import Diff from '../../src/commands/diff.js'
import Report from '../../src/commands/report.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-single-loss-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T00:00:00Z') / 1000
const base = (prb: number, round: number) => ({fw: 5080, lts: 20, af: 4, dst_addr: '193.0.14.129', dst_name: '193.0.14.129', from: `203.0.113.${prb % 250}`, msm_id: 10001, prb_id: prb, proto: 'UDP', src_addr: '192.168.1.10', timestamp: T0 + round * 240, type: 'dns'})
/** probe `prb`'s answer in round `round`: the K-root node named, rt ms */
function answer(prb: number, round: number, node: string, rt: number): Record<string, unknown> {
  const abuf = dnsPacket
    .encode({type: 'response', id: prb, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: node}]})
    .toString('base64')
  return {...base(prb, round), result: {ANCOUNT: 1, ARCOUNT: 0, ID: prb, NSCOUNT: 0, QDCOUNT: 1, rt, size: 80, abuf}}
}
/** probe `prb`'s query in round `round` timed out */
const timeout = (prb: number, round: number): Record<string, unknown> => ({...base(prb, round), error: {timeout: 5000}})

const AMS = 'ns1.nl-ams.k.ripe.net'
const FRA = 'ns2.de-fra.k.ripe.net'
const write = (name: string, results: unknown[]): string => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(results))
  return p
}
const iso = (round: number): string => new Date((T0 + round * 240) * 1000).toISOString()
type Row = {vantage: {id: string}; pop: {code: string} | null; rttMs: number | null; reached: boolean | null; startedAt: string; unansweredAfter?: number}
const row = (doc: {vantagePoints: Row[]}, id: number): Row => doc.vantagePoints.find((r) => r.vantage.id === `atlas:${id}`)!

// rounds 0..2; probe 6001's last query timed out (once), 6002 answered throughout
const oneLoss = [answer(6001, 0, AMS, 6.5), answer(6002, 0, FRA, 11), answer(6001, 1, AMS, 5.25), answer(6002, 1, FRA, 12), timeout(6001, 2), answer(6002, 2, FRA, 10.5)]
// and probe 6003: two timeouts in a row after its answer (an outage), 6004: never answered
const outage = [...oneLoss, answer(6003, 0, FRA, 20), timeout(6003, 1), timeout(6003, 2), timeout(6004, 0), timeout(6004, 1)]

describe('report of a periodic RIPE Atlas DNS measurement', () => {
  it('a probe whose latest query timed out once counts with its latest answer: exit 0, the note said (stderr, input.notes)', async () => {
    const f = write('one-loss.json', oneLoss)
    const r = await runCommand('report', [f, '--json'])
    assert.equal(r.status, 0, `one lost query read as "not reached" (exit 9): ${r.stderr}`)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    const p = row(doc, 6001)
    assert.deepEqual([p.reached, p.pop?.code, p.rttMs, p.startedAt, p.unansweredAfter], [true, 'nlams', 5.25, iso(1), 1])
    assert.equal(row(doc, 6002).unansweredAfter, undefined)
    assert.deepEqual(doc.summary, {vantagePoints: 2, measured: 2, located: 2, unlocated: 0, failed: 0})
    const note = /^1 vantage point's latest result was not answered, after answers: one loss is not an outage \(two in a row are, as watch counts them\)/
    assert.equal(doc.input.notes.filter((n: string) => note.test(n)).length, 1, doc.input.notes.join('\n'))
    assert.match(r.stderr, /warning: 1 vantage point's latest result was not answered, after answers: one loss is not an outage/)
    // the text table shows the answered result's PoP
    const text = await runCommand('report', [f])
    assert.match(text.stdout, /atlas:6001 .*NLAMS/)
  })

  it('two timeouts in a row, or none answered: not reached as before (exit 9); only the single loss is counted in the note', async () => {
    const r = await runCommand('report', [write('outage.json', outage), '--json'])
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.deepEqual(((x) => [x.reached, x.pop, x.startedAt])(row(doc, 6003)), [false, null, iso(2)])
    assert.deepEqual(((x) => [x.reached, x.startedAt])(row(doc, 6004)), [false, iso(1)])
    assert.equal(row(doc, 6001).pop?.code, 'nlams')
    assert.deepEqual(doc.input.notes.filter((n: string) => /latest result was not answered/.test(n)).map((n: string) => n.slice(0, 16)), ['1 vantage point\''])
  })

  it('a saved report --json read again: the answered row stays, the note is said once (its saved notes)', async () => {
    const r = await runCommand('report', [write('one-loss-2.json', oneLoss), '--json'])
    const saved = join(dir, 'saved-report.json')
    writeFileSync(saved, r.stdout)
    const again = await runCommand('report', [saved, '--json'])
    assert.equal(again.status, 0, again.stderr)
    const doc = JSON.parse(again.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.deepEqual(((x) => [x.reached, x.pop?.code, x.startedAt, x.unansweredAfter])(row(doc, 6001)), [true, 'nlams', iso(1), 1])
    assert.equal(doc.input.notes.filter((n: string) => /latest result was not answered/.test(n)).length, 1, doc.input.notes.join('\n'))
  })
})

describe('diff of two downloads of a periodic RIPE Atlas DNS measurement', () => {
  const before = write('before.json', oneLoss.slice(0, 4))

  it('a probe whose latest query timed out once did not lose its PoP: exit 0, a single-loss warning (stderr, --json)', async () => {
    const r = await runCommand('diff', [before, write('after-one-loss.json', oneLoss), '--json'])
    assert.equal(r.status, 0, `one lost query paged as a lost PoP (exit 8): ${r.stdout}`)
    const d = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    assert.equal(d.changes.length, 0)
    const w = d.warnings.filter((x: {code: string}) => x.code === 'single-loss')
    assert.equal(w.length, 1)
    assert.match(w[0].message, /after-one-loss\.json: 1 vantage point's latest result was not answered, after answers: one loss is not an outage \(two in a row are/)
    assert.match(r.stderr, /warning: .*after-one-loss\.json: 1 vantage point's latest result was not answered/)
  })

  it('two timeouts in a row after the answers: lost (exit 8, not-reached), no single-loss warning', async () => {
    const after2 = write('after-outage.json', [...oneLoss.slice(0, 4), timeout(6001, 2), answer(6002, 2, FRA, 10.5), timeout(6001, 3)])
    const r = await runCommand('diff', [before, after2, '--json'])
    assert.equal(r.status, 8, r.stderr)
    const d = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    assert.deepEqual(d.changes.map((c: {type: string; toState: string; vantage: {id: string}}) => [c.vantage.id, c.type, c.toState]), [['atlas:6001', 'lost', 'not-reached']])
    assert.equal(d.warnings.filter((x: {code: string}) => x.code === 'single-loss').length, 0)
  })
})

describe('the rule is said where users read it', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ')
  it('README: report/catchment rules, the robustness list, and diff\'s exit 8 text', () => {
    assert.match(readme, /One unanswered result after answered ones is packet loss, not an outage \(the rule `watch` judges by: two unanswered in a row are an outage\)/)
    assert.match(readme, /counts with its latest answered result \(its PoP, RTT and `startedAt`; the row's `unansweredAfter` says 1\)/)
    assert.match(readme, /8 when at least one moved, lost or found its PoP\*\* \(what to alert on; `uncertain` rows alone exit 0; a vantage point whose latest result in a file of repeated results was one unanswered query after answers did not lose its PoP: one loss is not an outage, two in a row are, said in a `single-loss` warning\)/)
    assert.match(readme, /a repeated Atlas probe counts with its latest result, failure included \(one unanswered result after answers is packet loss/)
  })
  it('report --help and diff --help (the commands\' descriptions)', () => {
    assert.match(Report.description.replace(/\s+/g, ' '), /one unanswered result after answered ones is packet loss, not an outage \(two in a row are, as watch counts them\)/)
    assert.match(Diff.description.replace(/\s+/g, ' '), /did not lose its PoP: one loss is not an outage, two in a row are, said in a "single-loss" warning/)
  })
})

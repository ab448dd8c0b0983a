// One service measured by several methods in one file: a RIPE Atlas download holding a DNS
// (hostname.bind) measurement and a ping of the same target (users fetch both and `cat` / `jq -s`
// them; RIPE Atlas's own "anchoring" measurements of a target are a ping, a traceroute, an HTTP and
// a DNS one of the same address), or anyprobe's own trace --ndjson beside a ping outcome. A ping
// names no site: before, the later ping's row replaced the PoP the DNS identity or the trace had
// named (the row became "unknown, rtt only"), and `diff` reported the vantage point as "lost".
// Rule (analysis/catchment.ts): of each method's latest result, the one that named a PoP counts,
// else one the target answered, else the latest; a failure later than every result counts.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {CatchmentBuilder, type CatchmentVantagePoint} from '../../src/analysis/catchment.js'
import type {VantageOutcome} from '../../src/model/probe.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-methods-'))
after(() => rmSync(dir, {recursive: true, force: true}))

// real result: probe 6036's hostname.bind to K-root, ns1.fi-hel.k.ripe.net (corpus sagan-dns-046)
const dns = JSON.parse(readFileSync('test/fixtures/atlas/results-1423386.json', 'utf8')) as Array<Record<string, unknown>>
/** a ping of the same target from the same probe, shape of the RIPE Atlas "ping" result format (fw 4700) */
const ping = (timestamp: number, rtts: number[]): Record<string, unknown> => ({
  af: 4, avg: rtts.length ? rtts.reduce((a, b) => a + b, 0) / rtts.length : -1, dst_addr: '193.0.14.129', dst_name: '193.0.14.129', dup: 0, from: '62.237.82.14', fw: 4700, lts: 15,
  max: rtts.length ? Math.max(...rtts) : -1, min: rtts.length ? Math.min(...rtts) : -1, msm_id: 1001, prb_id: 6036, proto: 'ICMP', rcvd: rtts.length, sent: 3, size: 48,
  src_addr: '62.237.82.14', step: 240, timestamp, ttl: 58, type: 'ping', result: rtts.length ? rtts.map((rtt) => ({rtt})) : [{x: '*'}, {x: '*'}, {x: '*'}],
})
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

describe('report: a vantage point measured by several methods keeps the verdict it had', () => {
  it('an Atlas DNS identity then a later ping of the same target: the row keeps FIHEL and the DNS RTT, the ping is said as left out', async () => {
    const f = file('dns-ping.json', JSON.stringify([...dns, ping(1442845300, [1.2, 1.5, 1.9])]))
    const r = await runCommand('report', [f, '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.method, 'mixed')
    assert.equal(doc.vantagePoints.length, 1)
    const row = doc.vantagePoints[0]
    assert.equal(row.pop?.code, 'fihel', 'the ping erased the PoP the DNS identity named')
    assert.equal(row.rttMs, 1.347, 'the RTT is the DNS result\'s, the one that named the PoP')
    assert.match(row.evidence, /dns-identity ns1\.fi-hel\.k\.ripe\.net/)
    assert.equal(doc.summary.located, 1)
    assert.equal(doc.input.notes.length, 1)
    assert.match(doc.input.notes[0], /1 vantage point was measured more than one way .*left out: 1 result of RIPE Atlas msm 1001 \(ping\)$/)
    assert.match(r.stderr, /warning: .*measured more than one way/)
  })

  it('the ping read first, the DNS identity later: the same row (order does not decide)', async () => {
    const f = file('ping-dns.ndjson', [ping(1442845000, [1.2]), ...dns].map((x) => JSON.stringify(x)).join('\n') + '\n')
    const r = await runCommand('report', [f, '--no-rdns'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^catchment of 193\.0\.14\.129 by mixed methods from 1 vantage point \(1 with a PoP named/)
    assert.match(r.stdout, /atlas:6036 .*FIHEL \(Helsinki\)/)
  })

  it('anyprobe trace --ndjson plus a later ping outcome for one vantage point: the trace\'s IAD stays; diff against the trace alone sees no change', async () => {
    const trace = readFileSync('test/fixtures/diff/lab-trace-withdraw-fra.ndjson', 'utf8')
    const nyc = JSON.parse(trace.split('\n')[0]!) as {vantage: Record<string, unknown>}
    const pingResult = {schemaVersion: 1, kind: 'ping', target: '198.51.100.10', targetAddr: '198.51.100.10', family: 4, vantage: nyc.vantage, startedAt: '2026-12-07T02:09:00.000Z', sent: 3, received: 3, rttMs: [0.05, 0.04, 0.06], minMs: 0.04, avgMs: 0.05, maxMs: 0.06, pop: null}
    const before = file('trace.ndjson', trace)
    const both = file('trace-ping.ndjson', trace + JSON.stringify({vantage: nyc.vantage, result: pingResult, error: null}) + '\n')
    const r = await runCommand('report', [both, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    const row = doc.vantagePoints.find((v: {vantage: {id: string}}) => v.vantage.id === 'ap-vp-nyc')
    assert.equal(row.pop?.code, 'iad')
    assert.equal(row.rttMs, 0.011)
    const d = await runCommand('diff', [before, both, '--json'])
    assert.equal(d.status, 0, `a ping read as "lost" its PoP: ${d.stdout}`)
    assert.equal(JSON.parse(d.stdout).changes.length, 0)
  })
})

describe('report: RIPE Atlas results, one way of measuring per measurement id', () => {
  // an ordinary SOA query of the same target, another measurement (msm 1002), answered without an
  // NSID: RIPE Atlas "dns" result format; the abuf is a real reply's shape (dns-packet encodes it)
  const soa = (timestamp: number): Record<string, unknown> => ({
    ...dns[0], msm_id: 1002, group_id: 1002, timestamp,
    result: {rt: 2.5, size: 100, ID: 1, ANCOUNT: 1, ARCOUNT: 0, NSCOUNT: 0, QDCOUNT: 1, abuf: dnsPacket.encode({type: 'response', id: 1, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'SOA', class: 'IN', name: '.'}], answers: [{type: 'SOA', class: 'IN', name: '.', ttl: 86400, data: {mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com', serial: 2026120700, refresh: 1800, retry: 900, expire: 604800, minimum: 86400}}]}).toString('base64')},
  })
  // the same hostname.bind measurement later, timed out (RIPE Atlas writes {"error": {"timeout": ms}})
  const timedOut = (timestamp: number): Record<string, unknown> => ({...dns[0], timestamp, result: undefined, error: {timeout: 5000}})

  it('a later SOA measurement of the same target (another msm) does not erase hostname.bind\'s FIHEL', async () => {
    const r = await runCommand('report', [file('chaos-soa.json', JSON.stringify([...dns, soa(1442846000)])), '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.method, 'dns')
    assert.equal(doc.vantagePoints[0].pop?.code, 'fihel')
    assert.match(doc.input.notes.join('\n'), /left out: 1 result of RIPE Atlas msm 1002 \(dns\)/)
  })

  it('the same measurement repeated: its latest counts (a hostname.bind that timed out twice since is no longer FIHEL; once is packet loss, catchment-single-loss.test.ts)', async () => {
    const r = await runCommand('report', [file('chaos-timeout.json', JSON.stringify([...dns, timedOut(1442846000), timedOut(1442846240)])), '--no-rdns', '--json'])
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.vantagePoints[0].pop, null, r.stdout)
    assert.notEqual(r.status, 0)
    const once = await runCommand('report', [file('chaos-timeout-once.json', JSON.stringify([...dns, timedOut(1442846000)])), '--no-rdns', '--json'])
    assert.equal(JSON.parse(once.stdout).vantagePoints[0].pop?.code, 'fihel', once.stdout)
    assert.equal(once.status, 0, once.stderr)
  })

  it('a later ping that was lost (another msm): the DNS identity stays, and the vantage point answered (exit 0)', async () => {
    const r = await runCommand('report', [file('dns-lost-ping.json', JSON.stringify([...dns, ping(1442846000, [])])), '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).vantagePoints[0].pop?.code, 'fihel')
  })
})

describe('CatchmentBuilder: the row of a vantage point with several results', () => {
  const vp = {kind: 'atlas' as const, id: '1', name: null, asn: null, country: null, lat: null, lon: null}
  const row = (p: string | null, reached: boolean | null, rtt: number | null): CatchmentVantagePoint => ({
    vantage: vp, pop: p === null ? null : {code: p, city: p, country: 'XX', confidence: 0.9}, rttMs: rtt, evidence: null, reached,
    error: reached === null ? {code: 'E_PROBE', message: 'failed'} : null,
  } as CatchmentVantagePoint)
  const one = (adds: Array<[CatchmentVantagePoint, string, 'dns' | 'trace' | 'ping' | null]>): CatchmentVantagePoint => {
    const b = new CatchmentBuilder()
    for (const [r, at, method] of adds) b.addRow(r, {at, method})
    return b.result().vantagePoints[0]!
  }

  it('one method repeated: the latest counts, even when it named nothing (a DNS that timed out twice since is not FRA; once is packet loss)', () => {
    assert.equal(one([[row('fra', true, 5), 't1', 'dns'], [row(null, false, null), 't2', 'dns'], [row(null, false, null), 't3', 'dns']]).reached, false)
    assert.equal(one([[row('fra', true, 5), 't1', 'dns'], [row(null, false, null), 't2', 'dns']]).pop?.code, 'fra')
    assert.equal(one([[row('fra', true, 5), 't1', 'dns'], [row(null, true, 3), 't2', 'dns']]).pop, null, 'an answer that named nothing is the latest')
  })
  it('a trace that never reached the target and a ping it answered: reached, with the ping\'s RTT', () => {
    const r = one([[row(null, true, 9), 't1', 'ping'], [row(null, false, null), 't2', 'trace']])
    assert.equal(r.reached, true)
    assert.equal(r.rttMs, 9)
  })
  it('two methods naming different PoPs: the later verdict', () => {
    assert.equal(one([[row('fra', true, 5), 't1', 'dns'], [row('ams', true, 7), 't2', 'trace']]).pop?.code, 'ams')
    assert.equal(one([[row('ams', true, 7), 't2', 'trace'], [row('fra', true, 5), 't1', 'dns']]).pop?.code, 'ams')
  })
  it('a failure later than every result counts; an earlier one does not', () => {
    assert.equal(one([[row('fra', true, 5), 't1', 'dns'], [row(null, true, 3), 't2', 'ping'], [row(null, null, null), 't3', null]]).reached, null)
    assert.equal(one([[row(null, null, null), 't0', null], [row('fra', true, 5), 't1', 'dns'], [row(null, true, 3), 't2', 'ping']]).pop?.code, 'fra')
  })
  it('severalWays counts the vantage points and the results left out', () => {
    const b = new CatchmentBuilder()
    b.addRow(row('fra', true, 5), {at: 't1', method: 'dns'})
    b.addRow(row(null, true, 3), {at: 't2', method: 'ping'})
    assert.deepEqual(b.severalWays(), {vantagePoints: 1, leftOut: [['ping', 1]]})
  })
})

describe('report: one name measured over IPv4 and over IPv6 (two RIPE Atlas measurements of k.root-servers.net)', () => {
  // real results: probe 6036's hostname.bind over IPv4 (FIHEL) and probe 14184's NSID over IPv6
  // (k3.ams-ix, corpus sagan-dns-008), both given the name they were made for and one probe, as two
  // measurements of one name in the two families are ("af": 4 / 6, dst_name the name)
  const mixed = JSON.parse(readFileSync('test/fixtures/atlas/results-dns-mixed.json', 'utf8')) as Array<Record<string, unknown>>
  const v4 = {...mixed[0], dst_name: 'k.root-servers.net'}
  const v6 = {...mixed[1], dst_name: 'k.root-servers.net', prb_id: 6036, timestamp: 1442845300}
  const f = (): string => file('k-v4-v6.json', JSON.stringify([v4, v6]))

  it('--target the IPv4 address: that address only (the name its results carry does not bring in IPv6), the IPv6 result said', async () => {
    const r = await runCommand('report', [f(), '--no-rdns', '--json', '--target', '193.0.14.129'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.target, '193.0.14.129')
    assert.equal(doc.vantagePoints[0].pop?.code, 'fihel', 'the IPv6 result (AMS) replaced the IPv4 one asked for')
    assert.match(doc.input.notes.join('\n'), /other targets than 193\.0\.14\.129: 1 result was left out \(k\.root-servers\.net \(1\)\)/)
  })

  it('no --target: the name\'s catchment says it mixes the two families', async () => {
    const r = await runCommand('report', [f(), '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.match(doc.input.notes.join('\n'), /k\.root-servers\.net was measured over IPv4 \(1 result\) and over IPv6 \(1\): the two families are routed apart/)
  })

  it('anyprobe results of one vantage point, trace over IPv4 then over IPv6: two ways, said (not the later one silently)', () => {
    const line = JSON.parse(readFileSync('test/fixtures/diff/lab-trace-withdraw-fra.ndjson', 'utf8').split('\n')[0]!) as VantageOutcome
    const v6 = {...line, result: {...line.result!, targetAddr: '2001:db8::10', family: 6, startedAt: '2026-12-07T03:00:00.000Z'}} as VantageOutcome
    const b = new CatchmentBuilder()
    b.add(line)
    b.add(v6)
    assert.deepEqual(b.severalWays(), {vantagePoints: 1, leftOut: [['trace', 1]]})
  })
})

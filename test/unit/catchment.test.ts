// The catchment function: rows per vantage point, PoPs grouped by place, shares over the vantage
// points that produced a result, medians, failed and unlocated vantage points, fixed order, the
// latest result per vantage point; and the schema on a document it produced.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {CatchmentBuilder, catchment, median, vantageRow} from '../../src/analysis/catchment.js'
import type {DnsResult} from '../../src/model/dns.js'
import type {PopVerdict} from '../../src/model/pop.js'
import type {TraceResult} from '../../src/model/trace.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {renderCatchment} from '../../src/render/catchment.js'
import type {VantageOutcome} from '../../src/vantage/types.js'
import {schemaErrors} from '../helpers/schema.js'

const vp = (id: string, kind: VantagePoint['kind'] = 'netns'): VantagePoint => ({kind, id, name: id, asn: null, country: null, lat: null, lon: null})

function verdict(code: string, city: string | null, country: string | null, input = `s1.${code}.example`): PopVerdict {
  return {
    code, codeType: city === null ? 'operator' : 'iata', city, country, lat: null, lon: null, confidence: 0.9,
    evidence: [
      {signal: 'dns-identity', input: 'weak', code, codeType: 'iata', city, country, weight: 0.2, note: ''},
      {signal: 'dns-identity', input, code, codeType: 'iata', city, country, weight: 0.9, note: ''},
    ],
    conflicts: [],
  }
}

function dns(id: string, pop: PopVerdict | null, rtts: Array<number | null>, startedAt = '2026-01-01T00:00:00.000Z'): VantageOutcome {
  const v = vp(id)
  const result: DnsResult = {
    schemaVersion: 1, kind: 'dns', target: '198.51.100.10', targetAddr: '198.51.100.10', port: 53, transport: 'udp', vantage: v,
    startedAt, durationMs: 1, params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'},
    queries: rtts.map((rttMs) => ({qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsidRequested: false, rcode: rttMs === null ? null : 'NOERROR', rttMs, answers: [], nsid: null, aa: null, truncated: null, error: rttMs === null ? 'timeout' : null})),
    identity: {hostnameBind: null, idServer: null, versionBind: null, nsid: null},
    answered: rtts.some((r) => r !== null), pop,
  }
  return {vantage: v, result, error: null}
}

const failed = (id: string, code = 'E_VP_CONNECT'): VantageOutcome => ({vantage: vp(id, 'ssh'), result: null, error: {code, message: 'ssh failed: Connection refused', hint: 'check the host'}})

const FRA = verdict('fra', 'Frankfurt am Main', 'DE')
const IAD = verdict('iad', 'Washington, D.C.', 'US')
const SIN = verdict('sin', 'Singapore', 'SG')

describe('catchment', () => {
  const outcomes = [
    dns('vp-tyo', SIN, [3, 2.5]),
    dns('vp-nyc', IAD, [10, null]),
    dns('vp-sao', IAD, [30]),
    dns('vp-ber', FRA, [1]),
    dns('vp-lim', IAD, [null]), // answered nothing: no RTT and no PoP, whatever its verdict said (a file from an older version)
    dns('vp-unk', null, [5]),
    failed('root@down'),
  ]
  const c = catchment(outcomes, {target: '198.51.100.10', method: 'dns'})

  it('one row per vantage point, in kind then id order, with PoP, RTT and short evidence', () => {
    assert.deepEqual(c.vantagePoints.map((r) => r.vantage.id), ['vp-ber', 'vp-lim', 'vp-nyc', 'vp-sao', 'vp-tyo', 'vp-unk', 'root@down'])
    const tyo = c.vantagePoints[4]!
    assert.deepEqual(tyo.pop, {code: 'sin', city: 'Singapore', country: 'SG', confidence: 0.9})
    assert.equal(tyo.rttMs, 2.5)
    assert.equal(tyo.evidence, 'dns-identity s1.sin.example (+1)', 'the heaviest evidence, not the first')
    assert.equal(tyo.reached, true)
    assert.equal(c.vantagePoints[1]!.rttMs, null, 'no reply: null, never 0')
    assert.equal(c.vantagePoints[1]!.reached, false)
  })

  it('shares over vantage points with a result; failed listed, not counted; medians', () => {
    assert.deepEqual(c.summary, {vantagePoints: 7, measured: 6, located: 4, unlocated: 2, failed: 1})
    assert.deepEqual(c.pops, [
      {code: 'iad', city: 'Washington, D.C.', country: 'US', vantagePoints: ['vp-nyc', 'vp-sao'], share: 0.3333, medianRttMs: 20},
      {code: 'fra', city: 'Frankfurt am Main', country: 'DE', vantagePoints: ['vp-ber'], share: 0.1667, medianRttMs: 1},
      {code: 'sin', city: 'Singapore', country: 'SG', vantagePoints: ['vp-tyo'], share: 0.1667, medianRttMs: 2.5},
    ])
    const down = c.vantagePoints.at(-1)!
    assert.deepEqual(down.error, {code: 'E_VP_CONNECT', message: 'ssh failed: Connection refused', hint: 'check the host'})
    assert.equal(down.pop, null)
    assert.equal(down.reached, null)
  })

  it('is valid against schemas/catchment.schema.json', () => {
    assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
  })

  it('the same outcomes in any order give the same document', () => {
    const shuffled = [...outcomes].reverse()
    assert.deepEqual(catchment(shuffled, {target: '198.51.100.10', method: 'dns'}), c)
  })

  it('one place read as two codes is one PoP, named by its most common code; code-only verdicts group by code', () => {
    const x = catchment([
      dns('a', verdict('frankfurt', 'Frankfurt am Main', 'DE'), [1]),
      dns('b', FRA, [2]),
      dns('c', FRA, [3]),
      dns('d', verdict('edge7', null, null), [4]),
      dns('e', verdict('EDGE7', null, null), [5]),
    ])
    assert.deepEqual(x.pops.map((p) => [p.code, p.vantagePoints, p.medianRttMs]), [
      ['fra', ['a', 'b', 'c'], 2],
      ['edge7', ['d', 'e'], 4.5], // a tie: the first in collation order
    ])
  })

  it('a vantage point measured twice counts with its latest result', () => {
    const x = catchment([dns('a', FRA, [1], '2026-01-01T00:00:10Z'), dns('a', IAD, [9], '2026-01-01T00:00:20Z'), dns('a', SIN, [5], '2026-01-01T00:00:15Z')])
    assert.equal(x.vantagePoints.length, 1)
    assert.equal(x.vantagePoints[0]!.pop?.code, 'iad')
  })

  it('trace RTT is the destination\'s lowest, null when not reached; ping rows say rtt only', () => {
    const v = vp('t')
    const hop = (ttl: number, addr: string | null, rttMs: Array<number | null>) => ({ttl, addr, addrs: addr ? [addr] : [], hostname: null, asn: null, asOrg: null, rttMs, replies: [], hint: null})
    const trace = (reached: boolean): TraceResult => ({
      schemaVersion: 1, kind: 'trace', target: 'x', targetAddr: '198.51.100.10', targetInfo: {class: 'documentation', knownAnycast: null, notes: []}, family: 4, protocol: 'icmp', flowId: 1, vantage: v,
      startedAt: '', durationMs: 1, params: {maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, port: null, gapLimit: 5},
      hops: [hop(1, '198.19.1.1', [0.5, 0.4, 0.6]), hop(2, reached ? '198.51.100.10' : '198.19.9.9', reached ? [12, 11.5, null] : [20, 19, null])],
      destinationReached: reached, stopReason: reached ? 'completed' : 'gap-limit', pop: null, targetHostname: null,
    })
    assert.equal(vantageRow({vantage: v, result: trace(true), error: null}).rttMs, 11.5)
    assert.equal(vantageRow({vantage: v, result: trace(false), error: null}).rttMs, null, 'a router\'s RTT is not the target\'s')
    const ping = vantageRow({vantage: v, error: null, result: {schemaVersion: 1, kind: 'ping', target: 'x', targetAddr: 'x', family: 4, vantage: v, startedAt: '', sent: 3, received: 3, rttMs: [3, 2, 4], minMs: 2, avgMs: 3, maxMs: 4, pop: null}})
    assert.deepEqual([ping.rttMs, ping.pop, ping.evidence, ping.reached], [2, null, 'rtt only (ping names no site)', true])
  })

  it('a trace that never reached its target names no PoP and is in no share, even from a file whose verdict came from hop 1', () => {
    const v = (id: string) => vp(id)
    const hop = (ttl: number, addr: string | null, rttMs: Array<number | null>) => ({ttl, addr, addrs: addr ? [addr] : [], hostname: null, asn: null, asOrg: null, rttMs, replies: [], hint: null})
    const trace = (id: string, last: string, reached: boolean): VantageOutcome => ({
      vantage: v(id),
      error: null,
      result: {
        schemaVersion: 1, kind: 'trace', target: 'x', targetAddr: '198.51.100.10', targetInfo: {class: 'documentation', knownAnycast: null, notes: []}, family: 4, protocol: 'icmp', flowId: 1, vantage: v(id),
        startedAt: '', durationMs: 1, params: {maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 1000, rate: null, port: null, gapLimit: 5},
        hops: [hop(1, '198.19.1.1', [0.5, 0.4, 0.6]), hop(2, last, [12, 11.5, null])],
        destinationReached: reached, stopReason: reached ? 'completed' : 'gap-limit', pop: FRA, targetHostname: null,
      },
    })
    const x = catchment([trace('lost', '198.19.9.9', false), trace('ok', '198.51.100.10', true), trace('prohibited', '198.51.100.10', false)], {method: 'trace'})
    const rows = Object.fromEntries(x.vantagePoints.map((r) => [r.vantage.id, r]))
    assert.deepEqual([rows.lost!.pop, rows.lost!.reached, rows.lost!.rttMs], [null, false, null])
    // an unreachable sent by the target itself is an answer from the target
    assert.deepEqual([rows.prohibited!.pop?.code, rows.prohibited!.reached], ['fra', true])
    assert.deepEqual(x.summary, {vantagePoints: 3, measured: 3, located: 2, unlocated: 1, failed: 0})
    assert.deepEqual(x.pops.map((p) => [p.code, p.vantagePoints]), [['fra', ['ok', 'prohibited']]])
    // and a saved catchment row that says "not reached" beside a PoP (an older document) loses the PoP
    const b = new CatchmentBuilder()
    b.addRow({vantage: v('old'), pop: {code: 'fra', city: 'Frankfurt am Main', country: 'DE', confidence: 0.57}, rttMs: null, evidence: 'hop-hostname gw.fra1.example', reached: false, error: null})
    const y = b.result({method: 'trace'})
    assert.deepEqual([y.vantagePoints[0]!.pop, y.pops, y.summary.unlocated], [null, [], 1])
  })

  it('median', () => {
    assert.equal(median([]), null)
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 2.5)
  })

  it('the table names the PoPs, their shares, and the failed vantage point with its hint', () => {
    const text = renderCatchment(c)
    assert.match(text, /^catchment of 198\.51\.100\.10 by dns from 7 vantage points \(4 with a PoP named, 2 without, 1 failed\)/)
    assert.match(text, /netns:vp-tyo +- +- +SIN \(Singapore\) 0\.90 +2\.50 +dns-identity s1\.sin\.example \(\+1\)/)
    assert.match(text, /IAD +Washington, D\.C\., US +2 +33\.3% +20\.0/)
    assert.match(text, /failed \(1\):\n {2}ssh:root@down {2}E_VP_CONNECT: ssh failed: Connection refused\n {4}hint: check the host/)
  })
})

// A periodic measurement (a RIPE Atlas DNS or traceroute measurement repeated every few minutes)
// read by report/diff: each vantage point counts with its latest result. When that latest result
// was one unanswered query after answered ones, the vantage point read "not reached" (report exit
// 9) and diff paged "lost" (exit 8) for one missed query. watch's rule applies instead: an outage
// is outageAfter (2) unanswered rounds in a row; one lost round is packet loss, and the last
// answered result counts (analysis/catchment-way.ts). Pure builder tests here; report/diff end to
// end in report-single-loss.test.ts.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {CatchmentBuilder, catchment} from '../../src/analysis/catchment.js'
import {OUTAGE_AFTER, singleLossNote} from '../../src/analysis/catchment-way.js'
import {WATCH_DEFAULTS} from '../../src/analysis/watch/index.js'
import type {DnsResult} from '../../src/model/dns.js'
import type {PopVerdict} from '../../src/model/pop.js'
import type {TraceResult} from '../../src/model/trace.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import type {VantageOutcome} from '../../src/vantage/types.js'
import {schemaErrors} from '../helpers/schema.js'

const vp = (id: string): VantagePoint => ({kind: 'atlas', id, name: id, asn: null, country: null, lat: null, lon: null})

function verdict(code: string, city: string, country: string): PopVerdict {
  const e = {signal: 'dns-identity' as const, input: `s1.${code}.example`, code, codeType: 'iata' as const, city, country, weight: 0.9, note: ''}
  return {code, codeType: 'iata', city, country, lat: null, lon: null, confidence: 0.9, evidence: [e], conflicts: []}
}
const FRA = verdict('fra', 'Frankfurt am Main', 'DE')
const AMS = verdict('ams', 'Amsterdam', 'NL')

const t0 = Date.parse('2026-12-07T00:00:00.000Z')
/** round n of a measurement repeated every 240 s */
const at = (n: number): string => new Date(t0 + n * 240_000).toISOString()

/** a DNS result: answered by `pop` in `rtt` ms, or a timeout (pop null, rtt null) */
function dns(id: string, round: number, pop: PopVerdict | null, rtt: number | null = 5): VantageOutcome {
  const v = vp(id)
  const answered = rtt !== null
  const result: DnsResult = {
    schemaVersion: 1, kind: 'dns', target: '193.0.14.129', targetAddr: '193.0.14.129', port: 53, transport: 'udp', vantage: v,
    startedAt: at(round), durationMs: 1, params: {timeoutMs: 5000, qname: 'hostname.bind', qtype: 'TXT'},
    queries: [{qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsidRequested: false, rcode: answered ? 'NOERROR' : null, rttMs: rtt, answers: [], nsid: null, aa: null, truncated: null, error: answered ? null : 'timeout'}],
    identity: {hostnameBind: null, idServer: null, versionBind: null, nsid: null},
    answered, pop: answered ? pop : null,
  }
  return {vantage: v, result, error: null}
}
const lost = (id: string, round: number): VantageOutcome => dns(id, round, null, null)

/** a traceroute that reached the target (its last hop the target, `pop` named) or stopped short */
function trace(id: string, round: number, reached: boolean): VantageOutcome {
  const v = vp(id)
  const hop = (ttl: number, addr: string, rttMs: number[]) => ({ttl, addr, addrs: [addr], hostname: null, asn: null, asOrg: null, rttMs, replies: [], hint: null})
  const result: TraceResult = {
    schemaVersion: 1, kind: 'trace', target: '193.0.14.129', targetAddr: '193.0.14.129', targetInfo: {class: 'public', knownAnycast: null, notes: []}, family: 4, protocol: 'icmp', flowId: 1, vantage: v,
    startedAt: at(round), durationMs: 1, params: {maxHops: 32, firstHop: 1, probes: 3, timeoutMs: 4000, rate: null, port: null, gapLimit: 5},
    hops: [hop(1, '192.0.2.1', [0.5]), reached ? hop(2, '193.0.14.129', [7.25]) : hop(2, '192.0.2.9', [9])],
    destinationReached: reached, stopReason: reached ? 'completed' : 'gap-limit', pop: reached ? FRA : null, targetHostname: null,
  } as TraceResult
  return {vantage: v, result, error: null}
}

const probeError = (id: string, round: number): VantageOutcome => ({vantage: vp(id), result: null, error: {code: 'E_TIMEOUT', message: `probe ${id} reported: timeout`, hint: null}, at: at(round)})

const rowOf = (outcomes: VantageOutcome[], id = '6001') => {
  const c = catchment(outcomes)
  assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
  return {c, row: c.vantagePoints.find((r) => r.vantage.id === id)!}
}

describe('repeated results of one vantage point: one loss is not an outage', () => {
  it('the rule is the watch\'s: one number, WATCH_DEFAULTS.outageAfter', () => {
    assert.equal(OUTAGE_AFTER, WATCH_DEFAULTS.outageAfter)
    assert.equal(OUTAGE_AFTER, 2)
  })

  it('answered, lost: the answered result counts (its PoP, RTT and startedAt), the row says one unanswered followed', () => {
    const {c, row} = rowOf([dns('6001', 0, AMS, 9), dns('6001', 1, FRA, 4.5), lost('6001', 2)])
    assert.equal(row.reached, true)
    assert.equal(row.pop?.code, 'fra')
    assert.equal(row.rttMs, 4.5)
    assert.equal(row.startedAt, at(1))
    assert.equal(row.unansweredAfter, 1)
    assert.deepEqual(c.summary, {vantagePoints: 1, measured: 1, located: 1, unlocated: 0, failed: 0})
    assert.equal(c.pops[0]?.code, 'fra')
    assert.match(singleLossNote(c.vantagePoints)!, /^1 vantage point's latest result was not answered, after answers: one loss is not an outage \(two in a row are/)
  })

  it('answered, lost, lost: two in a row are an outage, not reached as before (the latest lost result)', () => {
    const {c, row} = rowOf([dns('6001', 0, FRA), lost('6001', 1), lost('6001', 2)])
    assert.deepEqual([row.reached, row.pop, row.rttMs, row.startedAt, row.unansweredAfter], [false, null, null, at(2), undefined])
    assert.equal(singleLossNote(c.vantagePoints), null)
  })

  it('lost only (one or several): not reached', () => {
    assert.deepEqual(((r) => [r.reached, r.unansweredAfter])(rowOf([lost('6001', 0)]).row), [false, undefined])
    assert.deepEqual(((r) => [r.reached, r.startedAt])(rowOf([lost('6001', 0), lost('6001', 1)]).row), [false, at(1)])
  })

  it('lost, then answered: the answer counts, nothing forgiven', () => {
    const {row} = rowOf([lost('6001', 0), dns('6001', 1, FRA)])
    assert.deepEqual([row.pop?.code, row.unansweredAfter, row.startedAt], ['fra', undefined, at(1)])
  })

  it('order read does not decide: the same results in every order give the same row', () => {
    const single = [dns('6001', 0, AMS), dns('6001', 1, FRA, 4.5), lost('6001', 3), lost('6001', 2 - 2 + 0.5)]
    // rounds 0 (AMS), 0.5 (lost), 1 (FRA), 3 (lost): one loss after the last answer
    const outage = [dns('6001', 0, FRA), lost('6001', 2), lost('6001', 1), dns('6001', 0.5, AMS)]
    // rounds 0, 0.5 answered, 1 and 2 lost: an outage
    const perms = <T>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])))
    for (const p of perms(single)) {
      const {row} = rowOf(p)
      assert.deepEqual([row.pop?.code, row.startedAt, row.unansweredAfter], ['fra', at(1), 1], p.map((o) => o.result?.startedAt).join(' '))
    }
    for (const p of perms(outage)) {
      const {row} = rowOf(p)
      assert.deepEqual([row.reached, row.startedAt], [false, at(2)], p.map((o) => o.result?.startedAt).join(' '))
    }
  })

  it('a traceroute that did not reach the target once, after reaching it: the reached one counts', () => {
    const {row} = rowOf([trace('6001', 0, true), trace('6001', 1, false)])
    assert.deepEqual([row.reached, row.pop?.code, row.rttMs, row.unansweredAfter], [true, 'fra', 7.25, 1])
    assert.equal(rowOf([trace('6001', 0, true), trace('6001', 1, false), trace('6001', 2, false)]).row.reached, false)
  })

  it('failures (no result: a probe error) keep the latest-counts rule', () => {
    // a probe error after the answer, of no known way: the failure counts, as before
    assert.equal(rowOf([dns('6001', 0, FRA), probeError('6001', 1)]).row.reached, null)
    // answered, probe error, lost (one way): a failure between is no run of one loss; the latest counts
    const b = new CatchmentBuilder()
    b.add(dns('6001', 0, FRA), 'RIPE Atlas msm 1 (dns)')
    b.add(probeError('6001', 1), 'RIPE Atlas msm 1 (dns)')
    b.add(lost('6001', 2), 'RIPE Atlas msm 1 (dns)')
    assert.equal(b.result().vantagePoints[0]!.reached, false)
    // a failure later than the single loss, in the way: the failure counts
    const f = new CatchmentBuilder()
    f.add(dns('6001', 0, FRA), 'm')
    f.add(lost('6001', 1), 'm')
    f.add(probeError('6001', 2), 'm')
    assert.equal(f.result().vantagePoints[0]!.reached, null)
  })

  it('a single live run (one result per vantage point) is unchanged', () => {
    const c = catchment([dns('6001', 0, FRA), lost('6002', 0), probeError('6003', 0)])
    assert.deepEqual(c.vantagePoints.map((r) => [r.vantage.id, r.reached, r.unansweredAfter]), [['6001', true, undefined], ['6002', false, undefined], ['6003', null, undefined]])
  })

  it('ways apart: each way (RIPE Atlas measurement) is judged by its own results', () => {
    const b = new CatchmentBuilder()
    b.add(dns('6001', 0, FRA), 'RIPE Atlas msm 1 (dns)')
    b.add(lost('6001', 1), 'RIPE Atlas msm 2 (dns)')
    b.add(lost('6001', 2), 'RIPE Atlas msm 2 (dns)')
    // msm 1's only result answered, msm 2's two lost: the row is msm 1's answer, nothing forgiven
    assert.deepEqual(((r) => [r.pop?.code, r.unansweredAfter])(b.result().vantagePoints[0]!), ['fra', undefined])
  })

  it('builders merged (absorb) judge as one', () => {
    const a = new CatchmentBuilder()
    const b = new CatchmentBuilder()
    a.add(dns('6001', 0, FRA))
    b.add(lost('6001', 1))
    a.add(lost('6001', 2))
    const m = new CatchmentBuilder()
    m.absorb(a)
    m.absorb(b)
    assert.equal(m.result().vantagePoints[0]!.reached, false, 'two losses in a row across builders')
    const one = new CatchmentBuilder()
    one.absorb(a)
    assert.equal(one.result().vantagePoints[0]!.unansweredAfter, 1)
  })

  it('memory is flat: 50 000 results of one vantage point keep at most 2 + OUTAGE_AFTER rows', () => {
    const b = new CatchmentBuilder()
    for (let n = 0; n < 50_000; n++) b.add(n % 7 === 3 ? probeError('6001', n) : n % 5 === 0 ? lost('6001', n) : dns('6001', n, n % 2 ? FRA : AMS))
    assert.ok(b.keptRows <= 2 + OUTAGE_AFTER, `${b.keptRows} rows kept`)
    // the last results: 49997 answered (AMS? 49997 odd: FRA), 49998 answered, 49999 answered
    b.add(lost('6001', 50_000))
    assert.ok(b.keptRows <= 2 + OUTAGE_AFTER)
    const row = b.result().vantagePoints[0]!
    assert.deepEqual([row.pop?.code, row.startedAt, row.unansweredAfter], ['fra', at(49_999), 1])
    b.add(lost('6001', 50_001))
    assert.equal(b.result().vantagePoints[0]!.reached, false)
  })
})

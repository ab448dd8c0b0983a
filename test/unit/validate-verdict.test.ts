// A verdict read back from outside (a netns/ssh child's result line, a saved file) keeps what the RTT
// ruled out and a contradiction, checked and sanitised like the rest (issue 12: "keep what was
// rejected and why in every result"); before, store/validate.ts rebuilt the verdict without them, so
// `dns --from netns:...` lost the reasons the child gave.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {checkOutcome, checkResult} from '../../src/store/validate.js'

const vantage = {kind: 'netns', id: 'vp-gru', name: null, asn: null, country: null, lat: null, lon: null}
const rejection = {code: 'iad', city: 'Ashburn', signal: 'dns-identity', reason: 'ashburn rejected: 7,600 km from GRU needs >= 77 ms, measured 0.9 ms', distanceKm: 7600, minRttMs: 77, measuredRttMs: 0.9}

function dns(pop: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1, kind: 'dns', target: '198.51.100.10', targetAddr: '198.51.100.10', port: 53, transport: 'udp', vantage, startedAt: '2026-12-06T18:00:00.000Z', durationMs: 1,
    params: {timeoutMs: 2000, qname: '.', qtype: 'SOA'}, queries: [{qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', rcode: 'NOERROR', rttMs: 0.9, answers: ['s1.iad.anycast.example'], nsid: null, error: null}],
    identity: {hostnameBind: 's1.iad.anycast.example', idServer: null, versionBind: null, nsid: null}, answered: true, pop, ...extra,
  }
}

describe('a verdict read back keeps rejected and contradiction', () => {
  it('kept, text sanitised, malformed entries dropped', () => {
    const pop = {
      code: 'iad', codeType: 'iata', city: 'Washington, D.C.', country: 'US', lat: null, lon: null, confidence: 0.9,
      evidence: [{signal: 'dns-identity', input: 's1.iad.anycast.example', code: 'iad', codeType: 'iata', city: 'Washington, D.C.', country: 'US', weight: 0.9, note: 'IATA IAD'}, 'junk'],
      conflicts: [],
      rejected: [{...rejection, reason: 'ashburn\u001b[2J rejected'}, {code: 'x'}, 7],
      contradiction: {kind: 'vantage-location', reason: 'every strong signal is too far\u001b]0;title\u0007 for the RTT'},
    }
    const r = checkResult(dns(pop)) as {pop: {rejected: Array<{reason: string}>; contradiction: {reason: string}; evidence: unknown[]}}
    assert.equal(typeof r, 'object', String(r))
    assert.equal(r.pop.rejected.length, 1)
    assert.equal(r.pop.rejected[0]!.reason, 'ashburn\\x1b[2J rejected')
    assert.equal(r.pop.contradiction.reason, 'every strong signal is too far\\x1b]0;title\\x07 for the RTT')
    assert.equal(r.pop.evidence.length, 1, 'a malformed evidence entry is dropped')
  })

  it('no verdict: popReason and popRejected kept and checked; a bad contradiction becomes null', () => {
    const r = checkResult(dns(null, {popReason: 'every place was ruled out\u0007', popRejected: [rejection, {reason: 1}]})) as {popReason: string; popRejected: unknown[]}
    assert.equal(r.popReason, 'every place was ruled out\\x07')
    assert.deepEqual(r.popRejected, [rejection])
    const o = checkOutcome({vantage, result: dns({code: 'iad', confidence: 0.5, evidence: [], conflicts: [], contradiction: {kind: 'other', reason: 'x'}}), error: null}) as {result: {pop: {contradiction: unknown; codeType: string}}}
    assert.equal(o.result.pop.contradiction, null)
    assert.equal(o.result.pop.codeType, 'operator')
  })
})

describe('a dns result read back', () => {
  it('the server each query went to (RIPE Atlas resultsets) is file text: sanitised', () => {
    const r = dns(null, {queries: [{qname: '.', qclass: 'IN', qtype: 'SOA', rcode: 'NOERROR', rttMs: 3.2, answers: [], nsid: null, error: null, server: '192.0.2.53\u001b[2J'}]})
    const checked = checkResult(r) as {queries: Array<{server: string}>}
    assert.equal(typeof checked, 'object', String(checked))
    assert.equal(checked.queries[0]!.server, '192.0.2.53\\x1b[2J')
  })
})

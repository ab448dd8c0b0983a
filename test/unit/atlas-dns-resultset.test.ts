// A RIPE Atlas DNS result with a resultset (the probe asked each of its resolvers) is one
// observation of the probe: answered when any resolver answered, the lowest RTT, identities
// compared (src/vantage/atlas/dns-resultset.ts). The fixture is three real results from the shared
// corpus (sagan-dns-017, -018, -041) where the last resolver timed out or answered slower.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {DnsResult} from '../../src/model/dns.js'
import {foldResultset} from '../../src/vantage/atlas/dns-resultset.js'
import {parseAtlasResult} from '../../src/vantage/atlas/parse.js'
import type {VantageOutcome} from '../../src/vantage/types.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const vantage = {kind: 'atlas', id: '7', label: null, location: null, asn: null} as unknown as VantageOutcome['vantage']

function entry(server: string, rttMs: number | null, at: string, hostnameBind: string | null = null): VantageOutcome {
  const q = {qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsidRequested: false, rcode: rttMs === null ? null : 'NOERROR', rttMs, answers: hostnameBind ? [hostnameBind] : [], nsid: null, aa: rttMs === null ? null : true, truncated: rttMs === null ? null : false, error: rttMs === null ? ('timeout' as const) : null}
  const result: DnsResult = {
    schemaVersion: 1 as DnsResult['schemaVersion'],
    kind: 'dns',
    target: server,
    targetAddr: server,
    port: 53,
    transport: 'udp',
    vantage,
    startedAt: at,
    durationMs: rttMs ?? 0,
    params: {timeoutMs: 5000, qname: 'hostname.bind', qtype: 'TXT'},
    queries: [q],
    identity: {hostnameBind, idServer: null, versionBind: null, nsid: null},
    answered: rttMs !== null,
    pop: null,
  }
  return {vantage, result, error: rttMs === null ? {code: 'E_TIMEOUT', message: 'probe 7 reported: Timeout: 5000', hint: 'h'} : null}
}

describe('Atlas DNS resultset: one observation per probe and time', () => {
  it('report: answers are not hidden by a later timeout; the RTT is the lowest answer', async () => {
    // these probes asked their own resolvers (use_probe_resolver): each resolver is a target of its
    // own, so report gives one resolver's catchment at a time (--target), and the probe whose
    // resolvers are private to its network (10.0.0.34/35) in none (analysis/catchment-scope.ts)
    const file = join('test', 'fixtures', 'atlas', 'results-dns-resultset.json')
    const rows = new Map<string, {reached: boolean | null; rttMs: number | null; error: {code: string; message: string} | null}>()
    for (const target of ['208.70.245.7', '217.31.71.30']) {
      const r = await runCommand('report', [file, '--no-rdns', '--json', '--target', target])
      assert.equal(r.status, 0, r.stderr)
      const doc = JSON.parse(r.stdout) as {vantagePoints: Array<{vantage: {id: string}; reached: boolean | null; rttMs: number | null; error: {code: string; message: string} | null}>; input: {notes: string[]}}
      assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
      assert.equal(doc.vantagePoints.length, 1)
      for (const v of doc.vantagePoints) rows.set(v.vantage.id.replace(/^atlas:/, ''), v)
      assert.match(doc.input.notes.join('\n'), /measured an address private to each probe's network \(10\.0\.0\.35 \(1\)/)
    }
    const row = rows
    assert.deepEqual([row.get('2793')!.reached, row.get('2793')!.rttMs], [true, 127.644])
    assert.deepEqual([row.get('18394')!.reached, row.get('18394')!.rttMs], [true, 3.155])
    assert.equal(row.get('17868'), undefined)
    // the timeout is kept, beside the answers
    assert.match(row.get('2793')!.error!.message, /did not answer \(2001:4860:4860::8888: timeout\)/)
    assert.match(row.get('18394')!.error!.message, /2a02:3a8:100::100: timeout/)
  })

  it('parse: one outcome whose queries name their servers, valid against the dns schema', () => {
    const [rs] = JSON.parse(JSON.stringify(readFixture())) as [Record<string, unknown>]
    const p = parseAtlasResult(rs!)
    assert.equal(p.outcomes.length, 1)
    const r = p.outcomes[0]!.result as DnsResult
    assert.deepEqual(schemaErrors('dns.schema.json', r), [])
    assert.deepEqual(r.queries.map((q) => q.server), ['208.70.244.7', '208.70.245.7', '2001:4860:4860::8888'])
  })

  it('identity from the answers; a timed-out resolver does not blank it', () => {
    const o = foldResultset([entry('192.0.2.1', 20, '2026-01-01T00:00:00.000Z', 'ns1.ams'), entry('192.0.2.2', null, '2026-01-01T00:00:01.000Z')], 7, null)
    const r = o.result as DnsResult
    assert.equal(r.answered, true)
    assert.equal(r.identity.hostnameBind, 'ns1.ams')
    assert.equal(o.error!.code, 'E_TIMEOUT')
    assert.equal(r.durationMs, 1000)
  })

  it('resolvers naming different sites: none is picked, the error says who said what', () => {
    const o = foldResultset([entry('192.0.2.1', 20, '2026-01-01T00:00:00.000Z', 'ns1.ams'), entry('192.0.2.2', 5, '2026-01-01T00:00:01.000Z', 'ns2.lhr')], 7, null)
    const r = o.result as DnsResult
    assert.equal(r.answered, true)
    assert.equal(r.identity.hostnameBind, null)
    assert.equal(r.targetAddr, '192.0.2.2')
    assert.match(o.error!.message, /different sites.*"ns1\.ams" from 192\.0\.2\.1; "ns2\.lhr" from 192\.0\.2\.2/)
    // the same name from both: no conflict, the name stands
    const same = foldResultset([entry('192.0.2.1', 20, '2026-01-01T00:00:00.000Z', 'ns1.ams'), entry('192.0.2.2', 5, '2026-01-01T00:00:01.000Z', 'ns1.ams')], 7, null)
    assert.equal((same.result as DnsResult).identity.hostnameBind, 'ns1.ams')
    assert.equal(same.error, null)
  })

  it('a measurement with a target: entries that asked other servers do not measure it and are left out', () => {
    const o = foldResultset([entry('192.0.2.9', 1, '2026-01-01T00:00:00.000Z', 'local.resolver'), entry('192.0.2.1', 30, '2026-01-01T00:00:01.000Z', 'ns1.ams')], 7, '192.0.2.1')
    const r = o.result as DnsResult
    assert.deepEqual(r.queries.map((q) => q.server), ['192.0.2.1'])
    assert.equal(r.identity.hostnameBind, 'ns1.ams')
    assert.match(o.error!.message, /other than the target 192\.0\.2\.1 left out.*192\.0\.2\.9/)
    const none = foldResultset([entry('192.0.2.9', 1, '2026-01-01T00:00:00.000Z')], 7, '192.0.2.1')
    assert.equal(none.result, null)
  })

  it('every resolver timed out: not reached, E_TIMEOUT', () => {
    const o = foldResultset([entry('192.0.2.1', null, '2026-01-01T00:00:00.000Z'), entry('192.0.2.2', null, '2026-01-01T00:00:01.000Z')], 7, null)
    assert.equal((o.result as DnsResult).answered, false)
    assert.equal(o.error!.code, 'E_TIMEOUT')
    assert.match(o.error!.message, /2 of 2 resolver/)
  })
})

function readFixture(): unknown {
  return JSON.parse(readFileSync(join('test', 'fixtures', 'atlas', 'results-dns-resultset.json'), 'utf8'))
}

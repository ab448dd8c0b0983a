// A catchment is of ONE service. Real RIPE Atlas DNS measurements made with use_probe_resolver ask
// each probe's own resolvers: the result's resultset entries carry dst_addr 192.168.x.x, 10.x,
// fd00::/8 (the home router) or the ISP's / a public resolver (shape: RIPE Atlas "dns" result
// format, docs atlas.ripe.net/docs/apis/result-format; the fixture results-dns-resultset.json holds
// real ones with 10.0.0.34/35 and ISP addresses). Read as a catchment, the home routers' answers
// were rows of "the target" and their hostname.bind a PoP next to every probe, and two services in
// one file were merged. Now (analysis/catchment-scope.ts, the rules of sites --input):
// report / diff / catchment --atlas-msm leave such results out and say so; a file of nothing else
// is E_BAD_INPUT (exit 7).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {catchmentOfOneTarget, OneTargetCatchment} from '../../src/analysis/catchment-scope.js'
import type {VantageOutcome} from '../../src/model/probe.js'
import {probeResolverRoutes, type ReplayServer, startAtlasReplay, useAtlasReplayEnv} from '../helpers/atlas-replay.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-one-service-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** a CHAOS TXT hostname.bind answer as the resolver would send it (base64 abuf, as Atlas stores it) */
function abuf(id: number, txt: string): string {
  return dnsPacket
    .encode({type: 'response', id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: txt}]})
    .toString('base64')
}

/** one probe's use_probe_resolver result: one resultset entry per resolver it asked */
function dns(prb: number, resolvers: Array<[string, number, string]>): Record<string, unknown> {
  const t = 1765083600 + prb
  return {
    fw: 5080, lts: 20, msm_id: 5000001, prb_id: prb, timestamp: t, type: 'dns', from: '203.0.113.9', msm_name: 'Tdig', group_id: 5000001,
    resultset: resolvers.map(([server, rt, name], i) => ({
      af: server.includes(':') ? 6 : 4, dst_addr: server, lts: 20, proto: 'UDP', src_addr: server.includes(':') ? 'fd00::10' : '192.168.1.10', subid: i + 1, submax: resolvers.length, time: t,
      result: {ANCOUNT: 1, ARCOUNT: 0, ID: 7 + i, NSCOUNT: 0, QDCOUNT: 1, rt, size: 60, abuf: abuf(7 + i, name)},
    })),
  }
}

// home routers that answer hostname.bind (OpenWrt's unbound gives its host name)
const HOME = [dns(10, [['192.168.178.1', 0.5, 'OpenWrt']]), dns(11, [['10.0.0.1', 0.8, 'fra-gw']]), dns(12, [['fd00::1', 0.9, 'OpenWrt']]), dns(13, [['127.0.0.53', 0.1, 'localhost']])]
// probes whose resolver is Quad9 (9.9.9.9 answers hostname.bind with its node, PCH's naming: resNNN.SITE.rrdns.pch.net)
const QUAD9 = [dns(20, [['9.9.9.9', 8, 'res100.ams.rrdns.pch.net']]), dns(21, [['9.9.9.9', 12, 'res200.fra.rrdns.pch.net']])]
const file = (name: string, results: unknown[]): string => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(results))
  return p
}
const ids = (doc: {vantagePoints: Array<{vantage: {id: string}}>}): string[] => doc.vantagePoints.map((v) => v.vantage.id)

describe('report: one service per catchment', () => {
  it('results of each probe\'s own resolvers only: E_BAD_INPUT (exit 7) naming them, no catchment of home routers', async () => {
    const f = file('home.json', HOME)
    const r = await runCommand('report', [f, '--no-rdns'])
    assert.equal(r.status, 7, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /error E_BAD_INPUT: nothing in .*home\.json measured one service: .*4 results measured an address private to each probe's network \(.*192\.168\.178\.1 \(1\).*\)/)
    assert.doesNotMatch(r.stdout + r.stderr, /OpenWrt|fra-gw/)
    const j = await runCommand('report', [f, '--no-rdns', '--json'])
    assert.equal(j.status, 7)
    assert.deepEqual(schemaErrors('error.schema.json', JSON.parse(j.stdout)), [])
  })

  it('home routers beside a public resolver: the catchment of that one, the others left out and said (stderr, input.notes)', async () => {
    const f = file('mixed.json', [...HOME, ...QUAD9])
    const r = await runCommand('report', [f, '--no-rdns', '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.target, '9.9.9.9')
    assert.deepEqual(ids(doc), ['atlas:20', 'atlas:21'])
    assert.deepEqual(doc.pops.map((p: {city: string | null}) => p.city).sort(), ['Amsterdam', 'Frankfurt am Main'])
    assert.equal(doc.input.notes.length, 1)
    assert.match(doc.input.notes[0], /4 results measured an address private to each probe's network/)
    assert.match(r.stderr, /warning: .*4 results measured an address private to each probe's network/)
  })

  it('two services in one file are never merged: the first, or --target', async () => {
    const other = [20, 21, 22].map((p) => ({...dns(p, [['193.0.14.129', 2, 'ns1.fi-hel.k.ripe.net']]), msm_id: 1423386}))
    const f = file('two.json', [...QUAD9, ...other])
    const first = JSON.parse((await runCommand('report', [f, '--no-rdns', '--json'])).stdout)
    assert.equal(first.target, '9.9.9.9')
    assert.deepEqual(ids(first), ['atlas:20', 'atlas:21'])
    assert.match(first.input.notes[0], /3 results were left out \(193\.0\.14\.129 \(3\)\); the catchment is of 9\.9\.9\.9/)
    const k = JSON.parse((await runCommand('report', [f, '--no-rdns', '--json', '--target', '193.0.14.129'])).stdout)
    assert.equal(k.target, '193.0.14.129')
    assert.deepEqual(ids(k), ['atlas:20', 'atlas:21', 'atlas:22'])
    assert.deepEqual(k.pops.map((p: {city: string | null}) => p.city), ['Helsinki'])
  })
})

describe('diff: the same rule for each file', () => {
  it('a file of home routers only: exit 7; beside a public resolver: a left-out warning (valid --json)', async () => {
    const home = file('d-home.json', HOME)
    const mixed = file('d-mixed.json', [...HOME, ...QUAD9])
    const q = file('d-quad9.json', QUAD9)
    const bad = await runCommand('diff', [home, q])
    assert.equal(bad.status, 7, bad.stderr)
    assert.match(bad.stderr, /measured one service/)
    const r = await runCommand('diff', [q, mixed, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.deepEqual(doc.warnings.map((w: {code: string}) => w.code), ['left-out'])
    assert.equal(doc.summary.common, 2)
    assert.deepEqual(doc.onlyAfter, [])
  })
})

describe('the rule itself (pure)', () => {
  const vp = (id: number): VantageOutcome['vantage'] => ({kind: 'atlas', id: `atlas:${id}`, name: `probe ${id}`, asn: null, country: null, lat: null, lon: null})
  const ping = (id: number, target: string, ms: number): VantageOutcome => ({
    vantage: vp(id),
    error: null,
    result: {kind: 'ping', target, targetAddr: target, vantage: vp(id), startedAt: `2026-12-07T05:00:0${id % 10}.000Z`, durationMs: 1, sent: 1, received: 1, minMs: ms, avgMs: ms, maxMs: ms, rtts: [ms], pop: null} as unknown as VantageOutcome['result'],
  })
  it('a local or netns vantage point measuring a private lab address is kept (it measured one host)', () => {
    const local = {...ping(1, '10.0.0.1', 1), vantage: {...vp(1), kind: 'netns' as const, id: 'ap-vp-ber'}}
    const c = new OneTargetCatchment()
    c.add(local as VantageOutcome)
    assert.equal(c.result().vantagePoints.length, 1)
    assert.equal(c.ownNetwork, 0)
  })
  it('the asked target names none of the results but others were left out: the document names what the rows measured', () => {
    const {result, notes} = catchmentOfOneTarget([ping(1, '192.0.2.1', 1), ping(2, '192.0.2.2', 1)], {target: '198.51.100.10', label: 'RIPE Atlas measurement 1'})
    assert.equal(result.target, '192.0.2.1')
    assert.match(notes.join('\n'), /no result measured 198\.51\.100\.10; the catchment is of 192\.0\.2\.1/)
    // one target only, named differently from what was asked (a URL vs its host): the asked label stays
    const one = catchmentOfOneTarget([ping(1, '192.0.2.1', 1), ping(2, '192.0.2.1', 2)], {target: 'https://example.org/', label: 'this run'})
    assert.equal(one.result.target, 'https://example.org/')
    assert.deepEqual(one.notes, [])
  })
})

describe('catchment --from atlas: --atlas-msm of a use_probe_resolver measurement (replay server)', () => {
  let srv: ReplayServer
  let restoreEnv = (): void => {}
  before(async () => {
    srv = await startAtlasReplay({routes: probeResolverRoutes([...HOME, ...QUAD9], 6)})
    restoreEnv = useAtlasReplayEnv(srv)
  })
  after(async () => {
    restoreEnv()
    await srv.close()
  })

  it('the home routers are left out and said; the document is of the resolver the rows measured', async () => {
    const r = await runCommand('catchment', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', '5000001', '--method', 'dns', '--json'])
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.deepEqual(ids(doc), ['atlas:20', 'atlas:21'])
    assert.equal(doc.target, '9.9.9.9')
    assert.match(r.stderr, /warning: RIPE Atlas measurement 5000001: 4 results measured an address private to each probe's network/)
    assert.match(r.stderr, /no result measured 193\.0\.14\.129/)
  })
})

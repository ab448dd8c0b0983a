// `sites --input` on a file holding results of several targets (a RIPE Atlas daily dump, or the
// results of two measurements saved together): the RTTs of different targets merged per probe are
// sites of none of them. One target is read (TARGET, by name or address, else the file's first),
// the others are counted in a warning. Result shape: RIPE Atlas API v2 ping results (fw 5080), as
// documented at atlas.ripe.net/docs/apis/result-format ("ping", v4610 and later).
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {readSitesInputs} from '../../src/console/sites-input.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-targets-'))

function ping(prb: number, msm: number, name: string, addr: string, ms: number): Record<string, unknown> {
  return {fw: 5080, mver: '2.6.2', lts: 12, dst_name: name, af: addr.includes(':') ? 6 : 4, dst_addr: addr, src_addr: '192.168.1.10', proto: 'ICMP', ttl: 55, size: 48, result: [{rtt: ms}, {x: '*'}], dup: 0, rcvd: 1, sent: 2, min: ms, max: ms, avg: ms, msm_id: msm, prb_id: prb, timestamp: 1733500000 + prb, msm_name: 'Ping', from: '203.0.113.9', type: 'ping', group_id: msm, step: 240}
}

const probes = new Map([10, 11, 12].map((id, i) => [id, {id, asnV4: 3333, asnV6: null, country: 'NL', lat: 52 + i, lon: 4 + i, description: null, isAnchor: false, tags: []}]))
// k-root (by name, v4 and v6; and a measurement of its v4 address) and a unicast target, interleaved
const lines = [
  ping(10, 2002, 'example.net', '198.51.100.7', 150),
  ping(10, 1001, 'k.root-servers.net', '193.0.14.129', 1.5),
  ping(11, 2002, 'example.net', '198.51.100.7', 151),
  ping(11, 1001, 'k.root-servers.net', '193.0.14.129', 2.5),
  ping(12, 1002, '193.0.14.129', '193.0.14.129', 3.5),
  ping(12, 2002, 'example.net', '198.51.100.7', 152),
]
const mixed = join(dir, 'mixed.ndjson')
writeFileSync(mixed, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
const rtts = (obs: Array<{vp: string; rttMs: number | null}>): Array<[string, number | null]> => obs.map((o) => [o.vp, o.rttMs])

describe('sites --input: one file, several targets', () => {
  it('without TARGET: the first target only, and a warning with what was left out', async () => {
    const r = await readSitesInputs([mixed], {locs: null, probes, probesGiven: true})
    assert.equal(r.target, 'example.net')
    assert.deepEqual(rtts(r.obs), [['atlas:10', 150], ['atlas:11', 151], ['atlas:12', 152]])
    assert.equal(r.warnings.length, 1)
    assert.match(r.warnings[0]!, /3 results were left out \(k\.root-servers\.net \(2\), 193\.0\.14\.129 \(1\)\); the sites are of example\.net/)
  })

  it('TARGET by name or by address: that target, its results under either name', async () => {
    for (const t of ['k.root-servers.net', 'K.ROOT-SERVERS.NET.', '193.0.14.129']) {
      const r = await readSitesInputs([mixed], {locs: null, probes, probesGiven: true, target: t})
      assert.deepEqual(rtts(r.obs), [['atlas:10', 1.5], ['atlas:11', 2.5], ['atlas:12', 3.5]], t)
      assert.match(r.warnings.join('\n'), /3 results were left out \(example\.net \(3\)\)/, t)
    }
  })

  it('a TARGET no result names is a label: the first target is read, and said', async () => {
    const r = await readSitesInputs([mixed], {locs: null, probes, probesGiven: true, target: 'my k-root study'})
    assert.deepEqual(rtts(r.obs), [['atlas:10', 150], ['atlas:11', 151], ['atlas:12', 152]])
    assert.match(r.warnings.join('\n'), /the sites are of example\.net/)
    assert.equal(r.askedRead, false)
    assert.equal((await readSitesInputs([mixed], {locs: null, probes, probesGiven: true, target: '193.0.14.129'})).askedRead, true)
    assert.equal((await readSitesInputs([mixed], {locs: null, probes, probesGiven: true})).askedRead, null)
  })

  it('sites TARGET --input, TARGET naming none of the measured targets: the document names the target read, never TARGET', async () => {
    // a probe list with one location at [0, 0]: its note rides in inputNotes too, not only on stderr
    const pf = join(dir, 'probes-zero.json')
    writeFileSync(pf, JSON.stringify({count: 3, next: null, results: [10, 11, 12].map((id, i) => ({id, country_code: 'NL', geometry: {type: 'Point', coordinates: id === 12 ? [0, 0] : [4 + i, 52 + i]}}))}))
    const r = await runCommand('sites', ['192.0.2.1', '--input', mixed, '--probes', pf, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.equal(doc.target, 'example.net')
    assert.ok(doc.inputNotes.some((n: string) => /192\.0\.2\.1 names none of the targets the input measured: the sites are of example\.net/.test(n)), doc.inputNotes.join('\n'))
    assert.ok(doc.inputNotes.some((n: string) => /1 at \[0, 0\] \(probe 12/.test(n)), doc.inputNotes.join('\n'))
    assert.match(r.stderr, /warning: 192\.0\.2\.1 names none/)
  })

  it("results that asked each probe's own resolver (use_probe_resolver, 192.168.x.x) are left out, not read as sites next to every probe", async () => {
    // RIPE Atlas DNS result with a resultset (docs: "dns" result format; sagan dns.py reads the same fields)
    const dns = (prb: number, server: string, rt: number): Record<string, unknown> => ({
      fw: 5080, lts: 20, msm_id: 3003, prb_id: prb, timestamp: 1733500000 + prb, type: 'dns', af: 4, from: '203.0.113.9', msm_name: 'Tdig', group_id: 3003,
      resultset: [{af: 4, dst_addr: server, lts: 20, proto: 'UDP', result: {ANCOUNT: 1, ARCOUNT: 0, ID: 7, NSCOUNT: 0, QDCOUNT: 1, rt, size: 45}, src_addr: '192.168.1.10', subid: 1, submax: 1, time: 1733500000 + prb}],
    })
    const own = join(dir, 'probe-resolvers.json')
    writeFileSync(own, JSON.stringify([dns(10, '192.168.178.1', 0.5), dns(11, '192.168.1.1', 0.8), dns(12, '10.0.0.1', 1.1), dns(13, 'fd00::1', 0.9)]))
    await assert.rejects(readSitesInputs([own], {locs: null, probes, probesGiven: true}), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && /4 results measured an address private to each probe's network/.test(e.message))
    // beside probes whose resolver is one public service: that service is the target, the private ones are said
    const mixed2 = join(dir, 'probe-resolvers-2.json')
    writeFileSync(mixed2, JSON.stringify([dns(10, '192.168.178.1', 0.5), dns(11, '9.9.9.9', 8), dns(12, '9.9.9.9', 12)]))
    const r = await readSitesInputs([mixed2], {locs: null, probes, probesGiven: true})
    assert.deepEqual(rtts(r.obs), [['atlas:11', 8], ['atlas:12', 12]])
    assert.match(r.warnings.join('\n'), /1 result measured an address private to each probe's network \(192\.168\.178\.1 \(1\)/)
  })

  it('a name the probes resolved to different servers (DNS steering): one address is analysed, the others said', async () => {
    // www.example.org measured by name, each probe resolving it itself (resolve_on_probe): three unicast front-ends
    const steered = join(dir, 'steered.ndjson')
    const rows = [ping(10, 4004, 'www.example.org', '192.0.2.10', 2), ping(11, 4004, 'www.example.org', '192.0.2.10', 3), ping(12, 4004, 'www.example.org', '192.0.2.20', 1), ping(13, 4004, 'www.example.org', '192.0.2.30', 4)]
    writeFileSync(steered, rows.map((l) => JSON.stringify(l)).join('\n'))
    const r = await readSitesInputs([steered], {locs: null, probes, probesGiven: true})
    assert.deepEqual(rtts(r.obs), [['atlas:10', 2], ['atlas:11', 3]])
    assert.match(r.warnings.join('\n'), /measured at 3 addresses .* the sites are of 192\.0\.2\.10 \(2 probes\); 2 probes' results of the others were left out \(192\.0\.2\.20 \(1\), 192\.0\.2\.30 \(1\)\)/)
    const one = await readSitesInputs([steered], {locs: null, probes, probesGiven: true, target: '192.0.2.30'})
    assert.deepEqual(rtts(one.obs), [['atlas:13', 4]])
  })

  it('sites --json carries what was left out as inputNotes (valid against the schema); stderr says the same', async () => {
    const pf = join(dir, 'probes.json')
    writeFileSync(pf, JSON.stringify({count: 3, next: null, results: [10, 11, 12].map((id, i) => ({id, country_code: 'NL', asn_v4: 3333, geometry: {type: 'Point', coordinates: [4 + i, 52 + i]}}))}))
    const r = await runCommand('sites', ['--input', mixed, '--probes', pf, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.equal(doc.inputNotes.length, 1, doc.inputNotes.join('\n'))
    assert.match(doc.inputNotes[0], /3 results were left out/)
    assert.match(r.stderr, /warning: .*3 results were left out/)
    const bare = await runCommand('sites', ['--input', mixed, '--probes', pf, 'k.root-servers.net', '--json'])
    assert.equal(JSON.parse(bare.stdout).target, 'k.root-servers.net')
  })

  it('a file of one target (v4 and v6 results of one name) has no warning and loses nothing', async () => {
    const one = join(dir, 'one.ndjson')
    writeFileSync(one, [ping(10, 1001, 'k.root-servers.net', '193.0.14.129', 1.5), ping(11, 1003, 'k.root-servers.net', '2001:7fd::1', 9)].map((l) => JSON.stringify(l)).join('\n'))
    const r = await readSitesInputs([one], {locs: null, probes, probesGiven: true, target: 'label'})
    assert.deepEqual(rtts(r.obs), [['atlas:10', 1.5], ['atlas:11', 9]])
    assert.deepEqual(r.warnings, [])
    // one target in the input: TARGET only labels it (neither read nor missed)
    assert.equal(r.askedRead, null)
  })
})

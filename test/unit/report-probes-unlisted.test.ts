// report --probes FILE whose metadata lacks some of the results' probes (RIPE Atlas's daily probe
// archive of another day, a probe list saved for another measurement) left those probes without a
// location and said nothing: no speed-of-light check for them, no place on the map, and nothing to
// tell the user the file was the wrong one. sites --input said it; report now says it too (stderr
// and input.notes). Results: RIPE Atlas "dns" results of the public format (abuf made with
// dns-packet); the probe file: the archive's {"objects": [...]} shape (id, latitude, longitude,
// country_code, asn_v4), as RIPE Atlas publishes it daily.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {probesNotListed} from '../../src/console/probes-flag.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-probes-unlisted-'))
after(() => rmSync(dir, {recursive: true, force: true}))

function dnsResult(prb: number, node: string): Record<string, unknown> {
  const abuf = dnsPacket
    .encode({type: 'response', id: prb, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: node}]})
    .toString('base64')
  return {fw: 5080, lts: 20, af: 4, dst_addr: '193.0.14.129', dst_name: '193.0.14.129', from: '203.0.113.9', msm_id: 10001, prb_id: prb, proto: 'UDP', src_addr: '192.168.1.10', timestamp: 1765090000 + prb, type: 'dns', result: {ANCOUNT: 1, ARCOUNT: 0, ID: prb, NSCOUNT: 0, QDCOUNT: 1, rt: 4, size: 80, abuf}}
}

const write = (name: string, value: unknown): string => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(value))
  return p
}

describe('report --probes that lacks some of the results\' probes', () => {
  const results = write('results.json', [dnsResult(6001, 'ns1.nl-ams.k.ripe.net'), dnsResult(6002, 'ns2.de-fra.k.ripe.net'), dnsResult(6003, 'ns1.jp-tyo.k.ripe.net')])

  it('says which are missing (stderr and input.notes); the listed probe is placed', async () => {
    const archive = write('archive.json', {objects: [{id: 6001, latitude: 52.37, longitude: 4.89, country_code: 'NL', asn_v4: 3333, status_name: 'Connected'}]})
    const r = await runCommand('report', [results, '--probes', archive, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    const note = /2 of the 3 RIPE Atlas probes in the results are not in the --probes metadata \(e\.g\. 6002, 6003\): they have no location here/
    assert.match(r.stderr, new RegExp(`warning: ${note.source}`))
    assert.equal(doc.input.notes.filter((n: string) => note.test(n)).length, 1)
    assert.doesNotMatch(doc.input.notes.join('\n'), /--probes api/) // report has no such option
    assert.equal(doc.vantagePoints.find((v: {vantage: {id: string}}) => v.vantage.id === 'atlas:6001').vantage.country, 'NL')
  })

  it('every probe listed: nothing said', async () => {
    const all = write('all.json', {objects: [6001, 6002, 6003].map((id) => ({id, latitude: 50, longitude: 8, country_code: 'DE', asn_v4: 3320}))})
    const r = await runCommand('report', [results, '--probes', all, '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout).input.notes, [])
    assert.doesNotMatch(r.stderr, /not in the --probes metadata/)
  })

  it('counts RIPE Atlas vantage points only (pure)', () => {
    assert.equal(probesNotListed(['atlas:1', 'netns:ap-vp-ber', 'atlas:2'], new Map([[1, {}]])), '1 of the 2 RIPE Atlas probes in the results is not in the --probes metadata (e.g. 2): it has no location here; give a probe list that holds them (every page of an API query, or the archive of the measurement\'s day)')
    assert.equal(probesNotListed(['netns:ap-vp-ber'], new Map()), null)
  })
})

describe('diff --probes that lacks some of a file\'s probes', () => {
  it('a probes-unlisted warning per file that has such probes (valid --json, stderr)', async () => {
    const before = write('before.json', [dnsResult(6001, 'ns1.nl-ams.k.ripe.net'), dnsResult(6002, 'ns2.de-fra.k.ripe.net')])
    const after = write('after.json', [dnsResult(6001, 'ns1.nl-ams.k.ripe.net'), dnsResult(6002, 'ns1.nl-ams.k.ripe.net')])
    const probes = write('probes-6001.json', {objects: [{id: 6001, latitude: 52.37, longitude: 4.89, country_code: 'NL', asn_v4: 3333}]})
    const r = await runCommand('diff', [before, after, '--probes', probes, '--json'])
    assert.equal(r.status, 8, r.stderr)
    const d = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    const w = d.warnings.filter((x: {code: string}) => x.code === 'probes-unlisted').map((x: {message: string}) => x.message)
    assert.equal(w.length, 2)
    assert.match(w[0], /before\.json: 1 of the 2 RIPE Atlas probes in the results is not in the --probes metadata \(e\.g\. 6002\)/)
    assert.match(w[1], /after\.json: 1 of the 2/)
    assert.match(r.stderr, /warning: .*before\.json: 1 of the 2 RIPE Atlas probes/)
    const all = write('probes-all.json', {objects: [6001, 6002].map((id) => ({id, latitude: 52.37, longitude: 4.89, country_code: 'NL', asn_v4: 3333}))})
    const ok = JSON.parse((await runCommand('diff', [before, after, '--probes', all, '--json'])).stdout)
    assert.deepEqual(ok.warnings.filter((x: {code: string}) => x.code === 'probes-unlisted'), [])
  })
})

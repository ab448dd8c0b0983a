// `sites` reads iGreedy2.0's own files as they are published: a campaign file for --input
// (test/fixtures/sites/igreedy2-campaign-excerpt.json: the first 40 probes of the Cloudflare
// campaign whose whole table is cloudflare-atlas-300.tsv) and JSON site lists for --truth
// (root-servers.org's, iGreedy2.0's operator lists). The campaign file must give the same sites as
// the same probes' table lines: the two readers cannot drift apart.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {campaignObservation, looksLikeIGreedyCampaign, readIGreedyCampaign} from '../../src/store/igreedy-campaign.js'
import {newStats} from '../../src/store/read.js'
import {parseTruth} from '../../src/store/truth-file.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {SITES_DIR} from '../helpers/sites-fixtures.js'

const EXCERPT = join(SITES_DIR, 'igreedy2-campaign-excerpt.json')
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-igreedy-'))

async function* chunks(text: string, size = 97): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
}

async function readAll(text: string): Promise<{obs: Awaited<ReturnType<typeof campaignObservation>>[]; stats: ReturnType<typeof newStats>; target: string | null}> {
  const stats = newStats()
  const meta = {target: null as string | null}
  const obs = []
  for await (const o of readIGreedyCampaign(chunks(text), stats, meta)) obs.push(o)
  return {obs, stats, target: meta.target}
}

describe('iGreedy2.0 campaign files (--input)', () => {
  it('are told from tables and from anyprobe / RIPE Atlas JSON by their content', () => {
    assert.equal(looksLikeIGreedyCampaign(readFileSync(EXCERPT, 'utf8').slice(0, 8192)), true)
    assert.equal(looksLikeIGreedyCampaign('{"schemaVersion": 1, "kind": "multi", "outcomes": []}'), false)
    assert.equal(looksLikeIGreedyCampaign('[{"type": "ping", "prb_id": 1}]'), false)
    assert.equal(looksLikeIGreedyCampaign('1000140 53.4 14.5 10.4'), false)
  })

  it('every ping is read, streamed in small chunks, with the target', async () => {
    const {obs, stats, target} = await readAll(readFileSync(EXCERPT, 'utf8'))
    assert.equal(target, '104.16.123.96')
    assert.equal(stats.values, 80)
    assert.equal(stats.unparseable, 0)
    assert.equal(obs.length, 80)
    assert.deepEqual(obs[0], {vp: '1000140', lat: 53.4275, lon: 14.5295, rttMs: 10.448611, identity: null})
  })

  it('a bad element is counted with its index and the rest kept; a file cut short keeps what came before', async () => {
    const text = '{"target": "192.0.2.1", "measurement_results": [{"hostname": "1", "latitude": 50, "longitude": 8, "rtt_ms": 1.5}, {"latitude": 1}, {"hostname": 2, "latitude": 95, "longitude": 8, "rtt_ms": null}, {"hostname": "3", "latitude": 50, "longitude": 9, "rtt_ms": "x"}, {"hostname": "4", "lati'
    const {obs, stats} = await readAll(text)
    assert.deepEqual(obs, [
      {vp: '1', lat: 50, lon: 8, rttMs: 1.5, identity: null},
      // an impossible latitude is no location, a null RTT no RTT: both counted by the analysis
      {vp: '2', lat: null, lon: null, rttMs: null, identity: null},
    ])
    // two bad elements, and the broken rest
    assert.equal(stats.unparseable, 3)
    assert.deepEqual(
      stats.errors.map((e) => e.where),
      ['measurement_results[1]', 'measurement_results[3]', 'the file'],
    )
    assert.equal(stats.truncated, true)
  })

  it('`sites` on a campaign file cut short: the sites of what came before, E_BAD_INPUT, exit 7', async () => {
    const text = readFileSync(EXCERPT, 'utf8')
    const cut = join(dir, 'cut.json')
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)))
    const r = await runCommand('sites', ['--input', cut])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stdout, /anycast {5}yes/)
    assert.match(r.stderr, /E_BAD_INPUT: .*cut\.json: 1 of \d+ values could not be used \(the input breaks off/)
  })

  it('`sites --input` on the campaign file gives what the same probes\' table lines give', async () => {
    const table = readFileSync(join(SITES_DIR, 'cloudflare-atlas-300.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .slice(0, 40)
    const tsv = join(dir, 'same.tsv')
    writeFileSync(tsv, table.join('\n') + '\n')
    const fromJson = await runCommand('sites', ['--input', EXCERPT, '--json'])
    const fromTable = await runCommand('sites', ['--input', tsv, '--json'])
    assert.equal(fromJson.status, 0, fromJson.stderr)
    assert.equal(fromTable.status, 0, fromTable.stderr)
    const a = JSON.parse(fromJson.stdout) as Record<string, unknown>
    const b = JSON.parse(fromTable.stdout) as Record<string, unknown>
    assert.deepEqual(schemaErrors('sites.schema.json', a), [])
    assert.equal(a.target, '104.16.123.96')
    assert.equal(a.anycast, true)
    assert.ok((a.sites as unknown[]).length >= 2)
    assert.deepEqual(a.sites, b.sites)
    assert.deepEqual(a.vantagePoints, b.vantagePoints)
  })

  it('--probes with a campaign file is a usage error: its results carry their own locations', async () => {
    const probes = join(dir, 'probes.json')
    writeFileSync(probes, JSON.stringify([{id: 1000140, geometry: {type: 'Point', coordinates: [14.5295, 53.4275]}}]))
    const r = await runCommand('sites', ['--input', EXCERPT, '--probes', probes])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /E_USAGE[\s\S]*iGreedy2\.0 campaign/)
  })
})

// the first entries of root-servers.org's K-root list as iGreedy2.0 ships it (root_servers_K.json), verbatim but for the fields not read
const ROOT_K = `{"ASN": 25152, "IPv4": "193.0.14.129", "Sites": [
 {"BGP Site Identifier": "1011", "Country": "AM", "Identifiers": ["ns1.am-abo.k.ripe.net"], "Latitude": 40.2714761, "Longitude": 44.6333951, "Status": "operational", "Town": "Abovyan", "Type": "Global"},
 {"BGP Site Identifier": "1", "Country": "NL", "Identifiers": ["ns3.nl-ams.k.ripe.net"], "Latitude": 52.3727598, "Longitude": 4.8936041, "Town": "Amsterdam", "Type": "Global"},
 {"BGP Site Identifier": "1107", "Country": "DE", "Identifiers": ["ns2.de-ber.k.ripe.net"], "Latitude": 52.5170365, "Longitude": 13.3888599, "Town": "Berlin", "Type": "Global"},
 {"BGP Site Identifier": "1075", "Country": "DE", "Identifiers": ["ns1.de-ber.k.ripe.net"], "Latitude": 52.5170365, "Longitude": 13.3888599, "Town": "Berlin", "Type": "Global"},
 {"BGP Site Identifier": "1086", "Country": "AR", "Identifiers": ["ns1.ar-bue.k.ripe.net"], "Latitude": -34.6075682, "Longitude": -58.4370894, "Town": "Buenos Aires", "Type": "Global"}]}`

describe('JSON site lists (--truth)', () => {
  it('root-servers.org: each site at its coordinates, named COUNTRY-TOWN; two sites in one town count once', () => {
    const t = parseTruth(ROOT_K, 'root_servers_K.json')
    assert.deepEqual(t.sites, [
      {code: 'AM-ABOVYAN', lat: 40.2714761, lon: 44.6333951},
      {code: 'NL-AMSTERDAM', lat: 52.3727598, lon: 4.8936041},
      {code: 'DE-BERLIN', lat: 52.5170365, lon: 13.3888599},
      {code: 'AR-BUENOS_AIRES', lat: -34.6075682, lon: -58.4370894},
    ])
  })

  it('iGreedy2.0\'s operator list: IATA codes at their coordinates (AMS listed twice there), a site without coordinates at its airport', () => {
    const t = parseTruth('[{"IATA_code": "AMS", "city_name": "Amsterdam", "latitude": 52.3086013794, "longitude": 4.7638897896}, {"IATA_code": "AMS", "latitude": 52.3, "longitude": 4.7}, {"IATA_code": "CDG"}, {"IATA_code": "QQ9"}]', 'list.json')
    assert.deepEqual(t.sites[0], {code: 'AMS', lat: 52.3086013794, lon: 4.7638897896})
    assert.equal(t.sites.length, 2)
    assert.equal(t.sites[1]!.code, 'CDG')
    assert.ok(Math.abs(t.sites[1]!.lat - 49.01) < 0.1, JSON.stringify(t.sites[1]))
    assert.deepEqual(t.unplaced, ['QQ9'])
  })

  it('JSON that is not a site list, a site with no name, bad coordinates: E_BAD_INPUT saying where (exit 2)', () => {
    const rejects = (text: string, re: RegExp): void =>
      assert.throws(
        () => parseTruth(text, 'list.json'),
        (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && re.test(e.message),
      )
    rejects('{"Sites": [', /not JSON/)
    rejects('{"ASN": 25152}', /neither an array/)
    rejects('[{"latitude": 1, "longitude": 2}]', /site 1: no code/)
    rejects('{"Sites": [{"Town": "X", "Latitude": 91, "Longitude": 2}]}', /site 1 \(X\)/)
  })

  it('`sites --truth` scores against a JSON list as against the same sites\' table', async () => {
    const rows = readFileSync(join(SITES_DIR, 'cloudflare-europe-published.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t'))
    const json = join(dir, 'cloudfare_servers_europe.json')
    writeFileSync(json, JSON.stringify(rows.map(([code, lat, lon, city]) => ({IATA_code: code, city_name: city, latitude: Number(lat), longitude: Number(lon)}))))
    const campaign = join(SITES_DIR, 'cloudflare-atlas-300.tsv')
    const viaJson = await runCommand('sites', ['--input', campaign, '--truth', json, '--json'])
    const viaTable = await runCommand('sites', ['--input', campaign, '--truth', join(SITES_DIR, 'cloudflare-europe-published.tsv'), '--json'])
    // 9: three of the campaign's probes have no RTT ("-"), the target answered the others
    assert.equal(viaJson.status, 9, viaJson.stderr)
    const a = JSON.parse(viaJson.stdout) as {score: {hits: number; truth: number}}
    const b = JSON.parse(viaTable.stdout) as {score: {hits: number; truth: number}}
    assert.equal(a.score.truth, 56)
    assert.ok(a.score.hits > 0)
    assert.deepEqual(a.score, b.score)
  })
})

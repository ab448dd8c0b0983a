// `sites --input` on a latency table as iGreedy / MiGreedy read them (ID LAT LON RTT...): the line
// reader, the detection from the content, and the command on a committed campaign compared with the
// analysis run on the same observations (the eval's loader), so the two paths cannot drift.
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {describe, it} from 'node:test'

import {findSites} from '../../src/analysis/sites/index.js'
import type {SiteObservation} from '../../src/model/sites.js'
import {looksLikeLatencyTable, MAX_TABLE_LINE, readLatencyTable, tableObservation} from '../../src/store/latency-table.js'
import {newStats} from '../../src/store/read.js'
import {peekStream} from '../../src/util/peek.js'
import {loadPublishedCampaign} from '../../bench/sites-campaigns.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {loadCampaign, SITES_DIR} from '../helpers/sites-fixtures.js'

async function all<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of g) out.push(x)
  return out
}

/** The text cut into chunks of `n` bytes (lines split across chunks, as a pipe delivers them). */
const chunks = (text: string, n: number): Readable => {
  const b = Buffer.from(text)
  const parts: Buffer[] = []
  for (let i = 0; i < b.length; i += n) parts.push(b.subarray(i, i + n))
  return Readable.from(parts)
}

describe('latency table lines', () => {
  it('tabs, commas, semicolons or blanks; the lowest positive RTT; "-" is no answer', () => {
    assert.deepEqual(tableObservation('6002\t59.9\t10.7\t1.5\t1.1'), {vp: '6002', lat: 59.9, lon: 10.7, rttMs: 1.1, identity: null})
    assert.deepEqual(tableObservation('pl1.example.org,48.1,11.6,-,7.25'), {vp: 'pl1.example.org', lat: 48.1, lon: 11.6, rttMs: 7.25, identity: null})
    assert.deepEqual(tableObservation('a;1;2;3'), {vp: 'a', lat: 1, lon: 2, rttMs: 3, identity: null})
    assert.deepEqual(tableObservation('  x   -33.9  151.2   12  '), {vp: 'x', lat: -33.9, lon: 151.2, rttMs: 12, identity: null})
    assert.equal((tableObservation('x 1 2 - *') as {rttMs: number | null}).rttMs, null)
    assert.deepEqual(tableObservation('6372\t-\t-\t-\t-'), {vp: '6372', lat: null, lon: null, rttMs: null, identity: null})
  })
  it('a text column (MiGreedy\'s site column, the ground truth) is skipped, never read as an identity', () => {
    assert.deepEqual(tableObservation('6002\t59.91\t10.75\tosl\t1'), {vp: '6002', lat: 59.91, lon: 10.75, rttMs: 1, identity: null})
  })
  it('an RTT <= 0 alone is kept for the analysis to count as impossible; beside a positive one the positive counts', () => {
    const rtt = (line: string): number | null => (tableObservation(line) as SiteObservation).rttMs
    assert.equal(rtt('x 1 2 0'), 0)
    assert.equal(rtt('x 1 2 -3'), -3)
    assert.equal(rtt('x 1 2 0 4'), 4)
  })
  it('a location out of range is no location; too few columns or text coordinates say why', () => {
    const o = tableObservation('x 95 2 3')
    assert.ok(typeof o !== 'string')
    assert.equal(o.lat, null)
    assert.match(tableObservation('x 1 2') as string, /3 columns/)
    assert.match(tableObservation('x north 2 3') as string, /not numbers/)
  })
  it('ids from the file are sanitised (no terminal escapes)', () => {
    const o = tableObservation('\u001b[31mred\t1\t2\t3')
    assert.ok(typeof o !== 'string')
    assert.doesNotMatch(o.vp, /\u001b/)
  })
})

describe('detecting a latency table', () => {
  it('the committed campaigns (MiGreedy with a header and a site column, iGreedy2.0 transcribed with "-") are tables', () => {
    assert.equal(looksLikeLatencyTable('#hostname\tlatitude\tlongitude\tsite\trtt\n6002\t59.9\t10.7\tosl\t1\n'), true)
    assert.equal(looksLikeLatencyTable('probe,lat,lon,rtt\n1,2,3,4\n'), true)
    assert.equal(looksLikeLatencyTable('1 2 3 4'), true)
  })
  it('JSON, NDJSON and prose are not', () => {
    assert.equal(looksLikeLatencyTable('[{"prb_id": 1}]'), false)
    assert.equal(looksLikeLatencyTable('{"kind":"outcome"}\n{"kind":"outcome"}\n'), false)
    assert.equal(looksLikeLatencyTable('hello world this is\nnot a table at all\n'), false)
    assert.equal(looksLikeLatencyTable(''), false)
  })
})

describe('reading a latency table', () => {
  it('chunk boundaries anywhere: the same observations; header and comments skipped; bad lines counted with their line number', async () => {
    const text = '#probe lat lon rtt\nprobe\tlatitude\tlongitude\trtt\n1\t10\t20\t5\n# a comment\n2\t11\t21\t6\t4\nbroken line\n3\t12\t22\t-\n'
    for (const n of [1, 3, 7, 1000]) {
      const stats = newStats()
      const got = await all(readLatencyTable(chunks(text, n), stats))
      assert.deepEqual(
        got.map((o) => [o.vp, o.rttMs]),
        [
          ['1', 5],
          ['2', 4],
          ['3', null],
        ],
        `chunk size ${n}`,
      )
      assert.equal(stats.values, 4)
      assert.equal(stats.unparseable, 1)
      assert.equal(stats.errors[0]!.where, 'line 6')
      assert.equal(stats.format, 'table')
    }
  })
  it('a line longer than a table line is cut where it passes the cap (never held whole), counted, and the lines after it are read', async () => {
    const long = `x\t1\t2\t${'9'.repeat(MAX_TABLE_LINE * 3)}`
    const text = `a\t10\t20\t5\n${long}\nb\t11\t21\t6\n`
    const stats = newStats()
    const got = await all(readLatencyTable(chunks(text, 1000), stats))
    assert.deepEqual(got.map((o) => o.vp), ['a', 'b'])
    assert.equal(stats.unparseable, 1)
    assert.deepEqual(stats.errors[0], {where: 'line 2', message: `longer than ${MAX_TABLE_LINE} characters`})
  })
  it('peekStream gives the head and then every byte again', async () => {
    const text = 'x'.repeat(20_000) + '\nend'
    const {head, stream} = await peekStream(chunks(text, 4096), 8192)
    assert.ok(head.length >= 8192 && head.length < text.length)
    const back = Buffer.concat((await all(stream)).map((c) => Buffer.from(c))).toString()
    assert.equal(back, text)
  })
})

describe('anyprobe sites --input TABLE', () => {
  it('a committed RIPE Atlas campaign as a table: the same sites as the analysis of the same observations, schema-valid', async () => {
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'cloudflare-atlas-300.tsv'), '--json'])
    // 9: three of the campaign's probes have no RTT ("-"), the target answered the others
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    const want = findSites(loadPublishedCampaign('cloudflare-atlas-300.tsv', 'cloudflare-europe-published.tsv').obs)
    assert.equal(doc.anycast, true)
    assert.equal(doc.lowerBound, want.lowerBound)
    assert.deepEqual(
      doc.sites.map((s: {city: string}) => s.city),
      want.sites.map((s) => s.city),
    )
    // 291 lines, 3 probes without a location or an answer ("-"): counted, not unparseable
    assert.equal(doc.vantagePoints.total, 291)
    assert.equal(doc.excluded.noLocation + doc.excluded.noRtt, 3)
  })
  it('MiGreedy\'s file with the truth column: latency only (the truth is not read as identities)', async () => {
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'k-ripe-sample.tsv'), '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.ok(doc.sites.every((s: {source: string; confirmed: boolean}) => s.source !== 'identity' && !s.confirmed))
    assert.equal(doc.vantagePoints.total, loadCampaign('k-ripe-sample.tsv').obs.length)
  })
  it('bad lines: the sites of the good ones, then E_BAD_INPUT with the count (exit 7); --probes with a table is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-table-'))
    const f = join(dir, 't.tsv')
    writeFileSync(f, 'a\t52.37\t4.89\t1\nb\t40.71\t-74.0\t1\nnot a line\n')
    const r = await runCommand('sites', ['--input', f])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stdout, /anycast {5}yes/)
    assert.match(r.stderr, /E_BAD_INPUT.*1 of 3 values/)
    const probes = join(dir, 'probes.json')
    writeFileSync(probes, JSON.stringify([{id: 1, latitude: 52.4, longitude: 4.9}]))
    const p = await runCommand('sites', ['--input', f, '--probes', probes])
    assert.equal(p.status, 2)
    assert.match(p.stderr, /latency table/)
  })
})

describe('anyprobe sites --input - (standard input)', () => {
  it('a table piped in is read as the table, not swallowed as the missing TARGET', async () => {
    const {spawnSync} = await import('node:child_process')
    const {readFileSync} = await import('node:fs')
    const {commandScript, ROOT} = await import('../helpers/cli.js')
    const text = readFileSync(join(SITES_DIR, 'cira-ripe.tsv'), 'utf8')
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', commandScript('sites', ['--input', '-', '--json'])], {cwd: ROOT, input: text, encoding: 'utf8', timeout: 30_000})
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.vantagePoints.total, loadCampaign('cira-ripe.tsv').obs.length)
    assert.equal(doc.anycast, true)
  })
})

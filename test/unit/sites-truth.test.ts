// `sites --truth FILE`: the site list reader (codes placed at their airport, coordinates as given,
// unknown codes left out by name) and the score, checked against the evaluation's own scoring of
// the same campaign (bench/sites-eval.ts' loader and scoreSites), so the product and the published
// figures cannot drift apart.
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {citySource, findSites, iGreedyBaseline, scoreSites} from '../../src/analysis/sites/index.js'
import {scoreAgainst} from '../../src/analysis/sites/score.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {parseTruth} from '../../src/store/truth-file.js'
import {loadPublishedCampaign} from '../../bench/sites-campaigns.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {SITES_DIR} from '../helpers/sites-fixtures.js'

describe('the site list of --truth', () => {
  it('a code alone is placed at its airport; coordinates are taken as given; a repeated code is one site', () => {
    const t = parseTruth('#IATA\nams\nCDG 49.0 2.5 Paris\nAMS\n', 'list')
    assert.deepEqual(
      t.sites.map((s) => s.code),
      ['AMS', 'CDG'],
    )
    assert.ok(Math.abs(t.sites[0]!.lat - 52.31) < 0.1 && Math.abs(t.sites[0]!.lon - 4.76) < 0.1, JSON.stringify(t.sites[0]))
    assert.deepEqual(t.sites[1], {code: 'CDG', lat: 49, lon: 2.5})
    assert.deepEqual(t.unplaced, [])
  })
  it('entries at one place (within 25 km of one listed before) are one site; 40 km apart are two', () => {
    // root-servers.org lists E-root's Amsterdam twice, 12 km apart, and K-root's Berlin twice at one point
    const t = parseTruth('NL-Amsterdam 52.35 4.9166667\nNL-Amsterdam-2 52.308601 4.76389\nDE-Berlin 52.5170365 13.3888599\nDE-Berlin-2 52.5170365 13.3888599\nNL-Rotterdam 51.92 4.48\n', 'list')
    assert.deepEqual(t.sites.map((x) => x.code), ['NL-AMSTERDAM', 'DE-BERLIN', 'NL-ROTTERDAM'])
    assert.equal(t.merged, 2)
    const score = scoreAgainst([{lat: 52.37, lon: 4.9, city: 'Amsterdam'}], t.sites, t.unplaced, undefined, t.merged)
    assert.equal(score.truth, 3)
    assert.equal(score.hits, 1)
    assert.equal(score.samePlace, 2)
  })
  it('a code with no known place is named in unplaced, never guessed', () => {
    const t = parseTruth('AMS\nQQ9\n', 'list')
    assert.deepEqual(t.unplaced, ['QQ9'])
    assert.equal(t.sites.length, 1)
  })
  it('bad coordinates and an empty list are E_BAD_INPUT with the line (exit 2)', () => {
    assert.throws(
      () => parseTruth('AMS 95 4\n', 'list'),
      (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && /line 1/.test(e.message),
    )
    assert.throws(() => parseTruth('# nothing\n', 'list'), /no site/)
  })
  it('another file given as the list is refused (exit 2), not scored as sites nobody can place', () => {
    const usage = (re: RegExp) => (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && re.test(e.message)
    assert.throws(() => parseTruth('root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n', 'passwd'), usage(/none of its 2 code\(s\) is a known place/))
    assert.throws(() => parseTruth('garbage {{{\nQQ9\n', 'junk'), usage(/none of its 2 code\(s\) is a known place \(GARBAGE, QQ9\)/))
    // one known place is enough: the others are named as unplaced
    assert.deepEqual(parseTruth('QQ9\nAMS\n', 'list').unplaced, ['QQ9'])
  })
})

describe('scoreAgainst', () => {
  it('hits within 100 km, each listed site once; the missed codes and the unmatched sites by name', () => {
    const found = [
      {lat: 52.37, lon: 4.89, city: 'Amsterdam'},
      {lat: 52.3, lon: 4.8, city: 'Haarlem'},
      {lat: 48.86, lon: 2.35, city: 'Paris'},
      {lat: 35.68, lon: 139.69, city: 'Tokyo'},
    ]
    const truth = [
      {code: 'AMS', lat: 52.31, lon: 4.76},
      {code: 'CDG', lat: 49.01, lon: 2.55},
      {code: 'LHR', lat: 51.47, lon: -0.46},
    ]
    const s = scoreAgainst(found, truth, ['QQ9'])
    assert.equal(s.hits, 2)
    assert.equal(s.precision, 0.5)
    assert.equal(s.recall, 2 / 3)
    assert.deepEqual(s.missed, ['LHR'])
    // Haarlem is nearer AMS than Amsterdam is: it takes the hit, Amsterdam is the second one there
    assert.deepEqual(s.unmatched, ['Amsterdam', 'Tokyo'])
    assert.deepEqual(s.unplaced, ['QQ9'])
  })
})

describe('anyprobe sites --truth', () => {
  it('the score of a committed campaign against its published list is the evaluation\'s own, schema-valid', async () => {
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'cloudflare-atlas-500.tsv'), '--truth', join(SITES_DIR, 'cloudflare-europe-published.tsv'), '--json'])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    const c = loadPublishedCampaign('cloudflare-atlas-500.tsv', 'cloudflare-europe-published.tsv')
    const want = scoreSites(findSites(c.obs).sites, c.truth)
    assert.equal(doc.score.hits, want.hits)
    assert.equal(doc.score.found, want.found)
    assert.equal(doc.score.truth, want.truth)
    assert.equal(doc.score.precision, want.precision)
    assert.equal(doc.score.missed.length, want.truth - want.hits)
    assert.equal(doc.score.unmatched.length, want.found - want.hits)
  })
  it('the table says the score, the missed codes and the unlisted sites', async () => {
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'cloudflare-planetlab.tsv'), '--truth', join(SITES_DIR, 'cloudflare-published.txt')])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^score {7}precision \d\.\d\d, recall \d\.\d\d: \d+ hits of \d+ found, 32 listed/m)
    assert.match(r.stdout, /^missed {6}[A-Z]{3}( [A-Z]{3})*$/m)
  })
  it('a bad list is a usage error before anything is read or measured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-truth-'))
    const f = join(dir, 'truth.txt')
    writeFileSync(f, 'AMS 500 4\n')
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'cloudflare-atlas-300.tsv'), '--truth', f])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /E_BAD_INPUT.*line 1/)
    assert.equal(r.stdout, '')
  })
})

describe('anyprobe sites --igreedy', () => {
  it('the peer on the same observations, scored with --truth: the evaluation\'s iGreedy row, schema-valid', async () => {
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'cloudflare-atlas-300.tsv'), '--truth', join(SITES_DIR, 'cloudflare-europe-published.tsv'), '--igreedy', '--json'])
    // 9: three of the campaign's probes have no RTT ("-"), the target answered the others
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    const c = loadPublishedCampaign('cloudflare-atlas-300.tsv', 'cloudflare-europe-published.tsv')
    const peer = iGreedyBaseline(c.obs, citySource)
    assert.equal(doc.igreedy.method, 'igreedy')
    assert.equal(doc.igreedy.lowerBound, peer.lowerBound)
    assert.equal(doc.igreedy.sites.length, peer.sites.length)
    assert.equal(doc.igreedy.score.hits, scoreSites(peer.sites, c.truth).hits)
    // on this campaign sites finds more than the peer at the same precision (README table)
    assert.ok(doc.score.hits > doc.igreedy.score.hits, `${doc.score.hits} vs ${doc.igreedy.score.hits}`)
    const t = await runCommand('sites', ['--input', join(SITES_DIR, 'cloudflare-atlas-300.tsv'), '--truth', join(SITES_DIR, 'cloudflare-europe-published.tsv'), '--igreedy'])
    assert.match(t.stdout, /^iGreedy {5}\d+ found; at least \d+ \(the peer's method on the same data\); precision \d\.\d\d, recall \d\.\d\d: \d+ hits$/m)
  })
})

describe('the site list of --truth: a header line', () => {
  it('a first line naming its columns is skipped, not read as the code "CODE"', () => {
    const t = parseTruth('code\tlat\tlon\tname\nAMS\t52.31\t4.76\tAmsterdam\n', 'list')
    assert.deepEqual(t.sites.map((s) => s.code), ['AMS'])
    assert.deepEqual(t.unplaced, [])
  })
})

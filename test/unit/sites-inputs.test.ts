// `sites --input A --input B`: several campaigns towards one target read together. Recall is bounded
// by how many vantage points there are, so two real K-root campaigns together must find more listed
// sites than either alone (computed here from the committed files, not written down); a vantage point
// in both counts once, with its lowest RTT; a file that breaks off loses nothing read from the others.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {readSitesInputs} from '../../src/console/sites-input.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {SITES_DIR} from '../helpers/sites-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-inputs-'))
const K = ['k-atlas-300.tsv', 'k-atlas-section1.tsv'].map((f) => join(SITES_DIR, f))
const K_LIST = join(SITES_DIR, 'root-k-published.tsv')

async function hits(inputs: string[]): Promise<{hits: number; found: number; vps: number; status: number | null}> {
  const r = await runCommand('sites', [...inputs.flatMap((f) => ['--input', f]), '--truth', K_LIST, '--json'])
  assert.equal(r.status, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
  return {hits: doc.score.hits, found: doc.score.found, vps: doc.vantagePoints.used, status: r.status}
}

describe('sites --input, several files', () => {
  it('two K-root campaigns together find more listed sites than either alone', async () => {
    const [a, b, both] = await Promise.all([hits([K[0]!]), hits([K[1]!]), hits(K)])
    assert.ok(both.hits > Math.max(a.hits, b.hits), `together ${both.hits} hits, alone ${a.hits} and ${b.hits}`)
    // the probes in both campaigns count once
    const ids = (f: string): Set<string> => new Set(readFileSync(f, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('\t')[0]!))
    const union = new Set([...ids(K[0]!), ...ids(K[1]!)])
    assert.ok(both.vps <= union.size && both.vps > Math.max(a.vps, b.vps), `${both.vps} vantage points used of ${union.size} distinct probes`)
  })

  it('a vantage point in two files counts once, with its lowest RTT', async () => {
    const one = join(dir, 'one.tsv')
    const two = join(dir, 'two.tsv')
    writeFileSync(one, '1 50.11 8.68 2.5\n2 48.85 2.35 4.0\n')
    writeFileSync(two, '1 50.11 8.68 9.5 7.0\n3 52.37 4.9 1.0\n')
    const r = await readSitesInputs([one, two], {locs: null, probesGiven: false})
    assert.deepEqual(
      r.obs.map((o) => [o.vp, o.rttMs]),
      [
        ['1', 2.5],
        ['2', 4.0],
        ['3', 1.0],
      ],
    )
    assert.deepEqual(r.errors, [])
  })

  it('a file that breaks off is said (exit 7) and the sites of everything read are still printed', async () => {
    const cut = join(dir, 'cut.json')
    const text = readFileSync(join(SITES_DIR, 'igreedy2-campaign-excerpt.json'), 'utf8')
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)))
    const r = await runCommand('sites', ['--input', K[0]!, '--input', cut, '--json'])
    assert.equal(r.status, 7, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.anycast, true)
    assert.ok(doc.vantagePoints.used > 280, `${doc.vantagePoints.used} used: the whole K campaign and the start of the cut file`)
    assert.match(r.stderr, /E_BAD_INPUT.*cut\.json/)
  })

  it('files naming different targets are read as one, with a warning; standard input only once', async () => {
    const a = join(dir, 'a.json')
    const b = join(dir, 'b.json')
    const text = readFileSync(join(SITES_DIR, 'igreedy2-campaign-excerpt.json'), 'utf8')
    writeFileSync(a, text)
    writeFileSync(b, text.replaceAll('104.16.123.96', '192.0.2.53'))
    const r = await readSitesInputs([a, b], {locs: null, probesGiven: false})
    assert.equal(r.target, '104.16.123.96')
    assert.match(r.warnings.join('\n'), /different targets: 104\.16\.123\.96 \(.*a\.json\), 192\.0\.2\.53 \(.*b\.json\)/)
    const twice = await runCommand('sites', ['--input', '-', '--input', '-'])
    assert.equal(twice.status, 2)
    assert.match(twice.stderr, /E_USAGE.*standard input/)
  })
})

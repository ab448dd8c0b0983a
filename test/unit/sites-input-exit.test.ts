// `sites --input`: the exit code follows the rule of every command (model/exit.ts; README "Errors
// and exit codes"), over the vantage points read: 0 the target answered every one, 9 some, 4 none,
// 7 first when some input could not be used. It was 0 whatever the probes said (a RIPE Atlas
// download in which 200 of 276 probes timed out, or all of them, exited 0 where `report` of the same
// file said 9 and 4). The results below are RIPE Atlas ping results as the API returns them
// (a timed-out probe: rcvd 0, min -1, result [{"x": "*"}]; the shape of /tmp/rY's real-shaped files
// and of https://atlas.ripe.net/docs/apis/result-format/ ping), with made-up probes and RTTs.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {readSitesInputs, sitesInputExit} from '../../src/console/sites-input.js'
import {AnyprobeError, EXIT} from '../../src/model/errors.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {atlasPing, atlasProbesBody} from '../helpers/sites-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-sites-exit-'))

const PROBES = [
  {id: 101, lat: 59.94, lon: 10.84},
  {id: 102, lat: 50.08, lon: 14.44},
  {id: 103, lat: 37.34, lon: -121.89},
  {id: 104, lat: 52.37, lon: 4.9},
  {id: 105, lat: 35.69, lon: 139.69},
  {id: 106, lat: -33.87, lon: 151.21},
]

const ping = atlasPing

/** A download where the probes in `silent` timed out; and the probe file locating every probe. */
function files(name: string, silent: ReadonlySet<number>): {results: string; probes: string} {
  const results = join(dir, `${name}.json`)
  const probes = join(dir, 'probes.json')
  writeFileSync(results, JSON.stringify(PROBES.map((p, i) => ping(p.id, silent.has(p.id) ? null : 1 + i))))
  writeFileSync(probes, JSON.stringify(atlasProbesBody(PROBES)))
  return {results, probes}
}

describe('sites --input: the exit code says who answered, as report says it', () => {
  for (const [name, silent, code] of [
    ['every probe answered', [], EXIT.ok],
    ['some probes timed out', [101, 105], EXIT.partial],
    ['every probe timed out', PROBES.map((p) => p.id), EXIT.unreachable],
  ] as const) {
    it(`${name}: exit ${code}, the same as report's`, async () => {
      const f = files(name.replace(/ /g, '-'), new Set(silent))
      const [sites, report] = await Promise.all([runCommand('sites', ['--input', f.results, '--probes', f.probes, '--json']), runCommand('report', [f.results, '--probes', f.probes, '--json'])])
      assert.equal(sites.status, code, sites.stderr)
      assert.equal(report.status, code, report.stderr)
      assert.equal(JSON.parse(sites.stdout).vantagePoints.total, PROBES.length)
    })
  }

  it('a latency table line with no RTT ("-") is a vantage point the target did not answer: 9', async () => {
    const table = join(dir, 'table.tsv')
    writeFileSync(table, '1 50.11 8.68 2.5\n2 48.85 2.35 -\n3 52.37 4.9 1.0\n')
    const r = await runCommand('sites', ['--input', table])
    assert.equal(r.status, EXIT.partial, r.stderr)
  })

  it('a vantage point that answered in any of several files counts as answered', async () => {
    const a = join(dir, 'a.tsv')
    const b = join(dir, 'b.tsv')
    writeFileSync(a, '1 50.11 8.68 -\n2 48.85 2.35 4.0\n')
    writeFileSync(b, '1 50.11 8.68 3.0\n')
    const r = await readSitesInputs([a, b], {locs: null, probesGiven: false})
    assert.equal(r.answered, 2)
    assert.equal(sitesInputExit(r, {writeFailed: false, locate: null}), EXIT.ok)
    // and the order of the files does not matter
    const back = await readSitesInputs([b, a], {locs: null, probesGiven: false})
    assert.equal(back.answered, 2)
  })

  it('input that could not be used (7) comes first, even when nothing answered', async () => {
    const f = files('cut', new Set(PROBES.map((p) => p.id)))
    const cut = join(dir, 'cut.json')
    const text = JSON.stringify(PROBES.map((p) => ping(p.id, null)))
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.7)))
    const r = await runCommand('sites', ['--input', cut, '--probes', f.probes])
    assert.equal(r.status, EXIT.data, r.stderr)
  })

  it('the precedence of model/exit.ts: 7 > --probes api unreachable (6) > 4 > 9 > 10 > 0; own failures only: 6', () => {
    const obs = [1, 2, 3].map((i) => ({vp: String(i), lat: 0, lon: 0, rttMs: null, identity: null}))
    const data = new AnyprobeError('E_BAD_INPUT', 'cut', {exitCode: EXIT.data})
    const net = new AnyprobeError('E_NETWORK', 'api', {exitCode: EXIT.network})
    const run = (answered: number, o: {errors?: AnyprobeError[]; writeFailed?: boolean; locate?: AnyprobeError | null; ownFailures?: number} = {}): number =>
      sitesInputExit({obs, answered, ownFailures: o.ownFailures ?? 0, errors: o.errors ?? []}, {writeFailed: o.writeFailed ?? false, locate: o.locate ?? null})
    assert.equal(run(3), EXIT.ok)
    assert.equal(run(3, {writeFailed: true}), EXIT.write)
    assert.equal(run(2, {writeFailed: true}), EXIT.partial)
    assert.equal(run(0), EXIT.unreachable)
    assert.equal(run(0, {ownFailures: 3}), EXIT.network)
    assert.equal(run(0, {locate: net}), EXIT.network)
    assert.equal(run(0, {locate: net, errors: [data]}), EXIT.data)
    assert.equal(run(3, {errors: [data]}), EXIT.data)
  })
})

describe('a saved catchment whose every vantage point failed with one error said before measuring (all E_RESOLVE)', () => {
  /** the lab catchment with rows failed with these codes (a row per code, the rest as measured) */
  function failed(name: string, codes: string[]): string {
    const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/diff/lab-dns-before.json'), 'utf8')) as {vantagePoints: Array<Record<string, unknown>>}
    doc.vantagePoints = doc.vantagePoints.slice(0, codes.length).map((row, i) => ({...row, pop: null, rttMs: null, evidence: null, reached: null, error: {code: codes[i], message: 'cannot resolve anycast.example', hint: null}}))
    const f = join(dir, `${name}.json`)
    writeFileSync(f, JSON.stringify(doc))
    return f
  }

  it('report and sites --input exit 3, as the live catchment did (not 4); mixed codes stay 4', async () => {
    const all = failed('all-resolve', ['E_RESOLVE', 'E_RESOLVE', 'E_RESOLVE'])
    const r = await runCommand('report', [all])
    assert.equal(r.status, EXIT.resolve, r.stderr)
    const j = await runCommand('report', [all, '--json'])
    assert.equal(j.status, EXIT.resolve, j.stderr)
    const read = await readSitesInputs([all], {locs: null, probesGiven: false})
    assert.equal(read.failedAs, EXIT.resolve)
    assert.equal(sitesInputExit(read, {writeFailed: false, locate: null}), EXIT.resolve)
    const mixed = failed('mixed', ['E_RESOLVE', 'E_VP_TIMEOUT', 'E_RESOLVE'])
    const m = await runCommand('report', [mixed])
    assert.notEqual(m.status, EXIT.resolve, m.stderr)
    const mr = await readSitesInputs([mixed], {locs: null, probesGiven: false})
    assert.notEqual(sitesInputExit(mr, {writeFailed: false, locate: null}), EXIT.resolve)
  })
})

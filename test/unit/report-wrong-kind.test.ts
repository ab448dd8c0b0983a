// A file of a kind report / diff / sites --input do not take is the wrong file, refused as a usage
// error (exit 2, E_BAD_INPUT, with a hint saying what to give), as a bzip2 file or a --probes file of
// another kind are: the events `watch --json` printed (users save `watch --json > w.ndjson` and
// expect report to read it; report judges the observations `watch --out` writes), an anyprobe error
// document, RIPE Atlas probe metadata or a measurement's description saved instead of results.
// Before, they were exit 7 ("some input could not be used"), which the README gives to files read
// only in part. A file of garbage, or one where such values sit beside usable ones, stays exit 7.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-wrong-kind-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T02:08:05.000Z')
const vp: VantagePoint = {kind: 'netns', id: 'ap-vp-ber', name: 'ap-vp-ber', asn: null, country: 'DE', lat: null, lon: null}
const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns',
  intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
}
const ob = (round: number, pop: string): Observation => ({vantageId: vp.id, round, flow: 0, sentAt: T0 + round * 100, receivedAt: T0 + round * 100 + 5, rttMs: pop === 'FRA' ? 0.8 : 41, pop, answered: true})

let events = ''
let outFile = ''
before(async () => {
  // the live watch's own --json output (and its --out file), on a FRA -> IAD shift
  const rounds: RoundEvent[] = []
  for (let r = 0; r < 12; r++) rounds.push({type: 'observation', vantage: vp, observation: ob(r, r < 6 ? 'FRA' : 'IAD')}, {type: 'round', round: r})
  outFile = join(dir, 'watch-out.ndjson')
  const session = await WatchSession.open({start, json: true, write: (t) => (events += t), tty: false, report: () => {}, extras: {}, out: outFile})
  await session.consume((async function* () {
    yield* rounds
  })())
  const end = await session.finish('test')
  events += JSON.stringify(end.summary) + '\n'
})

const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

describe('report / diff / sites --input of a file of the wrong kind: exit 2 and what to give instead', () => {
  it('watch --json events: E_BAD_INPUT, exit 2, the hint names watch --out; the --out file itself is read', async () => {
    assert.ok(events.split('\n').some((l) => l.includes('"type":"shift"')), 'the fixture has a shift event')
    const f = file('events.ndjson', events)
    const [t, j, d] = await Promise.all([runCommand('report', [f]), runCommand('report', [f, '--json']), runCommand('diff', [f, f])])
    assert.equal(t.status, 2, t.stderr)
    assert.match(t.stderr, /^error E_BAD_INPUT: .*events\.ndjson holds no measurement: \d+ values of kinds it does not take; the first \(line 1\) is a watch event \(watch --json output/m)
    assert.match(t.stderr, /^hint: a watch is judged again from the file watch --out FILE wrote/m)
    assert.equal(j.status, 2)
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('error.schema.json', doc), [])
    assert.equal(doc.error.exitCode, 2)
    assert.equal(d.status, 2, d.stderr)
    assert.match(d.stderr, /E_BAD_INPUT: .*holds no measurement/)
    const ok = await runCommand('report', [outFile])
    assert.equal(ok.status, 0, ok.stderr)
    assert.match(ok.stdout, /FRA.*IAD/s)
  })

  it('an anyprobe error document, RIPE Atlas probe metadata, a measurement description: exit 2, each with its own hint', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['error.json', JSON.stringify({schemaVersion: 1, kind: 'error', error: {code: 'E_RESOLVE', message: 'no such name', hint: null, exitCode: 3}}), /run it again/],
      ['probes.json', '', /this file as --probes FILE/],
      ['msm.json', '', /results download/],
    ]
    cases[1]![1] = JSON.stringify({count: 1, next: null, previous: null, results: [{id: 6036, asn_v4: 719, country_code: 'FI', geometry: {type: 'Point', coordinates: [24.94, 60.17]}}]})
    cases[2]![1] = JSON.stringify({id: 1423386, type: 'dns', af: 4, target: 'k.root-servers.net', result: 'https://atlas.ripe.net/api/v2/measurements/1423386/results/'})
    for (const [name, text, hint] of cases) {
      const r = await runCommand('report', [file(name, text)])
      assert.equal(r.status, 2, `${name}: ${r.stderr}`)
      assert.match(r.stderr, hint, name)
    }
  })

  it('garbage, or wrong-kind lines beside results: still exit 7 (input read in part, or not at all)', async () => {
    const g = await runCommand('report', [file('garbage.ndjson', '{"hello": 1}\nnot json\n')])
    assert.equal(g.status, 7, g.stderr)
    const mixed = await runCommand('report', [file('mixed.ndjson', events + '{"hello": 1}\n')])
    assert.equal(mixed.status, 7, mixed.stderr)
  })
})

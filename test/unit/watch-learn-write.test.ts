// --learn FILE is written when the watch ends. A path that could not be written threw E_BAD_INPUT
// from the end of the watch: no summary printed, the metrics server left open, exit 2, after
// everything had been measured. Now a path that cannot be written is refused before anything is
// measured (exit 2), and one that fails at the end (its directory gone, a full disk) is said as
// E_WRITE while the summary is still printed and the exit code is 10.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {learnExpect} from '../../src/analysis/expect.js'
import type {RoundEvent} from '../../src/model/probe.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-learn-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T04:40:00.000Z')
const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns',
  intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
}
const vp = {kind: 'netns' as const, id: 'ap-vp-ber', name: 'ap-vp-ber', asn: null, country: null, lat: null, lon: null}
function events(): RoundEvent[] {
  const out: RoundEvent[] = []
  for (let r = 0; r < 5; r++) {
    const o: Observation = {vantageId: 'ap-vp-ber', round: r, flow: 0, sentAt: T0 + r * 100, receivedAt: T0 + r * 100 + 1, rttMs: 0.5, pop: 'FRA', answered: true}
    out.push({type: 'observation', vantage: vp, observation: o}, {type: 'round', round: r})
  }
  return out
}

describe('watch --learn: a file that cannot be written loses nothing measured', () => {
  it('a directory that does not exist: refused when the session opens (exit 2), before anything is measured', async () => {
    await assert.rejects(
      WatchSession.open({start, json: false, write: () => {}, tty: false, report: () => {}, extras: {learn: join(dir, 'no-such-dir', 'learnt.json')}}),
      (e: {code?: string; exitCode?: number; message?: string}) => e.code === 'E_BAD_INPUT' && e.exitCode === 2 && /--learn .*its directory cannot be written to \(ENOENT\)/.test(e.message ?? ''),
    )
    await assert.rejects(WatchSession.open({start, json: false, write: () => {}, tty: false, report: () => {}, extras: {learn: dir}}), /is a directory/)
  })

  it('fails at the end (its directory removed during the watch): E_WRITE said, the summary still printed, exit 10', async () => {
    const sub = join(dir, 'gone')
    mkdirSync(sub)
    let text = ''
    const reports: string[] = []
    const session = await WatchSession.open({start, json: false, write: (t) => (text += t), tty: false, report: (l) => reports.push(l), extras: {learn: join(sub, 'learnt.json')}})
    await session.consume((async function* () { yield* events() })())
    rmSync(sub, {recursive: true})
    const end = await session.finish('test')
    assert.equal(end.exitCode, 10)
    assert.match(text, /summary: 5 rounds/)
    assert.match(text, /ap-vp-ber\s+now FRA/)
    assert.ok(reports.some((l) => /^error E_WRITE: --learn .*learnt\.json: cannot write it \(ENOENT\); the watch's summary follows/.test(l)), reports.join('\n'))
    assert.equal(existsSync(join(sub, 'learnt.json')), false)
  })

  it('a writable path: written, exit 0', async () => {
    const reports: string[] = []
    const file = join(dir, 'ok.json')
    const session = await WatchSession.open({start, json: false, write: () => {}, tty: false, report: (l) => reports.push(l), extras: {learn: file}})
    await session.consume((async function* () { yield* events() })())
    const end = await session.finish('test')
    assert.equal(end.exitCode ?? 0, 0)
    assert.ok(existsSync(file))
    assert.ok(reports.some((l) => /wrote 1 rule of/.test(l)), reports.join('\n'))
  })
})

// A PoP named only as a hint (confidence under 0.5: a lone server name, two sources tied) is not
// learnt as an expectation: such a rule would page on the first confident answer that differs.
describe('watch --learn: a PoP named only as a hint is left out, and said', () => {
  const vp2 = {...vp, id: 'ap-vp-nrt', name: 'ap-vp-nrt'}
  const vp3 = {...vp, id: 'ap-vp-tyo', name: 'ap-vp-tyo'}
  function mixed(): RoundEvent[] {
    const out: RoundEvent[] = []
    for (let r = 0; r < 5; r++) {
      const base = {round: r, flow: 0, sentAt: T0 + r * 100, receivedAt: T0 + r * 100 + 1, rttMs: 0.5, answered: true}
      // ap-vp-ber: confident FRA; ap-vp-nrt: a confident NRT first, then only a hint of another PoP
      // (LHR) at the end; ap-vp-tyo: a confident NRT, then a hint of NRT, the catchment it is in
      // already: the analyser's summary says NRT, confident (a hint agreeing with its catchment), and
      // --learn follows the analyser rather than its own reading of the last confidence
      const a: Observation = {...base, vantageId: 'ap-vp-ber', pop: 'FRA', popConfidence: 0.9}
      const b: Observation = {...base, vantageId: 'ap-vp-nrt', pop: r < 2 ? 'NRT' : 'LHR', popConfidence: r < 2 ? 0.8 : 0.45}
      const c: Observation = {...base, vantageId: 'ap-vp-tyo', pop: 'NRT', popConfidence: r < 2 ? 0.8 : 0.45}
      out.push({type: 'observation', vantage: vp, observation: a}, {type: 'observation', vantage: vp2, observation: b}, {type: 'observation', vantage: vp3, observation: c}, {type: 'round', round: r})
    }
    return out
  }

  it('writes the confident rule only, names the vantage point left out on stderr and in the comment', async () => {
    const reports: string[] = []
    const file = join(dir, 'hint.json')
    const session = await WatchSession.open({start, json: false, write: () => {}, tty: false, report: (l) => reports.push(l), extras: {learn: file}})
    await session.consume((async function* () { yield* mixed() })())
    const end = await session.finish('test')
    assert.equal(end.exitCode ?? 0, 0)
    const learnt = JSON.parse(readFileSync(file, 'utf8')) as {rules: Array<{match: {vantage: string}; pops: string[]}>; comment: string}
    assert.deepEqual(learnt.rules, [
      {match: {vantage: 'ap-vp-ber'}, pops: ['FRA']},
      {match: {vantage: 'ap-vp-tyo'}, pops: ['NRT']},
    ])
    assert.match(learnt.comment, /no rule for a vantage point whose PoP was only a hint .*ap-vp-nrt LHR\? 0\.45/)
    assert.ok(reports.some((l) => /wrote 2 rules of/.test(l)), reports.join('\n'))
    assert.ok(reports.some((l) => /--learn left out 1 vantage point whose PoP was only a hint .*ap-vp-nrt LHR\? 0\.45/.test(l)), reports.join('\n'))
  })

  it('learnExpect: a hint is left out, a confidence not known is learnt (judged as a verdict), a set with one hinted member is left out', () => {
    const f = learnExpect([
      {vantageId: 'a', pop: 'FRA', popConfidence: 0.49875},
      {vantageId: 'b', pop: 'AMS', popConfidence: null},
      {vantageId: 'c', pop: 'AMS+FRA', popConfidence: 0.3},
      {vantageId: 'd', pop: 'LHR', popConfidence: 0.5},
    ])
    assert.deepEqual(f.rules.map((r) => r.match?.vantage), ['b', 'd'])
    assert.match(f.comment ?? '', /a FRA\? 0\.49, c AMS\+FRA\? 0\.30/)
  })
})

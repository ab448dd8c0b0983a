// A vantage point that was started but sent no probe before the watch stopped (a netns/ssh child
// still starting, an ssh login, at Ctrl-C) was not ready: it is named (stderr, the summary's
// notReady, the text summary) and counted as not answered in the exit code. Before, it was simply
// missing from the summary: with a local vantage point beside it the watch ended "every vantage
// point answered" (exit 0); alone, "no probe was answered" (exit 4), which reads as an outage.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {WATCH_SCHEMA_VERSION, type WatchStart, type WatchSummaryEvent} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {schemaErrors} from '../helpers/schema.js'

const vp = (id: string, kind: VantagePoint['kind'] = 'ssh'): VantagePoint => ({kind, id, name: id, asn: null, country: null, lat: null, lon: null})

const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION,
  kind: 'watch-start',
  at: new Date(0).toISOString(),
  target: '127.0.0.1',
  method: 'dns',
  intervalMs: 100,
  flows: 1,
  flapThreshold: 3,
  flapWindowMs: 60_000,
  outageAfter: 2,
  reorderRounds: 2,
}

const up = (id: string, round: number): RoundEvent => ({
  type: 'observation',
  vantage: vp(id, 'local'),
  observation: {vantageId: id, round, flow: 0, sentAt: 1_765_000_000_000 + round * 100, receivedAt: null, rttMs: 5, pop: 'FRA', answered: true},
})

async function run(events: RoundEvent[], json: boolean): Promise<{reports: string[]; text: string; exit: number | undefined; summary: WatchSummaryEvent}> {
  const reports: string[] = []
  let text = ''
  const session = await WatchSession.open({start, json, write: (t) => (text += t), tty: false, report: (l) => reports.push(l), extras: {}})
  await session.consume((async function* () {
    yield* events
  })())
  const end = await session.finish('test')
  return {reports, text, exit: end.exitCode, summary: end.summary}
}

describe('a vantage point not ready when the watch stopped', () => {
  it('beside one that answered: named as not ready, exit 9 (not 0), notReady in the JSON summary (valid)', async () => {
    const r = await run([{type: 'started', vantage: vp('local', 'local')}, {type: 'started', vantage: vp('probe@vp1.example')}, up('local', 0), up('local', 1), up('local', 2), {type: 'ended', vantage: vp('probe@vp1.example'), error: null}], true)
    assert.equal(r.exit, 9)
    assert.deepEqual(r.summary.notReady, ['probe@vp1.example'])
    assert.deepEqual(schemaErrors('watch-event.schema.json', r.summary), [])
    assert.ok(r.reports.some((l) => /^warning: 1 vantage point\(s\) sent no probe: not ready when the watch stopped \(still starting: probe@vp1\.example\)/.test(l)), r.reports.join('\n'))
  })

  it('alone: "no probe was sent ... not ready", never "no probe was answered"; exit 4; the text summary names it', async () => {
    const r = await run([{type: 'started', vantage: vp('probe@vp1.example')}, {type: 'ended', vantage: vp('probe@vp1.example'), error: null}], false)
    assert.equal(r.exit, 4)
    assert.ok(r.reports.some((l) => l.startsWith('warning: no probe was sent: the vantage points were not ready when the watch stopped')), r.reports.join('\n'))
    assert.ok(!r.reports.some((l) => l.includes('no probe was answered')), r.reports.join('\n'))
    assert.match(r.text, /probe@vp1\.example sent no probe: not ready when the watch stopped/)
  })

  it('one that failed before it sent anything (its E_VP_* error said) is not called "not ready"', async () => {
    const id = 'probe@vp2.example'
    const r = await run([{type: 'started', vantage: vp('local', 'local')}, {type: 'started', vantage: vp(id)}, {type: 'failed', vantage: vp(id), error: {code: 'E_VP_CONNECT', message: 'ssh failed', hint: null}}, up('local', 0), up('local', 1), {type: 'ended', vantage: vp(id), error: {code: 'E_VP_CONNECT', message: 'ssh failed', hint: null}}], true)
    assert.equal(r.exit, 9)
    assert.equal('notReady' in r.summary, false)
    assert.ok(r.reports.some((l) => l.startsWith('error E_VP_CONNECT at vantage point probe@vp2.example')), r.reports.join('\n'))
    assert.ok(!r.reports.some((l) => l.includes('not ready')), r.reports.join('\n'))
  })

  it('every vantage point sent: no notReady field, no warning', async () => {
    const r = await run([{type: 'started', vantage: vp('local', 'local')}, up('local', 0), up('local', 1)], true)
    assert.equal(r.exit ?? 0, 0)
    assert.equal('notReady' in r.summary, false)
    assert.deepEqual(r.reports, [])
  })
})

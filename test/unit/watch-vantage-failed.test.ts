// A vantage point that fails mid-watch (its netns/ssh child killed, its host unreachable) goes on as
// unanswered rounds carrying its E_VP_* code. Its outage says so (vantageError), in the JSON, the
// text and the timeline, so an alert on outages can tell a dead vantage point from a dead target.
// Before, the event was the same as for a target that stopped answering. The code rides on the
// observations, so `report` of the --out file says the same.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {analyze} from '../../src/analysis/watch/index.js'
import type {Observation, OutageEvent} from '../../src/model/watch.js'
import {renderStateEvent} from '../../src/render/expect.js'
import {renderWatchEvent} from '../../src/render/watch.js'
import {schemaErrors} from '../helpers/schema.js'

const T0 = Date.parse('2026-12-06T12:00:00Z')

/** One vantage point at IAD for 5 rounds, then 5 unanswered rounds with this error each. */
function run(error: string): Observation[] {
  const out: Observation[] = []
  for (let r = 0; r < 10; r++) {
    const lost = r >= 5
    out.push({vantageId: 'ap-vp-nyc', round: r, flow: 0, sentAt: T0 + r * 200, receivedAt: lost ? null : T0 + r * 200 + 1, rttMs: lost ? null : 1, pop: lost ? null : 'IAD', answered: !lost, ...(lost ? {error} : {})})
  }
  return out
}

const outageOf = (obs: Observation[]): OutageEvent => {
  const o = analyze(obs, {intervalMs: 200}).filter((e) => e.type === 'outage')
  assert.equal(o.length, 1)
  return o[0] as OutageEvent
}

describe('watch: an outage of the vantage point itself', () => {
  it('unanswered rounds carrying an E_VP_* code make an outage that names it, valid against the schema', () => {
    const e = outageOf(run('E_VP_BAD_OUTPUT'))
    assert.equal(e.vantageError, 'E_VP_BAD_OUTPUT')
    assert.deepEqual(schemaErrors('watch-event.schema.json', e), [])
    assert.match(renderWatchEvent(e), /outage since .*\(2 lost, last at IAD( [\d:.]+)?\): the vantage point failed \(E_VP_BAD_OUTPUT\), not the target$/)
  })

  it('a target that stops answering (timeouts) is an outage without it', () => {
    const e = outageOf(run('timeout'))
    assert.equal(e.vantageError, undefined)
    assert.doesNotMatch(renderWatchEvent(e), /vantage point failed/)
  })

  it('the schema takes only an E_VP_* code there', () => {
    const e = {...outageOf(run('E_VP_CONNECT')), vantageError: 'timeout'}
    assert.notDeepEqual(schemaErrors('watch-event.schema.json', e), [])
  })
})

describe('watch text: small RTTs', () => {
  it('an RTT under 0.05 ms keeps one significant digit, not "0 ms"; zero and larger ones as before', () => {
    const state = {schemaVersion: 1, kind: 'watch-event', type: 'state', at: '2026-12-06T12:00:00.000Z', vantageId: 'ap-vp-ber', round: 0, vantage: null, answered: true, pop: 'FRA', rttMs: 0.024}
    assert.match(renderStateEvent(state as never), /starts at FRA, rtt 0\.02 ms$/)
    const shift = {schemaVersion: 1, kind: 'watch-event', type: 'shift', at: '2026-12-06T12:00:01.000Z', vantageId: 'ap-vp-ber', round: 5, from: 'FRA', to: 'IAD', lastOldAt: '2026-12-06T12:00:00.800Z', firstNewAt: '2026-12-06T12:00:01.000Z', gapMs: 200, lostProbes: 0, unlocatedProbes: 0, rttBeforeMs: 0.024, rttAfterMs: 40.66, resolutionMs: 200, clockJump: false}
    assert.match(renderWatchEvent(shift as never), /rtt 0\.02 ms -> 40\.7 ms$/)
    assert.match(renderWatchEvent({...shift, rttBeforeMs: 0} as never), /rtt 0 ms -> /)
    assert.match(renderWatchEvent({...shift, rttBeforeMs: 0.06} as never), /rtt 0\.1 ms -> /)
  })
})

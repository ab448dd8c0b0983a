// Watch text printed a judged round's events vantage point by vantage point, so z-vp's outage
// (04:40:03.000) came after a-vp's shift (04:40:03.500) of the same round. A batch is now printed
// by time, each vantage point's own events in the analyser's order, and nothing is held back.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {inTimeOrder} from '../../src/analysis/watch/event-order.js'
import {WatchSession} from '../../src/watch/session.js'

const T0 = Date.parse('2026-12-07T04:40:00.000Z')
const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns',
  intervalMs: 1000, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
}
const vp = (id: string) => ({kind: 'netns' as const, id, name: id, asn: null, country: null, lat: null, lon: null})

/** a-vp moves FRA -> AMS at round 3 (its probes leave 500 ms into the round); z-vp loses rounds 2-4 */
function rounds(): RoundEvent[] {
  const out: RoundEvent[] = []
  for (let r = 0; r < 8; r++) {
    const t = T0 + r * 1000
    const a: Observation = {vantageId: 'a-vp', round: r, flow: 0, sentAt: t + 500, receivedAt: t + 501, rttMs: 1, pop: r < 3 ? 'FRA' : 'AMS', answered: true}
    const lost = r >= 2 && r < 5
    const z: Observation = {vantageId: 'z-vp', round: r, flow: 0, sentAt: t, receivedAt: lost ? null : t + 1, rttMs: lost ? null : 1, pop: lost ? null : 'FRA', answered: !lost}
    out.push({type: 'observation', vantage: vp('a-vp'), observation: a}, {type: 'observation', vantage: vp('z-vp'), observation: z}, {type: 'round', round: r})
  }
  return out
}

async function watch(json: boolean): Promise<{text: string; printedAfterRound: Map<string, number>}> {
  let text = ''
  let round = -1
  const printedAfterRound = new Map<string, number>()
  const s = await WatchSession.open({start, json, write: (t) => (text += t), tty: false, report: () => {}, extras: {}, onEvent: (e) => printedAfterRound.set(`${e.type} ${'vantageId' in e ? e.vantageId : ''}`, round)})
  await s.consume((async function* () {
    for (const e of rounds()) {
      if (e.type === 'round') round = e.round
      yield e
    }
  })())
  await s.finish('test')
  return {text, printedAfterRound}
}

describe('watch events of one judged round are printed in time order', () => {
  it('text: z-vp\'s outage (03.000) before a-vp\'s shift (03.500), both when round 3 is judged (not later)', async () => {
    const {text, printedAfterRound} = await watch(false)
    const lines = text.split('\n').filter((l) => /outage|shift/.test(l))
    assert.match(lines[0]!, /^04:40:03\.000 z-vp outage since 04:40:02\.000/)
    assert.match(lines[1]!, /^04:40:03\.500 a-vp shift FRA -> AMS/)
    // nothing held back: each printed as its round was judged
    assert.equal(printedAfterRound.get('outage z-vp'), 3)
    assert.equal(printedAfterRound.get('shift a-vp'), 3)
  })

  it('NDJSON: the same order', async () => {
    const {text} = await watch(true)
    const ev = text.trim().split('\n').map((l) => JSON.parse(l) as {type: string; vantageId?: string}).filter((e) => e.type === 'outage' || e.type === 'shift')
    assert.deepEqual(ev.map((e) => `${e.type} ${e.vantageId}`), ['outage z-vp', 'shift a-vp'])
  })

  it('inTimeOrder: merges vantage points by time, never reorders one vantage point\'s own events', () => {
    const e = (vantageId: string, s: number, n: string) => ({vantageId, at: new Date(T0 + s * 1000).toISOString(), n})
    // b's own events are out of time order (as the analyser gave them): kept so
    const got = inTimeOrder([e('a', 3, 'a1'), e('a', 5, 'a2'), e('b', 4, 'b1'), e('b', 2, 'b2'), e('c', 1, 'c1')])
    assert.deepEqual(got.map((x) => x.n), ['c1', 'a1', 'b1', 'b2', 'a2'])
  })
})


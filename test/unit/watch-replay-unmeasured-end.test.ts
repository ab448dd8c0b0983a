// The replay of a saved watch (src/analysis/watch/replay.ts, what `report` judges a watch --out file
// with) says which vantage points' newest round the backend did not measure from its own analyser's
// ledger: the same answer the live watch's analyser gives for the same lines (src/watch/session.ts
// unknownAtEnd, exit 6). report used to keep a second ledger of the same lines for it
// (watch-file-unmeasured.ts); the replay now hands out what it knows, and these hold the two to one answer.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {createWatchAnalyzer, optionsOfStart, type ReplayEvent, WatchReplay} from '../../src/analysis/watch/index.js'
import type {Observation, WatchStart, WatchSummaryEvent} from '../../src/model/watch.js'
import {watchEndFixture} from '../helpers/watch-end-fixture.js'

const T0 = Date.parse('2026-12-07T06:01:00.000Z')
const {start, ob} = watchEndFixture(T0)
const IDS = [['ap-vp-ber', 'FRA'], ['ap-vp-nyc', 'IAD']] as const

type Line = {kind: 'ob'; o: Observation} | {kind: 'unmeasured'; vantageId: string; round: number}

/** `rounds` rounds of both vantage points; rounds [from, to) of `id` not measured (a mark, no observation) */
function lines(rounds: number, id: string | null, from: number, to = rounds): Line[] {
  const out: Line[] = []
  for (let r = 0; r < rounds; r++) {
    for (const [vp, pop] of IDS) {
      if (vp === id && r >= from && r < to) out.push({kind: 'unmeasured', vantageId: vp, round: r})
      else out.push({kind: 'ob', o: ob(vp, r, pop)})
    }
  }
  return out
}

function summaryOf(events: readonly ReplayEvent[]): WatchSummaryEvent {
  const s = events.filter((e): e is WatchSummaryEvent => e.type === 'summary')
  assert.equal(s.length, 1)
  return s[0]!
}

/** the live watch's analyser on the lines: the vantage points it finds unmeasured at the end */
function live(st: WatchStart, ls: readonly Line[]): {atEnd: string[]; summary: WatchSummaryEvent} {
  const a = createWatchAnalyzer(optionsOfStart(st))
  for (const l of ls) {
    if (l.kind === 'ob') a.push(l.o)
    else a.unmeasured(l.vantageId, l.round)
  }
  const summary = summaryOf(a.finish())
  return {atEnd: summary.vantagePoints.map((v) => v.vantageId).filter((id) => a.unmeasuredAtEnd(id)), summary}
}

/** the replay fed the same lines (a start line first when `st` is given) */
function replayed(st: WatchStart | null, ls: readonly Line[], r = new WatchReplay()): {replay: WatchReplay; events: ReplayEvent[]} {
  const events: ReplayEvent[] = []
  if (st !== null) events.push(...r.start(st))
  for (const l of ls) events.push(...(l.kind === 'ob' ? r.push(l.o) : r.unmeasured(l.vantageId, l.round)))
  return {replay: r, events}
}

describe('watch replay: the vantage points unmeasured at the end, as the live analyser finds them', () => {
  for (const [name, ls, expected] of [
    ['the last rounds of one vantage point not measured', lines(20, 'ap-vp-nyc', 15), ['ap-vp-nyc']],
    ['its newest round alone not measured', lines(20, 'ap-vp-ber', 19), ['ap-vp-ber']],
    ['rounds not measured in the middle, measured again', lines(20, 'ap-vp-nyc', 8, 12), []],
    ['every round measured', lines(20, null, 0), []],
  ] as const) {
    it(name, () => {
      const l = live(start, ls)
      const {replay, events} = replayed(start, ls)
      events.push(...replay.finish())
      const summary = summaryOf(events)
      assert.deepEqual(l.atEnd, expected)
      assert.deepEqual(replay.watches[0]!.unmeasuredAtEnd, l.atEnd)
      assert.deepEqual(replay.unmeasuredAtEnd(summary), l.atEnd)
      assert.equal(replay.watches[0]!.summary, summary)
      assert.equal(summary.unmeasuredRounds, l.summary.unmeasuredRounds)
    })
  }

  it('an appended file: each watch its own answer, found by its own summary', () => {
    const {replay, events} = replayed(start, lines(20, 'ap-vp-nyc', 15))
    const first = summaryOf(replay.start({...start, at: new Date(T0 + 60_000).toISOString()}))
    const second = replayed(null, lines(20, null, 0), replay)
    const last = summaryOf([...second.events, ...replay.finish()])
    assert.equal(events.filter((e) => e.type === 'summary').length, 0)
    assert.deepEqual(replay.unmeasuredAtEnd(first), ['ap-vp-nyc'])
    assert.deepEqual(replay.unmeasuredAtEnd(last), [])
    assert.deepEqual(replay.watches.map((w) => w.unmeasuredAtEnd), [['ap-vp-nyc'], []])
  })

  it('observations without a start line: marks are ignored, before and after the settings are read from them', () => {
    // 30 rounds: the settings are read after 20, and the marks of rounds 25.. come after that
    const {replay, events} = replayed(null, lines(30, 'ap-vp-nyc', 25))
    const summary = summaryOf([...events, ...replay.finish()])
    assert.equal(replay.watches[0]!.start, null)
    assert.equal(summary.unmeasuredRounds, 0)
    assert.deepEqual(replay.unmeasuredAtEnd(summary), [])
  })
})

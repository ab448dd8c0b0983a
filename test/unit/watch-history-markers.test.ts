// A watch over RIPE Atlas first replays the results since one interval before its start and states
// each probe by its LAST result of that history. Its --out file did not say where the history
// ended, so `report` of it stated each probe by its FIRST result: here atlas:1001 was at AMS in its
// first history result and FRA in its last (the live watch: "starts at FRA"; report: "starts at
// AMS"). Now --out brackets the history with
// watch-history-start / -end lines (markHistory) and WatchReplay.historyStart/End does what the
// live session does. The file is read line by line here as report reads it; report's reader hands
// the new lines to the replay once src/store/read.ts knows them (the lead's integration).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {type ReplayEvent, WatchReplay} from '../../src/analysis/watch/index.js'
import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-history-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const I = 240_000
const T0 = Date.parse('2026-12-07T04:00:00.000Z')
const vp = (id: string): VantagePoint => ({kind: 'atlas', id, name: id, asn: 3320, country: 'DE', lat: null, lon: null})
const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0 + 2 * I).toISOString(), target: '193.0.14.129', method: 'dns',
  intervalMs: I, flows: 1, flapThreshold: 3, flapWindowMs: 4 * 3_600_000, outageAfter: 2, reorderRounds: 1,
}
const ob = (id: string, round: number, pop: string): Observation => ({vantageId: id, round, flow: 0, sentAt: T0 + round * I + 7_000, receivedAt: T0 + round * I + 7_020, rttMs: 20, pop, answered: true})
const obsEv = (o: Observation): RoundEvent => ({type: 'observation', vantage: vp(o.vantageId), observation: o, complete: true})

/** history: 1001 AMS then FRA, 1002 IAD twice; then live: both keep their PoP */
function events(): RoundEvent[] {
  return [
    {type: 'history-start'},
    obsEv(ob('atlas:1001', 0, 'AMS')), obsEv(ob('atlas:1002', 0, 'IAD')),
    obsEv(ob('atlas:1001', 1, 'FRA')), obsEv(ob('atlas:1002', 1, 'IAD')),
    {type: 'history-end'},
    obsEv(ob('atlas:1001', 2, 'FRA')), obsEv(ob('atlas:1002', 2, 'IAD')),
    obsEv(ob('atlas:1001', 3, 'FRA')), obsEv(ob('atlas:1002', 3, 'IAD')),
  ]
}

async function live(out: string, markHistory: boolean): Promise<string[]> {
  let text = ''
  const session = await WatchSession.open({start, json: true, write: (t) => (text += t), tty: false, report: () => {}, extras: {}, out, markHistory, remote: true})
  await session.consume((async function* () { yield* events() })())
  await session.finish('test')
  return text.split('\n').filter((l) => l !== '')
}

/** the file's lines into the replay, as report does (markers included) */
function replay(file: string): ReplayEvent[] {
  const r = new WatchReplay()
  const out: ReplayEvent[] = []
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const v = JSON.parse(line)
    if (v.kind === 'watch-start') out.push(...r.start(v))
    else if (v.kind === 'watch-history-start') out.push(...r.historyStart())
    else if (v.kind === 'watch-history-end') out.push(...r.historyEnd())
    else out.push(...r.push(v))
  }
  out.push(...r.finish())
  return out
}

const states = (evs: Array<{type: string; vantageId?: string; pop?: string | null; round?: number}>): string[] => evs.filter((e) => e.type === 'state').map((e) => `${e.vantageId} ${e.pop} ${e.round}`)
const moves = (evs: Array<{type: string}>): string[] => evs.filter((e) => e.type === 'shift' || e.type === 'failover').map((e) => JSON.stringify(e))

describe('watch --out marks the history a RIPE Atlas watch replays first', () => {
  it('the live watch states atlas:1001 at FRA (its last history result); report of the marked file says the same, and the same events after', async () => {
    const file = join(dir, 'marked.ndjson')
    const l = (await live(file, true)).map((x) => JSON.parse(x))
    assert.deepEqual(states(l), ['atlas:1001 FRA 1', 'atlas:1002 IAD 1'])
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((x) => JSON.parse(x))
    assert.deepEqual(lines.map((x) => x.kind ?? 'obs'), ['watch-start', 'watch-history-start', 'obs', 'obs', 'obs', 'obs', 'watch-history-end', 'obs', 'obs', 'obs', 'obs'])
    for (const x of lines) assert.deepEqual(schemaErrors('watch-out.schema.json', x), [], JSON.stringify(x))
    const r = replay(file)
    assert.deepEqual(states(r), states(l))
    // the history's AMS -> FRA move: the live watch says it after the states (held), the replay too
    assert.equal(moves(l).length, 1)
    assert.deepEqual(moves(r), moves(l))
  })

  it('without the markers (a file written before them) the first result gives the state: the defect this fixes', async () => {
    const file = join(dir, 'unmarked.ndjson')
    const l = (await live(file, false)).map((x) => JSON.parse(x))
    assert.ok(!readFileSync(file, 'utf8').includes('watch-history'))
    assert.deepEqual(states(replay(file)), ['atlas:1001 AMS 0', 'atlas:1002 IAD 0'])
    assert.deepEqual(states(l), ['atlas:1001 FRA 1', 'atlas:1002 IAD 1'])
  })

  it('a file cut inside its history: the history ends with the file (states from its last observations)', () => {
    const file = join(dir, 'cut.ndjson')
    const lines = readFileSync(join(dir, 'marked.ndjson'), 'utf8').trim().split('\n').slice(0, 6)
    writeFileSync(file, lines.join('\n') + '\n')
    assert.deepEqual(states(replay(file)), ['atlas:1001 FRA 1', 'atlas:1002 IAD 1'])
  })
})

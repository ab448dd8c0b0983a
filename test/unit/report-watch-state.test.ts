// `report` of a `watch --out` file gives the same events as the live watch, its starting `state`
// events ("ap-vp-ber starts at FRA") included: the live session (src/watch/session.ts) is run on a
// stream of observations with --json and --out, then `report --json` / text of its --out file is
// compared with what the live watch printed. The replay itself: one state per vantage point per
// watch (an appended file has several), also without a start line.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {type ReplayEvent, WatchReplay} from '../../src/analysis/watch/index.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {ROOT, srcConfig} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-report-state-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T02:08:05.000Z')
const vp = (id: string): VantagePoint => ({kind: 'netns', id, name: id, asn: null, country: 'DE', lat: null, lon: null})
const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns',
  intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
}
const ob = (id: string, round: number, pop: string | null): Observation => ({
  vantageId: id, round, flow: 0, sentAt: T0 + round * 100 + (id === 'ap-vp-ber' ? 1 : 0), receivedAt: pop === null ? null : T0 + round * 100 + 5,
  rttMs: pop === null ? null : pop === 'FRA' ? 0.8 : 41, pop, answered: pop !== null,
})
/** ber: FRA, 4 rounds lost, then IAD (outage, recovered, shift, failover); nyc: IAD, joining at round 11 (its first observation also releases ber's earlier rounds) */
function rounds(): RoundEvent[] {
  const out: RoundEvent[] = []
  for (let r = 0; r < 20; r++) {
    out.push({type: 'observation', vantage: vp('ap-vp-ber'), observation: ob('ap-vp-ber', r, r < 8 ? 'FRA' : r < 12 ? null : 'IAD')})
    if (r >= 11) out.push({type: 'observation', vantage: vp('ap-vp-nyc'), observation: ob('ap-vp-nyc', r, 'IAD')})
    out.push({type: 'round', round: r})
  }
  return out
}

async function* stream(events: RoundEvent[]): AsyncIterable<RoundEvent> {
  yield* events
}

function report(args: string[]): {status: number | null; stdout: string; stderr: string} {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/report.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** the lines of each vantage point, in order */
function byVantage(lines: string[], idOf = (x: string): string => JSON.parse(x).vantageId as string): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const x of lines) (out[idOf(x)] ??= []).push(x)
  return out
}

/** the live watch on rounds(): what it printed (--json NDJSON, or the text view) */
async function live(json: boolean, out?: string): Promise<{lines: string[]; summary: unknown}> {
  let text = ''
  const session = await WatchSession.open({start, json, write: (t) => (text += t), tty: false, report: () => {}, extras: {}, ...(out ? {out} : {})})
  await session.consume(stream(rounds()))
  const end = await session.finish('test')
  return {lines: text.split('\n').filter((l) => l !== ''), summary: end.summary}
}

describe('report of a watch --out file: the live events, starting states included', () => {
  it('--json: the same NDJSON as the live watch --json, state events first for each vantage point', async () => {
    const file = join(dir, 'w.ndjson')
    const l = await live(true, file)
    const states = l.lines.map((x) => JSON.parse(x)).filter((e) => e.type === 'state')
    assert.deepEqual(states.map((e) => [e.vantageId, e.pop, e.round]), [['ap-vp-ber', 'FRA', 0], ['ap-vp-nyc', 'IAD', 11]], 'the live watch states each vantage point')
    const r = report([file, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const got = r.stdout.split('\n').filter((x) => x !== '')
    // live --json prints its summary last (the command does); report writes it as its last line.
    // Each vantage point's events in the same order; across vantage points the live watch judged a
    // round when all of it was in, which the file does not record (report judges it once later
    // observations show it complete), so nyc's state and ber's outage may come the other way round.
    assert.deepEqual(byVantage(got.slice(0, -1)), byVantage(l.lines))
    assert.deepEqual([...got.slice(0, -1)].sort(), [...l.lines].sort())
    assert.deepEqual(JSON.parse(got.at(-1)!), JSON.parse(JSON.stringify(l.summary)))
    for (const x of got) assert.deepEqual(schemaErrors('watch-event.schema.json', JSON.parse(x)), [], x)
    assert.ok(got.some((x) => JSON.parse(x).type === 'failover'), 'the fixture has more than states')
  })

  it('text: the same event lines as the live view, "starts at" included', async () => {
    const file = join(dir, 'w2.ndjson')
    const l = await live(false, file)
    const r = report([file])
    assert.equal(r.status, 0, r.stderr)
    const events = (lines: string[]) => lines.filter((x) => /^\d\d:\d\d:\d\d\.\d{3} /.test(x))
    assert.match(events(l.lines)[0]!, /ap-vp-ber \(DE\) starts at FRA, rtt 0\.8 ms$/)
    assert.deepEqual(byVantage(events(r.stdout.split('\n')), (x) => x.split(' ')[1]!), byVantage(events(l.lines), (x) => x.split(' ')[1]!))
    assert.deepEqual(events(r.stdout.split('\n')).sort(), events(l.lines).sort())
  })

  it('replay: one state per vantage point per watch of an appended file, and without a start line too', () => {
    const obs = [ob('a', 0, 'FRA'), ob('b', 0, null), ob('a', 1, 'FRA'), ob('b', 1, 'IAD')]
    const states = (events: ReplayEvent[]) => events.filter((e) => e.type === 'state').map((e) => [e.vantageId, e.type === 'state' ? e.answered : null])
    const r = new WatchReplay()
    const got: ReplayEvent[] = []
    for (const h of [start, start]) {
      got.push(...r.start(h))
      for (const o of obs) got.push(...r.push(o))
    }
    got.push(...r.finish())
    assert.deepEqual(states(got), [['a', true], ['b', false], ['a', true], ['b', false]])
    // each state before the watch's other events of that vantage point
    assert.equal(got.findIndex((e) => e.type === 'state'), 0)
    const bare = new WatchReplay()
    const got2: ReplayEvent[] = []
    for (const o of obs) got2.push(...bare.push(o))
    got2.push(...bare.finish())
    assert.deepEqual(states(got2), [['a', true], ['b', false]])
  })

  it('an observation the analysis refuses says no state: the next usable one does', () => {
    const r = new WatchReplay()
    r.start(start)
    // sentAt = 2^53: no time a Date holds; the analysis's own error (report counts the line), not a RangeError from the state
    assert.throws(() => r.push({...ob('a', 0, 'FRA'), sentAt: 2 ** 53}), (e: unknown) => e instanceof AnyprobeError)
    const e = r.push(ob('a', 1, 'FRA'))
    assert.deepEqual(e.filter((x) => x.type === 'state').map((x) => x.round), [1])
  })
})

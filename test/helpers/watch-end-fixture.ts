// A small dns watch of lab-named vantage points for the end-of-watch tests (the live session's
// summary, view and exit, and report of its --out file): its start line, vantage points and one
// observation per round (100 ms apart; pop null = no answer).
import {spawnSync} from 'node:child_process'

import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {ROOT, srcConfig} from './cli.js'

export function watchEndFixture(T0: number): {start: WatchStart; vp: (id: string) => VantagePoint; ob: (id: string, round: number, pop: string | null) => Observation} {
  const vp = (id: string): VantagePoint => ({kind: 'netns', id, name: id, asn: null, country: null, lat: null, lon: null})
  const start: WatchStart = {
    schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns',
    intervalMs: 100, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
  }
  const ob = (id: string, round: number, pop: string | null): Observation => ({
    vantageId: id, round, flow: 0, sentAt: T0 + round * 100, receivedAt: pop === null ? null : T0 + round * 100 + 1, rttMs: pop === null ? null : 0.5, pop, answered: pop !== null,
  })
  return {start, vp, ob}
}

/** The live session run on `events` with --out `file` (json, no tty): its exit code and the lines it reported. */
export async function liveWatchToFile(start: WatchStart, events: readonly RoundEvent[], file: string): Promise<{file: string; exitCode: number | undefined; reports: string[]}> {
  const reports: string[] = []
  const session = await WatchSession.open({start, json: true, write: () => {}, tty: false, report: (l) => reports.push(l), extras: {}, out: file})
  await session.consume((async function* () {
    yield* events
  })())
  const end = await session.finish('test')
  return {file, exitCode: end.exitCode, reports}
}

/** `anyprobe report ARGS` run from source in a child process. */
export function reportCommand(args: string[]): {status: number | null; stdout: string; stderr: string} {
  const script = `const m = await import(${JSON.stringify(ROOT + 'src/commands/report.ts')}); await m.default.run(${JSON.stringify(args)}, ${JSON.stringify(srcConfig())})`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

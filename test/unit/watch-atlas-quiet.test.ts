// watch --from atlas: when the result stream goes quiet (review finding, round 7): the replay server's
// stream sends two rounds and then nothing while the connection stays open. RIPE Atlas probes that
// cannot reach the target still send timeout results, so silence from every probe is the stream's
// (or the API's) failure: the watch reconnects, asks results/?start= for the gap, and counts the
// rounds neither delivered as not measured, never as 40 outages of the target (it was: 'outage
// since ...' for every probe, anyprobe_outages_total up, exit 4). A measurement that is Stopped is
// refused before anything starts (it was followed silently and ended 'no probe was answered'), and
// one that stops during the watch ends it with a note.
//
// The scenario is test/helpers/atlas-watch-scenario.ts's 40 probes, retimed to now and a 2 s interval
// (the shape of the reviewer's /tmp/review-Y/rY-srv3.ts, which used 4 s), so the quiet limit (two
// intervals plus the stream's delay, at most one interval) is 6 s. Real time, loopback only.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {type ReplayRoute, type ReplayServer, type StreamScript, startAtlasReplay} from '../helpers/atlas-replay.js'
import {INTERVAL, measurementObject, MSM, PROBES, probeObjects, rounds, T0} from '../helpers/atlas-watch-scenario.js'
import {runCommand} from '../helpers/cli.js'
import {closedTcpPort} from '../helpers/loopback-server.js'

const I = 2
const S = Math.floor(Date.now() / 1000) - 3 * I

/** the scenario's results, round r of probe i at S + r*I + (i % 2): rounds 0-1 in the past (the backfill), 2 now, 3 just after */
function retimed(from: number, to: number): Array<Record<string, unknown>> {
  return rounds(from, to).map((x) => {
    const dt = (x.timestamp as number) - T0
    const r = Math.round(dt / INTERVAL)
    const i = (x.prb_id as number) - 1001
    const timestamp = S + r * I + (i % 2)
    return {...x, timestamp, stored_timestamp: timestamp + 1}
  })
}

interface Run {
  srv: ReplayServer
  resultCalls: Array<Record<string, string>>
  out: {status: number | null; stdout: string; stderr: string}
}

async function server(measurement: ReplayRoute[], stream: Partial<StreamScript>): Promise<{srv: ReplayServer; resultCalls: Array<Record<string, string>>}> {
  const resultCalls: Array<Record<string, string>> = []
  const stored = retimed(0, 3)
  const srv = await startAtlasReplay({
    routes: [
      ...measurement,
      {
        path: `measurements/${MSM}/results/`,
        body: (q: Record<string, string>) => {
          resultCalls.push(q)
          // the backfill: rounds 0-1; later polls: what is stored since `start` (nothing after round 3)
          return resultCalls.length === 1 ? retimed(0, 1) : stored.filter((r) => (r.timestamp as number) >= Number(q.start ?? 0))
        },
      },
      {path: 'probes/', body: probeObjects()},
    ],
    // connection 0 sends rounds 2-3 and stays open, silent
    stream: {results: {}, delayMs: 1, perConnection: {[MSM]: [retimed(2, 3)]}, ...stream},
  })
  return {srv, resultCalls}
}

const ongoing = {...measurementObject(), interval: I}

/** start the watch against `srv` (env set just for this child: the runs go on side by side) */
function watch(srv: ReplayServer, args: string[]): Promise<{status: number | null; stdout: string; stderr: string}> {
  const saved = {...process.env}
  process.env.ANYPROBE_ATLAS_URL = srv.url
  process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
  delete process.env.ANYPROBE_ATLAS_KEY
  process.env.XDG_CONFIG_HOME = '/nonexistent-anyprobe-test'
  try {
    return runCommand('watch', ['193.0.14.129', '--from', 'atlas:', '--atlas-msm', String(MSM), '--json', ...args])
  } finally {
    process.env = saved
  }
}

/** a free loopback port for --metrics */
const freePort = (): Promise<number> => closedTcpPort()

/** the sum of a metric's samples in a Prometheus text page (null: not in it) */
function total(page: string, name: string): number | null {
  const v = page
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => Number(l.split(' ').at(-1)))
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0)
}

const events = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('watch --from atlas: a quiet result stream, a stopped measurement', () => {
  const runs: Record<string, Run> = {}
  // the quiet run's metrics, scraped while it runs: the largest counts seen
  const scraped = {unmeasured: 0, outages: 0, pages: 0}

  before(async () => {
    const port = await freePort()
    const timer = setInterval(() => {
      fetch(`http://127.0.0.1:${port}/metrics`).then(
        async (r) => {
          const page = await r.text()
          scraped.pages++
          scraped.unmeasured = Math.max(scraped.unmeasured, total(page, 'anyprobe_rounds_unmeasured_total') ?? 0)
          scraped.outages = Math.max(scraped.outages, total(page, 'anyprobe_outages_total') ?? 0)
        },
        () => {},
      )
    }, 500)
    const plans: Record<string, {measurement: ReplayRoute[]; stream: Partial<StreamScript>; args: string[]}> = {
      // the API answers; the stream stays open and silent
      quiet: {measurement: [{path: `measurements/${MSM}/`, body: ongoing}], stream: {}, args: ['--duration', '14s', '--metrics', `127.0.0.1:${port}`]},
      // the stream stays silent and every reconnection is refused: RIPE Atlas unreachable
      unreachable: {measurement: [{path: `measurements/${MSM}/`, body: ongoing}], stream: {refuseFrom: 1}, args: ['--duration', '14s']},
      // the measurement stops during the watch: Ongoing when the watch starts, Stopped when asked again
      stops: {
        measurement: [
          {path: `measurements/${MSM}/`, body: ongoing, times: 1},
          {path: `measurements/${MSM}/`, body: {...ongoing, status: {id: 4, name: 'Stopped', when: S + 4 * I}, stop_time: S + 4 * I}},
        ],
        stream: {},
        args: ['--duration', '120s'],
      },
      // Stopped before the watch: nothing to follow
      stopped: {
        measurement: [{path: `measurements/${MSM}/`, body: {...ongoing, status: {id: 4, name: 'Stopped', when: 1_765_000_000}, stop_time: 1_765_000_000}}],
        stream: {},
        args: ['--duration', '14s'],
      },
    }
    await Promise.all(
      Object.entries(plans).map(async ([name, p]) => {
        const {srv, resultCalls} = await server(p.measurement, p.stream)
        runs[name] = {srv, resultCalls, out: await watch(srv, p.args)}
      }),
    )
    clearInterval(timer)
  })
  after(async () => {
    for (const r of Object.values(runs)) await r.srv.close()
  })

  it('a silent stream is not the target down: no outage, the rounds not measured, reconnected and the gap asked for, said in words', () => {
    const {out, srv, resultCalls} = runs.quiet!
    const ev = events(out.stdout)
    assert.deepEqual(ev.filter((e) => e.type === 'outage').map((e) => e.vantageId), [], out.stderr)
    assert.equal(ev.filter((e) => e.type === 'state').length, PROBES.length, out.stderr)
    const summary = ev.at(-1)!
    assert.equal(summary.type, 'summary')
    assert.ok((summary.unmeasuredRounds as number) >= PROBES.length, `unmeasuredRounds ${String(summary.unmeasuredRounds)}\n${out.stderr}`)
    assert.match(out.stderr, /no result from any of the 40 probes for \d+s .*the result stream or the API failed, not the target/)
    assert.ok(srv.streamConnections.length >= 2, 'reconnected after the silence')
    assert.ok(resultCalls.length >= 2 && resultCalls.slice(1).every((q) => Number(q.start) > 0), 'the gap was asked for with results/?start=')
    // during the watch, as an operator's alert reads them: rounds not measured, no outage
    assert.ok(scraped.pages > 0, 'the metrics were scraped')
    assert.ok(scraped.unmeasured > 0, `anyprobe_rounds_unmeasured_total stayed ${scraped.unmeasured} while the watch ran`)
    assert.equal(scraped.outages, 0)
    // every probe answered before the silence, but the last rounds were measured by neither the stream
    // nor the API: the state at the end is not known, 6 (as a Globalping watch whose last rounds the
    // API refused), said in those words and never as the vantage points' own fault
    assert.equal(out.status, 6, out.stderr)
    assert.match(out.stderr, /warning: the last round of 40 vantage points was not measured \(the backend could not\): the state at the end is unknown \(exit 6\)/)
    assert.doesNotMatch(out.stderr, /for a reason of the vantage points' own/)
  })

  it('RIPE Atlas unreachable after the silence: still no outage, said as an error, exit 6', () => {
    const {out} = runs.unreachable!
    const ev = events(out.stdout)
    assert.deepEqual(ev.filter((e) => e.type === 'outage').map((e) => e.vantageId), [], out.stderr)
    assert.ok((ev.at(-1)!.unmeasuredRounds as number) > 0, out.stderr)
    assert.match(out.stderr, /error: RIPE Atlas did not deliver measurement 7101001's results/)
    assert.equal(out.status, 6, out.stderr)
  })

  it('a measurement that stops during the watch ends it with a note, before --duration, not an outage', () => {
    const {out} = runs.stops!
    const ev = events(out.stdout)
    assert.deepEqual(ev.filter((e) => e.type === 'outage').map((e) => e.vantageId), [], out.stderr)
    assert.match(out.stderr, /measurement 7101001 is Stopped since \d{4}-\d\d-\d\dT[\d:.]+Z: no more results will come; the watch ends/)
    // --duration 120s: a watch that did not end by itself is killed at the helper's 30 s (status null)
    assert.equal(out.status, 0, out.stderr)
  })

  it('a Stopped measurement is refused before anything starts: exit 2, when it stopped, what to do', () => {
    const {out, srv, resultCalls} = runs.stopped!
    assert.equal(out.status, 2, out.stderr)
    // --json: the error document on stdout
    const doc = JSON.parse(out.stdout) as {kind: string; error: {code: string; message: string; hint: string}}
    assert.equal(doc.kind, 'error')
    assert.equal(doc.error.code, 'E_USAGE')
    assert.match(doc.error.message, /measurement 7101001 is Stopped since 2025-12-06T05:46:40\.000Z: no more results will come to watch/)
    assert.match(doc.error.hint, /give a running measurement, or read its results: `anyprobe catchment 193\.0\.14\.129 --from atlas: --atlas-msm 7101001`/)
    assert.equal(srv.streamConnections.length, 0)
    assert.equal(resultCalls.length, 0)
    assert.doesNotMatch(out.stdout + out.stderr, /no probe was answered|following RIPE Atlas/)
  })
})

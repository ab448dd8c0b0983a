// A watch over the Globalping backend against the replay server (./globalping-replay.ts), through
// the one path every watch takes (src/watch/run.ts): the backend with a test configuration (no
// config file, no rate limit, no real sleeps, a virtual clock) and the watch's DNS ask, so each test
// file states only its scenario.
import assert from 'node:assert/strict'

import type {LiveWatchEvent} from '../../src/model/expect.js'
import type {WatchSummaryEvent} from '../../src/model/watch.js'
import {GlobalpingBackend} from '../../src/vantage/globalping/index.js'
import {runWatch} from '../../src/watch/run.js'
import {runCommand} from './cli.js'
import {gpFixture} from './globalping-replay.js'
import {virtualClock} from './virtual-clock.js'

/** A Globalping backend for `selector` that asks the replay server at `url`. */
export function gpTestBackend(url: string, selector: string, o: {token?: string; clock?: ReturnType<typeof virtualClock>} = {}): GlobalpingBackend {
  return new GlobalpingBackend(selector, {
    env: {ANYPROBE_GLOBALPING_URL: url, ...(o.token === undefined ? {} : {ANYPROBE_GLOBALPING_TOKEN: o.token}), XDG_CONFIG_HOME: '/nonexistent-anyprobe-test'},
    configFile: '/nonexistent-anyprobe-test/config.json',
    rate: {limitPerHour: 1_000_000, minMs: 10},
    clientOptions: {sleep: () => Promise.resolve()},
    roundsClock: o.clock ?? virtualClock(),
  })
}

export interface GpWatchEnd {
  summary: WatchSummaryEvent
  exitCode: number | undefined
  events: LiveWatchEvent[]
  stderr: string[]
  stdout: string
}

/** Watch 193.0.14.129 by DNS for `count` rounds every `intervalMs`; `out`: the --out file. */
export async function gpWatch(backend: GlobalpingBackend, o: {count: number; intervalMs: number; out?: string}): Promise<GpWatchEnd> {
  const events: LiveWatchEvent[] = []
  const stderr: string[] = []
  let stdout = ''
  const end = await runWatch([backend], {
    ask: {method: 'dns', target: '193.0.14.129', intervalMs: o.intervalMs, failover: false, timeoutMs: undefined, flows: 1, count: o.count, durationMs: null, dryRun: false},
    flapThreshold: 3,
    flapWindowMs: undefined,
    ...(o.out === undefined ? {} : {out: o.out}),
    json: true,
    tty: false,
    extras: {},
    signal: new AbortController().signal,
    write: (t) => (stdout += t),
    report: (l) => stderr.push(l),
    onEvent: (e) => events.push(e),
  })
  assert.ok(!('dryRun' in end))
  return {summary: end.summary, exitCode: end.exitCode, events, stderr, stdout}
}

/** One probe's entry in a Globalping measurement: the probe and its result. */
export interface GpEntry {
  probe: Record<string, unknown>
  result: Record<string, unknown>
}

/** The recorded finished DNS measurement (Frankfurt, Tokyo, Seattle, ... probes): the template of a round's body. */
export const gpDnsTemplate = (): {results: GpEntry[]} & Record<string, unknown> => gpFixture<{results: GpEntry[]} & Record<string, unknown>>('dns-finished.json')

const hex = (s: string): string => [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(' ')

/** The probe's finished DNS result, answered by the server whose NSID is `nsid` (dig's NSID line rewritten). */
export function gpAnswered(e: GpEntry, nsid: string): GpEntry {
  const raw = String(e.result.rawOutput).replace(/; NSID: [^\n]*/, `; NSID: ${hex(nsid)} ("${nsid}")`)
  return {probe: e.probe, result: {...e.result, status: 'finished', rawOutput: raw}}
}

/** Run `anyprobe watch ARGS` (a child, from the sources) against the replay server at `url`, with a token or none, no config file. */
export async function gpWatchCli(url: string, args: string[], token?: string): Promise<{status: number | null; stdout: string; stderr: string}> {
  const saved = {...process.env}
  try {
    process.env.ANYPROBE_GLOBALPING_URL = url
    if (token === undefined) delete process.env.ANYPROBE_GLOBALPING_TOKEN
    else process.env.ANYPROBE_GLOBALPING_TOKEN = token
    process.env.XDG_CONFIG_HOME = '/nonexistent-anyprobe-test'
    return await runCommand('watch', args)
  } finally {
    process.env = saved
  }
}

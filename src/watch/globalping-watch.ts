// `watch TARGET --from globalping:LOC[,...][,limit=N]`: the Globalping backend's live rounds (the
// same measurement repeated from the same probes: src/vantage/globalping/rounds.ts) fed to the
// watch session (session.ts), which does everything after the observations. Without --interval
// the watch runs at the fastest pace the hourly limit sustains for that many probes; a faster
// --interval is refused with that figure (E_USAGE, exit 2) before anything is sent.

import {WATCH_DEFAULTS} from '../analysis/watch/index.js'
import type {LiveWatchEvent} from '../model/expect.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {RoundsPlan} from '../model/probe.js'
import {WATCH_SCHEMA_VERSION, type WatchStart} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'
import type {GlobalpingClientOptions} from '../vantage/globalping/client.js'
import {GlobalpingBackend} from '../vantage/globalping/index.js'
import type {RateSeam} from '../vantage/globalping/rounds.js'
import {type RemoteWatchOptions, type WatchEnd, WatchSession} from './session.js'

export {checkGlobalpingInterval} from '../vantage/globalping/rounds.js'

export const GLOBALPING_WATCH_METHODS = ['dns', 'http', 'trace', 'ping'] as const

/** --interval undefined: the fastest sustainable one. */
export interface GlobalpingWatchOptions extends RemoteWatchOptions {
  /** --method: dns, http, trace or ping (icmp is read as ping) */
  method: string
  /** what follows "globalping:" */
  selector: string
  report: (line: string) => void
  configFile?: string
  /** test seams */
  clientOptions?: Partial<GlobalpingClientOptions>
  /** the hourly limit and the floor of the interval (default: Globalping's, and 5 s) */
  rate?: RateSeam
  measurementTimeoutMs?: number
  marginMs?: number
  onEvent?: (e: LiveWatchEvent) => void
}

export async function runGlobalpingWatch(o: GlobalpingWatchOptions): Promise<WatchEnd> {
  const method = o.method === 'ping' ? 'icmp' : o.method
  if (!(GLOBALPING_WATCH_METHODS as readonly string[]).includes(o.method) && o.method !== 'icmp') {
    throw new AnyprobeError('E_USAGE', `watch --from globalping: measures dns, http, trace or ping, not ${sanitize(o.method, 20)}`, {hint: 'use --method dns, http, trace or ping', exitCode: EXIT.usage})
  }
  const backend = new GlobalpingBackend(o.selector, {env: o.env, configFile: o.configFile, clientOptions: o.clientOptions, measurementTimeoutMs: o.measurementTimeoutMs, marginMs: o.marginMs})
  // refused here, before anything is sent or opened, when faster than the limit sustains
  const intervalMs = backend.intervalFor(o.intervalMs, o.rate)
  if (intervalMs === null) {
    throw new AnyprobeError('E_USAGE', `--from ${backend.spec}: the probe count of an earlier measurement is not known up front, so neither is the interval the rate limit sustains`, {hint: 'give --interval (it is checked against the limit after the first round)', exitCode: EXIT.usage})
  }
  const plan: RoundsPlan = {
    method: method as RoundsPlan['method'],
    target: o.target,
    cliArgs: [],
    intervalMs,
    flows: 1,
    timeoutMs: intervalMs,
    startAt: Date.now(),
    count: o.count ?? null,
    durationMs: o.durationMs ?? null,
  }
  const start: WatchStart = {
    schemaVersion: WATCH_SCHEMA_VERSION,
    kind: 'watch-start',
    at: new Date().toISOString(),
    target: sanitize(o.target, 200),
    method: method as WatchStart['method'],
    intervalMs,
    flows: 1,
    flapThreshold: o.flapThreshold,
    flapWindowMs: o.flapWindowMs ?? Math.max(60_000, 60 * intervalMs),
    outageAfter: WATCH_DEFAULTS.outageAfter,
    reorderRounds: 1,
  }
  const session = await WatchSession.open({
    start,
    json: o.json,
    write: o.write,
    tty: o.tty ?? false,
    report: o.report,
    out: o.out,
    metrics: o.metrics,
    html: o.html,
    extras: o.extras,
    tagsOf: (id) => session.vantageOf(id)?.tags ?? [],
    remote: true,
    onEvent: o.onEvent,
  })
  try {
    await session.consume(
      backend.rounds(plan, {
        signal: o.signal,
        rate: o.rate,
        onFirstRound: ({id, probes}) =>
          o.report(
            `anyprobe: watching ${sanitize(o.target, 100)} from ${probes} Globalping probe(s) (measurement ${sanitize(id ?? '?', 40)}, then the same probes) every ${intervalMs / 1000}s; ` +
              `each round costs ${probes} of Globalping's tests an hour`,
          ),
        onRoundError: (round, e) => o.report(`error ${e.code} in round ${round}: ${sanitize(e.message, 500)}; its probes count as unanswered, the watch goes on${e.hint ? `\nhint: ${sanitize(e.hint, 300)}` : ''}`),
      }),
    )
  } catch (e) {
    await session.abandon()
    throw e
  }
  return session.finish(`learnt from a Globalping watch of ${sanitize(o.target, 100)} at ${new Date().toISOString()}`)
}

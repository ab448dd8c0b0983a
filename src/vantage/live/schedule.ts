// The schedule of a live run on this side (local, netns, ssh; and the default of any backend that
// has no schedule() of its own): the command's --method, --interval (1 s; 50 ms with --failover),
// --timeout (the interval, at least 1 s, at most 2 s) and --flows, checked here. Remote engines
// decide their own (vantage/atlas/rounds.ts, vantage/globalping/index.ts). The contract is at the
// top of src/model/probe.ts.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {LiveSchedule, RoundsPlan, ScheduleRequest} from '../../model/probe.js'
import {sanitize} from '../../util/sanitize.js'

export const LOCAL_WATCH_METHODS = ['dns', 'http', 'icmp', 'trace'] as const
export const FAILOVER_INTERVAL_MS = 50
export const DEFAULT_INTERVAL_MS = 1000

/** --method, --interval and --timeout of a local schedule; throws E_USAGE / E_BAD_DURATION (exit 2). */
export function localTiming(o: {method: string; intervalMs: number | undefined; failover: boolean; timeoutMs: number | undefined}): {method: RoundsPlan['method']; intervalMs: number; timeoutMs: number} {
  if (!(LOCAL_WATCH_METHODS as readonly string[]).includes(o.method)) {
    throw new AnyprobeError('E_USAGE', `--method ${sanitize(o.method, 20)}: expected ${LOCAL_WATCH_METHODS.join(', ')}`, {hint: 'use --method dns (default), http, icmp or trace', exitCode: EXIT.usage})
  }
  const intervalMs = o.intervalMs ?? (o.failover ? FAILOVER_INTERVAL_MS : DEFAULT_INTERVAL_MS)
  if (intervalMs < 10) {
    throw new AnyprobeError('E_BAD_DURATION', `--interval: ${intervalMs} ms is too short (10ms at least)`, {hint: 'use --interval 50ms for failover measurements', exitCode: EXIT.usage})
  }
  // long enough for a far PoP to answer; a lost probe is known after this. At least 1 s whatever
  // the interval: probes overlap (each in flight on its own), and a 250 ms floor made every probe
  // of a vantage point 300 ms from its PoP (another continent, a satellite link, a loaded server)
  // a loss, and a --failover watch of it an "outage" of a target that answered every probe
  const timeoutMs = o.timeoutMs ?? Math.min(2000, Math.max(1000, intervalMs))
  return {method: o.method as RoundsPlan['method'], intervalMs, timeoutMs}
}

/**
 * The command's schedule. `slackMs`: how late an observation may reach this process beyond its
 * timeout (pipes, ssh, a busy machine) and still be judged in its round.
 */
export function localSchedule(ask: ScheduleRequest, slackMs = 0): LiveSchedule {
  const t = localTiming(ask)
  return {
    ...t,
    target: ask.target,
    flows: ask.flows,
    // rounds an observation may trail: its timeout, plus the slack
    reorderRounds: Math.ceil(t.timeoutMs / t.intervalMs) + 1 + Math.ceil(slackMs / t.intervalMs),
    remote: false,
    notes: [],
    source: () => `a watch of ${ask.target}`,
  }
}

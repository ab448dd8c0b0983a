// How `sites --from` measures: latency geolocation needs each vantage point's LOWEST RTT, since
// any delay on top of the path only widens its disc (and a disc grown past the site it reached
// confirms places it never saw). dns, http and trace time their probes in a userspace child
// (a node process): on a busy host the child is descheduled between the reply's arrival and its
// timestamp, and a few children starting at once on few cores are exactly that. In the lab
// (2 cores, 4 netns vantage points, --concurrency 8) ber's DNS RTT read 1.6 to 13.6 ms where it is
// 0.25 ms (1,300 km disc instead of 25 km). So, for those methods at child-process vantage points:
//  - the vantage points are measured in several rounds and each keeps its lowest RTT (a late
//    timestamp is an outlier in one round, rarely in all);
//  - those on this host (local, netns) are measured at most as many at once as there are cores,
//    unless --concurrency was given.
// ping is left alone (iputils reads the kernel's timestamps, unaffected), and so are RIPE Atlas
// and Globalping (another round there is another paid measurement; their probes run alone).
// The children are not told where they are (--vp-location): their own RTT check would drop or
// replace a verdict that sites' check (one rule, src/analysis/sites/fuse.ts) reports as a
// contradiction instead; the outcomes are placed afterwards from --location.
import {availableParallelism} from 'node:os'

import {resultRtt} from '../analysis/catchment.js'
import type {ProbeMethod, VantageOutcome} from '../model/probe.js'
import type {VantageSpec} from '../vantage/from.js'
import {carryUnmeasured, runVantages, type RunOptions} from './multi-run.js'

/**
 * Rounds of a dns / http measurement from child-process vantage points (one RTT sample per child
 * and round). In the lab on a loaded host (2 cores, load 9) about 1 sample in 4 read late, at any
 * --concurrency (36 samples each of dns and http at 8, 2 and 1: 6 to 9 late); 5 rounds leave a
 * vantage point all-late about once in 1,000 (0.25^5).
 */
export const SITES_ROUNDS = 5
/** trace already keeps the lowest of its probes at the destination (3 by default): fewer rounds */
export const SITES_TRACE_ROUNDS = 3

const CHILD_KINDS: ReadonlySet<VantageSpec['kind']> = new Set(['local', 'netns', 'ssh'])
const THIS_HOST_KINDS: ReadonlySet<VantageSpec['kind']> = new Set(['local', 'netns'])

/** userspace-timed methods: their RTT can be late, never early */
const userspaceTimed = (m: ProbeMethod): boolean => m !== 'ping'

/** How many rounds: several only where a round is a cheap child process and the RTT is userspace-timed. */
export function sitesRounds(specs: readonly VantageSpec[], method: ProbeMethod): number {
  if (!userspaceTimed(method) || specs.length === 0 || !specs.every((s) => CHILD_KINDS.has(s.kind))) return 1
  return method === 'trace' ? SITES_TRACE_ROUNDS : SITES_ROUNDS
}

/** At most as many children at once as cores when they measure on this host (unless the user chose). */
export function sitesConcurrency(specs: readonly VantageSpec[], method: ProbeMethod, flag: number, userSet: boolean, cores = availableParallelism()): number {
  if (userSet || !userspaceTimed(method) || !specs.some((s) => THIS_HOST_KINDS.has(s.kind))) return flag
  return Math.max(1, Math.min(flag, cores))
}

const key = (o: VantageOutcome): string => `${o.vantage.kind}\u0000${o.vantage.id}`

/**
 * One outcome per vantage point out of several rounds: the one with the lowest RTT; without any
 * RTT, the first with a result; else the first. In first-seen order.
 */
export function lowestRttOutcomes(rounds: ReadonlyArray<readonly VantageOutcome[]>): VantageOutcome[] {
  const best = new Map<string, {o: VantageOutcome; rtt: number | null}>()
  for (const round of rounds) {
    for (const o of round) {
      const rtt = o.result === null ? null : resultRtt(o.result)
      const prev = best.get(key(o))
      const better = prev === undefined || (rtt !== null && (prev.rtt === null || rtt < prev.rtt)) || (prev.rtt === null && prev.o.result === null && o.result !== null)
      if (better) best.set(key(o), {o, rtt})
    }
  }
  return [...best.values()].map((b) => b.o)
}

/**
 * How the rounds went (the document's `rounds`): `completed` rounds every vantage point finished,
 * of `planned`; `stopped` when Ctrl-C / SIGTERM ended the run before its planned rounds were done.
 * Fewer rounds without `stopped`: nothing answered anywhere, so another round was not run.
 */
export interface SitesRounds {
  planned: number
  completed: number
  stopped: boolean
}

export interface SitesMeasurement {
  /** one outcome per vantage point: its lowest RTT of every round measured, the stopped one's finished vantage points included */
  outcomes: VantageOutcome[]
  rounds: SitesRounds
}

/**
 * Measure for sites: `rounds` runs of the plan, each vantage point's lowest-RTT outcome kept.
 * Ctrl-C / SIGTERM stops the round running (its unfinished vantage points E_VP_ABORTED, as
 * catchment's) and no other starts; listened for across all rounds, so a signal between two rounds
 * stops the run too instead of killing it with what the rounds before measured.
 */
export async function measureSites(opts: Omit<RunOptions, 'locations' | 'signal'>, rounds: number): Promise<SitesMeasurement> {
  const stop = new AbortController()
  const onSignal = (): void => {
    // once: a second Ctrl-C (the round's own listener is spent too) ends the process at once, as
    // everywhere else; left on, it would be caught here and do nothing
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const all: VantageOutcome[][] = []
  let completed = 0
  try {
    for (let i = 0; i < rounds && !stop.signal.aborted; i++) {
      // each round starts at another vantage point: the ones that start together (and crowd the
      // cores together) are not the same pair every round
      const k = opts.specs.length === 0 ? 0 : i % opts.specs.length
      const specs = [...opts.specs.slice(k), ...opts.specs.slice(0, k)]
      const round = await runVantages({...opts, specs, locations: null, signal: stop.signal})
      all.push(round)
      // a round the signal came in is not complete, even when its last vantage point had just
      // finished: a stopped trace child keeps what it measured (no E_VP_ABORTED to tell by)
      if (stop.signal.aborted) break
      completed++
      // nothing answered anywhere (no namespace, no route): another round says no more
      if (round.every((o) => o.result === null)) break
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  const best = lowestRttOutcomes(all)
  // a RIPE Atlas / Globalping backend that could not measure in a round: its exit code stays the run's
  for (const round of all) carryUnmeasured(round, best)
  return {outcomes: best, rounds: {planned: rounds, completed, stopped: stop.signal.aborted && completed < rounds}}
}

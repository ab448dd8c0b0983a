// The round-trip time a result bounds the PoP's distance with (the speed-of-light check), one
// reading per method. Pure functions of model values, used by the verdict (src/infer/verdict.ts)
// and the catchment's rttMs column (src/analysis/catchment.ts), so both read the same number.
import type {DnsQueryResult} from './dns.js'
import type {HttpTimings} from './http.js'
import type {TraceHop} from './trace.js'

/**
 * The largest RTT taken as measured: one hour. Why so high: no backend waits that long for an
 * answer (RIPE Atlas gives up within a minute; anyprobe's --timeout is seconds), so anything above
 * is no round trip at all but a broken or hand-edited file, or a unit slip (microseconds or
 * nanoseconds written as ms); and a bound any real RTT stays far below never drops a slow one
 * (a satellite link's seconds, a queue's tens of seconds).
 */
export const MAX_RTT_MS = 3_600_000

/**
 * An RTT no measurement gives: not a finite number, below zero (a clock stepped back), or above
 * MAX_RTT_MS. Zero is a reading: Globalping gives DNS and HTTP timings in whole milliseconds, so a
 * probe in the target's datacentre reads 0 ms. One rule for every reader of RTTs from outside:
 * report and diff drop such an RTT from a saved file and say how many (store/impossible-rtt.ts),
 * sites counts such an observation as impossibleRtt (analysis/sites/clean.ts, which leaves out a
 * zero too, for its discs' own reason).
 */
export function impossibleRtt(ms: number): boolean {
  return !Number.isFinite(ms) || ms < 0 || ms > MAX_RTT_MS
}

/** Lowest RTT seen from the destination: the bound the RTT-feasibility check uses. */
export function minDestinationRtt(hops: TraceHop[], destinationReached: boolean): number | null {
  if (!destinationReached) return null
  const rtts = (hops.at(-1)?.rttMs ?? []).filter((r): r is number => r !== null)
  return rtts.length > 0 ? Math.min(...rtts) : null
}

/** The smallest RTT of any DNS reply: the tightest speed-of-light bound the probe gives. */
export function minRttMs(queries: DnsQueryResult[]): number | null {
  const rtts = queries.map((q) => q.rttMs).filter((r): r is number => r !== null)
  return rtts.length === 0 ? null : Math.min(...rtts)
}

/** An HTTP result's RTT, and whether it is only an upper bound of it (no connect phase was timed). */
export interface HttpRtt {
  ms: number | null
  upperBound: boolean
}

/**
 * The TCP handshake takes one round trip: the connect phase bounds the RTT for the feasibility
 * check. A request on a reused connection has no connect phase; its time to first byte (request
 * out, response in: one round trip plus the server's time) is an upper bound of the RTT, which
 * only ever rules out fewer places, so it is safe to check with. A RIPE Atlas HTTP result rarely
 * times the phases (no `ttc`/`ttfb`, only `rt`: the request's whole time, DNS excluded, at least
 * the handshake and one request round trip): its total is the upper bound then, never nothing.
 */
export function httpRtt(t: HttpTimings): HttpRtt {
  if (t.connectMs !== null) return {ms: t.connectMs, upperBound: false}
  const ms = t.firstByteMs ?? t.totalMs
  return {ms, upperBound: ms !== null}
}

/** The RTT the feasibility check uses for an HTTP result (see httpRtt). */
export function minRttFromTimings(t: HttpTimings): number | null {
  return httpRtt(t).ms
}

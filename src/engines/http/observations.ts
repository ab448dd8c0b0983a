// What of an HTTP response speaks for the PoP, as observations for the inference engine: every
// response header (the engine knows which CDN headers carry a site and ignores the rest), the
// operator's own --pop-header headers as user signals, and the colo= of /cdn-cgi/trace.
import type {HttpTimings} from '../../model/http.js'

/** One input for inferPop (structurally its Observation): a header value, user-named or not. */
export interface HttpObservation {
  signal: 'http-header' | 'user'
  header: string
  input: string
}

/** Headers shown in the table whether or not the engine used them: they say which cache/edge answered. */
export const EDGE_CONTEXT_HEADERS = ['server', 'via', 'age', 'x-cache', 'x-cache-status', 'cf-cache-status', 'cache-status', 'x-cache-hits']

export function httpObservations(
  headers: Record<string, string>,
  popHeaders: string[],
  cfTrace: Record<string, string> | null,
): HttpObservation[] {
  const user = new Set(popHeaders.map((h) => h.toLowerCase()))
  const obs: HttpObservation[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value.trim() === '') continue
    obs.push({signal: user.has(name) ? 'user' : 'http-header', header: name, input: value})
  }
  // loc= is the client's country, not the PoP's: only colo= names the edge
  if (cfTrace?.colo) obs.push({signal: 'http-header', header: 'cf-trace', input: `colo=${cfTrace.colo}`})
  return obs
}

/**
 * The TCP handshake takes one round trip: the connect phase bounds the RTT for the feasibility
 * check. A request on a reused connection has no connect phase; its time to first byte (request
 * out, response in: one round trip plus the server's time) is an upper bound of the RTT, which
 * only ever rules out fewer places, so it is safe to check with.
 */
export function minRttFromTimings(t: HttpTimings): number | null {
  return t.connectMs ?? t.firstByteMs
}

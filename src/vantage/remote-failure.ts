// When a remote measuring service (RIPE Atlas, Globalping) fails, whose failure it is: two
// decisions, one function each, used by both clients and by every command's run (console/multi-run.ts).
//
//   noNetwork(code, host)     a socket error that says this host has no way to the service: its name
//                             did not resolve, or there is no route. Asking again a second later does
//                             not help (an offline laptop stays offline), so the clients do not retry
//                             it with back-off; a timeout, a 5xx or a 429 still is retried.
//   remoteRunFailure(spec, e) a RIPE Atlas or Globalping backend that threw instead of yielding its
//                             probes' outcomes could not measure: the error is the run's, with its own
//                             exit code (6 network, 2 usage, 7 data), never a vantage point whose
//                             target did not answer (exit 4). An operator alerting on exit 4 must not
//                             be paged for a laptop without network or a refused API key.
//   incompleteRead(backend)   results that broke off after some came: the run's exit code is the
//                             break's too (the outcomes that came are kept).
import {AnyprobeError} from '../model/errors.js'

/** getaddrinfo's and connect's codes for "no way there from here", and how to say each. */
const NO_NETWORK: Readonly<Record<string, 'name' | 'route'>> = {
  EAI_AGAIN: 'name', // no DNS answer (no network, no resolver reachable)
  ENOTFOUND: 'name', // the name does not exist (a typo in the URL, or a resolver that says so offline)
  EAI_FAIL: 'name',
  EAI_NODATA: 'name',
  ENETUNREACH: 'route', // no route: no network configured, or the other address family
  EHOSTUNREACH: 'route',
  ENETDOWN: 'route',
}

/** Node's code of a socket error: its own, or (connecting to several addresses) the first inner one's. */
export function socketErrorCode(e: unknown): string | null {
  const err = e as {code?: unknown; errors?: unknown; cause?: unknown} | null
  if (err === null || typeof err !== 'object') return null
  if (typeof err.code === 'string') return err.code
  if (Array.isArray(err.errors)) for (const inner of err.errors) if (typeof (inner as {code?: unknown})?.code === 'string') return (inner as {code: string}).code
  return err.cause !== undefined && err.cause !== e ? socketErrorCode(err.cause) : null
}

/** What a "no network" error code means, for `host`; null for an error worth retrying (timeout, reset, refused). */
export function noNetwork(code: string | null | undefined, host: string): string | null {
  const kind = code ? NO_NETWORK[code] : undefined
  if (kind === 'name') return `the name ${host} did not resolve (${code})`
  if (kind === 'route') return `no route to ${host} (${code})`
  return null
}

/**
 * The hint of a request that never left this host: it created nothing and spent nothing, and what
 * to check. `env`: the variable naming the service's URL; `url`: what it is now. (A backend that had
 * created a measurement before says so itself: ./atlas/index.ts, ./globalping/index.ts.)
 */
export function noNetworkHint(service: string, env: string, url: string): string {
  return `nothing was sent to ${service}, so no measurement was created and no credits were spent; check this host's network and DNS (offline? a VPN, proxy or firewall?) and ${env} (now ${url}), then run the command again`
}

/** A noNetworkHint without its first clause, for a run that had created a measurement before it failed. */
export function checkOnlyHint(hint: string): string {
  return hint.replace(/^nothing was sent to [^;]*; /, '')
}

const REMOTE_KINDS = ['atlas:', 'globalping:'] as const

/**
 * A backend of `spec` threw `e` instead of yielding outcomes: the error that ends (or, beside other
 * vantage points' outcomes, marks) the run, or null when it stays a failed vantage point (a local,
 * netns or ssh backend; a bug, which keeps E_INTERNAL). A RIPE Atlas or Globalping backend's
 * AnyprobeError is the run's: the service said no or could not be reached, so nothing was measured
 * from its probes (the backends yield the probes they have before failing themselves).
 */
export function remoteRunFailure(spec: string, e: unknown): AnyprobeError | null {
  if (!REMOTE_KINDS.some((k) => spec.startsWith(k))) return null
  if (!(e instanceof AnyprobeError) || e.code === 'E_INTERNAL') return null
  return e
}

/**
 * A remote backend whose results broke off after some had come (AtlasBackend.incomplete: a download
 * cut short, an API that went away): what came is kept and its probes left without a result say
 * why, but the run could not read everything, so its exit code is the break's (7 data, 6 network),
 * not 9 or 4 as if those probes' target had not answered. null: nothing broke off.
 */
export function incompleteRead(backend: unknown): AnyprobeError | null {
  const e = (backend as {incomplete?: unknown} | null)?.incomplete
  return e instanceof AnyprobeError ? e : null
}

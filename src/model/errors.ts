// Every failure a user can cause or meet has a stable code, a hint and an exit code,
// so scripts can branch on it and people know what to do next (undici's UND_ERR_* style).

// The one exit-code rule of every command (README "Errors and exit codes"; measured runs go
// through ./exit.ts measuredExit). Stable: scripts and alerts branch on these numbers.
export const EXIT = {
  ok: 0, // measured, and every vantage point answered
  failure: 1, // internal error (a bug): report it
  usage: 2, // bad flag, bad argument, a named file that cannot be opened
  resolve: 3, // a hostname resolved to nothing
  unreachable: 4, // measured, and no vantage point answered (the target never did)
  privilege: 5, // raw sockets need root or CAP_NET_RAW
  network: 6, // local network error (no route, socket error)
  data: 7, // input file or remote data could not be (fully) used
  alert: 8, // an expectation broke or something changed: diff moved, --expect rule broken
  partial: 9, // measured; some vantage points answered, some did not (failed or not answered)
  write: 10, // measured, but an output file (--out) could not be written
} as const

export type ErrorCode =
  | 'E_USAGE'
  | 'E_BAD_TARGET'
  | 'E_BAD_DURATION'
  | 'E_RESOLVE'
  | 'E_UNREACHABLE'
  | 'E_NO_RAW_SOCKET'
  | 'E_NETWORK'
  | 'E_TIMEOUT'
  | 'E_BAD_INPUT'
  | 'E_MMDB'
  | 'E_INTERNAL'
  | 'E_WRITE'
  // a vantage point (netns/ssh child, RIPE Atlas probe) failed; the others go on
  | 'E_VP_SPAWN' // the child process could not be started
  | 'E_VP_NETNS' // no such network namespace / ip netns exec failed
  | 'E_VP_CONNECT' // ssh could not connect or authenticate
  | 'E_VP_TIMEOUT' // the vantage point took longer than --vp-timeout
  | 'E_VP_ABORTED' // the run was stopped (Ctrl-C) before this vantage point finished
  | 'E_VP_BAD_OUTPUT' // the child's output was not a valid result line
  | 'E_VP_DIED' // the child ended (killed by a signal, or a failing exit) without a result and without saying why

/**
 * The vantage point itself could not be used (not started, no such namespace, no ssh login): nothing
 * was sent to the target from there, so its failure says nothing about the target (./exit.ts).
 */
export const PLACE_FAILURES: readonly ErrorCode[] = ['E_VP_SPAWN', 'E_VP_NETNS', 'E_VP_CONNECT']

export function isPlaceFailure(code: string | null | undefined): boolean {
  return code !== null && code !== undefined && (PLACE_FAILURES as readonly string[]).includes(code)
}

export class AnyprobeError extends Error {
  readonly code: ErrorCode
  readonly hint: string | null
  readonly exitCode: number

  constructor(code: ErrorCode, message: string, opts: {hint?: string; exitCode?: number; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'AnyprobeError'
    this.code = code
    this.hint = opts.hint ?? null
    this.exitCode = opts.exitCode ?? EXIT.failure
  }

  toJSON(): {code: ErrorCode; message: string; hint: string | null; exitCode: number} {
    return {code: this.code, message: this.message, hint: this.hint, exitCode: this.exitCode}
  }
}

export function isAnyprobeError(e: unknown): e is AnyprobeError {
  return e instanceof AnyprobeError
}

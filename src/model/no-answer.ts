// How a target failed to answer a probe -> one stable code, exit code and hint, for every
// protocol: http's engine (engines/http/request.ts toHttpError) and dns (util/dns-no-answer.ts
// dnsNoAnswerError) say the same situation the same way, so a script branching on the code, or a
// person reading the hint, need not know which probe it was.
import {AnyprobeError, type ErrorCode, EXIT} from './errors.js'

export type NoAnswerKind =
  | 'refused' // nothing listens on the port (connection refused, ICMP port unreachable)
  | 'timeout' // no reply within the timeout
  | 'unreachable' // a router on the way (or the target's firewall) said it cannot be reached
  | 'not-protocol' // the port answered with what is not the protocol asked (not HTTP, not DNS)
  | 'no-route' // nothing could leave this host (no route here): this host's failure, not the target's

const CODES: Record<NoAnswerKind, [ErrorCode, number]> = {
  refused: ['E_UNREACHABLE', EXIT.unreachable],
  timeout: ['E_TIMEOUT', EXIT.unreachable],
  unreachable: ['E_UNREACHABLE', EXIT.unreachable],
  'not-protocol': ['E_BAD_INPUT', EXIT.data],
  'no-route': ['E_NETWORK', EXIT.network],
}

/** The hints every protocol shares; `refused` names the port and what else to check (the scheme, --tcp). */
export const NO_ANSWER_HINTS = {
  refused: (port: number, alsoCheck: string): string => `nothing listens on port ${port} there; check the port and ${alsoCheck}`,
  timeout: 'the server may be down or filtered; raise --timeout if it is just slow',
  unreachable: 'this host has a route; the network does not reach the target from here (anyprobe trace shows where the path ends)',
  'no-route': "check the address and this host's routes",
} as const

export function noAnswerError(kind: NoAnswerKind, message: string, hint: string, cause?: unknown): AnyprobeError {
  const [code, exitCode] = CODES[kind]
  return new AnyprobeError(code, message, {hint, exitCode, ...(cause === undefined ? {} : {cause})})
}

/** The warning a one-shot probe prints when its target did not answer (the result is still printed). */
export function noAnswerWarning(e: {code: string; message: string; hint: string | null}, exitCode: number): string {
  return `warning: ${e.code}: ${e.message} (exit ${exitCode})\n${e.hint ? `hint: ${e.hint}\n` : ''}`
}

// Why a DNS server gave no usable reply: the summary line's words (noAnswerText, which render/dns.ts
// prints) and the stable error a probe reports (dnsNoAnswerError, which pipeline/dns.ts and the dns
// command take). Kept in the base layer so the probe does not import a renderer to build an error;
// in util/ rather than model/ because it sanitises the address (util/ imports model/, not back).
import type {DnsResult} from '../model/dns.js'
import type {AnyprobeError} from '../model/errors.js'
import {NO_ANSWER_HINTS, noAnswerError} from '../model/no-answer.js'
import {sanitize} from './sanitize.js'

/**
 * Why no query got a usable reply, counted by what happened to each: "the port is closed", "4
 * malformed replies from ADDR (not DNS messages)", "no reply to any query within T ms", or a mix.
 * Null when the server answered. The one wording of the summary line and the command's warning.
 */
export function noAnswerText(r: Pick<DnsResult, 'answered' | 'queries' | 'targetAddr' | 'params'>): string | null {
  if (r.answered) return null
  if (r.queries.some((q) => q.error === 'refused')) return 'the port is closed (connection refused / port unreachable)'
  if (r.queries.some((q) => q.error === 'unreachable')) return 'the network said the target cannot be reached (an ICMP unreachable or prohibited from a router on the way or the target\'s firewall)'
  const malformed = r.queries.filter((q) => q.error === 'malformed').length
  const silent = r.queries.filter((q) => q.error === 'timeout').length
  const parts: string[] = []
  if (malformed > 0) parts.push(`${malformed} malformed ${malformed === 1 ? 'reply' : 'replies'} from ${sanitize(r.targetAddr, 60)} (not DNS messages that could be read)`)
  if (silent > 0) parts.push(malformed > 0 ? `no reply to the other ${silent} within ${r.params.timeoutMs} ms` : `no reply to any query within ${r.params.timeoutMs} ms`)
  const other = r.queries.length - malformed - silent
  if (other > 0) parts.push(`${other} ${other === 1 ? 'query' : 'queries'} failed (${[...new Set(r.queries.map((q) => q.error).filter((e) => e !== 'malformed' && e !== 'timeout'))].join(', ')})`)
  return parts.length === 0 ? 'no reply' : parts.join('; ')
}

/**
 * Every query failed on this host's side (no route here, no address of that family): nothing
 * reached the network, so it says nothing of the target (exit 6, as http and trace say a local
 * network error), not "the target did not answer" (4), which an operator's alert reads as an
 * outage. An ICMP unreachable from the way or the target's firewall is `unreachable`: exit 4.
 */
export function failedLocally(r: Pick<DnsResult, 'answered' | 'queries'>): boolean {
  return !r.answered && r.queries.length > 0 && r.queries.every((q) => q.error === 'network')
}

/** No query got a usable reply and some got a malformed one: the server answers, with something that is not DNS. */
export function repliedUnreadably(r: Pick<DnsResult, 'answered' | 'queries'>): boolean {
  return !r.answered && r.queries.some((q) => q.error === 'malformed')
}

/**
 * Why the server gave no usable reply, as the stable code, exit code and hint http gives the same
 * situation (model/no-answer.ts): the port closed (E_UNREACHABLE, 4), replies that are not DNS
 * (E_BAD_INPUT, 7), nothing left this host (E_NETWORK, 6), a router said unreachable
 * (E_UNREACHABLE, 4), silence (E_TIMEOUT, 4). The message is noAnswerText's. Null when it answered.
 */
export function dnsNoAnswerError(r: Pick<DnsResult, 'answered' | 'queries' | 'targetAddr' | 'params' | 'port' | 'transport'>): AnyprobeError | null {
  const text = noAnswerText(r)
  if (text === null) return null
  const message = `${sanitize(r.targetAddr, 60)} port ${r.port}/${r.transport}: ${text}`
  if (repliedUnreadably(r)) {
    return noAnswerError('not-protocol', message, `what answers on port ${r.port} may not be a DNS server: check --port${r.transport === 'udp' ? ' (and --tcp)' : ''}`)
  }
  if (failedLocally(r)) return noAnswerError('no-route', message, NO_ANSWER_HINTS['no-route'])
  if (r.queries.some((q) => q.error === 'refused')) return noAnswerError('refused', message, NO_ANSWER_HINTS.refused(r.port, r.transport === 'udp' ? 'the transport (--tcp for a server on TCP only)' : 'the transport (without --tcp for UDP)'))
  if (r.queries.some((q) => q.error === 'unreachable')) return noAnswerError('unreachable', message, NO_ANSWER_HINTS.unreachable)
  return noAnswerError('timeout', message, NO_ANSWER_HINTS.timeout)
}

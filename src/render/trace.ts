// Human view of a trace: one row per hop, then how it ended and which PoP answered.
import {unreachableMeaning} from '../model/icmp-unreachable.js'
import {isConfidentPop} from '../model/pop-confidence.js'
import type {TraceHop, TraceResult} from '../model/trace.js'
import {sanitize} from '../util/sanitize.js'
import {renderPop} from './pop.js'
import {fmtMs, plainTable} from './table.js'

/** One probe's RTT, with traceroute's mark when the answer was a destination unreachable (0.05 !H). */
function rttCell(hop: TraceHop, i: number, family: 4 | 6): string {
  const rtt = fmtMs(hop.rttMs[i])
  const reply = hop.replies.find((r) => r.probe === i)
  const mark = reply ? unreachableMeaning(family, reply.icmpType, reply.icmpCode)?.mark : undefined
  return mark ? `${rtt} ${mark}` : rtt
}

function hopRows(hop: TraceHop, family: 4 | 6): string[][] {
  const rtts = hop.rttMs.map((_, i) => rttCell(hop, i, family)).join('  ')
  // a hint under 0.5 (a lone word of a local name, 'london') is marked '?' as the catchment table marks one
  const unsure = hop.hint !== null && !isConfidentPop(hop.hint) ? '?' : ''
  const hint = hop.hint ? `${hop.hint.code}${unsure}${hop.hint.city ? ` ${hop.hint.city}` : ''}` : ''
  const asn = hop.asn === null ? '' : `AS${hop.asn}`
  const first = [String(hop.ttl), hop.addr ?? '*', sanitize(hop.hostname ?? '', 80), asn, rtts, sanitize(hint, 40)]
  // load-balanced hop: list the other responders under it
  const others = hop.addrs.filter((a) => a !== hop.addr).map((a) => ['', a, '(also answered)', '', '', ''])
  return [first, ...others]
}

/**
 * A trace ended by a destination unreachable: who said it and what, as traceroute's !H / !X would.
 * When the target itself refused the probes (a firewall's reject, e.g. firewalld's
 * host-prohibited), its address is the last row: "not reached" alone read as if it never answered.
 */
function unreachableEnd(r: TraceResult): string | null {
  if (r.stopReason !== 'unreachable') return null
  const hop = r.hops.at(-1)
  if (!hop) return null
  for (const reply of hop.replies) {
    if (reply.addr === null) continue
    const m = unreachableMeaning(r.family, reply.icmpType, reply.icmpCode)
    if (!m) continue
    const what = `${m.words} (${m.mark ? `${m.mark}, ` : ''}ICMP${r.family === 6 ? 'v6' : ''} ${reply.icmpType}/${reply.icmpCode})`
    return reply.addr === r.targetAddr
      ? `destination not reached: the target answered at hop ${hop.ttl} but refused the probes: ${what}`
      : `destination not reached: ${reply.addr} at hop ${hop.ttl} says ${what}`
  }
  return null
}

/**
 * TCP: whether the port answered open (SYN-ACK) or closed (RST), as scamper's [open] / [closed].
 * A SYN-ACK proves it open: every probe shares one 4-tuple, so an RST after it is the target
 * resetting a connection an earlier probe half-opened (model/trace.ts TcpPortState), and "open to
 * some probes, closed to others" is said only when an RST came before any SYN-ACK.
 */
function tcpPortState(r: TraceResult): string {
  if (r.protocol !== 'tcp') return ''
  const port = r.params.port === null ? 'the port' : `port ${r.params.port}`
  // a file read back may hold anything there: only a known state with counts is read
  const p = r.tcpPort
  if (p && ['open', 'closed', 'mixed'].includes(p.state) && Number.isInteger(p.rstsAfterSynAck) && p.rstsAfterSynAck >= 0) {
    if (p.state === 'closed') return `: ${port} closed (RST)`
    if (p.state === 'mixed') {
      return `: ${port} answered RST before any SYN-ACK, then SYN-ACK (closed to some probes, open to others: a port opened during the trace, or hosts behind one address that differ)`
    }
    const resets = p.rstsAfterSynAck
    const note = resets === 0 ? '' : `; the RST to ${resets} later probe${resets === 1 ? '' : 's'} of this flow reset${resets === 1 ? 's' : ''} the connection an earlier one half-opened (one 4-tuple), not a closed port`
    return `: ${port} open (SYN-ACK${note})`
  }
  // a file without tcpPort (older, or read from elsewhere) has no arrival order: a SYN-ACK still proves the port open
  const answers = new Set(r.hops.at(-1)?.replies.map((x) => x.tcpAnswer).filter((a) => a !== undefined))
  if (answers.has('syn-ack')) return `: ${port} open (SYN-ACK)`
  if (answers.has('rst')) return `: ${port} closed (RST)`
  return ''
}

/** The sources that gave the identity: only those that answered ("(id.server, NSID)" was said when no NSID came). */
function identitySources(r: TraceResult): string {
  // only the two names this trace knows are printed (a file read back may hold anything there)
  const sources = Array.isArray(r.destinationIdentitySources) ? ['id.server', 'NSID'].filter((s) => r.destinationIdentitySources!.includes(s as 'id.server')) : []
  // an older file does not say which answered
  return sources.length > 0 ? sources.join(', ') : 'id.server or NSID'
}

export function renderTrace(r: TraceResult): string {
  const name = r.targetHostname ? ` (${sanitize(r.targetHostname, 80)})` : ''
  const head =
    `trace to ${sanitize(r.target, 100)}${r.target === r.targetAddr ? '' : ` [${r.targetAddr}]`}${name}, ` +
    `${r.protocol}${r.params.port ? ` port ${r.params.port}` : ''}, flow id ${r.flowId}, from ${r.vantage.id}`
  const table = plainTable(['ttl', 'address', 'hostname', 'asn', 'rtt ms', 'hint'], r.hops.flatMap((h) => hopRows(h, r.family)))
  const lastTtl = r.hops.at(-1)?.ttl ?? 0
  const end = r.destinationReached
    ? `destination reached at hop ${lastTtl} in ${r.durationMs.toFixed(0)} ms${tcpPortState(r)}`
    : (unreachableEnd(r) ?? `destination not reached (${r.stopReason})`) + ` after ${r.durationMs.toFixed(0)} ms`
  const lines = [head, table, end]
  if (r.destinationIdentity?.length) lines.push(`the server says it is: ${r.destinationIdentity.map((i) => sanitize(i, 100)).join(', ')} (${identitySources(r)})`)
  lines.push(renderPop(r.pop, r))
  return lines.join('\n')
}

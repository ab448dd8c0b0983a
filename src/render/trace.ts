// Human view of a trace: one row per hop, then how it ended and which PoP answered.
import type {TraceHop, TraceResult} from '../model/trace.js'
import {sanitize} from '../util/sanitize.js'
import {renderPop} from './pop.js'
import {fmtMs, plainTable} from './table.js'

function hopRows(hop: TraceHop): string[][] {
  const rtts = hop.rttMs.map((r) => fmtMs(r)).join('  ')
  const hint = hop.hint ? `${hop.hint.code}${hop.hint.city ? ` ${hop.hint.city}` : ''}` : ''
  const asn = hop.asn === null ? '' : `AS${hop.asn}`
  const first = [String(hop.ttl), hop.addr ?? '*', sanitize(hop.hostname ?? '', 80), asn, rtts, sanitize(hint, 40)]
  // load-balanced hop: list the other responders under it
  const others = hop.addrs.filter((a) => a !== hop.addr).map((a) => ['', a, '(also answered)', '', '', ''])
  return [first, ...others]
}

export function renderTrace(r: TraceResult): string {
  const name = r.targetHostname ? ` (${sanitize(r.targetHostname, 80)})` : ''
  const head =
    `trace to ${sanitize(r.target, 100)}${r.target === r.targetAddr ? '' : ` [${r.targetAddr}]`}${name}, ` +
    `${r.protocol}${r.params.port ? ` port ${r.params.port}` : ''}, flow id ${r.flowId}, from ${r.vantage.id}`
  const table = plainTable(['ttl', 'address', 'hostname', 'asn', 'rtt ms', 'hint'], r.hops.flatMap(hopRows))
  const lastTtl = r.hops.at(-1)?.ttl ?? 0
  const end = r.destinationReached
    ? `destination reached at hop ${lastTtl} in ${r.durationMs.toFixed(0)} ms`
    : `destination not reached (${r.stopReason}) after ${r.durationMs.toFixed(0)} ms`
  const lines = [head, table, end]
  if (r.destinationIdentity?.length) lines.push(`the server says it is: ${r.destinationIdentity.map((i) => sanitize(i, 100)).join(', ')} (id.server, NSID)`)
  lines.push(renderPop(r.pop, r))
  return lines.join('\n')
}

// Human view of a ping result (RIPE Atlas pings, and ping catchments).
import type {PingResult} from '../model/ping.js'
import {sanitize} from '../util/sanitize.js'
import {renderPop} from './pop.js'
import {fmtMs} from './table.js'

export function renderPing(r: PingResult): string {
  const addr = r.targetAddr && r.targetAddr !== r.target ? ` [${r.targetAddr}]` : ''
  const loss = r.sent > 0 ? `${Math.round((100 * (r.sent - r.received)) / r.sent)}% loss` : 'nothing sent'
  return [
    `ping ${sanitize(r.target, 100)}${addr}, from ${r.vantage.id}`,
    `${r.received}/${r.sent} answered (${loss}); rtt ms: ${r.rttMs.map((x) => fmtMs(x)).join('  ')}`,
    `min ${fmtMs(r.minMs)}  avg ${fmtMs(r.avgMs)}  max ${fmtMs(r.maxMs)}`,
    renderPop(r.pop),
  ].join('\n')
}

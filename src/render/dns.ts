// Human view of a DNS identity probe: one row per query, then the identity the server gave and the PoP.
// Returns a string; the command prints it. Every network string was sanitised by the engine and is
// sanitised again here (cheap, and a renderer must not trust where its input came from).
import type {DnsQueryResult, DnsResult, NsidValue} from '../model/dns.js'
import {noAnswerText} from '../util/dns-no-answer.js'
import {sanitize} from '../util/sanitize.js'
import {renderPop} from './pop.js'
import {fmtMs, plainTable} from './table.js'

function nsidText(n: NsidValue): string {
  if (n.hex === '') return '(empty)'
  return n.text === null ? `0x${n.hex}` : `${sanitize(n.text, 120)} (0x${n.hex})`
}

function answerCell(q: DnsQueryResult): string {
  if (q.rcode === null) return `(${q.error ?? 'no reply'})`
  const parts = q.answers.map((a) => sanitize(a, 80))
  for (const o of q.otherRecords ?? []) parts.push(`(not an answer to the question: ${sanitize(o, 80)})`)
  if (q.nsidRequested) parts.push(q.nsid === null ? 'NSID: none' : `NSID: ${nsidText(q.nsid)}`)
  if (q.tcpRetry?.error === null) parts.push(`(UDP reply truncated in ${fmtMs(q.tcpRetry.udpRttMs, 2)} ms: answered over TCP)`)
  else if (q.tcpRetry) parts.push(`(truncated; asked again over TCP: ${q.tcpRetry.error})`)
  else if (q.truncated) parts.push('(truncated: retry with --tcp)')
  return parts.length === 0 ? '-' : parts.join('\n')
}

function queryRow(q: DnsQueryResult): string[] {
  return [`${sanitize(q.qname, 60)} ${q.qclass} ${q.qtype}`, q.rcode ?? '-', fmtMs(q.rttMs, 2), answerCell(q)]
}

export function renderDns(r: DnsResult): string {
  const addr = r.target === r.targetAddr ? '' : ` [${r.targetAddr}]`
  const head = `dns identity of ${sanitize(r.target, 100)}${addr} port ${r.port}/${r.transport}, from ${sanitize(r.vantage.id, 60)}`
  const table = plainTable(['query', 'rcode', 'rtt ms', 'answer'], r.queries.map(queryRow))
  const id = r.identity
  const identity = [
    'identity:',
    `  hostname.bind  ${id.hostnameBind === null ? '-' : sanitize(id.hostnameBind, 120)}`,
    `  id.server      ${id.idServer === null ? '-' : sanitize(id.idServer, 120)}`,
    `  version.bind   ${id.versionBind === null ? '-' : sanitize(id.versionBind, 120)}`,
    `  nsid           ${id.nsid === null ? '-' : nsidText(id.nsid)}`,
    // several TXT records in one CHAOS answer: the others, each an identity input of the verdict
    ...(id.otherTexts ?? []).slice(0, 5).map((t) => `  also answered  ${sanitize(t, 120)}`),
  ].join('\n')
  const lines = [head, table, identity]
  const noAnswer = noAnswerText(r)
  if (noAnswer !== null) lines.push(noAnswer.startsWith('the port') ? `no reply: ${noAnswer}` : noAnswer)
  lines.push(renderPop(r.pop, r))
  return lines.join('\n')
}

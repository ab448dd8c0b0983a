// The DNS identity probe: send every query of the plan concurrently, match replies by id + question,
// and read the server's identity (hostname.bind, id.server, version.bind, NSID) out of the replies.
// A refusal (REFUSED / NOTIMP) or a missing NSID is a normal result; a query with no reply has
// rcode null, rttMs null and an `error` saying why. PoP inference is the caller's job.
import type {DnsIdentity, DnsQueryResult, DnsTransport, NsidValue} from '../../model/dns.js'
import {decodeReply, encodeQuery, identityQueries, matchesQuery, type QuerySpec, randomIds, readReply} from './packet.js'
import {DnsExchangeError, type DnsExchanger, makeExchanger} from './transport.js'

export interface DnsProbeOptions {
  addr: string
  family: 4 | 6
  port: number
  transport: DnsTransport
  timeoutMs: number
  /** the ordinary query carrying NSID (default ". SOA") */
  qname: string
  qtype: string
  /** inject a transport (tests); default: a real UDP or TCP exchanger to addr:port */
  exchanger?: DnsExchanger
  /** inject the TCP transport a truncated UDP reply is retried on (tests); default: a real one to addr:port */
  tcpExchanger?: DnsExchanger
  /** inject query ids (tests); default: random */
  ids?: number[]
}

export interface DnsProbeOutcome {
  queries: DnsQueryResult[]
  identity: DnsIdentity
  /** at least one query got a reply */
  answered: boolean
  durationMs: number
}

export async function probeDns(opts: DnsProbeOptions): Promise<DnsProbeOutcome> {
  const specs = identityQueries(opts.qname, opts.qtype)
  const ids = opts.ids ?? randomIds(specs.length)
  const to = {addr: opts.addr, port: opts.port, family: opts.family}
  const exchanger = opts.exchanger ?? makeExchanger(opts.transport, to)
  // over UDP a truncated reply is asked again over TCP, as dig does: a server under response rate
  // limiting "slips" empty truncated replies so that real clients come back over TCP (NSD with
  // rrl-slip: the second probe within a second lost hostname.bind and id.server)
  const tcp = opts.transport === 'udp' ? (opts.tcpExchanger ?? makeExchanger('tcp', to)) : null
  const started = process.hrtime.bigint()
  const queries = await Promise.all(specs.map((spec, i) => askQuery(exchanger, tcp, spec, ids[i]!, opts.timeoutMs)))
  return {
    queries,
    identity: identityOf(queries),
    answered: queries.some((q) => q.rcode !== null),
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
  }
}

/** One query; a truncated UDP reply is asked again on `tcp` (with the same id and its own timeout). */
async function askQuery(exchanger: DnsExchanger, tcp: DnsExchanger | null, spec: QuerySpec, id: number, timeoutMs: number): Promise<DnsQueryResult> {
  const first = await runQuery(exchanger, spec, id, timeoutMs)
  if (tcp === null || first.truncated !== true || first.rttMs === null) return first
  const again = await runQuery(tcp, spec, id, timeoutMs)
  if (again.error !== null) return {...first, tcpRetry: {udpRttMs: first.rttMs, error: again.error}}
  return {...again, tcpRetry: {udpRttMs: first.rttMs, error: null}}
}

async function runQuery(exchanger: DnsExchanger, spec: QuerySpec, id: number, timeoutMs: number): Promise<DnsQueryResult> {
  const base = {qname: spec.qname, qclass: spec.qclass, qtype: spec.qtype, nsidRequested: spec.nsid}
  const accept = (buf: Buffer): boolean => {
    const decoded = decodeReply(buf)
    // our id on an undecodable message is this query's reply, malformed: taken (waiting out the
    // timeout for a better one only delayed the answer "malformed"); any other id is ignored
    if (decoded === null) return buf.length >= 2 && buf.readUInt16BE(0) === id
    return matchesQuery(decoded, spec, id)
  }
  try {
    const {reply, rttMs} = await exchanger.exchange(encodeQuery(spec, id), accept, timeoutMs)
    const decoded = decodeReply(reply)
    // a reply, but not a DNS message we can read: no rcode, no RTT (nothing usable came), error says why
    if (decoded === null) return {...base, rcode: null, rttMs: null, answers: [], nsid: null, aa: null, truncated: null, error: 'malformed'}
    // a CHAOS reply's answers are only the records that answer its question (see answersChaosQuestion)
    const parsed = readReply(decoded, reply, spec.qclass === 'CH' ? spec : undefined)
    return {
      ...base,
      rcode: parsed.rcode,
      rttMs: round3(rttMs),
      answers: parsed.answers,
      nsid: spec.nsid ? parsed.nsid : null,
      aa: parsed.aa,
      truncated: parsed.truncated,
      error: null,
      ...(parsed.otherRecords ? {otherRecords: parsed.otherRecords} : {}),
    }
  } catch (error) {
    if (!(error instanceof DnsExchangeError)) throw error
    return {...base, rcode: null, rttMs: null, answers: [], nsid: null, aa: null, truncated: null, error: error.kind}
  }
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** The non-empty TXT answers of a successful CHAOS query, each once, in the order sent. */
function chaosTexts(queries: DnsQueryResult[], qname: string): string[] {
  const q = queries.find((x) => x.qclass === 'CH' && x.qname === qname)
  if (!q || q.rcode !== 'NOERROR') return []
  const out: string[] = []
  for (const a of q.answers) if (a.trim() !== '' && !out.includes(a)) out.push(a)
  return out
}

/**
 * The identity strings: the first text of each CHAOS answer. A server that answers with several
 * TXT records of different texts (two names of sites) has the rest in `otherTexts`: each is an
 * identity input too, so names that disagree are a conflict for the PoP verdict, not the first one
 * believed (infer/signals.ts identityInputs).
 */
export function identityOf(queries: DnsQueryResult[]): DnsIdentity {
  const nsid: NsidValue | null = queries.find((q) => q.nsid !== null)?.nsid ?? null
  const [hostnameBind, ...moreHost] = chaosTexts(queries, 'hostname.bind')
  const [idServer, ...moreId] = chaosTexts(queries, 'id.server')
  const otherTexts: string[] = []
  for (const t of [...moreHost, ...moreId]) if (t !== hostnameBind && t !== idServer && !otherTexts.includes(t)) otherTexts.push(t)
  return {
    hostnameBind: hostnameBind ?? null,
    idServer: idServer ?? null,
    versionBind: chaosTexts(queries, 'version.bind')[0] ?? null,
    nsid,
    ...(otherTexts.length > 0 ? {otherTexts} : {}),
  }
}

// the identity strings and the RTT bound of a result: src/infer/signals.ts, src/model/rtt.ts
export {identityInputs} from '../../infer/signals.js'
export {minRttMs} from '../../model/rtt.js'

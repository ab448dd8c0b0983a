// The normalized result of a DNS identity probe (`anyprobe dns`): which server instance of an anycast
// DNS service answered, read from CHAOS TXT hostname.bind / id.server / version.bind and EDNS NSID.
// Missing is null, never 0 or "": a query that got no answer has rcode null and rttMs null.
import type {PopVerdict, Rejection} from './pop.js'
import type {VantagePoint} from './vantage.js'

export const DNS_SCHEMA_VERSION = 1

export type DnsTransport = 'udp' | 'tcp'

/**
 * Why a query has no answer. `timeout`: nothing came back in time; `refused`: the port is closed
 * (ICMP port unreachable for UDP, RST for TCP); `network`: a local socket error; `malformed`: a reply
 * arrived but could not be decoded; `closed`: the TCP peer closed before answering.
 */
/**
 * Why a query has no reply: timeout; refused (port closed); unreachable (an ICMP unreachable came
 * back from a router on the way or the target's firewall: the network said no); network (this host
 * could not send it: no route here, a local error); malformed; closed (TCP closed unanswered).
 */
export type DnsQueryError = 'timeout' | 'refused' | 'unreachable' | 'network' | 'malformed' | 'closed'

/** An EDNS NSID (RFC 5001) payload: text when every byte is printable ASCII, hex always. */
export interface NsidValue {
  /** sanitised text, or null when the payload is binary (or empty) */
  text: string | null
  /** lower-case hex of the raw payload ("" for an empty NSID option) */
  hex: string
}

export interface DnsQueryResult {
  /** the query name as sent, e.g. "hostname.bind" or "." */
  qname: string
  /** "CH" for the identity queries, "IN" for the ordinary one */
  qclass: string
  qtype: string
  /** whether this query carried the EDNS NSID option */
  nsidRequested: boolean
  /** "NOERROR", "REFUSED", "NOTIMP", ...; null when no reply arrived */
  rcode: string | null
  /** from sending the query to receiving the reply (TCP: after the connection is up); null when no reply */
  rttMs: number | null
  /** answer section in presentation form (TXT strings concatenated, sanitised); [] when none or no reply */
  answers: string[]
  /** the NSID option of the reply; null when not requested, not returned, or no reply */
  nsid: NsidValue | null
  /** authoritative answer flag of the reply; null when no reply */
  aa: boolean | null
  /** reply had the TC (truncated) bit: over UDP, retry with --tcp for the full answer; null when no reply */
  truncated: boolean | null
  /** why there is no reply; null when a reply arrived */
  error: DnsQueryError | null
  /**
   * records of a CHAOS reply's answer section that do not answer the question (another owner
   * name, class or type: a parked server's wildcard IN TXT), as "NAME CLASS TYPE DATA"; never
   * read as the identity. Absent when there are none.
   */
  otherRecords?: string[]
  /**
   * the UDP reply was truncated (TC) and the query was asked again over TCP, as dig does (RRL
   * "slip" answers with empty truncated replies): udpRttMs is the truncated reply's RTT; error
   * null: the fields above are the TCP reply's; else why TCP failed, and the fields above are the
   * truncated UDP reply's. Absent when no retry was made.
   */
  tcpRetry?: {udpRttMs: number; error: DnsQueryError | null}
  /**
   * the server this query went to, when the queries of one result went to different servers (a
   * RIPE Atlas probe asking each of its own resolvers); absent: the result's targetAddr
   */
  server?: string
}

/** The identity strings the server gave, each null when absent (not answered, refused, or empty). */
export interface DnsIdentity {
  hostnameBind: string | null
  idServer: string | null
  versionBind: string | null
  nsid: NsidValue | null
  /** further distinct texts of the hostname.bind / id.server answers (several TXT records); absent when none */
  otherTexts?: string[]
}

export interface DnsParams {
  timeoutMs: number
  /** the ordinary query carrying NSID */
  qname: string
  qtype: string
  /** false when the backend could not send CHAOS queries (Globalping): only the ordinary query was asked */
  chaos?: boolean
  /** what the backend could not do, in words */
  note?: string
}

export interface DnsResult {
  schemaVersion: typeof DNS_SCHEMA_VERSION
  kind: 'dns'
  /** what the user asked for (address or hostname) */
  target: string
  /** the address queried */
  targetAddr: string
  port: number
  transport: DnsTransport
  vantage: VantagePoint
  /** ISO 8601 */
  startedAt: string
  durationMs: number
  params: DnsParams
  queries: DnsQueryResult[]
  identity: DnsIdentity
  /** true when at least one query got a reply; false means the server never answered (exit code 4) */
  answered: boolean
  /**
   * why the server gave no usable reply, as http's noAnswer (model/http.ts): the stable code
   * (E_UNREACHABLE, E_TIMEOUT, E_BAD_INPUT, E_NETWORK), the message and hint the warning gives
   * (util/dns-no-answer.ts dnsNoAnswerError); null when it answered. Absent in older files and from
   * RIPE Atlas / Globalping results.
   */
  noAnswer?: {code: string; message: string; hint: string | null} | null
  pop: PopVerdict | null
  /** why `pop` is null (e.g. the destination never answered); null when there is a verdict; absent in older files */
  popReason?: string | null
  /** when `pop` is null: the places the RTT ruled out, each with why (a verdict lists its own in pop.rejected) */
  popRejected?: Rejection[]
}

// The normalized traceroute result. Local traces, netns/ssh traces and parsed RIPE Atlas traces all
// end up in this shape. Missing is null, never 0 (a silent hop has rttMs [null, null, null]).
import type {GeoHint, PopVerdict, Rejection} from './pop.js'
import type {VantagePoint} from './vantage.js'

export const TRACE_SCHEMA_VERSION = 1

export type TraceProtocol = 'icmp' | 'udp' | 'tcp'

/** Why the trace ended (scamper's explicit stop reasons). */
export type StopReason =
  | 'completed' // the destination answered
  | 'unreachable' // an ICMP destination-unreachable other than port-unreachable from the target
  | 'loop' // the same address answered at consecutive non-adjacent TTLs in a cycle
  | 'gap-limit' // too many consecutive silent hops after the last answer
  | 'hop-limit' // reached --max-hops without reaching the destination
  | 'halted' // interrupted by the user or an error

/** One reply to one probe. */
export interface ProbeReply {
  /** index of the probe within its hop (0..probes-1) */
  probe: number
  /** who answered, or null when the probe was lost */
  addr: string | null
  rttMs: number | null
  /** ICMP type/code of the reply (e.g. 11/0 time exceeded, 3/3 port unreachable); null for TCP SYN-ACK/RST or a lost probe */
  icmpType: number | null
  icmpCode: number | null
  /** TTL of the reply packet as received (helps spot asymmetric paths) */
  replyTtl: number | null
  /** a TCP probe answered by the target, as it came: SYN-ACK or RST (what the answers say of the port: TraceResult.tcpPort); absent otherwise */
  tcpAnswer?: 'syn-ack' | 'rst'
}

export interface TraceHop {
  ttl: number
  /** the address that answered most of this hop's probes; null when the hop was silent */
  addr: string | null
  /** every distinct address that answered (several when a load balancer splits the path despite the flow id) */
  addrs: string[]
  hostname: string | null
  asn: number | null
  asOrg: string | null
  /** RTT of each probe in order; null when that probe got no answer */
  rttMs: Array<number | null>
  replies: ProbeReply[]
  /** a location read from the hostname, or null */
  hint: GeoHint | null
}

export interface TraceParams {
  maxHops: number
  firstHop: number
  probes: number
  timeoutMs: number
  rate: number | null
  port: number | null
  gapLimit: number
  /** a silent hop waits this many times the largest RTT answered beyond it (see the engine); absent for traces another engine ran (RIPE Atlas) */
  waitFactor?: number
  /** false when another engine ran a classic (non-Paris) traceroute whose flow changes per probe (Globalping) */
  paris?: boolean
  /** which engine ran it, when not anyprobe's own, e.g. "globalping traceroute" */
  engine?: string
}

export interface TraceResult {
  schemaVersion: typeof TRACE_SCHEMA_VERSION
  kind: 'trace'
  /** what the user asked for (address or hostname) */
  target: string
  /** the address probed */
  targetAddr: string
  /** how the target address classifies (documentation, private, a well-known anycast prefix, ...) */
  targetInfo: {class: string; knownAnycast: string | null; notes: string[]}
  family: 4 | 6
  protocol: TraceProtocol
  flowId: number
  vantage: VantagePoint
  /** ISO 8601 */
  startedAt: string
  durationMs: number
  params: TraceParams
  hops: TraceHop[]
  destinationReached: boolean
  stopReason: StopReason
  pop: PopVerdict | null
  /** why `pop` is null (e.g. the destination never answered); null when there is a verdict; absent in older files */
  popReason?: string | null
  /** when `pop` is null: the places the RTT ruled out, each with why (a verdict lists its own in pop.rejected) */
  popRejected?: Rejection[]
  /** the destination's own reverse DNS name, when looked up */
  targetHostname: string | null
  /** UDP to port 53 only: what the destination's DNS answer said of itself (id.server TXT, NSID) */
  destinationIdentity?: string[]
  /** which sources gave destinationIdentity: 'id.server' (the CH TXT answer), 'NSID' (the EDNS option); absent in older files */
  destinationIdentitySources?: Array<'id.server' | 'NSID'>
  /** TCP only: what the target's answers say of the port, read in the order they arrived; absent for other protocols, older files and a target that never answered */
  tcpPort?: TcpPortState
}

/**
 * What a TCP trace's answers from the target say of its port. Every probe of a Paris trace shares
 * one 4-tuple, so a later SYN can meet the connection an earlier probe half-opened: the target
 * then answers it with RST (Linux: a SYN inside the window of a SYN-RECV connection resets it, RFC
 * 793), which says nothing of the port. Counted over every probe that reached the target (TTLs
 * past the hop shown too: they reached the same server).
 */
export interface TcpPortState {
  /** open: a SYN-ACK came, and no RST before it; closed: RSTs only; mixed: an RST came before any SYN-ACK, and a SYN-ACK after */
  state: 'open' | 'closed' | 'mixed'
  synAcks: number
  rsts: number
  /** RSTs that came after a SYN-ACK on the same 4-tuple: the target resetting a connection an earlier probe half-opened, not a closed port */
  rstsAfterSynAck: number
}

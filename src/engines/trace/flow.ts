// Paris flow identity, per-trace identity and probe ids: how each probe is encoded, and how a reply
// is matched back to the probe (and to this trace, never another one running at the same time).
//
//  protocol | flow (constant for every probe of a trace)        | trace id (per trace)                     | probe key (per probe)
//  ---------+---------------------------------------------------+------------------------------------------+-----------------------------
//  icmp     | ICMP checksum = flowId (the payload's first word   | ICMP identifier = traceId                 | ICMP sequence number
//           | compensates; type/code constant)                  |                                          |
//  udp      | src port = flowId, dst port = port                | traceId mod 1984 as: top 5 bits of the   | low 11 bits of the UDP checksum
//           | (checksum varies: routers do not hash on it)      | UDP checksum (1..31) + UDP length        | (payload word compensates)
//           |                                                   | (payload 16..79 bytes; 46..109 to :53);  |
//           |                                                   | the full traceId in payload bytes 2-3,   |
//           |                                                   | checked when the error quotes that far   |
//  tcp      | src port = flowId, dst port = port                | top 16 bits of the TCP sequence number    | low 16 bits of the sequence
//
// UDP to port 53 carries a DNS query (CH TXT id.server asking for the NSID, padded to its length),
// so a DNS server answers the probe that reaches it, as port-unreachable answers other UDP probes
// (a name server would only drop our usual payload: the trace ended in stars). The answer comes to
// a UDP socket bound to the flow's port; its DNS id, the compensation word, names the probe, and
// the identity it carries (id.server, NSID) is evidence of the PoP.
//
// Everything a reply is matched on sits in the quoted IP header or the first 8 bytes of the quoted
// L4 header (all a router must quote): ICMP type/identifier/sequence, UDP ports/length/checksum,
// TCP ports/sequence. The quoted destination must be the target and the quoted protocol ours.
// UDP has room for only 1984 trace ids in those 8 bytes, so two traces with one flow id, target and
// port could take each other's replies (1 in 1984 for random ids: it happened to two concurrent
// traces in a CI run). Most routers quote more (RFC 1812 asks for up to 576 bytes; ICMPv6 quotes up
// to 1280), so a UDP probe also carries its full 16-bit trace id in its payload, and a quote that
// reaches it must show it.
//
// Trace ids are drawn from a registry of the ids in flight in this process (trace-ids.ts), so two
// traces of one process never share one (watch --flows N runs N at once to one target); traces of
// two processes still meet 1 in 65536 (UDP: 1 in 1984 where a router quotes only 8 bytes).
//
// ICMP: the flow id (the echo request's checksum) is not required of a quoted request. A NAT in
// front of us rewrites the identifier and, with it, the checksum of our request; on the way back it
// restores the quoted identifier, but not every NAT fixes the quoted checksum too (RFC 5508 asks
// for the embedded headers to be reverted, yet NATs are known to leave quoted checksums changed:
// Paris traceroute's UDP mode keeps the IP ID as a backup key for that reason, as scamper's author
// noted on NANOG, 2008-08). A trace behind such a NAT would lose every hop: distinct ids within
// the process (above) do the separating instead.
// An IPv4 echo reply's checksum is checked: the target returns our payload (RFC 1122 3.2.2.6), so a
// valid reply's checksum is the flow id plus the type's change (8 -> 0), and a NAT restoring the
// identifier must fix it or the reply is invalid. Not IPv6: there it covers the pseudo-header with
// the source the kernel actually sent from, which we cannot see (the ICMPv6 socket gives no IP
// header) and which may differ from the one the probe's payload was computed for.

import type {TraceProtocol} from '../../model/trace.js'
import {
  DNS_PORT,
  DNS_PROBE_MIN_PAYLOAD,
  encodeDnsUdp,
  encodeIcmpEcho,
  encodeTcpSyn,
  encodeUdp,
  formatIp,
  ICMP4,
  ICMP6,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  normalizeIp,
  parseIcmp,
  parseIp,
  parseIpv4Header,
  parseTcpHeader,
  TCP_FLAGS,
} from './packet.js'
import type {IdentitySource} from './dns-identity.js'
import type {ReplyKind} from './transport.js'

/** Probe keys are 0..MAX_PROBES_PER_TRACE-1 (UDP carries them in 11 bits of its checksum). */
export const MAX_PROBES_PER_TRACE = 2048
const UDP_KEY_BITS = 11
/** UDP (not DNS) probes: the full trace id sits in L4 bytes 10-11 (payload bytes 2-3) */
const UDP_TAG_END = 12

export const DEFAULT_PORT: Record<TraceProtocol, number | null> = {icmp: null, udp: 33434, tcp: 80}

export const ICMP_PAYLOAD_LENGTH = 24

export interface FlowSpec {
  family: 4 | 6
  protocol: TraceProtocol
  /** the address probed */
  target: string
  /** our source address; required for UDP, TCP and ICMPv6 (pseudo-header checksums) */
  source: string | null
  /** destination port (UDP, TCP); ignored for ICMP */
  port: number | null
  /** 1..65535: the ICMP checksum, or the UDP/TCP source port */
  flowId: number
  /** 0..65535, per trace: distinct among the process's traces in flight (trace-ids.ts) */
  traceId: number
}

/** A reply matched to one of our probes. */
export interface MatchedReply {
  probeKey: number
  from: string
  icmpType: number | null
  icmpCode: number | null
  replyTtl: number | null
  kind: ReplyKind
  /** a DNS probe's answer: its id.server strings and NSID (sanitised) */
  identity?: string[]
  /** which of id.server and NSID gave `identity` */
  identitySources?: IdentitySource[]
}

export function randomFlowId(): number {
  return 1024 + Math.floor(Math.random() * (65536 - 1024))
}

export function isValidFlowId(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535
}

/**
 * UDP carries UDP_TRACE_IDS distinct trace ids: trace id mod 1984 = 31 checksum tags × 64 payload
 * lengths. (Two traces whose ids are congruent mod 1984 and that share a flow id, a target and a
 * port would see each other's replies: a 1-in-1984 chance for random ids.)
 */
export const UDP_TRACE_IDS = 31 * 64

/** UDP: the checksum's top 5 bits, 1..31 (never 0, so the checksum field is never 0 = "none"). */
export function udpTag(traceId: number): number {
  return 1 + ((traceId % UDP_TRACE_IDS) % 31)
}

/** UDP: payload length 16..79, the second half of the UDP trace id. */
export function udpPayloadLength(traceId: number): number {
  return 16 + Math.floor((traceId % UDP_TRACE_IDS) / 31)
}

export class ProbeCodec {
  readonly spec: FlowSpec
  readonly target: string
  private readonly dstBytes: Buffer
  private readonly srcBytes: Buffer | null
  private readonly dstPort: number
  /** UDP to port 53: probes are DNS queries (encodeDnsUdp) */
  readonly dns: boolean
  /** UDP payload bytes of every probe of this trace (part of the trace id) */
  private readonly udpPayload: number
  /** DNS probes: the DNS id each probe went out with -> its key */
  private readonly dnsIds = new Map<number, number>()

  constructor(spec: FlowSpec) {
    const dst = parseIp(spec.target)
    if (!dst || dst.length !== (spec.family === 4 ? 4 : 16)) {
      throw new RangeError(`target ${spec.target} is not an IPv${spec.family} address`)
    }
    const src = spec.source === null ? null : parseIp(spec.source)
    if (spec.source !== null && (!src || src.length !== dst.length)) {
      throw new RangeError(`source ${spec.source} is not an IPv${spec.family} address`)
    }
    if ((spec.protocol !== 'icmp' || spec.family === 6) && !src) {
      throw new RangeError(`${spec.protocol} over IPv${spec.family} needs the source address for its checksum`)
    }
    if (!isValidFlowId(spec.flowId)) throw new RangeError(`flow id ${spec.flowId} is not in 1..65535`)
    this.spec = spec
    this.target = formatIp(dst)
    this.dstBytes = dst
    this.srcBytes = src
    this.dstPort = spec.port ?? DEFAULT_PORT[spec.protocol] ?? 0
    this.dns = spec.protocol === 'udp' && this.dstPort === DNS_PORT
    this.udpPayload = udpPayloadLength(spec.traceId) + (this.dns ? DNS_PROBE_MIN_PAYLOAD - 16 : 0)
  }

  /** Protocol number of the probes (what an ICMP error's quoted header must show). */
  get ipProtocol(): number {
    if (this.spec.protocol === 'udp') return IPPROTO_UDP
    if (this.spec.protocol === 'tcp') return IPPROTO_TCP
    return this.spec.family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6
  }

  /** The L4 bytes of the probe with this key (the kernel adds the IP header). */
  encode(probeKey: number): Buffer {
    if (!Number.isInteger(probeKey) || probeKey < 0 || probeKey >= MAX_PROBES_PER_TRACE) {
      throw new RangeError(`probe key ${probeKey} out of range`)
    }
    const {family, flowId, traceId} = this.spec
    switch (this.spec.protocol) {
      case 'icmp':
        return encodeIcmpEcho({
          family,
          identifier: traceId,
          sequence: probeKey,
          checksum: flowId,
          payloadLength: ICMP_PAYLOAD_LENGTH,
          src: this.srcBytes ?? undefined,
          dst: this.dstBytes,
        })
      case 'udp': {
        const udp = {
          src: this.srcBytes!,
          dst: this.dstBytes,
          srcPort: flowId,
          dstPort: this.dstPort,
          checksum: (udpTag(traceId) << UDP_KEY_BITS) | probeKey,
          payloadLength: this.udpPayload,
          payloadTag: traceId,
        }
        if (!this.dns) return encodeUdp(udp)
        const buf = encodeDnsUdp(udp)
        this.dnsIds.set(buf.readUInt16BE(8), probeKey)
        return buf
      }
      case 'tcp':
        return encodeTcpSyn({
          src: this.srcBytes!,
          dst: this.dstBytes,
          srcPort: flowId,
          dstPort: this.dstPort,
          seq: tcpSeq(traceId, probeKey),
        })
    }
  }

  /** Probe key recovered from the quoted L4 header, or null if that probe is not ours. */
  private keyFromQuotedL4(l4: Buffer): number | null {
    const {family, flowId, traceId} = this.spec
    switch (this.spec.protocol) {
      case 'icmp': {
        const requestType = family === 4 ? ICMP4.echoRequest : ICMP6.echoRequest
        if (l4[0] !== requestType || l4[1] !== 0) return null
        if (l4.readUInt16BE(4) !== traceId) return null
        return l4.readUInt16BE(6)
      }
      case 'udp': {
        if (l4.readUInt16BE(0) !== flowId || l4.readUInt16BE(2) !== this.dstPort) return null
        if (l4.readUInt16BE(4) !== 8 + this.udpPayload) return null
        const sum = l4.readUInt16BE(6)
        if (sum >>> UDP_KEY_BITS !== udpTag(traceId)) return null
        // DNS probes carry a query there (their DNS id names the probe, checked on the answer)
        if (!this.dns && l4.length >= UDP_TAG_END && l4.readUInt16BE(UDP_TAG_END - 2) !== traceId) return null
        return sum & ((1 << UDP_KEY_BITS) - 1)
      }
      case 'tcp': {
        if (l4.readUInt16BE(0) !== flowId || l4.readUInt16BE(2) !== this.dstPort) return null
        return keyFromTcpSeq(traceId, l4.readUInt32BE(4))
      }
    }
  }

  /**
   * Match a packet read from the raw ICMP (IPv4: with its IP header) or ICMPv6 (no IP header)
   * socket. `source` is the address recvfrom reported.
   */
  matchIcmpPacket(packet: Buffer, source: string): MatchedReply | null {
    let msg = packet
    let from = normalizeIp(source)
    let replyTtl: number | null = null
    if (this.spec.family === 4) {
      const ip = parseIpv4Header(packet)
      if (!ip || ip.protocol !== IPPROTO_ICMP) return null
      msg = packet.subarray(ip.headerLength)
      from = ip.src
      replyTtl = ip.ttl
    }
    const icmp = parseIcmp(this.spec.family, msg)
    if (!icmp) return null
    if (icmp.kind === 'echo-reply') {
      if (this.spec.protocol !== 'icmp' || !icmp.echo) return null
      if (icmp.echo.identifier !== this.spec.traceId || from !== this.target) return null
      // another flow's reply (another process's trace with our identifier) has another checksum
      if (this.spec.family === 4 && !sameChecksum(msg.readUInt16BE(2), echoReplyChecksum4(this.spec.flowId))) return null
      return {probeKey: icmp.echo.sequence, from, icmpType: icmp.type, icmpCode: icmp.code, replyTtl, kind: 'echo-reply'}
    }
    if (icmp.kind !== 'time-exceeded' && icmp.kind !== 'unreachable') return null
    const q = icmp.quoted
    if (!q || q.protocol !== this.ipProtocol || q.dst !== this.target) return null
    const probeKey = this.keyFromQuotedL4(q.l4)
    if (probeKey === null) return null
    return {probeKey, from, icmpType: icmp.type, icmpCode: icmp.code, replyTtl, kind: icmp.kind}
  }

  /**
   * Match a datagram read from the UDP socket bound to the flow's port: a DNS server's answer to a
   * DNS probe (from the target's port 53, with a probe's id and the response bit).
   */
  matchDnsReply(msg: Buffer, source: string, sourcePort: number): MatchedReply | null {
    if (!this.dns || sourcePort !== this.dstPort || msg.length < 12 || !(msg[2]! & 0x80)) return null
    const from = normalizeIp(source)
    if (from !== this.target) return null
    const probeKey = this.dnsIds.get(msg.readUInt16BE(0))
    if (probeKey === undefined) return null
    // what the answer says of its server is read by the transport (dnsIdentity): the DNS decoder is
    // loaded only for DNS probes, not on every trace's start-up
    return {probeKey, from, icmpType: null, icmpCode: null, replyTtl: null, kind: 'dns-reply'}
  }

  /** Match a packet read from the raw TCP socket: a SYN-ACK or RST from the target answering a probe. */
  matchTcpPacket(packet: Buffer, source: string): MatchedReply | null {
    if (this.spec.protocol !== 'tcp') return null
    let seg = packet
    let from = normalizeIp(source)
    let replyTtl: number | null = null
    if (this.spec.family === 4) {
      const ip = parseIpv4Header(packet)
      if (!ip || ip.protocol !== IPPROTO_TCP) return null
      seg = packet.subarray(ip.headerLength)
      from = ip.src
      replyTtl = ip.ttl
    }
    const tcp = parseTcpHeader(seg)
    if (!tcp || from !== this.target) return null
    if (tcp.srcPort !== this.dstPort || tcp.dstPort !== this.spec.flowId) return null
    if (!(tcp.flags & TCP_FLAGS.ack)) return null // only an ACK tells which SYN it answers
    let kind: ReplyKind
    if (tcp.flags & TCP_FLAGS.rst) kind = 'tcp-rst'
    else if ((tcp.flags & TCP_FLAGS.syn) === TCP_FLAGS.syn) kind = 'tcp-synack'
    else return null
    const probeKey = keyFromTcpSeq(this.spec.traceId, (tcp.ack - 1) >>> 0)
    if (probeKey === null) return null
    return {probeKey, from, icmpType: null, icmpCode: null, replyTtl, kind}
  }
}

/**
 * The checksum of the IPv4 echo reply to a Paris echo request whose checksum is `flowId`: the same
 * words but the type (8 -> 0), so the ones'-complement sum drops by 0x0800 and the checksum (its
 * complement) grows by 0x0800, with the end-around carry.
 */
export function echoReplyChecksum4(flowId: number): number {
  const s = flowId + (ICMP4.echoRequest - ICMP4.echoReply) * 0x100
  return (s & 0xffff) + (s >>> 16)
}

/** Equal as ones'-complement checksums: 0x0000 and 0xffff are the same value (zero). */
function sameChecksum(a: number, b: number): boolean {
  return (a === 0xffff ? 0 : a) === (b === 0xffff ? 0 : b)
}

export function tcpSeq(traceId: number, probeKey: number): number {
  return ((traceId << 16) | probeKey) >>> 0
}

function keyFromTcpSeq(traceId: number, seq: number): number | null {
  return seq >>> 16 === traceId ? seq & 0xffff : null
}

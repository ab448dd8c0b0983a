// Pure packet encoding and decoding for the traceroute engine: no sockets, no clocks.
//
// Probes: ICMP/ICMPv6 echo request, UDP datagram, TCP SYN. Replies: ICMP/ICMPv6 time exceeded,
// destination unreachable and echo reply (with the quoted inner IP header + first 8 bytes of L4),
// and TCP SYN-ACK / RST.
//
// A Linux raw IPv4 socket delivers the IP header with every packet; a raw IPv6 socket does not
// (the source address then comes from recvfrom). Both shapes are handled here.

export const IPPROTO_ICMP = 1
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17
export const IPPROTO_ICMPV6 = 58

export const ICMP4 = {echoReply: 0, unreachable: 3, echoRequest: 8, timeExceeded: 11} as const
export const ICMP6 = {unreachable: 1, packetTooBig: 2, timeExceeded: 3, echoRequest: 128, echoReply: 129} as const
/** port-unreachable code: ICMP 3/3, ICMPv6 1/4 */
export const PORT_UNREACHABLE = {4: 3, 6: 4} as const

export const TCP_FLAGS = {fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10} as const

// ---------------------------------------------------------------------------------------------
// Addresses

/** Parse a textual IPv4 or IPv6 address into 4 or 16 bytes; null if it is not an address. */
export function parseIp(text: string): Buffer | null {
  const v4 = parseIpv4(text)
  if (v4) return v4
  return parseIpv6(text)
}

function parseIpv4(text: string): Buffer | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const out = Buffer.alloc(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!
    if (!/^\d{1,3}$/.test(p)) return null
    const n = Number(p)
    if (n > 255) return null
    out[i] = n
  }
  return out
}

function parseIpv6(input: string): Buffer | null {
  let text = input
  const zone = text.indexOf('%')
  if (zone >= 0) text = text.slice(0, zone)
  if (!text.includes(':')) return null
  // an embedded dotted quad at the end (::ffff:1.2.3.4)
  let tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  const last = text.slice(lastColon + 1)
  if (last.includes('.')) {
    const v4 = parseIpv4(last)
    if (!v4) return null
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!]
    text = text.slice(0, lastColon + 1) + '0' // placeholder group, removed below
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const toGroups = (s: string): number[] | null => {
    if (s === '') return []
    const out: number[] = []
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
      out.push(parseInt(g, 16))
    }
    return out
  }
  let head = toGroups(halves[0]!)
  let rest = halves.length === 2 ? toGroups(halves[1]!) : []
  if (!head || !rest) return null
  if (tail.length) {
    // drop the placeholder group
    if (halves.length === 2 && rest.length) rest = rest.slice(0, -1)
    else head = head.slice(0, -1)
  }
  const groups: number[] = []
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length - tail.length
    if (fill < 1) return null
    groups.push(...head, ...new Array<number>(fill).fill(0), ...rest, ...tail)
  } else {
    groups.push(...head, ...tail)
  }
  if (groups.length !== 8) return null
  const out = Buffer.alloc(16)
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2))
  return out
}

/** Format 4 or 16 address bytes canonically (dotted quad; RFC 5952 for IPv6). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`
  if (bytes.length !== 16) throw new RangeError(`address of ${bytes.length} bytes`)
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  // IPv4-mapped
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
  }
  // longest run (>= 2) of zero groups, first one wins a tie
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestLen < 2) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** Canonical text form of an address (so "::1" and "0:0::1" compare equal); the input if it is not one. */
export function normalizeIp(text: string): string {
  const b = parseIp(text)
  return b ? formatIp(b) : text
}

// ---------------------------------------------------------------------------------------------
// Checksums (RFC 1071)

/** One's-complement sum of the 16-bit big-endian words of the buffers taken as one stream, folded to 16 bits. */
export function onesSum(...parts: Uint8Array[]): number {
  let sum = 0
  let odd: number | null = null // a byte left over from the previous part
  for (const p of parts) {
    let i = 0
    if (odd !== null && p.length > 0) {
      sum += (odd << 8) | p[0]!
      odd = null
      i = 1
    }
    for (; i + 1 < p.length; i += 2) sum += (p[i]! << 8) | p[i + 1]!
    if (i < p.length) odd = p[i]!
    if (sum > 0xffffffff / 2) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  }
  if (odd !== null) sum += odd << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return sum
}

/** The Internet checksum: one's complement of the one's-complement sum. */
export function internetChecksum(...parts: Uint8Array[]): number {
  return ~onesSum(...parts) & 0xffff
}

/** A packet (with its pseudo-header, if any) verifies when its one's-complement sum is 0xffff. */
export function checksumOk(...parts: Uint8Array[]): boolean {
  return onesSum(...parts) === 0xffff
}

/** IPv4 or IPv6 pseudo-header for the UDP/TCP/ICMPv6 checksum. */
export function pseudoHeader(src: Buffer, dst: Buffer, protocol: number, length: number): Buffer {
  if (src.length === 4) {
    const ph = Buffer.alloc(12)
    src.copy(ph, 0)
    dst.copy(ph, 4)
    ph[9] = protocol
    ph.writeUInt16BE(length, 10)
    return ph
  }
  const ph = Buffer.alloc(40)
  src.copy(ph, 0)
  dst.copy(ph, 16)
  ph.writeUInt32BE(length, 32)
  ph[39] = protocol
  return ph
}

/**
 * Paris trick: write into `buf` at `wordOffset` the 16-bit word that makes the checksum of
 * (pseudo + buf) verify while the checksum field already holds a chosen constant.
 */
function compensate(buf: Buffer, wordOffset: number, pseudo: Buffer | null): void {
  buf.writeUInt16BE(0, wordOffset)
  const s = pseudo ? onesSum(pseudo, buf) : onesSum(buf)
  buf.writeUInt16BE(~s & 0xffff, wordOffset)
}

// ---------------------------------------------------------------------------------------------
// Probe encoding

const MAGIC = Buffer.from('anyprobe', 'latin1')

export interface IcmpEchoSpec {
  family: 4 | 6
  identifier: number
  sequence: number
  /**
   * The value the checksum field must hold (Paris: constant for the whole trace). The payload's
   * first word compensates so the packet still verifies.
   */
  checksum: number
  /** payload bytes after the 8-byte header; at least 2 (the compensation word) */
  payloadLength?: number
  /** IPv6 only: source and destination, needed because ICMPv6 checksums cover a pseudo-header */
  src?: Buffer
  dst?: Buffer
}

export function encodeIcmpEcho(spec: IcmpEchoSpec): Buffer {
  const payloadLength = spec.payloadLength ?? 24
  if (payloadLength < 2) throw new RangeError('ICMP echo payload needs at least 2 bytes')
  const buf = Buffer.alloc(8 + payloadLength)
  buf[0] = spec.family === 4 ? ICMP4.echoRequest : ICMP6.echoRequest
  buf[1] = 0
  buf.writeUInt16BE(spec.checksum & 0xffff, 2)
  buf.writeUInt16BE(spec.identifier & 0xffff, 4)
  buf.writeUInt16BE(spec.sequence & 0xffff, 6)
  MAGIC.copy(buf, 10, 0, Math.min(MAGIC.length, payloadLength - 2))
  let pseudo: Buffer | null = null
  if (spec.family === 6) {
    if (!spec.src || !spec.dst) throw new RangeError('ICMPv6 echo needs src and dst for the checksum')
    pseudo = pseudoHeader(spec.src, spec.dst, IPPROTO_ICMPV6, buf.length)
  }
  compensate(buf, 8, pseudo)
  return buf
}

export interface UdpSpec {
  src: Buffer
  dst: Buffer
  srcPort: number
  dstPort: number
  /** the value the checksum field must hold (carries the probe id); must not be 0 */
  checksum: number
  /** payload bytes; at least 2 (the compensation word) */
  payloadLength: number
  /**
   * A 16-bit word written right after the compensation word (payload bytes 2-3), when the payload
   * has room: the full trace id, checked when an ICMP error quotes that far (see flow.ts).
   */
  payloadTag?: number
}

/** A zeroed datagram with its UDP header written (the checksum field holds the chosen value). */
function udpDatagram(spec: UdpSpec): Buffer {
  if ((spec.checksum & 0xffff) === 0) throw new RangeError('a UDP checksum field of 0 means "no checksum"')
  const buf = Buffer.alloc(8 + spec.payloadLength)
  buf.writeUInt16BE(spec.srcPort, 0)
  buf.writeUInt16BE(spec.dstPort, 2)
  buf.writeUInt16BE(buf.length, 4)
  buf.writeUInt16BE(spec.checksum & 0xffff, 6)
  return buf
}

export function encodeUdp(spec: UdpSpec): Buffer {
  if (spec.payloadLength < 2) throw new RangeError('UDP payload needs at least 2 bytes')
  const buf = udpDatagram(spec)
  let at = 10
  if (spec.payloadTag !== undefined && spec.payloadLength >= 4) at = buf.writeUInt16BE(spec.payloadTag & 0xffff, at)
  MAGIC.copy(buf, at, 0, Math.min(MAGIC.length, buf.length - at))
  compensate(buf, 8, pseudoHeader(spec.src, spec.dst, IPPROTO_UDP, buf.length))
  return buf
}

/** UDP probes to port 53 carry a DNS query (see encodeDnsUdp), so a DNS server answers them. */
export const DNS_PORT = 53

// A CH TXT id.server query (RFC 4892) with an EDNS OPT record asking for the NSID (RFC 5001) and
// padding it (RFC 7830) to the length the trace id needs. The DNS id is the Paris compensation word.
const DNS_QUERY_HEAD = Buffer.from([
  0, 0, // id: the compensation word
  0, 0, // flags: standard query, no recursion wanted
  0, 1, 0, 0, 0, 0, 0, 1, // one question, one additional (OPT)
  2, 0x69, 0x64, 6, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0, // id.server
  0, 16, 0, 3, // TXT, CH
  0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, // OPT: root, type 41, 1232-byte UDP payload, no flags
])
/** payload bytes of the shortest DNS probe: the query, OPT's RDLENGTH, NSID and padding option headers */
export const DNS_PROBE_MIN_PAYLOAD = DNS_QUERY_HEAD.length + 2 + 4 + 4

export function encodeDnsUdp(spec: UdpSpec): Buffer {
  const pad = spec.payloadLength - DNS_PROBE_MIN_PAYLOAD
  if (pad < 0) throw new RangeError(`a DNS probe needs at least ${DNS_PROBE_MIN_PAYLOAD} payload bytes`)
  const buf = udpDatagram(spec)
  let at = 8 + DNS_QUERY_HEAD.copy(buf, 8)
  at = buf.writeUInt16BE(8 + pad, at) // OPT RDLENGTH
  at = buf.writeUInt16BE(3, at) // NSID, empty: "tell me your id"
  at = buf.writeUInt16BE(0, at)
  at = buf.writeUInt16BE(12, at) // padding, zeros
  buf.writeUInt16BE(pad, at)
  compensate(buf, 8, pseudoHeader(spec.src, spec.dst, IPPROTO_UDP, buf.length))
  return buf
}

export interface TcpSynSpec {
  src: Buffer
  dst: Buffer
  srcPort: number
  dstPort: number
  seq: number
  window?: number
  /** MSS option value (an MSS-less SYN is dropped by some firewalls) */
  mss?: number
}

export function encodeTcpSyn(spec: TcpSynSpec): Buffer {
  const buf = Buffer.alloc(24)
  buf.writeUInt16BE(spec.srcPort, 0)
  buf.writeUInt16BE(spec.dstPort, 2)
  buf.writeUInt32BE(spec.seq >>> 0, 4)
  buf.writeUInt32BE(0, 8)
  buf[12] = (24 / 4) << 4 // data offset: 6 words
  buf[13] = TCP_FLAGS.syn
  buf.writeUInt16BE(spec.window ?? 64240, 14)
  // checksum at 16, urgent pointer at 18: zero
  buf[20] = 2 // MSS
  buf[21] = 4
  buf.writeUInt16BE(spec.mss ?? (spec.src.length === 4 ? 1460 : 1440), 22)
  buf.writeUInt16BE(internetChecksum(pseudoHeader(spec.src, spec.dst, IPPROTO_TCP, buf.length), buf), 16)
  return buf
}

/**
 * An IPv4 header for a raw socket with IP_HDRINCL: our own source address goes into the packet.
 * Without it the kernel picks the source by its own route lookup, which on a host with two
 * uplinks (a multipath route) can differ from the one the UDP/TCP checksum was computed with: the
 * destination then drops every probe as corrupt (routers do not check, so only the last hop is
 * lost). The kernel fills in the total length, the identification (when 0) and the header checksum.
 */
export function encodeIpv4Header(spec: {src: Buffer; dst: Buffer; protocol: number; ttl: number; payloadLength: number}): Buffer {
  if (spec.src.length !== 4 || spec.dst.length !== 4) throw new RangeError('an IPv4 header needs IPv4 addresses')
  const buf = Buffer.alloc(20)
  buf[0] = 0x45 // version 4, 5 words
  buf.writeUInt16BE(20 + spec.payloadLength, 2)
  buf.writeUInt16BE(0x4000, 6) // don't fragment, as the kernel sets it for its own headers (PMTU discovery)
  buf[8] = spec.ttl
  buf[9] = spec.protocol
  spec.src.copy(buf, 12)
  spec.dst.copy(buf, 16)
  buf.writeUInt16BE(internetChecksum(buf), 10)
  return buf
}

// ---------------------------------------------------------------------------------------------
// Decoding

export interface Ipv4Header {
  headerLength: number
  totalLength: number
  id: number
  ttl: number
  protocol: number
  src: string
  dst: string
}

export function parseIpv4Header(buf: Buffer): Ipv4Header | null {
  if (buf.length < 20 || buf[0]! >> 4 !== 4) return null
  const headerLength = (buf[0]! & 0x0f) * 4
  if (headerLength < 20 || buf.length < headerLength) return null
  return {
    headerLength,
    totalLength: buf.readUInt16BE(2),
    id: buf.readUInt16BE(4),
    ttl: buf[8]!,
    protocol: buf[9]!,
    src: formatIp(buf.subarray(12, 16)),
    dst: formatIp(buf.subarray(16, 20)),
  }
}

/** The packet an ICMP error quotes: its IP header fields and the start of its L4 header. */
export interface QuotedPacket {
  protocol: number
  src: string
  dst: string
  /**
   * the quoted L4 bytes (at least 8): no further than the quoted header's own length says the
   * probe went, so the zero padding and extensions of RFC 4884 (MPLS labels) are never read as probe
   */
  l4: Buffer
}

/** `l4` cut at what the quoted header says the L4 part was, when that is at least the 8 bytes every quote has. */
function quotedL4(l4: Buffer, said: number): Buffer {
  return said >= 8 && said < l4.length ? l4.subarray(0, said) : l4
}

export type IcmpKind = 'echo-reply' | 'time-exceeded' | 'unreachable' | 'other'

export interface ParsedIcmp {
  type: number
  code: number
  kind: IcmpKind
  /** echo request/reply identifier and sequence */
  echo: {identifier: number; sequence: number} | null
  /** the quoted probe, for error messages that carry one we can read */
  quoted: QuotedPacket | null
}

const IPV6_EXT_HEADERS = new Set([0, 43, 60]) // hop-by-hop, routing, destination options

function parseQuotedIpv4(buf: Buffer): QuotedPacket | null {
  const h = parseIpv4Header(buf)
  if (!h) return null
  const l4 = quotedL4(buf.subarray(h.headerLength), h.totalLength - h.headerLength)
  if (l4.length < 8) return null
  return {protocol: h.protocol, src: h.src, dst: h.dst, l4}
}

function parseQuotedIpv6(buf: Buffer): QuotedPacket | null {
  if (buf.length < 48 || buf[0]! >> 4 !== 6) return null
  let next = buf[6]!
  let off = 40
  for (let guard = 0; guard < 8; guard++) {
    if (IPV6_EXT_HEADERS.has(next)) {
      if (buf.length < off + 8) return null
      const len = (buf[off + 1]! + 1) * 8
      next = buf[off]!
      off += len
    } else if (next === 44) {
      // fragment header: only the first fragment carries the L4 header
      if (buf.length < off + 8) return null
      if ((buf.readUInt16BE(off + 2) & 0xfff8) !== 0) return null
      next = buf[off]!
      off += 8
    } else {
      break
    }
  }
  const l4 = quotedL4(buf.subarray(off), buf.readUInt16BE(4) + 40 - off)
  if (l4.length < 8) return null
  return {protocol: next, src: formatIp(buf.subarray(8, 24)), dst: formatIp(buf.subarray(24, 40)), l4}
}

/** Parse one ICMP (family 4) or ICMPv6 (family 6) message, starting at its type byte. */
export function parseIcmp(family: 4 | 6, msg: Buffer): ParsedIcmp | null {
  if (msg.length < 8) return null
  const type = msg[0]!
  const code = msg[1]!
  const T = family === 4 ? ICMP4 : ICMP6
  let kind: IcmpKind = 'other'
  if (type === T.echoReply) kind = 'echo-reply'
  else if (type === T.timeExceeded) kind = 'time-exceeded'
  else if (type === T.unreachable) kind = 'unreachable'
  let echo: ParsedIcmp['echo'] = null
  let quoted: QuotedPacket | null = null
  if (type === T.echoReply || type === T.echoRequest) {
    echo = {identifier: msg.readUInt16BE(4), sequence: msg.readUInt16BE(6)}
  } else if (kind !== 'other' || (family === 6 && type === ICMP6.packetTooBig)) {
    const inner = msg.subarray(8)
    quoted = family === 4 ? parseQuotedIpv4(inner) : parseQuotedIpv6(inner)
  }
  return {type, code, kind, echo, quoted}
}

export interface TcpHeader {
  srcPort: number
  dstPort: number
  seq: number
  ack: number
  flags: number
}

export function parseTcpHeader(buf: Buffer): TcpHeader | null {
  if (buf.length < 20) return null
  return {
    srcPort: buf.readUInt16BE(0),
    dstPort: buf.readUInt16BE(2),
    seq: buf.readUInt32BE(4),
    ack: buf.readUInt32BE(8),
    flags: buf[13]!,
  }
}

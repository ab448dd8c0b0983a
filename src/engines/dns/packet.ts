// DNS wire format for the identity probe: build the queries (CHAOS TXT, and an ordinary query with the
// EDNS NSID option) and read replies into plain values. Pure functions over dns-packet, no I/O, so the
// parsing is tested without a server. Everything read from a reply is sanitised here, once.
import {randomInt} from 'node:crypto'

import * as dnsPacket from 'dns-packet'

import type {NsidValue} from '../../model/dns.js'
import {readableCore} from '../../infer/untrusted.js'
import {sanitize} from '../../util/sanitize.js'

/** EDNS option code of NSID (RFC 5001). */
export const NSID_OPTION_CODE = 3

/** Query types `--qtype` accepts (the ones dns-packet can encode by name). */
export const QTYPES = [
  'A', 'AAAA', 'ANY', 'CAA', 'CNAME', 'DNSKEY', 'DS', 'HINFO', 'MX', 'NAPTR', 'NS', 'NSEC', 'NSEC3',
  'PTR', 'RRSIG', 'SOA', 'SRV', 'SSHFP', 'TLSA', 'TXT',
] as const

export interface QuerySpec {
  qname: string
  qclass: 'IN' | 'CH'
  qtype: string
  /** add an OPT record with an empty NSID option */
  nsid: boolean
}

/** The identity probe: three CHAOS TXT queries and one ordinary query asking for NSID. */
export function identityQueries(qname: string, qtype: string): QuerySpec[] {
  return [
    {qname: 'hostname.bind', qclass: 'CH', qtype: 'TXT', nsid: false},
    {qname: 'id.server', qclass: 'CH', qtype: 'TXT', nsid: false},
    {qname: 'version.bind', qclass: 'CH', qtype: 'TXT', nsid: false},
    {qname, qclass: 'IN', qtype, nsid: true},
  ]
}

/** Random query ids, distinct within one probe (RFC 5452: ids are unpredictable). */
export function randomIds(n: number, rand: () => number = () => randomInt(0, 0x10000)): number[] {
  const ids = new Set<number>()
  while (ids.size < n) ids.add(rand() & 0xffff)
  return [...ids]
}

export function encodeQuery(spec: QuerySpec, id: number): Buffer {
  const packet: dnsPacket.Packet = {
    type: 'query',
    id,
    // no recursion: we ask the server about itself, not about the world
    flags: 0,
    questions: [{name: spec.qname, type: spec.qtype as dnsPacket.RecordType, class: spec.qclass}],
  }
  if (spec.nsid) {
    packet.additionals = [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        // dns-packet's types list only a few option kinds; NSID is a plain {code, data}
        options: [{code: NSID_OPTION_CODE, data: Buffer.alloc(0)} as unknown as dnsPacket.PacketOpt],
      },
    ]
  }
  return dnsPacket.encode(packet)
}

/** What a reply says, in the model's terms. */
export interface ParsedReply {
  id: number
  rcode: string
  aa: boolean
  truncated: boolean
  answers: string[]
  /** the NSID option, or null when the reply has none */
  nsid: NsidValue | null
  /**
   * answer-section records that do not answer a CHAOS question (another owner name, class or
   * type), each as "NAME CLASS TYPE DATA"; only when readReply was given the question, and only
   * when there are any
   */
  otherRecords?: string[]
}

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
  7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADVERS', 23: 'BADCOOKIE',
}

/** The name of a (possibly EDNS-extended, 12-bit) rcode. */
export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE${code}`
}

type Decoded = dnsPacket.DecodedPacket & {rcode?: string}

/** Does this datagram answer that query? Same id, QR set, same question (names compare case-insensitively). */
export function matchesQuery(reply: Decoded, spec: QuerySpec, id: number): boolean {
  if (reply.id !== id || !reply.flag_qr) return false
  const q = reply.questions?.[0]
  // a reply may legally omit the question (some servers do on errors); the id then has to do
  if (q === undefined) return true
  return (
    normName(q.name) === normName(spec.qname) &&
    String(q.type).toUpperCase() === spec.qtype.toUpperCase() &&
    String(q.class ?? 'IN').toUpperCase() === spec.qclass
  )
}

function normName(name: string): string {
  const n = name.toLowerCase().replace(/\.$/, '')
  return n === '' ? '.' : n
}

/** Decode a datagram; null when it is not a DNS message. */
export function decodeReply(buf: Buffer): Decoded | null {
  try {
    return dnsPacket.decode(buf) as Decoded
  } catch {
    return null
  }
}

/**
 * Whether an answer record answers a CHAOS identity question: a TXT record of the question's own
 * name, in class CH. Real servers put other records there: a parked domain's servers answer
 * "CH TXT version.bind" with their wildcard "IN TXT v=spf1 -all" (zonemaster-engine issue 1291),
 * old PowerDNS answered in class IN (pdns issues 234, 1229); zone data is not the server's
 * name, so it is shown apart and never read as the identity.
 */
export function answersChaosQuestion(rr: dnsPacket.Answer, spec: Pick<QuerySpec, 'qname' | 'qtype'>): boolean {
  const cls = String((rr as {class?: string}).class ?? 'IN').toUpperCase()
  return rr.type === spec.qtype.toUpperCase() && cls === 'CH' && normName(rr.name) === normName(spec.qname)
}

/** A record's owner, class and type ("other.bind. CH TXT"), unsanitised: how otherRecords begin (here and in Atlas results). */
export function recordHead(rr: dnsPacket.Answer): string {
  const name = normName(rr.name)
  return `${name === '.' ? '.' : `${name}.`} ${String((rr as {class?: string}).class ?? 'IN').toUpperCase()} ${rr.type}`
}

/** A record with its owner, class and type ("other.bind. CH TXT lhr-ns1"), unsanitised. */
function presentRecord(rr: dnsPacket.Answer): string {
  return `${recordHead(rr)} ${presentAnswer(rr)}`
}

/**
 * Read a decoded reply: rcode (with the EDNS extension), answers in presentation form, NSID. Given
 * the CHAOS question it answers, only the records that answer it are answers; the others are
 * otherRecords (see answersChaosQuestion).
 */
export function readReply(reply: Decoded, buf: Buffer, chaosQuestion?: Pick<QuerySpec, 'qname' | 'qtype'>): ParsedReply {
  let rcode = buf.length >= 4 ? buf.readUInt16BE(2) & 0xf : 0
  let nsid: NsidValue | null = null
  for (const rr of reply.additionals ?? []) {
    if (rr.type !== 'OPT') continue
    const opt = rr as dnsPacket.OptAnswer
    rcode |= (opt.extendedRcode ?? 0) << 4
    for (const o of (opt.options ?? []) as Array<{code: number; data?: Buffer}>) {
      if (o.code === NSID_OPTION_CODE) nsid = nsidValue(o.data ?? Buffer.alloc(0))
    }
  }
  const records = reply.answers ?? []
  const answering = chaosQuestion === undefined ? records : records.filter((a) => answersChaosQuestion(a, chaosQuestion))
  const other = chaosQuestion === undefined ? [] : records.filter((a) => !answersChaosQuestion(a, chaosQuestion))
  return {
    id: reply.id ?? 0,
    rcode: rcodeName(rcode),
    aa: reply.flag_aa,
    truncated: reply.flag_tc,
    answers: answering.map((a) => sanitize(presentAnswer(a))),
    nsid,
    ...(other.length > 0 ? {otherRecords: other.map((a) => sanitize(presentRecord(a)))} : {}),
  }
}

/**
 * What a reply says of its server: the TXT strings of a NOERROR answer (id.server,
 * hostname.bind), then the NSID text, without repeats or blanks.
 */
export function identityStrings(r: ParsedReply): string[] {
  const out: string[] = []
  if (r.rcode === 'NOERROR') for (const a of r.answers) if (a.trim() !== '' && !out.includes(a)) out.push(a)
  if (r.nsid?.text && !out.includes(r.nsid.text)) out.push(r.nsid.text)
  return out
}

/** identityStrings of a raw datagram; empty when it is not a DNS message. */
export function dnsIdentity(buf: Buffer): string[] {
  const decoded = decodeReply(buf)
  return decoded === null ? [] : identityStrings(readReply(decoded, buf))
}

/**
 * NSID payload as text and hex. Servers send an ASCII name ("gpdns-fra", "s1.fra"), sometimes
 * padded with NULs or a trailing newline, or bytes that are not text (an opaque id an operator set
 * in hex): the control-character rule of identities (infer/untrusted.ts) decides, so padding at
 * the ends is dropped and a control byte inside makes the payload binary. Text only when what is
 * left is printable ASCII; the hex of the raw payload is always kept.
 */
export function nsidValue(data: Buffer): NsidValue {
  const {core} = readableCore(data.toString('latin1'), MAX_NSID, 'NSID')
  const text = core !== null && /^[\x20-\x7e]+$/.test(core) ? sanitize(core) : null
  return {text, hex: data.toString('hex')}
}

/** An EDNS option's length field is 16 bits: any NSID fits. */
const MAX_NSID = 0xffff

/** The TXT record's character-strings concatenated (as an identity string is meant to be read). */
export function txtText(data: dnsPacket.TxtData): string {
  const parts = Array.isArray(data) ? data : [data]
  // latin1 keeps every byte visible to the sanitiser instead of folding invalid UTF-8 into U+FFFD
  return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('latin1') : p)).join('')
}

/** One answer record in presentation form (unsanitised; the caller sanitises). */
export function presentAnswer(a: dnsPacket.Answer): string {
  switch (a.type) {
    case 'TXT':
      return txtText(a.data)
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return a.data
    case 'SOA': {
      const d = a.data
      return `${d.mname} ${d.rname} ${d.serial ?? 0} ${d.refresh ?? 0} ${d.retry ?? 0} ${d.expire ?? 0} ${d.minimum ?? 0}`
    }
    case 'MX':
      return `${a.data.preference ?? 0} ${a.data.exchange}`
    case 'SRV':
      return `${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${a.data.target}`
    case 'HINFO':
      return `"${a.data.cpu}" "${a.data.os}"`
    case 'CAA':
      return `${a.data.flags ?? 0} ${a.data.tag} "${a.data.value}"`
    case 'OPT':
      return 'OPT'
    default: {
      const data = (a as {data?: unknown}).data
      return `${a.type} ${Buffer.isBuffer(data) ? data.toString('hex') : JSON.stringify(data)}`
    }
  }
}

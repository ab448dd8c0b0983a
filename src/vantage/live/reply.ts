// A fast reader for the one reply the watch DNS prober sees thousands of times: CH TXT
// hostname.bind answered with TXT records and perhaps an OPT record carrying NSID. Why it exists:
// a netns or ssh child probes 20 times a second, too rarely for V8 to ever optimise dns-packet's
// general decoder, so decoding in the interpreter was a quarter of each child's CPU. This reads
// the common shape straight from the bytes, and says "not sure" (undefined) for anything else, so
// the caller falls back to the general path (decodeReply + matchesQuery + readReply). When it does
// answer, the answer is what the general path gives for the same bytes: the unit tests compare
// both on generated and mutated replies.
import {NSID_OPTION_CODE, nsidValue, type ParsedReply, rcodeName} from '../../engines/dns/packet.js'
import {sanitize} from '../../util/sanitize.js'

const TXT = 16
const OPT = 41
const CH = 3
/** hostname.bind in wire form, lower case */
const QNAME = Buffer.from('\x08hostname\x04bind\x00', 'latin1')

/**
 * Read `buf` as the reply to the CH TXT hostname.bind query with id `id`:
 * - null: not a reply to it (another id, or not a response): the general path would say the same;
 * - a ParsedReply: a reply to it, read exactly as readReply reads it;
 * - undefined: any other shape (other record types, compression in unusual places, authority
 *   records, malformed data): decide with the general path.
 */
export function readHostnameBindReply(buf: Buffer, id: number): ParsedReply | null | undefined {
  if (buf.length < 12) return undefined
  if (buf.readUInt16BE(0) !== id) return null
  const flags = buf.readUInt16BE(2)
  if ((flags & 0x8000) === 0) return null
  const qd = buf.readUInt16BE(4)
  const an = buf.readUInt16BE(6)
  const ns = buf.readUInt16BE(8)
  const ar = buf.readUInt16BE(10)
  if (qd !== 1 || ns !== 0 || ar > 1) return undefined
  // the question: exactly hostname.bind (any case), uncompressed, TXT, CH
  let off = 12
  if (buf.length < off + QNAME.length + 4 || !isQname(buf, off)) return undefined
  off += QNAME.length
  if (buf.readUInt16BE(off) !== TXT || buf.readUInt16BE(off + 2) !== CH) return undefined
  off += 4
  const answers: string[] = []
  for (let n = 0; n < an; n++) {
    const at = skipOwner(buf, off)
    if (at < 0 || at + 10 > buf.length) return undefined
    // a record of another type or class (a parked domain's wildcard IN TXT given for any question)
    // does not answer the question: the general path keeps it apart from the identity
    if (buf.readUInt16BE(at) !== TXT || buf.readUInt16BE(at + 2) !== CH) return undefined
    const rdlen = buf.readUInt16BE(at + 8)
    let p = at + 10
    const end = p + rdlen
    if (end > buf.length) return undefined
    let text = ''
    while (p < end) {
      const len = buf[p]!
      p++
      if (p + len > end) return undefined
      text += buf.toString('latin1', p, p + len)
      p += len
    }
    answers.push(sanitize(text))
    off = end
  }
  let rcode = flags & 0xf
  let nsid: ParsedReply['nsid'] = null
  if (ar === 1) {
    // OPT: root owner, type 41; class = payload size, ttl = extended rcode, version, flags
    if (off + 11 > buf.length || buf[off] !== 0 || buf.readUInt16BE(off + 1) !== OPT) return undefined
    rcode |= buf[off + 5]! << 4
    const rdlen = buf.readUInt16BE(off + 9)
    let p = off + 11
    const end = p + rdlen
    if (end > buf.length) return undefined
    while (p < end) {
      if (p + 4 > end) return undefined
      const code = buf.readUInt16BE(p)
      const len = buf.readUInt16BE(p + 2)
      p += 4
      if (p + len > end) return undefined
      // ECS, KEEP-ALIVE and the like get decoded further by dns-packet: leave them to it
      if (code !== NSID_OPTION_CODE && code !== 12) return undefined
      if (code === NSID_OPTION_CODE) nsid = nsidValue(buf.subarray(p, p + len))
      p += len
    }
  }
  return {id, rcode: rcodeName(rcode), aa: (flags & 0x0400) !== 0, truncated: (flags & 0x0200) !== 0, answers, nsid}
}

/**
 * Skip an answer's owner name when it is the question's, hostname.bind: a pointer to the question
 * name (offset 12, where every server points) or the same labels written out (any case); -1 for
 * anything else (another owner does not answer the question: the general path decides).
 */
function skipOwner(buf: Buffer, off: number): number {
  if (off + 2 <= buf.length && buf[off] === 0xc0 && buf[off + 1] === 12) return off + 2
  return off + QNAME.length <= buf.length && isQname(buf, off) ? off + QNAME.length : -1
}

/** hostname.bind in wire form at `off`, any case (the caller checked the length) */
function isQname(buf: Buffer, off: number): boolean {
  for (let i = 0; i < QNAME.length; i++) {
    let b = buf[off + i]!
    if (b >= 0x41 && b <= 0x5a) b += 0x20
    if (b !== QNAME[i]) return false
  }
  return true
}

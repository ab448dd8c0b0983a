// Packet encoding/decoding, Paris flow invariants and reply matching (pure: no sockets, no root).
// Known-good packets below were built by hand with an independent checksum implementation.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {dnsIdentity} from '../../src/engines/dns/packet.js'
import {MAX_PROBES_PER_TRACE, ProbeCodec, tcpSeq, UDP_TRACE_IDS, udpPayloadLength, udpTag} from '../../src/engines/trace/flow.js'
import {
  checksumOk,
  DNS_PROBE_MIN_PAYLOAD,
  encodeIcmpEcho,
  encodeIpv4Header,
  encodeTcpSyn,
  encodeUdp,
  formatIp,
  internetChecksum,
  normalizeIp,
  parseIcmp,
  parseIp,
  parseIpv4Header,
  parseTcpHeader,
  pseudoHeader,
} from '../../src/engines/trace/packet.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const ip = (s: string): Buffer => parseIp(s)!

describe('addresses', () => {
  it('parses and formats IPv4 and IPv6 canonically', () => {
    const cases: Array<[string, string]> = [
      ['192.0.2.1', '192.0.2.1'],
      ['::1', '::1'],
      ['::', '::'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0000', '2001:db8:0:0:1::'],
      ['fe80::1%eth0', 'fe80::1'],
      ['::ffff:192.0.2.7', '::ffff:192.0.2.7'],
      ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
      ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ]
    for (const [input, want] of cases) assert.equal(normalizeIp(input), want, input)
    assert.equal(formatIp(hex('20010db8000000000000000000000009')), '2001:db8::9')
  })

  it('rejects what is not an address', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '1.2.3.4.5', 'example.com', '1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9']) {
      assert.equal(parseIp(bad), null, bad)
    }
  })
})

describe('checksums', () => {
  it('matches the RFC 1071 example', () => {
    // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (checksum 220d)
    assert.equal(internetChecksum(hex('0001f203f4f5f6f7')), 0x220d)
  })

  it('verifies hand-built packets, with an odd length split across parts', () => {
    assert.ok(checksumOk(hex('0800866312340001616e7970726f6265616e7970726f6265')))
    const udp = hex('9c40829a000ed0f968656c6c6f21')
    assert.ok(checksumOk(pseudoHeader(ip('10.0.0.1'), ip('192.0.2.9'), 17, udp.length), udp))
    assert.ok(checksumOk(pseudoHeader(ip('10.0.0.1'), ip('192.0.2.9'), 17, udp.length), udp.subarray(0, 7), udp.subarray(7)))
    const bad = Buffer.from(udp)
    bad[9] = bad[9]! ^ 1
    assert.ok(!checksumOk(pseudoHeader(ip('10.0.0.1'), ip('192.0.2.9'), 17, bad.length), bad))
    const icmp6 = hex('8000624a12340007616e7970726f6265')
    assert.ok(checksumOk(pseudoHeader(ip('2001:db8::1'), ip('2001:db8::9'), 58, icmp6.length), icmp6))
  })
})

describe('probe encoding', () => {
  it('ICMP echo equals the hand-built Paris packet', () => {
    const got = encodeIcmpEcho({family: 4, identifier: 0x1234, sequence: 5, checksum: 0xbeef, payloadLength: 24})
    assert.equal(got.toString('hex'), '0800beef123400057723616e7970726f62650000000000000000000000000000')
  })

  it('UDP equals the hand-built Paris datagram', () => {
    const got = encodeUdp({src: ip('10.0.0.1'), dst: ip('192.0.2.9'), srcPort: 40000, dstPort: 33434, checksum: 0x0805, payloadLength: 16})
    assert.equal(got.toString('hex'), '9c40829a001808055d20616e7970726f6265000000000000')
  })

  it('IPv4 header (IP_HDRINCL): our source, the TTL, the protocol, DF, a valid checksum', () => {
    const got = encodeIpv4Header({src: ip('10.0.0.1'), dst: ip('192.0.2.9'), protocol: 17, ttl: 7, payloadLength: 24})
    assert.equal(got.toString('hex'), '4500002c000040000711a7b70a000001c0000209')
    assert.ok(checksumOk(got))
    assert.deepEqual(parseIpv4Header(got), {headerLength: 20, totalLength: 44, id: 0, ttl: 7, protocol: 17, src: '10.0.0.1', dst: '192.0.2.9'})
    assert.throws(() => encodeIpv4Header({src: ip('::1'), dst: ip('192.0.2.9'), protocol: 6, ttl: 1, payloadLength: 0}), RangeError)
  })

  it('TCP SYN equals the hand-built segment', () => {
    const got = encodeTcpSyn({src: ip('10.0.0.1'), dst: ip('192.0.2.9'), srcPort: 40000, dstPort: 443, seq: 0x01020304})
    assert.equal(got.toString('hex'), '9c4001bb01020304000000006002faf02f2a0000020405b4')
    const h = parseTcpHeader(got)!
    assert.deepEqual(h, {srcPort: 40000, dstPort: 443, seq: 0x01020304, ack: 0, flags: 0x02})
  })

  it('Paris ICMP: the checksum (and identifier) stay constant across sequence numbers, and every packet verifies', () => {
    const sums = new Set<number>()
    const ids = new Set<number>()
    for (let seq = 0; seq < MAX_PROBES_PER_TRACE; seq++) {
      const p = encodeIcmpEcho({family: 4, identifier: 0x4321, sequence: seq, checksum: 0x1f2e})
      assert.ok(checksumOk(p), `seq ${seq} verifies`)
      assert.equal(p.readUInt16BE(6), seq)
      sums.add(p.readUInt16BE(2))
      ids.add(p.readUInt16BE(4))
    }
    assert.deepEqual([...sums], [0x1f2e])
    assert.deepEqual([...ids], [0x4321])
  })

  it('Paris ICMPv6: constant checksum including the pseudo-header (what the kernel will compute)', () => {
    const src = ip('2001:db8::1')
    const dst = ip('2001:db8::9')
    for (let seq = 0; seq < 300; seq++) {
      const p = encodeIcmpEcho({family: 6, identifier: 7, sequence: seq, checksum: 0xabcd, src, dst})
      assert.equal(p[0], 128)
      assert.equal(p.readUInt16BE(2), 0xabcd)
      assert.ok(checksumOk(pseudoHeader(src, dst, 58, p.length), p))
      // the kernel zeroes the field and computes it: it must land on the same value
      const z = Buffer.from(p)
      z.writeUInt16BE(0, 2)
      assert.equal(internetChecksum(pseudoHeader(src, dst, 58, z.length), z), 0xabcd)
    }
  })

  it('Paris UDP/TCP: ports constant, probe id recoverable from the first 8 bytes', () => {
    for (const family of [4, 6] as const) {
      for (const protocol of ['udp', 'tcp'] as const) {
        const codec = new ProbeCodec({
          family,
          protocol,
          target: family === 4 ? '192.0.2.9' : '2001:db8::9',
          source: family === 4 ? '10.0.0.1' : '2001:db8::1',
          port: 443,
          flowId: 40000,
          traceId: 0xa5a5,
        })
        const src = ip(family === 4 ? '10.0.0.1' : '2001:db8::1')
        const dst = ip(family === 4 ? '192.0.2.9' : '2001:db8::9')
        for (let key = 0; key < MAX_PROBES_PER_TRACE; key += 7) {
          const p = codec.encode(key)
          assert.equal(p.readUInt16BE(0), 40000)
          assert.equal(p.readUInt16BE(2), 443)
          assert.ok(checksumOk(pseudoHeader(src, dst, protocol === 'udp' ? 17 : 6, p.length), p), `${protocol}/${family} key ${key}`)
          if (protocol === 'udp') {
            assert.equal(p.length, 8 + udpPayloadLength(0xa5a5))
            assert.equal(p.readUInt16BE(6), (udpTag(0xa5a5) << 11) | key)
            assert.notEqual(p.readUInt16BE(6), 0)
          } else {
            assert.equal(p.readUInt32BE(4), tcpSeq(0xa5a5, key))
          }
        }
      }
    }
  })

  it('UDP to port 53: each probe is a well-formed CH TXT id.server query asking for the NSID, Paris-encoded like any UDP probe', () => {
    for (const family of [4, 6] as const) {
      const target = family === 4 ? '192.0.2.9' : '2001:db8::9'
      const source = family === 4 ? '10.0.0.1' : '2001:db8::1'
      for (const traceId of [0, 0xa5a5, UDP_TRACE_IDS - 1]) {
        const codec = new ProbeCodec({family, protocol: 'udp', target, source, port: 53, flowId: 40000, traceId})
        assert.equal(codec.dns, true)
        const ids = new Set<number>()
        for (let key = 0; key < MAX_PROBES_PER_TRACE; key += 13) {
          const p = codec.encode(key)
          assert.deepEqual([p.readUInt16BE(0), p.readUInt16BE(2)], [40000, 53])
          assert.ok(checksumOk(pseudoHeader(ip(source), ip(target), 17, p.length), p), `${family} key ${key}`)
          assert.equal(p.readUInt16BE(6), (udpTag(traceId) << 11) | key)
          // the trace id's length half: DNS_PROBE_MIN_PAYLOAD.. instead of 16..
          assert.equal(p.length, 8 + DNS_PROBE_MIN_PAYLOAD + udpPayloadLength(traceId) - 16)
          const q = dnsPacket.decode(p.subarray(8))
          assert.equal(q.type, 'query')
          assert.deepEqual(q.questions?.map((x) => [x.name, x.type, x.class]), [['id.server', 'TXT', 'CH']])
          const opt = q.additionals?.[0] as dnsPacket.OptAnswer
          assert.equal(opt.type, 'OPT')
          const codes = (opt.options as Array<{code: number; data: Buffer}>).map((o) => [o.code, o.data.length])
          assert.deepEqual(codes, [[3, 0], [12, udpPayloadLength(traceId) - 16]])
          ids.add(q.id!)
        }
        assert.equal(ids.size, Math.ceil(MAX_PROBES_PER_TRACE / 13), 'every probe has its own DNS id')
      }
    }
  })

  it('refuses a UDP checksum of 0 and out-of-range probe keys', () => {
    assert.throws(() => encodeUdp({src: ip('10.0.0.1'), dst: ip('10.0.0.2'), srcPort: 1, dstPort: 2, checksum: 0, payloadLength: 4}))
    const codec = new ProbeCodec({family: 4, protocol: 'icmp', target: '192.0.2.9', source: null, port: null, flowId: 1, traceId: 1})
    assert.throws(() => codec.encode(MAX_PROBES_PER_TRACE))
    assert.throws(() => codec.encode(-1))
  })
})

// ---------------------------------------------------------------------------------------------
// Reply matching: build the packets a router or the target would send back.

function ipv4(src: string, dst: string, protocol: number, ttl: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20)
  h[0] = 0x45
  h.writeUInt16BE(20 + payload.length, 2)
  h.writeUInt16BE(0x1111, 4)
  h[8] = ttl
  h[9] = protocol
  ip(src).copy(h, 12)
  ip(dst).copy(h, 16)
  h.writeUInt16BE(internetChecksum(h), 10)
  return Buffer.concat([h, payload])
}

function ipv6(src: string, dst: string, next: number, hops: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40)
  h[0] = 0x60
  h.writeUInt16BE(payload.length, 4)
  h[6] = next
  h[7] = hops
  ip(src).copy(h, 8)
  ip(dst).copy(h, 24)
  return Buffer.concat([h, payload])
}

function icmpError(type: number, code: number, quoted: Buffer): Buffer {
  const m = Buffer.concat([Buffer.from([type, code, 0, 0, 0, 0, 0, 0]), quoted])
  m.writeUInt16BE(internetChecksum(m), 2)
  return m
}

const US4 = '10.0.0.1'
const TARGET4 = '192.0.2.9'
const ROUTER4 = '10.0.5.1'
const US6 = '2001:db8::1'
const TARGET6 = '2001:db8::9'
const ROUTER6 = '2001:db8:5::1'

function codec4(protocol: 'icmp' | 'udp' | 'tcp', traceId = 0x1234, flowId = 45000): ProbeCodec {
  return new ProbeCodec({family: 4, protocol, target: TARGET4, source: US4, port: protocol === 'icmp' ? null : 33434, flowId, traceId})
}
function codec6(protocol: 'icmp' | 'udp' | 'tcp', traceId = 0x1234, flowId = 45000): ProbeCodec {
  return new ProbeCodec({family: 6, protocol, target: TARGET6, source: US6, port: protocol === 'icmp' ? null : 33434, flowId, traceId})
}

/** What a router sends when a probe's TTL runs out (v4, with the outer IP header a raw socket delivers). */
function timeExceeded4(c: ProbeCodec, key: number, opts: {quoteBytes?: number; quotedDst?: string} = {}): Buffer {
  const probe = c.encode(key).subarray(0, opts.quoteBytes ?? 8)
  const quoted = ipv4(US4, opts.quotedDst ?? TARGET4, c.ipProtocol, 1, probe)
  return ipv4(ROUTER4, US4, 1, 250, icmpError(11, 0, quoted))
}

function timeExceeded6(c: ProbeCodec, key: number, opts: {quotedDst?: string} = {}): Buffer {
  const probe = c.encode(key)
  return icmpError(3, 0, ipv6(US6, opts.quotedDst ?? TARGET6, c.ipProtocol, 1, probe))
}

describe('reply matching', () => {
  it('time exceeded quoting only 8 bytes of L4 gives back the probe key (v4, every protocol)', () => {
    for (const protocol of ['icmp', 'udp', 'tcp'] as const) {
      const c = codec4(protocol)
      for (const key of [0, 1, 95, 2047]) {
        const m = c.matchIcmpPacket(timeExceeded4(c, key), ROUTER4)
        assert.deepEqual(m, {probeKey: key, from: ROUTER4, icmpType: 11, icmpCode: 0, replyTtl: 250, kind: 'time-exceeded'}, `${protocol} ${key}`)
      }
      // a router that quotes the whole probe
      assert.equal(c.matchIcmpPacket(timeExceeded4(c, 9, {quoteBytes: 1000}), ROUTER4)?.probeKey, 9)
    }
  })

  it('time exceeded for v6 (no IP header on the raw socket: the source comes from recvfrom)', () => {
    for (const protocol of ['icmp', 'udp', 'tcp'] as const) {
      const c = codec6(protocol)
      const m = c.matchIcmpPacket(timeExceeded6(c, 77), '2001:db8:5:0::1')
      assert.deepEqual(m, {probeKey: 77, from: ROUTER6, icmpType: 3, icmpCode: 0, replyTtl: null, kind: 'time-exceeded'}, protocol)
    }
  })

  it('skips IPv6 extension headers in the quote', () => {
    const c = codec6('udp')
    const probe = c.encode(5)
    const hbh = Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]) // hop-by-hop, next = UDP, PadN
    const quoted = ipv6(US6, TARGET6, 0, 1, Buffer.concat([hbh, probe]))
    assert.equal(c.matchIcmpPacket(icmpError(3, 0, quoted), ROUTER6)?.probeKey, 5)
  })

  it('ignores replies for another trace (same flow id, another trace id) — every protocol, both families', () => {
    for (const protocol of ['icmp', 'udp', 'tcp'] as const) {
      const mine = codec4(protocol, 0x1111)
      const theirs = codec4(protocol, 0x2222)
      assert.equal(mine.matchIcmpPacket(timeExceeded4(theirs, 3), ROUTER4), null, `v4 ${protocol}`)
      assert.equal(theirs.matchIcmpPacket(timeExceeded4(theirs, 3), ROUTER4)?.probeKey, 3)
      const mine6 = codec6(protocol, 0x1111)
      const theirs6 = codec6(protocol, 0x2222)
      assert.equal(mine6.matchIcmpPacket(timeExceeded6(theirs6, 3), ROUTER6), null, `v6 ${protocol}`)
    }
  })

  it('UDP: 1984 trace ids map to distinct (checksum tag, length) pairs', () => {
    const seen = new Set<string>()
    for (let t = 0; t < UDP_TRACE_IDS; t++) {
      const tag = udpTag(t)
      const len = udpPayloadLength(t)
      assert.ok(tag >= 1 && tag <= 31 && len >= 16 && len <= 79)
      seen.add(`${tag}/${len}`)
    }
    assert.equal(seen.size, UDP_TRACE_IDS)
    // ids that share the length but not the tag, and the other way round
    for (const [a, b] of [
      [1, 2],
      [0, 31],
      [5, 5 + 31 * 7],
    ] as const) {
      const mine = codec4('udp', a)
      const theirs = codec4('udp', b)
      assert.equal(mine.matchIcmpPacket(timeExceeded4(theirs, 3), ROUTER4), null, `${a} vs ${b}`)
      assert.equal(theirs.matchIcmpPacket(timeExceeded4(theirs, 3), ROUTER4)?.probeKey, 3)
    }
  })

  it('UDP: trace ids congruent mod 1984 are told apart by the full id in the payload when the quote reaches it', () => {
    // the same checksum tag and length: the first 8 bytes cannot tell these two traces apart
    const [a, b] = [0x0123, 0x0123 + UDP_TRACE_IDS]
    const mine = codec4('udp', a)
    const theirs = codec4('udp', b)
    assert.equal(mine.matchIcmpPacket(timeExceeded4(theirs, 3, {quoteBytes: 1000}), ROUTER4), null, 'v4, whole probe quoted')
    assert.equal(mine.matchIcmpPacket(timeExceeded4(theirs, 3, {quoteBytes: 12}), ROUTER4), null, 'v4, quote ends with the id')
    assert.equal(theirs.matchIcmpPacket(timeExceeded4(theirs, 3, {quoteBytes: 1000}), ROUTER4)?.probeKey, 3)
    // a router that quotes only the 8 bytes it must: nothing more to check (the documented limit)
    assert.equal(mine.matchIcmpPacket(timeExceeded4(theirs, 3, {quoteBytes: 11}), ROUTER4)?.probeKey, 3)
    const mine6 = codec6('udp', a)
    const theirs6 = codec6('udp', b)
    assert.equal(mine6.matchIcmpPacket(timeExceeded6(theirs6, 3), ROUTER6), null, 'v6 (ICMPv6 quotes the whole probe)')
    assert.equal(theirs6.matchIcmpPacket(timeExceeded6(theirs6, 3), ROUTER6)?.probeKey, 3)
    // every probe still verifies and keeps the flow's ports
    for (const key of [0, 7, 2047]) {
      const p = theirs.encode(key)
      assert.equal(p.readUInt16BE(10), b)
      assert.ok(checksumOk(pseudoHeader(ip(US4), ip(TARGET4), 17, p.length), p), `key ${key}`)
    }
  })

  it('a quote padded and extended (RFC 4884, MPLS labels) ends where the quoted header says the probe ended', () => {
    const c = codec4('udp', 0x0123)
    const probe = c.encode(4)
    // the original datagram zero-padded to 128 bytes, then an extension structure (version 2, one MPLS object)
    const original = Buffer.concat([ipv4(US4, TARGET4, 17, 1, probe), Buffer.alloc(128 - 20 - probe.length)])
    const ext = Buffer.from([0x20, 0, 0, 0, 0, 8, 1, 1, 0x00, 0x01, 0x41, 0x01])
    const msg = icmpError(11, 0, Buffer.concat([original, ext]))
    const parsed = parseIcmp(4, msg)!
    assert.equal(parsed.quoted?.l4.length, probe.length)
    assert.equal(c.matchIcmpPacket(ipv4(ROUTER4, US4, 1, 250, msg), ROUTER4)?.probeKey, 4)
    // a quoted length that cannot be (shorter than the 8 bytes quoted): what was quoted is kept
    const odd = ipv4(US4, TARGET4, 17, 1, probe)
    odd.writeUInt16BE(24, 2)
    assert.equal(parseIcmp(4, icmpError(11, 0, odd))!.quoted?.l4.length, probe.length)
    const v6 = parseIcmp(6, icmpError(3, 0, Buffer.concat([ipv6(US6, TARGET6, 17, 1, probe), Buffer.alloc(40)])))!
    assert.equal(v6.quoted?.l4.length, probe.length)
  })

  it('ignores replies for another flow (other source port) and other ports', () => {
    const mine = codec4('udp', 0x1234, 45000)
    const theirs = codec4('udp', 0x1234, 45001)
    assert.equal(mine.matchIcmpPacket(timeExceeded4(theirs, 3), ROUTER4), null)
  })

  it('ignores a quote whose destination is not the target, or whose protocol is not ours', () => {
    const c = codec4('icmp')
    assert.equal(c.matchIcmpPacket(timeExceeded4(c, 3, {quotedDst: '192.0.2.10'}), ROUTER4), null)
    const c6 = codec6('tcp')
    assert.equal(c6.matchIcmpPacket(timeExceeded6(c6, 3, {quotedDst: '2001:db8::a'}), ROUTER6), null)
    // a UDP probe quoted back to a TCP trace with the same ports
    const udp = codec4('udp')
    const tcp = codec4('tcp')
    assert.equal(tcp.matchIcmpPacket(timeExceeded4(udp, 3), ROUTER4), null)
  })

  it('port unreachable from the target, and other unreachables', () => {
    const c = codec4('udp')
    const quoted = ipv4(US4, TARGET4, 17, 1, c.encode(12))
    const fromTarget = ipv4(TARGET4, US4, 1, 60, icmpError(3, 3, quoted))
    assert.deepEqual(c.matchIcmpPacket(fromTarget, TARGET4), {probeKey: 12, from: TARGET4, icmpType: 3, icmpCode: 3, replyTtl: 60, kind: 'unreachable'})
    const adminV6 = icmpError(1, 1, ipv6(US6, TARGET6, 17, 1, codec6('udp').encode(4)))
    assert.equal(codec6('udp').matchIcmpPacket(adminV6, ROUTER6)?.kind, 'unreachable')
    assert.equal(codec6('udp').matchIcmpPacket(adminV6, ROUTER6)?.icmpCode, 1)
  })

  it('echo replies: only from the target, only with our identifier', () => {
    const c = codec4('icmp', 0x0bad)
    const reply = Buffer.from(c.encode(33))
    reply[0] = 0 // echo reply
    reply.writeUInt16BE(0, 2)
    reply.writeUInt16BE(internetChecksum(reply), 2)
    assert.deepEqual(c.matchIcmpPacket(ipv4(TARGET4, US4, 1, 57, reply), TARGET4), {
      probeKey: 33,
      from: TARGET4,
      icmpType: 0,
      icmpCode: 0,
      replyTtl: 57,
      kind: 'echo-reply',
    })
    assert.equal(c.matchIcmpPacket(ipv4('192.0.2.99', US4, 1, 57, reply), '192.0.2.99'), null, 'not the target')
    assert.equal(codec4('icmp', 0x0bae).matchIcmpPacket(ipv4(TARGET4, US4, 1, 57, reply), TARGET4), null, 'another identifier')
    // our own echo request seen on loopback is not a reply
    assert.equal(c.matchIcmpPacket(ipv4(US4, TARGET4, 1, 64, c.encode(33)), US4), null)
    // a UDP trace ignores echo replies
    assert.equal(codec4('udp', 0x0bad).matchIcmpPacket(ipv4(TARGET4, US4, 1, 57, reply), TARGET4), null)
    // v6
    const c6 = codec6('icmp', 0x0bad)
    const r6 = Buffer.from(c6.encode(34))
    r6[0] = 129
    assert.equal(c6.matchIcmpPacket(r6, TARGET6)?.probeKey, 34)
    assert.equal(c6.matchIcmpPacket(r6, ROUTER6), null)
  })

  /** The echo reply a host sends to `c`'s probe `key`: our words, type 0 / 129, a fresh checksum. */
  function echoReply(c: ProbeCodec, key: number): Buffer {
    const reply = Buffer.from(c.encode(key))
    reply[0] = c.spec.family === 4 ? 0 : 129
    reply.writeUInt16BE(0, 2)
    const pseudo = c.spec.family === 4 ? [] : [pseudoHeader(ip(TARGET6), ip(US6), 58, reply.length)]
    reply.writeUInt16BE(internetChecksum(...pseudo, reply), 2)
    return reply
  }

  it('IPv4 echo replies: another flow\'s reply with our identifier is refused (its checksum follows its flow id)', () => {
    // two traces with one identifier (two processes that drew the same id) but other flow ids
    const mine = codec4('icmp', 0x0bad, 45000)
    const theirs = codec4('icmp', 0x0bad, 45001)
    const reply = ipv4(TARGET4, US4, 1, 57, echoReply(theirs, 33))
    assert.equal(mine.matchIcmpPacket(reply, TARGET4), null)
    assert.equal(theirs.matchIcmpPacket(reply, TARGET4)?.probeKey, 33)
    // every flow id's own replies still match, the end-around carry and both zeros included
    for (const flowId of [1, 0x07ff, 0x0800, 0x1234, 0xf7fe, 0xf7ff, 0xf800, 0xf801, 0xfffe, 0xffff]) {
      const c = codec4('icmp', 0x0bad, flowId)
      for (const key of [0, 1, 2047]) {
        const r = echoReply(c, key)
        assert.ok(checksumOk(r))
        assert.equal(c.matchIcmpPacket(ipv4(TARGET4, US4, 1, 57, r), TARGET4)?.probeKey, key, `flow ${flowId} key ${key}`)
      }
    }
  })

  it('IPv6 echo replies are matched on the identifier alone (their checksum covers the source the kernel chose)', () => {
    const c6 = codec6('icmp', 0x0bad, 45000)
    assert.equal(c6.matchIcmpPacket(echoReply(c6, 5), TARGET6)?.probeKey, 5)
    // a reply computed for another source address of ours: same words, another checksum
    const other = Buffer.from(echoReply(c6, 5))
    other.writeUInt16BE(0, 2)
    other.writeUInt16BE(internetChecksum(pseudoHeader(ip(TARGET6), ip('2001:db8::77'), 58, other.length), other), 2)
    assert.equal(c6.matchIcmpPacket(other, TARGET6)?.probeKey, 5)
  })

  it('a quoted echo request whose checksum a NAT left changed still matches (the identifier restored is enough)', () => {
    for (const c of [codec4('icmp', 0x0bad, 45000), codec6('icmp', 0x0bad, 45000)]) {
      const probe = Buffer.from(c.encode(9))
      // the NAT rewrote identifier and checksum on the way out, and restored only the identifier
      probe.writeUInt16BE((probe.readUInt16BE(2) + 0x1111) & 0xffff, 2)
      const msg = c.spec.family === 4 ? ipv4(ROUTER4, US4, 1, 250, icmpError(11, 0, ipv4(US4, TARGET4, 1, 1, probe.subarray(0, 8)))) : icmpError(3, 0, ipv6(US6, TARGET6, 58, 1, probe))
      assert.equal(c.matchIcmpPacket(msg, c.spec.family === 4 ? ROUTER4 : ROUTER6)?.probeKey, 9, `v${c.spec.family}`)
    }
  })

  function tcpReply(from: string, srcPort: number, dstPort: number, ack: number, flags: number): Buffer {
    const t = Buffer.alloc(20)
    t.writeUInt16BE(srcPort, 0)
    t.writeUInt16BE(dstPort, 2)
    t.writeUInt32BE(0x77777777, 4)
    t.writeUInt32BE(ack >>> 0, 8)
    t[12] = 5 << 4
    t[13] = flags
    return ipv4(from, US4, 6, 61, t)
  }

  it('TCP SYN-ACK and RST from the target acknowledge seq+1', () => {
    const c = codec4('tcp', 0xfedc, 45000)
    const seq = tcpSeq(0xfedc, 40)
    assert.deepEqual(c.matchTcpPacket(tcpReply(TARGET4, 33434, 45000, seq + 1, 0x12), TARGET4), {
      probeKey: 40,
      from: TARGET4,
      icmpType: null,
      icmpCode: null,
      replyTtl: 61,
      kind: 'tcp-synack',
    })
    assert.equal(c.matchTcpPacket(tcpReply(TARGET4, 33434, 45000, seq + 1, 0x14), TARGET4)?.kind, 'tcp-rst')
    // wrap-around: seq 0xffffffff acknowledged by 0
    const wrap = new ProbeCodec({family: 4, protocol: 'tcp', target: TARGET4, source: US4, port: 33434, flowId: 45000, traceId: 0xffff})
    assert.equal(wrap.matchTcpPacket(tcpReply(TARGET4, 33434, 45000, 0, 0x14), TARGET4)?.probeKey, 0xffff)
    // not ours
    assert.equal(c.matchTcpPacket(tcpReply(TARGET4, 33434, 45001, seq + 1, 0x12), TARGET4), null, 'other flow')
    assert.equal(c.matchTcpPacket(tcpReply(TARGET4, 80, 45000, seq + 1, 0x12), TARGET4), null, 'other port')
    assert.equal(c.matchTcpPacket(tcpReply('192.0.2.10', 33434, 45000, seq + 1, 0x12), '192.0.2.10'), null, 'other host')
    assert.equal(codec4('tcp', 0xfedd).matchTcpPacket(tcpReply(TARGET4, 33434, 45000, seq + 1, 0x12), TARGET4), null, 'other trace')
    assert.equal(c.matchTcpPacket(tcpReply(TARGET4, 33434, 45000, seq + 1, 0x02), TARGET4), null, 'a bare SYN')
    assert.equal(c.matchTcpPacket(tcpReply(TARGET4, 33434, 45000, seq + 1, 0x10), TARGET4), null, 'a bare ACK')
  })

  it('DNS probes (UDP to 53): a router quotes them like any UDP probe; the server\'s answer names the probe and carries its identity', () => {
    const c = new ProbeCodec({family: 4, protocol: 'udp', target: TARGET4, source: US4, port: 53, flowId: 45000, traceId: 0x1234})
    const q7 = dnsPacket.decode(c.encode(7).subarray(8))
    c.encode(8)
    assert.equal(c.matchIcmpPacket(timeExceeded4(c, 7), ROUTER4)?.probeKey, 7)
    const answer = (id: number, o: {qr?: boolean; rcode?: string} = {}): Buffer =>
      dnsPacket.encode({
        id,
        type: o.qr === false ? 'query' : 'response',
        flags: o.rcode === 'REFUSED' ? 5 : 0,
        questions: [{name: 'id.server', type: 'TXT', class: 'CH'}],
        answers: o.rcode === 'REFUSED' ? [] : [{name: 'id.server', type: 'TXT', class: 'CH', ttl: 0, data: ['s1.fra.example\u001b[31m']}],
        additionals: [{type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{code: 3, data: Buffer.from('fra-s1')}]} as unknown as dnsPacket.Answer],
      })
    const m = c.matchDnsReply(answer(q7.id!), TARGET4, 53)
    assert.deepEqual(m, {probeKey: 7, from: TARGET4, icmpType: null, icmpCode: null, replyTtl: null, kind: 'dns-reply'})
    // what the answer says of its server, sanitised; an error answer still means the probe got
    // there (matched above), but only a NOERROR answer's TXT is an identity
    assert.deepEqual(dnsIdentity(answer(q7.id!)), ['s1.fra.example\\x1b[31m', 'fra-s1'])
    assert.equal(c.matchDnsReply(answer(q7.id!, {rcode: 'REFUSED'}), TARGET4, 53)?.probeKey, 7)
    assert.deepEqual(dnsIdentity(answer(q7.id!, {rcode: 'REFUSED'})), ['fra-s1'])
    assert.deepEqual(dnsIdentity(Buffer.from('not dns')), [])
    assert.equal(c.matchDnsReply(answer(q7.id!), TARGET4, 5353), null, 'not from port 53')
    assert.equal(c.matchDnsReply(answer(q7.id!), '192.0.2.10', 53), null, 'not from the target')
    assert.equal(c.matchDnsReply(answer(q7.id!, {qr: false}), TARGET4, 53), null, 'a query, not an answer')
    assert.equal(c.matchDnsReply(answer((q7.id! + 1) & 0xffff), TARGET4, 53), null, 'an id we did not send')
    assert.equal(c.matchDnsReply(Buffer.alloc(5), TARGET4, 53), null)
    // other UDP traces never take DNS answers
    assert.equal(codec4('udp').matchDnsReply(answer(q7.id!), TARGET4, 33434), null)
  })

  it('ignores garbage', () => {
    const c = codec4('udp')
    for (const junk of [Buffer.alloc(0), Buffer.alloc(19), Buffer.alloc(60), ipv4(ROUTER4, US4, 1, 1, Buffer.from([11, 0, 0, 0]))]) {
      assert.equal(c.matchIcmpPacket(junk, ROUTER4), null)
    }
    assert.equal(parseIcmp(4, Buffer.alloc(4)), null)
    assert.equal(parseIpv4Header(hex('4500')), null)
  })
})

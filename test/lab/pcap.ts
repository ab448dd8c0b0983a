// A small pcap reader for lab tests: what left a vantage point's eth0 (tcpdump -w), as the wire saw it.
import {readFileSync} from 'node:fs'

import {formatIp} from '../../src/engines/trace/packet.js'

export interface WirePacket {
  /** capture time, ms */
  t: number
  family: 4 | 6
  /** IP protocol (next header without extension headers) */
  proto: number
  src: string
  dst: string
  ttl: number
  /** the transport header and payload */
  l4: Buffer
}

/** Ethernet (link type 1) captures, microsecond or nanosecond pcap; other frames are skipped. */
export function readPcap(path: string): WirePacket[] {
  const b = readFileSync(path)
  const magic = b.readUInt32LE(0)
  const nano = magic === 0xa1b23c4d
  if (magic !== 0xa1b2c3d4 && !nano) throw new Error(`${path}: not a little-endian pcap file`)
  if (b.readUInt32LE(20) !== 1) throw new Error(`${path}: link type ${b.readUInt32LE(20)}, expected Ethernet`)
  const out: WirePacket[] = []
  for (let o = 24; o + 16 <= b.length; ) {
    const t = b.readUInt32LE(o) * 1000 + b.readUInt32LE(o + 4) / (nano ? 1e6 : 1e3)
    const len = b.readUInt32LE(o + 8)
    const frame = b.subarray(o + 16, o + 16 + len)
    o += 16 + len
    if (frame.length < 14) continue
    const type = frame.readUInt16BE(12)
    const ip = frame.subarray(14)
    if (type === 0x0800 && ip.length >= 20) {
      const hl = (ip[0]! & 15) * 4
      out.push({t, family: 4, proto: ip[9]!, src: formatIp(ip.subarray(12, 16)), dst: formatIp(ip.subarray(16, 20)), ttl: ip[8]!, l4: ip.subarray(hl)})
    } else if (type === 0x86dd && ip.length >= 40) {
      out.push({t, family: 6, proto: ip[6]!, src: formatIp(ip.subarray(8, 24)), dst: formatIp(ip.subarray(24, 40)), ttl: ip[7]!, l4: ip.subarray(40)})
    }
  }
  return out
}

/**
 * The fields per-flow load balancers hash, for a probe leaving toward `dst` (null for anything
 * else): ICMP echo type/code/checksum (Paris keeps the checksum constant), UDP/TCP ports.
 */
export function probeFlow(p: WirePacket, dst: string): string | null {
  if (p.dst !== dst || p.l4.length < 8) return null
  if ((p.proto === 1 && p.l4[0] === 8) || (p.proto === 58 && p.l4[0] === 128)) return `icmp ${p.l4[0]}/${p.l4[1]} checksum ${p.l4.readUInt16BE(2)}`
  if (p.proto === 17) return `udp ${p.src}:${p.l4.readUInt16BE(0)} > ${p.l4.readUInt16BE(2)}`
  if (p.proto === 6 && p.l4.length >= 14 && p.l4[13] === 0x02) return `tcp ${p.src}:${p.l4.readUInt16BE(0)} > ${p.l4.readUInt16BE(2)}`
  return null
}

// A recurring RIPE Atlas DNS measurement of 40 probes towards K-root (193.0.14.129), in the shape
// Atlas records it (see test/fixtures/atlas/results-dns-mixed.json, from real results): "Tdig"
// results with abuf (a CHAOS TXT hostname.bind answer plus the NSID option), rt, answers, and
// {"error": {"timeout": 5000}} for a query without an answer. The servers' names follow K-root's
// own (ns1.nl-ams.k.ripe.net, ...); probes vary in PoP, RTT and timing (each its own phase).
//
//   1001-1030 steady (NLAMS, DEFRA, GBLON)         1031-1034 move NLAMS -> DEFRA at round 6
//   1035 times out at round 5, lands on DEFRA at 6 (a failover)
//   1036 flaps NLAMS <-> GBLON from round 4 to 8     1037, 1038 go silent after round 5
//   1039 times out from round 7 on                   1040 silent for rounds 4-6, back at 7
import * as dnsPacket from 'dns-packet'

export const MSM = 7101001
export const T0 = 1_765_000_000
export const INTERVAL = 240
export const ROUNDS = 12
export const PROBES = Array.from({length: 40}, (_, i) => 1001 + i)

const NAMES: Record<string, string> = {NLAMS: 'ns1.nl-ams.k.ripe.net', DEFRA: 'ns2.de-fra.k.ripe.net', GBLON: 'ns1.gb-lon.k.ripe.net'}

function abuf(id: number, server: string): string {
  const buf = dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}],
    answers: [{type: 'TXT', class: 'CH', name: 'hostname.bind', ttl: 0, data: [server]}],
    additionals: [{type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [{code: 3, data: Buffer.from(server)}]} as unknown as dnsPacket.Answer],
  })
  return buf.toString('base64')
}

/** The PoP of probe p in round r; null: a timeout result; undefined: no result at all. */
export function popOf(p: number, r: number): string | null | undefined {
  if (p === 1035 && r === 5) return null
  if ((p === 1037 || p === 1038) && r > 5) return undefined
  if (p === 1039 && r >= 7) return null
  if (p === 1040 && r >= 4 && r <= 6) return undefined
  if (p >= 1031 && p <= 1035) return r >= 6 ? 'DEFRA' : 'NLAMS'
  if (p === 1036) return r >= 4 && r <= 8 && r % 2 === 0 ? 'GBLON' : 'NLAMS'
  if (p <= 1015) return 'NLAMS'
  if (p <= 1025) return 'DEFRA'
  if (p <= 1030) return 'GBLON'
  return 'NLAMS'
}

export function resultOf(p: number, r: number): Record<string, unknown> | null {
  const pop = popOf(p, r)
  if (pop === undefined) return null
  const i = p - 1001
  const ts = T0 + i * 5 + r * INTERVAL + (r % 3) // a little jitter, as real probes have
  const common = {fw: 5080, lts: 20 + (i % 7), from: `198.51.100.${i + 1}`, msm_id: MSM, prb_id: p, timestamp: ts, msm_name: 'Tdig', type: 'dns', af: 4, proto: 'UDP', dst_addr: '193.0.14.129', src_addr: `192.168.${i}.2`, group_id: MSM, stored_timestamp: ts + 3}
  if (pop === null) return {...common, error: {timeout: 5000}}
  const server = NAMES[pop]!
  const rt = Math.round((5 + i * 1.7 + (pop === 'GBLON' ? 9 : 0) + (r % 4) * 0.31) * 1000) / 1000
  const id = (p * 131 + r * 17) & 0xffff
  return {
    ...common,
    result: {
      abuf: abuf(id, server),
      rt,
      size: 0,
      ID: id,
      ANCOUNT: 1,
      QDCOUNT: 1,
      NSCOUNT: 0,
      ARCOUNT: 1,
      answers: [{TYPE: 'TXT', NAME: 'hostname.bind', RDATA: [server]}],
    },
  }
}

/** Every result of rounds [from, to], in timestamp order. */
export function rounds(from: number, to: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  for (let r = from; r <= to; r++) for (const p of PROBES) {
    const x = resultOf(p, r)
    if (x) out.push(x)
  }
  return out.sort((a, b) => (a.timestamp as number) - (b.timestamp as number))
}

export function measurementObject(): Record<string, unknown> {
  return {
    id: MSM,
    type: 'dns',
    af: 4,
    target: '193.0.14.129',
    interval: INTERVAL,
    is_oneoff: false,
    is_public: true,
    query_class: 'CHAOS',
    query_type: 'TXT',
    query_argument: 'hostname.bind',
    set_nsid_bit: true,
    status: {id: 2, name: 'Ongoing'},
    participant_count: 40,
    probes: PROBES.map((id) => ({id})),
  }
}

export function probeObjects(): Record<string, unknown> {
  const cc = ['NL', 'DE', 'GB', 'FR', 'US']
  return {
    count: 40,
    next: null,
    results: PROBES.map((id, i) => ({
      id,
      asn_v4: 3320 + (i % 4),
      asn_v6: null,
      country_code: cc[i % 5],
      geometry: {type: 'Point', coordinates: [4 + i * 0.1, 50 + i * 0.05]},
      description: `probe ${id}`,
      is_anchor: false,
      status: {id: 1, name: 'Connected'},
      tags: [{name: 'system: IPv4 Works', slug: 'system-ipv4-works'}, ...(i % 2 === 0 ? [{name: 'home', slug: 'home'}] : [])],
    })),
  }
}

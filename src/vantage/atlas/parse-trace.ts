// RIPE Atlas traceroute results -> TraceResult.
//
// Mapping: paris_id -> flowId; {"x":"*"} -> a lost probe (addr null, rtt null); replies with
// a "late" key are EXCLUDED (they answer an earlier probe; not RTTs); duplicates ("dup") likewise;
// an rtt that is missing or not > 0 is null, never 0; ICMP type/code are derived (Atlas does not
// report them): "err" N/H/A/P/p or a numeric code -> destination unreachable with that code, a
// reply from the destination -> what the protocol expects (echo reply, port unreachable, nothing
// for TCP), any other reply -> time exceeded. destinationReached: a reply of the LAST hop comes
// from dst_addr. stopReason: an unreachable from the last hop -> unreachable; reached -> completed;
// an error string -> halted; the last hop at max_hops -> hop-limit; else the probe gave up after
// silent hops (Atlas firmware stops after 5 and sends one last packet with TTL 255) -> gap-limit.
import {TRACE_SCHEMA_VERSION, type ProbeReply, type StopReason, type TraceHop, type TraceProtocol, type TraceResult} from '../../model/trace.js'
import type {VantagePoint} from '../../model/vantage.js'
import {describeAddress, parseAddress} from '../../util/target.js'
import type {VantageOutcome} from '../types.js'
import {addr, type AtlasMeasurementMeta, type AtlasParsed, type AtlasResultMeta, failed, int, malformed, num, posInt, probeError, rtt, text} from './parse-shared.js'

const TARGET_INFO_CACHE = new Map<string, TraceResult['targetInfo']>()

function targetInfo(input: string, dst: string): TraceResult['targetInfo'] {
  const key = `${input} ${dst}`
  let info = TARGET_INFO_CACHE.get(key)
  if (info === undefined) {
    const a = parseAddress(dst)
    if (a) {
      const d = describeAddress(input, a, input !== dst)
      info = {class: d.class, knownAnycast: d.knownAnycast, notes: d.notes}
    } else {
      info = {class: 'reserved', knownAnycast: null, notes: []}
    }
    if (TARGET_INFO_CACHE.size > 10_000) TARGET_INFO_CACHE.clear()
    TARGET_INFO_CACHE.set(key, info)
  }
  // a copy: results are handed out and may be changed by their users
  return {class: info.class, knownAnycast: info.knownAnycast, notes: info.notes.slice()}
}

function traceProtocol(v: unknown, m: AtlasMeasurementMeta | null): TraceProtocol {
  const p = (typeof v === 'string' ? v : typeof m?.protocol === 'string' ? m.protocol : 'UDP').toUpperCase()
  // firmware 4400 wrote "mode": "UDP4" / "ICMP6" / "TCP4"
  if (p.startsWith('ICMP')) return 'icmp'
  if (p.startsWith('TCP')) return 'tcp'
  return 'udp'
}

/** ICMP type/code of a reply, derived from Atlas's "err" and who answered (see the header). */
function icmpOf(err: unknown, fromDst: boolean, proto: TraceProtocol, v6: boolean): [number | null, number | null] {
  if (err !== undefined && err !== null) {
    const unreach = v6 ? 1 : 3
    if (typeof err === 'number') return [unreach, err]
    switch (err) {
      case 'N':
        return [unreach, 0]
      case 'H':
        return v6 ? [1, 3] : [3, 1]
      case 'A':
        return v6 ? [1, 1] : [3, 13]
      case 'P':
        return v6 ? [4, 1] : [3, 2]
      case 'p':
        return v6 ? [1, 4] : [3, 3]
      default:
        return [unreach, null]
    }
  }
  if (!fromDst) return v6 ? [3, 0] : [11, 0]
  if (proto === 'icmp') return v6 ? [129, 0] : [0, 0]
  if (proto === 'udp') return v6 ? [1, 4] : [3, 3]
  return [null, null]
}

/** "err" values that do not stop a trace short of its target: port unreachable is UDP's arrival. */
function isUnreachableErr(err: unknown): boolean {
  return err !== undefined && err !== null && err !== 'p' && !(err === 4 || err === 3)
}

export function parseTrace(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint, m: AtlasMeasurementMeta | null): AtlasParsed {
  const raw = r.result
  const probeId = meta.probeId
  if (typeof raw === 'string') return malformed(meta, 'traceroute in text form (legacy firmware) is not parsed', vantage)
  if (!Array.isArray(raw)) {
    const e = text(r.error)
    return e !== null ? failed(meta, vantage, probeError(probeId, e)) : malformed(meta, 'no "result" array of hops', vantage)
  }
  const dst = meta.dstAddr
  const proto = traceProtocol(r.proto ?? r.mode, m)
  const v6 = meta.af === 6 || (dst !== null && dst.includes(':'))
  const hops: TraceHop[] = []
  const errors: string[] = []
  let maxProbes = 0
  let lastUnreachable = false

  for (let h = 0; h < raw.length; h++) {
    const entry = raw[h] as Record<string, unknown> | null
    if (entry === null || typeof entry !== 'object') return malformed(meta, `hop entry ${h} is not an object`, vantage)
    const ttl = int(entry.hop)
    const packets = entry.result
    if (ttl === null || !Array.isArray(packets)) {
      const e = text(entry.error)
      if (e !== null) {
        errors.push(e)
        continue
      }
      return malformed(meta, `hop entry ${h} has no hop number or replies`, vantage)
    }
    if (ttl < 1 || ttl > 255) return malformed(meta, `hop number ${ttl} is out of range`, vantage)
    const replies: ProbeReply[] = []
    const rtts: Array<number | null> = []
    const addrs: string[] = []
    let best: string | null = null
    let bestCount = 0
    let counts: Map<string, number> | null = null
    let unreachableHere = false
    for (let j = 0; j < packets.length; j++) {
      const p = packets[j] as Record<string, unknown> | null
      if (p === null || typeof p !== 'object') return malformed(meta, `hop ${ttl} reply ${j} is not an object`, vantage)
      if (p.late !== undefined || p.dup !== undefined) continue
      const probe = replies.length
      if (p.x !== undefined || p.from === undefined) {
        if (p.error !== undefined) {
          const e = text(p.error)
          if (e !== null) errors.push(e)
        }
        replies.push({probe, addr: null, rttMs: null, icmpType: null, icmpCode: null, replyTtl: null})
        rtts.push(null)
        continue
      }
      const from = addr(p.from)
      if (from === null) return malformed(meta, `hop ${ttl} reply ${j} has an unreadable "from"`, vantage)
      const fromDst = from === dst
      const [icmpType, icmpCode] = icmpOf(p.err, fromDst, proto, v6)
      if (isUnreachableErr(p.err)) unreachableHere = true
      const ms = rtt(p.rtt)
      replies.push({probe, addr: from, rttMs: ms, icmpType, icmpCode, replyTtl: int(p.ttl)})
      rtts.push(ms)
      // the hop's address: the one that answered most often (first seen wins a tie)
      if (addrs.length === 0) {
        addrs.push(from)
        best = from
        bestCount = 1
      } else if (from === addrs[0] && counts === null) {
        bestCount++
      } else {
        if (counts === null) counts = new Map([[addrs[0]!, bestCount]])
        const c = (counts.get(from) ?? 0) + 1
        if (c === 1) addrs.push(from)
        counts.set(from, c)
        if (c > bestCount) {
          best = from
          bestCount = c
        }
      }
    }
    if (replies.length > maxProbes) maxProbes = replies.length
    lastUnreachable = unreachableHere
    hops.push({ttl, addr: best, addrs, hostname: null, asn: null, asOrg: null, rttMs: rtts, replies, hint: null})
  }

  if (hops.length === 0) {
    return errors.length > 0 ? failed(meta, vantage, probeError(probeId, errors.join('; '))) : malformed(meta, 'a traceroute without hops', vantage)
  }
  if (hops.every((hop) => hop.addr === null) && errors.length > 0) {
    // nothing answered because the probe could not send (bind/sendto failed, ...)
    return failed(meta, vantage, probeError(probeId, errors.join('; ')))
  }
  if (dst === null) return malformed(meta, 'no destination address (dst_addr)', vantage)

  const last = hops[hops.length - 1]!
  let destinationReached = false
  for (const rep of last.replies) if (rep.addr === dst) destinationReached = true
  const maxHops = posInt(m?.max_hops) ?? 32
  let lastProbed = last.ttl
  if (lastProbed === 255 && hops.length > 1) lastProbed = hops[hops.length - 2]!.ttl
  let stopReason: StopReason
  if (lastUnreachable) stopReason = 'unreachable'
  else if (destinationReached) stopReason = 'completed'
  else if (errors.length > 0) stopReason = 'halted'
  else if (lastProbed >= maxHops) stopReason = 'hop-limit'
  else stopReason = 'gap-limit'

  const startedS = num(r.timestamp)!
  const endS = num(r.endtime)
  const packetsDef = posInt(m?.packets)
  const result: TraceResult = {
    schemaVersion: TRACE_SCHEMA_VERSION,
    kind: 'trace',
    target: meta.dstName ?? dst,
    targetAddr: dst,
    targetInfo: targetInfo(meta.dstName ?? dst, dst),
    family: v6 ? 6 : 4,
    protocol: proto,
    flowId: clampFlow(int(r.paris_id) ?? int(r['paris-id']) ?? 0),
    vantage,
    startedAt: meta.createdAt!,
    durationMs: endS !== null && endS >= startedS ? (endS - startedS) * 1000 : 0,
    params: {
      maxHops,
      firstHop: posInt(m?.first_hop) ?? 1,
      probes: packetsDef ?? (maxProbes > 0 ? maxProbes : 3),
      timeoutMs: posInt(m?.response_timeout) ?? 4000,
      rate: null,
      port: proto === 'tcp' ? (posInt(m?.port) ?? posInt(r.dst_port) ?? 80) : null,
      gapLimit: 5,
    },
    hops,
    destinationReached,
    stopReason,
    pop: null,
    targetHostname: null,
  }
  const outcome: VantageOutcome = {vantage, result, error: null}
  if (errors.length > 0) outcome.error = probeError(probeId, errors.join('; '))
  return {status: 'ok', meta, reason: null, outcomes: [outcome]}
}

function clampFlow(n: number): number {
  return n >= 0 && n <= 65535 ? n : 0
}

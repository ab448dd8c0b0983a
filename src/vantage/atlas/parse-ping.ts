// RIPE Atlas ping results -> PingResult: one RTT per packet (lost = null, duplicates and late
// replies out), or only the summary (min/avg/max) when the result has no per-packet replies.
import {PING_SCHEMA_VERSION, type PingResult} from '../../model/ping.js'
import type {VantagePoint} from '../../model/vantage.js'
import {type AtlasParsed, type AtlasResultMeta, failed, int, malformed, num, probeError, round3, rtt, text} from './parse-shared.js'

export function parsePing(r: Record<string, unknown>, meta: AtlasResultMeta, vantage: VantagePoint): AtlasParsed {
  const packets = r.result
  const rtts: Array<number | null> = []
  const errs: string[] = []
  if (Array.isArray(packets)) {
    for (let j = 0; j < packets.length; j++) {
      const p = packets[j] as Record<string, unknown> | null
      if (p === null || typeof p !== 'object') return malformed(meta, `ping reply ${j} is not an object`, vantage)
      if (p.dup !== undefined || p.late !== undefined) continue
      if (p.error !== undefined) {
        const e = text(p.error)
        if (e !== null) errs.push(e)
        rtts.push(null)
        continue
      }
      rtts.push(rtt(p.rtt))
    }
  } else if (packets !== undefined) {
    return malformed(meta, '"result" is not a list of replies', vantage)
  }
  const sent = int(r.sent)
  if (sent === null && !Array.isArray(packets)) {
    const e = text(r.error)
    return e !== null ? failed(meta, vantage, probeError(meta.probeId, e)) : malformed(meta, 'neither replies nor counts', vantage)
  }
  if (sent === 0 && errs.length === 0 && r.error !== undefined) return failed(meta, vantage, probeError(meta.probeId, text(r.error) ?? 'error'))
  let min: number | null = null
  let max: number | null = null
  let sum = 0
  let n = 0
  for (const x of rtts) {
    if (x === null) continue
    if (min === null || x < min) min = x
    if (max === null || x > max) max = x
    sum += x
    n++
  }
  // without per-packet replies (very old firmware) the summary fields are all there is; -1 = none
  const summary = (v: unknown): number | null => {
    const x = num(v)
    return x !== null && x > 0 ? round3(x) : null
  }
  const result: PingResult = {
    schemaVersion: PING_SCHEMA_VERSION,
    kind: 'ping',
    target: meta.dstName ?? meta.dstAddr ?? '',
    targetAddr: meta.dstAddr,
    family: meta.af,
    vantage,
    startedAt: meta.createdAt!,
    sent: sent ?? rtts.length,
    received: int(r.rcvd) ?? n,
    rttMs: rtts,
    minMs: n > 0 ? min : summary(r.min),
    avgMs: n > 0 ? round3(sum / n) : summary(r.avg),
    maxMs: n > 0 ? max : summary(r.max),
    pop: null,
  }
  const error = errs.length > 0 ? probeError(meta.probeId, errs.join('; ')) : null
  return {status: 'ok', meta, reason: null, outcomes: [{vantage, result, error}]}
}

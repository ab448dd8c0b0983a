// RTTs no measurement gives (model/rtt.ts impossibleRtt: not finite, < 0, over an hour; 0 ms is a reading), dropped
// from what a saved file holds before anything shows or summarises them. Why drop the RTT and not
// the value: the rest of it was measured (a catchment row's PoP, a watch observation's answer, a
// result's identity); only the number is not one. A dropped RTT is null, as "not measured" is
// everywhere in the model, and the reader counts it (store/read.ts stats.impossibleRtts) for a
// warning that names the file. In place: the values are fresh from JSON.parse, nobody else holds them.
import type {CatchmentVantagePoint} from '../model/catchment.js'
import type {ProbeResult} from '../model/probe.js'
import {impossibleRtt} from '../model/rtt.js'
import type {Observation} from '../model/watch.js'

const bad = (x: number | null | undefined): x is number => typeof x === 'number' && impossibleRtt(x)

/** a list of RTTs: impossible entries become null; how many */
function dropInList(list: Array<number | null>): number {
  let n = 0
  for (let i = 0; i < list.length; i++) {
    if (bad(list[i])) {
      list[i] = null
      n++
    }
  }
  return n
}

/** A result's impossible RTTs nulled (each RTT field the catchment, verdict or renderers read); how many. */
export function dropImpossibleResultRtts(r: ProbeResult): number {
  let n = 0
  switch (r.kind) {
    case 'dns':
      for (const q of r.queries) {
        if (bad(q.rttMs)) {
          q.rttMs = null
          n++
        }
        if (q.tcpRetry !== undefined && bad(q.tcpRetry.udpRttMs)) {
          // the UDP reply's RTT is part of a retry's record, not optional in it: the record goes
          delete q.tcpRetry
          n++
        }
      }
      return n
    case 'ping': {
      n = dropInList(r.rttMs)
      const kept = r.rttMs.filter((x): x is number => x !== null)
      if (n > 0) {
        // the summary was made with them: made again from what is left
        r.minMs = kept.length > 0 ? Math.min(...kept) : null
        r.maxMs = kept.length > 0 ? Math.max(...kept) : null
        r.avgMs = kept.length > 0 ? Math.round((kept.reduce((a, b) => a + b, 0) / kept.length) * 1000) / 1000 : null
      }
      for (const k of ['minMs', 'avgMs', 'maxMs'] as const) {
        if (bad(r[k])) {
          r[k] = null
          n++
        }
      }
      return n
    }
    case 'trace':
      for (const h of r.hops) {
        n += dropInList(h.rttMs)
        // a reply's RTT is the same number as its hop's entry: nulled too, counted once
        for (const rep of h.replies ?? []) if (bad(rep.rttMs)) rep.rttMs = null
      }
      return n
    case 'http':
      // the phases an RTT is read from (model/rtt.ts httpRtt); dnsMs and tlsMs are no round trip and may be 0
      for (const k of ['connectMs', 'firstByteMs', 'totalMs'] as const) {
        if (bad(r.timings[k])) {
          r.timings[k] = null
          n++
        }
      }
      return n
  }
}

/** A saved catchment row's impossible RTT nulled (with its upper-bound mark); how many (0 or 1). */
export function dropImpossibleRowRtt(row: CatchmentVantagePoint): number {
  if (!bad(row.rttMs)) return 0
  row.rttMs = null
  delete row.rttUpperBound
  return 1
}

/** A watch observation's impossible RTT nulled (it still answered, or not, as it says); how many (0 or 1). */
export function dropImpossibleObservationRtt(o: Observation): number {
  if (!bad(o.rttMs)) return 0
  o.rttMs = null
  return 1
}

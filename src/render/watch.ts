// Text for `anyprobe watch`: one line per event, one catchment line per vantage point, and the
// summary. Returns strings, never prints; every string from the network is sanitised.
import type {WatchEvent, WatchStart, WatchSummaryEvent} from '../model/watch.js'
import {plural} from '../util/plural.js'
import {sanitize} from '../util/sanitize.js'

const s = (x: string | null | undefined): string => (x === null || x === undefined ? '-' : sanitize(x, 80))
// one decimal, but a measured RTT under 0.05 ms (a raw-socket trace to a PoP next door: 0.024 ms)
// keeps one significant digit instead of printing "0 ms", which reads as nothing measured
export const ms = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : x > 0 && x < 0.05 ? `${Number(x.toPrecision(1))} ms` : `${Math.round(x * 10) / 10} ms`
/** A PoP named only as a hint (a confidence given: under 0.5) is marked '?', as every other output marks one. */
const hinted = (pop: string | null | undefined, confidence: number | undefined): string => (confidence === undefined || pop === null || pop === undefined ? s(pop) : `${s(pop)}?`)
const clock = (iso: string): string => (iso.length >= 23 ? iso.slice(11, 23) : iso)

export function renderWatchEvent(e: WatchEvent): string {
  switch (e.type) {
    case 'shift':
      return `${clock(e.at)} ${s(e.vantageId)} shift ${s(e.from)} -> ${s(e.to)}  gap ${ms(e.gapMs)}, ${e.lostProbes} lost, rtt ${ms(e.rttBeforeMs)} -> ${ms(e.rttAfterMs)}${e.clockJump ? ' (clock jump)' : ''}`
    case 'failover':
      return `${clock(e.at)} ${s(e.vantageId)} failover ${s(e.from)} -> ${s(e.to)}  gap ${ms(e.gapMinMs)}..${ms(e.gapMs)} (+-${e.resolutionMs} ms), ${e.lostProbes} lost`
    case 'flap':
      return `${clock(e.at)} ${s(e.vantageId)} flapping between ${e.pops.map(s).join(', ')}: ${plural(e.flips, 'flip')} in ${e.windowMs / 1000} s (${flipRate(e.flipsPerMinute)})`
    case 'flap-end':
      return `${clock(e.at)} ${s(e.vantageId)} flapping over: no flip for ${e.windowMs / 1000} s, now at ${s(e.pop)} (${plural(e.flips, 'flip')} from ${clock(e.since)} to ${clock(e.lastFlipAt)})`
    case 'outage':
      // since = the first probe not answered; the last answer before it is what recovered's duration runs from
      return `${clock(e.at)} ${s(e.vantageId)} outage since ${clock(e.since)} (${e.lostProbes} lost, last at ${hinted(e.lastPop, e.lastPopConfidence)}${e.lastAnswerAt === null ? '' : ` ${clock(e.lastAnswerAt)}`})${e.vantageError === undefined ? '' : `: the vantage point failed (${s(e.vantageError)}), not the target`}`
    case 'recovered':
      // durationMs runs from the last answer before the outage, not from its `since` (the first probe lost)
      return `${clock(e.at)} ${s(e.vantageId)} recovered at ${hinted(e.pop, e.popConfidence)}: ${e.durationMs === null ? 'its first answer' : `${ms(e.durationMs)} since the last answer`} (${e.lostProbes} lost${e.popConfidence === undefined ? '' : '; its PoP only a hint'})`
    case 'hint':
      // no shift, no failover: the answers name no PoP confidently (a lone server name)
      return `${clock(e.at)} ${s(e.vantageId)} answers, PoP only hinted (${s(e.pop)}?, confidence ${e.popConfidence})${e.catchment === null ? '' : `; no confident PoP since ${s(e.catchment)}`}`
    case 'load-balanced':
      return `${clock(e.at)} ${s(e.vantageId)} load-balanced across ${e.pops.map(s).join(', ')}`
    case 'summary':
      return renderWatchSummary(e)
  }
}

/** The line `anyprobe report` prints where a saved watch begins. */
export function renderWatchStart(h: WatchStart): string {
  return `watch of ${s(h.target)} by ${h.method}, every ${h.intervalMs} ms x ${plural(h.flows, 'flow')}, started ${h.at === '' ? '-' : s(h.at)}`
}

export interface CatchmentLine {
  vantageId: string
  pop: string | null
  rttMs: number | null
  answered: number
  lost: number
  /** in an outage (its outage event, until it answers again): no PoP answers it now */
  inOutage?: boolean
  /** pop was named only as a hint (under 0.5): shown 'LONDON?' */
  popHint?: boolean
}

export function renderCatchmentLine(c: CatchmentLine): string {
  const pop = c.popHint === true && c.pop !== null ? `${s(c.pop)}?` : s(c.pop)
  if (c.inOutage === true) return `${s(c.vantageId).padEnd(14)} no answer (outage; last at ${pop})  ${c.answered} answered, ${c.lost} lost`
  return `${s(c.vantageId).padEnd(14)} ${pop.padEnd(8)} rtt ${ms(c.rttMs).padStart(9)}  ${c.answered} answered, ${c.lost} lost`
}

/** A flip rate a person can read: per minute, or per hour when under 0.1 a minute (a 4-hour Atlas window's '0/min'). */
function flipRate(perMinute: number): string {
  return perMinute >= 0.1 ? `${Math.round(perMinute * 10) / 10}/min` : `${Math.round(perMinute * 600) / 10}/h`
}

export function renderWatchSummary(sum: WatchSummaryEvent): string {
  const out: string[] = []
  // rounds not sent on time (a loop held up over half an interval) are said: a gap across them is coarser;
  // rounds the backend did not measure (a Globalping round the API refused) were sent on time: said apart
  // the counts are summed over the vantage points: with several, say so (12 of 6 probes x 2 rounds
  // read as 12 rounds beside "3 rounds")
  const n = (x: number): string => (sum.vantagePoints.length > 1 ? plural(x, 'vantage-point round') : String(x))
  const gaps = [
    ...(sum.skippedRounds > 0 ? [`${n(sum.skippedRounds)} skipped: not sent on time`] : []),
    ...((sum.unmeasuredRounds ?? 0) > 0 ? [`${n(sum.unmeasuredRounds!)} not measured: the backend could not`] : []),
  ]
  const skipped = gaps.length > 0 ? ` (${gaps.join('; ')})` : ''
  out.push(`summary: ${plural(sum.rounds, 'round')}${skipped}, ${plural(sum.observations, 'probe')} every ${sum.intervalMs} ms x ${plural(sum.flows, 'flow')}, ${sum.firstAt ?? '-'} .. ${sum.lastAt ?? '-'}`)
  for (const v of sum.vantagePoints) {
    // answers naming a PoP only as a hint are counted apart, marked '?' ([NRT 4, LONDON? 10])
    const pops = [...v.pops.map((p) => `${s(p.pop)} ${p.observations}`), ...(v.hintedPops ?? []).map((p) => `${s(p.pop)}? ${p.observations}`)].join(', ')
    const pop = hinted(v.pop, v.popConfidence)
    // in an outage when the watch ended (Ctrl-C during it): no PoP answers it now, whatever the last one was
    const now = v.inOutage ? `no answer (outage; last at ${pop})` : `${pop.padEnd(8)}${v.popConfidence === undefined ? '' : ' (only a hint)'}`
    out.push(
      `  ${s(v.vantageId).padEnd(14)} now ${now} ${v.answered} answered, ${v.lost} lost${v.skippedRounds > 0 ? `, ${plural(v.skippedRounds, 'round')} skipped` : ''}${(v.unmeasuredRounds ?? 0) > 0 ? `, ${plural(v.unmeasuredRounds!, 'round')} not measured` : ''}, ${plural(v.flips, 'flip')}, ${plural(v.flapEpisodes, 'flap episode')}, ${plural(v.outages, 'outage')}${pops ? `  [${pops}]` : ''}`,
    )
  }
  // started, but no probe sent before the watch stopped: not ready (not an outage of the target)
  for (const id of sum.notReady ?? []) out.push(`  ${s(id).padEnd(14)} sent no probe: not ready when the watch stopped`)
  const f = sum.failover
  if (f.count > 0) out.push(`  failovers: ${f.count}, gap p50 ${ms(f.p50Ms)}, p90 ${ms(f.p90Ms)}, max ${ms(f.maxMs)} (+-${f.resolutionMs} ms)`)
  return out.join('\n')
}

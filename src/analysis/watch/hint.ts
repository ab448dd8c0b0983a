// A PoP named only as a hint in a watch: which answers name a catchment and which only hint at one.
// One rule (model/pop-confidence.ts) with --expect, catchment (hintedPops) and --learn: a PoP under
// 0.5 is a hint, never a catchment the analyser moves, pages or counts flips on (./analyzer.ts).
import {isHintedPop} from '../../model/pop-confidence.js'
import type {LoadBalancedEvent, Observation, ShiftEvent} from '../../model/watch.js'

/** A PoP named only as a hint, with the confidence it was named with. */
export interface HintNow {
  pop: string
  confidence: number
}

/**
 * The hint an answered observation names, or null: its PoP is confident, or none is named. A
 * confidence not known (older --out files, a backend that does not say) is no hint: judged as
 * before, as --expect judges it (analysis/expect.ts isHint).
 */
export function hintOf(o: Pick<Observation, 'pop' | 'popConfidence'>): HintNow | null {
  return isHintedPop(o.pop, o.popConfidence) ? {pop: o.pop!, confidence: o.popConfidence!} : null
}

/** The PoP an observation gives the catchment: null without an answer, without a PoP, or with only a hint. */
export function locatingPop(o: Pick<Observation, 'answered' | 'pop' | 'popConfidence'>): string | null {
  return o.answered && hintOf(o) === null ? o.pop : null
}

/**
 * Each vantage point's confident catchment as the analyser's events say it (its first confident
 * answer, then each shift's `to` and each load-balanced set), for the outputs that show answers as
 * they arrive (--metrics' anyprobe_site_info, the live catchment line): whether a hint agrees with
 * it as the analyser judges it (./analyzer.ts hintRound: "now" stays that catchment, said without
 * '?'). Before, each of them compared a hint with the PoP it showed last, which after a hint of
 * another PoP (or beside a load-balanced catchment) was no longer the catchment: 'NRT?' where the
 * analyser said NRT. Followed from the events, it lags the analyser only as its events do.
 */
export class ConfidentCatchment {
  private readonly pops = new Map<string, ReadonlySet<string>>()

  observe(o: Pick<Observation, 'vantageId' | 'answered' | 'pop' | 'popConfidence'>): void {
    if (this.pops.has(o.vantageId)) return
    const pop = locatingPop(o)
    if (pop !== null) this.pops.set(o.vantageId, new Set([pop]))
  }

  /** an event of the analyser (others, the summary, --expect's, change nothing) */
  event(e: {type: string; vantageId?: string}): void {
    if (e.vantageId === undefined) return
    // a shift's `to` is a PoP, or a set named as popSetName names it ("AMS+FRA")
    if (e.type === 'shift') this.pops.set(e.vantageId, new Set((e as ShiftEvent).to.split('+')))
    else if (e.type === 'load-balanced') this.pops.set(e.vantageId, new Set((e as LoadBalancedEvent).pops))
  }

  /** A hint of `pop` agrees with the vantage point's confident catchment (false while it has none). */
  agrees(vantageId: string, pop: string): boolean {
    return this.pops.get(vantageId)?.has(pop) === true
  }
}

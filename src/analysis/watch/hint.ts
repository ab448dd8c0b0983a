// A PoP named only as a hint in a watch: which answers name a catchment and which only hint at one.
// One rule (model/pop-confidence.ts) with --expect, catchment (hintedPops) and --learn: a PoP under
// 0.5 is a hint, never a catchment the analyser moves, pages or counts flips on (./analyzer.ts).
import {isHintedPop} from '../../model/pop-confidence.js'
import type {Observation} from '../../model/watch.js'

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
 * A vantage point's confident catchment as the watch analyser judges it (its catchment(): a PoP or
 * a load-balanced set; null while it has none), for the outputs that show answers as they arrive
 * (--metrics' anyprobe_site_info, the live catchment line): a hint of a PoP of it agrees with it
 * (./analyzer.ts hintRound: "now" stays that catchment, said without '?'). Asked of the analyser,
 * not rebuilt from its events: the first catchment, settled from a round naming several PoPs, comes
 * with no event (rebuilt, it said FRA where the analyser was at AMS, and marked the hints inverted).
 */
export type CatchmentOf = (vantageId: string) => ReadonlySet<string> | null

/** No analyser to ask (an output used alone): no catchment, so every hint is said as one. */
export const noCatchment: CatchmentOf = () => null

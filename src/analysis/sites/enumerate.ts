// Detection and enumeration (iGreedy): walk the discs smallest first and keep each one that
// overlaps none kept so far. The kept discs are mutually disjoint, so each holds a different site:
// two of them prove anycast, and their number is a lower bound on the number of sites (greedy on
// RTT order gives a maximal, not maximum, independent set; small discs first is what iGreedy does).
import {type Disc, overlaps} from './discs.js'

/**
 * Greedy maximal independent set. `fixed` discs (placed sites) are kept first whatever their order;
 * `discs` must be sorted smallest first.
 */
export function greedyMis(discs: readonly Disc[], fixed: readonly Disc[] = []): Disc[] {
  const kept: Disc[] = [...fixed]
  for (const d of discs) {
    let free = true
    for (const k of kept) {
      if (overlaps(d, k)) {
        free = false
        break
      }
    }
    if (free) kept.push(d)
  }
  return kept.slice(fixed.length)
}

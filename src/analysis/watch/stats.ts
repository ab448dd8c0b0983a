// Small statistics for watch summaries.

/**
 * Nearest-rank percentile: the smallest value such that at least p% of the values are <= it,
 * i.e. sorted[ceil(p/100 * n) - 1] (p = 0 gives the minimum). Always one of the values, never an
 * interpolation. null for an empty list.
 */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not within 0..100`)
  const s = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p * s.length) / 100))
  return s[rank - 1]!
}

export const round3 = (n: number): number => Math.round(n * 1000) / 1000

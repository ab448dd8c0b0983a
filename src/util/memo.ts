// A memo for pure functions over strings that keeps memory bounded: when it holds `max` entries it
// starts over. Router names, labels and tokens repeat heavily, so even a crude bound keeps hit
// rates high while a 100k-line input cannot grow the cache without limit.

/** The memoised function; `size` is how many entries it holds now (never more than `max`). */
export interface BoundedMemo<V> {
  (key: string): V
  readonly size: number
}

/**
 * Keys longer than this are computed, not kept: the bound is a count of entries, and 200 000
 * entries of hostile 8 kB lines would be gigabytes (the fuzz saw a geohint worker run out of heap).
 * Real names, labels and tokens are far shorter.
 */
export const MEMO_MAX_KEY = 256

export function boundedMemo<V>(max: number, compute: (key: string) => V): BoundedMemo<V> {
  const memo = new Map<string, V>()
  const get = (key: string): V => {
    if (key.length > MEMO_MAX_KEY) return compute(key)
    const hit = memo.get(key)
    if (hit !== undefined || memo.has(key)) return hit as V
    const value = compute(key)
    if (memo.size >= max) memo.clear()
    memo.set(key, value)
    return value
  }
  return Object.defineProperty(get, 'size', {get: () => memo.size}) as BoundedMemo<V>
}

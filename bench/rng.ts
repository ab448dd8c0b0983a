// A seeded PRNG for the benches' generated inputs: the same seed gives the same names on every
// machine, so a figure can be rerun (Math.random cannot be seeded).

/** xorshift32 in [0, 1) */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

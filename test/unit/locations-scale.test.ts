// A --locations file for every RIPE Atlas probe (~13k bare numeric ids) took seconds to read: for
// each bare id, the check for a NAME given twice (bare "x" is netns:x's too) scanned every name read
// so far, so 20,000 lines took 17.5 s. The names a bare one stands for are now kept in an index.
// The work is counted, not timed (speed targets live in bench/locations-bench.ts): every element a
// Map yields while parsing is counted, and must grow with the lines, not with their square.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parseLocationArgs, parseLocations} from '../../src/vantage/locations.js'

/** Elements yielded by any Map iteration (keys, values, entries, forEach, for..of) while f runs. */
function mapItemsYielded<T>(f: () => T): {result: T; yielded: number} {
  const proto = Map.prototype as unknown as Record<string | symbol, (...a: unknown[]) => unknown>
  const names: Array<string | symbol> = ['keys', 'values', 'entries', Symbol.iterator]
  const saved = names.map((n) => proto[n]!)
  const savedForEach = Map.prototype.forEach
  let yielded = 0
  names.forEach((n, i) => {
    const orig = saved[i]!
    proto[n] = function (this: Map<unknown, unknown>, ...a: unknown[]) {
      const it = orig.apply(this, a) as IterableIterator<unknown>
      const counted = {
        next: () => {
          const r = it.next()
          if (!r.done) yielded++
          return r
        },
        [Symbol.iterator]() {
          return counted
        },
      }
      return counted
    }
  })
  Map.prototype.forEach = function (this: Map<unknown, unknown>, cb: (v: unknown, k: unknown, m: Map<unknown, unknown>) => void, thisArg?: unknown) {
    savedForEach.call(this, (v, k, m) => {
      yielded++
      cb.call(thisArg, v, k, m)
    })
  }
  try {
    return {result: f(), yielded}
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]!))
    Map.prototype.forEach = savedForEach
  }
}

const probeLines = (n: number, from = 1): string =>
  Array.from({length: n}, (_, i) => `${from + i} ${((i % 180) - 90) / 2} ${((i % 360) - 180) / 2} ${i % 2 ? 'DE' : 'NL'}`).join('\n')

describe('--locations FILE with many bare ids', () => {
  it('reading it scans no earlier names per line (Map elements visited grow linearly)', () => {
    const small = mapItemsYielded(() => parseLocations(probeLines(1000)))
    const large = mapItemsYielded(() => parseLocations(probeLines(4000)))
    assert.equal(small.result.size, 1000)
    assert.equal(large.result.size, 4000)
    // a scan of the names so far visits ~n^2/2 elements (500,000 and 8,000,000 here)
    assert.ok(large.yielded <= 4 * 4000, `parsing 4000 lines visited ${large.yielded} map elements`)
    assert.ok(large.yielded <= 4 * small.yielded + 100, `1000 lines: ${small.yielded}, 4000 lines: ${large.yielded}`)
  })

  it('50,000 bare ids (minutes when quadratic) are read, each in its place; a prefixed alias still clashes', () => {
    const text = probeLines(50_000)
    const m = parseLocations(text)
    assert.equal(m.size, 50_000)
    assert.deepEqual(m.get('1'), {lat: -45, lon: -90, country: 'NL'})
    assert.deepEqual(m.get('50000'), {lat: ((49_999 % 180) - 90) / 2, lon: ((49_999 % 360) - 180) / 2, country: 'DE'})
    // the index still finds the other spelling of one id, in both orders
    assert.throws(() => parseLocations(`${text}\natlas:77 1 2`), /lines 77 and 50001 put 77 in two places/)
    assert.throws(() => parseLocations(`atlas:77 1 2\n${text}`), /lines 1 and 78 put 77 in two places/)
    assert.equal(parseLocations(`atlas:77 ${m.get('77')!.lat} ${m.get('77')!.lon}\n${text}`).size, 50_001)
  })

  it('--location values use the same index (many bare names, one clash found)', () => {
    const values = Array.from({length: 4000}, (_, i) => `${i + 1}=1,2`)
    const {result, yielded} = mapItemsYielded(() => parseLocationArgs(values))
    assert.equal(result.size, 4000)
    assert.ok(yielded <= 4 * 4000, `4000 values visited ${yielded} map elements`)
    assert.throws(() => parseLocationArgs(['netns:9=3,4', ...values]), /netns:9=3,4 and --location 9=1,2 put 9 in two places/)
  })
})

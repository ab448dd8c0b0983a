// What checking saved records costs (src/store/validate.ts): checkOutcome over N saved trace
// outcomes (the shape of bench/report-bench.ts's NDJSON run, a 3-hop lab trace), against
// JSON.parse of the same lines alone. Prints µs per record for each: checking is timed on records
// parsed once, so the noise of parsing stays out of it (report reads ~50 000 such records/s, 20 µs
// each, so 1 µs of checking is 5% of report).
//
//   node --import tsx bench/validate-bench.ts [records=200000] [rounds=5]
// VALIDATE=$PWD/src/store/validate-old.ts compares another version, e.g. a copy made with
// `git show REV:src/store/validate.ts > src/store/validate-old.ts` (delete it after).

import {savedTraceOutcome} from './saved-outcome.js'

const {checkOutcome} = (await import(process.env.VALIDATE ?? '../src/store/validate.js')) as typeof import('../src/store/validate.js')
const N = Number(process.argv[2] ?? 200_000)
const ROUNDS = Number(process.argv[3] ?? 5)

const line = (i: number): string => savedTraceOutcome(i, 10_000, 1_700_000_000_000 + i * 1000)

const lines = Array.from({length: N}, (_, i) => line(i))
let sink = 0
const parseOnly = (): number => {
  const t = performance.now()
  for (const l of lines) sink += (JSON.parse(l) as {kind: string}).kind.length
  return performance.now() - t
}
// checking alone: the same parsed records again and again (a check leaves a record valid, and does
// the same work on it the next time), so JSON.parse's noise is out of the figure
const parsed = lines.map((l) => JSON.parse(l) as unknown)
const checkOnly = (): number => {
  const t = performance.now()
  for (const v of parsed) {
    const o = checkOutcome(v)
    if (typeof o === 'string') throw new Error(o)
    sink += o.vantage.id.length
  }
  return performance.now() - t
}
parseOnly()
checkOnly()
const p: number[] = []
const c: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  p.push(parseOnly())
  c.push(checkOnly())
}
const best = (xs: number[]): number => Math.min(...xs)
const us = (ms: number): string => ((ms * 1000) / N).toFixed(3)
console.log(`${N} records x ${ROUNDS} rounds (best): JSON.parse ${us(best(p))} µs/record, checkOutcome ${us(best(c))} µs/record (${((best(c) / best(p)) * 100).toFixed(1)}% of parse)  [${sink > 0 ? 'ok' : ''}]`)

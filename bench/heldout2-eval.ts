// The second held-out set (test/fixtures/heldout2: real router names, CDN headers and DNS identities
// collected blind in session 9) judged by the corpus evaluation (scripts/corpus-figures.ts).
// Rules are developed on the odd-numbered entries only; the even-numbered half is scored once at the
// end as the out-of-sample figure (test/fixtures/heldout2/README.md says what was done when).
//   node --import tsx bench/heldout2-eval.ts [odd|even|all] [--misses]
import {fileURLToPath} from 'node:url'

import {evaluateHeaders, evaluateIdentities, evaluateRouters, figures, type FileReport} from '../scripts/corpus-figures.js'

const DIR = fileURLToPath(new URL('../test/fixtures/heldout2/', import.meta.url))

export function half(r: FileReport, which: 'odd' | 'even' | 'all'): FileReport {
  if (which === 'all') return r
  const keep = (id: string): boolean => Number(/(\d+)$/.exec(id)?.[1] ?? NaN) % 2 === (which === 'odd' ? 1 : 0)
  return {...r, results: r.results.filter((x) => keep(x.id))}
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = (process.argv.find((a) => a === 'odd' || a === 'even' || a === 'all') ?? 'odd') as 'odd' | 'even' | 'all'
  for (const full of [evaluateRouters(DIR), evaluateHeaders(DIR), evaluateIdentities(DIR)]) {
    const r = half(full, which)
    const f = figures(r)
    console.log(`${r.file} (${which}): known ${f.knownRight}/${f.known} right, no confident city where none is stated ${f.unknownOk}/${f.unknown}`)
    if (process.argv.includes('--misses')) for (const x of r.results.filter((e) => !e.ok)) console.log(`  ${x.id} [${x.category}] ${x.input.slice(0, 140)} | want ${x.want} | got ${x.got}`)
  }
}

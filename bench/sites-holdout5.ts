// The fifth and sixth holdouts (test/fixtures/sites/README.md, "Fifth holdout", "Sixth holdout"):
// iGreedy2.0's F-root and Cloudflare RIPE Atlas campaigns not taken before, transcribed blind and scored
// once with the rule written there first: `sites` latency only against our iGreedy, one-to-one at 100 km
// against the published lists, pooled over both.
//   node --import tsx bench/sites-holdout5.ts
import {citySource, findSites, iGreedyBaseline, scoreSites} from '../src/analysis/sites/index.js'
import type {Score} from '../src/analysis/sites/score.js'
import {loadPublishedCampaign} from './sites-campaigns.js'

export const HOLDOUT5: Array<[string, string]> = [
  ['f-atlas-msm52389532.tsv', 'root-f-published.tsv'],
  ['f-atlas-msm52389904.tsv', 'root-f-published.tsv'],
  ['f-atlas-msm52389966.tsv', 'root-f-published.tsv'],
  ['f-atlas-msm52390178.tsv', 'root-f-published.tsv'],
  ['f-atlas-uk-52415277.tsv', 'root-f-published.tsv'],
  ['f-atlas-uk-52628228.tsv', 'root-f-published.tsv'],
  ['f-atlas-uk-52630499.tsv', 'root-f-published.tsv'],
  ['f-atlas-uk-52632758.tsv', 'root-f-published.tsv'],
  ['cloudflare-atlas-52069612-sample.tsv', 'cloudflare-europe-published.tsv'],
  // the sixth holdout (one larger campaign, ruled on before it was transcribed): judged pooled with the fifth
  ['f-atlas-section1-52634104.tsv', 'root-f-published.tsv'],
]

const fmt = (s: {precision: number | null; recall: number | null; hits: number; found: number}): string =>
  `${s.precision?.toFixed(2) ?? '-'} / ${s.recall?.toFixed(3) ?? '-'} (${s.hits} of ${s.found})`
const verdict = (a: {hits: number; found: number}, b: typeof a): string => {
  const pa = a.found === 0 ? 1 : a.hits / a.found
  const pb = b.found === 0 ? 1 : b.hits / b.found
  return pa >= pb && a.hits > b.hits ? 'better' : pa >= pb && a.hits >= b.hits ? 'equal' : 'worse'
}

export interface HoldoutRow {
  file: string
  vps: number
  truth: number
  iGreedy: Score
  sites: Score
  anycast: boolean | null
}

/** Each campaign scored, and hits / found pooled over all of them ("all") and per target ("F-root", "Cloudflare"). */
export function scoreHoldout5(): {rows: HoldoutRow[]; pool: Map<string, {s: number[]; i: number[]}>} {
  const rows: HoldoutRow[] = []
  const pool = new Map<string, {s: number[]; i: number[]}>()
  for (const [file, list] of HOLDOUT5) {
    const c = loadPublishedCampaign(file, list)
    const i = scoreSites(iGreedyBaseline(c.obs, citySource).sites, c.truth)
    const r = findSites(c.obs, {identities: false})
    const s = scoreSites(r.sites, c.truth)
    for (const target of ['all', file.startsWith('f-') ? 'F-root' : 'Cloudflare']) {
      const p = pool.get(target) ?? {s: [0, 0], i: [0, 0]}
      p.s[0]! += s.hits
      p.s[1]! += s.found
      p.i[0]! += i.hits
      p.i[1]! += i.found
      pool.set(target, p)
    }
    rows.push({file, vps: c.obs.length, truth: c.truth.length, iGreedy: i, sites: s, anycast: r.anycast})
  }
  return {rows, pool}
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const {rows, pool} = scoreHoldout5()
  console.log('| campaign | VPs | true sites | iGreedy P / R (hits of found) | sites P / R | vs iGreedy | anycast |')
  console.log('|---|---|---|---|---|---|---|')
  for (const x of rows) console.log(`| ${x.file.replace('.tsv', '')} | ${x.vps} | ${x.truth} | ${fmt(x.iGreedy)} | ${fmt(x.sites)} | ${verdict(x.sites, x.iGreedy)} | ${x.anycast} |`)
  const pr = ([h, f]: number[]): string => `${f === 0 ? '-' : (h! / f!).toFixed(3)} (${h} of ${f})`
  for (const [target, p] of pool) console.log(`\n${target}: precision sites ${pr(p.s)}, iGreedy ${pr(p.i)}`)
}

// `sites` on 10,000 vantage points (target: < 1 s) and the iGreedy baseline on the same data.
// The vantage points are the 834 real F-root probes of test/fixtures/sites (locations, RTTs, CHAOS
// sites) repeated with a deterministic jitter of up to ~20 km and +-10% RTT, to reach 10,000.
//   node --import tsx bench/sites-bench.ts [N] [--table FILE]
// With --table, the same vantage points are also written as a latency table (ID LAT LON RTT) and
// the whole command is timed on it: process start, reading, analysis, output.
import {performance} from 'node:perf_hooks'

import {citySource, findSites, iGreedyBaseline, type SiteObservation} from '../src/analysis/sites/index.js'
import {loadCampaign} from '../test/helpers/sites-fixtures.js'

const N = Number(process.argv[2]?.startsWith("--") === false ? process.argv[2] : 10_000)
const base = loadCampaign('f-ripe.tsv+f-ripe-mid.tsv').obs
let seed = 42
const rnd = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}
const obs: SiteObservation[] = []
for (let i = 0; i < N; i++) {
  const o = base[i % base.length]!
  obs.push({...o, vp: `${o.vp}-${i}`, lat: o.lat! + (rnd() - 0.5) * 0.36, lon: o.lon! + (rnd() - 0.5) * 0.36, rttMs: o.rttMs! * (0.9 + rnd() * 0.2)})
}

// load the city data once (a real run pays this once per process: see "cold")
let t = performance.now()
findSites(obs.slice(0, 10))
const cold = performance.now() - t

const time = (f: () => unknown): number => {
  const runs: number[] = []
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    f()
    runs.push(performance.now() - t0)
  }
  return Math.min(...runs)
}
t = time(() => findSites(obs))
const withIds = t
const latency = time(() => findSites(obs, {identities: false}))
const peer = time(() => iGreedyBaseline(obs, citySource))
const r = findSites(obs)
console.log(`vantage points: ${N}`)
console.log(`city data load (once per process): ${cold.toFixed(0)} ms`)
console.log(`sites (latency + identities): ${withIds.toFixed(0)} ms -> ${r.sites.length} sites, lower bound ${r.lowerBound}, anycast ${r.anycast}`)
console.log(`sites (latency only):         ${latency.toFixed(0)} ms`)
console.log(`iGreedy baseline:             ${peer.toFixed(0)} ms`)

const tableAt = process.argv.indexOf('--table')
if (tableAt > 0) {
  const file = process.argv[tableAt + 1]!
  const {writeFileSync} = await import('node:fs')
  const {execFileSync} = await import('node:child_process')
  writeFileSync(file, obs.map((o) => `${o.vp}\t${o.lat!.toFixed(4)}\t${o.lon!.toFixed(4)}\t${o.rttMs!.toFixed(3)}`).join('\n') + '\n')
  const runs: number[] = []
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    execFileSync(process.execPath, [new URL('../bin/run.js', import.meta.url).pathname, 'sites', '--input', file], {stdio: ['ignore', 'ignore', 'inherit']})
    runs.push(performance.now() - t0)
  }
  console.log(`anyprobe sites --input ${file} (whole command, built dist/): ${runs.map((x) => x.toFixed(0)).join(' / ')} ms`)
}

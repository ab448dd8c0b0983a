// watch --from atlas: at scale: a recorded-shape DNS measurement of N probes (default 10,000, the
// shape of test/helpers/atlas-watch-scenario.ts) replayed through the Atlas replay server's REST and
// WebSocket stream at SPEED x real time (default 10: a 240 s round in 24 s), followed by the real
// runAtlasWatch. Prints CPU % of one core, RSS, and event latency (result arrival -> event) p50/p99.
//   node --expose-gc --import tsx bench/watch-atlas-bench.ts [probes] [rounds] [speed]
import {performance} from 'node:perf_hooks'

import {startAtlasReplay} from '../test/helpers/atlas-replay.js'
import {INTERVAL, MSM, resultOf} from '../test/helpers/atlas-watch-scenario.js'
import {runAtlasWatch} from '../src/watch/atlas-watch.js'

const N = Number(process.argv[2] ?? 10_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const SPEED = Number(process.argv[4] ?? 10)
const results: Array<Record<string, unknown>> = []
for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < N; i++) {
  // probe i behaves as scenario probe 1001 + i % 40 in scenario rounds 3.. (steady, moving, flapping, timing out, silent)
  const base = resultOf(1001 + (i % 40), r + 3)
  if (base === null) continue
  results.push({...base, prb_id: 100_000 + i, timestamp: 1_765_000_000 + Math.floor((i * INTERVAL) / N) + r * INTERVAL})
}
results.sort((a, b) => (a.timestamp as number) - (b.timestamp as number))
const perMs = (N / INTERVAL / 1000) * SPEED // results per ms
const srv = await startAtlasReplay({
  routes: [
    {path: `measurements/${MSM}/`, body: {id: MSM, type: 'dns', af: 4, target: '193.0.14.129', interval: INTERVAL, is_oneoff: false, probes: []}},
    {path: `measurements/${MSM}/results/`, body: []},
    {path: 'probes/', body: {count: 0, next: null, results: []}},
  ],
  stream: {results: {}, delayMs: Math.max(1, Math.round(1 / perMs)), perConnection: {[MSM]: [results]}},
})
process.env.ANYPROBE_ATLAS_URL = srv.url
process.env.ANYPROBE_ATLAS_STREAM_URL = srv.streamUrl
const lat: number[] = []
let events = 0
const byType: Record<string, number> = {}
const abort = new AbortController()
const cpu0 = process.cpuUsage()
const t0 = performance.now()
let peakRss = 0
// heap after each round has been delivered: flat memory means no growth from round to round
const heapByRound: number[] = []
// the replay server keeps every message it sent (for tests); counted and dropped here, so only the watch's memory is measured
let sentTotal = 0
const rssTimer = setInterval(() => {
  sentTotal += srv.sent.length
  srv.sent.length = 0
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  const r = Math.floor(sentTotal / N)
  if (r > heapByRound.length && r <= ROUNDS) {
    global.gc?.()
    heapByRound.push(Math.round(process.memoryUsage().heapUsed / 1048576))
  }
}, 200)
const done = setInterval(() => {
  if (sentTotal >= results.length) abort.abort()
}, 200)
await runAtlasWatch({
  target: '193.0.14.129', method: 'dns', selector: '', msmId: MSM, intervalMs: undefined, durationMs: undefined, count: undefined, flapThreshold: 3, flapWindowMs: undefined, json: true,
  dryRun: false, keep: false, extras: {}, signal: abort.signal, write: () => {}, report: () => {},
  onEvent: (e, arrived) => {
    events++
    byType[e.type] = (byType[e.type] ?? 0) + 1
    if (arrived !== null) lat.push(Date.now() - arrived)
  },
})
clearInterval(done)
clearInterval(rssTimer)
const wall = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
lat.sort((a, b) => a - b)
const pct = (p: number): number | null => (lat.length === 0 ? null : lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)]!)
// the replay server runs in this process too: its share is included (an upper bound for the watch)
console.log(JSON.stringify({probes: N, rounds: ROUNDS, speed: SPEED, results: results.length, events, byType, wallS: Math.round(wall / 100) / 10, cpuPctOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 1000) / 10, cpuPctAtRealSpeed: Math.round(((cpu.user + cpu.system) / 1000 / wall / SPEED) * 1000) / 10, peakRssMiB: Math.round(peakRss / 1048576), heapMiBAfterEachRound: heapByRound, latencyMsP50: pct(50), latencyMsP99: pct(99)}))
await srv.close()
process.exit(0)

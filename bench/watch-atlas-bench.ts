// watch --from atlas: at scale: a recorded-shape DNS measurement of N probes (default 10,000; each
// behaves as one of the 40 probes of test/helpers/atlas-watch-scenario.ts: steady, moving,
// flapping, timing out, silent) replayed by the Atlas replay server (REST + WebSocket stream, in a
// child process) at SPEED x real time (default 10: a 240 s round in 24 s), followed by the real
// AtlasBackend through the one path every watch takes (runWatch: schedule, session, rounds) in this
// process. Prints this process's CPU % of one core (at the replay speed and
// scaled to real speed), heap after each round (flat = no growth), peak RSS, and the latency from
// a result's arrival to the event it causes, p50/p99.
//   node --expose-gc --import tsx bench/watch-atlas-bench.ts [probes] [rounds] [speed]
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'
import {createInterface} from 'node:readline'

import {startAtlasReplay} from '../test/helpers/atlas-replay.js'
import {INTERVAL, MSM, resultOf} from '../test/helpers/atlas-watch-scenario.js'
import {AtlasBackend} from '../src/vantage/atlas/index.js'
import {runWatch} from '../src/watch/run.js'

const serverMode = process.argv[2] === '--server'
const args = process.argv.slice(serverMode ? 3 : 2)
const N = Number(args[0] ?? 10_000)
const ROUNDS = Number(args[1] ?? 4)
const SPEED = Number(args[2] ?? 10)

if (serverMode) {
  const results: Array<Record<string, unknown>> = []
  for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < N; i++) {
    const base = resultOf(1001 + (i % 40), r + 3)
    if (base === null) continue
    results.push({...base, prb_id: 100_000 + i, timestamp: 1_765_000_000 + Math.floor((i * INTERVAL) / N) + r * INTERVAL})
  }
  results.sort((a, b) => (a.timestamp as number) - (b.timestamp as number))
  const perMs = (N / INTERVAL / 1000) * SPEED
  const srv = await startAtlasReplay({
    routes: [
      {path: `measurements/${MSM}/`, body: {id: MSM, type: 'dns', af: 4, target: '193.0.14.129', interval: INTERVAL, is_oneoff: false, probes: []}},
      {path: `measurements/${MSM}/results/`, body: []},
      {path: 'probes/', body: {count: 0, next: null, results: []}},
    ],
    stream: {results: {}, delayMs: Math.max(1, Math.round(1 / perMs)), perConnection: {[MSM]: [results]}},
  })
  setInterval(() => (srv.sent.length = 0), 1000) // the server's own record of what it sent: not needed here
  process.stdout.write(JSON.stringify({url: srv.url, streamUrl: srv.streamUrl, total: results.length}) + '\n')
} else {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--server', ...args], {stdio: ['ignore', 'pipe', 'inherit']})
  const first = await new Promise<string>((resolve) => createInterface({input: child.stdout!}).once('line', resolve))
  const {url, streamUrl, total} = JSON.parse(first) as {url: string; streamUrl: string; total: number}
  process.env.ANYPROBE_ATLAS_URL = url
  process.env.ANYPROBE_ATLAS_STREAM_URL = streamUrl
  const lat: number[] = []
  let events = 0
  let seen = 0
  const byType: Record<string, number> = {}
  const abort = new AbortController()
  let peakRss = 0
  const heapByRound: number[] = []
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    if (Math.floor(seen / (total / ROUNDS)) > heapByRound.length) {
      global.gc?.()
      heapByRound.push(Math.round(process.memoryUsage().heapUsed / 1048576))
    }
    if (seen >= total) abort.abort()
  }, 200)
  // the clock starts once the watch is set up (the place dictionaries are loaded by then)
  let cpu0 = process.cpuUsage()
  let t0 = performance.now()
  const backend = new AtlasBackend('', {msmId: MSM, onResult: () => seen++})
  await runWatch([backend], {
    ask: {method: 'dns', target: '193.0.14.129', intervalMs: undefined, failover: false, timeoutMs: undefined, flows: 1, count: null, durationMs: null, dryRun: false},
    flapThreshold: 3, flapWindowMs: undefined, json: true, tty: false,
    extras: {}, signal: abort.signal, write: () => {},
    report: (line) => {
      if (line.includes('following the stream')) {
        cpu0 = process.cpuUsage()
        t0 = performance.now()
      }
    },
    onEvent: (e, arrived) => {
      events++
      byType[e.type] = (byType[e.type] ?? 0) + 1
      if (arrived !== null) lat.push(Date.now() - arrived)
    },
  })
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(timer)
  child.kill()
  lat.sort((a, b) => a - b)
  const pct = (p: number): number | null => (lat.length === 0 ? null : lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)]!)
  const busy = (cpu.user + cpu.system) / 1000 / wall
  console.log(JSON.stringify({probes: N, rounds: ROUNDS, speed: SPEED, results: seen, events, byType, wallS: Math.round(wall / 100) / 10, resultsPerS: Math.round(seen / (wall / 1000)), cpuPctOfOneCore: Math.round(busy * 1000) / 10, cpuPctAtRealSpeed: Math.round((busy / SPEED) * 1000) / 10, heapMiBAfterEachRound: heapByRound, peakRssMiB: Math.round(peakRss / 1048576), latencyMsP50: pct(50), latencyMsP99: pct(99)}))
  process.exit(0)
}

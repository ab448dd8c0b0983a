// Atlas traceroute parsing speed, on one core: N synthetic-but-realistic results made by varying
// the real corpus traceroutes (probe id, time, RTT jitter, hop addresses), then
//   1. JSON.parse of the raw text (what reading a file costs before us)
//   2. parseAtlasResult alone
//   3. parse + PoP inference for hops that already have hostnames (names taken from the corpus of
//      real router names, assigned per address; hints via hostnameHint, then inferAtlasPop), and
//      the same from the raw text one result at a time (JSON.parse included: the issue's "parsed
//      and inferred" figure; steps 1 and 2 hold a chunk of 5000 results alive, which makes them
//      look slower than they are in a streaming reader)
//   4. the enrich step with an in-memory resolver (no network: real reverse DNS is bounded by the
//      resolver's latency and concurrency, not by this code)
// and peak RSS.
//   node --import tsx bench/atlas-parse-bench.ts [N]
// Run it from a checkout with dist/geo-data (npm run build): without it the place dictionaries are
// built from the packages and everything here is ~30% slower; the last line says which was used.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {geoDataStatus} from '../src/geo/store.js'
import type {TraceResult} from '../src/model/trace.js'
import {enrichAtlasOutcomes, inferAtlasPop, memoHint, parseAtlasResult} from '../src/vantage/atlas/index.js'
import type {VantageOutcome} from '../src/vantage/types.js'

const N = Number(process.argv[2] ?? 100_000)
const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url))
const bases = (JSON.parse(readFileSync(corpus + 'atlas_results/traceroute.json', 'utf8')) as {entries: Array<{input: Record<string, unknown>}>}).entries
  .map((e) => e.input)
  .filter((r) => Array.isArray(r.result) && (r.result as Array<{hop?: number}>).some((h) => h.hop !== undefined))
const names = (JSON.parse(readFileSync(corpus + 'router_hostnames.json', 'utf8')) as {entries: Array<{input: {hostname: string}}>}).entries.map((e) => e.input.hostname)

// deterministic pseudo-random numbers
let seed = 42
const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)

function vary(base: Record<string, unknown>, i: number): Record<string, unknown> {
  const shift = i % 7 // some paths differ in their middle hops
  const hops = (base.result as Array<{hop: number; result: Array<Record<string, unknown>>}>).map((h, hi) => ({
    hop: h.hop,
    result: h.result.map((p) => {
      if (typeof p.rtt !== 'number') return {...p}
      let from = p.from as string
      if (hi > 1 && hi < 6 && shift > 0 && from !== base.dst_addr && !from.includes(':')) from = from.replace(/\.(\d+)$/, (_, o: string) => `.${(Number(o) + shift) % 255}`)
      return {...p, from, rtt: Math.round((p.rtt as number) * (0.9 + 0.2 * rand()) * 1000) / 1000}
    }),
  }))
  return {...base, prb_id: 1000 + i, timestamp: (base.timestamp as number) + i, endtime: (base.endtime as number) + i, result: hops}
}

/** The raw text of results i..i+n-1, made on demand so the whole set is never in memory at once. */
function texts(i: number, n: number): string[] {
  const out: string[] = []
  for (let k = i; k < Math.min(N, i + n); k++) {
    seed = 42 + k
    out.push(JSON.stringify(vary(bases[k % bases.length]!, k)))
  }
  return out
}
const hopsPerResult = bases.reduce((a, b) => a + (b.result as unknown[]).length, 0) / bases.length

const CHUNK = 5000
/** Results are read and parsed a chunk at a time and then dropped, as a streaming reader does. */
function chunks(): Generator<unknown[]> {
  return (function* () {
    for (let i = 0; i < N; i += CHUNK) yield texts(i, CHUNK).map((t) => JSON.parse(t) as unknown)
  })()
}
// wall time, and the CPU time this process got (user + system): on a shared, loaded machine the
// second is the fair "one core" figure
const cpuNow = (): bigint => {
  const u = process.cpuUsage()
  return BigInt(u.user + u.system) * 1000n
}
const line = (label: string, n: number, ns: bigint, cpuNs: bigint): void => {
  const s = Number(ns) / 1e9
  const c = Number(cpuNs) / 1e9
  console.log(`${label.padEnd(52)} ${(n / s).toFixed(0).padStart(9)} results/s wall  ${(n / c).toFixed(0).padStart(9)} /s CPU  (${(s * 1000).toFixed(0)} ms)`)
}

console.log(`${N} synthetic traceroutes from ${bases.length} real ones (~${hopsPerResult.toFixed(1)} hops each), node ${process.version}, chunks of ${CHUNK}`)
// warm-up (JIT, the inference memo), as in any long run
for (const raw of texts(0, 500)) parseAtlasResult(JSON.parse(raw))

let jsonNs = 0n
let parseNs = 0n
let jsonCpu = 0n
let parseCpu = 0n
let ok = 0
const nameOf = new Map<string, string>()
for (let i = 0; i < N; i += CHUNK) {
  const text = texts(i, CHUNK)
  let t = process.hrtime.bigint()
  let c = cpuNow()
  const raws = text.map((x) => JSON.parse(x) as unknown)
  jsonNs += process.hrtime.bigint() - t
  jsonCpu += cpuNow() - c
  t = process.hrtime.bigint()
  c = cpuNow()
  const parsed = raws.map((r) => parseAtlasResult(r))
  parseNs += process.hrtime.bigint() - t
  parseCpu += cpuNow() - c
  for (const p of parsed) {
    if (p.status !== 'ok') continue
    ok++
    // addresses -> names from the corpus of real router hostnames
    for (const h of (p.outcomes[0]!.result as TraceResult).hops) if (h.addr !== null && !nameOf.has(h.addr)) nameOf.set(h.addr, names[nameOf.size % names.length]!)
  }
}
line('JSON.parse of the raw text (not ours)', N, jsonNs, jsonCpu)
line('parseAtlasResult (parse only)', N, parseNs, parseCpu)

let popNs = 0n
let popCpu = 0n
let withPop = 0
// one memo for the run, as the backend keeps one (router names repeat across probes)
const hostnameHint = memoHint()
for (const raws of chunks()) {
  const t = process.hrtime.bigint()
  const c = cpuNow()
  for (const raw of raws) {
    const p = parseAtlasResult(raw)
    const tr = p.outcomes[0]!.result as TraceResult
    for (const h of tr.hops) {
      if (h.addr === null) continue
      h.hostname = nameOf.get(h.addr) ?? null
      h.hint = h.hostname ? hostnameHint(h.hostname) : null
    }
    tr.pop = inferAtlasPop(tr)
    if (tr.pop) withPop++
  }
  popNs += process.hrtime.bigint() - t
  popCpu += cpuNow() - c
}
line('parse + hints + PoP inference (hops already named)', N, popNs, popCpu)

// the same from the raw text, one result at a time (nothing of a result outlives it, as in a
// streaming reader): what "parsed and inferred" costs from a file's bytes, JSON.parse included
let rawNs = 0n
let rawCpu = 0n
for (let i = 0; i < N; i += CHUNK) {
  const text = texts(i, CHUNK)
  const t = process.hrtime.bigint()
  const c = cpuNow()
  for (const x of text) {
    const tr = parseAtlasResult(JSON.parse(x) as unknown).outcomes[0]!.result as TraceResult
    for (const h of tr.hops) {
      if (h.addr === null) continue
      h.hostname = nameOf.get(h.addr) ?? null
      h.hint = h.hostname ? hostnameHint(h.hostname) : null
    }
    tr.pop = inferAtlasPop(tr)
  }
  rawNs += process.hrtime.bigint() - t
  rawCpu += cpuNow() - c
}
line('raw text: JSON.parse + parse + hints + PoP inference', N, rawNs, rawCpu)

const memResolver = {reverse: async (a: string): Promise<string | null> => nameOf.get(a) ?? null}
let enrichNs = 0n
let enrichCpu = 0n
let enriched = 0
for (const raws of chunks()) {
  const outcomes: VantageOutcome[] = raws.flatMap((r) => parseAtlasResult(r).outcomes)
  const t = process.hrtime.bigint()
  const c = cpuNow()
  for (let i = 0; i < outcomes.length; i += 1000) enriched += (await enrichAtlasOutcomes(outcomes.slice(i, i + 1000), {rdns: memResolver, hint: hostnameHint})).length
  enrichNs += process.hrtime.bigint() - t
  enrichCpu += cpuNow() - c
}
line('enrich step, in-memory rDNS (batches of 1000)', enriched, enrichNs, enrichCpu)
console.log(`parsed ok: ${ok}/${N}; with a PoP verdict: ${withPop}; distinct hop addresses: ${nameOf.size}`)
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)
const geo = geoDataStatus()
console.log(`place data: ${Object.entries(geo.loaded).map(([t, from]) => `${t} from ${from === 'file' ? geo.dir : 'the packages (no dist/geo-data: slower)'}`).join(', ') || 'none loaded'}`)

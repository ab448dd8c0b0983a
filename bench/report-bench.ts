// `anyprobe report` throughput and memory on big inputs, generated in the temp dir and deleted after.
//
//   node --import tsx bench/report-bench.ts [sizeMB=1024] [--keep]
//   node --import tsx bench/report-bench.ts [sizeMB] --inputs-only   (write both inputs, print their paths, run nothing:
//   for before/after with bench/ab-usage.mjs)
//
// Three runs, each in its own process so peak RSS is that run's alone:
//   1. atlas-cli     raw RIPE Atlas traceroute results, one JSON array of SIZE MB (what an Atlas
//                    results download is), through the built CLI: `report FILE --json --no-rdns`
//                    (parse + enrich without network + PoP inference + catchment)
//   2. atlas-names   the same file in-process, with a fake reverse resolver that gives every hop a
//                    router name (transit + PoP edge names), so the PoP inference does real work
//                    on every result, as with --rdns after the resolver cache is warm
//   3. ndjson-cli    saved anyprobe output: NDJSON of trace outcomes (catchment --ndjson), SIZE MB,
//                    through the built CLI
// Results come from 10 000 probes in repeated rounds (a catchment keeps the latest per probe).
// Targets (issue): >= 20 000 Atlas traceroute results/s parsed and inferred on one core, < 200 MB
// RSS on a 1 GB input. Needs `npm run build` first (runs 1 and 3 use bin/run.js). For the one-core
// figure of run 2 on a kept input:
//   taskset -c 1 node --import tsx bench/report-bench.ts --child /tmp/anyprobe-bench-atlas-<pid>.json
// Run 2 reads the place dictionaries from dist/geo-data like the CLI; without a build it builds them
// from the packages (slower, more memory): its placeData field says which.
import {spawnSync} from 'node:child_process'
import {createWriteStream, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {savedTraceOutcome} from './saved-outcome.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PROBES = 10_000

// ---- child mode: one in-process run, stats on stdout ----
if (process.argv[2] === '--child') {
  const file = process.argv[3]!
  const {createReadStream} = await import('node:fs')
  const {newStats, readSaved} = await import('../src/store/read.js')
  const {loadAtlasModule} = await import('../src/vantage/index.js')
  const {CatchmentBuilder} = await import('../src/analysis/catchment.js')
  const {geoDataStatus} = await import('../src/geo/store.js')
  const names = ['ae1-0.cr1.fra03.transit.example', 'be2.cr2.iad02.transit.example', 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', 'xe-0-0-1.cr1.sin01.transit.example', 'et-0-0-0.edge1.ashburn1.pop.anycast.example', 'ae-2.r21.amstnl02.nl.bb.gin.ntt.net', 'be3041.ccr41.ams03.atlas.cogentco.com']
  const rdns = {reverse: async (addr: string) => names[(addr.charCodeAt(addr.length - 1) + addr.length) % names.length]!}
  const stats = newStats()
  const b = new CatchmentBuilder()
  let outcomes = 0
  let located = 0
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  for await (const item of readSaved(createReadStream(file, {highWaterMark: 64 << 10}), stats, {loadAtlas: loadAtlasModule, rdns})) {
    if (item.type !== 'outcome') continue
    outcomes++
    if (item.outcome.result?.pop) located++
    b.add(item.outcome)
  }
  const c = b.result()
  const s = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  // CPU seconds of the whole process (every thread: GC helpers too), the fair "one core" figure on a shared machine
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  console.log(JSON.stringify({outcomes, located, vantagePoints: c.summary.vantagePoints, pops: c.pops.length, seconds: s, cpuSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024, placeData: geoDataStatus().loaded}))
  process.exit(0)
}

const sizeMB = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1024)
const inputsOnly = process.argv.includes('--inputs-only')
const keep = inputsOnly || process.argv.includes('--keep')

async function writeFile(path: string, parts: {head: string; sep: string; tail: string; item: (i: number) => string}): Promise<number> {
  const out = createWriteStream(path, {highWaterMark: 4 << 20})
  const limit = sizeMB * 1024 * 1024
  let written = 0
  let n = 0
  const write = (s: string): Promise<void> | void => {
    written += Buffer.byteLength(s)
    if (!out.write(s)) return new Promise((r) => out.once('drain', () => r()))
  }
  await write(parts.head)
  while (written < limit) {
    await write((n > 0 ? parts.sep : '') + parts.item(n))
    n++
  }
  await write(parts.tail)
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())))
  return n
}

// an Atlas traceroute result (real shape: test/fixtures/atlas/results-3606560.json), varied per probe and round
const atlasTemplate = (JSON.parse(readFileSync(join(ROOT, 'test/fixtures/atlas/results-3606560.json'), 'utf8')) as Array<Record<string, unknown>>)[0]!
function atlasItem(i: number): string {
  const prb = 1 + (i % PROBES)
  const round = Math.floor(i / PROBES)
  const r = structuredClone(atlasTemplate) as Record<string, unknown> & {result: Array<{result: Array<Record<string, unknown>>}>}
  r.prb_id = prb
  r.timestamp = 1_700_000_000 + round * 900
  r.endtime = (r.timestamp as number) + 5
  r.from = `203.0.${prb >> 8}.${prb & 255}`
  for (const hop of r.result) for (const rep of hop.result) if (typeof rep.from === 'string' && hop !== r.result.at(-1)) rep.from = `192.0.2.${(prb * 7 + Number(rep.ttl ?? 0)) % 250}`
  return JSON.stringify(r)
}

// a saved anyprobe trace outcome (catchment --ndjson line): each vantage point once per 15 min
const ndjsonItem = (i: number): string => savedTraceOutcome(i, PROBES, 1_700_000_000_000 + Math.floor(i / PROBES) * 900_000)

function timed(argv: string[]): {seconds: number; maxRssMB: number; stdout: string; status: number | null} {
  const t0 = performance.now()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {encoding: 'utf8', maxBuffer: 256 << 20})
  const seconds = (performance.now() - t0) / 1000
  const rssKB = Number(r.stderr.trim().split('\n').at(-1))
  if (r.status !== 0) process.stderr.write(r.stderr)
  return {seconds, maxRssMB: rssKB / 1024, stdout: r.stdout, status: r.status}
}

const row = (name: string, results: number, seconds: number, rss: number, extra = ''): void =>
  console.log(`${name.padEnd(12)} ${String(results).padStart(9)} results  ${seconds.toFixed(1).padStart(6)} s  ${Math.round(results / seconds).toString().padStart(7)} results/s  peak RSS ${rss.toFixed(0).padStart(4)} MB  ${extra}`)

const dir = tmpdir()
const atlasFile = join(dir, `anyprobe-bench-atlas-${process.pid}.json`)
const ndjsonFile = join(dir, `anyprobe-bench-outcomes-${process.pid}.ndjson`)
try {
  console.log(`generating ${sizeMB} MB of each input in ${dir} ...`)
  const nAtlas = await writeFile(atlasFile, {head: '[', sep: ',\n', tail: ']\n', item: atlasItem})
  const nNd = await writeFile(ndjsonFile, {head: '', sep: '\n', tail: '\n', item: ndjsonItem})
  console.log(`atlas: ${nAtlas} traceroute results, ${(statSync(atlasFile).size / 1e6).toFixed(0)} MB; ndjson: ${nNd} trace outcomes, ${(statSync(ndjsonFile).size / 1e6).toFixed(0)} MB; ${PROBES} probes`)
  if (inputsOnly) {
    console.log(`${atlasFile}\n${ndjsonFile}`)
    process.exit(0)
  }
  console.log(`node ${process.version}, one process per run\n`)

  const a = timed([process.execPath, join(ROOT, 'bin/run.js'), 'report', atlasFile, '--json', '--no-rdns'])
  const aDoc = JSON.parse(a.stdout) as {summary: {vantagePoints: number}; input: {values: number; unparseable: number}}
  row('atlas-cli', aDoc.input.values, a.seconds, a.maxRssMB, `(${aDoc.summary.vantagePoints} VPs, ${aDoc.input.unparseable} unparseable, exit ${a.status})`)

  const n = timed([process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', atlasFile])
  const nStats = JSON.parse(n.stdout) as {outcomes: number; located: number; seconds: number; cpuSeconds: number; maxRssMB: number; placeData: Record<string, string>}
  const fromPackages = Object.values(nStats.placeData).includes('packages') ? '; NO dist/geo-data, place data built from the packages: not the CLI figure' : ''
  row('atlas-names', nStats.outcomes, nStats.seconds, nStats.maxRssMB, `(in-process read time; ${Math.round(nStats.outcomes / nStats.cpuSeconds)} results per CPU second; ${nStats.located} results located by hop names${fromPackages})`)

  const d = timed([process.execPath, join(ROOT, 'bin/run.js'), 'report', ndjsonFile, '--json'])
  const dDoc = JSON.parse(d.stdout) as {summary: {vantagePoints: number}; input: {values: number; unparseable: number}}
  row('ndjson-cli', dDoc.input.values, d.seconds, d.maxRssMB, `(${dDoc.summary.vantagePoints} VPs, ${dDoc.input.unparseable} unparseable, exit ${d.status})`)
} finally {
  if (!keep) {
    rmSync(atlasFile, {force: true})
    rmSync(ndjsonFile, {force: true})
  }
}

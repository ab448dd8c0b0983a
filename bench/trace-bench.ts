// Trace speed against the usual tools, in the lab (run as root with the lab up: bash test/lab/lab.sh up).
// Path: ap-vp-sao -> two silent access routers -> a 15 ms (one-way) link -> t-iad -> e-iad -> anycast.
// Each tool runs with reverse DNS on, as people run it, at its defaults and again at an equal
// per-probe timeout of 1 s. Prints the median wall time of RUNS runs and the responsive hops found.
//   node --import tsx bench/trace-bench.ts [runs]
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const RUNS = Number(process.argv[2] ?? 5)
const NS = 'ap-vp-sao'
const TARGET = '198.51.100.10'
const repo = fileURLToPath(new URL('..', import.meta.url))
const anyprobe = `${repo}bin/run.js`

interface Tool {
  name: string
  argv: string[]
  /** responsive hop addresses, in TTL order, from the tool's output */
  hops: (stdout: string) => string[]
}

const ipRe = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/

// traceroute / mtr / scamper text: one line per hop; the first address on a hop line is the responder
function hopsFromLines(stdout: string, hopLine: RegExp): string[] {
  const out: string[] = []
  for (const line of stdout.split('\n')) {
    if (!hopLine.test(line)) continue
    const m = ipRe.exec(line.replace(/\(\s*/g, ' ').replace(/\)/g, ' '))
    if (m) out.push(m[1]!)
  }
  return out
}

const anyprobeHops = (s: string): string[] => {
  try {
    return (JSON.parse(s) as {hops: Array<{addr: string | null}>}).hops.flatMap((h) => (h.addr ? [h.addr] : []))
  } catch {
    return []
  }
}

const defaults: Tool[] = [
  {name: 'anyprobe trace', argv: ['node', anyprobe, 'trace', TARGET, '--json'], hops: anyprobeHops},
  {name: 'traceroute', argv: ['traceroute', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\s/)},
  {name: 'traceroute -I', argv: ['traceroute', '-I', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\s/)},
  {name: 'mtr --report-wide -c 1', argv: ['mtr', '--report-wide', '-c', '1', '-b', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\.\|--/)},
  // scamper prints addresses only (it has no reverse DNS in its text output)
  {name: 'scamper trace', argv: ['scamper', '-O', 'text', '-i', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\s/)},
]
const equalTimeout: Tool[] = [
  {name: 'anyprobe trace -w 1s', argv: ['node', anyprobe, 'trace', TARGET, '--json', '--timeout', '1s'], hops: anyprobeHops},
  {name: 'traceroute -w 1', argv: ['traceroute', '-w', '1', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\s/)},
  {name: 'mtr -c 1 --gracetime 1', argv: ['mtr', '--report-wide', '-c', '1', '-b', '--gracetime', '1', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\.\|--/)},
  {name: 'scamper trace -w 1', argv: ['scamper', '-O', 'text', '-c', 'trace -w 1', '-i', TARGET], hops: (s) => hopsFromLines(s, /^\s*\d+\s/)},
]

function timeOnce(argv: string[]): {ms: number; stdout: string; status: number | null} {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('ip', ['netns', 'exec', NS, ...argv], {encoding: 'utf8', timeout: 120_000})
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  return {ms, stdout: r.stdout ?? '', status: r.status}
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function runSet(title: string, tools: Tool[]): Map<string, {ms: number; hops: string[]}> {
  const res = new Map<string, {ms: number; hops: string[]}>()
  console.log(`\n## ${title} (median of ${RUNS} runs, from ${NS} to ${TARGET})`)
  console.log(`${'tool'.padEnd(26)} ${'wall ms'.padStart(9)}  hops found`)
  for (const tool of tools) {
    const times: number[] = []
    let hops: string[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = timeOnce(tool.argv)
      times.push(r.ms)
      hops = tool.hops(r.stdout)
    }
    const ms = median(times)
    res.set(tool.name, {ms, hops})
    console.log(`${tool.name.padEnd(26)} ${ms.toFixed(0).padStart(9)}  ${hops.length} [${hops.join(' ')}]`)
  }
  return res
}

function verdict(res: Map<string, {ms: number; hops: string[]}>, ours: string): void {
  const mine = res.get(ours)!
  let fastest: [string, number] | null = null
  for (const [name, r] of res) if (!name.startsWith('anyprobe') && (fastest === null || r.ms < fastest[1])) fastest = [name, r.ms]
  if (!fastest) return
  const sameHops = [...res.values()].every((r) => r.hops.join() === mine.hops.join() || r.hops.length === 0)
  console.log(`anyprobe / fastest other (${fastest[0]}): ${(mine.ms / fastest[1]).toFixed(2)}x; same responsive hops as the others: ${sameHops}`)
}

function startup(): void {
  const t = (argv: string[]): number => {
    const xs: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint()
      spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8'})
      xs.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    return median(xs)
  }
  const node = t(['node', '-e', '0'])
  const help = t(['node', anyprobe, '--help'])
  const traceHelp = t(['node', anyprobe, 'trace', '--help'])
  console.log(`\n## start-up (median of ${RUNS})`)
  console.log(`node -e 0: ${node.toFixed(0)} ms; anyprobe --help: ${help.toFixed(0)} ms (${(help / node).toFixed(2)}x); anyprobe trace --help: ${traceHelp.toFixed(0)} ms (${(traceHelp / node).toFixed(2)}x)`)
}

if (process.getuid?.() !== 0) {
  console.error('trace-bench: needs root and the lab (bash test/lab/lab.sh up)')
  process.exit(1)
}
const d = runSet('defaults, reverse DNS on', defaults)
verdict(d, 'anyprobe trace')
const e = runSet('equal per-probe timeout 1 s, reverse DNS on', equalTimeout)
verdict(e, 'anyprobe trace -w 1s')
startup()

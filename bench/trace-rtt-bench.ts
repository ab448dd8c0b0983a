// How much later than the wire anyprobe's trace RTTs read, in the lab (root, lab up: bash test/lab/lab.sh up).
// tcpdump in the vantage point's namespace stamps every probe leaving and every reply arriving (kernel
// times, as traceroute/ping read them); anyprobe's RTT for the same probe is compared with it. Prints,
// per vantage point and protocol, over RUNS runs: the destination's minimum RTT (anyprobe, wire), and
// anyprobe minus wire per probe (median, max) for every answered probe, and for the first probe at TTL 1.
//   node --import tsx bench/trace-rtt-bench.ts [runs] [vp...]
// Two kinds of trace, whose destination replies tcpdump can pair with their probes: ICMP echo (-P
// icmp: the echo sequence number) and DNS queries (-P udp -p 53: the DNS id).
import {spawn, spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const RUNS = Number(process.argv[2] ?? 8)
const VPS = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['ap-vp-ber', 'ap-vp-sao']
const TARGET = '198.51.100.10'
const anyprobe = fileURLToPath(new URL('../bin/run.js', import.meta.url))

interface Hop {
  ttl: number
  rttMs: Array<number | null>
}

/** per (ttl, index in send order within the ttl): wire send and reply times (s) from tcpdump -tt -v */
function wireTimes(dump: string, dns: boolean): Map<number, {ttl: number; sent: number; reply: number | null}> {
  const bySeq = new Map<number, {ttl: number; sent: number; reply: number | null}>()
  const lines = dump.split('\n')
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = /^(\d+\.\d+) .*? ttl (\d+),/.exec(lines[i]!)
    const next = lines[i + 1]!
    const q = dns ? /> [\d.]+\.53: (\d+)/.exec(next) : /ICMP echo request, id \d+, seq (\d+)/.exec(next)
    const a = dns ? /\.53 > [\d.]+\.\d+: (\d+)/.exec(next) : /ICMP echo reply, id \d+, seq (\d+)/.exec(next)
    const body = q ?? a
    if (!head || !body) continue
    const t = Number(head[1])
    const seq = Number(body[1])
    if (q) bySeq.set(seq, {ttl: Number(head[2]), sent: t, reply: null})
    else {
      const p = bySeq.get(seq)
      if (p && p.reply === null) p.reply = t
    }
    // -v prints each packet on two lines: the IP header (ttl), then the ICMP / DNS body
    i++
  }
  return bySeq
}

async function once(ns: string, dns: boolean): Promise<{dest: number; wireDest: number; diffs: number[]; first: number | null} | null> {
  const td = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-l', '-n', '-tt', '-v', '-i', 'any', ...(dns ? ['udp port 53'] : ['icmp[0] == 8 or icmp[0] == 0'])], {stdio: ['ignore', 'pipe', 'pipe']})
  let dump = ''
  td.stdout.on('data', (d: Buffer) => (dump += d.toString()))
  await new Promise((r) => td.stderr.once('data', r))
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, anyprobe, 'trace', TARGET, ...(dns ? ['-P', 'udp', '-p', '53'] : ['-P', 'icmp']), '-n', '--no-asn', '--json'], {encoding: 'utf8'})
  await new Promise((res) => setTimeout(res, 200))
  td.kill('SIGINT')
  await new Promise((res) => td.once('exit', res))
  let hops: Hop[]
  try {
    hops = (JSON.parse(r.stdout) as {hops: Hop[]}).hops
  } catch {
    return null
  }
  const wire = wireTimes(dump, dns)
  const dest = hops.at(-1)!
  // echo replies / DNS answers only come from the destination: its probes are those at its TTL, in send order
  const wireDest = [...wire.values()].filter((p) => p.ttl === dest.ttl).map((p) => (p.reply === null ? null : (p.reply - p.sent) * 1000))
  const diffs: number[] = []
  dest.rttMs.forEach((ms, i) => {
    const w = wireDest[i]
    if (ms !== null && w !== null && w !== undefined) diffs.push(ms - w)
  })
  const ok = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null)
  return {dest: Math.min(...ok(dest.rttMs)), wireDest: Math.min(...ok(wireDest)), diffs, first: hops[0]!.rttMs[0] ?? null}
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const f = (x: number): string => x.toFixed(2)

for (const ns of VPS) {
  for (const dns of [false, true]) {
    const rows = []
    for (let i = 0; i < RUNS; i++) {
      const r = await once(ns, dns)
      if (r) rows.push(r)
    }
    const diffs = rows.flatMap((r) => r.diffs)
    const firsts = rows.map((r) => r.first).filter((x): x is number => x !== null)
    console.log(
      `${ns} ${dns ? 'udp/53' : 'icmp'}, ${rows.length} runs: destination min RTT anyprobe ${rows.map((r) => f(r.dest)).join(' ')} | wire ${rows.map((r) => f(r.wireDest)).join(' ')}` +
        `\n  anyprobe - wire per destination probe: median ${f(median(diffs))} ms, max ${f(Math.max(...diffs))} ms` +
        (firsts.length > 0 ? `\n  first probe at TTL 1 (anyprobe): median ${f(median(firsts))} ms, max ${f(Math.max(...firsts))} ms` : '') +
        `\n  load average: ${spawnSync('cat', ['/proc/loadavg'], {encoding: 'utf8'}).stdout.trim()}`,
    )
  }
}

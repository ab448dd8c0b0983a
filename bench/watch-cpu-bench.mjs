// The measuring half of bench/watch-cpu-bench.sh (which builds the namespaces and NSD): runs one
// `anyprobe watch ... --json` under /usr/bin/time and reports what it cost and what it measured.
//
//   node bench/watch-cpu-bench.mjs --work DIR --seconds S --server-ns NS --case LABEL -- CMD ARGS...
//
// CPU is anyprobe's whole process tree and nothing else:
// - total: /usr/bin/time's wait4() rusage of the parent, which includes every child the parent
//   reaped (watch waits for each per-namespace child's exit before it exits itself, so all are);
// - split and steady state: /proc/PID/stat utime+stime of every process below /usr/bin/time,
//   sampled every 250 ms while it runs (parent and children apart; the steady-state rate is the
//   difference between two samples well inside the probing window, so startup is not in it);
// - startup: the same command once more with --count 1 instead of --duration (start, one round,
//   stop): the fixed cost paid once per watch.
// Probes: sent/answered/lost from the watch's own summary, and the UDP datagrams the server
// namespace received and sent (/proc/net/snmp there) as an independent count.
// Plain JavaScript (no tsx): the harness shares the machine with what it measures.
import {spawn, execFileSync} from 'node:child_process'
import {openSync, closeSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

const argv = process.argv.slice(2)
const sep = argv.indexOf('--')
if (sep < 0) throw new Error('usage: watch-cpu-bench.mjs --work DIR --seconds S --server-ns NS --case LABEL -- CMD...')
const opt = {}
for (let i = 0; i < sep; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1]
const cmd = argv.slice(sep + 1)
const seconds = Number(opt.seconds)
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100

function readStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // comm may hold spaces and parentheses: the fields start after the last ')'
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
    return {ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12])}
  } catch {
    return null
  }
}

function readHwmKb(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** pid -> {ppid, ticks} of every process below root (root excluded). */
function tree(root) {
  const all = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    const st = readStat(d)
    if (st) all.set(Number(d), st)
  }
  const kids = new Map()
  for (const [pid, st] of all) {
    if (!kids.has(st.ppid)) kids.set(st.ppid, [])
    kids.get(st.ppid).push(pid)
  }
  const out = new Map()
  const walk = (p, depth) => {
    for (const c of kids.get(p) ?? []) {
      out.set(c, {...all.get(c), depth})
      walk(c, depth + 1)
    }
  }
  walk(root, 0)
  return out
}

function snmpUdp(ns) {
  const text = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], {encoding: 'utf8'})
  const rows = text.split('\n').filter((l) => l.startsWith('Udp:'))
  const keys = rows[0].split(/\s+/)
  const vals = rows[1].split(/\s+/)
  return {in: Number(vals[keys.indexOf('InDatagrams')]), out: Number(vals[keys.indexOf('OutDatagrams')])}
}

/** Run cmd under /usr/bin/time; sample the tree; return everything measured. */
async function measure(command, label) {
  const timeFile = join(opt.work, `time-${label}.txt`)
  const outFile = join(opt.work, `events-${label}.ndjson`)
  const errFile = join(opt.work, `stderr-${label}.txt`)
  const udp0 = snmpUdp(opt['server-ns'])
  const outFd = openSync(outFile, 'w')
  const errFd = openSync(errFile, 'w')
  const t0 = performance.now()
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...command], {stdio: ['ignore', outFd, errFd]})
  closeSync(outFd)
  closeSync(errFd)
  const procs = new Map() // pid -> {depth, ticks, hwmKb}
  const samples = [] // {t (s since start), ticks (tree total, live processes)}
  let maxLive = 0
  const sample = () => {
    const t = (performance.now() - t0) / 1000
    const tr = tree(child.pid)
    let total = 0
    // depth 0 is anyprobe itself (time's child), deeper ones are its per-namespace children
    for (const [pid, st] of tr) {
      const hwm = readHwmKb(pid)
      const p = procs.get(pid) ?? {depth: st.depth, ticks: 0, hwmKb: 0}
      p.ticks = st.ticks
      if (hwm !== null) p.hwmKb = Math.max(p.hwmKb, hwm)
      procs.set(pid, p)
      total += st.ticks
    }
    maxLive = Math.max(maxLive, tr.size)
    samples.push({t, ticks: total, n: tr.size})
  }
  const timer = setInterval(sample, 250)
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)))
  clearInterval(timer)
  const wall = (performance.now() - t0) / 1000
  const udp1 = snmpUdp(opt['server-ns'])
  const [e, u, s, maxRssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number)
  const lines = readFileSync(outFile, 'utf8').split('\n').filter((l) => l.trim() !== '')
  const events = lines.map((l) => JSON.parse(l))
  const summary = events.findLast((x) => x.type === 'summary') ?? null
  const stderr = readFileSync(errFile, 'utf8')
  return {code, wall, elapsed: e, user: u, sys: s, maxRssKb, procs, samples, maxLive, events, summary, stderr, udp: {in: udp1.in - udp0.in, out: udp1.out - udp0.out}}
}

const r1 = (x) => Math.round(x * 10) / 10
const r3 = (x) => Math.round(x * 1000) / 1000
const mb = (kb) => `${r1(kb / 1024)} MiB`

const full = await measure(cmd, 'full')
// startup: the same watch for one round
const once = cmd.map((w) => (w === `${seconds}s` ? '1s' : w))
const di = once.indexOf('--duration')
if (di >= 0) once.splice(di, 2, '--count', '1')
const fixed = await measure(once, 'once')

const cpu = full.user + full.sys
const byDepth = (d) => [...full.procs.values()].filter((p) => (d === 0 ? p.depth === 0 : p.depth > 0))
const parentTicks = byDepth(0).reduce((a, p) => a + p.ticks, 0)
const childTicks = byDepth(1).reduce((a, p) => a + p.ticks, 0)
const sampledCpu = (parentTicks + childTicks) / TICK
// steady state: from 5 s after the probing started (the parent schedules round 0 about 3 s after
// its own start when it has children) to 2 s before the end
const from = full.samples.find((x) => x.t >= 8) ?? full.samples[0] ?? {t: 0, ticks: 0}
const to = [...full.samples].reverse().find((x) => x.t <= full.wall - 2 && x.n === full.maxLive) ?? full.samples.at(-1) ?? from
const steadyPct = to.t > from.t ? ((to.ticks - from.ticks) / TICK / (to.t - from.t)) * 100 : NaN
const sum = full.summary
const vps = sum?.vantagePoints ?? []
const childHwm = byDepth(1).map((p) => p.hwmKb)
const parentHwm = byDepth(0).map((p) => p.hwmKb)

const out = []
out.push(`== ${opt.case}`)
out.push(`command: ${cmd.join(' ')}`)
out.push(`exit ${full.code}; wall ${r1(full.wall)} s (probing ${seconds} s)`)
if (sum) {
  out.push(`probes sent ${sum.observations}, answered ${vps.reduce((a, v) => a + v.answered, 0)}, lost ${vps.reduce((a, v) => a + v.lost, 0)}, late ${sum.late}; ${vps.length} vantage points, ${sum.rounds} rounds; per vantage point sent ${Math.min(...vps.map((v) => v.observations))}..${Math.max(...vps.map((v) => v.observations))} = ${r1(Math.min(...vps.map((v) => v.observations)) / seconds)}..${r1(Math.max(...vps.map((v) => v.observations)) / seconds)} /s`)
  out.push(`PoPs named: ${sum.pops.map((p) => `${p.pop} ${p.observations}`).join(', ') || 'none'}`)
} else {
  out.push('no summary: see stderr below')
}
out.push(`server namespace, this run: ${full.udp.in} UDP datagrams received, ${full.udp.out} sent`)
out.push(`CPU (wait4 rusage, parent + reaped children): user ${r3(full.user)} s + sys ${r3(full.sys)} s = ${r3(cpu)} s`)
out.push(`  = ${r1((cpu / full.wall) * 100)}% of one core over the whole run (wall ${r1(full.wall)} s, startup included), ${r1((cpu / seconds) * 100)}% of one core per second of probing`)
out.push(`  sampled from /proc: parent ${r3(parentTicks / TICK)} s, ${byDepth(1).length} children ${r3(childTicks / TICK)} s (sum ${r3(sampledCpu)} s; the last 250 ms are only in rusage)`)
out.push(`  steady state (t=${r1(from.t)}..${r1(to.t)} s, all ${full.maxLive} processes alive): ${r1(steadyPct)}% of one core`)
out.push(`startup + stop (same command, --count 1): ${r3(fixed.user + fixed.sys)} s CPU, wall ${r1(fixed.wall)} s, exit ${fixed.code}`)
if (fixed.code !== 0) out.push(`  its stderr: ${fixed.stderr.trim().split('\n').slice(-5).join('\n  ')}`)
out.push(`peak RSS: largest process ${mb(full.maxRssKb)} (rusage); parent ${mb(Math.max(0, ...parentHwm))}${childHwm.length ? `, children ${mb(Math.min(...childHwm))}..${mb(Math.max(...childHwm))} each, tree sum ${mb(parentHwm.concat(childHwm).reduce((a, b) => a + b, 0))}` : ''}`)
out.push(`verdict: ${r1((cpu / seconds) * 100)}% (all CPU, startup included, per second of probing) ${cpu / seconds < 0.25 ? '<' : '>='} 25% of one core`)
if (full.stderr.trim() !== '') out.push(`stderr:\n${full.stderr.trim().split('\n').slice(-10).join('\n')}`)
console.log(out.join('\n') + '\n')
if (full.code !== 0 || !sum) process.exitCode = 1

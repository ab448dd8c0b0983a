// How tight is the watch round loop? Runs the in-process DNS prober against a DNS server on
// 127.0.0.1 (in this process) at a short interval and reports schedule lateness (sentAt minus the
// scheduled time) and RTT percentiles, plus the cost of one probe. Loopback only.
//   node --import tsx bench/watch-bench.ts [interval-ms] [flows] [seconds]
import {createSocket} from 'node:dgram'

import dnsPacket from 'dns-packet'

import {nearestRank} from '../src/analysis/watch/index.js'
import type {Observation} from '../src/model/watch.js'
import {runRounds} from '../src/vantage/live/loop.js'
import {makeDnsProber} from '../src/vantage/live/probe.js'

const intervalMs = Number(process.argv[2] ?? 10)
const flows = Number(process.argv[3] ?? 4)
const seconds = Number(process.argv[4] ?? 3)

const udp = createSocket('udp4')
await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()))
udp.on('message', (msg, rinfo) => {
  const q = dnsPacket.decode(msg)
  const question = q.questions![0]!
  udp.send(dnsPacket.encode({type: 'response', id: q.id, flags: 0, questions: [question], answers: [{type: 'TXT', class: 'CH', name: question.name, data: 's1.fra.anycast.example'}]}), rinfo.port, rinfo.address)
})

const prober = makeDnsProber({addr: '127.0.0.1', family: 4, port: udp.address().port, timeoutMs: 500})
const seen: Observation[] = []
const startAt = Date.now() + 50
const t0 = performance.now()
const cpu0 = process.cpuUsage()
await runRounds({vantageId: 'bench', prober, intervalMs, flows, startAt, durationMs: seconds * 1000, onObservation: (o) => seen.push(o)})
const wall = performance.now() - t0
prober.close?.()
udp.close()

const late = seen.map((o) => o.sentAt - (startAt + o.round * intervalMs)).sort((a, b) => a - b)
const rtts = seen.filter((o) => o.rttMs !== null).map((o) => o.rttMs!).sort((a, b) => a - b)
const rounds = new Set(seen.map((o) => o.round)).size
const cpu = process.cpuUsage(cpu0)
console.log(
  JSON.stringify({
    intervalMs,
    flows,
    seconds,
    probes: seen.length,
    rounds,
    expectedRounds: Math.ceil((seconds * 1000) / intervalMs),
    lost: seen.filter((o) => !o.answered).length,
    latenessMs: {p50: nearestRank(late, 50), p99: nearestRank(late, 99), max: late.at(-1) ?? null},
    rttMs: {p50: nearestRank(rtts, 50), p99: nearestRank(rtts, 99)},
    cpuMsPerProbe: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, seen.length)) * 1000) / 1000,
    wallMs: Math.round(wall),
  }),
)

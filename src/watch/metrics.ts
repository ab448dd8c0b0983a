// --metrics HOST:PORT: the live state of a watch as Prometheus text (exposition format 0.0.4).
// The state is fed by the command (observations and events); the server only reads it.
import {createServer, type Server} from 'node:http'

import {AnyprobeError, EXIT} from '../model/errors.js'
import type {Observation, WatchEvent} from '../model/watch.js'

/** Failover gap buckets, seconds. */
export const GAP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30]

interface VpMetrics {
  pop: string | null
  lastRttMs: number | null
  answered: number
  lost: number
  shifts: number
  flaps: number
  failovers: number
}

export class WatchMetrics {
  private readonly vps = new Map<string, VpMetrics>()
  private readonly gapCounts = GAP_BUCKETS.map(() => 0)
  private gapCount = 0
  private gapSum = 0

  private vp(id: string): VpMetrics {
    let v = this.vps.get(id)
    if (!v) {
      v = {pop: null, lastRttMs: null, answered: 0, lost: 0, shifts: 0, flaps: 0, failovers: 0}
      this.vps.set(id, v)
    }
    return v
  }

  observe(o: Observation): void {
    const v = this.vp(o.vantageId)
    if (o.answered) {
      v.answered++
      if (o.rttMs !== null) v.lastRttMs = o.rttMs
      if (o.pop !== null) v.pop = o.pop
    } else {
      v.lost++
    }
  }

  event(e: WatchEvent): void {
    if (e.type === 'summary' || e.type === 'load-balanced' || e.type === 'outage' || e.type === 'recovered') return
    const v = this.vp(e.vantageId)
    if (e.type === 'shift') {
      v.shifts++
      v.pop = e.to
    } else if (e.type === 'flap') {
      v.flaps++
    } else if (e.type === 'failover') {
      v.failovers++
      const s = e.gapMs / 1000
      this.gapCount++
      this.gapSum += s
      GAP_BUCKETS.forEach((b, i) => {
        if (s <= b) this.gapCounts[i]!++
      })
    }
  }

  text(): string {
    const ids = [...this.vps.keys()].sort()
    const lines: string[] = []
    const head = (name: string, type: string, help: string): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    }
    head('anyprobe_vantage_pop', 'gauge', 'PoP currently answering the vantage point (1 for the current PoP)')
    for (const id of ids) {
      const v = this.vps.get(id)!
      if (v.pop !== null) lines.push(`anyprobe_vantage_pop{vantage="${esc(id)}",pop="${esc(v.pop)}"} 1`)
    }
    head('anyprobe_vantage_rtt_seconds', 'gauge', 'RTT of the last answered probe')
    for (const id of ids) {
      const v = this.vps.get(id)!
      if (v.lastRttMs !== null) lines.push(`anyprobe_vantage_rtt_seconds{vantage="${esc(id)}"} ${num(v.lastRttMs / 1000)}`)
    }
    const counter = (name: string, help: string, get: (v: VpMetrics) => number): void => {
      head(name, 'counter', help)
      for (const id of ids) lines.push(`${name}{vantage="${esc(id)}"} ${get(this.vps.get(id)!)}`)
    }
    counter('anyprobe_probes_answered_total', 'probes answered', (v) => v.answered)
    counter('anyprobe_probes_lost_total', 'probes without an answer', (v) => v.lost)
    counter('anyprobe_shifts_total', 'catchment changes (shift events)', (v) => v.shifts)
    counter('anyprobe_flaps_total', 'flap episodes (flap events)', (v) => v.flaps)
    counter('anyprobe_failovers_total', 'shifts with probes lost in between (failover events)', (v) => v.failovers)
    head('anyprobe_failover_gap_seconds', 'histogram', 'failover gap: last answer from the old PoP to the first from the new one')
    GAP_BUCKETS.forEach((b, i) => lines.push(`anyprobe_failover_gap_seconds_bucket{le="${num(b)}"} ${this.gapCounts[i]}`))
    lines.push(`anyprobe_failover_gap_seconds_bucket{le="+Inf"} ${this.gapCount}`)
    lines.push(`anyprobe_failover_gap_seconds_sum ${num(this.gapSum)}`)
    lines.push(`anyprobe_failover_gap_seconds_count ${this.gapCount}`)
    return lines.join('\n') + '\n'
  }
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function num(n: number): string {
  return String(Math.round(n * 1e6) / 1e6)
}

export function parseHostPort(text: string): {host: string; port: number} {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim())
  const port = m ? Number(m[3]) : NaN
  if (!m || !(port >= 0 && port <= 65_535)) {
    throw new AnyprobeError('E_USAGE', `--metrics "${text}": expected HOST:PORT`, {
      hint: 'e.g. --metrics 127.0.0.1:9464 (or [::1]:9464); port 0 picks a free one',
      exitCode: EXIT.usage,
    })
  }
  return {host: m[1] ?? m[2]!, port}
}

/** Serve GET /metrics (and /) from `metrics`; resolves once listening. */
export function serveMetrics(metrics: WatchMetrics, host: string, port: number): Promise<{server: Server; port: number}> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !(req.url === '/metrics' || req.url === '/')) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8'}).end(metrics.text())
  })
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new AnyprobeError('E_NETWORK', `--metrics ${host}:${port}: cannot listen (${e.code ?? e.message})`, {hint: 'pick a free port, or 0', exitCode: EXIT.network})),
    )
    server.listen(port, host, () => {
      const addr = server.address()
      resolve({server, port: typeof addr === 'object' && addr ? addr.port : port})
    })
  })
}

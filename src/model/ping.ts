// A ping (ICMP echo) result: RTTs only. RIPE Atlas ping results map here; a PoP can only be
// named from a ping by other signals (RTT feasibility, the responder's name), so pop is often null.
import type {PopVerdict} from './pop.js'
import type {VantagePoint} from './vantage.js'

export const PING_SCHEMA_VERSION = 1

export interface PingResult {
  schemaVersion: typeof PING_SCHEMA_VERSION
  kind: 'ping'
  target: string
  targetAddr: string | null
  family: 4 | 6 | null
  vantage: VantagePoint
  startedAt: string
  sent: number
  received: number
  /** one entry per packet sent, null when lost (never 0) */
  rttMs: Array<number | null>
  minMs: number | null
  avgMs: number | null
  maxMs: number | null
  pop: PopVerdict | null
}

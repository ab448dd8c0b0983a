// One interface for every place a probe can run from: this host, a network namespace, a host
// over SSH, RIPE Atlas probes, or a saved file being replayed. Backends stream outcomes as they
// arrive; a vantage point that fails is an outcome with an error, never an exception that stops
// the others.
import type {DnsResult} from '../model/dns.js'
import type {ErrorCode} from '../model/errors.js'
import type {HttpResult} from '../model/http.js'
import type {PingResult} from '../model/ping.js'
import type {TraceProtocol, TraceResult} from '../model/trace.js'
import type {VantagePoint} from '../model/vantage.js'

export type ProbeResult = TraceResult | DnsResult | HttpResult | PingResult
export type ProbeMethod = ProbeResult['kind']

/** What to measure, in both forms a backend may need. */
export interface ProbePlan {
  method: ProbeMethod
  /** address, hostname or URL as the user typed it */
  target: string
  /** the anyprobe command-line arguments after the command name (for local/netns/ssh), without --json */
  cliArgs: string[]
  /** normalized options (for backends that build their own requests, e.g. RIPE Atlas) */
  options: {
    protocol?: TraceProtocol
    port?: number | null
    timeoutMs?: number
    probes?: number
    maxHops?: number
    /** DNS: also send the ordinary query with NSID; qname/qtype */
    qname?: string
    qtype?: string
    tcp?: boolean
    /** HTTP */
    method?: 'GET' | 'HEAD'
    host?: string | null
    /** HTTP: extra request headers ('Name: value') and --pop-header names (remote backends that build requests) */
    headers?: string[]
    popHeaders?: string[]
  }
}

export interface VantageError {
  code: ErrorCode | string
  message: string
  hint: string | null
}

export interface VantageOutcome {
  vantage: VantagePoint
  /** the measurement, when one was made (even a failed trace is a result) */
  result: ProbeResult | null
  /** why there is no result (host down, refused, garbage output, probe error) */
  error: VantageError | null
  /**
   * when it happened (ISO 8601), for an outcome without a result whose time is known (a RIPE Atlas
   * probe's error result): a later failure of a vantage point then replaces its earlier success
   */
  at?: string
}

export interface VantageBackend {
  /** e.g. "netns:ap-vp-ber,ap-vp-nyc" — for progress and errors */
  readonly spec: string
  /** how many vantage points it will report, when known up front */
  expected(): number | null
  run(plan: ProbePlan, opts: {concurrency: number; signal?: AbortSignal}): AsyncIterable<VantageOutcome>
}

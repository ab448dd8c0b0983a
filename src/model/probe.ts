// What a measurement is, wherever it runs: the plan (what to measure), the result (what was
// measured), the outcome (a result or an error, from one vantage point) and the interface every
// vantage backend implements (local, netns, ssh, RIPE Atlas, and the ones to come). These cross
// every folder (commands, vantage, watch, store, analysis, render), so they live here.
//
// The live contract (VantageBackend.rounds, what `watch` consumes from every backend alike):
//  - per vantage point: 'started' once, then 'observation's (answered or not), then 'ended' once;
//  - a vantage point that fails while the others go on (a netns/ssh child that cannot start, dies
//    or prints garbage) is said AT ONCE with 'failed' (its E_VP_* error), and from then on the
//    backend reports its rounds as unanswered observations carrying that code, so the watch shows
//    it as an outage; its 'ended' carries the same error;
//  - 'round' r (optional): every observation of round r and earlier from this backend is in;
//  - 'message': a line a vantage point printed for the user (a child's stderr), already sanitised;
//  - 'note': a line the backend itself has for the user (a measurement created, its cost, a stream
//    that dropped); `failed`: something outside the vantage points went wrong that the user must
//    act on (a measurement it created could not be stopped): said, and the watch ends in exit 1;
//  - 'history-start' ... 'history-end': the observations between replay the past (a remote
//    measurement's results from before the watch began); each vantage point's last one is its
//    starting state, and no event is said for them before 'history-end';
//  - 'vantage': what was learnt of a vantage point later (country, ASN, tags of a remote probe);
//  - a backend never writes to stdout/stderr itself; the watch session owns every output, and
//    stopping the watch when every vantage point is down is the session's (across backends).
//
// The schedule (VantageBackend.schedule, called once before rounds(), before the session opens):
// a remote engine decides it (RIPE Atlas: an existing measurement's own interval, type and target,
// or a new one's interval checked and its cost computed; Globalping: the interval its rate limit
// sustains), a local one takes the command's (localSchedule in src/vantage/live/schedule.ts, the
// default for a backend without schedule()). Everything that can be refused is refused there,
// before anything is opened, created or spent. `watch` then runs one path for every backend:
// schedule -> WatchStart -> WatchSession.open -> consume(mergeRounds(rounds)) -> finish.
import type {DnsResult} from './dns.js'
import type {ErrorCode} from './errors.js'
import type {HttpResult} from './http.js'
import type {PingResult} from './ping.js'
import type {TraceProtocol, TraceResult} from './trace.js'
import type {VantagePoint} from './vantage.js'
import type {Observation} from './watch.js'

export type ProbeResult = TraceResult | DnsResult | HttpResult | PingResult
export type ProbeMethod = ProbeResult['kind']

/** What to measure, in both forms a backend may need. */
export interface ProbePlan {
  method: ProbeMethod
  /** address, hostname or URL as the user typed it */
  target: string
  /** the anyprobe command-line arguments after the command name (for local/netns/ssh), without --json */
  cliArgs: string[]
  /**
   * the probe flags the user set (as trace / dns / http name them): a backend that builds its own
   * request refuses one its request cannot carry rather than drop it (absent: none were set)
   */
  given?: readonly string[]
  /** normalized options (for backends that build their own requests, e.g. RIPE Atlas) */
  options: {
    protocol?: TraceProtocol
    port?: number | null
    timeoutMs?: number
    probes?: number
    maxHops?: number
    /** trace: first TTL probed */
    firstHop?: number
    /** trace: address family asked for a hostname target (--ipv4 / --ipv6) */
    af?: 4 | 6
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
    /** trace: false = no reverse DNS of hops (catchment --no-rdns; remote backends drop their own names) */
    rdns?: boolean
    /** trace: false = no ASN of hops (catchment --no-asn) */
    asn?: boolean
  }
}

export interface VantageError {
  /** an ErrorCode; a string when it came from elsewhere (a child's or a service's own code) */
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

/**
 * A set of vantage points that can run a plan. One-shot: `run` yields one outcome per vantage
 * point as each finishes, in completion order. A vantage point that fails is an outcome with an
 * error, never an exception that stops the others; `signal` stops the run (unfinished vantage
 * points are reported as E_VP_ABORTED).
 */
export interface VantageBackend {
  /** e.g. "netns:ap-vp-ber,ap-vp-nyc" — for progress and errors */
  readonly spec: string
  /** how many vantage points it will report, when known up front */
  expected(): number | null
  run(plan: ProbePlan, opts: {concurrency: number; signal?: AbortSignal}): AsyncIterable<VantageOutcome>
  /**
   * Live rounds (`watch`): the plan run every intervalMs at every vantage point, as one stream of
   * events. Absent when the backend cannot (then `watch --from` refuses it with E_USAGE). See
   * RoundsPlan and RoundEvent; the contract is in the README ("Vantage points: one interface").
   */
  rounds?(plan: RoundsPlan, opts: {signal: AbortSignal}): AsyncIterable<RoundEvent>
  /**
   * Live runs: the schedule this backend will keep, from what the command asks (see the header).
   * Called once, before rounds() and before anything is opened; throws E_USAGE for what it cannot
   * do. Absent: the command's own schedule (localSchedule).
   */
  schedule?(ask: ScheduleRequest, opts: {signal: AbortSignal}): Promise<LiveSchedule>
  /** Live runs: true when no other --from can share the watch (a remote engine keeps its own clock) */
  readonly runsAlone?: boolean
}

/** What the watch command asks of a live run, as the user gave it (before a backend decides). */
export interface ScheduleRequest {
  /** --method as given: dns, http, icmp, trace, or ping (remote engines) */
  method: string
  /** address, hostname or URL as the user typed it */
  target: string
  /** --interval, ms; undefined: the backend's default */
  intervalMs: number | undefined
  /** --failover: a local schedule probes every 50 ms unless --interval says otherwise */
  failover: boolean
  /** --timeout, ms; undefined: the backend's default (local: from the interval) */
  timeoutMs: number | undefined
  /** --flows */
  flows: number
  /** --count, --duration (null: not given) */
  count: number | null
  durationMs: number | null
  /** --dry-run: describe what would be created and spend nothing */
  dryRun: boolean
  /** --port, only when the user gave it (remote engines refuse it) */
  port?: number
  /** --method was given (not its default): an existing remote measurement of another type is said */
  methodGiven?: boolean
}

/** The schedule a backend keeps for a live run (VantageBackend.schedule). */
export interface LiveSchedule {
  method: RoundsPlan['method']
  /** what is watched (a remote measurement's own target), sanitised */
  target: string
  intervalMs: number
  flows: number
  timeoutMs: number
  /** rounds an observation may trail and still be judged in its round (WatchStart.reorderRounds) */
  reorderRounds: number
  /** ms since the epoch the watch starts at (a remote measurement's own clock); default: now */
  at?: number
  /** remote probes (maybe thousands): events labelled with country and ASN, no redrawn catchment block */
  remote: boolean
  /** lines for the user before the watch starts, already sanitised */
  notes: string[]
  /** --dry-run: the document (printed with --json) and its text; nothing is measured or spent */
  dryRun?: {document: Record<string, unknown>; text: string}
  /** what was watched, for the comment of --learn (asked at the end: a measurement made by rounds() has its id then) */
  source?: () => string
}

/** What a live run measures: the one-shot plan plus the schedule every vantage point shares. */
export interface RoundsPlan {
  method: 'dns' | 'http' | 'icmp' | 'trace'
  /** address, hostname or URL as the user typed it */
  target: string
  /** the anyprobe watch arguments a child anyprobe gets (netns/ssh), without --from */
  cliArgs: string[]
  intervalMs: number
  /** probes per round, one per flow (flow ids 0..flows-1 keep their 5-tuple) */
  flows: number
  timeoutMs: number
  /** ms since the epoch of round 0 (shared, so rounds line up across vantage points) */
  startAt: number
  /** stop after this many rounds / this long; null: until the signal */
  count: number | null
  durationMs: number | null
  /** dns: the server port (default 53); http: accept any TLS certificate (local/netns/ssh probers) */
  port?: number
  insecure?: boolean
  /** the watch's flap window, ms (a backend whose rounds are minutes apart says it when it starts) */
  flapWindowMs?: number
}

/**
 * One event of a live run. Per vantage point: 'started' once it is measuring, then one
 * 'observation' per probe (answered or not, in send order per flow), then 'ended' exactly once,
 * with an error when it failed (E_VP_* codes); the other vantage points go on. 'round' (optional):
 * every vantage point's observations of that round and all earlier ones are in (a backend that
 * measures whole rounds at once says so, and the watch judges the round at once). 'unmeasured'
 * (optional, before that round's 'round'): the backend did not measure the vantage point's round,
 * so it has no observation and is counted as not measured, not as skipped (analysis/watch/gaps.ts).
 * 'note', 'history-start'/'history-end' and 'vantage': see the header of this file.
 */
export type RoundEvent =
  | {type: 'started'; vantage: VantagePoint}
  | {
      type: 'observation'
      vantage: VantagePoint
      observation: Observation
      /** the vantage point's round is complete with it (one result a round: a remote probe) */
      complete?: boolean
      /** wall-clock ms the result behind it arrived at this process (remote engines; for latency figures) */
      arrivedAt?: number
    }
  | {type: 'ended'; vantage: VantagePoint; error: VantageError | null}
  | {type: 'failed'; vantage: VantagePoint; error: VantageError}
  | {type: 'message'; vantage: VantagePoint; text: string}
  | {type: 'round'; round: number}
  /** the backend did not measure the vantage point's round (asked for; no result: a Globalping round the API refused) */
  | {type: 'unmeasured'; vantage: VantagePoint; round: number}
  | {type: 'note'; text: string; failed?: boolean}
  | {type: 'history-start'}
  | {type: 'history-end'}
  | {type: 'vantage'; vantage: VantagePoint; tags?: string[]}

export const MULTI_SCHEMA_VERSION = 1

/** `--json` of a measuring command run from several vantage points. */
export interface MultiResult {
  schemaVersion: typeof MULTI_SCHEMA_VERSION
  kind: 'multi'
  method: ProbeMethod
  target: string
  outcomes: VantageOutcome[]
}

/** One line of `--ndjson` from several vantage points. */
export interface OutcomeLine extends VantageOutcome {
  schemaVersion: typeof MULTI_SCHEMA_VERSION
  kind: 'outcome'
  method: ProbeMethod
  target: string
}

// anyprobe watch <target>: probe an anycast service every interval from one or more vantage points
// and report, as they happen, which PoP answers each of them, shifts, failovers (with their gap),
// flapping and outages. Wiring only, one path for every backend: --from specs -> backends
// (vantage/: local in-process, netns/ssh one long-lived child each, RIPE Atlas, Globalping) ->
// runWatch (src/watch/run.ts): each backend's schedule -> WatchStart -> one WatchSession (which
// owns the analysis and every output) -> the backends' rounds() merged -> the summary and exit
// code. A vantage point that fails is said with its E_VP_* code and then shows as an outage; the
// others go on (the contract is at the top of src/model/probe.ts).
//
// --observations is the child mode that netns:NAME and ssh:HOST vantage points run: this process
// probes in-process and prints one observation per line (the line protocol in
// src/vantage/live/children.ts), on the schedule the parent gave with --start-at.

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {printNdjson, printText, whenStdoutCloses} from '../console/output.js'
import {htmlFlag, locationFlags, locationsFromFlags, warnUnmatchedLocations} from './html-flags.js'
import {refuseUnusedWatchPort} from '../console/watch-port.js'
import {refuseUnusedVantageFlags, vantageFlags} from '../console/vantage-flags.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {ScheduleRequest} from '../model/probe.js'
import type {VantagePoint} from '../model/vantage.js'
import type {WatchSummaryEvent} from '../model/watch.js'
import {parseDuration} from '../util/duration.js'
import {parseFrom, type VantageSpec} from '../vantage/from.js'
import {runRounds} from '../vantage/live/loop.js'
import {faultOnce, popNamer} from '../vantage/live/probe.js'
import {makeLocalProber} from '../vantage/live/local-prober.js'
import {LOCAL_WATCH_METHODS, localTiming} from '../vantage/live/schedule.js'
import {backendsFor} from '../vantage/index.js'
import {defaultFlapWindowMs, runWatch} from '../watch/run.js'
import {refuseExecFlagsWithoutExec} from '../watch/extras.js'


export const WATCH_METHODS = LOCAL_WATCH_METHODS
export type WatchMethod = (typeof WATCH_METHODS)[number]

export interface WatchSettings {
  method: WatchMethod
  intervalMs: number
  timeoutMs: number
  durationMs: number | undefined
  count: number | undefined
  flows: number
  flapThreshold: number
  flapWindowMs: number
}

/** The flags a watch is asked with (one reading of them for the one path and for child mode). */
interface WatchFlags {
  method: string
  interval?: string
  failover: boolean
  timeout?: string
  duration?: string
  count?: number
  flows: number
  'flap-threshold': number
  'flap-window'?: string
  'dry-run'?: boolean
  port?: number
}

/**
 * Flag values -> what the watch asks of its backends; throws E_BAD_DURATION (exit 2). `given`: the
 * parse metadata, to tell a flag the user gave from its default (remote engines refuse --port).
 */
export function watchAsk(flags: WatchFlags, target: string, given?: {flags: Record<string, {setFromDefault?: boolean} | undefined>}): ScheduleRequest {
  const port = given === undefined || given.flags.port?.setFromDefault || flags.port === undefined ? undefined : flags.port
  // --port is the dns server port: given with trace (ICMP), icmp or http (the URL's port) it is
  // refused, where the local prober dropped it and netns/ssh children ignored it
  refuseUnusedWatchPort(flags.method, target, port)
  const duration = (v: string | undefined, name: string): number | undefined => (v === undefined ? undefined : parseDuration(v, name))
  return {
    method: flags.method,
    target,
    intervalMs: duration(flags.interval, '--interval'),
    failover: flags.failover,
    timeoutMs: duration(flags.timeout, '--timeout'),
    flows: flags.flows,
    count: flags.count ?? null,
    durationMs: duration(flags.duration, '--duration') ?? null,
    dryRun: flags['dry-run'] ?? false,
    ...(port === undefined ? {} : {port}),
    methodGiven: given !== undefined && given.flags.method?.setFromDefault !== true,
  }
}

/** Flag values -> a local watch's settings (child mode); throws E_BAD_DURATION / E_USAGE (exit 2). Exported for tests. */
export function watchSettings(flags: WatchFlags): WatchSettings {
  const ask = watchAsk(flags, '')
  // the same checks and defaults as every local live run (vantage/live/schedule.ts)
  const {method, intervalMs, timeoutMs} = localTiming(ask)
  // the default scales with the interval: 60 intervals, at least 60 s
  const flapWindowMs = flags['flap-window'] === undefined ? defaultFlapWindowMs(intervalMs) : parseDuration(flags['flap-window'], '--flap-window')
  return {
    method: method as WatchMethod,
    intervalMs,
    timeoutMs,
    durationMs: ask.durationMs ?? undefined,
    count: flags.count,
    flows: flags.flows,
    flapThreshold: flags['flap-threshold'],
    flapWindowMs,
  }
}


export default class Watch extends BaseCommand {
  static override summary = 'Watch which PoP answers each vantage point, live: shifts, failovers, flaps, outages'

  static override description = `Probes the target every --interval from each vantage point (--from) and reports each change of PoP as it happens: a shift (graceful: no probe lost), a failover (probes lost in between; its gap is bounded by the probing interval), flapping (--flap-threshold changes within --flap-window; flap-end after a full window without one) and outages.

--failover probes every 50 ms (unless --interval says otherwise) to time failovers. --flows N sends N probes per round, one per flow: with --method dns each flow keeps its own UDP source port for the whole watch, so an ECMP hash on ports splits the flows and keeps each on its path (several PoPs in one round are reported as load-balanced, not as flapping); with --method http each flow keeps one keep-alive connection (one source port) round after round, renewed only when the server closes it or a probe on it fails.

Stops after --count rounds, after --duration, or at Ctrl-C / SIGTERM, and then prints the summary; every probe sent is waited for and counted. Exit 0 when every vantage point has an answer at the end; 9 when some are in an outage at the end (named on stderr), 4 when all are; 8 with --expect when a rule was broken at any time; 6 when the backend could not measure the last round (the state at the end is not known). --json prints NDJSON: one event per line as it happens, the summary last. --out FILE appends every observation as NDJSON (replayable). --metrics HOST:PORT serves Prometheus text at /metrics.

netns:NAME and ssh:[user@]host[:port] vantage points run one long-lived child anyprobe each (netns needs root; ssh runs anyprobe from the remote PATH, or --remote-command, with ssh -o BatchMode=yes and --ssh-option). A vantage point that fails (cannot connect, dies, prints garbage) is reported with its error code and then as an outage; the others go on, and the exit code is 9 (some answered). --from atlas: --atlas-msm ID follows an existing periodic RIPE Atlas measurement (a public one needs no key; the key is never sent to the stream): the results since one interval before the start give each probe's starting state (a "state" event each), then the result stream; a dropped stream is reconnected and its gap filled from the API. --from atlas:SELECTOR --method dns|trace|ping creates one at --interval (60s at least; cost per hour and per day shown first, --dry-run spends nothing) and stops it at the end (--keep leaves it running). Times are the results' own: every gap is resolved to the measurement's interval.

--from globalping:LOC[,...][,limit=N] --method dns|http|trace|ping repeats one Globalping measurement from the same probes every --interval (default and minimum: the fastest pace the hourly limit sustains for that many probes, 3600 s x probes / 250 without a token, / 500 with one; a faster --interval is refused with that figure).

--expect FILE judges each answer against rules per vantage point or group (pops, notPops, maxRttMs): "unexpected" and "expected" events, after --for N rounds; a rule broken at any time of the watch is exit 8, even if the vantage point was back within the rules by the end, and the summary's "expect" lists every breach (vantage point, rules, since, until, durationMs); --learn FILE writes the current catchment as such a file; --exec CMD runs per event with the event JSON on stdin.`

  static override examples = [
    '<%= config.bin %> watch 198.51.100.10',
    '<%= config.bin %> watch 198.51.100.10 --from netns:ap-vp-ber,ap-vp-nyc --failover --json',
    '<%= config.bin %> watch 198.51.100.10 --from ssh:probe@vp1.example,probe@vp2.example --ssh-option IdentityFile=~/.ssh/probe',
    '<%= config.bin %> watch 198.51.100.10 --interval 2s --duration 10m --out watch.ndjson --metrics 127.0.0.1:9464',
  ]

  static override args = {
    target: Args.string({description: 'DNS server address/hostname (dns) or URL (http)', required: true}),
  }

  static override flags = {
    from: Flags.string({multiple: true, multipleNonGreedy: true, description: 'where to watch from (repeatable): local | netns:NAME[,NAME...] | ssh:[user@]host[:port][,...] | atlas:SELECTOR | globalping:LOC[,LOC...][,limit=N] | @FILE'}),
    method: Flags.string({description: 'how to ask who answered: dns (CHAOS hostname.bind / NSID), http (location headers), trace (a Paris traceroute per probe; root), icmp (echo: loss and RTT only, no PoP; root); ping: a RIPE Atlas or Globalping ping (--from atlas: or globalping: only)', default: 'dns', options: [...WATCH_METHODS, 'ping']}),
    interval: Flags.string({description: 'time between rounds, e.g. 1s or 50ms (default 1s, 50ms with --failover)'}),
    failover: Flags.boolean({description: 'time failovers: probe every 50 ms unless --interval is given', default: false}),
    timeout: Flags.string({description: 'how long a probe waits for its answer (default: the interval, at least 1s, at most 2s)'}),
    duration: Flags.string({description: 'probe this long, e.g. 30s or 10m (each vantage point from its first probe: a netns/ssh one that took a while to start still probes that long)'}),
    count: Flags.integer({description: 'stop after this many rounds sent (per vantage point; a round skipped because it could not be sent on time is not counted)', min: 1}),
    flows: Flags.integer({description: 'probes per round, each its own flow (dns: a UDP source port kept for the whole watch)', default: 1, min: 1, max: 64}),
    'flap-threshold': Flags.integer({description: 'PoP changes within --flap-window that make a flap', default: 3, min: 2}),
    'flap-window': Flags.string({description: 'window for --flap-threshold (default: 60 intervals, at least 60s: 60s at 1s probing, 4h for an Atlas measurement every 240s)'}),
    'atlas-msm': Flags.integer({description: 'with --from atlas: watch this existing periodic RIPE Atlas measurement (public ones need no key)', min: 1}),
    'dry-run': Flags.boolean({description: 'with --from atlas:SELECTOR: print the measurement and its cost per hour and per day, create nothing', default: false}),
    keep: Flags.boolean({description: 'with --from atlas:SELECTOR: leave the measurement running after the watch (its id is printed)', default: false}),
    expect: Flags.string({description: 'judge every answer against the rules of this expect file (schemas/expect.schema.json): events unexpected / expected; exit 8 if a vantage point broke a rule at any time of the watch (even if it was back within the rules by the end); the summary lists each breach: who, which rule, when, how long'}),
    for: Flags.integer({description: 'with --expect: a change fires only after this many consecutive rounds (as Prometheus for:)', default: 1, min: 1}),
    learn: Flags.string({description: 'at the end, write the current catchment to FILE as an expect file (to be edited)'}),
    exec: Flags.string({description: 'run this shell command per event, the event JSON on its stdin (at most --exec-concurrency at once, each killed after --exec-timeout; never holds the watch)'}),
    'exec-timeout': Flags.string({description: 'how long an --exec command may run', default: '10s'}),
    'exec-concurrency': Flags.integer({description: '--exec commands running at once', default: 4, min: 1, max: 64}),
    port: Flags.integer({description: 'server port (dns)', default: 53, min: 1, max: 65_535}),
    insecure: Flags.boolean({description: 'http: do not verify TLS certificates', default: false}),
    out: Flags.string({description: 'append every observation to FILE as NDJSON'}),
    html: htmlFlag('the failover timeline, rewritten as the watch goes'),
    ...locationFlags,
    metrics: Flags.string({description: 'serve Prometheus metrics on HOST:PORT (e.g. 127.0.0.1:9464)'}),
    // trace / dns / http's flag, refused with the hint to what places a watch's vantage points
    'vp-location': Flags.string({hidden: true, description: 'not a watch flag: refused with a hint to --location / --locations'}),
    // the same as every measuring command's (console/vantage-flags.ts)
    'remote-command': vantageFlags['remote-command'],
    'ssh-option': vantageFlags['ssh-option'],
    observations: Flags.boolean({hidden: true, description: 'child mode: print each observation as NDJSON, nothing else', default: false}),
    signals: Flags.boolean({hidden: true, description: 'child mode: send the signals a PoP is named from (the parent names it) instead of naming it', default: false}),
    'stop-on-eof': Flags.boolean({hidden: true, description: 'child mode: stop (losing nothing) when stdin closes', default: false}),
    'start-at': Flags.integer({hidden: true, description: 'child mode: ms since the epoch of round 0'}),
    'vantage-id': Flags.string({hidden: true, description: 'child mode: the vantage id to write'}),
  }

  /** One compact line: --json output is NDJSON, the summary (the returned result) included. */
  public override logJson(json: unknown): void {
    this.printNdjson(json)
  }

  public async run(): Promise<WatchSummaryEvent | {observations: number}> {
    const {args, flags, metadata} = await this.parse(Watch)
    const specs = parseFrom(flags.from)
    if (flags['vp-location'] !== undefined) {
      throw new AnyprobeError('E_USAGE', '--vp-location says where this host is (trace, dns, http); watch does not take it', {
        hint: '--location NAME=LAT,LON (repeatable) or --locations FILE places the vantage points of --from (for --expect country rules and the --html map); RIPE Atlas and Globalping probes have their own location',
        exitCode: EXIT.usage,
      })
    }
    // --atlas-msm, --dry-run, --keep, --ssh-option, --remote-command with no vantage point that uses
    // them: refused, never dropped silently (one rule with catchment, sites and trace/dns/http --from;
    // the watch's own: --dry-run and --keep with atlas: only, local probed in this process)
    refuseUnusedVantageFlags(specs.map((sp) => sp.kind), {'atlas-msm': flags['atlas-msm'], 'dry-run': flags['dry-run'], keep: flags.keep, 'ssh-option': flags['ssh-option'], 'remote-command': flags['remote-command']}, {watch: true})
    refuseExecFlagsWithoutExec(flags, metadata)
    // child mode: flags checked before anything starts
    const settings = flags.observations ? watchSettings(flags) : null
    const abort = new AbortController()
    // a second Ctrl-C / SIGTERM: stop waiting for --exec hooks at the end (the summary still comes)
    const hurry = new AbortController()
    const onSignal = (): void => {
      if (abort.signal.aborted) hurry.abort()
      else abort.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    // a reader that goes away (`watch ... | head`) stops the watch as Ctrl-C does: a RIPE Atlas
    // measurement it created is still stopped, --out/--learn still written, the exit code still set
    const undoClosed = whenStdoutCloses(onSignal)
    try {
      if (settings !== null) return await this.childMode(args.target, settings, flags, specs, abort.signal)
      // one path for every backend (src/watch/run.ts): what differs is in the backends
      const ask = watchAsk(flags, args.target, metadata)
      const flapWindowMs = flags['flap-window'] === undefined ? undefined : parseDuration(flags['flap-window'], '--flap-window')
      const locations = locationsFromFlags(flags)
      const backends = await backendsFor(specs, {
        concurrency: specs.length,
        // netns, ssh and local vantage points placed with --location / --locations: their PoPs are
        // named there (the speed-of-light check), as catchment's children are told --vp-location
        locations,
        remoteCommand: flags['remote-command'] ?? null,
        sshOptions: flags['ssh-option'] ?? [],
        atlasMsm: flags['atlas-msm'] ?? null,
        atlasKeep: flags.keep,
      })
      const end = await runWatch(backends, {
        ask,
        flapThreshold: flags['flap-threshold'],
        flapWindowMs,
        port: flags.port,
        insecure: flags.insecure,
        out: flags.out,
        metrics: flags.metrics,
        html: flags.html,
        json: this.jsonEnabled(),
        tty: Boolean(process.stdout.isTTY),
        extras: flags,
        signal: abort.signal,
        hurry: hurry.signal,
        write: (t) => void printText(t),
        report: (line) => process.stderr.write(line + '\n'),
      })
      // --dry-run: the document (printed by the command with --json)
      if ('dryRun' in end) return end.dryRun as unknown as WatchSummaryEvent
      if (end.exitCode !== undefined) process.exitCode = end.exitCode
      // a --location name no vantage point of the watch had placed nothing (as report, diff, catchment say);
      // known only at the end: RIPE Atlas and Globalping probes appear as their results come
      warnUnmatchedLocations(locations, watchedVantages(end.summary))
      return end.summary
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      undoClosed()
    }
  }

  private async childMode(
    target: string,
    s: WatchSettings,
    flags: {'start-at'?: number; 'vantage-id'?: string; port: number; insecure: boolean; signals: boolean; 'stop-on-eof': boolean},
    specs: VantageSpec[],
    signal: AbortSignal,
  ): Promise<{observations: number}> {
    if (specs.length !== 1 || specs[0]!.kind !== 'local') {
      throw new AnyprobeError('E_USAGE', '--observations works only with --from local', {hint: 'it is the child mode of netns and ssh vantage points', exitCode: EXIT.usage})
    }
    // --signals: the parent names the PoPs, so this process never loads the place dictionaries
    const prober = await makeLocalProber({method: s.method, target, timeoutMs: s.timeoutMs, port: flags.port, insecure: flags.insecure}, flags.signals ? null : popNamer())
    // --stop-on-eof: the parent closes our stdin to stop us; through ssh that is the only way it can
    const stop = new AbortController()
    const stopped = stop.signal
    if (signal.aborted) stop.abort()
    else signal.addEventListener('abort', () => stop.abort(), {once: true})
    if (flags['stop-on-eof']) {
      process.stdin.on('end', () => stop.abort())
      process.stdin.on('close', () => stop.abort())
      process.stdin.on('error', () => stop.abort())
      process.stdin.resume()
    }
    // a child whose parent died (killed with SIGKILL, say) stops instead of probing forever
    const parent = process.ppid
    const orphanCheck = setInterval(() => {
      if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM')
    }, 500)
    orphanCheck.unref()
    let n = 0
    // a failure of the vantage point's own (a certificate it did not trust): said once on stderr,
    // which the parent shows as the vantage point's message
    const fault = faultOnce()
    try {
      await runRounds({
        vantageId: flags['vantage-id'] ?? 'local',
        prober,
        intervalMs: s.intervalMs,
        flows: s.flows,
        startAt: flags['start-at'] ?? Date.now() + 50,
        count: s.count,
        // --count and --duration are per vantage point: a child that joined late still probes that long
        countFromFirst: true,
        durationMs: s.durationMs,
        signal: stopped,
        onObservation(o, answer) {
          n++
          const said = fault(answer)
          if (said !== null) process.stderr.write(said + '\n')
          // HTTP: the address that answered too, whose network the parent weighs (edge-trust)
          void printNdjson(flags.signals && answer?.signals ? {...o, signals: answer.signals, ...(answer.answerAddr === undefined ? {} : {answerAddr: answer.answerAddr})} : o)
        },
      })
    } finally {
      prober.close?.()
    }
    clearInterval(orphanCheck)
    // stdin would keep the process alive after the last round
    if (flags['stop-on-eof']) process.stdin.destroy()
    return {observations: n}
  }
}

/** The vantage points a watch saw (those that sent nothing too), for the --location names check. */
function watchedVantages(sum: WatchSummaryEvent): VantagePoint[] {
  const bare = (id: string): VantagePoint => ({kind: 'local', id, name: null, asn: null, country: null, lat: null, lon: null})
  return [...sum.vantagePoints.map((v) => v.vantage ?? bare(v.vantageId)), ...(sum.notReady ?? []).map(bare)]
}

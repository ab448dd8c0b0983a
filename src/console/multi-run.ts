// The command side of --from (CLI layer: it prints and sets the exit code; the vantage layer below
// only yields outcomes): the flags every measuring command shares, the plan, the run over
// every backend (concurrency, progress on stderr, outcomes streamed as they arrive) and the
// multi-vantage output of trace / dns / http:
//
//   text      each vantage point's own table as it arrives, then the catchment table as a summary
//   --json    {schemaVersion: 1, kind: "multi", method, target, outcomes: [{vantage, result, error}]}
//             (outcomes ordered by vantage kind, then id)
//   --ndjson  one {schemaVersion: 1, kind: "outcome", method, target, vantage, result, error} per line,
//             written the moment each vantage point finishes (arrival order)
//
// Exit status of a multi-vantage run (model/exit.ts, one rule for every command): 0 when the target
// answered every vantage point, 9 when it answered some (a failed vantage point or one the target
// never answered: in the output, with the others), 4 when it answered none. Usage errors exit 2
// before anything runs. A RIPE Atlas or Globalping backend that could not measure at all (no
// network, a refused key: vantage/remote-failure.ts) is no vantage point: alone, its error ends the
// run (exit 6 or 2, with its hint); beside others' outcomes, it is said on stderr and its exit code
// wins over 4 / 9 (unmeasuredOf), so an alert on exit 4 is not a page for this host's network.
import {catchment, compareVantage, resultReached} from '../analysis/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {type Answer, answerOf, countAnswers, measuredExit, sharedFailureExit} from '../model/exit.js'
import {renderCatchment, vantageLabel} from '../render/catchment.js'
import {renderResult} from '../render/index.js'
import {isPopHeader} from '../infer/index.js'
import {parseDuration} from '../util/duration.js'
import {sanitize} from '../util/sanitize.js'
import {isLocalOnly, parseFrom, type VantageSpec} from '../vantage/from.js'
import {atlasDryRuns, backendsFor, expectedCount, mergeOutcomes} from '../vantage/index.js'
import {checkRemotePlan} from '../vantage/remote-plan.js'
import {incompleteRead, remoteRunFailure} from '../vantage/remote-failure.js'
import type {Locations} from '../vantage/locations.js'
import {MULTI_SCHEMA_VERSION, type MultiResult, type OutcomeLine, refuseUnusedVantageFlags, type VantageFlagValues} from './vantage-flags.js'
import {printJson, stdoutWriter} from './output.js'
import {planFromParse} from './plan.js'
import {checkAsnDbs} from './probe-settings.js'
import type {ProbeMethod, ProbePlan, VantageOutcome} from '../model/probe.js'

/** Stderr progress: "anyprobe: 3/8 vantage points done, 1 failed". Redrawn in place on a terminal. */
export class Progress {
  private done = 0
  private failed = 0
  constructor(
    private readonly total: number | null,
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  line(): string {
    return `anyprobe: ${this.done}/${this.total ?? '?'} vantage points done, ${this.failed} failed`
  }

  update(o: VantageOutcome): void {
    this.done++
    if (o.result === null) this.failed++
    if (!this.enabled) return
    if (this.stream.isTTY) this.stream.write(`\r\u001b[K${this.line()}`)
    else this.stream.write(`${this.line()}\n`)
  }

  end(): void {
    if (this.enabled && this.stream.isTTY && this.done > 0) this.stream.write('\n')
  }
}

export interface RunOutput {
  json: boolean
  log: (text: string) => void
}

export interface RunOptions {
  specs: VantageSpec[]
  plan: ProbePlan
  flags: VantageFlagValues
  out: RunOutput
  /** called with each outcome as it arrives (after progress and NDJSON) */
  onOutcome?: (o: VantageOutcome) => void
  /** --location / --locations: netns, ssh and local vantage points are placed, and their probes told so */
  locations?: Locations | null
  /** stops the run as Ctrl-C / SIGTERM does (sites: one signal over all its rounds) */
  signal?: AbortSignal
}

/** Run the plan at every vantage point; outcomes in arrival order. */
export async function runVantages(opts: RunOptions): Promise<VantageOutcome[]> {
  const {flags, plan} = opts
  if (flags.ndjson && opts.out.json) {
    throw new AnyprobeError('E_USAGE', '--ndjson and --json cannot be combined', {
      hint: '--json prints one document at the end; --ndjson prints one outcome per line as they arrive',
      exitCode: EXIT.usage,
    })
  }
  // a vantage flag no vantage point here uses (--ssh-option without ssh:) is refused, not dropped
  refuseUnusedVantageFlags(opts.specs.map((s) => s.kind), flags)
  const timeoutMs = parseDuration(flags['vp-timeout'] ?? '60s', '--vp-timeout')
  // a probe flag RIPE Atlas or Globalping cannot carry is refused here, before anything starts
  await checkRemotePlan(opts.specs, plan, {atlasMsm: flags['atlas-msm'] ?? null})
  // --asn-db files a local or netns child would open on this host: opened now, as `trace` opens
  // them before it sends anything (E_MMDB, exit 2), not refused by each child (exit 4 for the run)
  if (opts.specs.some((s) => s.kind === 'local' || s.kind === 'netns')) await checkAsnDbs(asnDbsOf(plan))
  if (flags['dry-run']) {
    // Nothing is measured: print what RIPE Atlas or Globalping would be asked and what it costs, then stop.
    const hasGp = opts.specs.some((s) => s.kind === 'globalping')
    if (hasGp && opts.specs.some((s) => s.kind === 'atlas')) {
      // schemas/dry-run.schema.json has one document per service: printing one would hide the other
      throw new AnyprobeError('E_USAGE', '--dry-run shows RIPE Atlas or Globalping requests, not both at once', {
        hint: 'run the --dry-run once with the atlas: vantage points and once with the globalping: ones',
        exitCode: EXIT.usage,
      })
    }
    const gp = hasGp ? (await import('../vantage/globalping/backends.js')).globalpingDryRuns(opts.specs, plan) : null
    printJson(gp ?? (await atlasDryRuns(opts.specs, plan)))
    process.exit(EXIT.ok)
  }
  const backends = await backendsFor(opts.specs, {
    atlasMsm: flags['atlas-msm'] ?? null,
    concurrency: flags.concurrency,
    remoteCommand: flags['remote-command'] ?? null,
    timeoutMs,
    // given, --vp-timeout bounds the wait for RIPE Atlas results too; unset, Atlas keeps its 10 min
    ...(flags['vp-timeout'] === undefined ? {} : {atlasTimeoutMs: timeoutMs}),
    sshOptions: flags['ssh-option'] ?? [],
    locations: opts.locations ?? null,
  })
  const total = expectedCount(backends)
  const progress = new Progress(total, flags.progress ?? (process.stderr.isTTY === true && total !== 1))
  const ac = new AbortController()
  const onSignal = (): void => ac.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  if (opts.signal?.aborted) ac.abort()
  else opts.signal?.addEventListener('abort', onSignal, {once: true})
  const outcomes: VantageOutcome[] = []
  const unmeasured: AnyprobeError[] = []
  const ndjson = stdoutWriter()
  try {
    const streams = backends.map((b) => endOnRemoteFailure(b.run(plan, {concurrency: flags.concurrency, signal: ac.signal}), b.spec, unmeasured))
    for await (const o of mergeOutcomes(streams, backends.map((b) => b.spec))) {
      outcomes.push(o)
      progress.update(o)
      if (flags.ndjson) {
        const line: OutcomeLine = {schemaVersion: MULTI_SCHEMA_VERSION, kind: 'outcome', method: plan.method, target: plan.target, ...o}
        // written the moment it arrives; waits while the reader is behind
        ndjson.record(line)
        await ndjson.flush()
      }
      opts.onOutcome?.(o)
    }
  } finally {
    progress.end()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    opts.signal?.removeEventListener('abort', onSignal)
  }
  if (ac.signal.aborted) return outcomes
  if (unmeasured.length === 0) {
    // results that broke off after some came (said by the backend as it happened): exit 7 or 6, not 9 or 4
    const cut = backends.map(incompleteRead).find((e) => e !== null)
    if (cut) unmeasuredRuns.set(outcomes, cut)
    return outcomes
  }
  // nothing else measured: the service's error is the run's (printed with its hint by the command)
  if (outcomes.length === 0) {
    for (const e of unmeasured.slice(1)) process.stderr.write(errorText(e))
    throw unmeasured[0]!
  }
  for (const e of unmeasured) process.stderr.write(errorText(e))
  unmeasuredRuns.set(outcomes, unmeasured[0]!)
  return outcomes
}

/** The --asn-db files of a plan (as its children get them: --asn-db=FILE). */
function asnDbsOf(plan: ProbePlan): string[] {
  const flag = '--asn-db='
  return plan.cliArgs.filter((a) => a.startsWith(flag)).map((a) => a.slice(flag.length))
}

/** A backend's outcomes; a remote service that could not measure ends it quietly, its error kept in `failures`. */
async function* endOnRemoteFailure(stream: AsyncIterable<VantageOutcome>, spec: string, failures: AnyprobeError[]): AsyncGenerator<VantageOutcome> {
  try {
    yield* stream
  } catch (e) {
    const failure = remoteRunFailure(spec, e)
    if (failure === null) throw e // a local, netns or ssh backend: a failed vantage point, as before
    failures.push(failure)
  }
}

/** `error CODE: message` and its hint, as the command prints an error (base-command.ts formatError). */
function errorText(e: AnyprobeError): string {
  return `error ${e.code}: ${sanitize(e.message, 2000)}\n${e.hint ? `hint: ${sanitize(e.hint, 1000)}\n` : ''}`
}

/** outcomes returned by runVantages -> the service that could not measure beside them */
const unmeasuredRuns = new WeakMap<readonly VantageOutcome[], AnyprobeError>()

/**
 * The error of a RIPE Atlas or Globalping backend that could not measure while other vantage points
 * did (null: none): its exit code is the run's (model/exit.ts `unmeasured`).
 */
export function unmeasuredOf(outcomes: readonly VantageOutcome[]): AnyprobeError | null {
  return unmeasuredRuns.get(outcomes) ?? null
}

/** Carry runVantages' unmeasured error to an array made from its outcomes (sites' best of rounds). */
export function carryUnmeasured(from: readonly VantageOutcome[], to: readonly VantageOutcome[]): void {
  const e = unmeasuredRuns.get(from)
  if (e !== undefined && !unmeasuredRuns.has(to)) unmeasuredRuns.set(to, e)
}

/** One vantage point's section of the multi-vantage text output. */
export function renderOutcome(o: VantageOutcome): string {
  const head = `### ${vantageLabel(o.vantage)}`
  if (o.result !== null) return `${head}\n${renderResult(o.result, {knownHeader: isPopHeader})}`
  const e = o.error
  return `${head}\nerror ${sanitize(e?.code ?? 'E_UNKNOWN', 40)}: ${sanitize(e?.message ?? 'no result', 500)}${e?.hint ? `\nhint: ${sanitize(e.hint, 300)}` : ''}`
}

/** Outcomes in a fixed order (vantage kind, then id): the same run always gives the same document. */
export function orderOutcomes(outcomes: VantageOutcome[]): VantageOutcome[] {
  return [...outcomes].sort((a, b) => compareVantage(a.vantage, b.vantage))
}

/** An outcome's answer as the exit code counts it (model/exit.ts answerOf): a failed vantage point did not answer. */
export function answerOfOutcome(o: Pick<VantageOutcome, 'vantage' | 'result' | 'error'>): Answer {
  return answerOf(o.result === null ? null : resultReached(o.result), o.vantage.kind, o.error?.code)
}

/**
 * 0 every vantage point answered, 9 some, 4 none (6 when none could be used at all; 2 / 3 / 5 when
 * every one failed with the same usage, resolve or privilege error); a remote service that could
 * not measure: its code (model/exit.ts).
 */
export function exitCodeOf(outcomes: readonly VantageOutcome[]): number {
  return measuredExit({
    ...countAnswers(outcomes.map(answerOfOutcome)),
    failedAs: sharedFailureExit(outcomes.map((o) => (o.result === null ? (o.error?.code ?? null) : null))),
    unmeasured: unmeasuredOf(outcomes)?.exitCode,
  })
}

/** trace / dns / http with --from naming anything but this host alone. */
export async function runMulti(opts: Omit<RunOptions, 'onOutcome'>): Promise<MultiResult> {
  const {out, plan} = opts
  const text = !out.json && !opts.flags.ndjson
  const outcomes = await runVantages({...opts, onOutcome: text ? (o) => out.log(`${renderOutcome(o)}\n`) : undefined})
  const ordered = orderOutcomes(outcomes)
  if (text) {
    out.log(`### summary\n${renderCatchment(catchment(ordered, {target: plan.target, method: plan.method}))}`)
  }
  process.exitCode = exitCodeOf(outcomes)
  return {schemaVersion: MULTI_SCHEMA_VERSION, kind: 'multi', method: plan.method, target: plan.target, outcomes: ordered}
}

/** The multi-vantage run of trace / dns / http (./from-elsewhere.ts decides whether there is one). */
export async function runElsewhere(
  parsed: {flags: VantageFlagValues & Record<string, unknown>; metadata: {flags: Record<string, {setFromDefault?: boolean} | undefined>}},
  method: Exclude<ProbeMethod, 'ping'>,
  target: string,
  out: RunOutput,
  specs: VantageSpec[],
): Promise<MultiResult> {
  const plan = planFromParse(method, target, parsed)
  return runMulti({specs, plan, flags: parsed.flags, out})
}


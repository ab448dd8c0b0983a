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
// before anything runs.
import {catchment, compareVantage, resultReached} from '../analysis/catchment.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {measuredExit} from '../model/exit.js'
import {renderCatchment, vantageLabel} from '../render/catchment.js'
import {renderResult} from '../render/index.js'
import {isPopHeader} from '../infer/index.js'
import {parseDuration} from '../util/duration.js'
import {sanitize} from '../util/sanitize.js'
import {isLocalOnly, parseFrom, type VantageSpec} from '../vantage/from.js'
import {atlasDryRuns, backendsFor, expectedCount, mergeOutcomes} from '../vantage/index.js'
import {checkRemotePlan} from '../vantage/remote-plan.js'
import type {Locations} from '../vantage/locations.js'
import {MULTI_SCHEMA_VERSION, type MultiResult, type OutcomeLine, refuseUnusedVantageFlags, type VantageFlagValues} from './vantage-flags.js'
import {printJson, stdoutWriter} from './output.js'
import {planFromParse} from './plan.js'
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
  const outcomes: VantageOutcome[] = []
  const ndjson = stdoutWriter()
  try {
    for await (const o of mergeOutcomes(backends.map((b) => b.run(plan, {concurrency: flags.concurrency, signal: ac.signal})), backends.map((b) => b.spec))) {
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
  }
  return outcomes
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

/** How many vantage points the target answered: a failed one did not. */
export function answeredCount(outcomes: readonly VantageOutcome[]): number {
  let n = 0
  for (const o of outcomes) if (o.result !== null && resultReached(o.result)) n++
  return n
}

/** 0 every vantage point answered, 9 some, 4 none (model/exit.ts). */
export function exitCodeOf(outcomes: readonly VantageOutcome[]): number {
  return measuredExit({answered: answeredCount(outcomes), total: outcomes.length})
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


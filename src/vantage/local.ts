// Running a measurement in a child process and turning what it printed into a VantageOutcome.
// Local, netns and ssh vantage points are the same thing with a different wrapper around one argv:
//
//   local:  <anyprobe> dns 198.51.100.10 --json
//   netns:  ip netns exec NAME <anyprobe> dns 198.51.100.10 --json
//   ssh:    ssh -o BatchMode=yes ... -- user@host '<anyprobe> dns 198.51.100.10 --json'
//
// <anyprobe> is this very CLI (process.execPath + the bin script it was started with) for local and
// netns, `anyprobe` from the remote PATH for ssh, or --remote-command for either. The `ping` method
// has no anyprobe command: it runs the system ping (iputils) the same way and parses its output.
//
// Whatever a child does, the vantage point ends as an outcome: a result (a child that exits 4 for
// "unreachable" still printed a valid result: kept), the child's own {"error": ...} document, or
// an E_VP_* error saying what went wrong with the place itself. Codes are stable:
//   E_VP_SPAWN       the wrapper or command could not be started (not installed, not on PATH)
//   E_VP_NETNS       ip netns exec failed (no such namespace, not root)
//   E_VP_CONNECT     ssh could not connect or log in (exit 255)
//   E_VP_TIMEOUT     no complete answer within --vp-timeout; the child was killed
//   E_VP_BAD_OUTPUT  the child printed something that is not an anyprobe result
//   E_VP_DIED        it ended (a signal, a failing exit) having printed nothing and said no error
//   E_VP_ABORTED     interrupted before it finished
// plus any code an anyprobe child reports itself (E_NO_RAW_SOCKET, E_RESOLVE, ...).
import {spawn} from 'node:child_process'
import {hostname} from 'node:os'

import pLimit, {type LimitFunction} from 'p-limit'

import {localVantage, type VantagePoint} from '../model/vantage.js'
import {PING_SCHEMA_VERSION, type PingResult} from '../model/ping.js'
import {sanitize} from '../util/sanitize.js'
import type {ProbePlan, ProbeResult, VantageBackend, VantageError, VantageOutcome} from './types.js'
import type {LiveSchedule, RoundEvent, RoundsPlan, ScheduleRequest} from '../model/probe.js'
import {childRounds, localRounds} from './live/rounds.js'
import {localSchedule} from './live/schedule.js'
import {checkResult} from '../store/validate.js'
import {type Locations, locateVantage} from './locations.js'

/** What a child-process vantage point needs besides the plan. */
export interface ChildOptions {
  /** replaces the anyprobe command (a template; "{args}" marks where the arguments go, else they are appended) */
  remoteCommand?: string | null
  /** per vantage point limit, ms (the child is killed after it) */
  timeoutMs?: number
  /** shared by every backend of one run, so --concurrency bounds the whole run */
  limit?: LimitFunction
  /**
   * --location / --locations: where these vantage points are. Their outcomes carry it, and a trace,
   * dns or http child is told it (--vp-location), so its PoP verdict rules out the places its RTTs
   * cannot reach, as a local run with --vp-location does
   */
  locations?: Locations | null
}

export const DEFAULT_VP_TIMEOUT_MS = 60_000
const MAX_OUTPUT = 64 << 20

export interface ChildCommand {
  file: string
  args: string[]
}

export interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
  aborted: boolean
  /** spawn failed (ENOENT, EACCES) */
  spawnError: NodeJS.ErrnoException | null
}

/**
 * Run a command in its own process group (so a timeout kills everything it started, e.g. a shell's
 * children) and collect its output. Never rejects.
 */
export function runChild(cmd: ChildCommand, opts: {timeoutMs: number; signal?: AbortSignal}): Promise<ChildRun> {
  return new Promise((resolve) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outLen = 0
    let errLen = 0
    let timedOut = false
    let aborted = false
    let settled = false
    let exitCode: number | null = null
    let exitSignal: NodeJS.Signals | null = null
    let child: ReturnType<typeof spawn>
    const finish = (spawnError: NodeJS.ErrnoException | null = null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      opts.signal?.removeEventListener('abort', onAbort)
      resolve({
        code: exitCode,
        signal: exitSignal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        aborted,
        spawnError,
      })
    }
    let grace: NodeJS.Timeout | undefined
    const kill = (): void => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      grace = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
        } catch {
          /* already gone */
        }
        // a grandchild holding the pipes open must not hold us: give up on the rest of the output
        setTimeout(() => finish(), 500).unref()
      }, 1000)
      grace.unref()
    }
    const onAbort = (): void => {
      aborted = true
      kill()
    }
    try {
      child = spawn(cmd.file, cmd.args, {stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    } catch (e) {
      resolve({code: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, spawnError: e as NodeJS.ErrnoException})
      return
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, opts.timeoutMs)
    if (opts.signal?.aborted) onAbort()
    else opts.signal?.addEventListener('abort', onAbort, {once: true})
    child.stdout!.on('data', (b: Buffer) => {
      if (outLen + b.length > MAX_OUTPUT) return
      outLen += b.length
      out.push(b)
    })
    child.stderr!.on('data', (b: Buffer) => {
      if (errLen + b.length > 1 << 20) return
      errLen += b.length
      err.push(b)
    })
    child.on('error', (e) => finish(e as NodeJS.ErrnoException))
    child.on('exit', (code, signal) => {
      exitCode = code
      exitSignal = signal
    })
    child.on('close', (code, signal) => {
      exitCode = code
      exitSignal = signal
      finish()
    })
  })
}

// ---- quoting and the anyprobe command ----

/** Quote one word for a POSIX shell (ssh hands its command line to the remote user's shell). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/** Split a --remote-command template into words (single and double quotes, backslash escapes). */
export function splitWords(text: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = null
      else cur += c
    } else if (quote === '"') {
      if (c === '"') quote = null
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i]
      else cur += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += c
      inWord = true
    }
  }
  if (inWord) words.push(cur)
  return words
}

/** The argv of this very anyprobe: same node, same bin script. */
export function selfCommand(): string[] {
  const script = process.argv[1]
  return script ? [process.execPath, ...process.execArgv, script] : [process.execPath, ...process.execArgv]
}

/** Fill a template's "{args}" word with args, or append them. */
export function fillTemplate(words: string[], args: string[]): string[] {
  const i = words.indexOf('{args}')
  return i < 0 ? [...words, ...args] : [...words.slice(0, i), ...args, ...words.slice(i + 1)]
}

/**
 * The plan told where its vantage point is (--vp-location), when that is known (--location) and
 * the user did not say it already: trace, dns and http use it to rule out places their RTT cannot
 * reach.
 */
export function withVpLocation(plan: ProbePlan, v: VantagePoint): ProbePlan {
  if (plan.method === 'ping' || v.lat === null || v.lon === null) return plan
  if (plan.cliArgs.some((a) => a === '--vp-location' || a.startsWith('--vp-location='))) return plan
  return {...plan, cliArgs: [...plan.cliArgs, `--vp-location=${v.lat},${v.lon}`]}
}

/** The argv a vantage point runs for a plan (before any netns / ssh wrapper). */
export function probeArgv(plan: ProbePlan, anyprobe: string[]): string[] {
  if (plan.method === 'ping') return pingArgv(plan)
  return fillTemplate(anyprobe, [plan.method, ...plan.cliArgs, '--json'])
}

// ---- ping (iputils) ----

export function pingArgv(plan: ProbePlan): string[] {
  const count = plan.options.probes ?? 3
  const waitS = Math.max(1, Math.ceil((plan.options.timeoutMs ?? 1000) / 1000))
  // -n: no reverse lookups; -i 0.2: the shortest interval iputils allows without root
  return ['ping', '-n', '-c', String(count), '-i', '0.2', '-W', String(waitS), '--', plan.target]
}

/** Parse iputils ping output into a PingResult; null when it does not look like ping output. */
export function parsePingOutput(text: string, target: string, vantage: VantagePoint, startedAt: string): PingResult | null {
  const head = /^PING\s+(\S+)\s+\(([0-9a-fA-F.:]+)\)/m.exec(text)
  const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text)
  if (!head && !stats) return null
  const sent = stats ? Number(stats[1]) : 0
  const rtt: Array<number | null> = Array.from({length: sent}, () => null)
  for (const m of text.matchAll(/icmp_seq=(\d+).*?time[=<]([\d.]+) ms/g)) {
    const seq = Number(m[1])
    if (seq >= 1 && seq <= sent) rtt[seq - 1] = Number(m[2])
  }
  const got = rtt.filter((r): r is number => r !== null)
  const addr = head?.[2] ?? null
  const round = (n: number): number => Math.round(n * 1000) / 1000
  return {
    schemaVersion: PING_SCHEMA_VERSION,
    kind: 'ping',
    target,
    targetAddr: addr,
    family: addr === null ? null : addr.includes(':') ? 6 : 4,
    vantage,
    startedAt,
    sent,
    received: stats ? Number(stats[2]) : got.length,
    rttMs: rtt,
    minMs: got.length ? round(Math.min(...got)) : null,
    avgMs: got.length ? round(got.reduce((a, b) => a + b, 0) / got.length) : null,
    maxMs: got.length ? round(Math.max(...got)) : null,
    pop: null,
  }
}

// ---- what a child printed -> outcome ----

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '')
  return sanitize(lines.at(-1) ?? '', 300)
}

function vpError(code: string, message: string, hint: string | null): VantageError {
  return {code, message, hint}
}

export interface OutcomeContext {
  /** what wraps the command, for messages: "local", "netns", "ssh" */
  via: 'local' | 'netns' | 'ssh'
  /** human name of the command run, e.g. "anyprobe" or the --remote-command */
  command: string
  timeoutMs: number
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * What went wrong with the place itself, whatever the child was asked to do (a one-shot probe or a
 * live watch): it could not start, ssh could not connect, the namespace could not be entered, or
 * the command is not there. null when the child ran. Shared by outcomeFromChild and watch's children.
 */
export function placeFailure(run: Pick<ChildRun, 'spawnError' | 'code' | 'signal' | 'stderr' | 'stdout'>, ctx: Pick<OutcomeContext, 'via' | 'command'>): VantageError | null {
  if (run.spawnError) {
    const what = run.spawnError.path ?? ctx.command
    return vpError('E_VP_SPAWN', `cannot run ${sanitize(String(what), 200)}: ${run.spawnError.code ?? run.spawnError.message}`,
      ctx.via === 'netns' ? 'ip(8) from iproute2 is needed for netns: vantage points' : ctx.via === 'ssh' ? 'the ssh client (openssh-client) is needed for ssh: vantage points' : null)
  }
  const why = lastLine(run.stderr) || lastLine(run.stdout) || `exit ${run.code ?? run.signal}`
  if (ctx.via === 'ssh' && run.code === 255) {
    return vpError('E_VP_CONNECT', `ssh failed: ${why}`, 'check the host is up and accepts key login without a prompt (BatchMode=yes); --ssh-option passes -o options to ssh')
  }
  if (ctx.via === 'netns' && run.code === 255 && /network namespace|netns|Operation not permitted/i.test(run.stderr)) {
    return vpError('E_VP_NETNS', `ip netns exec failed: ${why}`, 'list namespaces with `ip netns list`; entering one needs root')
  }
  if (run.code === 127) {
    return vpError('E_VP_SPAWN', `${ctx.command} was not found (${why})`,
      ctx.via === 'ssh' ? 'install anyprobe on the remote PATH, or give --remote-command "node /path/to/anyprobe/bin/run.js"' : 'check --remote-command')
  }
  return null
}

/** Turn one finished child into the outcome of its vantage point. Pure: tested without processes. */
export function outcomeFromChild(vantage: VantagePoint, plan: ProbePlan, run: ChildRun, ctx: OutcomeContext, startedAt: string): VantageOutcome {
  const fail = (e: VantageError): VantageOutcome => ({vantage, result: null, error: e})
  if (run.spawnError) return fail(placeFailure(run, ctx)!)
  if (run.aborted || run.timedOut) {
    // a trace child stopped by SIGTERM still prints what it measured (stopReason 'halted'): keep
    // it, as a local trace interrupted by Ctrl-C is printed (nothing already measured is lost)
    const kept = plan.method === 'ping' ? null : stoppedResult(run.stdout, plan, vantage)
    if (kept !== null) return {vantage, result: kept, error: null}
  }
  if (run.aborted) return fail(vpError('E_VP_ABORTED', 'interrupted before the measurement finished', null))
  if (run.timedOut) {
    return fail(vpError('E_VP_TIMEOUT', `no complete answer within ${ctx.timeoutMs} ms; the ${ctx.via} command was stopped`,
      'raise --vp-timeout, or lower the probe\'s own --timeout / --max-hops'))
  }
  if (plan.method === 'ping') {
    const r = parsePingOutput(run.stdout, plan.target, vantage, startedAt)
    if (r !== null) return {vantage, result: r, error: null}
  } else {
    const doc = childDocument(run.stdout)
    if (isObject(doc)) {
      if (isObject(doc.error)) {
        const e = doc.error
        return fail(vpError(
          typeof e.code === 'string' ? sanitize(e.code, 40) : 'E_VP_BAD_OUTPUT',
          typeof e.message === 'string' ? sanitize(e.message, 500) : 'the command reported an error without a message',
          typeof e.hint === 'string' ? sanitize(e.hint, 300) : null,
        ))
      }
      if (doc.kind === plan.method) {
        // checked against the model like every record from outside (src/store/validate.ts)
        const result = checkResult(doc, vantage)
        if (typeof result !== 'string') return {vantage, result, error: null}
        return fail(vpError('E_VP_BAD_OUTPUT', `${ctx.command} printed a ${plan.method} result that does not check: ${result}`,
          'the remote anyprobe may be a different version: compare anyprobe --version on both ends'))
      }
      return fail(vpError('E_VP_BAD_OUTPUT', `${ctx.command} printed JSON that is not a ${plan.method} result (kind ${sanitize(String(doc.kind), 40)})`,
        'the remote anyprobe may be a different version: compare anyprobe --version on both ends'))
    }
  }
  // no result: say why, from the most specific sign
  const place = placeFailure(run, ctx)
  if (place !== null) return fail(place)
  const why = lastLine(run.stderr) || lastLine(run.stdout) || `exit ${run.code ?? run.signal}`
  if (run.stdout.trim() === '' && run.code !== 0) {
    // nothing printed and a failing end (a crash, a kill): it died, it did not say something wrong
    return fail(vpError('E_VP_DIED', `${ctx.command} ended (${run.signal === null ? `exit ${run.code}` : `signal ${run.signal}`}) without a result: ${why}`,
      ctx.via === 'ssh' ? 'the connection or the remote anyprobe died; run the same command by hand there to see why' : 'the child died; run the same command by hand at that vantage point to see why'))
  }
  const shown = run.stdout.trim() === '' ? 'nothing' : `"${sanitize(run.stdout.trim().slice(0, 80), 80)}"`
  return fail(vpError('E_VP_BAD_OUTPUT', `${ctx.command} printed ${shown} instead of a ${plan.method === 'ping' ? 'ping report' : 'JSON result'} (exit ${run.code ?? run.signal}): ${why}`,
    plan.method === 'ping' ? 'iputils ping must be installed where the vantage point is' : 'run the same command by hand at that vantage point to see what it says'))
}

/** The JSON document a child printed (its --json output), or undefined when it printed none. */
function childDocument(stdout: string): unknown {
  const text = stdout.trim()
  if (!text.startsWith('{')) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The result a stopped child printed before it ended, when it is one of plan.method that checks; else null. */
function stoppedResult(stdout: string, plan: ProbePlan, vantage: VantagePoint): ProbeResult | null {
  const doc = childDocument(stdout)
  if (!isObject(doc) || doc.kind !== plan.method) return null
  const result = checkResult(doc, vantage)
  return typeof result === 'string' ? null : result
}

// ---- one backend shape for every child-process place ----

/** Yield the values of tasks as each settles, not in order. */
export async function* asTheyCome<T>(tasks: Array<() => Promise<T>>, limit: LimitFunction): AsyncGenerator<T> {
  const done: T[] = []
  let wake: (() => void) | null = null
  let left = tasks.length
  for (const task of tasks) {
    void limit(task).then((v) => {
      done.push(v)
      wake?.()
    })
  }
  while (left > 0) {
    if (done.length === 0) await new Promise<void>((r) => (wake = r))
    wake = null
    while (done.length > 0) {
      left--
      yield done.shift()!
    }
  }
}

export interface Place {
  vantage: VantagePoint
}

/** A backend whose vantage points are child processes; subclasses say how to wrap the argv. */
export abstract class ChildBackend<P extends Place> implements VantageBackend {
  protected readonly timeoutMs: number
  protected readonly places: P[]
  constructor(
    readonly spec: string,
    places: P[],
    protected readonly opts: ChildOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_VP_TIMEOUT_MS
    const locs = opts.locations ?? null
    this.places = locs === null ? places : places.map((p) => ({...p, vantage: locateVantage(p.vantage, locs)}))
  }

  expected(): number {
    return this.places.length
  }

  protected abstract via: OutcomeContext['via']
  /** the anyprobe command as words, before the arguments */
  protected abstract anyprobe(): string[]
  /** wrap a probe's argv so it runs at the place */
  protected abstract wrap(place: P, argv: string[]): ChildCommand

  /**
   * The command that runs `anyprobe <args>` at each vantage point of this backend, wrapped as every
   * other run is (ip netns exec, ssh with its options and quoting). For callers that run their own
   * long-lived children (watch) instead of a one-shot plan.
   */
  commandsAt(args: string[]): Array<ChildCommand & {vantage: VantagePoint; via: OutcomeContext['via']; command: string}> {
    const command = this.opts.remoteCommand ? '--remote-command' : 'anyprobe'
    return this.places.map((place) => ({...this.wrap(place, fillTemplate(this.anyprobe(), args)), vantage: place.vantage, via: this.via, command}))
  }

  /** the words a user would recognise in messages */
  protected commandName(plan: ProbePlan): string {
    return plan.method === 'ping' ? 'ping' : this.opts.remoteCommand ? '--remote-command' : 'anyprobe'
  }

  async measure(place: P, plan: ProbePlan, signal?: AbortSignal): Promise<VantageOutcome> {
    const startedAt = new Date().toISOString()
    const cmd = this.wrap(place, probeArgv(withVpLocation(plan, place.vantage), this.anyprobe()))
    const r = await runChild(cmd, {timeoutMs: this.timeoutMs, signal})
    return outcomeFromChild(place.vantage, plan, r, {via: this.via, command: this.commandName(plan), timeoutMs: this.timeoutMs}, startedAt)
  }

  /** how late (ms) a child's observation may reach this process, beyond its timeout, and still be judged in its round */
  protected readonly liveSlackMs: number = 0

  /** Live runs keep the command's schedule (src/vantage/live/schedule.ts). */
  async schedule(ask: ScheduleRequest): Promise<LiveSchedule> {
    return localSchedule(ask, this.liveSlackMs)
  }

  /**
   * Live rounds: one long-lived child `anyprobe watch ... --observations` per vantage point
   * (plan.cliArgs, plus its start time and vantage id), see src/vantage/live/rounds.ts.
   */
  rounds(plan: RoundsPlan, opts: {signal: AbortSignal}): AsyncIterable<RoundEvent> {
    const via: 'netns' | 'ssh' = this.via === 'ssh' ? 'ssh' : 'netns'
    const command = this.opts.remoteCommand ? '--remote-command' : 'anyprobe'
    // a child may take this long to stop after its stdin is closed: its probes in flight, ssh
    const stopGraceMs = plan.timeoutMs + (via === 'ssh' ? 5000 : 2000)
    const places = this.places.map((p) => ({
      ...this.wrap(p, fillTemplate(this.anyprobe(), [...plan.cliArgs, `--start-at=${plan.startAt}`, `--vantage-id=${p.vantage.id}`])),
      vantage: p.vantage,
      via,
      command,
      stopGraceMs,
    }))
    return childRounds(plan, places, opts.signal)
  }

  run(plan: ProbePlan, opts: {concurrency: number; signal?: AbortSignal}): AsyncIterable<VantageOutcome> {
    const limit = this.opts.limit ?? pLimit(opts.concurrency)
    return asTheyCome(
      this.places.map((p) => () =>
        opts.signal?.aborted
          ? Promise.resolve<VantageOutcome>({vantage: p.vantage, result: null, error: vpError('E_VP_ABORTED', 'interrupted before the measurement started', null)})
          : this.measure(p, plan, opts.signal)),
      limit,
    )
  }
}

export function vantageOf(kind: VantagePoint['kind'], id: string, name: string | null): VantagePoint {
  return {kind, id, name, asn: null, country: null, lat: null, lon: null}
}

/** This host, measured by a child anyprobe (used when local is one of several vantage points). */
export class LocalBackend extends ChildBackend<Place> {
  protected via = 'local' as const
  constructor(opts: ChildOptions = {}) {
    super('local', [{vantage: vantageOf('local', 'local', hostname())}], opts)
  }

  protected anyprobe(): string[] {
    return this.opts.remoteCommand ? splitWords(this.opts.remoteCommand) : selfCommand()
  }

  protected wrap(_place: Place, argv: string[]): ChildCommand {
    return {file: argv[0]!, args: argv.slice(1)}
  }

  /** Live rounds probe in-process (no child): src/vantage/live/rounds.ts; placed by --location, its PoPs are named there */
  override rounds(plan: RoundsPlan, opts: {signal: AbortSignal}): AsyncIterable<RoundEvent> {
    const at = this.places[0]!.vantage
    return localRounds(plan, opts.signal, {...localVantage(), lat: at.lat, lon: at.lon, country: at.country})
  }
}

// The child line protocol (version 1; the same for netns: and ssh:, one-shot and live):
//   one-shot  the child runs `anyprobe <command> ... --json` and prints ONE JSON document: a result
//             ({schemaVersion: 1, kind: "trace"|"dns"|"http", ...}) or {"error": {code, message, hint}};
//             the parent checks it against the model (src/store/validate.ts; E_VP_BAD_OUTPUT if not).
//   live      the child runs `anyprobe watch ... --observations --signals --stop-on-eof` and prints
//             one JSON object per line, an Observation (src/model/watch.ts: round, flow, sentAt,
//             receivedAt, rttMs, pop, answered, error?) plus `signals` (the PoP observations of
//             infer/verdict.ts popObservations) and, for HTTP, `answerAddr` (the address that
//             answered, whose network the parent looks up for the verdict's edge-trust rule, as
//             `anyprobe http` does); the parent relabels and names it. EOF on the child's
//             stdin asks it to stop. A field a version does not know is ignored; a line that does
//             not check is counted, never fatal.
// Vantage points in other places (netns:NAME, ssh:HOST): ONE long-lived child anyprobe per vantage
// point, `<wrapper> <anyprobe> watch ... --from local --observations --signals --stop-on-eof`, which
// prints one observation per line (NDJSON) for as long as the watch runs:
//
//   netns:  ip netns exec NAME <this anyprobe> watch ...
//   ssh:    ssh -o BatchMode=yes ... -- [user@]host '<anyprobe> watch ...'   (argv from SshBackend)
//
// The parent reads the lines as they come, relabels each with the vantage point it asked for (a
// child cannot claim to be another vantage point) and names the PoP from the signals the child
// sent (identity strings, headers), so children never load the place dictionaries and one cache
// serves every vantage point. Everything a child prints is untrusted (an ssh host is someone
// else's machine): lines are parsed field by field and strings sanitised and bounded.
//
// Stopping: closing the child's stdin asks it to stop (it sends nothing new, waits for the probes
// in flight, prints them and exits): this reaches a remote anyprobe through ssh, where a signal
// would not, so nothing sent is lost. ssh children get their own process group, so a Ctrl-C at
// the terminal reaches only the parent, which then closes their stdin; SIGTERM and SIGKILL follow
// if a child does not go. A child that fails (cannot start, cannot connect, dies, prints garbage)
// ends with a VantageError saying why, with the codes the other commands use (E_VP_*).
import {type ChildProcess, spawn} from 'node:child_process'

import type {Observation as InferObservation} from '../../infer/index.js'
import {vpLocationOf} from '../../infer/verdict.js'
import {parseAddress} from '../../util/target.js'
import type {VantagePoint} from '../../model/vantage.js'
import {isPlaceFailure} from '../../model/errors.js'
import type {Observation} from '../../model/watch.js'
import {sanitize} from '../../util/sanitize.js'
import {placeFailure} from '../local.js'
import type {VantageError} from '../../model/probe.js'
import {observationFrom} from '../../store/observation.js'
import {type AnswerNetwork, popFields, type PopNamer} from './probe.js'

export interface ChildSpec {
  vantage: VantagePoint
  via: 'netns' | 'ssh'
  file: string
  args: string[]
  /** what the user would call the command, for messages ("anyprobe", "--remote-command") */
  command: string
  /** names the PoP from the signals a child sends; children that send a pop of their own keep it */
  name: PopNamer
  /** HTTP: the network of the address a child says answered (edge-trust); absent: none looked up */
  answerAsn?: AnswerNetwork
  /** how long a child may take to stop after its stdin is closed before it is signalled */
  stopGraceMs: number
}

export interface ChildEnd {
  code: number | null
  signal: string | null
  /** the last 8000 characters of its stderr */
  stderr: string
  /** observation lines read */
  observations: number
  /** lines that were not observations */
  badLines: number
  /** why this vantage point failed; null when it ended as asked (or by itself with exit 0) */
  failure: VantageError | null
}

export interface ChildHandle {
  /** resolves when the child has exited and its output has been read */
  done: Promise<ChildEnd>
  /** ask it to stop: close its stdin, then signal it if it does not go */
  stop(): void
}

/** One line from a child: the observation, and the signals to name its PoP from when it sent any. */
export interface ChildLine {
  obs: Observation
  signals: InferObservation[] | null
  /** HTTP: the address the child says answered (an address literal), null when it sent none */
  answerAddr: string | null
}

const SIGNAL_KINDS: ReadonlySet<string> = new Set(['dns-identity', 'http-header', 'user', 'hop-hostname', 'dest-hostname'])
const MAX_SIGNALS = 64
const MAX_INPUT = 4096

/** The signals of a child line, bounded; null when the field is absent or unusable. */
function readSignals(v: unknown): InferObservation[] | null {
  if (!Array.isArray(v)) return null
  const out: InferObservation[] = []
  for (const x of v.slice(0, MAX_SIGNALS)) {
    if (typeof x !== 'object' || x === null) continue
    const o = x as Record<string, unknown>
    if (typeof o.signal !== 'string' || !SIGNAL_KINDS.has(o.signal) || typeof o.input !== 'string' || o.input.length > MAX_INPUT) continue
    const sig: InferObservation = {signal: o.signal as InferObservation['signal'], input: o.input}
    if (typeof o.header === 'string' && o.header.length <= 256) sig.header = o.header
    // a trace hop's distance before the destination (nearer hops weigh more)
    if (Number.isSafeInteger(o.distance) && (o.distance as number) >= 0 && (o.distance as number) <= 255) sig.distance = o.distance as number
    out.push(sig)
  }
  return out
}

/** Parse one NDJSON line from a child; null when it is not an observation. */
export function parseChildLine(line: string): ChildLine | null {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null) return null
  const o = v as Record<string, unknown>
  const obs = observationFrom(o)
  // an address literal only: it is looked up, never shown
  const addr = typeof o.answerAddr === 'string' && o.answerAddr.length <= 64 && parseAddress(o.answerAddr) !== null ? o.answerAddr.trim() : null
  return obs === null ? null : {obs, signals: readSignals(o.signals), answerAddr: addr}
}


/** Parse one NDJSON line from a child; null when it is not an observation. */
export function parseObservationLine(line: string): Observation | null {
  return parseChildLine(line)?.obs ?? null
}

/** What the child's own error report says ("error E_CODE: message" / "hint: ..."), if it printed one. */
export function childErrorReport(stderr: string): {code: string; message: string; hint: string | null} | null {
  const lines = stderr.split('\n')
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^error (E_[A-Z0-9_]+): (.*)$/.exec(lines[i]!)
    if (!m) continue
    const h = /^hint: (.*)$/.exec(lines[i + 1] ?? '')
    return {code: m[1]!, message: sanitize(m[2]!, 500), hint: h ? sanitize(h[1]!, 300) : null}
  }
  return null
}

/**
 * Why a child that was not asked to stop ended, or null when it ended well (exit 0 and no garbage
 * in place of observations). Pure: tested without processes.
 */
export function childFailure(
  spec: Pick<ChildSpec, 'vantage' | 'via' | 'command'>,
  end: {code: number | null; signal: string | null; stderr: string; spawnError: NodeJS.ErrnoException | null; observations: number; badLines: number; firstBadLine: string | null},
): VantageError | null {
  if (!end.spawnError && end.code === 0) {
    if (end.badLines === 0 || end.observations > 0) return null
    return {code: 'E_VP_BAD_OUTPUT', message: `${spec.command} printed "${sanitize(end.firstBadLine ?? '', 80)}" instead of observations`, hint: 'run the same watch by hand at that vantage point to see what it says'}
  }
  // the place itself (spawn, ssh login, namespace, a missing anyprobe): the other commands' codes and hints
  const placeError = placeFailure({code: end.code, signal: end.signal as NodeJS.Signals | null, stdout: '', stderr: end.stderr, spawnError: end.spawnError}, {via: spec.via, command: spec.command})
  if (placeError && isPlaceFailure(placeError.code)) return placeError
  const own = childErrorReport(end.stderr)
  if (own) {
    // a usage error from the far end is most likely another version of anyprobe there
    const hint = own.code === 'E_USAGE' ? `the anyprobe at that vantage point may be a different version: compare anyprobe --version on both ends${own.hint ? `; ${own.hint}` : ''}` : own.hint
    return {code: own.code, message: `${spec.command} at ${sanitize(spec.vantage.id, 200)}: ${own.message}`, hint}
  }
  const last = end.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').at(-1)
  const how = end.signal === null ? `exit ${end.code}` : `signal ${end.signal}`
  if (end.badLines > 0 && end.observations === 0) {
    return {code: 'E_VP_BAD_OUTPUT', message: `${spec.command} printed "${sanitize(end.firstBadLine ?? '', 80)}" instead of observations (${how})`, hint: 'run the same watch by hand at that vantage point to see what it says'}
  }
  return {
    code: 'E_VP_DIED',
    message: `${spec.command} stopped (${how})${last ? `: ${sanitize(last, 300)}` : ''}`,
    hint: spec.via === 'ssh' ? 'the connection or the remote anyprobe died; the other vantage points went on' : 'the child anyprobe died; the other vantage points went on',
  }
}

/** Bad lines before a child that prints more garbage than observations is stopped as E_VP_BAD_OUTPUT. */
export const MAX_BAD_LINES = 20

export function startChild(spec: ChildSpec, onObservation: (o: Observation) => void, onStderr: (line: string) => void): ChildHandle {
  const at = vpLocationOf(spec.vantage)
  let child: ChildProcess
  let spawnError: NodeJS.ErrnoException | null = null
  let stopping = false
  let observations = 0
  let badLines = 0
  let firstBadLine: string | null = null
  let garbage = false
  let stderr = ''
  const timers: NodeJS.Timeout[] = []

  const kill = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    try {
      // ssh children lead their own process group: signal all of it
      if (spec.via === 'ssh') process.kill(-child.pid, sig)
      else child.kill(sig)
    } catch {
      /* already gone */
    }
  }

  const line = (text: string): void => {
    const parsed = parseChildLine(text)
    if (parsed === null) {
      if (text.trim() === '') return
      badLines++
      firstBadLine ??= text
      if (badLines >= MAX_BAD_LINES && badLines > observations && !garbage) {
        garbage = true
        kill('SIGTERM')
      }
      return
    }
    observations++
    const {obs, signals} = parsed
    // named where the vantage point is (--location): the speed-of-light check applies, as in catchment;
    // an HTTP answer with the network of the address that sent it, as `anyprobe http` names it
    const answer = parsed.answerAddr === null || spec.answerAsn === undefined ? null : spec.answerAsn(parsed.answerAddr)
    const named = signals === null ? null : popFields(obs.answered ? spec.name(signals, obs.rttMs, at, answer) : null)
    onObservation({...obs, ...named, vantageId: spec.vantage.id, vantage: spec.vantage})
  }

  try {
    // ssh: a process group of its own, so a terminal's Ctrl-C stops only the parent, which then
    // stops the remote side through stdin and loses nothing
    child = spawn(spec.file, spec.args, {stdio: ['pipe', 'pipe', 'pipe'], detached: spec.via === 'ssh'})
  } catch (e) {
    const failure = childFailure(spec, {code: null, signal: null, stderr: '', spawnError: e as NodeJS.ErrnoException, observations: 0, badLines: 0, firstBadLine: null})
    return {done: Promise.resolve({code: null, signal: null, stderr: '', observations: 0, badLines: 0, failure}), stop() {}}
  }
  // a child that is gone makes writes to its stdin fail: that is not our error
  child.stdin!.on('error', () => {})

  // lines split by hand: cheaper than readline for hundreds of short lines a second
  let buf = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    let start = 0
    let nl: number
    const text = buf + chunk
    while ((nl = text.indexOf('\n', start)) >= 0) {
      line(text.slice(start, nl))
      start = nl + 1
    }
    buf = text.slice(start)
    // a child that never ends its line must not grow the parent without bound
    if (buf.length > 1 << 20) {
      line(buf.slice(0, 200))
      buf = ''
    }
  })
  const outClosed = new Promise<void>((resolve) => child.stdout!.on('close', () => resolve()))
  let errBuf = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    // the end is what says why it stopped
    stderr = (stderr + chunk).slice(-8000)
    const parts = (errBuf + chunk).split('\n')
    errBuf = parts.pop()!.slice(0, 4000)
    // ssh ends its own messages with \r\n
    for (const l of parts) onStderr(sanitize(l.replace(/\r$/, ''), 1000))
  })
  const exited = new Promise<{code: number | null; signal: string | null}>((resolve) => {
    child.on('error', (e) => {
      spawnError = e as NodeJS.ErrnoException
      resolve({code: null, signal: null})
    })
    child.on('close', (code, signal) => resolve({code, signal}))
  })
  return {
    done: exited.then(async (x) => {
      for (const t of timers) clearTimeout(t)
      // the output pipe closes with the child; do not hang if it somehow never does
      await Promise.race([outClosed, new Promise((r) => setTimeout(r, 2000).unref())])
      if (buf !== '') line(buf)
      if (errBuf !== '') onStderr(sanitize(errBuf.replace(/\r$/, ''), 1000))
      let failure = childFailure(spec, {...x, stderr, spawnError, observations, badLines, firstBadLine})
      if (garbage) {
        failure = {code: 'E_VP_BAD_OUTPUT', message: `${spec.command} printed ${badLines} lines that are not observations, e.g. "${sanitize(firstBadLine ?? '', 80)}"; it was stopped`, hint: 'run the same watch by hand at that vantage point to see what it says'}
      } else if (stopping && failure?.code === 'E_VP_BAD_OUTPUT') {
        // asked to stop and did, perhaps only at a signal after the grace time: no failure of the place
        failure = null
      }
      return {...x, stderr, observations, badLines, failure}
    }),
    stop() {
      if (stopping) return
      stopping = true
      child.stdin!.end()
      const term = setTimeout(() => kill('SIGTERM'), spec.stopGraceMs)
      const hard = setTimeout(() => kill('SIGKILL'), spec.stopGraceMs + 3000)
      term.unref()
      hard.unref()
      timers.push(term, hard)
    },
  }
}

// Vantage points in other places (netns:NAME): ONE long-lived child anyprobe per vantage point,
// `ip netns exec NAME <this anyprobe> watch ... --from local --observations`, which prints one
// Observation per line (NDJSON). The parent reads the lines as they come and relabels each with
// the vantage point it asked for (a child cannot claim to be another vantage point).
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

import type {VantagePoint} from '../model/vantage.js'
import type {Observation} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'

export interface ChildSpec {
  vantage: VantagePoint
  file: string
  args: string[]
}

export interface ChildHandle {
  /** resolves when the child has exited and its output has been read */
  done: Promise<{code: number | null; signal: string | null; stderr: string}>
  stop(): void
}

/** Parse one NDJSON line from a child; null when it is not an observation. */
export function parseObservationLine(line: string): Observation | null {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null) return null
  const o = v as Record<string, unknown>
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
  if (!Number.isSafeInteger(o.round) || !Number.isSafeInteger(o.flow) || !num(o.sentAt) || typeof o.answered !== 'boolean') return null
  return {
    vantageId: typeof o.vantageId === 'string' ? o.vantageId : '',
    round: o.round as number,
    flow: o.flow as number,
    sentAt: o.sentAt,
    receivedAt: num(o.receivedAt) ? o.receivedAt : null,
    rttMs: num(o.rttMs) ? o.rttMs : null,
    pop: typeof o.pop === 'string' ? sanitize(o.pop, 40) : null,
    answered: o.answered,
    ...(typeof o.error === 'string' ? {error: sanitize(o.error, 200)} : {}),
  }
}

export function startChild(spec: ChildSpec, onObservation: (o: Observation) => void, onStderr: (line: string) => void): ChildHandle {
  const child = spawn(spec.file, spec.args, {stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  const out = createInterface({input: child.stdout})
  out.on('line', (line) => {
    const obs = parseObservationLine(line)
    if (obs) onObservation({...obs, vantageId: spec.vantage.id, vantage: spec.vantage})
  })
  const err = createInterface({input: child.stderr})
  err.on('line', (line) => {
    if (stderr.length < 8000) stderr += line + '\n'
    onStderr(line)
  })
  const outClosed = new Promise<void>((resolve) => out.on('close', () => resolve()))
  const exited = new Promise<{code: number | null; signal: string | null}>((resolve) => {
    child.on('error', (e) => {
      stderr += `${e.message}\n`
      resolve({code: null, signal: null})
    })
    child.on('close', (code, signal) => resolve({code, signal}))
  })
  return {
    done: exited.then(async (x) => {
      // the output pipe closes with the child; do not hang if it somehow never does
      await Promise.race([outClosed, new Promise((r) => setTimeout(r, 2000).unref())])
      return {...x, stderr}
    }),
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    },
  }
}

// Shared by the lab tests: the lab's facts (from `lab.sh env`) and a way to run the built
// anyprobe inside a vantage point's namespace. Every packet stays inside the lab's ap-* namespaces.
import {type ChildProcess, execFile, execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const LAB = `${REPO}test/lab/lab.sh`
export const ANYPROBE = `${REPO}bin/run.js`
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

export interface Run {
  code: number
  stdout: string
  stderr: string
}

export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, {timeout: timeoutMs, maxBuffer: 16 << 20}, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({code, stdout: String(stdout), stderr: String(stderr)})
    })
  })
}

export function labEnv(): Record<string, string> {
  const out = execFileSync('bash', [LAB, 'env'], {encoding: 'utf8'})
  const env: Record<string, string> = {}
  for (const line of out.split('\n')) {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(line)
    if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1')
  }
  return env
}

export const E = labEnv()
export const VPS = E.AP_VPS!.split(' ')

export const lab = (...args: string[]): Promise<Run> => run('bash', [LAB, ...args], 90_000)

/** Run `anyprobe ARGS` inside vantage point VP (e.g. "ber"). */
export function anyprobeIn(vp: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return run('ip', ['netns', 'exec', E[`AP_VP_NS_${vp}`]!, process.execPath, ANYPROBE, ...args], timeoutMs)
}

/** Same, parsing --json output; throws with stderr when it is not JSON. */
export async function anyprobeJson<T>(vp: string, args: string[]): Promise<{run: Run; json: T}> {
  const r = await anyprobeIn(vp, [...args, '--json'])
  try {
    return {run: r, json: JSON.parse(r.stdout) as T}
  } catch {
    throw new Error(`anyprobe ${args.join(' ')} in ${vp} printed no JSON (exit ${r.code}): ${r.stderr}${r.stdout}`)
  }
}

/** Apply a fault and wait until BGP has moved every VP; returns how long that took. */
export async function fault(kind: 'withdraw' | 'cut' | 'crash' | 'restore', pop: string): Promise<void> {
  const f = await lab(kind, pop)
  if (f.code !== 0) throw new Error(`lab.sh ${kind} ${pop} failed: ${f.stderr}`)
  const w = await lab('wait-converged', '30')
  if (w.code !== 0) throw new Error(`lab did not converge after ${kind} ${pop}: ${w.stderr}${w.stdout}`)
}

/** "* 198.19.3.1 ..." -> [null, "198.19.3.1", ...] */
export const pathOf = (s: string): Array<string | null> => s.split(' ').map((a) => (a === '*' ? null : a))

/**
 * Follow a spawned `anyprobe ... --json` that prints NDJSON events: the events as they come, its
 * stderr so far, its end, and a wait for the first event that matches (failing with the last ones
 * and stderr).
 */
export function followEvents<T>(child: ChildProcess): {events: T[]; err: () => string; closed: Promise<number | null>; waitFor: (pred: (e: T) => boolean, ms: number) => Promise<T>} {
  const events: T[] = []
  let buf = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line.trim()) events.push(JSON.parse(line) as T)
    }
  })
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
  const waitFor = async (pred: (e: T) => boolean, ms: number): Promise<T> => {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      const hit = events.find(pred)
      if (hit) return hit
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no such event in ${ms} ms: ${JSON.stringify(events.slice(-5))} ${stderr}`)
  }
  return {events, err: () => stderr, closed, waitFor}
}

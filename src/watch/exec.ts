// --exec CMD: run a command per watch event with the event as JSON on its stdin (`sh -c CMD`, with
// ANYPROBE_EVENT_TYPE and ANYPROBE_VANTAGE in its environment). Never blocks the watch: events are
// queued and at most `concurrency` commands run at once; each is killed after `timeoutMs`; a queue
// over `maxQueued` drops the oldest waiting event (and says so). Failures (exit status, timeout,
// cannot start) are reported on stderr. At the end of the watch, drain() waits for what is queued
// and running, but for about one --exec-timeout in all: a hook that hangs (or a long queue behind a slow
// one: 1000 events x 10 s / 4) would otherwise hold Ctrl-C for minutes; what is left then is
// killed or not run, and said so.
import {spawn} from 'node:child_process'

import {sanitize} from '../util/sanitize.js'
import {plural} from '../util/plural.js'

export interface ExecOptions {
  command: string
  concurrency?: number
  timeoutMs?: number
  maxQueued?: number
  /** where failures are reported (default stderr) */
  report?: (line: string) => void
}

export interface ExecStats {
  started: number
  succeeded: number
  failed: number
  timedOut: number
  dropped: number
}

/** how long stderr may stay open after the command exited (see run) */
export const EXIT_GRACE_MS = 500

export class EventExec {
  private readonly queue: Array<{type: string; vantageId: string | null; json: string}> = []
  private running = 0
  /** the running commands' process groups, for the end of drain() */
  private readonly children = new Set<number>()
  private idle: Array<() => void> = []
  readonly stats: ExecStats = {started: 0, succeeded: 0, failed: 0, timedOut: 0, dropped: 0}
  private readonly concurrency: number
  private readonly timeoutMs: number
  private readonly maxQueued: number
  private readonly report: (line: string) => void

  constructor(private readonly o: ExecOptions) {
    this.concurrency = Math.max(1, o.concurrency ?? 4)
    this.timeoutMs = o.timeoutMs ?? 10_000
    this.maxQueued = o.maxQueued ?? 1000
    this.report = o.report ?? ((line) => process.stderr.write(line + '\n'))
  }

  /** Queue one event; returns at once. */
  push(event: {type: string; vantageId?: string}): void {
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift()
      this.stats.dropped++
      if (this.stats.dropped === 1 || this.stats.dropped % 100 === 0) this.report(`warning: --exec is falling behind: ${plural(this.stats.dropped, 'event')} dropped so far (queue of ${this.maxQueued})`)
    }
    this.queue.push({type: event.type, vantageId: event.vantageId ?? null, json: JSON.stringify(event) + '\n'})
    this.next()
  }

  private next(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!
      this.running++
      this.stats.started++
      this.run(job).finally(() => {
        this.running--
        this.next()
        if (this.running === 0 && this.queue.length === 0) {
          const w = this.idle
          this.idle = []
          for (const f of w) f()
        }
      })
    }
  }

  private run(job: {type: string; vantageId: string | null; json: string}): Promise<void> {
    const what = `--exec for ${job.type}${job.vantageId ? ` at ${sanitize(job.vantageId, 80)}` : ''}`
    return new Promise((resolve) => {
      let done = false
      let timedOut = false
      const child = spawn('sh', ['-c', this.o.command], {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: {...process.env, ANYPROBE_EVENT_TYPE: job.type, ANYPROBE_VANTAGE: job.vantageId ?? ''},
        detached: true,
      })
      const pid = child.pid
      if (pid !== undefined) this.children.add(pid)
      let err = ''
      child.stderr!.on('data', (d: Buffer) => {
        if (err.length < 2000) err += d.toString()
      })
      const timer = setTimeout(() => {
        timedOut = true
        // the whole process group: sh and what it started
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          child.kill('SIGKILL')
        }
      }, this.timeoutMs)
      const finish = (line: string | null, ok: boolean): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        if (pid !== undefined) this.children.delete(pid)
        if (ok) this.stats.succeeded++
        else if (timedOut) this.stats.timedOut++
        else this.stats.failed++
        if (line) this.report(line)
        resolve()
      }
      child.on('error', (e) => finish(`error: ${what}: cannot run it (${sanitize(e.message, 200)})`, false))
      const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return
        // a process the hook left behind in a session of its own (setsid, a daemon) may hold stderr
        // open for ever: stop reading it, or this process could not exit either
        child.stderr!.destroy()
        if (timedOut) finish(`error: ${what}: killed after ${this.timeoutMs} ms (--exec-timeout)`, false)
        else if (code === 0) finish(null, true)
        else finish(`error: ${what}: exited with ${code ?? signal}${err.trim() ? `: ${sanitize(err.trim(), 300)}` : ''}`, false)
      }
      child.on('close', settle)
      // 'close' waits for stderr to close; once the command itself has exited, give its last words
      // half a second and no more (something it left running can keep stderr open)
      child.on('exit', (code, signal) => setTimeout(() => settle(code, signal), EXIT_GRACE_MS))
      child.stdin!.on('error', () => {}) // a command that does not read its stdin is fine
      child.stdin!.end(job.json)
    })
  }

  /**
   * Wait for every queued and running command, for at most `withinMs` (default: one --exec-timeout
   * and a second, so a command started just now still gets its own timeout) in all; then the queue is dropped, the running commands are killed, and both are counted on
   * stderr.
   */
  async drain(withinMs = this.timeoutMs + 1000, hurry?: AbortSignal): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return
    // `hurry`: a second Ctrl-C / SIGTERM; the person waiting is told it stops the wait
    if (hurry !== undefined && !hurry.aborted) this.report(`anyprobe: waiting up to ${Math.round(withinMs / 1000)} s for ${plural(this.running + this.queue.length, '--exec command')}; Ctrl-C stops them now`)
    let timer: NodeJS.Timeout | undefined
    let onHurry: (() => void) | undefined
    const idle = new Promise<boolean>((resolve) => this.idle.push(() => resolve(true)))
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs)
      onHurry = () => resolve(false)
      if (hurry?.aborted) resolve(false)
      else hurry?.addEventListener('abort', onHurry, {once: true})
    })
    const done = await Promise.race([idle, late])
    clearTimeout(timer)
    if (onHurry !== undefined) hurry?.removeEventListener('abort', onHurry)
    if (done) return
    const notRun = this.queue.length
    this.queue.length = 0
    this.stats.dropped += notRun
    const killed = this.children.size
    for (const pid of this.children) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // gone meanwhile
      }
    }
    this.report(`warning: --exec at the end of the watch: ${plural(notRun, 'queued event')} not run, ${plural(killed, 'command')} still running killed ${hurry?.aborted ? 'at Ctrl-C / SIGTERM' : `after ${withinMs} ms`}`)
    if (this.running > 0) await idle
  }
}

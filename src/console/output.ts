// One way to print JSON (CLI layer), for every command: a document is pretty-printed JSON and a
// newline; a stream of records is NDJSON (compact JSON, one per line). Both go through one writer
// on stdout, which batches small writes into ~64 KiB chunks (a write per line costs more than the
// line: geohint prints 100 000s), waits when the reader is slower (back-pressure: memory stays
// flat), and ends the process quietly when the reader has gone (EPIPE: `anyprobe ... | head`).
// A command streaming records as they happen (an outcome per vantage point) flushes after each.

/** One NDJSON line: compact JSON and a newline (--ndjson, watch --json/--out, geohint --json, report of a watch file). */
export function ndjsonLine(v: unknown): string {
  return JSON.stringify(v) + '\n'
}

/** One JSON document as every command prints it (colourless, as oclif's --json when stdout is not a terminal). */
export function jsonText(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`
}

/** Writes are batched into chunks of this many characters. */
export const CHUNK = 65_536

type Sink = Pick<NodeJS.WritableStream, 'write' | 'once'>

/** Batches text into chunks and honours back-pressure. */
export class OutputWriter {
  private buf: string[] = []
  private size = 0
  private closed = false
  private draining: Promise<void> | null = null
  private drained: (() => void) | null = null
  constructor(private readonly stream: Sink) {}

  /** Queue text (written at the next flush). */
  text(s: string): void {
    if (this.closed) return
    this.buf.push(s)
    this.size += s.length
  }

  /** Queue one NDJSON record. */
  record(v: unknown): void {
    this.text(ndjsonLine(v))
  }

  /** A chunk's worth is queued: time to `await flush()`. */
  pending(): boolean {
    return this.size >= CHUNK
  }

  /**
   * Write what is queued; resolves once the reader can take more. While the reader is behind, every
   * caller shares one wait (callers that do not await, such as a watch printing each event, would
   * otherwise pile up a 'drain' listener per line).
   */
  flush(): Promise<void> {
    if (this.size === 0 || this.closed) return this.draining ?? Promise.resolve()
    const chunk = this.buf.length === 1 ? this.buf[0]! : this.buf.join('')
    this.buf = []
    this.size = 0
    if (this.stream.write(chunk)) return this.draining ?? Promise.resolve()
    this.draining ??= new Promise<void>((resolve) => {
      this.drained = resolve
      this.stream.once('drain', () => this.release())
    })
    return this.draining
  }

  private release(): void {
    const r = this.drained
    this.draining = null
    this.drained = null
    r?.()
  }

  /** The reader has gone: drop everything from now on (and nobody waits for a drain that will not come). */
  close(): void {
    this.closed = true
    this.buf = []
    this.size = 0
    this.release()
  }

  get isClosed(): boolean {
    return this.closed
  }
}

let stdout: OutputWriter | null = null
let onStdoutClosed: (() => void) | null = null

/**
 * The one writer of stdout (created on first use). A closed pipe (`anyprobe ... | head`) ends the
 * process quietly with its exit code, unless a command took that over (whenStdoutCloses): a watch
 * must still stop the RIPE Atlas measurement it created, write --learn/--out and set its exit code.
 */
export function stdoutWriter(): OutputWriter {
  if (stdout !== null) return stdout
  const w = new OutputWriter(process.stdout)
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
    const first = !w.isClosed
    w.close()
    if (onStdoutClosed === null) process.exit(process.exitCode ?? 0)
    else if (first) onStdoutClosed()
  })
  stdout = w
  return w
}

let guarded = false

/**
 * Once per process, for every command (BaseCommand.init, and bin/run.js before oclif starts): a
 * reader that goes away is not an internal error. stdout closed (`anyprobe report X | head`): the
 * run stops quietly with the exit code decided so far, 0 if none (stdoutWriter; a watch takes that
 * over). stderr closed (`2>&1 | head`, where a note or an error message meets the closed pipe
 * first): what is left for stderr is dropped and the run goes on, so it ends with its own exit code,
 * or stops at its next write to the closed stdout. Without this, Node's unhandled 'error' event on
 * the stream ended the process with exit 1 and no message.
 */
export function guardStdio(): void {
  if (guarded) return
  guarded = true
  stdoutWriter()
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
  })
}

/**
 * Take over a closed stdout: `then` runs once when the reader goes away (instead of exiting), and
 * everything printed from then on is dropped. Returns the undo.
 */
export function whenStdoutCloses(then: () => void): () => void {
  stdoutWriter()
  onStdoutClosed = then
  return () => {
    if (onStdoutClosed === then) onStdoutClosed = null
  }
}

/** Print one JSON document on stdout now (after anything already queued). */
export function printJson(v: unknown): void {
  const w = stdoutWriter()
  w.text(jsonText(v))
  void w.flush()
}

/** Print text on stdout now (a watch's table rows and events, as they happen). */
export function printText(s: string): Promise<void> {
  const w = stdoutWriter()
  w.text(s)
  return w.flush()
}

/** Print one NDJSON record on stdout now (for records that arrive one at a time). */
export function printNdjson(v: unknown): Promise<void> {
  const w = stdoutWriter()
  w.record(v)
  return w.flush()
}

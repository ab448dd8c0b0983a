// Compressed inputs, read as they are kept: RIPE Atlas downloads and campaign files are often stored
// gzipped, and RIPE Atlas publishes its daily result dumps and probe archive bzip2-compressed. gzip
// is undone on the fly (node's zlib, streamed: memory stays flat). Node has no bzip2, so a bzip2
// stream goes through the system's own decompressor (lbzip2, which uses every core, else bzip2),
// streamed the same way; without one it gets a clear error that says what to install or run.
// Detected from the first bytes, never from the file name.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import {Readable} from 'node:stream'
import {createGunzip, gunzipSync} from 'node:zlib'

import {peekStream} from './peek.js'

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b
const isBzip2 = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && (b.length < 4 || (b[3]! >= 0x31 && b[3]! <= 0x39))

export type Compression = 'gzip' | 'bzip2' | null

export function compressionOf(head: Uint8Array): Compression {
  return isGzip(head) ? 'gzip' : isBzip2(head) ? 'bzip2' : null
}

/** The system's bzip2 decompressor on PATH (lbzip2 first: parallel), or null. */
export function bzip2Tool(path = process.env.PATH ?? ''): string | null {
  for (const tool of ['lbzip2', 'bzip2'])
    for (const dir of path.split(delimiter)) if (dir !== '' && existsSync(join(dir, tool))) return join(dir, tool)
  return null
}

/**
 * The stream, decompressed when it starts with gzip's or bzip2's magic bytes. `bzip2` hears of a
 * bzip2 stream that no tool on this machine can undo (the caller says what to do; the bytes are
 * given back unchanged). A compressed stream that breaks (cut short, corrupt) ends the output at the
 * last complete line the decompressor gave before the break (a line cut in the middle could still
 * parse, as a wrong number), and `error` hears why.
 */
export async function* gunzipIfCompressed(source: AsyncIterable<Buffer | string>, on: {bzip2?: () => void; error?: (message: string) => void; bzip2Tool?: string | null} = {}): AsyncGenerator<Buffer | string> {
  // enough bytes to tell (a pipe may hand over one byte first)
  const {bytes: head, stream} = await peekStream(source, 4)
  if (head.length === 0) return
  const kind = compressionOf(head)
  const tool = kind === 'bzip2' ? (on.bzip2Tool === undefined ? bzip2Tool() : on.bzip2Tool) : null
  if (kind === 'bzip2' && tool === null) on.bzip2?.()
  if (kind === null || tool === null && kind === 'bzip2') {
    yield* stream
    return
  }
  const decoded = kind === 'gzip' ? {out: Readable.from(stream).pipe(createGunzip()), failed: async (): Promise<string | null> => null, stop: (): void => {}} : throughTool(tool!, stream)
  yield* wholeLines(decoded, kind, on.error)
}

interface Decoded {
  out: AsyncIterable<unknown>
  /** after `out` ended: why the tool failed, or null */
  failed: () => Promise<string | null>
  /** the reader stopped early: end the tool */
  stop: () => void
}

/** `tool -dc` with the stream on its standard input; a broken input is its exit status and message. */
function throughTool(tool: string, stream: AsyncIterable<Buffer | string>): Decoded {
  const child = spawn(tool, ['-dc'], {stdio: ['pipe', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d
  })
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code))
    child.on('error', () => resolve(-1))
  })
  // the tool may stop reading (a corrupt block): its standard input then fails with EPIPE, said by its exit status
  child.stdin.on('error', () => {})
  const feed = Readable.from(stream)
  feed.on('error', () => child.stdin.destroy())
  feed.pipe(child.stdin)
  return {
    out: child.stdout,
    failed: async () => {
      const code = await exited
      if (code === 0) return null
      return toolReason(stderr) ?? `${tool} exited with status ${String(code)}`
    },
    stop: () => {
      feed.destroy()
      child.kill()
    },
  }
}

/**
 * The chunks joined to at least COALESCE_BYTES each: bzip2 writes 5 kB at a time, and the readers
 * pay per chunk (measured: a 100 MB dump came in 20,000 chunks).
 */
async function* coalesced(source: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  let held: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of source) {
      held.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size < COALESCE_BYTES) continue
      yield held.length === 1 ? held[0]! : Buffer.concat(held, size)
      held = []
      size = 0
    }
  } catch (e) {
    // a break: what came before it is given on, then the error
    if (size > 0) yield held.length === 1 ? held[0]! : Buffer.concat(held, size)
    throw e
  }
  if (size > 0) yield held.length === 1 ? held[0]! : Buffer.concat(held, size)
}

const COALESCE_BYTES = 64 << 10

/** The first line of a tool's complaint, without its own name ("bzip2: Compressed file ends unexpectedly;"). */
function toolReason(stderr: string): string | null {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '')
  return line === undefined ? null : line.replace(/^(l?bzip2|bunzip2):\s*/, '')
}

async function* wholeLines(decoded: Decoded, kind: 'gzip' | 'bzip2', error: ((message: string) => void) | undefined): AsyncGenerator<Buffer | string> {
  // Line-oriented text (tables, NDJSON: a newline in the first 64 kB) is given on up to its last
  // newline, the rest held until the next one comes or the stream ends cleanly, so a break never
  // hands on half a line. Other text (a one-line JSON array of any size) passes as it comes: its
  // reader cuts a broken value itself, and holding it would hold the whole file.
  let lines: boolean | null = null
  let tail: Buffer = Buffer.alloc(0)
  const cutNote = (): string => (tail.length > 0 ? ` (${lines === false ? 'the' : 'the line it cut,'} last ${tail.length} bytes left out)` : '')
  let ended = false
  try {
    for await (const chunk of coalesced(decoded.out)) {
      const b = tail.length === 0 ? (chunk as Buffer) : Buffer.concat([tail, chunk as Buffer])
      if (lines === null) {
        if (b.includes(0x0a)) lines = true
        else if (b.length >= LINE_PROBE_BYTES) lines = false
        else {
          tail = b
          continue
        }
      }
      const nl = lines ? b.lastIndexOf(0x0a) : b.length - 1
      if (nl < 0 && b.length < MAX_HELD_BYTES) {
        tail = b
        continue
      }
      const cut = nl < 0 ? b.length - 1 : nl
      tail = b.subarray(cut + 1)
      yield b.subarray(0, cut + 1)
    }
    ended = true
  } catch (e) {
    error?.(`${kind}: ${(e as Error).message}${cutNote()}`)
    return
  } finally {
    if (!ended) decoded.stop()
  }
  const failed = await decoded.failed()
  if (failed !== null) {
    error?.(`${kind}: ${failed}${cutNote()}`)
    return
  }
  if (tail.length > 0) yield tail
}

const LINE_PROBE_BYTES = 64 << 10
/** a "line" this long is not a line: given on rather than held */
const MAX_HELD_BYTES = 1 << 20

/** The most a small gzipped file (probe metadata, site lists) may expand to: a bomb stops here. */
export const MAX_GUNZIP_BYTES = 1 << 30

/**
 * A whole small file's bytes, decompressed when gzipped, or bzip2-compressed and a tool is on PATH
 * (probe metadata, site lists); throws past MAX_GUNZIP_BYTES or when the data is broken. bzip2
 * with no tool is given back as it is (the caller says what to do).
 */
export function gunzipBytes(bytes: Buffer, maxBytes = MAX_GUNZIP_BYTES, tool: string | null = isBzip2(bytes) ? bzip2Tool() : null): Buffer {
  if (isGzip(bytes)) return gunzipSync(bytes, {maxOutputLength: maxBytes})
  if (!isBzip2(bytes) || tool === null) return bytes
  const r = spawnSync(tool, ['-dc'], {input: bytes, maxBuffer: maxBytes})
  if (r.error !== undefined) throw r.error
  if (r.status !== 0) throw new Error(`bzip2: ${toolReason(r.stderr.toString('utf8')) ?? `exit status ${String(r.status)}`}`)
  return r.stdout
}

// Compressed inputs, read as they are kept: RIPE Atlas downloads and campaign files are often stored
// gzipped, and RIPE Atlas publishes its daily probe archive bzip2-compressed. gzip is undone on the
// fly (node's zlib, streamed: memory stays flat); bzip2, which node cannot undo, gets a clear error.
// Detected from the first bytes, never from the file name.
import {Readable} from 'node:stream'
import {createGunzip, gunzipSync} from 'node:zlib'

import {peekStream} from './peek.js'

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b
const isBzip2 = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && (b.length < 4 || (b[3]! >= 0x31 && b[3]! <= 0x39))

export type Compression = 'gzip' | 'bzip2' | null

export function compressionOf(head: Uint8Array): Compression {
  return isGzip(head) ? 'gzip' : isBzip2(head) ? 'bzip2' : null
}

/**
 * The stream, gunzipped when it starts with gzip's magic bytes. `bzip2` hears of a bzip2 stream
 * (the caller says how to decompress it; the bytes are given back unchanged). A gzip stream that
 * breaks (cut short, corrupt) ends the output at the last complete line zlib gave before the break
 * (a line cut in the middle could still parse, as a wrong number), and `error` hears why.
 */
export async function* gunzipIfCompressed(source: AsyncIterable<Buffer | string>, on: {bzip2?: () => void; error?: (message: string) => void} = {}): AsyncGenerator<Buffer | string> {
  // enough bytes to tell (a pipe may hand over one byte first)
  const {bytes: head, stream} = await peekStream(source, 4)
  if (head.length === 0) return
  const kind = compressionOf(head)
  if (kind === 'bzip2') on.bzip2?.()
  if (kind !== 'gzip') {
    yield* stream
    return
  }
  const gunzip = Readable.from(stream).pipe(createGunzip())
  // Line-oriented text (tables, NDJSON: a newline in the first 64 kB) is given on up to its last
  // newline, the rest held until the next one comes or the stream ends cleanly, so a break never
  // hands on half a line. Other text (a one-line JSON array of any size) passes as it comes: its
  // reader cuts a broken value itself, and holding it would hold the whole file.
  let lines: boolean | null = null
  let tail: Buffer = Buffer.alloc(0)
  try {
    for await (const chunk of gunzip) {
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
  } catch (e) {
    on.error?.(`gzip: ${(e as Error).message}${tail.length > 0 ? ` (${lines === false ? 'the' : 'the line it cut,'} last ${tail.length} bytes left out)` : ''}`)
    return
  }
  if (tail.length > 0) yield tail
}

const LINE_PROBE_BYTES = 64 << 10
/** a "line" this long is not a line: given on rather than held */
const MAX_HELD_BYTES = 1 << 20

/** The most a small gzipped file (probe metadata, site lists) may expand to: a bomb stops here. */
export const MAX_GUNZIP_BYTES = 1 << 30

/** A whole small file's bytes, gunzipped when gzipped (probe metadata, site lists); throws past MAX_GUNZIP_BYTES. */
export function gunzipBytes(bytes: Buffer, maxBytes = MAX_GUNZIP_BYTES): Buffer {
  return isGzip(bytes) ? gunzipSync(bytes, {maxOutputLength: maxBytes}) : bytes
}

// Compressed inputs, read as they are kept: RIPE Atlas downloads and campaign files are often stored
// gzipped, and RIPE Atlas publishes its daily probe archive bzip2-compressed. gzip is undone on the
// fly (node's zlib, streamed: memory stays flat); bzip2, which node cannot undo, gets a clear error.
// Detected from the first bytes, never from the file name.
import {Readable} from 'node:stream'
import {createGunzip, gunzipSync} from 'node:zlib'

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b
const isBzip2 = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && (b.length < 4 || (b[3]! >= 0x31 && b[3]! <= 0x39))

export type Compression = 'gzip' | 'bzip2' | null

export function compressionOf(head: Uint8Array): Compression {
  return isGzip(head) ? 'gzip' : isBzip2(head) ? 'bzip2' : null
}

/**
 * The stream, gunzipped when it starts with gzip's magic bytes. `onBzip2` hears of a bzip2 stream
 * (the caller says how to decompress it; the bytes are given back unchanged). A gzip stream that
 * breaks (cut short, corrupt) ends the output there and `onError` hears why: what came before is kept.
 */
export async function* gunzipIfCompressed(source: AsyncIterable<Buffer | string>, on: {bzip2?: () => void; error?: (message: string) => void} = {}): AsyncGenerator<Buffer | string> {
  const it = source[Symbol.asyncIterator]()
  const first = await it.next()
  if (first.done === true) return
  const head = typeof first.value === 'string' ? Buffer.from(first.value, 'latin1') : first.value
  async function* all(): AsyncGenerator<Buffer | string> {
    yield first.value
    for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value
  }
  const kind = compressionOf(head)
  if (kind === 'bzip2') on.bzip2?.()
  if (kind !== 'gzip') {
    yield* all()
    return
  }
  const gunzip = Readable.from(all()).pipe(createGunzip())
  try {
    for await (const chunk of gunzip) yield chunk as Buffer
  } catch (e) {
    on.error?.(`gzip: ${(e as Error).message}`)
  }
}

/** A whole small file's bytes, gunzipped when gzipped (probe metadata, site lists). */
export function gunzipBytes(bytes: Buffer): Buffer {
  return isGzip(bytes) ? gunzipSync(bytes) : bytes
}

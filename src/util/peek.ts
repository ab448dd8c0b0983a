// Look at the first bytes of a stream without losing them: the readers that detect a format from
// the content (never from the file name) need the head before they know which parser gets the
// stream, and standard input cannot be opened twice.

export interface Peeked {
  /** the first chunks decoded (at least `minBytes` unless the stream is shorter); for detection only */
  head: string
  /** the same first chunks as bytes (magic numbers: ./decompress.ts) */
  bytes: Buffer
  /** the whole stream again, the peeked chunks first */
  stream: AsyncIterable<Buffer | string>
}

export async function peekStream(source: AsyncIterable<Buffer | string>, minBytes = 8192): Promise<Peeked> {
  const it = source[Symbol.asyncIterator]()
  const taken: Array<Buffer | string> = []
  let size = 0
  let done = false
  while (size < minBytes) {
    const r = await it.next()
    if (r.done === true) {
      done = true
      break
    }
    taken.push(r.value)
    size += r.value.length
  }
  const head = taken.map((c) => (typeof c === 'string' ? c : c.toString('utf8'))).join('')
  async function* again(): AsyncGenerator<Buffer | string> {
    yield* taken
    if (done) return
    for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value
  }
  const bytes = Buffer.concat(taken.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)))
  return {head, bytes, stream: again()}
}

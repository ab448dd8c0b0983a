// Reading a file whose size nobody promised: `--from @/dev/zero` or a FIFO never ends, and
// readFileSync would hold all of it (9.7 GB in 30 s). Read at most `maxBytes`, then stop and say so.
import {closeSync, openSync, readSync} from 'node:fs'

/** Thrown when a file holds more than the cap; `code` is stable for callers to map to their error. */
export class TooLargeError extends Error {
  readonly code = 'E_TOO_LARGE'
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`)
  }
}

/** The text of a file (UTF-8), read in chunks up to `maxBytes`; throws TooLargeError past it. */
export function readFileCapped(path: string, maxBytes: number): string {
  const fd = openSync(path, 'r')
  try {
    const chunks: Buffer[] = []
    let total = 0
    const buf = Buffer.allocUnsafe(64 << 10)
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      total += n
      if (total > maxBytes) throw new TooLargeError(maxBytes)
      chunks.push(Buffer.from(buf.subarray(0, n)))
    }
    return Buffer.concat(chunks, total).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

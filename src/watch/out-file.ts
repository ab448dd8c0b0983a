// `watch --out FILE`: observations appended as NDJSON lines. A full disk (ENOSPC), a file-size
// limit (EFBIG) or an I/O error must not end the watch, lose its summary, or leave a torn last
// line that makes the file unreadable: the first failure is kept (and said once, by the caller),
// a partly written line is cut off again, and nothing more is written.
import * as nodeFs from 'node:fs'

import {AnyprobeError, EXIT} from '../model/errors.js'

export type OutFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'ftruncateSync' | 'fstatSync' | 'closeSync'>

export interface OutFailure {
  code: string
  message: string
  /** lines written whole before the failure */
  lines: number
}

export class NdjsonOutFile {
  /** the first write failure; null while every line was written */
  failure: OutFailure | null = null
  lines = 0
  private readonly fd: number
  /** bytes in the file after the last whole line */
  private size: number

  constructor(
    readonly path: string,
    private readonly fs: OutFs = nodeFs,
  ) {
    try {
      this.fd = fs.openSync(path, 'a')
      this.size = fs.fstatSync(this.fd).size
    } catch (e) {
      throw new AnyprobeError('E_BAD_INPUT', `--out ${path}: cannot open for appending (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        hint: 'give a writable file path',
        exitCode: EXIT.usage,
      })
    }
  }

  /** Append one line (ending in "\n") whole, or nothing; false once writing has failed. */
  writeLine(line: string): boolean {
    if (this.failure !== null) return false
    const buf = Buffer.from(line)
    let off = 0
    try {
      while (off < buf.length) off += this.fs.writeSync(this.fd, buf, off, buf.length - off)
      this.size += buf.length
      this.lines++
      return true
    } catch (e) {
      const err = e as NodeJS.ErrnoException
      this.failure = {code: err.code ?? 'EIO', message: err.message, lines: this.lines}
      // a partly written line would make the file unreadable from there on: cut it off
      if (off > 0) {
        try {
          this.fs.ftruncateSync(this.fd, this.size)
        } catch {
          // the reader then finds one torn last line, and counts it
        }
      }
      return false
    }
  }

  /** The failure as an error to report (E_WRITE, exit 8), or null. */
  error(): AnyprobeError | null {
    if (this.failure === null) return null
    const f = this.failure
    return new AnyprobeError('E_WRITE', `--out ${this.path}: ${f.code} after ${f.lines} lines; nothing more was written to it (the watch went on measuring)`, {
      hint: f.code === 'ENOSPC' || f.code === 'EDQUOT' ? 'free some space or write --out elsewhere' : f.code === 'EFBIG' ? 'the file reached a size limit (ulimit -f or the filesystem): write --out elsewhere' : 'check the disk and the path',
      exitCode: EXIT.write,
    })
  }

  close(): void {
    try {
      this.fs.closeSync(this.fd)
    } catch {
      // closing a file we could not write to may fail the same way; nothing is lost by it
    }
  }
}

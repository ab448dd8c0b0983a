// Writing the report: atomically (a browser reloading the page never reads half a file; a link is
// followed and kept, a device or FIFO written into, util/atomic-write.ts), and for a running watch
// at most every `everyMs` (the page is rebuilt from everything so far each time).
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {writeErrorHint, writeFileAtomic, writesIntoStream} from '../../util/atomic-write.js'
import {sanitize} from '../../util/sanitize.js'

/**
 * Write the page; the error (E_WRITE, exit 10) when it cannot be written. Returned, not thrown: the
 * page is written after (or while) measuring, and a failed page must lose nothing measured.
 */
export function writeHtml(path: string, html: string): AnyprobeError | null {
  try {
    writeFileAtomic(path, html)
    return null
  } catch (e) {
    return new AnyprobeError('E_WRITE', `--html ${sanitize(path, 200)}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); what was measured is kept`, {
      hint: writeErrorHint(e, 'give a path in a writable directory with free space'),
      exitCode: EXIT.write,
    })
  }
}

/** Rewrites the page when poked, at most every `everyMs`; `flush()` writes it now. */
export class HtmlRefresher {
  /** the first write that failed; after it the page is not tried again */
  failure: AnyprobeError | null = null
  private last = -Infinity
  constructor(
    private readonly path: string,
    private readonly page: () => string,
    private readonly everyMs = 3000,
    private readonly now: () => number = Date.now,
  ) {}

  poke(): boolean {
    const t = this.now()
    if (t - this.last < this.everyMs) return false
    this.last = t
    // a FIFO, /dev/stdout or a device gets the page once, at the end (flush, or the watch's own last
    // write): every rewrite would add a whole page to what its reader already has, and a FIFO nobody
    // reads yet would stall the watch at its first rewrite
    if (writesIntoStream(this.path)) return false
    return this.write()
  }

  flush(): boolean {
    this.last = this.now()
    return this.write()
  }

  private write(): boolean {
    if (this.failure !== null) return false
    this.failure = writeHtml(this.path, this.page())
    return this.failure === null
  }
}

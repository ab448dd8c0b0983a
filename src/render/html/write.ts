// Writing the report: atomically (a browser reloading the page never reads half a file), and for a
// running watch at most every `everyMs` (the page is rebuilt from everything so far each time).
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {writeFileAtomic} from '../../util/atomic-write.js'
import {sanitize} from '../../util/sanitize.js'

export function writeHtml(path: string, html: string): void {
  try {
    writeFileAtomic(path, html)
  } catch (e) {
    throw new AnyprobeError('E_USAGE', `--html ${sanitize(path, 200)}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'give a path in a writable directory',
      exitCode: EXIT.usage,
    })
  }
}

/** Rewrites the page when poked, at most every `everyMs`; `flush()` writes it now. */
export class HtmlRefresher {
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
    writeHtml(this.path, this.page())
    return true
  }

  flush(): void {
    this.last = this.now()
    writeHtml(this.path, this.page())
  }
}

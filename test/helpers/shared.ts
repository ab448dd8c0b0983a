// Where the shared material (corpus, references) is: ANYPROBE_SHARED when set (a git worktree
// elsewhere), else `shared` next to the repository root (the repository's own layout). Found from
// this file, never from the working directory.
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'

export const SHARED_DIR = process.env.ANYPROBE_SHARED ?? fileURLToPath(new URL('../../../shared/', import.meta.url))

/** A path under shared/corpus/, with a trailing slash when `rel` ends with one. */
export const corpusPath = (rel = ''): string => join(SHARED_DIR, 'corpus', rel) + (rel === '' || rel.endsWith('/') ? '/' : '')

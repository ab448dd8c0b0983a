// A file a command writes only after measuring (watch --learn and --html, catchment --html) or after
// reading its whole input (report --html, diff --html): a path that cannot be written is said before
// anything is measured or read (E_BAD_INPUT, exit 2, as watch --out, which is opened at the start),
// not as exit 10 after a long watch (or a large file read) whose page was the point.
import {accessSync, constants, statSync} from 'node:fs'
import {dirname} from 'node:path'

import {AnyprobeError, EXIT} from '../model/errors.js'
import {UnsafeLinkError, writeTarget} from './atomic-write.js'
import {sanitize} from './sanitize.js'

/**
 * Throws when `path` (given with `flag`) cannot be written later, as util/atomic-write.ts will
 * write it: a device, FIFO or open descriptor (written into) must be writable itself; a regular
 * file or a new path (a link followed to its end, only one the caller or its directory's owner owns) is written beside itself and renamed, so its
 * directory must be a directory that exists and can be written to (`/dev/null/x`: /dev/null can
 * be written to but holds no file), and an existing file must be writable. A check, not a promise:
 * a disk that fills up later is still said when the write fails.
 */
export function checkOutputPath(flag: string, path: string, hint: string): void {
  const bad = (why: string): AnyprobeError => new AnyprobeError('E_BAD_INPUT', `${flag} ${sanitize(path, 200)}: ${why}`, {hint, exitCode: EXIT.usage})
  const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message
  let t: ReturnType<typeof writeTarget>
  try {
    t = writeTarget(path)
  } catch (e) {
    // a link another user planted (in /tmp): refused before measuring, as the write would refuse it
    if (e instanceof UnsafeLinkError) throw new AnyprobeError('E_BAD_INPUT', `${flag} ${sanitize(path, 200)}: ${sanitize(e.message, 400)}`, {hint: e.hint, exitCode: EXIT.usage})
    throw bad(`its symbolic links cannot be followed (${code(e)})`)
  }
  if (t.stat?.isDirectory()) throw bad('is a directory')
  if (t.stat !== null) {
    try {
      accessSync(t.into ? path : t.target, constants.W_OK)
    } catch (e) {
      throw bad(`cannot be written to (${code(e)})`)
    }
    if (t.into) return
  }
  const dir = dirname(t.target)
  let isDir: boolean
  try {
    isDir = statSync(dir).isDirectory()
  } catch (e) {
    throw bad(`its directory cannot be written to (${code(e)})`)
  }
  if (!isDir) throw bad(`${sanitize(dir, 200)} is not a directory`)
  try {
    accessSync(dir, constants.W_OK)
  } catch (e) {
    throw bad(`its directory cannot be written to (${code(e)})`)
  }
}

/** --html's hint: the page is (re)written after measuring. */
export const HTML_PATH_HINT = 'give a file path in a writable directory (the page is written when the measurement ends)'

/** --html's hint for a command that reads saved files (report, diff): the page is written after reading them. */
export const SAVED_HTML_PATH_HINT = 'give a file path in a writable directory (the page is written when the input has been read)'

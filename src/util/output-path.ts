// A file a command writes only after measuring (watch --learn and --html, catchment --html): a path
// that cannot be written is said before anything is measured (E_BAD_INPUT, exit 2, as watch --out,
// which is opened at the start), not as exit 10 after a long watch whose page was the point.
import {accessSync, constants, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from './sanitize.js'

/**
 * Throws when `path` (given with `flag`) cannot be written later: it is a directory, or its
 * directory is missing or not writable (the page is written beside it and renamed over it, so the
 * directory is what must be writable). A check, not a promise: a disk that fills up later is still
 * said when the write fails.
 */
export function checkOutputPath(flag: string, path: string, hint: string): void {
  const bad = (why: string): AnyprobeError => new AnyprobeError('E_BAD_INPUT', `${flag} ${sanitize(path, 200)}: ${why}`, {hint, exitCode: EXIT.usage})
  let isDir = false
  try {
    isDir = statSync(path).isDirectory()
  } catch {
    // not there yet: its directory must be
  }
  if (isDir) throw bad('is a directory')
  try {
    accessSync(dirname(resolve(path)), constants.W_OK)
  } catch (e) {
    throw bad(`its directory cannot be written to (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
}

/** --html's hint: the page is (re)written after measuring. */
export const HTML_PATH_HINT = 'give a file path in a writable directory (the page is written when the measurement ends)'

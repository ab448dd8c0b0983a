// Write a file so a reader (a browser reloading the page) never sees half of it: write a temporary
// file beside it, then rename over the target (atomic on one filesystem).
import {renameSync, unlinkSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    writeFileSync(tmp, text)
    renameSync(tmp, path)
  } catch (e) {
    try {
      unlinkSync(tmp)
    } catch {
      // nothing was written
    }
    throw e
  }
}

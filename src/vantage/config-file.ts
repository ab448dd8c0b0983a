// The anyprobe config file holds secrets (the RIPE Atlas key, the Globalping token): written only
// with mode 0600 in a 0700 directory, through a temporary file so it is never readable by others,
// not even for a moment; a file that others can read gets a warning when a secret is taken from it.
// A file that is there but cannot be used (not valid JSON, e.g. a trailing comma from a hand edit;
// not an object; unreadable; not a regular file) is refused by the commands that read it and by
// `config set` alike, with the same error: `config set` must never take it as empty and write one
// setting over the others (a token lost), and a reader must not quietly run without its key.
import {accessSync, constants, readFileSync, statSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'

import {AnyprobeError, EXIT} from '../model/errors.js'
import {writeErrorHint, writeFileAtomic} from '../util/atomic-write.js'
import {sanitize} from '../util/sanitize.js'

function unusable(path: string, why: string): AnyprobeError {
  // the message names the file, never its content (it may hold the key or the token)
  const p = sanitize(path, 300)
  return new AnyprobeError('E_USAGE', `the config file ${p} ${why}`, {
    hint: `fix ${p} or move it away (anyprobe left it as it is); it holds one JSON object such as {"atlas": {"key": "..."}, "globalping": {"token": "..."}}`,
    exitCode: EXIT.usage,
  })
}

/** The config file's JSON object ({} when there is no file); E_USAGE (exit 2) when one is there but cannot be used. */
export function readConfigObject(path: string): Record<string, unknown> {
  let text: string
  try {
    // a FIFO or device would block or never end: only a regular file (through links) is read
    if (!statSync(path).isFile()) throw unusable(path, 'is not a regular file')
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (e instanceof AnyprobeError) throw e
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {} // no file there (a missing directory too)
    throw unusable(path, `cannot be read (${code ?? (e as Error).message})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw unusable(path, 'is not valid JSON')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw unusable(path, 'does not hold a JSON object')
  return parsed as Record<string, unknown>
}

/**
 * Set section.field in the JSON config file at path, keeping every other setting; refuses (and
 * leaves the file alone) when the file there cannot be read as an object. A symlinked file is
 * written at its target, the link kept (util/atomic-write.ts); the file is 0600 whatever it was,
 * and keeps its owner when root writes it.
 */
export async function saveConfigValue(path: string, section: string, field: string, value: string): Promise<void> {
  const current = readConfigObject(path)
  const old = current[section]
  const next = {...current, [section]: {...(old !== null && typeof old === 'object' && !Array.isArray(old) ? old : {}), [field]: value}}
  try {
    await mkdir(dirname(path), {recursive: true, mode: 0o700})
    writeFileAtomic(path, JSON.stringify(next, null, 2) + '\n', {mode: 0o600})
  } catch (e) {
    throw new AnyprobeError('E_WRITE', `the config file ${sanitize(path, 300)} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it was left as it was`, {
      hint: writeErrorHint(e, 'check the permissions of the file and its directory, and the free space'),
      exitCode: EXIT.write,
    })
  }
}

/** A warning when the config file (which holds a secret) can be read by its group or others; null when not. */
export function secretFileWarning(path: string): string | null {
  let mode: number
  try {
    mode = statSync(path).mode & 0o777
  } catch {
    return null
  }
  if ((mode & 0o077) === 0) return null
  return `the config file ${path} holds a secret and can be read by others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${path}`
}

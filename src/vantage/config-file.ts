// The anyprobe config file holds secrets (the RIPE Atlas key, the Globalping token): written only
// with mode 0600 in a 0700 directory, through a temporary file so it is never readable by others,
// not even for a moment; a file that others can read gets a warning when a secret is taken from it.
import {statSync} from 'node:fs'
import {chmod, mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

/** Set section.field in the JSON config file at path, keeping every other setting. */
export async function saveConfigValue(path: string, section: string, field: string, value: string): Promise<void> {
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  let current: Record<string, unknown> = {}
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) current = parsed as Record<string, unknown>
  } catch {
    current = {}
  }
  const old = current[section]
  const next = {...current, [section]: {...(old !== null && typeof old === 'object' && !Array.isArray(old) ? old : {}), [field]: value}}
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(next, null, 2) + '\n', {mode: 0o600, flag: 'w'})
  await chmod(tmp, 0o600) // the umask cannot widen it, but a pre-existing tmp file kept its mode
  await rename(tmp, path)
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

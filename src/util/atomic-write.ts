// Writing a file the user named (--html, --learn, the config file) the way they expect:
// - a regular file, or a path where nothing is yet: a temporary file beside it, renamed over it
//   (atomic on one filesystem), so a reader (a browser reloading the page) never sees half of it.
//   A file that was there keeps its mode and, when run as root, its owner and group: replacing a
//   0600 page must not open it to others, nor root's run hand a user's file to root. A file that
//   cannot be written to (no write permission) is not replaced either, as a shell's `>` would not.
// - a symbolic link: followed to its end (a dangling one too), and the file there written as above,
//   beside it; the link stays a link (a page published through a link, a dotfile manager's config).
// - anything else that is there (a character device like /dev/null or /dev/full, a FIFO,
//   /dev/stdout, a shell's `>(...)`): written into, as a shell's `>` would, never replaced by a
//   regular file. Its errors (ENOSPC from /dev/full, EPIPE) are the caller's write errors (E_WRITE,
//   exit 10), as `watch --out`'s are: it opens whatever is at its path and appends.
// A hard link is replaced like a regular file (its other names keep the old content).
import {randomBytes} from 'node:crypto'
import {accessSync, chmodSync, chownSync, constants, lstatSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'

/** The kernel's own limit on links followed in one path (Linux MAXSYMLINKS). */
const MAX_LINKS = 40

/**
 * Where a write to `path` lands: the end of the chain of symbolic links it names (also when that
 * end does not exist yet: a dangling link is where the file is made), each link read relative to
 * its own real directory as the kernel does. `descriptor`: the chain went through /proc/PID/fd
 * (/dev/stdout, /dev/fd/N, a shell's `>(...)`): an open file of the caller, which is written into,
 * never replaced (its link text, "pipe:[123]" or a file the shell truncated, is no path to rename to).
 */
export function followLinks(path: string): {end: string; descriptor: boolean} {
  let p = resolve(path)
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let dir: string
    try {
      dir = realpathSync(dirname(p))
    } catch {
      return {end: p, descriptor: false} // its directory is missing: said by the write
    }
    p = join(dir, basename(p))
    if (/^\/proc\/[^/]+\/fd$/.test(dir)) return {end: p, descriptor: true}
    let st: Stats
    try {
      st = lstatSync(p)
    } catch {
      return {end: p, descriptor: false}
    }
    if (!st.isSymbolicLink()) return {end: p, descriptor: false}
    p = resolve(dir, readlinkSync(p))
  }
  throw Object.assign(new Error(`${path}: too many levels of symbolic links`), {code: 'ELOOP'})
}

/**
 * How a write to `path` is done: `into` (a device, FIFO, socket, directory or open descriptor:
 * written into by the kernel's own path walk, so a directory gives EISDIR), or by replacing the
 * regular file (or making the new one) at `target`, whose `stat` is null when nothing is there.
 */
export function writeTarget(path: string): {into: boolean; target: string; stat: Stats | null} {
  const {end, descriptor} = followLinks(path)
  let stat: Stats | null = null
  try {
    stat = statSync(path)
  } catch {
    // nothing there: a new file (or a directory that is missing, said by the write)
  }
  return {into: descriptor || (stat !== null && !stat.isFile()), target: end, stat}
}

/** True when a write to `path` goes into a stream or device (not a file replaced whole). */
export function writesIntoStream(path: string): boolean {
  const t = writeTarget(path)
  return t.into && !(t.stat?.isDirectory() ?? false)
}

/**
 * Write `text` to `path` as the comment above says. `mode`: the mode a replaced or new regular
 * file gets (the config file's 0600); without it an existing file keeps its own and a new one gets
 * the umask's. Throws the fs error (code ENOSPC, EACCES, EISDIR, ...).
 */
export function writeFileAtomic(path: string, text: string, o: {mode?: number} = {}): void {
  const {into, target, stat} = writeTarget(path)
  if (into) {
    writeFileSync(path, text)
    return
  }
  if (stat !== null) accessSync(target, constants.W_OK)
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    // 'wx': never through something already at the temporary name; 0600 until it has its own mode
    writeFileSync(tmp, text, {flag: 'wx', mode: stat !== null || o.mode !== undefined ? 0o600 : 0o666})
    if (stat !== null && process.getuid?.() === 0 && (stat.uid !== 0 || stat.gid !== 0)) chownSync(tmp, stat.uid, stat.gid)
    // after chown, which clears set-id bits
    const mode = o.mode ?? (stat === null ? null : stat.mode & 0o7777)
    if (mode !== null) chmodSync(tmp, mode)
    renameSync(tmp, target)
  } catch (e) {
    try {
      unlinkSync(tmp)
    } catch {
      // nothing was written
    }
    throw e
  }
}

// Writing a file the user named (--html, --learn, the config file) the way they expect:
// - a regular file, or a path where nothing is yet: a temporary file beside it, renamed over it
//   (atomic on one filesystem), so a reader (a browser reloading the page) never sees half of it.
//   A file that was there keeps its mode and, when run as root, its owner and group: replacing a
//   0600 page must not open it to others, nor root's run hand a user's file to root. A file that
//   cannot be written to (no write permission) is not replaced either, as a shell's `>` would not.
// - a symbolic link: followed to its end (a dangling one too), and the file there written as above,
//   beside it; the link stays a link (a page published through a link, a dotfile manager's config).
//   Only a link the caller or its directory's owner owns is followed (fs.protected_symlinks' rule,
//   for every link): root must not write through a link another user planted in /tmp.
// - anything else that is there (a character device like /dev/null or /dev/full, a FIFO,
//   /dev/stdout, a shell's `>(...)`): written into (appended, so a shell's `>>` file keeps what it
//   had; a FIFO without reader is an error at once), never replaced by a
//   regular file. Its errors (ENOSPC from /dev/full, EPIPE) are the caller's write errors (E_WRITE,
//   exit 10), as `watch --out`'s are: it opens whatever is at its path and appends.
// A hard link is replaced like a regular file (its other names keep the old content).
import {randomBytes} from 'node:crypto'
import {accessSync, chmodSync, chownSync, closeSync, constants, lstatSync, openSync, readlinkSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, type Stats} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'

/** The kernel's own limit on links followed in one path (Linux MAXSYMLINKS). */
const MAX_LINKS = 40

/**
 * A link not followed: owned neither by the caller nor by the owner of its directory. The kernel's
 * fs.protected_symlinks refuses such a link in a sticky world-writable directory (/tmp), but links
 * read here with readlink are not walked by the kernel, so the rule is applied here, to every link
 * (stricter than the kernel, which asks only in sticky directories): else root writing
 * --html /tmp/x/page.html, a link another user planted there, would overwrite any file.
 */
export class UnsafeLinkError extends Error {
  readonly code = 'ELINKOWNER'
  readonly hint: string
  constructor(readonly link: string, readonly linkUid: number, readonly dirUid: number) {
    super(`${link} is a symbolic link owned by uid ${linkUid}, neither you nor the owner (uid ${dirUid}) of its directory: not followed`)
    this.hint = `give the path of the link's target itself, or a path in a directory only you can write to (a link another user made could point anywhere)`
  }
}

/**
 * Where a write to `path` lands: the end of the chain of symbolic links it names (also when that
 * end does not exist yet: a dangling link is where the file is made), walked a component at a time
 * as the kernel does, each link read relative to the directory holding it; a link (also one on the
 * way, a directory) owned neither by the caller nor by its directory's owner throws UnsafeLinkError.
 * `descriptor`: the walk reached /proc/PID/fd (/dev/stdout, /dev/fd/N, a shell's `>(...)`): an
 * open file of the caller, which is written into, never replaced (its link text, "pipe:[123]" or a
 * file the shell truncated, is no path to rename to). /dev/stdout -> /proc/self/fd/1 and
 * /proc/self -> PID are root's links in root's directories: followed by anyone.
 */
export function followLinks(path: string): {end: string; descriptor: boolean} {
  const euid = process.geteuid?.()
  const todo = resolve(path).split('/').filter((c) => c !== '')
  let cur = '/'
  let hops = 0
  while (todo.length > 0) {
    const c = todo.shift() as string
    if (c === '.') continue
    if (c === '..') {
      cur = dirname(cur)
      continue
    }
    const next = join(cur, c)
    if (/^\/proc\/[^/]+\/fd$/.test(cur)) return {end: join(next, ...todo), descriptor: true}
    let st: Stats
    try {
      st = lstatSync(next)
    } catch {
      return {end: join(next, ...todo), descriptor: false} // nothing there (or its directory is missing: said by the write)
    }
    if (!st.isSymbolicLink()) {
      cur = next
      continue
    }
    if (++hops > MAX_LINKS) throw Object.assign(new Error(`${path}: too many levels of symbolic links`), {code: 'ELOOP'})
    if (euid !== undefined && st.uid !== euid) {
      const dirUid = lstatSync(cur).uid
      if (st.uid !== dirUid) throw new UnsafeLinkError(next, st.uid, dirUid)
    }
    const text = readlinkSync(next)
    if (text.startsWith('/')) cur = '/'
    todo.unshift(...text.split('/').filter((t) => t !== ''))
  }
  return {end: cur, descriptor: false}
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
    stat = statSync(end) // the end the walk checked, not the path walked again
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

/** A FIFO with no reader: opening it for writing would wait (the event loop with it) forever. */
export class NoFifoReaderError extends Error {
  readonly code = 'ENXIO'
  readonly hint: string
  constructor(readonly fifo: string) {
    super(`no process is reading FIFO ${fifo}`)
    this.hint = `no process is reading FIFO ${fifo}: start its reader first (e.g. cat ${fifo}), or give a file`
  }
}

/** The hint a write error carries (a FIFO without reader, a link not followed), else `fallback`. */
export function writeErrorHint(e: unknown, fallback: string): string {
  return e instanceof NoFifoReaderError || e instanceof UnsafeLinkError ? e.hint : fallback
}

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Into a device, FIFO or open descriptor. Appending ('a'): /dev/stdout reopened with 'w' truncated
 * a file the shell opened with `>>`; a FIFO or device has no end to append to. A FIFO is opened
 * O_NONBLOCK: no reader is ENXIO at once, not a synchronous open that Ctrl-C cannot interrupt; a
 * full pipe (EAGAIN) is waited on in short sleeps, as a blocking write would wait.
 */
function writeInto(path: string, stat: Stats | null, text: string): void {
  if (!(stat?.isFIFO() ?? false)) {
    writeFileSync(path, text, {flag: 'a'})
    return
  }
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') throw new NoFifoReaderError(path)
    throw e
  }
  try {
    const buf = Buffer.from(text)
    for (let off = 0; off < buf.length; ) {
      try {
        off += writeSync(fd, buf, off)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
        Atomics.wait(pause, 0, 0, 5)
      }
    }
  } finally {
    closeSync(fd)
  }
}

/**
 * Write `text` to `path` as the comment above says. `mode`: the mode a replaced or new regular
 * file gets (the config file's 0600); without it an existing file keeps its own and a new one gets
 * the umask's. Throws the fs error (code ENOSPC, EACCES, EISDIR, ...).
 */
export function writeFileAtomic(path: string, text: string, o: {mode?: number} = {}): void {
  const {into, target, stat} = writeTarget(path)
  if (into) {
    writeInto(target, stat, text)
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

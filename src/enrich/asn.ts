// ASN and organisation of an address from MaxMind-format databases. By default the GeoLite2 ASN
// database bundled with the `geolite2` package; user-supplied .mmdb paths come first. A database
// that holds only IPv4 (metadata ipVersion 4) is consulted only for IPv4 addresses, so users can
// bring separate per-family files (as ip-to-asn exports are often split). A user's file whose
// records give no ASN (a GeoLite2-City file opens as well as any) is refused, not read as all-null.
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Reader, Response} from 'maxmind'

import {AnyprobeError, EXIT} from '../model/errors.js'
import {type BoundedMemo, boundedMemo} from '../util/memo.js'
import {sanitize, sanitizeOrNull} from '../util/sanitize.js'
import {unmappedText} from '../util/target.js'

export interface AsnInfo {
  asn: number
  org: string | null
}

export interface AsnLookup {
  lookup(addr: string): AsnInfo | null
}

export const nullAsnLookup: AsnLookup = {lookup: () => null}

/** Ask each lookup in turn: the first ASN found (a user's databases before the bundled one). */
export function firstAsnLookup(...lookups: AsnLookup[]): AsnLookup {
  return {lookup: (addr) => lookups.reduce<AsnInfo | null>((found, l) => found ?? l.lookup(addr), null)}
}

interface OpenedDb {
  path: string
  ipVersion: number
  get(addr: string): unknown
}

/**
 * The ASN a database record holds, in the layouts MaxMind-format ASN data comes in: at the top
 * level (GeoLite2-ASN, GeoIP2-ISP, DB-IP ASN Lite "compat=GeoLite2-ASN") or under traits
 * (GeoIP2-Enterprise, DB-IP's "compat=Enterprise" ISP databases). Other layouts (a City record;
 * IPinfo's "asn": "AS174") hold none this reads. The lookup and the check of a user's file both
 * ask this, so a file is taken exactly when its records give ASNs.
 */
export function asnOfRecord(rec: unknown): AsnInfo | null {
  if (!isObject(rec)) return null
  for (const r of [rec, rec.traits]) {
    if (isObject(r) && typeof r.autonomous_system_number === 'number') {
      const org = typeof r.autonomous_system_organization === 'string' ? r.autonomous_system_organization : null
      return {asn: r.autonomous_system_number, org: sanitizeOrNull(org, 200)}
    }
  }
  return null
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Addresses whose answers a lookup keeps: RIPE Atlas traceroutes read from a file cross the same
 * routers thousands of times, and each answer is one shared (frozen) object, not a record decoded
 * and an organisation name sanitised again per hop (measured: 1.2 M lookups of 2000 addresses,
 * 1.46 s without it, 0.08 s with it).
 */
const ASN_MEMO_MAX = 100_000

export class MmdbAsnLookup implements AsnLookup {
  private readonly memo: BoundedMemo<AsnInfo | null>

  constructor(private readonly dbs: OpenedDb[]) {
    this.memo = boundedMemo(ASN_MEMO_MAX, (addr) => {
      const found = this.find(addr)
      return found === null ? null : Object.freeze(found)
    })
  }

  lookup(addr: string): AsnInfo | null {
    return this.memo(addr)
  }

  private find(text: string): AsnInfo | null {
    // a mapped address (::ffff:192.0.2.1) is looked up as the IPv4 address it is: by its text it
    // would skip an IPv4-only database, and a database without MaxMind's ::ffff:0:0/96 alias of its
    // IPv4 tree would not hold it. Here, not where each source reads addresses: every address of
    // every source (local probes, Globalping, RIPE Atlas, saved files of any age) reaches this.
    const addr = unmappedText(text)
    const v6 = addr.includes(':')
    for (const db of this.dbs) {
      if (v6 && db.ipVersion === 4) continue
      let found: AsnInfo | null = null
      try {
        found = asnOfRecord(db.get(addr))
      } catch {
        found = null
      }
      if (found) return found
    }
    return null
  }
}

/** The bundled GeoLite2 ASN database path, or null when the package is missing. */
export async function bundledAsnDbPath(): Promise<string | null> {
  // The build copies the database into data/ at the package root (scripts/copy-asn-db.mjs): an
  // installed anyprobe has no geolite2 package, whose postinstall needs a MaxMind licence. From the
  // bundle (dist/x.cjs) the root is one level up; from dist/enrich/ or src/enrich/, two.
  for (const rel of ['../data/GeoLite2-ASN.mmdb', '../../data/GeoLite2-ASN.mmdb']) {
    const p = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(p)) return p
  }
  // a checkout before its first build: geolite2 (a development dependency) keeps its databases in dbs/ beside index.js. Found by path first: the package is an
  // ES module, and the built CLI (one CommonJS bundle in a vm script) can import() it only
  // through a Node 20 loader that prints an ExperimentalWarning.
  try {
    const p = join(dirname(createRequire(import.meta.url).resolve('geolite2')), 'dbs', 'GeoLite2-ASN.mmdb')
    if (existsSync(p)) return p
  } catch {
    // not resolvable this way: ask the package
  }
  try {
    const g = (await import('geolite2')) as unknown as {paths: Record<string, string>}
    const p = g.paths['GeoLite2-ASN'] ?? g.paths.asn
    return p && existsSync(p) ? p : null
  } catch {
    return null
  }
}

/** Open user databases first, then the bundled one. Missing user files are an error (they asked for them). */
export async function openAsnLookup(userPaths: string[] = [], useBundled = true): Promise<AsnLookup> {
  const maxmind = await import('maxmind')
  const dbs: OpenedDb[] = []
  for (const path of userPaths) {
    let reader: Reader<Response>
    try {
      reader = await maxmind.open<Response>(path, {watchForUpdates: false})
    } catch (error) {
      throw new AnyprobeError('E_MMDB', `cannot open ASN database ${path}: ${(error as Error).message}`, {
        hint: 'give the path of a MaxMind-format (.mmdb) ASN database, e.g. GeoLite2-ASN.mmdb',
        exitCode: EXIT.usage,
        cause: error,
      })
    }
    refuseWithoutAsns(path, reader)
    dbs.push(openedDb(path, reader))
  }
  const bundled = useBundled ? await bundledAsnDbPath() : null
  if (bundled) {
    try {
      dbs.push(openedDb(bundled, await maxmind.open<Response>(bundled, {watchForUpdates: false})))
    } catch {
      // a broken bundled copy just means no ASNs
    }
  }
  return dbs.length > 0 ? new MmdbAsnLookup(dbs) : nullAsnLookup
}

let bundled: Promise<AsnLookup> | null = null

/** The bundled ASN database, opened once per process (a trace's hops; a watch looks up an answer per probe). */
export function bundledAsnLookup(): Promise<AsnLookup> {
  bundled ??= openAsnLookup()
  return bundled
}

function openedDb(path: string, reader: Reader<Response>): OpenedDb {
  return {path, ipVersion: reader.metadata.ipVersion, get: (a) => reader.get(a)}
}

/**
 * How many networks, from the first address on, are read for one whose record gives an ASN. An
 * ASN database gives one in its first few (every GeoLite2-ASN network has one); a City database
 * has thousands of networks and none.
 */
const ASN_CHECK_NETWORKS = 2048

/**
 * Any .mmdb opens, and a City or Country file given as --asn-db answered every lookup with null:
 * the user saw no ASNs (or only the bundled database's) and no word why. What decides is the
 * records, not the metadata's databaseType: "DBIP-ISP (compat=Enterprise)" names ISP data yet keeps
 * its ASNs under traits, and self-built databases name themselves as they like.
 */
function refuseWithoutAsns(path: string, reader: Reader<Response>): void {
  let gives: boolean
  try {
    gives = givesAsns(reader)
  } catch (error) {
    throw new AnyprobeError('E_MMDB', `cannot read ASN database ${path}: ${(error as Error).message}`, {
      hint: 'the file opened as a MaxMind-format (.mmdb) database but its records cannot be read; give an intact copy, e.g. of GeoLite2-ASN.mmdb',
      exitCode: EXIT.usage,
      cause: error,
    })
  }
  if (gives) return
  const type = sanitize(String(reader.metadata.databaseType ?? '') || '(none)', 100)
  throw new AnyprobeError('E_MMDB', `${path} is not an ASN database: its type is "${type}" and its records hold no autonomous_system_number`, {
    hint:
      `--asn-db takes a database whose records carry autonomous_system_number (GeoLite2-ASN, GeoIP2-ISP, GeoIP2-Enterprise, ` +
      `DB-IP ASN Lite); this file is "${type}". Give e.g. GeoLite2-ASN.mmdb, or drop --asn-db to use the bundled GeoLite2 ASN`,
    exitCode: EXIT.usage,
  })
}

/** Whether one of the database's first networks, in address order, has a record that gives an ASN. */
export function givesAsns(reader: Pick<Reader<Response>, 'getWithPrefixLength' | 'metadata'>): boolean {
  const bits = reader.metadata.ipVersion === 4 ? 32 : 128
  const end = 1n << BigInt(bits)
  // Each lookup answers for the whole network the address falls in (a record or an empty branch),
  // so the next network starts where that one ends: an empty half of the space costs one lookup.
  let addr = 0n
  for (let i = 0; i < ASN_CHECK_NETWORKS && addr < end; i++) {
    const [rec, prefix] = reader.getWithPrefixLength(formatAddr(addr, bits))
    if (asnOfRecord(rec)) return true
    addr += 1n << BigInt(bits - prefix)
  }
  return false
}

function formatAddr(addr: bigint, bits: 32 | 128): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 0xffn)).join('.')
  return Array.from({length: 8}, (_, i) => ((addr >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':')
}

// ASN and organisation of an address from MaxMind-format databases. By default the GeoLite2 ASN
// database bundled with the `geolite2` package; user-supplied .mmdb paths come first. A database
// that holds only IPv4 (metadata ipVersion 4) is consulted only for IPv4 addresses, so users can
// bring separate per-family files (as ip-to-asn exports are often split).
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {AsnResponse} from 'maxmind'

import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitizeOrNull} from '../util/sanitize.js'

export interface AsnInfo {
  asn: number
  org: string | null
}

export interface AsnLookup {
  lookup(addr: string): AsnInfo | null
}

export const nullAsnLookup: AsnLookup = {lookup: () => null}

interface AsnRecord {
  autonomous_system_number?: number
  autonomous_system_organization?: string
}

interface OpenedDb {
  path: string
  ipVersion: number
  get(addr: string): AsnRecord | null
}

export class MmdbAsnLookup implements AsnLookup {
  constructor(private readonly dbs: OpenedDb[]) {}

  lookup(addr: string): AsnInfo | null {
    const v6 = addr.includes(':')
    for (const db of this.dbs) {
      if (v6 && db.ipVersion === 4) continue
      let rec: AsnRecord | null = null
      try {
        rec = db.get(addr)
      } catch {
        rec = null
      }
      if (rec?.autonomous_system_number !== undefined) {
        return {asn: rec.autonomous_system_number, org: sanitizeOrNull(rec.autonomous_system_organization ?? null, 200)}
      }
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
  const paths = [...userPaths]
  if (useBundled) {
    const bundled = await bundledAsnDbPath()
    if (bundled) paths.push(bundled)
  }
  for (const path of paths) {
    try {
      const reader = await maxmind.open<AsnResponse>(path, {watchForUpdates: false})
      dbs.push({path, ipVersion: reader.metadata.ipVersion, get: (a) => reader.get(a) as AsnRecord | null})
    } catch (error) {
      if (!userPaths.includes(path)) continue // a broken bundled copy just means no ASNs
      throw new AnyprobeError('E_MMDB', `cannot open ASN database ${path}: ${(error as Error).message}`, {
        hint: 'give the path of a MaxMind-format (.mmdb) ASN database, e.g. GeoLite2-ASN.mmdb',
        exitCode: EXIT.usage,
        cause: error,
      })
    }
  }
  return dbs.length > 0 ? new MmdbAsnLookup(dbs) : nullAsnLookup
}

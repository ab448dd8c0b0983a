// Probe metadata from a file, for `anyprobe report --probes FILE` on raw RIPE Atlas results.
//
// Why: a results download carries only probe ids. A live atlas: run fetches each probe's country,
// ASN and location from the API; offline, researchers keep the same data as a file. Accepted,
// detected from the content:
//   - the API's probe list, saved: {"results": [probe, ...]} (GET /api/v2/probes/?id__in=...)
//   - RIPE Atlas's daily probe archive (ftp.ripe.net/ripe/atlas/probes/archive/, decompressed):
//     {"objects": [probe, ...]}, whose probes carry flat "latitude"/"longitude" beside or instead
//     of the API's GeoJSON "geometry"
//   - a plain JSON array of probe objects, or one probe object per line (NDJSON)
// Several of them one after another (API pages appended to one file) are read as one list; a probe
// listed twice keeps the later entry, filled in from the earlier. Any of them gzipped is read as it
// is, and so is bzip2, as the archive is published, through the system's bzip2 (../../util/decompress.ts).
// Every probe goes through probeMetaFromApi, the live backend's reader, so both paths agree.
import {readFile} from 'node:fs/promises'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import {gunzipBytes} from '../../util/decompress.js'
import {isJsonSpace} from '../../util/json-safe.js'
import {sanitize} from '../../util/sanitize.js'
import {type AtlasProbeMeta, probeMetaFromApi} from './parse.js'
import {implausibleLocation} from './probe-swap.js'
import {atlasNonResult, isProbeMetadata} from '../../store/not-results.js'

export interface ProbeFile {
  probes: Map<number, AtlasProbeMeta>
  /** probe objects without a usable id */
  skipped: number
  /** what the file says of itself that a reader should hear (a probe list missing its other pages) */
  notes: string[]
}

/** The archive's flat coordinates as the API's GeoJSON point, when the object has no geometry. */
function withGeometry(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object') return raw
  const p = raw as Record<string, unknown>
  if (p.geometry !== undefined && p.geometry !== null) return p
  // numbers, or numbers written as strings (a list converted from CSV); probeMetaFromApi checks them
  const ok = (x: unknown): boolean => typeof x === 'number' || (typeof x === 'string' && x.trim() !== '')
  if (!ok(p.latitude) || !ok(p.longitude)) return p
  return {...p, geometry: {type: 'Point', coordinates: [p.longitude, p.latitude]}}
}


/** a byte order mark: worth skipping where a value should start (a page saved by a Windows tool, appended to the others) */
const BOM = 0xfeff

/**
 * The top-level JSON values of a text, as text: one document, NDJSON, or documents written one
 * after another (`curl ...page=1 >> probes.json; curl ...page=2 >> probes.json` leaves two API
 * pages back to back, with or without a newline between them). Strings and nesting are tracked, so
 * a `{` inside a description does not cut. A value left open at the end is returned as it is (its
 * JSON.parse fails and says so). Between values: JSON whitespace, commas, and a BOM (each page of
 * a download may begin with one); anything else where a value should start is handed on as a value
 * of its own (up to the next JSON whitespace or bracket, never less than its first character) so
 * that its JSON.parse fails and names it, with its line and offset. Every step of the scan moves
 * forward: no character can stop it.
 */
export function topLevelValues(text: string): Array<{text: string; line: number; offset: number}> {
  const out: Array<{text: string; line: number; offset: number}> = []
  let depth = 0
  let inString = false
  let escaped = false
  let start = -1
  let line = 1
  let startLine = 1
  const structural = (c: number): boolean => c === 123 || c === 91 || c === 125 || c === 93 || c === 34 || c === 44
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    if (inString) {
      if (escaped) escaped = false
      else if (c === 92) escaped = true // backslash
      else if (c === 34) inString = false
      continue
    }
    if (c === 34) {
      inString = true
      if (depth === 0 && start < 0) {
        start = i
        startLine = line
      }
    } else if (c === 123 || c === 91) {
      // { [
      if (depth === 0 && start < 0) {
        start = i
        startLine = line
      }
      depth++
    } else if (c === 125 || c === 93) {
      depth--
      if (depth <= 0) {
        const from = start < 0 ? i : start
        out.push({text: text.slice(from, i + 1), line: startLine, offset: from})
        depth = 0
        start = -1
      }
    } else if (depth === 0 && start < 0 && !isJsonSpace(c) && c !== 44 && c !== BOM) {
      // a bare scalar (or junk) at the top level: up to the next JSON whitespace or bracket, handed
      // on to fail JSON.parse; c itself is neither, so j > i and the scan moves on
      let j = i + 1
      while (j < text.length && !isJsonSpace(text.charCodeAt(j)) && !structural(text.charCodeAt(j))) j++
      out.push({text: text.slice(i, j), line, offset: i})
      i = j - 1
    }
  }
  if (start >= 0) out.push({text: text.slice(start), line: startLine, offset: start})
  return out
}

/** the first character of a value that cannot start one, named by its code point when it does not show itself (U+000C, U+00A0) */
function unseen(value: string): string {
  const c = value.codePointAt(0)
  return c === undefined || (c > 32 && c < 127) ? '' : `, U+${c.toString(16).toUpperCase().padStart(4, '0')}`
}

interface Listed {
  objects: unknown[]
  /** API pages: the probe count the API gave, the probes the pages held, whether a page pointed to another */
  pages: {count: number | null; held: number; next: boolean}
}

function probeObjects(text: string, name: string): Listed {
  const bad = (why: string): AnyprobeError =>
    new AnyprobeError('E_BAD_INPUT', `--probes ${name}: ${why}`, {
      hint: 'give RIPE Atlas probe metadata: saved /api/v2/probes/ pages ({"results": [...]}, several one after another), a decompressed daily probe archive ({"objects": [...]}), or a JSON array of probe objects',
      exitCode: EXIT.usage,
    })
  // the archive is published bzip2-compressed; say so rather than "not JSON"
  if (text.startsWith('BZh')) throw bad('bzip2-compressed, and no bzip2 or lbzip2 is installed: install one (apt install bzip2) or run bunzip2 on it first')
  // one document (the usual case) is parsed at once; only text that is not one is cut into values
  let whole: unknown
  let values: Array<{text: string; line: number; offset: number}>
  try {
    whole = JSON.parse(text)
    values = [{text: '', line: 1, offset: 0}]
  } catch {
    values = topLevelValues(text)
  }
  const listed: Listed = {objects: [], pages: {count: null, held: 0, next: false}}
  for (const v of values) {
    let doc: unknown
    try {
      doc = v.text === '' ? whole : JSON.parse(v.text)
    } catch (e) {
      // where it starts, as a character offset too: a stray form feed or no-break space is invisible in an editor
      throw bad(`${values.length === 1 ? 'not JSON' : `the value at line ${v.line} is not JSON`} (at character ${v.offset}${unseen(v.text)}: ${sanitize((e as Error).message, 120)})`)
    }
    if (Array.isArray(doc)) {
      for (const p of doc) listed.objects.push(p)
      continue
    }
    const d = (doc ?? {}) as {results?: unknown; objects?: unknown; count?: unknown; next?: unknown}
    if (Array.isArray(d.results)) {
      // a page of /api/v2/probes/: {count, next, previous, results}
      for (const p of d.results) listed.objects.push(p)
      listed.pages.held += d.results.length
      if (typeof d.count === 'number' && Number.isSafeInteger(d.count)) listed.pages.count = Math.max(listed.pages.count ?? 0, d.count)
      if (typeof d.next === 'string' && d.next !== '') listed.pages.next = true
    } else if (Array.isArray(d.objects)) {
      for (const p of d.objects) listed.objects.push(p)
    } else {
      // an API error or a measurement's description saved in its place: no probe is in it, and
      // its numeric `id` must not read as one
      const what = atlasNonResult(doc)
      if (what !== null && !isProbeMetadata(what)) throw bad(`this is ${what.replace(/, not (its )?results.*$/, '')}, not probe metadata`)
      listed.objects.push(doc)
    }
  }
  return listed
}

/**
 * A probe listed twice (two days of the archive, a page saved twice, a list edited by hand): the
 * later entry wins, but what it lacks is not taken from the probe (a later entry without a location
 * keeps the earlier location: a null is "not said here", not "nowhere").
 */
function mergeProbe(before: AtlasProbeMeta, later: AtlasProbeMeta): AtlasProbeMeta {
  const located = later.lat !== null && later.lon !== null
  return {
    ...later,
    asnV4: later.asnV4 ?? before.asnV4,
    asnV6: later.asnV6 ?? before.asnV6,
    country: later.country ?? before.country,
    lat: located ? later.lat : before.lat,
    lon: located ? later.lon : before.lon,
    description: later.description ?? before.description,
    // tags say how the location was made: they go with the location kept
    tags: located || before.lat === null ? later.tags : before.tags,
  }
}

export async function readProbeFile(path: string): Promise<ProbeFile> {
  const name = sanitize(path, 200)
  let text: string
  try {
    text = gunzipBytes(await readFile(path)).toString('utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new AnyprobeError('E_BAD_INPUT', `--probes ${name}: cannot read it (${code ?? sanitize((e as Error).message, 200)})`, {
      hint: 'give the path of a probe metadata file (see anyprobe report --help)',
      exitCode: EXIT.usage,
    })
  }
  const probes = new Map<number, AtlasProbeMeta>()
  let skipped = 0
  const listed = probeObjects(text.replace(/^\uFEFF/, ''), name)
  for (const raw of listed.objects) {
    const m = probeMetaFromApi(withGeometry(raw))
    if (m === null) {
      skipped++
      continue
    }
    const before = probes.get(m.id)
    probes.set(m.id, before === undefined ? m : mergeProbe(before, m))
  }
  if (probes.size === 0) {
    throw new AnyprobeError('E_BAD_INPUT', `--probes ${name}: no probe with an id in it`, {
      hint: 'probe objects need at least "id"; country_code, asn_v4/asn_v6 and a location are what report uses',
      exitCode: EXIT.usage,
    })
  }
  const notes: string[] = []
  // locations the probe's own country contradicts (./probe-swap.ts): dropped, and said
  const dropped = {swapped: 0, 'null-island': 0}
  const examples: string[] = []
  for (const m of probes.values()) {
    if (m.lat === null || m.lon === null) continue
    const why = implausibleLocation(m.country, m.lat, m.lon)
    if (why === null) continue
    dropped[why]++
    if (examples.length < 3) examples.push(`probe ${m.id}: ${m.country ?? '?'} at ${m.lat}, ${m.lon}`)
    m.lat = null
    m.lon = null
  }
  if (dropped.swapped + dropped['null-island'] > 0) {
    const what = [
      dropped.swapped > 0 ? `${dropped.swapped} outside the probe's country and inside it with latitude and longitude swapped` : null,
      dropped['null-island'] > 0 ? `${dropped['null-island']} at [0, 0]` : null,
    ].filter((x) => x !== null)
    notes.push(`--probes ${name}: probe locations left out, ${what.join(', ')} (${examples.join('; ')}); those probes have no location here. A probe list gives GeoJSON [longitude, latitude]: check how the file was written`)
  }
  const {count, held, next} = listed.pages
  if (next && count !== null && held < count) {
    notes.push(`--probes ${name} holds ${held} of the ${count} probes its API query listed (a page's "next" is not in the file): the others have no location here; save every page (follow "next") and give them one after another in the file`)
  }
  return {probes, skipped, notes}
}

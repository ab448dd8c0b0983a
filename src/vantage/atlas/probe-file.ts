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
// Any of them gzipped is read as it is (bzip2, as the archive is published, needs bunzip2 first).
// Every probe goes through probeMetaFromApi, the live backend's reader, so both paths agree.
import {readFile} from 'node:fs/promises'

import {AnyprobeError, EXIT} from '../../model/errors.js'
import {gunzipBytes} from '../../util/decompress.js'
import {sanitize} from '../../util/sanitize.js'
import {type AtlasProbeMeta, probeMetaFromApi} from './parse.js'

export interface ProbeFile {
  probes: Map<number, AtlasProbeMeta>
  /** probe objects without a usable id */
  skipped: number
}

/** The archive's flat coordinates as the API's GeoJSON point, when the object has no geometry. */
function withGeometry(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object') return raw
  const p = raw as Record<string, unknown>
  if (p.geometry !== undefined && p.geometry !== null) return p
  if (typeof p.latitude !== 'number' || typeof p.longitude !== 'number') return p
  return {...p, geometry: {type: 'Point', coordinates: [p.longitude, p.latitude]}}
}

function probeObjects(text: string, name: string): unknown[] {
  const bad = (why: string): AnyprobeError =>
    new AnyprobeError('E_BAD_INPUT', `--probes ${name}: ${why}`, {
      hint: 'give RIPE Atlas probe metadata: a saved /api/v2/probes/ page ({"results": [...]}), a decompressed daily probe archive ({"objects": [...]}), or a JSON array of probe objects',
      exitCode: EXIT.usage,
    })
  // the archive is published bzip2-compressed; say so rather than "not JSON"
  if (text.startsWith('BZh')) throw bad('bzip2-compressed: run bunzip2 on it first')
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{') && !trimmed.includes('\n{')) {
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch (e) {
      throw bad(`not JSON (${sanitize((e as Error).message, 120)})`)
    }
    const d = doc as {results?: unknown; objects?: unknown}
    const list = Array.isArray(d.results) ? d.results : Array.isArray(d.objects) ? d.objects : [doc]
    return list
  }
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown[]
    } catch (e) {
      throw bad(`not JSON (${sanitize((e as Error).message, 120)})`)
    }
  }
  // NDJSON: one probe object per line
  const out: unknown[] = []
  let line = 0
  for (const l of text.split('\n')) {
    line++
    if (l.trim() === '') continue
    try {
      out.push(JSON.parse(l))
    } catch {
      throw bad(`line ${line} is not JSON`)
    }
  }
  return out
}

export async function readProbeFile(path: string): Promise<ProbeFile> {
  const name = sanitize(path, 200)
  let text: string
  try {
    text = gunzipBytes(await readFile(path)).toString('utf8')
  } catch (e) {
    throw new AnyprobeError('E_BAD_INPUT', `--probes ${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'give the path of a probe metadata file (see anyprobe report --help)',
      exitCode: EXIT.usage,
    })
  }
  const probes = new Map<number, AtlasProbeMeta>()
  let skipped = 0
  for (const raw of probeObjects(text, name)) {
    const m = probeMetaFromApi(withGeometry(raw))
    if (m === null) skipped++
    else probes.set(m.id, m)
  }
  if (probes.size === 0) {
    throw new AnyprobeError('E_BAD_INPUT', `--probes ${name}: no probe with an id in it`, {
      hint: 'probe objects need at least "id"; country_code, asn_v4/asn_v6 and a location are what report uses',
      exitCode: EXIT.usage,
    })
  }
  return {probes, skipped}
}

// RIPE Atlas probe metadata (/api/v2/probes/ objects, the daily archive's, a --probes file's) as
// anyprobe keeps it, and the vantage point a probe is. Shared by the live backend, the result parser
// and the probe file reader, so every path reads a probe the same way.
import type {VantagePoint} from '../../model/vantage.js'
import {sanitize} from '../../util/sanitize.js'
import {int, num, posInt} from './parse-shared.js'

/** What anyprobe keeps of a probe object from /api/v2/probes/. */
export interface AtlasProbeMeta {
  id: number
  asnV4: number | null
  asnV6: number | null
  /** ISO 3166 alpha-2, upper case */
  country: string | null
  lat: number | null
  lon: number | null
  description: string | null
  isAnchor: boolean
  /**
   * its tag slugs, lower case (for --expect's tag rules; system-auto-geoip-country says RIPE Atlas
   * placed the probe from its address at a point standing for its country)
   */
  tags: string[]
}

/** The probe's tag slugs, lower case: the API gives {name, slug} objects, the daily archive plain strings. */
function tagSlugs(tags: unknown): string[] {
  if (!Array.isArray(tags)) return []
  const slugs: string[] = []
  for (const t of tags) {
    const slug = typeof t === 'string' ? t : typeof t === 'object' && t !== null ? (t as {slug?: unknown}).slug : undefined
    if (typeof slug === 'string' && slug !== '') slugs.push(sanitize(slug.toLowerCase(), 60))
  }
  return slugs
}

/** A probe object as the API returns it -> AtlasProbeMeta; null when it has no usable id. */
export function probeMetaFromApi(raw: unknown): AtlasProbeMeta | null {
  if (raw === null || typeof raw !== 'object') return null
  const p = raw as Record<string, unknown>
  const id = int(p.id)
  if (id === null || id <= 0) return null
  const coords = (p.geometry as {coordinates?: unknown} | null | undefined)?.coordinates
  let lat: number | null = null
  let lon: number | null = null
  // GeoJSON order: [longitude, latitude]
  if (Array.isArray(coords) && coords.length >= 2) {
    const lo = num(coords[0])
    const la = num(coords[1])
    if (lo !== null && la !== null && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      lat = la
      lon = lo
    }
  }
  const cc = typeof p.country_code === 'string' && /^[A-Za-z]{2}$/.test(p.country_code) ? p.country_code.toUpperCase() : null
  return {
    id,
    asnV4: posInt(p.asn_v4),
    asnV6: posInt(p.asn_v6),
    country: cc,
    lat,
    lon,
    description: typeof p.description === 'string' && p.description.trim() !== '' ? sanitize(p.description.trim(), 200) : null,
    isAnchor: p.is_anchor === true,
    tags: tagSlugs(p.tags),
  }
}

/** How RIPE Atlas placed the probe, when it placed it itself from its address (its system-auto-geoip-* tag). */
const AUTO_GEOIP = ['system-auto-geoip-country', 'system-auto-geoip-city']

/** The vantage point of a probe: id "atlas:N", the ASN of the family measured. */
export function atlasVantage(probeId: number, meta?: AtlasProbeMeta | null, af?: 4 | 6 | null): VantagePoint {
  if (!meta) return {kind: 'atlas', id: `atlas:${probeId}`, name: null, asn: null, country: null, lat: null, lon: null}
  return {
    kind: 'atlas',
    id: `atlas:${probeId}`,
    name: meta.description,
    asn: af === 6 ? (meta.asnV6 ?? meta.asnV4) : (meta.asnV4 ?? meta.asnV6),
    country: meta.country,
    lat: meta.lat,
    lon: meta.lon,
    // how Atlas placed it, for readers that weigh the location (sites leaves country-level ones out)
    ...(meta.tags.some((t) => AUTO_GEOIP.includes(t)) ? {tags: meta.tags.filter((t) => AUTO_GEOIP.includes(t))} : {}),
  }
}

// The `sites` table for people: the verdict, the lower bound, then one row per site.
import type {SitesDocument} from '../model/sites.js'
import {plural} from '../util/plural.js'
import {sanitize} from '../util/sanitize.js'
import {failedLines} from './catchment.js'

/** Width of a wrapped list line, its 12-character label included. */
const LIST_WIDTH = 100
/** Lines a wrapped list may take; the rest is counted (--json lists every one). */
const LIST_LINES = 8
/** Longest code or place shown: whole in any list a site list gives (root-servers.org's COUNTRY-TOWN names run to ~40). */
const ITEM_MAX = 80

/**
 * A labelled list of codes or places, each whole (sanitised; cut only past ITEM_MAX), wrapped under
 * its label at LIST_WIDTH, at most LIST_LINES lines and then counted: a code cut mid-word
 * ("BN-BANDAR_SERI_BEGAW…") names no site.
 */
export function listLines(label: string, items: readonly string[], sep: string, tail = ''): string[] {
  const words = items.map((c, i) => sanitize(c, ITEM_MAX) + (i < items.length - 1 ? sep.trimEnd() : ''))
  const lines: string[] = []
  const start = (): string => (lines.length === 0 ? label.padEnd(12) : ' '.repeat(12))
  let cur: string[] = []
  let width = 12
  for (const [i, w] of words.entries()) {
    if (cur.length > 0 && width + 1 + w.length > LIST_WIDTH) {
      if (lines.length === LIST_LINES - 1) {
        lines.push(`${start()}${cur.join(' ')} ... ${items.length - i} more (--json lists them all)`)
        return lines
      }
      lines.push(start() + cur.join(' '))
      cur = []
      width = 12
    }
    width += (cur.length > 0 ? 1 : 0) + w.length
    cur.push(w)
  }
  if (tail !== '') cur.push(tail)
  lines.push(start() + cur.join(' '))
  return lines
}

/** How a vantage point gets a place, for any kind (netns, ssh, local, an Atlas probe: --location atlas:6002=...). */
export const NO_LOCATION_HINT = 'give a vantage point its place with --location NAME=LAT,LON (repeatable) or --locations FILE (lines of ID LAT LON [CC])'

/**
 * The note for measured vantage points with no place (netns, ssh, local carry none): named, so the
 * user can write the --location for each. Null when every one has a place.
 */
export function noLocationNote(ids: readonly string[]): string | null {
  if (ids.length === 0) return null
  const shown = ids.slice(0, 5).map((id) => sanitize(id, 60))
  const more = ids.length > shown.length ? ` and ${ids.length - shown.length} more` : ''
  return `${plural(ids.length, 'vantage point has', 'vantage points have')} no location (${shown.join(', ')}${more}), so no RTT disc: give each with --location NAME=LAT,LON, e.g. --location ${shown[0]}=LAT,LON, or --locations FILE`
}

/**
 * What a run stopped by Ctrl-C / SIGTERM measured (the document's `rounds`), after "stopped": after
 * how many of its rounds, or, before one was complete, that the vantage points unfinished then failed.
 */
function stoppedWhen(r: NonNullable<SitesDocument['rounds']>): string {
  if (r.completed > 0) return `after ${r.completed} of ${r.planned} rounds (Ctrl-C / SIGTERM): each vantage point's lowest RTT of the rounds measured`
  const round = r.planned === 1 ? 'its round' : `its first round of ${r.planned}`
  return `before ${round} finished (Ctrl-C / SIGTERM): the RTTs of the vantage points that finished it; the others failed (E_VP_ABORTED)`
}

/** The stderr note of a stopped run when no table says it (--json, --ndjson). */
export const stoppedNote = (r: NonNullable<SitesDocument['rounds']>): string => `stopped ${stoppedWhen(r)}`

export function renderSites(doc: SitesDocument): string {
  const verdict = doc.anycast === true ? 'yes' : doc.anycast === false ? 'no' : 'undecided'
  const out: string[] = []
  out.push(`target      ${sanitize(doc.target ?? '-', 200)}`)
  out.push(`anycast     ${verdict}: ${doc.anycastReason}`)
  out.push(`sites       ${doc.sites.length} found; at least ${doc.lowerBound} (mutually disjoint RTT discs)`)
  out.push(`vantage     ${doc.vantagePoints.used} of ${doc.vantagePoints.total} used`)
  if (doc.rounds?.stopped === true) out.push(`stopped     ${stoppedWhen(doc.rounds)}`)
  const ex = doc.excluded
  const left = [
    ex.noLocation > 0 ? `${ex.noLocation} without location` : '',
    ex.placeholderLocation > 0 ? `${ex.placeholderLocation} at a placeholder location (a country's centre)` : '',
    ex.noRtt > 0 ? `${ex.noRtt} without RTT` : '',
    ex.impossibleRtt > 0 ? `${ex.impossibleRtt} impossible RTT` : '',
    ex.contradictingLocation > 0 ? `${ex.contradictingLocation} location contradicted by others` : '',
  ].filter((s) => s !== '')
  if (left.length > 0) out.push(`left out    ${left.join(', ')}`)
  // a vantage point without a place makes no disc; the table says how to give one where it counts them
  if (ex.noLocation > 0) out.push(`            ${NO_LOCATION_HINT}`)
  const sc = doc.score
  const p = (x: number | null): string => (x === null ? '-' : x.toFixed(2))
  const peer = doc.igreedy
  if (peer !== undefined) {
    const peerScore = peer.score === undefined ? '' : `; precision ${p(peer.score.precision)}, recall ${p(peer.score.recall)}: ${peer.score.hits} hits`
    out.push(`iGreedy     ${peer.sites.length} found; at least ${peer.lowerBound} (the peer's method on the same data)${peerScore}`)
  }
  if (sc !== undefined) {
    out.push(`score       precision ${p(sc.precision)}, recall ${p(sc.recall)}: ${sc.hits} hits of ${sc.found} found, ${sc.truth} listed (a hit is within ${sc.hitKm} km, each listed site counts once${sc.samePlace ? `; ${sc.samePlace} more entries at a place already listed counted once` : ''})`)
    if (sc.missed.length > 0) out.push(...listLines('missed', sc.missed, ' '))
    if (sc.unmatched.length > 0) out.push(...listLines('unlisted', sc.unmatched, ', ', '(a wrong place, or a site the list lacks)'))
    if (sc.unplaced.length > 0) out.push(...listLines('unplaced', sc.unplaced, ' ', '(codes with no known place: not scored)'))
  }
  if (doc.sites.length > 0) {
    out.push('')
    const rows = doc.sites.map((s) => {
      const place = s.city === null ? `(${s.lat.toFixed(2)}, ${s.lon.toFixed(2)})` : `${sanitize(s.city, 40)}${s.country ? `, ${s.country}` : ''}`
      const first = s.evidence[0]
      const ev = first === undefined ? '' : `${first.kind === 'disc' ? `disc ${sanitize(first.vp, 30)} ${first.rttMs === null ? '*' : Number(first.rttMs.toFixed(2))} ms` : `identity ${sanitize(first.code ?? '', 20)} via ${sanitize(first.vp, 30)}`}${s.evidence.length > 1 ? ` (+${s.evidence.length - 1})` : ''}`
      return [place, s.code ?? '-', s.confirmed ? 'confirmed' : s.source, String(s.vantagePoints), `${s.areaKm} km`, ev]
    })
    const head = ['SITE', 'CODE', 'HOW', 'VPS', 'AREA', 'EVIDENCE']
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
    const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ')
    out.push(line(head))
    for (const r of rows) out.push(line(r))
  }
  // older saved documents have no notPlaced
  const notPlaced = doc.notPlaced ?? []
  for (const n of notPlaced.slice(0, 5)) out.push(`not placed  ${sanitize(n.vp, 40)}: ${sanitize(n.note, 240)}`)
  if (notPlaced.length > 5) out.push(`... ${notPlaced.length - 5} more sites seen but not placed (--json lists them all)`)
  for (const c of doc.contradictions.slice(0, 10)) out.push(`contradiction ${sanitize(c.vp, 40)}: ${sanitize(c.note, 200)}`)
  if (doc.contradictions.length > 10) out.push(`... ${doc.contradictions.length - 10} more contradictions (--json lists them all)`)
  // measured with --from: why each failed vantage point has no RTT, as catchment lists them
  out.push(...failedLines(doc.failed ?? []))
  return out.join('\n')
}

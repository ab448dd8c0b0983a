// The `sites` table for people: the verdict, the lower bound, then one row per site.
import type {SitesDocument} from '../model/sites.js'
import {sanitize} from '../util/sanitize.js'

export function renderSites(doc: SitesDocument): string {
  const verdict = doc.anycast === true ? 'yes' : doc.anycast === false ? 'no' : 'undecided'
  const out: string[] = []
  out.push(`target      ${sanitize(doc.target ?? '-', 200)}`)
  out.push(`anycast     ${verdict}: ${doc.anycastReason}`)
  out.push(`sites       ${doc.sites.length} found; at least ${doc.lowerBound} (mutually disjoint RTT discs)`)
  out.push(`vantage     ${doc.vantagePoints.used} of ${doc.vantagePoints.total} used`)
  const ex = doc.excluded
  const left = [
    ex.noLocation > 0 ? `${ex.noLocation} without location` : '',
    ex.placeholderLocation > 0 ? `${ex.placeholderLocation} at a placeholder location (a country's centre)` : '',
    ex.noRtt > 0 ? `${ex.noRtt} without RTT` : '',
    ex.impossibleRtt > 0 ? `${ex.impossibleRtt} impossible RTT` : '',
    ex.contradictingLocation > 0 ? `${ex.contradictingLocation} location contradicted by others` : '',
  ].filter((s) => s !== '')
  if (left.length > 0) out.push(`left out    ${left.join(', ')}`)
  const sc = doc.score
  const p = (x: number | null): string => (x === null ? '-' : x.toFixed(2))
  const peer = doc.igreedy
  if (peer !== undefined) {
    const peerScore = peer.score === undefined ? '' : `; precision ${p(peer.score.precision)}, recall ${p(peer.score.recall)}: ${peer.score.hits} hits`
    out.push(`iGreedy     ${peer.sites.length} found; at least ${peer.lowerBound} (the peer's method on the same data)${peerScore}`)
  }
  if (sc !== undefined) {
    out.push(`score       precision ${p(sc.precision)}, recall ${p(sc.recall)}: ${sc.hits} hits of ${sc.found} found, ${sc.truth} listed (a hit is within ${sc.hitKm} km, each listed site counts once${sc.samePlace ? `; ${sc.samePlace} more entries at a place already listed counted once` : ''})`)
    if (sc.missed.length > 0) out.push(`missed      ${sc.missed.map((c) => sanitize(c, 20)).join(' ')}`)
    if (sc.unmatched.length > 0) out.push(`unlisted    ${sc.unmatched.map((c) => sanitize(c, 40)).join(', ')} (a wrong place, or a site the list lacks)`)
    if (sc.unplaced.length > 0) out.push(`unplaced    ${sc.unplaced.map((c) => sanitize(c, 20)).join(' ')} (codes with no known place: not scored)`)
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
  return out.join('\n')
}

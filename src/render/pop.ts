// The PoP verdict in words, with its evidence, shared by every command's table.
import type {Evidence, PopVerdict} from '../model/pop.js'
import {sanitize} from '../util/sanitize.js'

export function placeOf(p: {city: string | null; country: string | null}): string {
  if (p.city && p.country) return `${p.city}, ${p.country}`
  return p.city ?? p.country ?? 'place unknown'
}

function evidenceLine(e: Evidence): string {
  const parsed = e.code ? `${e.code} (${e.codeType ?? '?'})` : 'no code'
  const w = e.weight >= 0 ? `+${e.weight.toFixed(2)}` : e.weight.toFixed(2)
  return `  ${w}  ${e.signal}: ${sanitize(e.input, 120)} -> ${parsed}${e.note ? ` — ${sanitize(e.note, 160)}` : ''}`
}

export function renderPop(pop: PopVerdict | null): string {
  if (pop === null) return 'PoP: unknown (no signal names a site)'
  const lines = [
    `PoP: ${pop.code.toUpperCase()} (${pop.codeType}) — ${placeOf(pop)}, confidence ${pop.confidence.toFixed(2)}`,
    'evidence:',
    ...pop.evidence.map(evidenceLine),
  ]
  if (pop.conflicts.length > 0) lines.push('conflicting:', ...pop.conflicts.map(evidenceLine))
  return lines.join('\n')
}

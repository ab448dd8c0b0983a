// The PoP verdict in words, with its evidence, shared by every command's table.
import type {Evidence, PopVerdict, Rejection} from '../model/pop.js'
import {CONFIDENT_POP, isConfidentPop} from '../model/pop-confidence.js'
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

/** What a result says beside its verdict: why there is none, what the RTT ruled out. */
export interface PopContext {
  popReason?: string | null
  popRejected?: Rejection[]
}

function rejectedLines(rejected: readonly Rejection[] | undefined): string[] {
  if (!rejected || rejected.length === 0) return []
  return ['ruled out by the RTT:', ...rejected.map((r) => `  ${sanitize(r.reason, 200)}`)]
}

export function renderPop(pop: PopVerdict | null, ctx: PopContext = {}): string {
  if (pop === null) {
    return [`PoP: unknown (${ctx.popReason ? sanitize(ctx.popReason, 300) : 'no signal names a site'})`, ...rejectedLines(ctx.popRejected)].join('\n')
  }
  // under CONFIDENT_POP a naming is a hint (a lone server name's "london-1", "fra1"): marked '?' and
  // said so, as the catchment and diff tables and the trace hop column mark one, not a verdict
  const hint = isConfidentPop(pop) ? '' : ` (a hint, not a verdict: confidence under ${CONFIDENT_POP})`
  const lines = [
    `PoP: ${pop.code.toUpperCase()}${hint === '' ? '' : '?'} (${pop.codeType}) — ${placeOf(pop)}, confidence ${pop.confidence.toFixed(2)}${hint}`,
  ]
  if (pop.contradiction) lines.push(`contradiction (${pop.contradiction.kind}): ${sanitize(pop.contradiction.reason, 400)}`)
  lines.push('evidence:', ...pop.evidence.map(evidenceLine))
  if (pop.conflicts.length > 0) lines.push('conflicting:', ...pop.conflicts.map(evidenceLine))
  lines.push(...rejectedLines(pop.rejected))
  return lines.join('\n')
}

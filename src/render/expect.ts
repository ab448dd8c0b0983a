// Text for the events a watch adds over a stream (the starting state) and with --expect
// (unexpected / expected), and for `catchment --expect` violations. Strings only; sanitised.
import type {BrokenRule, CatchmentExpect, ExpectBreach, ExpectEvent, ExpectSummary, LiveWatchEvent, StateEvent, UncertainPop, UnmatchedRule} from '../model/expect.js'
import {CONFIDENT_POP, isHintedPop} from '../model/pop-confidence.js'
import type {VantagePoint} from '../model/vantage.js'
import {sanitize} from '../util/sanitize.js'
import {ms, renderWatchEvent} from './watch.js'

const s = (x: string | null | undefined): string => (x === null || x === undefined ? '-' : sanitize(x, 80))
const clock = (iso: string): string => (iso.length >= 23 ? iso.slice(11, 23) : iso)

/** "DE AS3320" / "DE" / "AS3320" / "" : where a vantage point is, as events label it. */
export function vantageLabel(v: VantagePoint | null | undefined): string {
  if (!v) return ''
  const parts = [v.country === null ? null : s(v.country), v.asn === null ? null : `AS${v.asn}`].filter((x) => x !== null)
  return parts.join(' ')
}

const who = (id: string, v: VantagePoint | null): string => {
  const l = vantageLabel(v)
  return l ? `${s(id)} (${l})` : s(id)
}

export function renderBroken(b: BrokenRule[]): string {
  return b.map((r) => `${s(r.name)}: ${s(r.detail)}`).join('; ')
}

export function renderStateEvent(e: StateEvent): string {
  // a PoP named under 0.5 is a hint: marked '?' as the catchment and diff tables mark it
  const hint = isHintedPop(e.pop, e.popConfidence) ? '? (a hint)' : ''
  return `${clock(e.at)} ${who(e.vantageId, e.vantage)} starts at ${e.answered ? `${s(e.pop)}${hint}` : 'no answer'}${e.rttMs === null ? '' : `, rtt ${ms(e.rttMs)}`}`
}

export function renderExpectEvent(e: ExpectEvent): string {
  if (e.type === 'unexpected') return `${clock(e.at)} ${who(e.vantageId, e.vantage)} UNEXPECTED at ${s(e.pop)} since ${clock(e.since)}: ${renderBroken(e.broken)}`
  return `${clock(e.at)} ${who(e.vantageId, e.vantage)} expected again at ${s(e.pop)} (since ${clock(e.since)})`
}

export function renderLiveEvent(e: LiveWatchEvent): string {
  if (e.type === 'state') return renderStateEvent(e)
  if (e.type === 'unexpected' || e.type === 'expected') return renderExpectEvent(e)
  return renderWatchEvent(e)
}

const quoted = (r: UnmatchedRule): string => `"${s(r.name)}"`

/** Rules that matched no vantage point, by name: they checked nothing (exit 7). */
export function renderUnmatchedRules(rules: readonly UnmatchedRule[] | undefined, of: string): string[] {
  if (rules === undefined || rules.length === 0) return []
  const names = rules.slice(0, 20).map(quoted).join(', ') + (rules.length > 20 ? `, ... (${rules.length - 20} more)` : '')
  return [`anyprobe: ${rules.length === 1 ? 'a rule' : `${rules.length} rules`} of ${of} matched no vantage point, so ${rules.length === 1 ? 'it' : 'they'} checked nothing: ${names} (check its match: a vantage id, probe, country, ASN or tag that is not in this measurement)`]
}

/** Hints are not verdicts: a PoP named under the confidence `diff` pages by does not break a rule. */
function renderUncertain(u: readonly UncertainPop[]): string[] {
  if (u.length === 0) return []
  const rows = u.map((x) => `  ${s(x.vantageId)} at ${s(x.pop)}? (confidence ${x.confidence.toFixed(2)})`)
  return [`anyprobe: ${u.length} vantage point(s) named a PoP only as a hint (confidence under ${CONFIDENT_POP}): uncertain, their pops / notPops rules not judged:`, ...rows]
}

/** `catchment --expect` on stderr: the vantage points that break a rule, or that every one judged keeps them; hints and rules that matched nothing are said. */
export function renderCatchmentExpect(c: CatchmentExpect): string {
  const file = sanitize(c.file, 200)
  const rows = c.violations.map((v) => `  ${s(v.vantageId)} at ${s(v.pop)}: ${renderBroken(v.broken)}`)
  const head =
    c.violations.length > 0
      ? [`anyprobe: ${c.violations.length} vantage point(s) break the rules of ${file}:`, ...rows]
      : c.judged === 0
        ? [`anyprobe: no vantage point was judged against the rules of ${file}`]
        : [`anyprobe: every vantage point judged (${c.judged}) keeps the rules of ${file}`]
  return [...head, ...renderUncertain(c.uncertain ?? []), ...renderUnmatchedRules(c.unmatchedRules, file)].join('\n')
}

/** Seconds for a breach's length: "5.6 s", "2 min 5 s". */
function span(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`
  const sec = Math.round(ms / 1000)
  const h = Math.floor(sec / 3600)
  const m = Math.floor((sec % 3600) / 60)
  return `${h > 0 ? `${h} h ` : ''}${m} min ${sec % 60} s`
}

/** One breach: who, which rules, from when to when, for how long. */
export function renderBreach(b: ExpectBreach): string {
  const when = b.until === null ? `since ${s(b.since)}, still breaking them at the end (at least ${span(b.durationMs)})` : `from ${s(b.since)} to ${s(b.until)} (${span(b.durationMs)})`
  return `  ${s(b.vantageId)}: ${renderBroken(b.broken)}; ${when}`
}

/**
 * The end of a watch with --expect (stderr): every breach of the watch, vantage points named only
 * a hint (not judged), rules that matched no vantage point; null when there is none of those.
 */
export function renderExpectSummary(x: ExpectSummary): string | null {
  const lines: string[] = []
  if (x.brokeRules > 0) {
    lines.push(`anyprobe: ${x.brokeRules} vantage point(s) broke the --expect rules during the watch (${x.stillBroken} still at the end):`, ...x.breaches.map(renderBreach))
    if (x.breachesOmitted > 0) lines.push(`  ... and ${x.breachesOmitted} more breach(es), not listed`)
  }
  if ((x.uncertain ?? 0) > 0) lines.push(`anyprobe: ${x.uncertain} vantage point(s) named a PoP only as a hint (confidence under ${CONFIDENT_POP}) at some time: uncertain, their pops / notPops rules not judged on those answers`)
  lines.push(...renderUnmatchedRules(x.unmatchedRules, 'the --expect file'))
  return lines.length === 0 ? null : lines.join('\n')
}

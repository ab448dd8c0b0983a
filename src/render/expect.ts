// Text for the events a watch adds over a stream (the starting state) and with --expect
// (unexpected / expected), and for `catchment --expect` violations. Strings only; sanitised.
import type {BrokenRule, CatchmentExpect, ExpectBreach, ExpectEvent, ExpectSummary, LiveWatchEvent, StateEvent} from '../model/expect.js'
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
  return `${clock(e.at)} ${who(e.vantageId, e.vantage)} starts at ${e.answered ? s(e.pop) : 'no answer'}${e.rttMs === null ? '' : `, rtt ${ms(e.rttMs)}`}`
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

/** `catchment --expect` on stderr: the vantage points that break a rule, or that every one keeps them. */
export function renderCatchmentExpect(c: CatchmentExpect): string {
  const file = sanitize(c.file, 200)
  if (c.violations.length === 0) return `anyprobe: every vantage point with a result keeps the rules of ${file}`
  const rows = c.violations.map((v) => `  ${s(v.vantageId)} at ${s(v.pop)}: ${renderBroken(v.broken)}`)
  return [`anyprobe: ${c.violations.length} vantage point(s) break the rules of ${file}:`, ...rows].join('\n')
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

/** The end of a watch with --expect (stderr): every breach of the watch, or null when none. */
export function renderExpectSummary(x: ExpectSummary): string | null {
  if (x.brokeRules === 0) return null
  const head = `anyprobe: ${x.brokeRules} vantage point(s) broke the --expect rules during the watch (${x.stillBroken} still at the end):`
  const more = x.breachesOmitted > 0 ? [`  ... and ${x.breachesOmitted} more breach(es), not listed`] : []
  return [head, ...x.breaches.map(renderBreach), ...more].join('\n')
}

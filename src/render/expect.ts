// Text for the events a watch adds over a stream (the starting state) and with --expect
// (unexpected / expected), and for `catchment --expect` violations. Strings only; sanitised.
import type {BrokenRule, ExpectEvent, LiveWatchEvent, StateEvent} from '../model/expect.js'
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

// Reading an observation back from JSON: shared by the watch parent (its children's lines) and
// `anyprobe report` (the lines of a watch --out file). Pure.
import type {Observation} from '../model/watch.js'
import {sanitize} from '../util/sanitize.js'

/**
 * An observation from a parsed JSON object: a watch child's line (children.ts) or a `watch --out`
 * line (src/store/read.ts, which also checks the fields this leaves lenient). null without
 * round, flow, sentAt and answered; pop and error sanitised. vantageId is kept as written ('' when
 * absent): a child's is replaced by the parent, and report sanitises what it keeps.
 */
export function observationFrom(o: Record<string, unknown>): Observation | null {
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
  if (!Number.isSafeInteger(o.round) || !Number.isSafeInteger(o.flow) || !num(o.sentAt) || typeof o.answered !== 'boolean') return null
  if ((o.round as number) < 0 || (o.flow as number) < 0) return null
  return {
    vantageId: typeof o.vantageId === 'string' ? o.vantageId : '',
    round: o.round as number,
    flow: o.flow as number,
    sentAt: o.sentAt,
    receivedAt: num(o.receivedAt) ? o.receivedAt : null,
    rttMs: num(o.rttMs) ? o.rttMs : null,
    pop: typeof o.pop === 'string' ? sanitize(o.pop, 40) : null,
    answered: o.answered,
    ...(typeof o.error === 'string' ? {error: sanitize(o.error, 200)} : {}),
    ...(o.vantageFault === true && typeof o.error === 'string' ? {vantageFault: true as const} : {}),
  }
}

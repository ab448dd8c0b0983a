// A recurring RIPE Atlas measurement for `watch --from atlas:SELECTOR --method dns|trace|ping`:
// the same definition as the one-shot (create.ts: DNS is CHAOS TXT hostname.bind with NSID, sent
// straight to the target), made periodic with `interval`, its cost per hour and per day, and
// stopping it when the watch ends (DELETE /measurements/ID/, which stops a running measurement).
//
// Interval limits: Atlas refuses periodic measurements more frequent than once a minute (its API
// answers 400 for an interval under 60 s for ping, traceroute and DNS); anyprobe refuses them
// first, so nothing is spent on a request Atlas would reject. See MIN_INTERVAL_S.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import {plural} from '../../util/plural.js'
import type {ProbePlan} from '../types.js'
import type {AtlasClient} from './client.js'
import {type AtlasCreateOptions, type AtlasDefinition, buildDefinition, type CreditEstimate, estimateCredits} from './create.js'
import type {AtlasSelector} from './selector.js'

/**
 * The shortest interval Atlas accepts for a periodic measurement, s, per type. 60 s for the three
 * types watch creates (the API's own lower bound; its documented defaults are 240 s for ping and
 * DNS and 900 s for traceroute). Not confirmed per type from the published docs available offline.
 */
export const MIN_INTERVAL_S = {ping: 60, traceroute: 60, dns: 60} as const
/** The longest: Atlas's documented maximum interval (one day... 2 days for some types); anyprobe stops at a day. */
export const MAX_INTERVAL_S = 86_400
/** Atlas's documented default interval per type, s. */
export const DEFAULT_INTERVAL_S = {ping: 240, traceroute: 900, dns: 240} as const

export type WatchAtlasType = keyof typeof MIN_INTERVAL_S

export interface AtlasRecurringRequest {
  definitions: Array<AtlasDefinition & {interval: number; spread?: number}>
  probes: Array<{type: string; value: string | number; requested: number; tags?: unknown}>
  is_oneoff: false
  bill_to?: string
}

/** Refuse an interval Atlas does not allow, with the minimum in the message. Returns seconds. */
export function checkAtlasInterval(type: string, intervalMs: number): number {
  const t = (type === 'trace' ? 'traceroute' : type) as WatchAtlasType
  const min = MIN_INTERVAL_S[t]
  if (min === undefined) {
    throw new AnyprobeError('E_USAGE', `watch --from atlas: measures dns, trace or ping, not ${type}`, {hint: 'use --method dns, trace or ping', exitCode: EXIT.usage})
  }
  const s = intervalMs / 1000
  if (!Number.isInteger(s)) {
    throw new AnyprobeError('E_USAGE', `--interval ${intervalMs} ms: RIPE Atlas intervals are whole seconds`, {hint: `e.g. --interval ${DEFAULT_INTERVAL_S[t]}s`, exitCode: EXIT.usage})
  }
  if (s < min) {
    throw new AnyprobeError('E_USAGE', `--interval ${s}s is shorter than RIPE Atlas allows for ${t} measurements (minimum ${min}s)`, {
      hint: `use --interval ${min}s or more (Atlas's default for ${t} is ${DEFAULT_INTERVAL_S[t]}s)`,
      exitCode: EXIT.usage,
    })
  }
  if (s > MAX_INTERVAL_S) {
    throw new AnyprobeError('E_USAGE', `--interval ${s}s is longer than a day`, {hint: `use --interval ${MAX_INTERVAL_S}s or less`, exitCode: EXIT.usage})
  }
  return s
}

export function buildRecurringRequest(plan: ProbePlan, selector: AtlasSelector, intervalSec: number, o: AtlasCreateOptions = {}): AtlasRecurringRequest {
  const def = buildDefinition(plan, {...o, isPublic: o.isPublic ?? true, description: o.description ?? `anyprobe watch ${plan.target}`})
  const r = selector.request
  const req: AtlasRecurringRequest = {
    // spread: Atlas's default (half the interval, at most 400 s) keeps probes from all measuring at once
    definitions: [{...def, interval: intervalSec}],
    probes: [{type: r.type, value: r.value, requested: r.requested, ...(r.tags ? {tags: r.tags} : {})}],
    is_oneoff: false,
  }
  if (o.billTo) req.bill_to = o.billTo
  return req
}

export interface RecurringCost {
  /** credits per result (periodic: no one-off factor) */
  perResult: number
  probes: number
  intervalSec: number
  resultsPerHour: number
  perHour: number
  perDay: number
  formula: string
  exact: boolean
  source: string
}

export function recurringCost(def: AtlasDefinition, probes: number, intervalSec: number): RecurringCost {
  const e: CreditEstimate = estimateCredits(def, probes, false)
  const resultsPerHour = probes * (3600 / intervalSec)
  return {
    perResult: e.perResult,
    probes,
    intervalSec,
    resultsPerHour: Math.round(resultsPerHour * 100) / 100,
    perHour: Math.round(e.perResult * resultsPerHour),
    perDay: Math.round(e.perResult * resultsPerHour * 24),
    formula: `${e.formula} x ${plural(probes, 'probe')} x ${3600 / intervalSec} results/hour`,
    exact: e.exact,
    source: e.source,
  }
}

export function describeCost(c: RecurringCost): string {
  return `about ${c.perHour} credits per hour, ${c.perDay} per day (${plural(c.probes, 'probe')}, one result each every ${c.intervalSec}s, ${c.perResult} credits per result${c.exact ? '' : ', estimated'})`
}

/** POST the measurement; its id. */
export async function createRecurring(client: AtlasClient, req: AtlasRecurringRequest): Promise<number> {
  const created = await client.postJson<{measurements?: unknown}>('measurements/', req)
  const id = Array.isArray(created?.measurements) ? created.measurements[0] : undefined
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
    throw new AnyprobeError('E_BAD_INPUT', 'RIPE Atlas accepted the measurement but sent no measurement id', {
      hint: 'look for it under "My measurements" on atlas.ripe.net and stop it there (it spends credits while it runs)',
      exitCode: EXIT.data,
    })
  }
  return id
}

/** Stop a running measurement (DELETE /measurements/ID/). */
export async function stopMeasurement(client: AtlasClient, msmId: number): Promise<void> {
  await client.deleteJson(`measurements/${msmId}/`)
}

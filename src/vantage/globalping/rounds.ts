// Live rounds over Globalping (VantageBackend.rounds of GlobalpingBackend): the same measurement
// repeated from the same probes. Round 0 selects them by location; every later round asks for
// `locations: <round 0's measurement id>`, which Globalping answers with the same probes in the
// same order, so a probe keeps its vantage id ("N.CC.City.ASn") round after round. Each probe's
// result goes through the Globalping parser and the one verdict function (parse.ts, as one-shot
// runs do) and becomes an observation; a probe missing from a round it was measured in (offline)
// is an unanswered observation with the reason. A round Globalping could not measure (this host
// offline, the API down or rate limiting) has no observation from the probes it did not measure:
// a gap, as when a RIPE Atlas stream drops, not an outage of the target (that would page an
// operator for this host's network); so does a probe whose result never came because the API went
// away (or the wait ran out) in the middle of a round. Each such probe's round is said as 'unmeasured', so the
// summary counts it in unmeasuredRounds (and anyprobe_rounds_unmeasured_total), apart from the
// rounds skipped: it was asked for on time, Globalping did not measure it.
//
// Rate: each round costs one test per probe out of the hourly limit (anonymous 250, token 500), so
// N probes can be measured every 3600 s x N / limit at the fastest (minIntervalMs); a faster
// interval is refused (E_USAGE) with that figure. Rounds run one after another (never two
// measurements at once): round r starts at startAt + r x interval. The cadence is kept as the
// local, netns and ssh loops keep it (src/vantage/live/loop.ts onTimeRound): a round that could
// not start within half an interval of its time (the previous measurement took longer: Globalping
// slow to finish, a retry's back-off) is skipped, never sent right after the previous one; it has
// no observation, so the summary counts it in skippedRounds (and anyprobe_rounds_skipped_total),
// and a note says so once. --count counts rounds measured; --duration is time, skips included.
//
// What the user is told (round 0's measurement and its cost; a round that could not be created,
// once per error code) are 'note' events: the watch session prints them.
import {vantageRow} from '../../analysis/catchment.js'
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {ProbeMethod, ProbePlan, RoundEvent, RoundsPlan, VantageOutcome} from '../../model/probe.js'
import type {VantagePoint} from '../../model/vantage.js'
import type {Observation} from '../../model/watch.js'
import {sanitize} from '../../util/sanitize.js'
import {onTimeRound} from '../live/loop.js'
import {ANON_LIMIT_PER_HOUR, sustainableIntervalMs, TOKEN_LIMIT_PER_HOUR} from './client.js'
import {TOKEN_HINT} from './config.js'

export interface RateSeam {
  limitPerHour?: number
  minMs?: number
}

/** The fastest interval N probes can be measured at for ever, and the refusal of a faster one. */
export function checkGlobalpingInterval(probes: number, hasToken: boolean, intervalMs: number | undefined, rate: RateSeam = {}): number {
  const limit = rate.limitPerHour ?? (hasToken ? TOKEN_LIMIT_PER_HOUR : ANON_LIMIT_PER_HOUR)
  const min = sustainableIntervalMs(probes, limit, rate.minMs)
  if (intervalMs !== undefined && intervalMs < min) {
    throw new AnyprobeError(
      'E_USAGE',
      `--interval ${intervalMs / 1000}s is faster than Globalping allows for ${probes} probe(s): each round costs ${probes} of the ${limit} tests an hour allowed ${hasToken ? 'with a token' : 'without a token'}, so one round every ${min / 1000}s at the fastest`,
      {hint: `use --interval ${Math.ceil(min / 1000)}s or more, or fewer probes (limit=N)${hasToken ? '' : `; ${TOKEN_HINT}`}`, exitCode: EXIT.usage},
    )
  }
  return intervalMs ?? min
}

/** One probe's outcome -> an observation of round r (the same reading of "answered" as the catchment). */
export function observationOf(oc: VantageOutcome, vantageId: string, round: number, sentAt: number): Observation {
  const row = vantageRow(oc)
  const answered = row.reached === true
  return {
    vantageId,
    round,
    flow: 0,
    sentAt,
    receivedAt: answered && row.rttMs !== null ? Math.round(sentAt + row.rttMs) : null,
    rttMs: answered ? row.rttMs : null,
    pop: answered && row.pop !== null ? row.pop.code.toUpperCase() : null,
    ...(answered && row.pop !== null ? {popConfidence: row.pop.confidence} : {}),
    answered,
    ...(answered ? {} : {error: sanitize(String(oc.error?.code ?? 'E_NO_ANSWER'), 40)}),
  }
}

/**
 * A probe the API gave no result for (the API went away or the wait ran out while it was still in
 * progress: index.ts gives it the API's error, E_NETWORK / E_TIMEOUT / ...): not measured. A probe's
 * own failure (offline, its test failed or timed out at the probe: E_VP_*) is a measurement, unanswered.
 */
export function notMeasured(oc: VantageOutcome): boolean {
  return oc.result === null && oc.error !== null && !oc.error.code.startsWith('E_VP_')
}

export interface GlobalpingRoundsDeps {
  /** one measurement: round 0 from the selector, later rounds from `msm=<first id>`; tells the new id */
  measure(previousId: string | null, plan: ProbePlan, signal: AbortSignal, onId: (id: string) => void): AsyncIterable<VantageOutcome>
  hasToken: boolean
  /** probes a measurement of the selector asks for (null: msm=, known after round 0) */
  probes: number | null
  rate?: RateSeam
  /** tests: a clock on the epoch scale (default: monotonic for the schedule, Date.now for sentAt) and its sleep */
  now?: () => number
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })

/** A monotonic clock on the epoch scale (the schedule survives wall-clock steps). */
function monotonic(): () => number {
  const wall0 = Date.now()
  const mono0 = performance.now()
  return () => wall0 + (performance.now() - mono0)
}

export async function* globalpingRounds(plan: RoundsPlan, deps: GlobalpingRoundsDeps, signal: AbortSignal): AsyncIterable<RoundEvent> {
  const method = (plan.method === 'icmp' ? 'ping' : plan.method) as ProbeMethod
  const probePlan: ProbePlan = {method, target: plan.target, cliArgs: [], options: {}}
  if (deps.probes !== null) checkGlobalpingInterval(deps.probes, deps.hasToken, plan.intervalMs, deps.rate)
  const now = deps.now ?? monotonic()
  const wallNow = deps.now ?? Date.now
  const pause = deps.sleep ?? sleep
  let firstId: string | null = null
  const ids = new Map<number, string>() // result index -> vantage id
  const vantages = new Map<string, VantagePoint>()
  const said = new Set<string>()
  let startAt = now()
  // rounds skipped because they could not start on time: --count counts the rounds measured
  let skipped = 0
  const last = (): number =>
    Math.min(plan.count === null ? Number.POSITIVE_INFINITY : plan.count - 1 + skipped, plan.durationMs === null ? Number.POSITIVE_INFINITY : Math.ceil(plan.durationMs / plan.intervalMs) - 1)
  // why a round's probes were not measured, once per error code
  const notSaid = (e: {code: string; message: string; hint?: string | null}, round: number, out: RoundEvent[]): void => {
    if (said.has(e.code)) return
    said.add(e.code)
    out.push({type: 'note', text: `error ${sanitize(e.code, 40)} in round ${round}: ${sanitize(e.message, 500)}; the probes it did not measure have no observation this round (counted as not measured, not as unanswered or skipped), the watch goes on${e.hint ? `\nhint: ${sanitize(e.hint, 300)}` : ''}`})
  }
  // the outcome's index: its vantage id starts with "N." (1-based result index, parse.ts)
  const indexOf = (oc: VantageOutcome, fallback: number): number => {
    const n = Number(/^(\d+)\./.exec(oc.vantage.id)?.[1] ?? NaN)
    return Number.isInteger(n) && n >= 1 ? n - 1 : fallback
  }
  for (let round = 0; round <= last() && !signal.aborted; round++) {
    if (round > 0) {
      // over half an interval late (the previous round took that long): skipped, not sent at once
      const onTime = onTimeRound(round, startAt, plan.intervalMs, now())
      if (onTime > round) {
        const from = round
        skipped += onTime - round
        round = Math.min(onTime, last() + 1)
        if (!said.has('skipped')) {
          said.add('skipped')
          yield {type: 'note', text: `anyprobe: round ${from - 1} took longer than the interval (${plan.intervalMs / 1000}s): the rounds it overran are skipped, not measured late back to back, and counted in the summary (skipped rounds); a longer --interval avoids it`}
        }
        if (round > last()) break
      }
      await pause(startAt + round * plan.intervalMs - now(), signal)
      if (signal.aborted) break
    }
    const sentAt = wallNow()
    const seen = new Set<string>()
    const out: RoundEvent[] = []
    let n = 0
    try {
      for await (const oc of deps.measure(firstId, probePlan, signal, (id) => (firstId ??= id))) {
        const index = indexOf(oc, n++)
        let id = ids.get(index)
        if (id === undefined) {
          id = oc.vantage.id
          ids.set(index, id)
        }
        const known = vantages.get(id)
        const vantage = known === undefined || oc.vantage.country !== null || oc.vantage.asn !== null ? {...oc.vantage, id} : known
        vantages.set(id, vantage)
        if (known === undefined) out.push({type: 'started', vantage})
        seen.add(id)
        if (notMeasured(oc)) {
          // the API went away (or the wait ran out) before this probe's result came: not measured
          notSaid(oc.error!, round, out)
          out.push({type: 'unmeasured', vantage, round})
        } else out.push({type: 'observation', vantage, observation: observationOf(oc, id, round, sentAt)})
      }
    } catch (e) {
      // round 0 selects the probes: nothing to watch without it
      if (round === 0 || !(e instanceof AnyprobeError)) throw e
      notSaid(e, round, out)
      // not measured is not "no answer": no observation for them this round, said as unmeasured
      for (const [id, vantage] of vantages) {
        if (seen.has(id)) continue
        seen.add(id)
        out.push({type: 'unmeasured', vantage, round})
      }
    }
    if (signal.aborted && round > 0) break
    if (round === 0) {
      if (deps.probes === null) checkGlobalpingInterval(Math.max(1, vantages.size), deps.hasToken, plan.intervalMs, deps.rate)
      const probes = vantages.size
      out.unshift({
        type: 'note',
        text:
          `anyprobe: watching ${sanitize(plan.target, 100)} from ${probes} Globalping probe(s) (measurement ${sanitize(firstId ?? '?', 40)}, then the same probes) every ${plan.intervalMs / 1000}s; ` +
          `each round costs ${probes} of Globalping's tests an hour`,
      })
      // the schedule counts from the first round's creation
      startAt = now() - (wallNow() - sentAt)
    }
    // a probe the round did not return (offline, gone): unanswered, with the reason
    for (const [id, vantage] of vantages) {
      if (!seen.has(id)) out.push({type: 'observation', vantage, observation: {vantageId: id, round, flow: 0, sentAt, receivedAt: null, rttMs: null, pop: null, answered: false, error: 'E_NO_RESULT'}})
    }
    yield* out
    yield {type: 'round', round}
  }
  for (const vantage of vantages.values()) yield {type: 'ended', vantage, error: null}
}

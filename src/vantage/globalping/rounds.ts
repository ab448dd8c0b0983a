// Live rounds over Globalping (VantageBackend.rounds of GlobalpingBackend): the same measurement
// repeated from the same probes. Round 0 selects them by location; every later round asks for
// `locations: <the newest measurement created>` (the round before's, or an older one when rounds
// failed), which Globalping answers with the same probes (offline ones listed as such). Not round
// 0's id: Globalping keeps a measurement 7 days (RESULT_TTL_MS), then answers 422 for it, and
// every round after that was unmeasured. Each result goes to its vantage point ("N.CC.City.ASn",
// named in round 0) by the probe's identity (identity.ts), never by its position, so a probe that
// drops out cannot shift its neighbours' results onto the wrong vantage point. Each probe's
// result goes through the Globalping parser and the one verdict function (parse.ts, as one-shot
// runs do) and becomes an observation; an offline probe is an unanswered observation with the
// reason (E_VP_OFFLINE), a probe the measurement no longer lists one with E_VP_GONE and
// vantageFault: both the vantage point's own failure, not an outage of the target. When even the
// newest measurement is gone (no round measured for 7 days), the same probes cannot be asked for
// again: the watch says so (a failed note: exit 6, not measured) and ends, rather than measuring nothing. A round Globalping could not measure (this host
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
import {ANON_LIMIT_PER_HOUR, GlobalpingProbesGone, RESULT_TTL_MS, sustainableIntervalMs, TOKEN_LIMIT_PER_HOUR} from './client.js'
import {TOKEN_HINT} from './config.js'
import {type KnownProbe, matchProbes, probeKey} from './identity.js'

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
  if (intervalMs !== undefined && intervalMs >= RESULT_TTL_MS) {
    // each round asks for the probes by the round before's id, which Globalping keeps 7 days
    throw new AnyprobeError('E_USAGE', `--interval ${intervalMs / 1000}s is as long as Globalping keeps a measurement (${RESULT_TTL_MS / 86_400_000} days): the next round could not ask for the same probes`, {
      hint: `use an --interval under ${RESULT_TTL_MS / 86_400_000} days`,
      exitCode: EXIT.usage,
    })
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
  /** one measurement: round 0 from the selector, later rounds from `msm=<an earlier round's id>`; tells the new id */
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
  // the measurements the next round may ask for the same probes by, newest first: each lists the
  // same probes (offline ones included), and the newest is never older than an interval while
  // rounds are measured, where round 0's id expired after RESULT_TTL_MS. The older ones (still
  // kept by Globalping by this clock) are there in case the newest is unknown to it all the same:
  // a refused POST costs nothing, the next one is tried in the same round.
  const anchors: Array<{id: string; at: number}> = []
  const MAX_ANCHORS = 4
  // the watched vantage points, in the order round 0 measured them; matched by identity (identity.ts)
  const known: KnownProbe[] = []
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
  // the outcome's position in its measurement: its vantage id starts with "N." (1-based, parse.ts)
  const indexOf = (oc: VantageOutcome, fallback: number): number => {
    const n = Number(/^(\d+)\./.exec(oc.vantage.id)?.[1] ?? NaN)
    return Number.isInteger(n) && n >= 1 ? n - 1 : fallback
  }
  let gone = false
  for (let round = 0; round <= last() && !signal.aborted && !gone; round++) {
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
    const out: RoundEvent[] = []
    const arrived: Array<{index: number; oc: VantageOutcome}> = []
    let created: string | null = null
    let failed = false
    // the ones Globalping still keeps by this clock (the newest always: the API decides)
    const usable = anchors.filter((a, i) => i === 0 || sentAt - a.at < RESULT_TTL_MS)
    try {
      for (let a = 0; ; a++) {
        const anchor = usable[a]?.id ?? null
        try {
          let n = 0
          for await (const oc of deps.measure(anchor, probePlan, signal, (id) => {
            created = id
            firstId ??= id
          }))
            arrived.push({index: indexOf(oc, n++), oc})
          break
        } catch (e) {
          if (!(e instanceof GlobalpingProbesGone) || created !== null || a + 1 >= usable.length) throw e
          if (!said.has('anchor')) {
            said.add('anchor')
            out.push({type: 'note', text: `anyprobe: round ${round}: Globalping no longer knows measurement ${sanitize(e.measurementId, 64)}; the same probes are asked for by an older one (${sanitize(usable[a + 1]!.id, 64)})`})
          }
        }
      }
    } catch (e) {
      // round 0 selects the probes: nothing to watch without it
      if (round === 0 || !(e instanceof AnyprobeError)) throw e
      failed = true
      if (e instanceof GlobalpingProbesGone) {
        // the newest measurement of these probes is gone (no round could be measured for longer
        // than Globalping keeps one): they cannot be asked for again; a fresh selection would be
        // other probes under these vantage points' names, so the watch of them ends here
        gone = true
        out.push({
          type: 'note',
          failed: true,
          text: `error ${e.code} in round ${round}: ${sanitize(e.message, 500)}; no round since measurement ${sanitize(e.measurementId, 64)} could be measured, so the same probes cannot be asked for again: the watch of them ends (round ${round} not measured)\nhint: ${sanitize(e.hint ?? '', 300)}`,
        })
      } else notSaid(e, round, out)
    }
    if (created !== null) anchors.splice(0, anchors.length, {id: created, at: sentAt}, ...anchors.slice(0, MAX_ANCHORS - 1))
    if (signal.aborted && round > 0) break
    // each result to its vantage point by the probe's identity (round 0 names them)
    const match = round === 0 ? null : matchProbes(known, arrived.map((a) => ({index: a.index, vantage: a.oc.vantage})))
    const seen = new Set<string>()
    for (const {index, oc} of arrived) {
      let id: string
      if (match === null) {
        id = oc.vantage.id
        if (vantages.has(id)) continue
        known.push({id, vantage: oc.vantage})
      } else {
        const matched = match.get(index)
        if (matched === undefined || seen.has(matched)) {
          const key = `unmatched ${probeKey(oc.vantage)}`
          if (!said.has(key)) {
            said.add(key)
            out.push({type: 'note', text: `anyprobe: round ${round}: a result from a probe that is none of the watched ones (${sanitize(oc.vantage.name ?? oc.vantage.id, 200)}) is not counted for any vantage point`})
          }
          continue
        }
        id = matched
        // its place as Globalping now says it (the next round matches it exactly)
        const k = known.find((x) => x.id === id)!
        if (oc.vantage.country !== null || oc.vantage.asn !== null) k.vantage = oc.vantage
      }
      const prior = vantages.get(id)
      const vantage = prior === undefined || oc.vantage.country !== null || oc.vantage.asn !== null ? {...oc.vantage, id} : prior
      vantages.set(id, vantage)
      if (prior === undefined) out.push({type: 'started', vantage})
      else if (probeKey(prior) !== probeKey(vantage)) {
        // re-geolocated by Globalping (matched by country and ASN): the watch learns its new place, and the user why
        out.push({type: 'vantage', vantage})
        out.push({type: 'note', text: `anyprobe: round ${round}: Globalping now places probe ${sanitize(id, 200)} at ${sanitize(vantage.name ?? '?', 200)} (was ${sanitize(prior.name ?? '?', 200)}); matched to it by country and ASN`})
      }
      seen.add(id)
      if (notMeasured(oc)) {
        // the API went away (or the wait ran out) before this probe's result came: not measured
        notSaid(oc.error!, round, out)
        out.push({type: 'unmeasured', vantage, round})
      } else out.push({type: 'observation', vantage, observation: observationOf(oc, id, round, sentAt)})
    }
    if (failed) {
      // not measured is not "no answer": no observation for them this round, said as unmeasured
      for (const [id, vantage] of vantages) if (!seen.has(id)) out.push({type: 'unmeasured', vantage, round})
    }
    if (round === 0) {
      if (deps.probes === null) checkGlobalpingInterval(Math.max(1, vantages.size), deps.hasToken, plan.intervalMs, deps.rate)
      const probes = vantages.size
      out.unshift({
        type: 'note',
        text:
          `anyprobe: watching ${sanitize(plan.target, 100)} from ${probes} Globalping probe(s) (measurement ${sanitize(firstId ?? '?', 40)}, then the same probes, each round asked for by the round before) every ${plan.intervalMs / 1000}s; ` +
          `each round costs ${probes} of Globalping's tests an hour`,
      })
      // the schedule counts from the first round's creation
      startAt = now() - (wallNow() - sentAt)
    }
    // a watched probe the round's measurement did not list: gone from Globalping (its own failure,
    // not the target's: vantageFault), said once per vantage point
    for (const [id, vantage] of vantages) {
      if (seen.has(id) || failed) continue
      if (!said.has(`gone ${id}`)) {
        said.add(`gone ${id}`)
        out.push({type: 'note', text: `anyprobe: probe ${sanitize(id, 200)} is not in round ${round}'s measurement: Globalping no longer lists it; its rounds count as that vantage point's own failure (E_VP_GONE), not the target's, until it is back`})
      }
      out.push({type: 'observation', vantage, observation: {vantageId: id, round, flow: 0, sentAt, receivedAt: null, rttMs: null, pop: null, answered: false, error: 'E_VP_GONE', vantageFault: true}})
    }
    yield* out
    yield {type: 'round', round}
  }
  for (const vantage of vantages.values()) yield {type: 'ended', vantage, error: null}
}

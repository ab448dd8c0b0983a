// The round loop: round r of every flow is sent at startAt + r * interval (an absolute schedule, so
// no drift, and vantage points started by different processes share round numbers), each probe
// in flight on its own; an observation is reported as soon as its probe ends (answer or timeout).
// A loop started after startAt skips the rounds already past (they are not its own).
// The cadence is kept, as mtr, fping and RIPE Atlas keep theirs: a round is sent only within half
// an interval of when it is due. A loop that fell further behind (a busy machine, a prober slow to
// return, a suspended laptop) skips the rounds it missed and counts them (`skipped`) instead of
// sending them back to back: a burst would put two rounds' probes at the same instant, and a
// failover's gap measured across them would read 0 ms. --count counts the rounds sent, so a
// skipped round does not shorten the run; --duration is time, skipped rounds included.
// With countFromFirst, --count and --duration count from the first round this loop sends (a
// netns/ssh child that took seconds to start, an ssh login, still probes as long as asked).
// Stopping (signal) sends nothing new and waits for the probes in flight, so nothing sent is lost.
// The schedule runs on a monotonic clock: startAt is a wall-clock time (so processes agree on it),
// read once against the monotonic clock; after that a step of the wall clock (NTP, a manual date)
// neither ends a watch early nor stalls it. Timestamps in observations stay wall-clock.
import type {VantagePoint} from '../../model/vantage.js'
import type {Observation} from '../../model/watch.js'
import type {ProbeAnswer, Prober} from './probe.js'

export interface RoundLoopOptions {
  vantageId: string
  vantage?: VantagePoint
  prober: Prober
  intervalMs: number
  flows: number
  /** ms since the epoch of round 0 */
  startAt: number
  /** stop after this many rounds sent (rounds 0..count-1, and one more for each round skipped late), when set */
  count?: number
  /**
   * count --count and --duration from the first round this loop sends (a netns/ssh child that
   * joined late, at round k, sends rounds k..k+count-1, or probes from round k for durationMs: it
   * probes as long as asked, from when it was ready), or from `fromRound` when given
   */
  countFromFirst?: boolean
  /** with countFromFirst: count from this round instead (a failed child's unanswered rounds end when the child would have) */
  fromRound?: number
  /** stop at startAt + durationMs (with countFromFirst: the first round's time + durationMs), when set */
  durationMs?: number
  signal?: AbortSignal
  /** each probe's observation as it ends, with the prober's answer (null when the prober threw) */
  onObservation: (obs: Observation, answer: ProbeAnswer | null) => void
  /** all flows of round r have reported, and so have all earlier rounds */
  onRoundComplete?: (round: number) => void
  /** the schedule's clock, in ms on the epoch scale (default: monotonic, anchored to the wall clock once) */
  now?: () => number
  /** timestamps (sentAt) (default: Date.now) */
  wallNow?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve()
      return
    }
    const done = (): void => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}

/** A monotonic clock on the epoch scale: Date.now() at the call, then advanced by performance.now(). */
export function monotonicEpochClock(): () => number {
  const wall0 = Date.now()
  const mono0 = performance.now()
  return () => wall0 + (performance.now() - mono0)
}

/** The round to send now when round `round` is due at `due` and the clock reads `now`: itself, or a later one when it is over half an interval late (pure). */
export function onTimeRound(round: number, startAt: number, intervalMs: number, now: number): number {
  if (now - (startAt + round * intervalMs) <= intervalMs / 2) return round
  // the first round whose slot is not half over yet
  return Math.max(round + 1, Math.ceil((now - startAt - intervalMs / 2) / intervalMs))
}

/**
 * Runs until count, duration or the signal; resolves when every probe sent has been reported.
 * `rounds`: rounds sent; `skipped`: rounds skipped because they could not be sent on time.
 */
export async function runRounds(o: RoundLoopOptions): Promise<{rounds: number; skipped: number}> {
  const now = o.now ?? monotonicEpochClock()
  const wallNow = o.wallNow ?? o.now ?? ((): number => Date.now())
  const sleep = o.sleep ?? abortableSleep
  const inFlight = new Set<Promise<void>>()
  const pending = new Map<number, number>() // round -> flows not reported yet
  let completedThrough = -1
  let sentRounds = 0
  let skipped = 0
  let firstRound = 0
  const lastRound = (): number => {
    const base = o.countFromFirst ? (o.fromRound ?? firstRound) : 0
    let last = Number.POSITIVE_INFINITY
    if (o.count !== undefined) last = Math.min(last, base + o.count - 1 + skipped)
    if (o.durationMs !== undefined) last = Math.min(last, base + Math.ceil(o.durationMs / o.intervalMs) - 1)
    return last
  }
  const advance = (): void => {
    while (pending.get(completedThrough + 1) === 0) {
      pending.delete(completedThrough + 1)
      completedThrough++
      o.onRoundComplete?.(completedThrough)
    }
  }
  let round = Math.max(0, Math.ceil((now() - o.startAt) / o.intervalMs))
  firstRound = round
  // rounds skipped because this loop started late count as complete (nothing was sent in them)
  for (let r = 0; r < round; r++) pending.set(r, 0)
  advance()
  while (!o.signal?.aborted && round <= lastRound()) {
    const due = o.startAt + round * o.intervalMs
    const wait = due - now()
    if (wait > 0) await sleep(wait, o.signal)
    if (o.signal?.aborted) break
    // over half an interval late: skipped (counted), never sent in a burst with the next one
    const onTime = onTimeRound(round, o.startAt, o.intervalMs, now())
    if (onTime > round) {
      for (let r = round; r < onTime; r++) {
        if (r > lastRound()) break
        pending.set(r, 0)
        skipped++
      }
      round = onTime
      advance()
      continue
    }
    const r = round
    pending.set(r, o.flows)
    for (let flow = 0; flow < o.flows; flow++) {
      const sentAt = wallNow()
      const p = o.prober(flow).then(
        (a) => {
          const obs: Observation = {
            vantageId: o.vantageId,
            ...(o.vantage ? {vantage: o.vantage} : {}),
            round: r,
            flow,
            sentAt,
            receivedAt: a.receivedAt,
            rttMs: a.rttMs,
            pop: a.pop,
            ...(a.popConfidence === undefined ? {} : {popConfidence: a.popConfidence}),
            answered: a.answered,
            ...(a.error === undefined ? {} : {error: a.error}),
            ...(a.vantageFault === true ? {vantageFault: true as const} : {}),
          }
          o.onObservation(obs, a)
        },
        (error: unknown) => {
          o.onObservation(
            {
              vantageId: o.vantageId,
              ...(o.vantage ? {vantage: o.vantage} : {}),
              round: r,
              flow,
              sentAt,
              receivedAt: null,
              rttMs: null,
              pop: null,
              answered: false,
              error: String((error as Error)?.message ?? error),
            },
            null,
          )
        },
      )
      const tracked = p.finally(() => {
        inFlight.delete(tracked)
        pending.set(r, pending.get(r)! - 1)
        advance()
      })
      inFlight.add(tracked)
    }
    sentRounds++
    round++
  }
  await Promise.all([...inFlight])
  return {rounds: sentRounds, skipped}
}

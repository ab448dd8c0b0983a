// RIPE Atlas results -> watch observations (the live rounds of rounds.ts): one observation per result, through the Atlas parser
// (parse.ts) and the same PoP naming as every watch (popNamer over the DNS identity strings).
//
// Time: each observation's sentAt is the result's own timestamp. Rounds are counted per probe in
// measurement intervals from a common base (the watch's start), anchored at the probe's first
// result, so a probe's results fall one per round however Atlas spreads probes over the interval,
// and a few seconds of jitter never put two results in one round.
//
// Naming: a probe's PoP is named where the probe is (its metadata's location, once known), with the
// verdict's speed-of-light check, as catchment names it from the same result; a probe RIPE Atlas
// placed only at its country's centre counts as unplaced (vpLocationOf).
//
// Silence: a probe that sends nothing (disconnected, or its results lost upstream) has no result
// to say so. Its round r counts as unanswered ("E_NO_RESULT") once the stream's clock (the newest
// result timestamp seen, from any probe) is more than `graceSec` (default: one interval) past the
// time its result was due. So outages of silent probes come from the data, deterministically,
// about one to two intervals after the silence began; a result that still arrives after that is
// counted as late by the analyser. Silence from EVERY probe is not read this way: the stream's
// clock does not move then, and rounds.ts counts the rounds that neither the stream nor the API
// delivered as not measured (unmeasured()).
import {identityInputs, minRttMs} from '../../engines/dns/probe.js'
import {vpLocationOf} from '../../infer/verdict.js'
import type {VantagePoint} from '../../model/vantage.js'
import type {Observation} from '../../model/watch.js'
import type {PopNamer} from '../live/probe.js'
import {type AtlasMeasurementMeta, type AtlasProbeMeta, atlasVantage, parseAtlasResult} from './parse.js'

export interface AtlasProbeInfo {
  meta: AtlasProbeMeta | null
  tags: string[]
}

interface ProbeState {
  id: number
  vantage: VantagePoint
  /** unix s of the first result */
  anchor: number
  /** the round of the first result */
  offset: number
  /** the highest round given an observation */
  last: number
  described: boolean
}

export interface AtlasObserverOptions {
  intervalSec: number
  /** unix s: round 0 starts here */
  baseSec: number
  measurement: AtlasMeasurementMeta | null
  probe: (id: number) => AtlasProbeInfo | null
  name: PopNamer
  graceSec?: number
}

export interface Observed {
  obs: Observation
  /** the result was parsed (false: a synthesized silent round) */
  fromResult: boolean
  /** the probe's vantage point as known now (its metadata may come after its first observation) */
  vantage: VantagePoint
}

export class AtlasObserver {
  private readonly probes = new Map<number, ProbeState>()
  private readonly I: number
  private readonly grace: number
  private readonly af: 4 | 6
  /** the newest result timestamp seen, unix s */
  clock = 0
  private lastSweep = 0
  malformed = 0

  constructor(private readonly o: AtlasObserverOptions) {
    this.I = o.intervalSec
    this.grace = o.graceSec ?? o.intervalSec
    this.af = o.measurement?.af === 6 ? 6 : 4
  }

  get probeCount(): number {
    return this.probes.size
  }

  private stateOf(prb: number, ts: number): ProbeState {
    let st = this.probes.get(prb)
    if (st === undefined) {
      const info = this.o.probe(prb)
      const offset = Math.max(0, Math.floor((ts - this.o.baseSec) / this.I))
      st = {id: prb, vantage: atlasVantage(prb, info?.meta ?? null, this.af), anchor: ts, offset, last: offset - 1, described: false}
      this.probes.set(prb, st)
    }
    return st
  }

  private roundOf(st: ProbeState, ts: number): number {
    return st.offset + Math.round((ts - st.anchor) / this.I)
  }

  private silent(st: ProbeState, round: number): Observation {
    return {
      vantageId: st.vantage.id,
      ...this.describe(st),
      round,
      flow: 0,
      sentAt: (st.anchor + (round - st.offset) * this.I) * 1000,
      receivedAt: null,
      rttMs: null,
      pop: null,
      answered: false,
      error: 'E_NO_RESULT',
    }
  }

  /** the vantage point rides on a probe's first observation only (the analyser and --out keep it) */
  private describe(st: ProbeState): {vantage?: VantagePoint} {
    if (st.described) return {}
    st.described = true
    return {vantage: st.vantage}
  }

  /** Refresh a probe's vantage point once its metadata is known (after its first observation). */
  setProbeInfo(prb: number, info: AtlasProbeInfo): void {
    const st = this.probes.get(prb)
    if (st) st.vantage = atlasVantage(prb, info.meta, this.af)
  }

  vantageOf(prb: number): VantagePoint | null {
    return this.probes.get(prb)?.vantage ?? null
  }

  /**
   * One raw result -> its observation, preceded by the probe's rounds it skipped (unanswered). A
   * result without a probe id or timestamp gives nothing (counted in `malformed`).
   */
  result(raw: Record<string, unknown>): Observed[] {
    const prb = raw.prb_id
    const ts = raw.timestamp
    if (typeof prb !== 'number' || !Number.isSafeInteger(prb) || prb <= 0 || typeof ts !== 'number' || !Number.isFinite(ts) || ts <= 0) {
      this.malformed++
      return []
    }
    const st = this.stateOf(prb, ts)
    const round = this.roundOf(st, ts)
    if (round < 0) return [] // older than the probe's first result: nothing to add to its story
    const out: Observed[] = []
    for (let r = st.last + 1; r < round; r++) out.push({obs: this.silent(st, r), fromResult: false, vantage: st.vantage})
    if (round > st.last) st.last = round
    out.push({obs: this.observation(st, raw, round, ts), fromResult: true, vantage: st.vantage})
    if (ts > this.clock) this.clock = ts
    return out
  }

  private observation(st: ProbeState, raw: Record<string, unknown>, round: number, ts: number): Observation {
    const info = this.o.probe(st.id)
    const parsed = parseAtlasResult(raw, info?.meta ?? null, {measurement: this.o.measurement})
    const base = {vantageId: st.vantage.id, ...this.describe(st), round, flow: 0, sentAt: ts * 1000}
    const oc = parsed.outcomes.find((x) => x.result !== null) ?? parsed.outcomes[0]
    const r = oc?.result ?? null
    if (r === null) {
      return {...base, receivedAt: null, rttMs: null, pop: null, answered: false, error: oc?.error?.code ?? (parsed.status === 'malformed' ? 'E_BAD_INPUT' : 'E_NO_ANSWER')}
    }
    let answered = false
    let rttMs: number | null = null
    let pop: string | null = null
    // the confidence it was named with: --expect does not break a rule on a hint (model/pop-confidence.ts)
    let popConfidence: number | null = null
    if (r.kind === 'dns') {
      answered = r.answered
      rttMs = minRttMs(r.queries)
      // named where the probe is, as catchment names it (vpLocationOf: not at a point RIPE Atlas
      // put for its whole country), so the speed-of-light check rules out places it cannot be
      const named = answered ? this.o.name(identityInputs(r.identity).map((input) => ({signal: 'dns-identity', input})), rttMs, vpLocationOf(st.vantage)) : null
      pop = named?.code ?? null
      popConfidence = named?.confidence ?? null
    } else if (r.kind === 'ping') {
      rttMs = r.minMs
      answered = r.received > 0
    } else if (r.kind === 'trace') {
      answered = r.destinationReached
      // without reverse DNS (not done live) only names the trace already carries count
      pop = r.pop?.code.toUpperCase() ?? null
      popConfidence = r.pop?.confidence ?? null
    }
    return {...base, receivedAt: rttMs === null ? null : Math.round(ts * 1000 + rttMs), rttMs, pop, ...(pop === null || popConfidence === null ? {} : {popConfidence}), answered, ...(answered ? {} : {error: oc?.error?.code ?? 'E_NO_ANSWER'})}
  }

  /**
   * The rounds of every probe overdue by more than the grace at `clockSec` (the stream's clock moved
   * on by the wall clock while no probe sent anything), as not measured: the stream or the API failed
   * to deliver them, which says nothing of the target. Each probe's story moves past them, so a
   * result that still comes for one is late, and they are never also counted unanswered.
   */
  unmeasured(clockSec: number): Array<{vantage: VantagePoint; round: number}> {
    const out: Array<{vantage: VantagePoint; round: number}> = []
    for (const st of this.probes.values()) {
      for (;;) {
        const next = st.last + 1
        const due = st.anchor + (next - st.offset) * this.I
        if (due + this.grace >= clockSec) break
        st.last = next
        out.push({vantage: st.vantage, round: next})
      }
    }
    return out
  }

  /** The newest round every probe has an observation or a mark for (-1: none yet): the rounds through it are all in. */
  decidedThrough(): number {
    let min = Number.POSITIVE_INFINITY
    for (const st of this.probes.values()) min = Math.min(min, st.last)
    return Number.isFinite(min) ? min : -1
  }

  /**
   * Unanswered observations for every probe whose next result is overdue by more than the grace
   * (by the stream's clock, or `clockSec` when given: the end of a watch, or a quiet stream).
   * Cheap enough to call per result: it scans at most once per second of stream time.
   */
  sweep(clockSec?: number, force = false): Observed[] {
    const clock = Math.max(this.clock, clockSec ?? 0)
    if (!force && clock - this.lastSweep < 1) return []
    this.lastSweep = clock
    const out: Observed[] = []
    for (const st of this.probes.values()) {
      for (;;) {
        const next = st.last + 1
        const due = st.anchor + (next - st.offset) * this.I
        if (due + this.grace >= clock) break
        st.last = next
        out.push({obs: this.silent(st, next), fromResult: false, vantage: st.vantage})
      }
    }
    return out
  }
}

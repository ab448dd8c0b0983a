// A virtual clock and a transport driven by scenario data, so the state machine can be tested
// without root, deterministically, from files (see test/fixtures/trace-scenarios/*.json).

import type {IdentitySource} from './dns-identity.js'
import type {TraceOptions} from './engine.js'
import {normalizeIp} from './packet.js'
import type {Clock, OutgoingProbe, ReplyEvent, ReplyKind, TraceTransport} from './transport.js'

// ---------------------------------------------------------------------------------------------
// Fake clock

interface Timer {
  at: bigint
  seq: number
  fn: () => void
  cancelled: boolean
}

export class FakeClock implements Clock {
  private t = 0n
  private seq = 0
  private timers: Timer[] = []

  now(): bigint {
    return this.t
  }

  nowMs(): number {
    return Number(this.t) / 1e6
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: Timer = {at: this.t + BigInt(Math.round(Math.max(0, ms) * 1e6)), seq: this.seq++, fn, cancelled: false}
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }

  /** Jump to the earliest pending timer and fire it. False when none is pending. */
  step(): boolean {
    this.timers = this.timers.filter((t) => !t.cancelled)
    if (this.timers.length === 0) return false
    this.timers.sort((a, b) => (a.at === b.at ? a.seq - b.seq : a.at < b.at ? -1 : 1))
    const next = this.timers.shift()!
    if (next.at > this.t) this.t = next.at
    next.fn()
    return true
  }

  /** Drive a promise that depends on this clock: let it run, then advance virtual time, until it settles. */
  async run<T>(promise: Promise<T>, maxSteps = 1_000_000): Promise<T> {
    const out: {state: 'pending' | 'ok' | 'err'; value?: T; error?: unknown} = {state: 'pending'}
    promise.then(
      (v) => {
        out.state = 'ok'
        out.value = v
      },
      (e: unknown) => {
        out.state = 'err'
        out.error = e
      },
    )
    const settle = (): boolean => {
      if (out.state === 'err') throw out.error
      return out.state === 'ok'
    }
    for (let i = 0; i < maxSteps; i++) {
      await new Promise<void>((r) => setImmediate(r)) // drains microtasks
      if (settle()) return out.value as T
      if (!this.step()) {
        await new Promise<void>((r) => setImmediate(r))
        if (settle()) return out.value as T
        throw new Error(`deadlock at ${this.nowMs()} ms: no timer pending and the promise has not settled`)
      }
    }
    throw new Error('FakeClock.run: too many steps')
  }
}

// ---------------------------------------------------------------------------------------------
// Scenario data

/** How the network answers the probes of one TTL (or a range of TTLs). */
export interface ScenarioHop {
  /** one TTL, or an inclusive [from, to] range */
  ttl: number | [number, number]
  /** who answers; an array gives one address per probe index (null = that probe is lost). Absent = silent. */
  addr?: string | null | Array<string | null>
  /** RTT in ms, one number for every probe, or one per probe index (null = lost) */
  rttMs?: number | null | Array<number | null>
  /** default 'time-exceeded'; an array gives one kind per probe index (a server answering SYN-ACK, RST, SYN-ACK) */
  kind?: ReplyKind | ReplyKind[]
  icmpType?: number | null
  icmpCode?: number | null
  replyTtl?: number | null
  /** kind 'dns-reply': what the answer says of its server */
  identity?: string[]
  /** kind 'dns-reply': which of id.server and NSID gave it */
  identitySources?: IdentitySource[]
}

export interface ScenarioExtra {
  /** answer this (ttl, probe) a second time (a duplicate) or with a late reply */
  ttl: number
  probe: number
  addr: string
  rttMs: number
  kind?: ReplyKind
  icmpType?: number | null
  icmpCode?: number | null
}

export interface ScenarioNoise {
  /** a reply for a probe key this trace never sent, at this virtual time */
  atMs: number
  probeKey: number
  from: string
}

export interface ExpectedHop {
  ttl: number
  addr?: string | null
  addrs?: string[]
  rttMs?: Array<number | null>
}

export interface Scenario {
  name: string
  description: string
  options: Omit<TraceOptions, 'signal'>
  hops: ScenarioHop[]
  extra?: ScenarioExtra[]
  noise?: ScenarioNoise[]
  /** probe sends that fail (by probe key) */
  failSend?: number[]
  expect: {
    stopReason: string
    destinationReached: boolean
    hops: ExpectedHop[]
    /** bounds on the virtual wall time of the whole trace */
    durationMs?: {min?: number; max?: number}
    /** at most this many probes sent */
    maxProbesSent?: number
    /** the destination's identity the trace keeps (DNS probes) */
    identity?: string[]
  }
}

function defaultIcmp(kind: ReplyKind, family: 4 | 6): {type: number | null; code: number | null} {
  switch (kind) {
    case 'time-exceeded':
      return family === 4 ? {type: 11, code: 0} : {type: 3, code: 0}
    case 'unreachable':
      return family === 4 ? {type: 3, code: 1} : {type: 1, code: 3}
    case 'echo-reply':
      return family === 4 ? {type: 0, code: 0} : {type: 129, code: 0}
    default:
      return {type: null, code: null}
  }
}

function pick<T>(v: T | T[] | undefined, i: number): T | undefined {
  return Array.isArray(v) ? v[i] : v
}

/** A transport that answers from scenario data on a FakeClock. */
export class ScenarioTransport implements TraceTransport {
  readonly sent: Array<OutgoingProbe & {at: number}> = []
  private onReply: ((r: ReplyEvent) => void) | null = null
  private closed = false

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: FakeClock,
  ) {
    for (const n of scenario.noise ?? []) {
      clock.setTimer(() => this.deliver({probeKey: n.probeKey, from: n.from, kind: 'time-exceeded', icmpType: null, icmpCode: null, replyTtl: null}), n.atMs)
    }
  }

  private rule(ttl: number): ScenarioHop | undefined {
    return this.scenario.hops.find((h) => (Array.isArray(h.ttl) ? ttl >= h.ttl[0] && ttl <= h.ttl[1] : h.ttl === ttl))
  }

  private deliver(r: Omit<ReplyEvent, 'recvTime'>): void {
    if (this.closed || !this.onReply) return
    this.onReply({...r, from: normalizeIp(r.from), recvTime: this.clock.now()})
  }

  async send(probe: OutgoingProbe): Promise<bigint> {
    if (this.closed) throw new Error('transport closed')
    if (this.scenario.failSend?.includes(probe.key)) throw new Error('sendto: Network is unreachable')
    const at = this.clock.now()
    this.sent.push({...probe, at: this.clock.nowMs()})
    const family = this.scenario.options.family
    const rule = this.rule(probe.ttl)
    if (rule) {
      const addr = pick(rule.addr, probe.index)
      const rtt = pick(rule.rttMs, probe.index)
      if (addr !== undefined && addr !== null && rtt !== undefined && rtt !== null) {
        const kind = pick(rule.kind, probe.index) ?? 'time-exceeded'
        const d = defaultIcmp(kind, family)
        const reply = {
          probeKey: probe.key,
          from: addr,
          kind,
          icmpType: rule.icmpType !== undefined ? rule.icmpType : d.type,
          icmpCode: rule.icmpCode !== undefined ? rule.icmpCode : d.code,
          replyTtl: rule.replyTtl ?? null,
          ...(rule.identity ? {identity: rule.identity} : {}),
          ...(rule.identitySources ? {identitySources: rule.identitySources} : {}),
        }
        this.clock.setTimer(() => this.deliver(reply), rtt)
      }
    }
    for (const x of this.scenario.extra ?? []) {
      if (x.ttl !== probe.ttl || x.probe !== probe.index) continue
      const kind = x.kind ?? 'time-exceeded'
      const d = defaultIcmp(kind, family)
      const reply = {
        probeKey: probe.key,
        from: x.addr,
        kind,
        icmpType: x.icmpType !== undefined ? x.icmpType : d.type,
        icmpCode: x.icmpCode !== undefined ? x.icmpCode : d.code,
        replyTtl: null,
      }
      this.clock.setTimer(() => this.deliver(reply), x.rttMs)
    }
    return at
  }

  listen(onReply: (reply: ReplyEvent) => void): () => void {
    this.onReply = onReply
    return () => {
      if (this.onReply === onReply) this.onReply = null
    }
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

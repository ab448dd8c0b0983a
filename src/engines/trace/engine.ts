// The traceroute state machine. Pure apart from the injected transport and clock.
//
// Every probe of every TTL is sent up front (TTL-major: all probes of TTL 1, then TTL 2, ...,
// paced by `rate` when set), then replies are collected with an adaptive wait:
//
//   a probe at TTL t waits  min(timeoutMs, max(WAIT_FLOOR_MS, WAIT_FACTOR × R))  after it was sent,
//   where R is the largest RTT among replies already received from TTLs t..limit (its own hop
//   and every farther hop up to the destination). With no such reply it waits the full timeout.
//
// So once farther hops or the destination have answered, a silent nearer hop costs a fraction of
// a round trip more, not the timeout (Linux traceroute's `-w MAX,HERE,NEAR`, with HERE = NEAR =
// 1.5): a whole trace takes about 1.5 round trips to the destination however many hops are
// silent. Only a silent tail (nothing answered beyond it) waits the full timeout, once, for all
// TTLs in parallel.
//
// Why 1.5 and not traceroute's NEAR = 10: every probe left at once, so a nearer hop's Time
// Exceeded, which travels a shorter path, is due before the farther answers that are already in.
// What can still make it late is the router's slow path generating ICMP; the 20 ms floor and the
// extra half round trip cover the usual few milliseconds of that, and a router that rate-limits
// ICMP does not answer however long one waits. --wait-factor raises it for paths that need more.
//
// Replies from TTLs past the first TTL at which the destination (or an unreachable) answered are
// ignored, as are duplicates (the first reply to a probe wins) and replies to unknown probes.
//
// Stop reasons: 'completed' (echo reply, TCP SYN-ACK/RST, or port unreachable from the target;
// destinationReached = true only then), 'unreachable' (any other destination unreachable, from
// anywhere, the target included), 'loop' (a hop's address seen again two or more TTLs later with
// another address in between), 'gap-limit' (gapLimit consecutive silent TTLs after the last
// answer), 'hop-limit' (maxHops reached otherwise), 'halted' (AbortSignal).
//
// The transport is the caller's: runTrace never closes it. Probes still queued in the transport
// when the trace ends are simply never sent once the caller closes it.

import {AnyprobeError, EXIT, isAnyprobeError} from '../../model/errors.js'
import type {ProbeReply, StopReason, TcpPortState, TraceHop, TraceParams, TraceProtocol} from '../../model/trace.js'
import {DEFAULT_PORT, isValidFlowId, MAX_PROBES_PER_TRACE, randomFlowId} from './flow.js'
import {formatIp, parseIp, PORT_UNREACHABLE} from './packet.js'
import type {IdentitySource} from './dns-identity.js'
import {type TcpAnswer, tcpPortState} from './tcp-port.js'
import {type Clock, realClock, type ReplyEvent, type TraceTransport} from './transport.js'

/** A silent probe waits at least this long once something at or beyond its hop has answered. */
export const WAIT_FLOOR_MS = 20
/** ... and at most this many times the largest RTT answered at or beyond its hop. */
export const WAIT_FACTOR = 1.5

export const TRACE_DEFAULTS = {
  maxHops: 32,
  firstHop: 1,
  probes: 3,
  timeoutMs: 1000,
  rate: null as number | null,
  gapLimit: 5,
} as const

export interface TraceOptions {
  /** the address to trace to (IPv4 or IPv6 literal) */
  target: string
  family: 4 | 6
  protocol: TraceProtocol
  /** destination port for UDP (default 33434) and TCP (default 80); ignored for ICMP */
  port?: number | null
  maxHops?: number
  firstHop?: number
  /** probes per hop */
  probes?: number
  /** how long a probe waits for its reply when nothing farther has answered */
  timeoutMs?: number
  /** maximum probes per second; null or undefined = as fast as the socket takes them */
  rate?: number | null
  /** Paris flow id (1..65535); defaults to the transport's, else random */
  flowId?: number
  /** consecutive silent hops after the last answer that end the trace */
  gapLimit?: number
  signal?: AbortSignal
  /** tune the adaptive wait (defaults WAIT_FACTOR, WAIT_FLOOR_MS) */
  waitFactor?: number
  waitFloorMs?: number
  /**
   * Called once per responder address, as soon as its first reply arrives: the pipeline starts
   * that address's reverse DNS lookup then, so lookups overlap the wait for silent hops.
   */
  onResponder?: (addr: string) => void
}

/** What the engine measured. Enrichment (hostname, ASN, hint) is filled in elsewhere. */
export interface RawTrace {
  hops: TraceHop[]
  destinationReached: boolean
  stopReason: StopReason
  durationMs: number
  flowId: number
  /** the parameters in force, defaults filled in */
  params: TraceParams
  /** DNS probes: what the destination's answer said of itself (id.server, NSID); else absent */
  identity?: string[]
  /** which sources gave `identity` (id.server, NSID); absent when the transport does not say */
  identitySources?: IdentitySource[]
  /** TCP probes the target answered: what that says of the port (tcp-port.ts); else absent */
  tcpPort?: TcpPortState
}

interface ProbeState {
  key: number
  ttl: number
  index: number
  status: 'queued' | 'sending' | 'sent' | 'skipped'
  sentAt: bigint | null
  reply: ReplyEvent | null
  /** the order the reply was read in (0 = first): a TCP trace's answers are read in that order (tcp-port.ts) */
  arrival: number | null
}

type Terminal = 'completed' | 'unreachable'

interface Analysis {
  /** last TTL that counts so far, and why the trace would end there */
  end: number
  reason: StopReason
  /** every probe up to `end` is answered or has waited long enough */
  settled: boolean
  /** earliest future deadline among probes that still wait, ns */
  nextDeadline: bigint | null
  terminalTtl: number | null
  reached: boolean
}

function usage(message: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', message, {exitCode: EXIT.usage})
}

function intIn(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw usage(`${name} must be an integer from ${lo} to ${hi} (got ${v})`)
  return v
}

interface Resolved {
  target: string
  family: 4 | 6
  protocol: TraceProtocol
  port: number | null
  maxHops: number
  firstHop: number
  probes: number
  timeoutMs: number
  rate: number | null
  gapLimit: number
  flowId: number
  waitFactor: number
  waitFloorMs: number
}

export function resolveTraceOptions(opts: TraceOptions, transportFlowId?: number): Resolved {
  const bytes = parseIp(opts.target)
  if (!bytes || bytes.length !== (opts.family === 4 ? 4 : 16)) {
    throw new AnyprobeError('E_BAD_TARGET', `${opts.target} is not an IPv${opts.family} address`, {exitCode: EXIT.usage})
  }
  if (opts.protocol !== 'icmp' && opts.protocol !== 'udp' && opts.protocol !== 'tcp') {
    throw usage(`unknown protocol ${String(opts.protocol)}`)
  }
  const maxHops = intIn('max hops', opts.maxHops ?? TRACE_DEFAULTS.maxHops, 1, 255)
  const firstHop = intIn('first hop', opts.firstHop ?? TRACE_DEFAULTS.firstHop, 1, maxHops)
  const probes = intIn('probes per hop', opts.probes ?? TRACE_DEFAULTS.probes, 1, 16)
  const gapLimit = intIn('gap limit', opts.gapLimit ?? TRACE_DEFAULTS.gapLimit, 1, 255)
  const timeoutMs = opts.timeoutMs ?? TRACE_DEFAULTS.timeoutMs
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw usage(`timeout must be a positive number of ms (got ${timeoutMs})`)
  const rate = opts.rate ?? null
  if (rate !== null && (!Number.isFinite(rate) || rate <= 0)) throw usage(`rate must be a positive number of probes per second (got ${rate})`)
  const total = (maxHops - firstHop + 1) * probes
  if (total > MAX_PROBES_PER_TRACE) {
    throw usage(`(max hops - first hop + 1) × probes = ${total} probes; at most ${MAX_PROBES_PER_TRACE} per trace`)
  }
  let port: number | null = null
  if (opts.protocol !== 'icmp') port = intIn('port', opts.port ?? DEFAULT_PORT[opts.protocol]!, 1, 65535)
  if (opts.flowId !== undefined && transportFlowId !== undefined && opts.flowId !== transportFlowId) {
    throw new AnyprobeError('E_INTERNAL', `flow id ${opts.flowId} differs from the transport's ${transportFlowId}`)
  }
  const flowId = opts.flowId ?? transportFlowId ?? randomFlowId()
  if (!isValidFlowId(flowId)) throw usage(`flow id must be an integer from 1 to 65535 (got ${flowId})`)
  const waitFactor = opts.waitFactor ?? WAIT_FACTOR
  const waitFloorMs = opts.waitFloorMs ?? WAIT_FLOOR_MS
  if (!(waitFactor > 0) || !(waitFloorMs >= 0)) throw usage('wait factor must be > 0 and wait floor >= 0')
  return {
    target: formatIp(bytes),
    family: opts.family,
    protocol: opts.protocol,
    port,
    maxHops,
    firstHop,
    probes,
    timeoutMs,
    rate,
    gapLimit,
    flowId,
    waitFactor,
    waitFloorMs,
  }
}

function classify(r: ReplyEvent, o: Resolved): Terminal | null {
  switch (r.kind) {
    case 'echo-reply':
    case 'tcp-synack':
    case 'tcp-rst':
    case 'dns-reply':
      return 'completed'
    case 'unreachable':
      // port unreachable from the target itself: the probe got there (UDP's normal ending)
      if (r.from === o.target && r.icmpCode === PORT_UNREACHABLE[o.family]) return 'completed'
      return 'unreachable'
    case 'time-exceeded':
      return null
  }
}

const NS_PER_MS = 1_000_000

function rttMs(p: ProbeState): number | null {
  if (!p.reply || p.sentAt === null) return null
  const ms = Number(p.reply.recvTime - p.sentAt) / NS_PER_MS
  // never 0: a reply always takes some time; a non-positive value would be a clock artefact
  return Math.max(0.001, Math.round(ms * 1000) / 1000)
}

/**
 * The target's TCP answers to every probe (past the end TTL too: they reached the same server and
 * changed its state), in the order they were read.
 */
function tcpPortOf(order: readonly ProbeState[]): TcpPortState | null {
  const answered = order.filter((p) => p.arrival !== null && (p.reply?.kind === 'tcp-synack' || p.reply?.kind === 'tcp-rst'))
  answered.sort((a, b) => a.arrival! - b.arrival!)
  return tcpPortState(answered.map((p): TcpAnswer => (p.reply!.kind === 'tcp-synack' ? 'syn-ack' : 'rst')))
}

/** The most frequent responder of a hop (ties: the one that answered the earliest probe). */
function majority(replies: ProbeReply[]): string | null {
  const counts = new Map<string, number>()
  for (const r of replies) if (r.addr !== null) counts.set(r.addr, (counts.get(r.addr) ?? 0) + 1)
  let best: string | null = null
  let bestN = 0
  for (const [addr, n] of counts) {
    if (n > bestN) {
      best = addr
      bestN = n
    }
  }
  return best
}

export function runTrace(opts: TraceOptions, transport: TraceTransport, clock: Clock = realClock): Promise<RawTrace> {
  let o: Resolved
  try {
    o = resolveTraceOptions(opts, transport.flowId)
  } catch (e) {
    return Promise.reject(e)
  }
  const params: TraceParams = {
    maxHops: o.maxHops,
    firstHop: o.firstHop,
    probes: o.probes,
    timeoutMs: o.timeoutMs,
    rate: o.rate,
    port: o.port,
    gapLimit: o.gapLimit,
    waitFactor: o.waitFactor,
  }
  const signal = opts.signal
  const onResponder = opts.onResponder
  const responders = new Set<string>()

  // probes in send order (TTL-major); key = position
  const order: ProbeState[] = []
  const byTtl = new Map<number, ProbeState[]>()
  for (let ttl = o.firstHop; ttl <= o.maxHops; ttl++) {
    const list: ProbeState[] = []
    for (let index = 0; index < o.probes; index++) {
      const p: ProbeState = {key: order.length, ttl, index, status: 'queued', sentAt: null, reply: null, arrival: null}
      order.push(p)
      list.push(p)
    }
    byTtl.set(ttl, list)
  }

  const timeoutNs = BigInt(Math.round(o.timeoutMs * NS_PER_MS))
  const floorNs = o.waitFloorMs * NS_PER_MS

  const startedAt = clock.now()

  return new Promise<RawTrace>((resolve, reject) => {
    let finished = false
    let cancelTimer: (() => void) | null = null
    let cancelSleep: (() => void) | null = null
    let timerAt: bigint | null = null
    let sendLimit = o.maxHops // no point sending past a TTL that already ended the trace
    let unlisten: (() => void) | null = null
    // replies received, and how many there were when the transport was last drained: a trace is
    // settled only once nothing is left unread (TraceTransport.drain says why)
    let replies = 0
    let drainedAt = -1
    let draining = false

    const cleanup = (): void => {
      finished = true
      cancelTimer?.()
      cancelTimer = null
      cancelSleep?.()
      cancelSleep = null
      unlisten?.()
      unlisten = null
      signal?.removeEventListener('abort', onAbort)
    }

    const fail = (e: unknown): void => {
      if (finished) return
      cleanup()
      if (isAnyprobeError(e)) reject(e)
      else {
        const msg = e instanceof Error ? e.message : String(e)
        reject(new AnyprobeError('E_NETWORK', `traceroute failed: ${msg}`, {exitCode: EXIT.network, cause: e}))
      }
    }

    function analyse(now: bigint): Analysis {
      // 1. the first TTL that ended the path: destination reached, or unreachable
      let terminalTtl: number | null = null
      let terminal: Terminal | null = null
      for (let ttl = o.firstHop; ttl <= o.maxHops && terminalTtl === null; ttl++) {
        for (const p of byTtl.get(ttl)!) {
          if (!p.reply) continue
          const t = classify(p.reply, o)
          if (t === null) continue
          terminalTtl = ttl
          if (terminal !== 'completed') terminal = t // a "reached" at this TTL beats an unreachable
        }
      }
      const limit = terminalTtl ?? o.maxHops

      // 2. per TTL: largest RTT and majority address so far
      const maxRtt = new Map<number, number>()
      const addr = new Map<number, string | null>()
      for (let ttl = o.firstHop; ttl <= limit; ttl++) {
        const replies: ProbeReply[] = []
        let m = -1
        for (const p of byTtl.get(ttl)!) {
          if (!p.reply) continue
          replies.push({probe: p.index, addr: p.reply.from, rttMs: null, icmpType: null, icmpCode: null, replyTtl: null})
          if (p.sentAt !== null) m = Math.max(m, Number(p.reply.recvTime - p.sentAt))
        }
        if (m >= 0) maxRtt.set(ttl, m)
        addr.set(ttl, majority(replies))
      }
      // R(t): the largest RTT answered at TTL t or beyond (up to limit)
      const farRtt = new Map<number, number>()
      let acc = -1
      for (let ttl = limit; ttl >= o.firstHop; ttl--) {
        acc = Math.max(acc, maxRtt.get(ttl) ?? -1)
        if (acc >= 0) farRtt.set(ttl, acc)
      }
      const deadline = (p: ProbeState): bigint => {
        const r = farRtt.get(p.ttl)
        let wait = timeoutNs
        if (r !== undefined) {
          const adaptive = BigInt(Math.ceil(Math.max(floorNs, o.waitFactor * r)))
          if (adaptive < wait) wait = adaptive
        }
        return p.sentAt! + wait
      }
      const silentDone = (p: ProbeState): boolean => !p.reply && p.status === 'sent' && now >= deadline(p)

      // 3. a loop: an address seen again two or more TTLs later, with another address in between
      let loopTtl: number | null = null
      const firstSeen = new Map<string, number>()
      for (let ttl = o.firstHop; ttl <= limit && loopTtl === null; ttl++) {
        const a = addr.get(ttl)
        if (!a) continue
        const seen = firstSeen.get(a)
        if (seen !== undefined && ttl - seen >= 2) {
          for (let k = seen + 1; k < ttl; k++) {
            const b = addr.get(k)
            if (b && b !== a) {
              loopTtl = ttl
              break
            }
          }
        }
        if (seen === undefined) firstSeen.set(a, ttl)
      }

      // 4. the gap limit: gapLimit consecutive hops, silent for good, with no answer after them
      let lastAnswered = o.firstHop - 1
      for (let ttl = o.firstHop; ttl <= limit; ttl++) if (byTtl.get(ttl)!.some((p) => p.reply)) lastAnswered = ttl
      let gapTtl: number | null = null
      let run = 0
      for (let ttl = lastAnswered + 1; ttl <= limit; ttl++) {
        if (byTtl.get(ttl)!.every(silentDone)) run++
        else break
        if (run >= o.gapLimit) {
          gapTtl = ttl
          break
        }
      }

      let end = limit
      let reason: StopReason = terminal ?? 'hop-limit'
      if (loopTtl !== null && loopTtl < end) {
        end = loopTtl
        reason = 'loop'
      }
      if (gapTtl !== null && gapTtl < end) {
        end = gapTtl
        reason = 'gap-limit'
      }

      // 5. settled? and when to look again
      let settled = true
      let nextDeadline: bigint | null = null
      for (let ttl = o.firstHop; ttl <= end; ttl++) {
        for (const p of byTtl.get(ttl)!) {
          if (p.reply) continue
          if (p.status !== 'sent') {
            if (p.status !== 'skipped') settled = false
            continue
          }
          const d = deadline(p)
          if (now < d) {
            settled = false
            if (nextDeadline === null || d < nextDeadline) nextDeadline = d
          }
        }
      }
      return {end, reason, settled, nextDeadline, terminalTtl, reached: terminal === 'completed' && end === terminalTtl}
    }

    function buildHops(end: number): TraceHop[] {
      const hops: TraceHop[] = []
      for (let ttl = o.firstHop; ttl <= end; ttl++) {
        const replies: ProbeReply[] = byTtl.get(ttl)!.map((p) => ({
          probe: p.index,
          addr: p.reply?.from ?? null,
          rttMs: rttMs(p),
          icmpType: p.reply?.icmpType ?? null,
          icmpCode: p.reply?.icmpCode ?? null,
          replyTtl: p.reply?.replyTtl ?? null,
          // open or closed: what a TCP trace to a service port is often run to learn
          ...(p.reply?.kind === 'tcp-synack' ? {tcpAnswer: 'syn-ack' as const} : p.reply?.kind === 'tcp-rst' ? {tcpAnswer: 'rst' as const} : {}),
        }))
        const addrs: string[] = []
        for (const r of replies) if (r.addr !== null && !addrs.includes(r.addr)) addrs.push(r.addr)
        hops.push({
          ttl,
          addr: majority(replies),
          addrs,
          hostname: null,
          asn: null,
          asOrg: null,
          rttMs: replies.map((r) => r.rttMs),
          replies,
          hint: null,
        })
      }
      return hops
    }

    function finish(a: Analysis, halted: boolean): void {
      cleanup()
      let end = a.end
      if (halted && a.terminalTtl === null && a.reason !== 'loop' && a.reason !== 'gap-limit') {
        // stop the hop list at the farthest TTL that answered
        end = o.firstHop
        for (let ttl = o.firstHop; ttl <= a.end; ttl++) if (byTtl.get(ttl)!.some((p) => p.reply)) end = ttl
      }
      // a DNS probe's answer names its server: the first one that does, at or before the end
      let said: ReplyEvent | undefined
      for (let ttl = o.firstHop; ttl <= end && said === undefined; ttl++) {
        for (const p of byTtl.get(ttl)!) if (p.reply?.identity?.length) said ??= p.reply
      }
      const identity = said?.identity
      const identitySources = said?.identitySources
      const tcpPort = tcpPortOf(order)
      resolve({
        ...(identity ? {identity} : {}),
        ...(identity && identitySources ? {identitySources} : {}),
        ...(tcpPort ? {tcpPort} : {}),
        hops: buildHops(end),
        destinationReached: a.reached,
        stopReason: halted ? 'halted' : a.reason,
        durationMs: Math.round(Number(clock.now() - startedAt) / 1000) / 1000,
        flowId: o.flowId,
        params,
      })
    }

    function evaluate(): void {
      if (finished) return
      const now = clock.now()
      const a = analyse(now)
      sendLimit = a.end
      if (a.settled) {
        if (transport.drain && drainedAt !== replies) {
          if (draining) return
          draining = true
          transport.drain().then(
            () => {
              draining = false
              drainedAt = replies
              evaluate()
            },
            (e: unknown) => fail(e),
          )
          return
        }
        finish(a, false)
        return
      }
      if (a.nextDeadline !== null && a.nextDeadline !== timerAt) {
        cancelTimer?.()
        timerAt = a.nextDeadline
        const ms = Number(a.nextDeadline - now) / NS_PER_MS
        cancelTimer = clock.setTimer(() => {
          cancelTimer = null
          timerAt = null
          evaluate()
        }, ms)
      }
    }

    function onReply(r: ReplyEvent): void {
      if (finished) return
      const p = order[r.probeKey]
      if (!p || p.status === 'queued' || p.status === 'skipped') return // not a probe we sent
      if (p.reply) return // duplicate: the first reply wins
      p.reply = r
      p.arrival = replies++
      if (onResponder && !responders.has(r.from)) {
        responders.add(r.from)
        onResponder(r.from)
      }
      evaluate()
    }

    function onAbort(): void {
      if (finished) return
      finish(analyse(clock.now()), true)
    }

    // `look`: evaluate once this probe is out. Unpaced, the ~100 probes leave together and one
    // evaluation after the last is enough (replies evaluate on their own); an analysis per send
    // cost ~5 ms of CPU just as the first replies arrive, and delayed the times taken for them.
    const sendOne = (p: ProbeState, look = true): Promise<void> => {
      p.status = 'sending'
      return transport.send({key: p.key, ttl: p.ttl, index: p.index}).then((at) => {
        p.sentAt = at
        p.status = 'sent'
        if (look) evaluate()
      })
    }

    const sleep = (ms: number): Promise<void> =>
      new Promise((r) => {
        cancelSleep = clock.setTimer(() => {
          cancelSleep = null
          r()
        }, ms)
      })

    async function sendAll(): Promise<void> {
      if (o.rate === null) {
        // hand every probe to the transport at once; it sends them in order
        const pending: Array<Promise<void>> = []
        for (const p of order) pending.push(sendOne(p, false))
        await Promise.all(pending)
        evaluate()
        return
      }
      const intervalNs = 1e9 / o.rate
      const t0 = clock.now()
      let n = 0
      for (const p of order) {
        if (finished) return
        if (p.ttl > sendLimit) {
          p.status = 'skipped'
          continue
        }
        const due = t0 + BigInt(Math.round(n * intervalNs))
        const now = clock.now()
        if (due > now) {
          await sleep(Number(due - now) / NS_PER_MS)
          if (finished) return
          evaluate()
          if (finished) return
          if (p.ttl > sendLimit) {
            p.status = 'skipped'
            continue
          }
        }
        n++
        await sendOne(p)
      }
      if (!finished) evaluate()
    }

    if (signal?.aborted) {
      finish(analyse(clock.now()), true)
      return
    }
    signal?.addEventListener('abort', onAbort, {once: true})
    unlisten = transport.listen(onReply, fail)
    sendAll().catch(fail)
  })
}

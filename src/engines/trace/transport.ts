// The engine's only window on the network (trippy's `Network`): send a probe, hear replies.
// The raw-socket transport implements it for real; the scenario transport for tests.

import type {IdentitySource} from './dns-identity.js'

export type ReplyKind = 'time-exceeded' | 'unreachable' | 'echo-reply' | 'tcp-synack' | 'tcp-rst' | 'dns-reply'

/** One probe to send: the key identifies it in replies, ttl is its IP TTL / hop limit. */
export interface OutgoingProbe {
  /** 0..MAX_PROBES_PER_TRACE-1, unique within the trace */
  key: number
  ttl: number
  /** index of the probe within its hop (informational) */
  index: number
}

/** A reply the transport matched to one of this trace's probes. */
export interface ReplyEvent {
  probeKey: number
  /** who answered (canonical text form) */
  from: string
  /** when it was received, in the transport clock's nanoseconds (process.hrtime.bigint() for real) */
  recvTime: bigint
  icmpType: number | null
  icmpCode: number | null
  /** TTL / hop limit of the reply packet; null when the socket cannot tell (raw IPv6) */
  replyTtl: number | null
  kind: ReplyKind
  /** a DNS probe's answer: its id.server strings and NSID (sanitised) */
  identity?: string[]
  /** which of id.server and NSID gave `identity` */
  identitySources?: IdentitySource[]
}

export interface TraceTransport {
  /**
   * Send one probe. Resolves with the send time (same clock as ReplyEvent.recvTime), taken just
   * before the packet left. Rejects with an AnyprobeError when it could not be sent.
   */
  send(probe: OutgoingProbe): Promise<bigint>
  /**
   * Deliver this trace's replies (and fatal transport errors) to these handlers until the returned
   * function is called. Only one listener is expected at a time.
   */
  listen(onReply: (reply: ReplyEvent) => void, onError: (error: Error) => void): () => void
  /**
   * Read every reply already waiting in the sockets and deliver it, before the engine settles the
   * trace (optional: a transport without sockets has nothing waiting). A process that got no CPU
   * while replies arrived wakes with its deadline timers due and the replies still unread: the
   * timers run first in the event loop, and the trace ended with those probes silent.
   */
  drain?(): Promise<void>
  /** Release sockets. Idempotent. */
  close(): Promise<void>
  /** the flow id the transport encodes into its probes, when it chose one */
  readonly flowId?: number
}

/** Time source and timers, injected so the engine can run on a virtual clock in tests. */
export interface Clock {
  /** monotonic nanoseconds */
  now(): bigint
  /** call fn after ms (fractional allowed); returns a cancel function */
  setTimer(fn: () => void, ms: number): () => void
}

export const realClock: Clock = {
  now: () => process.hrtime.bigint(),
  setTimer(fn, ms) {
    // libuv timers count whole ms from a loop time that is truncated and may be stale, so a
    // setTimeout fires up to 1 ms early or late. Rounding up and checking again cost ~1.5 ms per
    // deadline (3% of a short trace). Instead: a timer for the whole ms, then the last fraction
    // on setImmediate, which keeps polling for I/O; fn never runs before its time.
    const due = process.hrtime.bigint() + BigInt(Math.round(Math.max(0, ms) * 1e6))
    let timeout: NodeJS.Timeout | null = null
    let immediate: NodeJS.Immediate | null = null
    let cancelled = false
    const check = (): void => {
      timeout = null
      immediate = null
      if (cancelled) return
      const left = Number(due - process.hrtime.bigint()) / 1e6
      if (left <= 0) fn()
      else if (left < 1) immediate = setImmediate(check)
      else timeout = setTimeout(check, Math.floor(left))
    }
    timeout = setTimeout(check, Math.floor(Math.max(0, ms)))
    return () => {
      cancelled = true
      if (timeout) clearTimeout(timeout)
      if (immediate) clearImmediate(immediate)
    }
  },
}

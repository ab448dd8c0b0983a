// The trace ids of this process's traces in flight: each is distinct from every other one in flight
// (flow.ts's table says where each protocol carries it). A trace id is what tells two traces of one
// flow id, target and protocol apart, and `watch --method icmp|trace --flows N` runs N of them at
// once in one process (more when a probe's timeout outlasts the interval): with ids drawn at random,
// two of them took each other's replies C(N,2)/65536 of the rounds (N=8: about every 40 minutes at
// a 1 s interval; N=64: 3% of the rounds), and a trace recorded the hops of another flow's path.
// Drawn here, an id is unique until its lease is released (when its transport closes), as
// makeDnsProber keeps the DNS ids of its probes in flight distinct (src/vantage/live/probe.ts).
//
// UDP carries only `trace id mod UDP_TRACE_IDS` in the 8 bytes every router quotes (the full id
// sits further into the payload, where a quote may not reach): a UDP trace also gets a residue no
// other UDP trace in flight holds, while there is one free.
//
// Ids stay random (not counted up) so that two processes tracing one target are as unlikely to
// meet as before (1 in 65536 per overlapping pair), not certain to both start at the same id.

import {randomInt} from 'node:crypto'

import {AnyprobeError} from '../../model/errors.js'
import type {TraceProtocol} from '../../model/trace.js'
import {UDP_TRACE_IDS} from './flow.js'

const ID_SPACE = 0x10000
/** random draws before a scan for a free id (only a nearly full registry needs the scan) */
const DRAWS = 32

/** A trace id held until release() (idempotent: a second call frees nothing someone else holds). */
export interface TraceIdLease {
  readonly id: number
  release(): void
}

export class TraceIdRegistry {
  /** id -> whether it is a UDP trace's (holding its residue) */
  private readonly inUse = new Map<number, boolean>()
  private readonly udpResidues = new Set<number>()

  /** `random(max)` draws an integer 0..max-1; `space`: how many ids there are (tests make it small) */
  constructor(
    private readonly random: (max: number) => number = (max) => randomInt(0, max),
    private readonly space = ID_SPACE,
  ) {}

  /** how many ids are held */
  get size(): number {
    return this.inUse.size
  }

  /** A trace id no other trace of this registry holds (E_INTERNAL when every one is held). */
  acquire(protocol: TraceProtocol): TraceIdLease {
    const udp = protocol === 'udp'
    const id = (udp && this.udpResidues.size < UDP_TRACE_IDS ? this.find((c) => !this.udpResidues.has(c % UDP_TRACE_IDS)) : null) ?? this.find(() => true)
    if (id === null) throw new AnyprobeError('E_INTERNAL', `all ${this.space} trace ids are in use by traces of this process`)
    const holdsResidue = udp && !this.udpResidues.has(id % UDP_TRACE_IDS)
    this.inUse.set(id, holdsResidue)
    if (holdsResidue) this.udpResidues.add(id % UDP_TRACE_IDS)
    let held = true
    return {
      id,
      release: () => {
        if (!held) return
        held = false
        this.inUse.delete(id)
        if (holdsResidue) this.udpResidues.delete(id % UDP_TRACE_IDS)
      },
    }
  }

  /** A free id that `ok` accepts: random draws first, then a scan from a random start. */
  private find(ok: (id: number) => boolean): number | null {
    for (let i = 0; i < DRAWS; i++) {
      const id = this.random(this.space)
      if (!this.inUse.has(id) && ok(id)) return id
    }
    const start = this.random(this.space)
    for (let i = 0; i < this.space; i++) {
      const id = (start + i) % this.space
      if (!this.inUse.has(id) && ok(id)) return id
    }
    return null
  }
}

/** The process-wide registry every transport and prober draws its trace ids from. */
export const traceIds = new TraceIdRegistry()

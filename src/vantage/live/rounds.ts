// VantageBackend.rounds for local, netns and ssh vantage points (the contract is at the top of
// src/model/probe.ts). Local probes in-process on the shared schedule. netns:NAME and ssh:HOST run
// ONE long-lived child anyprobe each (`<wrapper> <anyprobe> watch ... --observations --signals
// --stop-on-eof --start-at=T --vantage-id=ID`, the line protocol of children.ts), whose PoPs are
// named here from the signals they send. A child that fails is 'failed' at once and from then on
// reports unanswered rounds with its error code (an outage); the others go on. Every child and
// this process share round numbers through --start-at (round r is sent at startAt + r x interval,
// each on its own clock: ssh hosts need a synchronised clock, as for any timing across hosts).
import {localVantage, type VantagePoint} from '../../model/vantage.js'
import type {RoundEvent, RoundsPlan, VantageError} from '../../model/probe.js'
import {sanitize} from '../../util/sanitize.js'
import {Channel} from './channel.js'
import {type ChildHandle, startChild} from './children.js'
import {bundledAnswerNetwork, makeLocalProber} from './local-prober.js'
import {runRounds} from './loop.js'
import {faultOnce, namerAt, type PopNamer, popNamer} from './probe.js'

let sharedNamer: PopNamer | null = null
/** one namer for every vantage point of this process: the place dictionaries are loaded once */
function namer(): PopNamer {
  sharedNamer ??= popNamer()
  return sharedNamer
}

const schedule = (plan: RoundsPlan) => ({
  intervalMs: plan.intervalMs,
  flows: plan.flows,
  startAt: plan.startAt,
  ...(plan.count === null ? {} : {count: plan.count}),
  ...(plan.durationMs === null ? {} : {durationMs: plan.durationMs}),
})

/** This host, probing in-process. A 'round' event follows each complete round. */
export async function* localRounds(plan: RoundsPlan, signal: AbortSignal, vantage: VantagePoint = localVantage()): AsyncIterable<RoundEvent> {
  // a prober that cannot start (no privilege for icmp/trace, a name that does not resolve) throws now;
  // its PoPs are named where this host is, when --location placed it
  const prober = await makeLocalProber(plan, namerAt(namer(), vantage))
  // a failure of this host's own (a certificate it did not trust) is said once, in the engine's words
  const fault = faultOnce()
  const ch = new Channel<RoundEvent>()
  ch.push({type: 'started', vantage})
  runRounds({
    vantageId: vantage.id,
    vantage,
    prober,
    ...schedule(plan),
    // --count rounds of it, from the first it sends (starting the prober may take a round or two)
    countFromFirst: true,
    signal,
    onObservation: (observation, answer) => {
      const said = fault(answer)
      if (said !== null) for (const text of said.split('\n')) ch.push({type: 'message', vantage, text})
      ch.push({type: 'observation', vantage, observation})
    },
    onRoundComplete: (round) => ch.push({type: 'round', round}),
  }).then(
    () => {
      ch.push({type: 'ended', vantage, error: null})
      ch.close()
    },
    (e: unknown) => ch.close(e),
  )
  try {
    yield* ch
  } finally {
    prober.close?.()
  }
}

/** A netns/ssh child to start: its argv (from the backend's own wrapper) and how long it may take to stop. */
export interface ChildPlace {
  vantage: VantagePoint
  via: 'netns' | 'ssh'
  file: string
  args: string[]
  command: string
  stopGraceMs: number
}

/**
 * The unanswered rounds of a failed vantage point, from now until the watch stops, or until its
 * --count / --duration would have ended: counted from `fromRound`, the first round it sent (null:
 * it sent none, so from when its failure is known).
 */
function downRounds(plan: RoundsPlan, vantage: VantagePoint, e: VantageError, signal: AbortSignal, fromRound: number | null, push: (ev: RoundEvent) => void): Promise<unknown> {
  const code = sanitize(String(e.code), 40)
  return runRounds({
    vantageId: vantage.id,
    vantage,
    prober: () => Promise.resolve({receivedAt: null, rttMs: null, pop: null, answered: false, error: code}),
    ...schedule(plan),
    // as long as the child would have probed (it counted from when it joined), or from when its failure is known
    countFromFirst: true,
    ...(fromRound === null ? {} : {fromRound}),
    signal,
    onObservation: (observation) => push({type: 'observation', vantage, observation}),
  })
}

/** One long-lived child per place; `argsOf` gives the anyprobe arguments of each. */
export async function* childRounds(plan: RoundsPlan, places: ChildPlace[], signal: AbortSignal): AsyncIterable<RoundEvent> {
  const ch = new Channel<RoundEvent>()
  const name = namer()
  // HTTP children send the address that answered: its network is looked up here, as they name nothing
  const answerAsn = plan.method === 'http' ? await bundledAnswerNetwork() : undefined
  const children: ChildHandle[] = []
  const tasks: Array<Promise<unknown>> = []
  for (const p of places) {
    ch.push({type: 'started', vantage: p.vantage})
    // the first round the child sent: its --count / --duration run from there
    let firstRound: number | null = null
    const child = startChild(
      {vantage: p.vantage, via: p.via, file: p.file, args: p.args, command: p.command, name, ...(answerAsn === undefined ? {} : {answerAsn}), stopGraceMs: p.stopGraceMs},
      (observation) => {
        if (firstRound === null || observation.round < firstRound) firstRound = observation.round
        ch.push({type: 'observation', vantage: p.vantage, observation})
      },
      (text) => ch.push({type: 'message', vantage: p.vantage, text}),
    )
    children.push(child)
    tasks.push(
      child.done.then(async (end) => {
        if (end.failure !== null) {
          ch.push({type: 'failed', vantage: p.vantage, error: end.failure})
          await downRounds(plan, p.vantage, end.failure, signal, firstRound, (ev) => ch.push(ev))
        }
        ch.push({type: 'ended', vantage: p.vantage, error: end.failure})
      }),
    )
  }
  const stopChildren = (): void => {
    for (const c of children) c.stop()
  }
  if (signal.aborted) stopChildren()
  else signal.addEventListener('abort', stopChildren, {once: true})
  Promise.all(tasks).then(
    () => ch.close(),
    (e: unknown) => ch.close(e),
  )
  try {
    yield* ch
  } finally {
    signal.removeEventListener('abort', stopChildren)
    // the consumer left early (an error): no child outlives the watch
    stopChildren()
  }
}

// Several backends' live runs as one stream of RoundEvents, each event as soon as its backend
// yields it. 'round' r is passed on only once EVERY backend has said it (or ended): a round is
// complete only when all vantage points' observations of it are in. A backend that throws ends
// the merged stream with its error (the watch cannot start as asked).
import type {RoundEvent} from '../../model/probe.js'

export async function* mergeRounds(streams: Array<AsyncIterable<RoundEvent>>): AsyncGenerator<RoundEvent> {
  if (streams.length === 1) {
    yield* streams[0]!
    return
  }
  type Step = {i: number; r: IteratorResult<RoundEvent>}
  const its = streams.map((s) => s[Symbol.asyncIterator]())
  const next = (i: number): Promise<Step> => its[i]!.next().then((r) => ({i, r}))
  const pending = new Map<number, Promise<Step>>()
  its.forEach((_, i) => pending.set(i, next(i)))
  // the last round each backend said (-1: none yet); an ended backend holds nothing back
  const said = its.map(() => -1)
  const ended = its.map(() => false)
  let highest = -1
  let passed = -1
  const complete = function* (): Generator<RoundEvent> {
    const active = said.filter((_, i) => !ended[i])
    const min = active.length === 0 ? highest : Math.min(...active)
    if (min > passed) {
      passed = min
      yield {type: 'round', round: min}
    }
  }
  try {
    while (pending.size > 0) {
      const step = await Promise.race(pending.values())
      if (step.r.done) {
        pending.delete(step.i)
        ended[step.i] = true
        yield* complete()
        continue
      }
      pending.set(step.i, next(step.i))
      const ev = step.r.value
      if (ev.type === 'round') {
        said[step.i] = Math.max(said[step.i]!, ev.round)
        highest = Math.max(highest, ev.round)
        yield* complete()
      } else yield ev
    }
  } finally {
    // stop the others (their finally blocks close probers and children); not awaited: a return()
    // waits for the pending next(), which the watch's stop signal ends
    for (const [i] of pending) void its[i]!.return?.()?.catch(() => undefined)
  }
}

// The order a batch of watch events is printed in. The analyser judges a round for every vantage
// point at once and gives that round's events vantage point by vantage point, so a line could come
// after a later one of another vantage point (a-vp's shift at 03.500 printed before z-vp's outage at
// 03.000). Within one batch the events are printed by time, each vantage point's own in the order
// the analyser gave them (its state machine's order: never reordered). Nothing is held back for
// it: a batch is printed when it is judged, as before, so an alert is not delayed. Across batches
// the order stays that of judging: an event known only later (an outage is said after outageAfter
// lost rounds, a RIPE Atlas probe's late result) cannot go before a line already printed without
// holding every line back, which would delay the alerts.
type Timed = {at?: string; vantageId?: string}

/** The batch merged by time (`at`), each vantage point's events in their own order; ties and untimed: as given. */
export function inTimeOrder<T extends Timed>(events: readonly T[]): readonly T[] {
  if (events.length < 2) return events
  const queues = new Map<string, T[]>()
  for (const e of events) {
    const k = e.vantageId ?? ''
    const q = queues.get(k)
    if (q) q.push(e)
    else queues.set(k, [e])
  }
  if (queues.size < 2) return events
  const qs = [...queues.values()]
  const pos = qs.map(() => 0)
  const time = (e: T): number => {
    const t = e.at === undefined ? NaN : Date.parse(e.at)
    return Number.isNaN(t) ? -Infinity : t
  }
  const out: T[] = []
  while (out.length < events.length) {
    let best = -1
    let bestT = Infinity
    for (let i = 0; i < qs.length; i++) {
      if (pos[i]! >= qs[i]!.length) continue
      const t = time(qs[i]![pos[i]!]!)
      if (best === -1 || t < bestT) {
        best = i
        bestT = t
      }
    }
    out.push(qs[best]![pos[best]!++]!)
  }
  return out
}

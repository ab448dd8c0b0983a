// What a watch over a remote engine (RIPE Atlas, Globalping) cannot honour. Those engines run their
// own measurement once a round from each probe, with their own timeout, port and packet: the local
// probers' --failover (50 ms rounds), --flows (several 5-tuples a round), --timeout and --port do
// not reach them. Said before anything is created or spent (E_USAGE, exit 2), never ignored.
import {AnyprobeError, EXIT} from '../../model/errors.js'
import type {ScheduleRequest} from '../../model/probe.js'

export function refuseLocalOnlyWatchFlags(ask: ScheduleRequest, engine: string): void {
  const given: string[] = []
  if (ask.failover) given.push('--failover')
  if (ask.flows !== 1) given.push(`--flows ${ask.flows}`)
  if (ask.timeoutMs !== undefined) given.push('--timeout')
  if (ask.port !== undefined) given.push('--port')
  if (given.length === 0) return
  throw new AnyprobeError('E_USAGE', `watch --from ${engine}: ${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not reach ${engine === 'atlas:' ? 'RIPE Atlas' : 'Globalping'} (its probes measure once a round with the engine's own timeout and port)`, {
    hint: 'leave them out, or watch from local / netns: / ssh: vantage points, which honour them',
    exitCode: EXIT.usage,
  })
}

// The traceroute engine: Paris-style, all TTLs in flight at once, adaptive wait.
export {runTrace, resolveTraceOptions, TRACE_DEFAULTS, WAIT_FACTOR, WAIT_FLOOR_MS} from './engine.js'
export type {RawTrace, TraceOptions} from './engine.js'
export {createRawTransport, discoverSource, NO_RAW_SOCKET_HINT, RawTransport} from './raw-transport.js'
export type {RawTransportOptions} from './raw-transport.js'
export {realClock} from './transport.js'
export type {Clock, OutgoingProbe, ReplyEvent, ReplyKind, TraceTransport} from './transport.js'
export {DEFAULT_PORT, MAX_PROBES_PER_TRACE, ProbeCodec, randomFlowId, randomTraceId} from './flow.js'
export type {FlowSpec, MatchedReply} from './flow.js'
export {FakeClock, ScenarioTransport} from './scenario.js'
export type {Scenario, ScenarioHop} from './scenario.js'

import {runTrace, type RawTrace, type TraceOptions} from './engine.js'
import {createRawTransport, type RawTransportOptions} from './raw-transport.js'

/** Open a raw transport, run one trace over it, and always close it. */
export async function runRawTrace(
  opts: TraceOptions & Pick<RawTransportOptions, 'traceId' | 'source' | 'recvBufferBytes'>,
): Promise<RawTrace & {traceId: number; source: string; stats: {packets: number; matched: number}}> {
  const transport = await createRawTransport({
    target: opts.target,
    family: opts.family,
    protocol: opts.protocol,
    port: opts.port ?? null,
    flowId: opts.flowId ?? null,
    ...(opts.traceId === undefined ? {} : {traceId: opts.traceId}),
    ...(opts.source === undefined ? {} : {source: opts.source}),
    ...(opts.recvBufferBytes === undefined ? {} : {recvBufferBytes: opts.recvBufferBytes}),
  })
  try {
    const trace = await runTrace(opts, transport)
    return {...trace, traceId: transport.traceId, source: transport.source, stats: {...transport.stats}}
  } finally {
    await transport.close()
  }
}

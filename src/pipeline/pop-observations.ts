// Moved: the trace's PoP observations are one of the rules of src/infer/verdict.ts, the RTT bound
// is src/model/rtt.ts. Re-exported for code that still imports them from here.
export {HOPS_READ_FOR_POP, traceAnswered, traceObservations} from '../infer/verdict.js'
export {minDestinationRtt} from '../model/rtt.js'
export type {Observation as TraceObservation} from '../infer/fuse.js'

// What of an HTTP response speaks for the PoP, as observations for the inference engine: every
// response header (the engine knows which CDN headers carry a site and ignores the rest), the
// operator's own --pop-header headers as user signals, and the colo= of /cdn-cgi/trace.

/** One input for inferPop: a header value, user-named or not (src/infer/signals.ts). */
export type {HeaderSignal as HttpObservation} from '../../infer/signals.js'
export {httpHeaderSignals as httpObservations} from '../../infer/signals.js'
export {minRttFromTimings} from '../../model/rtt.js'

export {EDGE_CONTEXT_HEADERS} from '../../model/http.js'


// anyprobe watch: the pure analysis core (see analyzer.ts for the rules).
export {analyze, compareObservations, createWatchAnalyzer, popSetName, WATCH_DEFAULTS} from './analyzer.js'
export type {WatchAnalyzer, WatchAnalyzerOptions} from './analyzer.js'
export {nearestRank} from './stats.js'
export {inferOptions, niceInterval, optionsOfStart, type ReplayEvent, type ReplaySegment, WatchReplay} from './replay.js'
export {answeredAtEnd, compareStateIds, countedAtEnd, notReadyWarning, outageAtEndWarning, stateEvent, unmeasuredAtEndWarning} from './state.js'

// The vantage interface and the plan/outcome types live in src/model/probe.ts (they cross every
// folder); re-exported here for the vantage implementations.
export type {ProbeMethod, ProbePlan, ProbeResult, VantageBackend, VantageError, VantageOutcome} from '../model/probe.js'

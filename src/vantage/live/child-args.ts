// The arguments a netns/ssh vantage point's child anyprobe gets for a live run (the child mode of
// `watch`: src/commands/watch.ts --observations): the parent's schedule, observations with their
// signals only (the parent names the PoPs), stopped by closing its stdin. ChildBackend.rounds adds
// --start-at and --vantage-id per child (src/vantage/local.ts).
import type {RoundsPlan} from '../../model/probe.js'

export interface ChildSchedule {
  method: string
  intervalMs: number
  timeoutMs: number
  flows: number
  /** null / undefined: not given */
  count?: number | null
  durationMs?: number | null
}

/** The flags a child watch gets: the same schedule, observations (with their signals) only, stopped by closing its stdin. */
export function childFlags(s: ChildSchedule, flags: {port: number; insecure: boolean}, startAt?: number, vantageId?: string): string[] {
  const out = [
    '--from',
    'local',
    '--observations',
    '--signals',
    '--stop-on-eof',
    `--method=${s.method}`,
    `--interval=${s.intervalMs}ms`,
    `--timeout=${s.timeoutMs}ms`,
    `--flows=${s.flows}`,
    `--port=${flags.port}`,
    // the backend adds these per child (VantageBackend.rounds)
    ...(startAt === undefined ? [] : [`--start-at=${startAt}`]),
    ...(vantageId === undefined ? [] : [`--vantage-id=${vantageId}`]),
  ]
  if (s.count !== undefined && s.count !== null) out.push(`--count=${s.count}`)
  if (s.durationMs !== undefined && s.durationMs !== null) out.push(`--duration=${s.durationMs}ms`)
  if (flags.insecure) out.push('--insecure')
  return out
}

/** RoundsPlan.cliArgs: `watch TARGET` and the child flags of the plan's schedule. */
export function childWatchArgs(plan: Omit<RoundsPlan, 'cliArgs'>): string[] {
  return ['watch', plan.target, ...childFlags(plan, {port: plan.port ?? 53, insecure: plan.insecure === true})]
}

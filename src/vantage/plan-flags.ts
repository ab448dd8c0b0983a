// The rule for backends that build their own requests (RIPE Atlas, Globalping): a probe flag the
// user set either reaches the request or is refused (E_USAGE, exit 2) before anything is sent;
// never dropped. Each backend lists, per method, the flags its request carries; any other flag the
// plan says was given is refused with the backend's hint for it (or a general one). A flag added to
// trace / dns / http later is therefore refused by every remote backend until one maps it.
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {ProbeMethod, ProbePlan} from '../model/probe.js'

export interface CarriedFlags {
  /** the backend as the user knows it ("RIPE Atlas", "Globalping") */
  backend: string
  /** what a measurement of each method is called there ("traceroute", "DNS") */
  measurement: Readonly<Record<ProbeMethod, string>>
  /** the plan flags each method's request carries */
  carries: Readonly<Record<ProbeMethod, readonly string[]>>
  /** why a flag does not reach it, and what to do instead (default: a general hint) */
  hints: Readonly<Record<string, string>>
}

export function refusedFlag(c: CarriedFlags, method: ProbeMethod, flag: string, hint?: string): AnyprobeError {
  return new AnyprobeError('E_USAGE', `--${flag} does not reach ${c.backend} ${c.measurement[method]} measurements`, {
    hint: hint ?? c.hints[flag] ?? `drop --${flag}, or measure with local, netns: or ssh: vantage points, where anyprobe itself runs the probe`,
    exitCode: EXIT.usage,
  })
}

/** Throws E_USAGE for the first flag the plan was given that this backend's request cannot carry. */
export function refuseUncarried(c: CarriedFlags, plan: ProbePlan): void {
  const carried = c.carries[plan.method]
  for (const flag of plan.given ?? []) {
    if (!carried.includes(flag)) throw refusedFlag(c, plan.method, flag)
  }
}

/** Whether the user set this flag (a plan without `given` set none). */
export function wasGiven(plan: ProbePlan, flag: string): boolean {
  return plan.given?.includes(flag) ?? false
}

// Before anything is sent anywhere: every RIPE Atlas and Globalping vantage point of --from must be
// able to carry every probe flag the user set (./plan-flags.ts); one that cannot is E_USAGE (exit 2)
// here, before a local child starts or a measurement is created. The request builders check the
// same again (watch and the dry run reach them directly).
import type {VantageSpec} from './from.js'
import type {ProbePlan} from '../model/probe.js'

export async function checkRemotePlan(specs: readonly VantageSpec[], plan: ProbePlan): Promise<void> {
  for (const s of specs) {
    if (s.kind === 'atlas') {
      const {checkAtlasPlan} = await import('./atlas/create.js')
      checkAtlasPlan(plan)
    } else if (s.kind === 'globalping') {
      const [{checkGlobalpingPlan}, {parseGlobalpingSelector}] = await Promise.all([import('./globalping/request.js'), import('./globalping/locations.js')])
      checkGlobalpingPlan(plan, parseGlobalpingSelector(s.selector))
    }
  }
}

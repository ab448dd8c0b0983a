// Before anything is sent anywhere: every RIPE Atlas and Globalping vantage point of --from must be
// able to carry every probe flag the user set (./plan-flags.ts); one that cannot is E_USAGE (exit 2)
// here, before a local child starts or a measurement is created. The request builders check the
// same again (watch and the dry run reach them directly).
import {AnyprobeError, EXIT} from '../model/errors.js'
import type {VantageSpec} from './from.js'
import type {ProbePlan} from '../model/probe.js'

/** Flags applied to the results a backend reads, not to its request (trace: no hop names / ASNs). */
const ON_RESULTS = new Set(['dns', 'numeric', 'asn'])

export async function checkRemotePlan(specs: readonly VantageSpec[], plan: ProbePlan, o: {atlasMsm?: number | null} = {}): Promise<void> {
  for (const s of specs) {
    if (s.kind === 'atlas') {
      const asked = (plan.given ?? []).find((f) => !ON_RESULTS.has(f))
      if (o.atlasMsm != null && asked !== undefined) {
        // --atlas-msm reads a measurement made already: nothing is asked, so nothing could carry it
        throw new AnyprobeError('E_USAGE', `--${asked} does not reach RIPE Atlas measurement ${o.atlasMsm}: --atlas-msm reads its results as they were made`, {
          hint: `drop --${asked}, or leave out --atlas-msm to create a new measurement that asks it`,
          exitCode: EXIT.usage,
        })
      }
      const {checkAtlasPlan} = await import('./atlas/create.js')
      checkAtlasPlan(plan)
    } else if (s.kind === 'globalping') {
      const [{checkGlobalpingPlan}, {parseGlobalpingSelector}, {refuseAnonymousLimit}, {loadGlobalpingConfig}] = await Promise.all([
        import('./globalping/request.js'),
        import('./globalping/locations.js'),
        import('./globalping/index.js'),
        import('./globalping/config.js'),
      ])
      const selector = parseGlobalpingSelector(s.selector)
      checkGlobalpingPlan(plan, selector)
      // more probes than an anonymous measurement may have: a usage error (exit 2) for the run and
      // its --dry-run alike, not a vantage point that failed (exit 4, as if the target were down)
      refuseAnonymousLimit(`globalping:${s.selector}`, selector, loadGlobalpingConfig().token !== null)
    }
  }
}

// Whether a measuring command runs here or from the vantage points of --from. The multi-vantage
// run (./multi-run.ts: every backend, the catchment, every renderer) is imported only when there
// is one, so a command that measures here never loads that code.
import type {MultiResult, ProbeMethod} from '../model/probe.js'
import {isLocalOnly, parseFrom} from '../vantage/from.js'
import {refuseUnusedVantageFlags, type VantageFlagValues} from './vantage-flags.js'

/**
 * Measure from the vantage points of --from when they are anything but this host (or when
 * --ndjson asks for outcome lines): the multi-vantage result, or null to measure here.
 */
export async function fromElsewhere(
  parsed: {flags: VantageFlagValues & Record<string, unknown>; metadata: {flags: Record<string, {setFromDefault?: boolean} | undefined>}},
  method: Exclude<ProbeMethod, 'ping'>,
  target: string,
  out: {json: boolean; log: (text: string) => void},
): Promise<MultiResult | null> {
  const specs = parseFrom(parsed.flags.from)
  const here = isLocalOnly(specs) && !parsed.flags.ndjson
  // a flag for vantage points this run does not have is refused, not dropped (trace --dry-run measured)
  refuseUnusedVantageFlags(specs.map((s) => s.kind), parsed.flags, {here})
  if (here) return null
  const {runElsewhere} = await import('./multi-run.js')
  return runElsewhere(parsed, method, target, out, specs)
}

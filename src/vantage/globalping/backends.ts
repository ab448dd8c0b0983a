// The glue src/vantage/index.ts and run.ts call (kept here so their edits stay one line each):
// globalping: specs -> backends (with the measurement line on stderr when it is a terminal), and
// the --dry-run document.
import {sanitize} from '../../util/sanitize.js'
import {plural} from '../../util/plural.js'
import type {VantageSpec} from '../from.js'
import type {ProbePlan, VantageBackend} from '../types.js'
import type {CreatedMeasurement} from './client.js'
import {GlobalpingBackend, globalpingDryRun} from './index.js'

/** "anyprobe: Globalping measurement ID: 40 probes, cost 40, 210/250 left this hour". */
export function measurementLine(spec: string, c: CreatedMeasurement): string {
  const r = c.rate
  const left = r.remaining !== null ? `, ${r.remaining}${r.limit !== null ? `/${r.limit}` : ''} left this hour` : ''
  return `anyprobe: Globalping measurement ${sanitize(c.id, 64)} (${sanitize(spec, 200)}): ${plural(c.probesCount, 'probe')}${r.cost !== null ? `, cost ${r.cost}` : ''}${left}\n`
}

export function globalpingBackends(selectors: readonly string[], stderr: NodeJS.WriteStream = process.stderr): VantageBackend[] {
  return selectors.map((sel) => {
    const b: GlobalpingBackend = new GlobalpingBackend(sel, {
      // progress goes to a terminal only: a redirected stderr stays clean for scripts
      onMeasurement: (c) => {
        if (stderr.isTTY) stderr.write(measurementLine(b.spec, c))
      },
    })
    return b
  })
}

export function globalpingDryRuns(specs: readonly VantageSpec[], plan: ProbePlan): {schemaVersion: 1; kind: 'globalping-dry-run'; measurements: unknown[]} {
  const gp = specs.filter((s) => s.kind === 'globalping')
  return {schemaVersion: 1, kind: 'globalping-dry-run', measurements: gp.map((s) => ({selector: `globalping:${s.selector}`, ...globalpingDryRun(s.selector, plan)}))}
}

// anyprobe diff A B: two saved catchments compared (src/analysis/diff.ts): what moved, shares,
// RTTs, vantage points in only one. Thin: read both (src/vantage/catchment-file.ts), diff, print.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {DIFF_EXIT_CHANGED, diffCatchments, type DiffResult} from '../analysis/diff.js'
import {BaseCommand} from '../base-command.js'
import {renderDiff} from '../render/diff.js'
import {diffHtml} from '../render/html/diff.js'
import {writeHtml} from '../render/html/write.js'
import {readCatchmentFile} from '../vantage/catchment-file.js'
import {htmlFlags, locator} from './html-flags.js'

export default class Diff extends BaseCommand {
  static override summary = 'Compare two saved catchments: which vantage points moved from which PoP to which'

  static override description = `Reads two catchments, each in any form \`anyprobe report\` reads (catchment --json, --ndjson, report --json, multi documents, raw RIPE Atlas results), and compares them vantage point by vantage point (matched by kind and id).

A change is: moved (a PoP in both, a different one), lost (a PoP before, none after: unlocated or failed), found (none before, a PoP after). PoPs are compared by place (city and country), as the catchment groups them. Also printed: each PoP's vantage points and share before and after, the largest RTT changes of vantage points that stayed, and the vantage points present in only one file (listed, not counted as changes).

--json prints {schemaVersion, kind: "diff", before, after, changes, pops, rtt, onlyBefore, onlyAfter, summary} (schemas/diff.schema.json). --html FILE writes the map of what moved.

Exit codes: 0 no vantage point changed PoP; 8 at least one moved, lost or found its PoP (alert on this); 2 a file cannot be opened or a flag is wrong; 7 a file holds nothing usable.`

  static override examples = [
    '<%= config.bin %> diff before.json after.json',
    '<%= config.bin %> diff before.json during.ndjson --json',
    '<%= config.bin %> diff monday.json today.json --html moved.html --locations vps.txt',
  ]

  static override args = {
    before: Args.string({description: 'the earlier catchment (anyprobe JSON/NDJSON or RIPE Atlas results)', required: true}),
    after: Args.string({description: 'the later catchment', required: true}),
  }

  static override flags = {
    probes: Flags.string({description: 'raw RIPE Atlas results: probe metadata file (as report --probes)'}),
    rdns: Flags.boolean({default: false, allowNo: true, description: 'raw RIPE Atlas traceroutes: look up the reverse DNS of hop addresses (off by default: a diff stays offline)'}),
    ...htmlFlags,
  }

  public async run(): Promise<DiffResult> {
    const {args, flags} = await this.parse(Diff)
    const locate = locator(flags)
    const atlasProbes = flags.probes === undefined ? undefined : (await (await import('../vantage/atlas/probe-file.js')).readProbeFile(flags.probes)).probes
    const opts = {rdns: flags.rdns, ...(atlasProbes ? {atlasProbes} : {})}
    const a = await readCatchmentFile(args.before, opts)
    const b = await readCatchmentFile(args.after, opts)
    const d = diffCatchments(a.catchment, b.catchment, {before: args.before, after: args.after})
    if (!this.jsonEnabled()) this.log(renderDiff(d))
    if (flags.html !== undefined) writeHtml(flags.html, diffHtml(d, locate(a.catchment), locate(b.catchment)))
    for (const [name, f] of [[args.before, a], [args.after, b]] as const) {
      if (f.stats.unparseable > 0) process.stderr.write(`warning: ${name}: ${f.stats.unparseable} of ${f.stats.values} values could not be used\n`)
    }
    process.exitCode = d.changes.length > 0 ? DIFF_EXIT_CHANGED : 0
    return d
  }
}

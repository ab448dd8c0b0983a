// anyprobe diff A B: two saved catchments compared (src/analysis/diff.ts): what moved, shares,
// RTTs, vantage points in only one. Thin: read both (src/vantage/catchment-file.ts), diff, print.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {diffCatchments, diffExit, type DiffResult} from '../analysis/diff.js'
import {hopNamesWarning} from '../analysis/diff-warnings.js'
import {BaseCommand, formatError} from '../base-command.js'
import {probesNotListed, readProbesFlag} from '../console/probes-flag.js'
import {renderDiff} from '../render/diff.js'
import {diffHtml} from '../render/html/diff.js'
import {writeHtml} from '../render/html/write.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {checkOutputPath, SAVED_HTML_PATH_HINT} from '../util/output-path.js'
import {sanitize} from '../util/sanitize.js'
import {readCatchmentFile} from '../vantage/catchment-file.js'
import {htmlFlagsFor, locator} from './html-flags.js'

export default class Diff extends BaseCommand {
  static override summary = 'Compare two saved catchments: which vantage points moved from which PoP to which'

  static override description = `Reads two catchments, each in any form \`anyprobe report\` reads (catchment --json, --ndjson, report --json, multi documents, raw RIPE Atlas results; gzipped or not), and compares them vantage point by vantage point (matched by kind and id). Either one may be - (standard input), as for report.

A change is: moved (a confident PoP in both, a different one), lost (a confident PoP before, none after: unlocated, not reached, failed, or only a hint of another place), found (no confident PoP before, one after), uncertain (the place changed, neither side confident: listed, not counted). A PoP named with confidence under 0.5 is a hint (marked ?): the same place with less confidence is no change. PoPs are compared by place (city and country), as the catchment groups them. Also printed: each PoP's vantage points and share before and after (both shares of the vantage points with a result in both files, so one that failed or is missing on one side moves no share), the largest RTT changes of vantage points that stayed, and the vantage points present in only one file (listed, not counted as changes).

--json prints {schemaVersion, kind: "diff", before, after, changes, pops, rtt, onlyBefore, onlyAfter, warnings, summary} (schemas/diff.schema.json). --html FILE writes the map of what moved.

Files measured with different methods or targets are compared all the same, with a warning (stderr, and "warnings" in --json): RTT changes are not comparable across methods. Raw RIPE Atlas traceroutes are read offline (no reverse DNS, unless --rdns): their hops carry no router names, so against a file whose PoPs came from router names their vantage points read as lost or found, said in a "no-hop-names" warning. Each file's catchment is of one service, as report reads it: results of other targets than its first, and results that measured an address private to each probe (use_probe_resolver), are left out with a "left-out" warning (RIPE Atlas probes that --probes does not hold: a "probes-unlisted" warning); --target NAME|ADDRESS reads that target in both files instead of each one's first (a file with no result of it is said).

Exit codes: 0 no vantage point changed PoP; 8 at least one moved, lost or found its PoP (alert on this; uncertain rows alone are not; a vantage point whose latest result was one unanswered query after answers did not lose its PoP: one loss is not an outage, two in a row are, said in a "single-loss" warning); 7 a file holds nothing usable, or was read only in part (the diff of what was read is printed, then the error), or no vantage point is in both files (none could be compared: a "no-common" warning); 2 a file cannot be opened, is of a kind diff does not take (a watch --out file: E_USAGE; watch --json events, an error document, RIPE Atlas metadata: E_BAD_INPUT), or a flag is wrong (an --html path that cannot be written, a missing directory or a link another user made: said before either file is read); 10 the --html file could not be written after all (a full disk). 8 outranks 7.`

  static override examples = [
    '<%= config.bin %> diff before.json after.json',
    '<%= config.bin %> diff before.json during.ndjson --json',
    '<%= config.bin %> diff monday.json today.json --html moved.html --locations vps.txt',
  ]

  static override args = {
    before: Args.string({description: 'the earlier catchment (anyprobe JSON/NDJSON or RIPE Atlas results; - for standard input)', required: true}),
    after: Args.string({description: 'the later catchment (- for standard input)', required: true}),
  }

  static override flags = {
    target: Flags.string({
      description: 'files of several targets: compare the catchments of this one in both (a name or an address, as the results name it, as report --target); default: each file\'s first target, the others said in a warning',
    }),
    probes: Flags.string({description: 'raw RIPE Atlas results: probe metadata file (as report --probes)'}),
    rdns: Flags.boolean({default: false, allowNo: true, description: 'raw RIPE Atlas traceroutes: look up the reverse DNS of hop addresses (off by default: a diff stays offline)'}),
    ...htmlFlagsFor('the map of the vantage points whose PoP moved'),
  }

  public async run(): Promise<DiffResult> {
    const {args, flags} = await this.parse(Diff)
    // standard input can be read once: one of the two may be -, as report - reads it
    if (args.before === '-' && args.after === '-') {
      throw new AnyprobeError('E_USAGE', 'diff - -: standard input holds one catchment, and diff needs two', {hint: 'give one of them as a file: diff - after.json, or diff before.json -', exitCode: EXIT.usage})
    }
    // a page that cannot be written is said before either file is read, as report checks it
    if (flags.html !== undefined) checkOutputPath('--html', flags.html, SAVED_HTML_PATH_HINT)
    const locate = locator(flags)
    const atlasProbes = (await readProbesFlag(flags.probes))?.probes
    const opts = {rdns: flags.rdns, target: flags.target ?? null, place: locate.item, ...(atlasProbes ? {atlasProbes} : {})}
    const a = await readCatchmentFile(args.before, opts)
    const b = await readCatchmentFile(args.after, opts)
    const d = diffCatchments(a.catchment, b.catchment, {before: args.before, after: args.after})
    // a file read only in part: the diff is of what was read, said in the document and, after it, as an error (exit 7)
    const partial = [a.partial, b.partial].filter((e) => e !== null)
    for (const e of partial) d.warnings.push({code: 'partial-input', message: e.message})
    // what a file held beside its one service (other targets, each probe's own network): left out, said
    for (const n of [...a.notes, ...b.notes]) d.warnings.push({code: 'left-out', message: n})
    // RTTs no measurement gives, dropped while reading a file: no RTT change or median uses them
    for (const n of [a.rttNote, b.rttNote]) if (n !== null) d.warnings.push({code: 'impossible-rtt', message: n})
    // --probes that lacks some of a file's probes (another day's archive): they stay unplaced, said as report says it
    for (const [name, f] of [[args.before, a], [args.after, b]] as const) {
      const unlisted = atlasProbes === undefined ? null : probesNotListed(f.catchment.vantagePoints.map((r) => r.vantage.id), atlasProbes)
      if (unlisted !== null) d.warnings.push({code: 'probes-unlisted', message: `${sanitize(name, 200)}: ${unlisted}`})
    }
    const unnamed = flags.rdns ? [] : [[args.before, a] as const, [args.after, b] as const].filter(([, f]) => f.stats.atlasTraces > 0).map(([n]) => n)
    const hops = hopNamesWarning(unnamed, d.changes)
    if (hops !== null) d.warnings.push(hops)
    for (const w of d.warnings) if (w.code !== 'partial-input') process.stderr.write(`warning: ${w.message}\n`)
    if (!this.jsonEnabled()) this.log(renderDiff(d))
    const htmlError = flags.html === undefined ? null : writeHtml(flags.html, diffHtml(d, locate(a.catchment), locate(b.catchment)))
    for (const e of partial) process.stderr.write(formatError(e))
    if (htmlError !== null) process.stderr.write(formatError(htmlError))
    process.exitCode = diffExit(d, {partialInput: partial.length > 0, writeFailed: htmlError !== null})
    return d
  }
}

// anyprobe catchment <target> --from ... --method dns|http|trace|ping: which PoP each vantage point
// reaches. Thin: flags -> plan -> every vantage point (src/vantage) -> catchment (src/analysis) ->
// table (src/render/catchment.ts) or the returned document (--json). `anyprobe report` reads a saved
// --json / --ndjson of this command back into the same catchment.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {CatchmentResult} from '../analysis/catchment.js'
import {catchmentOfOneTarget} from '../analysis/catchment-scope.js'
import {checkCatchment, expectUnused} from '../analysis/expect.js'
import {renderCatchmentExpect} from '../render/expect.js'
import {readExpectFile} from '../watch/extras.js'
import {BaseCommand} from '../base-command.js'
import {htmlFlags, htmlFlagsFor, locationsFromFlags, warnUnmatchedLocations, writeHtmlReport} from './html-flags.js'
import {withLocations} from '../vantage/locations.js'
import {renderCatchment} from '../render/catchment.js'
import {parseFrom} from '../vantage/from.js'
import {runVantages, unmeasuredOf} from '../console/multi-run.js'
import {countAnswers, measuredExit, rowAnswer, rowFailure, sharedFailureExit} from '../model/exit.js'
import {checkOutputPath, HTML_PATH_HINT} from '../util/output-path.js'
import {vantageFlags} from '../console/vantage-flags.js'
import {printNdjson} from '../console/output.js'
import {measureFlags, planFromParse, type PlanSpelling} from '../console/plan.js'
import type {CatchmentExpect} from '../model/expect.js'
import {MULTI_SCHEMA_VERSION} from '../model/probe.js'
import type {ProbeMethod} from '../model/probe.js'

const METHODS = ['dns', 'http', 'trace', 'ping'] as const

/** Catchment's own flags (not the probe's), and --rdns, which trace calls --dns. */
export const CATCHMENT_PLAN: PlanSpelling = {skip: ['method', 'expect', ...Object.keys(htmlFlags)], rename: {rdns: 'dns'}}

export default class Catchment extends BaseCommand {
  static override summary = 'Which PoP of an anycast service each vantage point reaches, and each PoP\'s share'

  static override description = `Runs one measurement (--method) at every vantage point given with --from and names the PoP each one reaches: a table of vantage points (name, location, ASN, PoP, RTT, the strongest evidence), then one row per PoP (vantage points, share, median RTT), then the vantage points that failed, with their error and a hint.

Methods: dns (CHAOS hostname.bind / id.server / NSID), http (CDN and operator headers), trace (router names near the destination), ping (RTT only: ping names no PoP, so pop is null unless another signal says).

RTT: trace, the lowest RTT from the destination; dns, the lowest query RTT; http, the TCP connect time; ping, the lowest RTT. Vantage points on this machine (local, netns:) share its CPUs: with many at once their RTTs read high; --concurrency 1 gives clean ones.

share = vantage points at that PoP / vantage points that produced a result. Failed ones are listed, not counted.

--json prints {schemaVersion, kind: "catchment", target, method, vantagePoints, pops, summary} (schemas/catchment.schema.json); --ndjson prints each vantage point's full outcome as it arrives, which \`anyprobe report\` turns back into this catchment.

--expect FILE checks each vantage point against expected-catchment rules (the file watch --learn writes; schemas/expect.schema.json) and lists those that break one on stderr and, with --json, in the document's "expect" (file, judged, violations: each vantageId, pop and broken rules); with --ndjson, as the last line ({kind: "catchment-expect", target, method, file, judged, violations}).

Exit codes (the same rule as every command): 0 the target answered every vantage point; 9 it answered some (the others failed or were not answered; the catchment of all is still printed); 4 it answered none (nothing located); 8 a vantage point broke an --expect rule (a PoP named only as a hint, confidence under 0.5, breaks none); 7 an --expect rule matched no vantage point; 2 bad flag, --from spec or expect file.`

  static override examples = [
    '<%= config.bin %> catchment 198.51.100.10 --method dns --from netns:ap-vp-ber,ap-vp-nyc,ap-vp-tyo,ap-vp-sao',
    '<%= config.bin %> catchment 198.51.100.10 --method http --from ssh:probe@vp1.example.net --from @vps.txt --json > catchment.json',
    '<%= config.bin %> catchment 198.51.100.10 --method trace --from @vps.txt --ndjson > run.ndjson && <%= config.bin %> report run.ndjson',
  ]

  static override args = {
    target: Args.string({description: 'anycast address, hostname, or URL (http)', required: true}),
  }

  static override flags = {
    method: Flags.string({char: 'M', options: [...METHODS], default: 'trace', description: 'how each vantage point finds its PoP'}),
    protocol: measureFlags.protocol,
    port: measureFlags.port,
    tcp: measureFlags.tcp,
    host: measureFlags.host,
    probes: Flags.integer({char: 'q', min: 1, max: 10, description: 'trace: probes per hop; ping: echo requests (default 3)'}),
    timeout: measureFlags.timeout,
    rdns: Flags.boolean({default: true, allowNo: true, description: 'trace: reverse DNS of hops (--no-rdns: none; netns/ssh/local children run trace --no-dns, RIPE Atlas and Globalping results keep no hop names)'}),
    asn: Flags.boolean({default: true, allowNo: true, description: 'trace: ASNs of hops (--no-asn: none; children run trace --no-asn, Globalping\'s hop ASNs are dropped)'}),
    qname: measureFlags.qname,
    qtype: measureFlags.qtype,
    'max-hops': measureFlags['max-hops'],
    header: measureFlags.header,
    'pop-header': measureFlags['pop-header'],
    'first-hop': measureFlags['first-hop'],
    'gap-limit': measureFlags['gap-limit'],
    'flow-id': measureFlags['flow-id'],
    rate: measureFlags.rate,
    'wait-factor': measureFlags['wait-factor'],
    ipv4: measureFlags.ipv4,
    ipv6: measureFlags.ipv6,
    'asn-db': measureFlags['asn-db'],
    insecure: measureFlags.insecure,
    follow: measureFlags.follow,
    'cf-trace': measureFlags['cf-trace'],
    expect: Flags.string({description: 'check every vantage point against the rules of this expect file (schemas/expect.schema.json); exit 8 with the list (stderr; with --json, the document\'s "expect"; with --ndjson, a last "catchment-expect" line) when one breaks a rule'}),
    // as trace / dns / http --from take it: where THIS host is, so only with --from local (the plan
    // refuses it with any other vantage point, with a hint to --location)
    'vp-location': Flags.string({description: 'with --from local only: where THIS host is (e.g. "FRA" or "50.03,8.57"), so trace / dns / http RTTs rule out far PoPs; vantage points of --from are placed with --location NAME=LAT,LON or --locations FILE'}),
    ...vantageFlags,
    ...htmlFlagsFor('the catchment map (which PoP each vantage point reached)'),
  }

  public async run(): Promise<CatchmentResult & {expect?: CatchmentExpect}> {
    const {args, flags, metadata} = await this.parse(Catchment)
    const method = flags.method as ProbeMethod
    // the probe's flags (--no-rdns is trace's --no-dns); one that does not apply to the method is E_USAGE
    const plan = planFromParse(method, args.target, {flags, metadata}, CATCHMENT_PLAN)
    const specs = parseFrom(flags.from)
    // --locations / --location: read once (a bad file stops here); netns, ssh and local vantage
    // points are placed, and their trace / dns / http told where they are (--vp-location)
    const locs = locationsFromFlags(flags)
    // read the rules first: a bad file stops here, before anything is measured
    const expect = flags.expect === undefined ? null : readExpectFile(flags.expect)
    // the map is written after measuring: a path that cannot be written is said now (exit 2), not as exit 10 at the end
    if (flags.html !== undefined) checkOutputPath('--html', flags.html, HTML_PATH_HINT)
    const outcomes = await runVantages({specs, plan, flags, out: {json: this.jsonEnabled(), log: (t) => this.log(t)}, locations: locs})
    // placed for the table, JSON and map too (a vantage point the run did not place, e.g. by name)
    // one service: a measurement read with --atlas-msm may have asked each probe's own resolver
    // (use_probe_resolver) or another target; those results are left out and said, as report does
    const label = flags['atlas-msm'] === undefined ? 'this run' : `RIPE Atlas measurement ${flags['atlas-msm']}`
    const one = catchmentOfOneTarget(outcomes, {target: args.target, method, label})
    for (const n of one.notes) process.stderr.write(`warning: ${n}\n`)
    const result = withLocations(one.result, locs)
    warnUnmatchedLocations(locs, result.vantagePoints.map((r) => r.vantage))
    if (!this.jsonEnabled() && !flags.ndjson) this.log(renderCatchment(result))
    const htmlOk = flags.html === undefined || writeHtmlReport(flags.html, {catchment: result, notes: one.notes})
    // 0 / 9 / 4 over the catchment's rows (model/exit.ts); a RIPE Atlas / Globalping backend that
    // could not measure beside the others: its code (6, 2), not 4; every vantage point failing for a
    // reason of its own (no such namespace, no ssh login, a certificate it did not trust): 6; every
    // one failing with the same usage, resolve or privilege error at its place: that error's 2 / 3 / 5
    const run = {
      ...countAnswers(result.vantagePoints.map(rowAnswer)),
      failedAs: sharedFailureExit(result.vantagePoints.map(rowFailure)),
      writeFailed: !htmlOk,
      unmeasured: unmeasuredOf(outcomes)?.exitCode,
    }
    process.exitCode = measuredExit(run)
    if (expect === null) return result
    // --expect: the vantage points that break a rule, in the --json document and on stderr; exit 8
    const checked = checkCatchment(expect, flags.expect!, result.vantagePoints)
    // a hint (uncertain) never breaks a rule; a rule that matched no vantage point checked nothing: 7
    if (checked.violations.length > 0 || expectUnused(checked)) process.exitCode = measuredExit({...run, alert: checked.violations.length > 0, data: expectUnused(checked)})
    process.stderr.write(renderCatchmentExpect(checked) + '\n')
    // --ndjson: the verdict is the stream's last line too; a dashboard reading stdout sees the
    // broken rules, not only a person reading stderr (schemas/catchment.schema.json $defs expectLine)
    if (flags.ndjson) await printNdjson({schemaVersion: MULTI_SCHEMA_VERSION, kind: 'catchment-expect', target: result.target, method: result.method, ...checked})
    return {...result, expect: checked}
  }
}

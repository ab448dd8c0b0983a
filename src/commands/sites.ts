// anyprobe sites TARGET --from ... | --input FILE: is this address anycast, how many sites at
// least, where. Thin: measures through the vantage layer (as catchment does) or reads saved results
// (src/console/sites-input.ts, as report does), turns each vantage point's result into an
// observation (location, lowest RTT, PoP verdict) and hands them to src/analysis/sites.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {type SitesDocument, sitesDocument} from '../analysis/sites/document.js'
import type {SiteObservation} from '../analysis/sites/types.js'
import {BaseCommand, formatError} from '../base-command.js'
import {readProbesFlag} from '../console/probes-flag.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'
import {checkOutputPath, HTML_PATH_HINT} from '../util/output-path.js'
import {noLocationNote, renderSites, stoppedNote} from '../render/sites.js'
import {readTruth} from '../store/truth-file.js'
import {scoreAgainst} from '../analysis/sites/score.js'
import {citySource, iGreedyBaseline} from '../analysis/sites/index.js'
import {parseFrom} from '../vantage/from.js'
import {htmlFlags, htmlFlagsFor, locationsFromFlags, warnUnmatchedLocations, writeHtmlReport} from './html-flags.js'
import {sitesMapInput} from '../render/html/sites-map.js'
import {vantageFlags} from '../console/vantage-flags.js'
import {exitCodeOf, orderOutcomes} from '../console/multi-run.js'
import {measureSites, sitesConcurrency, sitesRounds} from '../console/sites-measure.js'
import {measureFlags, planFromParse, type PlanSpelling} from '../console/plan.js'
import {measuringFlagWithInput, observationFromOutcome, readSitesInputs, sitesInputExit} from '../console/sites-input.js'
import type {ProbeMethod} from '../model/probe.js'

const METHODS = ['ping', 'dns', 'http', 'trace'] as const
/** --probes api: the probes' metadata from the RIPE Atlas API rather than a file (./api for a file of that name) */
const PROBES_FROM_API = 'api'


/** Sites' own flags, not the probe's (its --probes is the Atlas probe file of --input, not a count). */
export const SITES_PLAN: PlanSpelling = {skip: ['method', 'input', 'probes', 'vp-location', ...Object.keys(htmlFlags)]}

export default class Sites extends BaseCommand {
  static override summary = 'Is this address anycast, how many sites at least, and where: latency geolocation fused with what the sites say of themselves'

  static override description = `Measures the RTT to TARGET from every vantage point (--from; --method ping by default, dns / http / trace also give each vantage point's PoP verdict), or reads saved results (--input: RIPE Atlas ping / dns / traceroute downloads with --probes for the probe locations, anyprobe catchment / multi / --ndjson files, a latency table as iGreedy reads it: lines of ID LAT LON RTT [RTT...], or an iGreedy2.0 campaign file: {"target", "measurement_results": [{"hostname", "latitude", "longitude", "rtt_ms"}]}).

A reply after t ms puts the answering site within t x 98.6 km of the vantage point (half the RTT at the speed of light in fibre). Two disjoint discs reached two different sites: the address is anycast. The discs kept smallest-first without overlap are a lower bound on the number of sites; each is placed at a city inside it (population weighed by nearness to the vantage point), then iGreedy's rounds find the sites its neighbours hid. A PoP verdict naming a place its RTT allows (the bound trace / dns / http's own check uses) confirms and places a site, or adds one the discs could not separate; a verdict its RTT excludes is listed as a contradiction. dns / http / trace from local, netns or ssh vantage points are measured in rounds (5, trace 3), each vantage point keeping its lowest RTT (a busy host reads them late), local and netns ones at most one per core unless --concurrency is given. Stopped by Ctrl-C / SIGTERM, it prints what the rounds measured and says after how many of how many it stopped (--json: rounds).

anycast: yes = two disjoint discs; no = at least 3 vantage points, two of them more than 5000 km from the point all discs share (another region reached the same site), all discs share a point (one site explains every RTT) and no identities naming two places; undecided otherwise. Vantage points need a location: Atlas probes have one; give netns / ssh ones with --location NAME=LAT,LON (repeatable) or --locations FILE (lines of ID LAT LON [CC]); this is not the --vp-location of trace / dns / http, which says where this host is.

--html FILE writes the sites map: the discs that prove each site, the placed sites, the vantage points (one self-contained page, fetches nothing). Left out and counted: no location, no or impossible RTT (<= 0), locations contradicted by the others.

--json prints {schemaVersion, kind: "sites", target, anycast, lowerBound, sites: [{lat, lon, city, country, code, evidence, areaKm, confirmed, source}], excluded, contradictions, ...} (schemas/sites.schema.json).

Exit codes (one rule with every command, --input counting the vantage points read): 0 the target answered every vantage point; 9 it answered some; 4 it answered none; 2 bad flag; 7 some input could not be used (first); 10 the --html page could not be written.`

  static override examples = [
    '<%= config.bin %> sites 198.51.100.10 --from netns:ap-vp-ber,ap-vp-nyc,ap-vp-tyo,ap-vp-sao --location ap-vp-ber=52.52,13.40 --location ap-vp-nyc=40.71,-74.01 ...',
    '<%= config.bin %> sites --input atlas-ping.json --probes probes.json --json',
    '<%= config.bin %> sites --input atlas-ping.json --probes probes.json --html sites.html',
    '<%= config.bin %> sites --input campaign.tsv --truth published-sites.txt --igreedy',
    '<%= config.bin %> sites 192.5.5.241 --from atlas:area=WW,n=500',
  ]

  static override args = {
    // ignoreStdin: oclif would otherwise read a piped --input - as the missing TARGET
    target: Args.string({description: 'address or hostname (with --input: which target to read from a file holding several, else only a label)', required: false, ignoreStdin: true}),
  }

  static override flags = {
    method: Flags.string({char: 'M', options: [...METHODS], default: 'ping', description: 'how each vantage point measures the RTT (dns / http / trace also name the PoP) (--from only: --input reads the method the results were measured with)'}),
    input: Flags.string({multiple: true, multipleNonGreedy: true, description: 'saved results instead of measuring (RIPE Atlas download, anyprobe JSON / NDJSON, a table of ID LAT LON RTT lines, or an iGreedy2.0 campaign file; - for standard input); repeat it to read several campaigns towards the target together (a vantage point in several counts with its lowest RTT)'}),
    probes: Flags.string({description: '--input with raw RIPE Atlas results: probe metadata file (locations), or "api" to ask the RIPE Atlas API (no key needed)'}),
    igreedy: Flags.boolean({description: 'also run iGreedy (the peer\'s method: alpha = 1, same cities) on the same observations, scored too with --truth'}),
    truth: Flags.string({description: 'score the sites against a site list (lines of CODE, or CODE LAT LON; or a root-servers.org / iGreedy2.0 JSON site list): a found site within 100 km of a listed one is a hit, each listed site counts once (iGreedy\'s validation)'}),
    ...htmlFlagsFor('the sites map (each vantage point\'s disc and the sites placed)'),
    // the old spelling of --location, kept working (hidden): not trace/dns/http's --vp-location
    'vp-location': Flags.string({multiple: true, hidden: true, description: 'old name of --location NAME=LAT,LON'}),
    // what each vantage point's probe is asked (as trace / dns / http spell them; defaults are theirs)
    ...measureFlags,
    ...vantageFlags,
  }

  public async run(): Promise<SitesDocument> {
    const {args, flags, metadata} = await this.parse(Sites)
    const locs = locationsFromFlags({...flags, location: [...(flags['vp-location'] ?? []), ...(flags.location ?? [])]})
    let htmlOk = true
    // read before anything is measured: a bad list is a usage error, not a lost measurement
    const truth = flags.truth === undefined ? null : readTruth(flags.truth)
    // and a page that cannot be written is said now, not as exit 10 after the measurement (and the
    // RIPE Atlas credits) it was for, as catchment and watch check it
    if (flags.html !== undefined) checkOutputPath('--html', flags.html, HTML_PATH_HINT)
    const done = (doc: SitesDocument): SitesDocument => {
      if (truth !== null) doc.score = scoreAgainst(doc.sites, truth.sites, truth.unplaced, undefined, truth.merged)
      if (flags.igreedy) {
        const peer = iGreedyBaseline(obs, citySource)
        doc.igreedy = {method: 'igreedy', ...peer, ...(truth === null ? {} : {score: scoreAgainst(peer.sites, truth.sites, truth.unplaced, undefined, truth.merged)})}
      }
      if (flags.html !== undefined) htmlOk = writeHtmlReport(flags.html, {sites: sitesMapInput(doc, obs)})
      return doc
    }
    const obs: SiteObservation[] = []
    let target: string | null = args.target ?? null
    let method: string | null = flags.method
    if (flags.probes !== undefined && flags.input === undefined) {
      // sites' --probes is the probe metadata of saved RIPE Atlas results, not trace's probe count
      throw new AnyprobeError('E_USAGE', '--probes (the RIPE Atlas probe metadata file) goes only with --input', {
        hint: 'read saved Atlas results with --input FILE --probes probes.json; a live atlas: vantage point brings its probes\' locations itself',
        exitCode: EXIT.usage,
      })
    }
    if (flags.input !== undefined) {
      if (flags.from !== undefined) throw new AnyprobeError('E_USAGE', '--input and --from do not go together', {hint: 'measure with --from, or read saved results with --input', exitCode: EXIT.usage})
      // a flag that says how to measure would do nothing: refused, never dropped (the JSON said "method": null after --method dns)
      const unused = measuringFlagWithInput(flags, Object.keys(measureFlags), (k) => metadata.flags[k]?.setFromDefault === true)
      if (unused !== null) throw new AnyprobeError('E_USAGE', unused.message, {hint: unused.hint, exitCode: EXIT.usage})
      // --probes api: ask the RIPE Atlas API where the probes are, once the results are read
      const probesFromApi = flags.probes === PROBES_FROM_API
      const probeFile = await readProbesFlag(probesFromApi ? undefined : flags.probes)
      const atlasProbes = probeFile?.probes
      // what reading left out or could not place: on stderr as it is found, and in the document
      const notes: string[] = [...(probeFile?.notes ?? [])]
      const input = await readSitesInputs(flags.input, {locs, probes: atlasProbes, probesGiven: flags.probes !== undefined, target: args.target ?? null})
      obs.push(...input.obs)
      target ??= input.target
      method = input.method
      const warnings = [...input.warnings]
      // TARGET named none of the targets the results measured: the document names the one read,
      // never a target whose sites these are not
      if (input.askedRead === false && input.target !== null) {
        warnings.push(`${sanitize(args.target ?? '', 100)} names none of the targets the input measured: the sites are of ${sanitize(input.target, 100)}`)
        target = input.target
      }
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`)
      notes.push(...warnings)
      // raw RIPE Atlas results name their probes by id only: --probes FILE or --probes api says where they are
      let locateError: AnyprobeError | null = null
      // (tables and campaign files locate every line: nothing to load for them)
      if (atlasProbes === undefined && obs.some((o) => o.lat === null || o.lon === null)) {
        const {locateAtlasObservations, unlocatedProbeIds} = await import('../vantage/atlas/probe-locate.js')
        const n = unlocatedProbeIds(obs).length
        if (n > 0 && probesFromApi) {
          process.stderr.write(`asking RIPE Atlas where ${n} probe${n === 1 ? ' is' : 's are'}\n`)
          const r = await locateAtlasObservations(obs)
          obs.splice(0, obs.length, ...r.obs)
          locateError = r.error
        } else if (n > 0) {
          const note = `${n} RIPE Atlas probe${n === 1 ? ' has' : 's have'} no location here: give their metadata with --probes FILE, or --probes api to ask the RIPE Atlas API (no key needed)`
          process.stderr.write(`note: ${note}\n`)
          notes.push(note)
        }
      }
      const doc = sitesDocument(obs, {target, method})
      // before done(): the --html page shows the notes too (the --probes hint)
      if (notes.length > 0) doc.inputNotes = notes
      done(doc)
      if (!this.jsonEnabled()) this.log(renderSites(doc))
      if (locateError !== null) process.stderr.write(formatError(locateError))
      for (const err of input.errors) process.stderr.write(formatError(err))
      // the rule of every command over what was read (report of the same file says the same)
      process.exitCode = sitesInputExit(input, {writeFailed: !htmlOk, locate: locateError})
      return doc
    }
    if (target === null) throw new AnyprobeError('E_USAGE', 'a target is needed (or --input FILE)', {hint: 'anyprobe sites 198.51.100.10 --from netns:... --location NAME=LAT,LON', exitCode: EXIT.usage})
    const plan = planFromParse(flags.method as ProbeMethod, target, {flags, metadata}, SITES_PLAN)
    const specs = parseFrom(flags.from)
    // the lowest RTT of several rounds, children not crowding the cores (src/console/sites-measure.ts)
    const concurrency = sitesConcurrency(specs, plan.method, flags.concurrency, metadata.flags.concurrency?.setFromDefault !== true)
    const {outcomes, rounds} = await measureSites({specs, plan, flags: {...flags, concurrency}, out: {json: this.jsonEnabled(), log: (t) => this.log(t)}}, sitesRounds(specs, plan.method))
    for (const o of outcomes) obs.push(observationFromOutcome(o, locs))
    warnUnmatchedLocations(locs, outcomes.map((o) => o.vantage))
    // netns / ssh / local vantage points carry no place: named, with the flag that gives one
    const unplaced = noLocationNote(obs.filter((o) => o.lat === null || o.lon === null).map((o) => o.vp))
    if (unplaced !== null) process.stderr.write(`note: ${unplaced}\n`)
    const doc = sitesDocument(obs, {target, method})
    // why each failed vantage point has no RTT, in the text and the document as catchment says it
    // (before done(): the --html page is written from the same document)
    doc.failed = orderOutcomes(outcomes.filter((o) => o.result === null)).map((o) => ({vantage: o.vantage, error: o.error ?? {code: 'E_UNKNOWN', message: 'no result', hint: null}}))
    // a run stopped by Ctrl-C / SIGTERM says so and after how many rounds (the lowest RTTs of
    // fewer rounds look like a whole answer otherwise): the table's line, else stderr
    doc.rounds = rounds
    done(doc)
    if (!this.jsonEnabled() && !flags.ndjson) this.log(renderSites(doc))
    else if (rounds.stopped) process.stderr.write(`note: ${stoppedNote(rounds)}\n`)
    // 0 every vantage point answered, 9 some, 4 none (2 / 3 / 5: every one failed with that error).
    // Stopped, the rule is catchment's: a vantage point with no result in any round measured is
    // failed (E_VP_ABORTED) and did not answer; one with a result answered, in however many rounds
    process.exitCode = exitCodeOf(outcomes)
    if (!htmlOk && process.exitCode === EXIT.ok) process.exitCode = EXIT.write // 10 ranks below 9 and 4
    return doc
  }
}

// anyprobe sites TARGET --from ... | --input FILE: is this address anycast, how many sites at
// least, where. Thin: measures through the vantage layer (as catchment does) or reads saved results
// (as report does, src/store/read.ts), turns each vantage point's result into an observation
// (location, lowest RTT, PoP verdict) and hands them to src/analysis/sites.
import {createReadStream} from 'node:fs'

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {resultRtt, shortEvidence} from '../analysis/catchment.js'
import {observationOf, type SitesDocument, sitesDocument} from '../analysis/sites/document.js'
import type {SiteObservation} from '../analysis/sites/types.js'
import {BaseCommand, formatError} from '../base-command.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {renderSites} from '../render/sites.js'
import {sanitize} from '../util/sanitize.js'
import {decompressedInput, newStats, nothingReadError, partialInputError, readSavedBatches} from '../store/read.js'
import {looksLikeIGreedyCampaign, readIGreedyCampaign} from '../store/igreedy-campaign.js'
import {looksLikeLatencyTable, readLatencyTable} from '../store/latency-table.js'
import {readTruth} from '../store/truth-file.js'
import {scoreAgainst} from '../analysis/sites/score.js'
import {citySource, iGreedyBaseline} from '../analysis/sites/index.js'
import {peekStream} from '../util/peek.js'
import {parseFrom} from '../vantage/from.js'
import {type Locations, placeTableRow, placeVantage} from '../vantage/locations.js'
import {htmlFlags, locationsFromFlags, writeHtmlReport} from './html-flags.js'
import {sitesMapInput} from '../render/html/sites-map.js'
import {vantageFlags} from '../console/vantage-flags.js'
import {loadAtlasModule} from '../vantage/index.js'
import {exitCodeOf, runVantages} from '../console/multi-run.js'
import {measureFlags, planFromParse, type PlanSpelling} from '../console/plan.js'
import type {ProbeMethod, VantageOutcome} from '../model/probe.js'

const METHODS = ['ping', 'dns', 'http', 'trace'] as const
/** --probes api: the probes' metadata from the RIPE Atlas API rather than a file (./api for a file of that name) */
const PROBES_FROM_API = 'api'

function observationFromOutcome(o: VantageOutcome, locs: Locations | null): SiteObservation {
  const {v, given, placeholder} = placeVantage(o.vantage, locs)
  const r = o.result
  const obs = r === null ? observationOf(v, null, null, null) : observationOf(v, resultRtt(r), r.pop, shortEvidence(r.pop, r))
  return given ? {...obs, locationGiven: true} : placeholder ? {...obs, locationPlaceholder: true} : obs
}

/** Sites' own flags, not the probe's (its --probes is the Atlas probe file of --input, not a count). */
export const SITES_PLAN: PlanSpelling = {skip: ['method', 'input', 'probes', 'vp-location', ...Object.keys(htmlFlags)]}

export default class Sites extends BaseCommand {
  static override summary = 'Is this address anycast, how many sites at least, and where: latency geolocation fused with what the sites say of themselves'

  static override description = `Measures the RTT to TARGET from every vantage point (--from; --method ping by default, dns / http / trace also give each vantage point's PoP verdict), or reads saved results (--input: RIPE Atlas ping / dns / traceroute downloads with --probes for the probe locations, anyprobe catchment / multi / --ndjson files, a latency table as iGreedy reads it: lines of ID LAT LON RTT [RTT...], or an iGreedy2.0 campaign file: {"target", "measurement_results": [{"hostname", "latitude", "longitude", "rtt_ms"}]}).

A reply after t ms puts the answering site within t x 98.6 km of the vantage point (half the RTT at the speed of light in fibre). Two disjoint discs reached two different sites: the address is anycast. The discs kept smallest-first without overlap are a lower bound on the number of sites; each is placed at a city inside it (population weighed by nearness to the vantage point), then iGreedy's rounds find the sites its neighbours hid. A PoP verdict naming a place inside its disc confirms and places a site, or adds one the discs could not separate; a verdict its disc excludes is listed as a contradiction.

anycast: yes = two disjoint discs; no = at least 3 vantage points, two of them more than 5000 km from the point all discs share (another region reached the same site), all discs share a point (one site explains every RTT) and no identities naming two places; undecided otherwise. Vantage points need a location: Atlas probes have one; give netns / ssh ones with --location NAME=LAT,LON (repeatable) or --locations FILE (lines of ID LAT LON [CC]); this is not the --vp-location of trace / dns / http, which says where this host is.

--html FILE writes the sites map: the discs that prove each site, the placed sites, the vantage points (one self-contained page, fetches nothing). Left out and counted: no location, no or impossible RTT (<= 0), locations contradicted by the others.

--json prints {schemaVersion, kind: "sites", target, anycast, lowerBound, sites: [{lat, lon, city, country, code, evidence, areaKm, confirmed, source}], excluded, contradictions, ...} (schemas/sites.schema.json).

Exit codes: 0 done (measuring: the target answered every vantage point); 9 it answered some; 4 it answered none; 2 bad flag; 7 some input could not be used.`

  static override examples = [
    '<%= config.bin %> sites 198.51.100.10 --from netns:ap-vp-ber,ap-vp-nyc,ap-vp-tyo,ap-vp-sao --location ap-vp-ber=52.52,13.40 --location ap-vp-nyc=40.71,-74.01 ...',
    '<%= config.bin %> sites --input atlas-ping.json --probes probes.json --json',
    '<%= config.bin %> sites --input atlas-ping.json --probes probes.json --html sites.html',
    '<%= config.bin %> sites --input campaign.tsv --truth published-sites.txt --igreedy',
    '<%= config.bin %> sites 192.5.5.241 --from atlas:area=WW,n=500',
  ]

  static override args = {
    // ignoreStdin: oclif would otherwise read a piped --input - as the missing TARGET
    target: Args.string({description: 'address or hostname (with --input: only a label)', required: false, ignoreStdin: true}),
  }

  static override flags = {
    method: Flags.string({char: 'M', options: [...METHODS], default: 'ping', description: 'how each vantage point measures the RTT (dns / http / trace also name the PoP)'}),
    input: Flags.string({description: 'saved results instead of measuring (RIPE Atlas download, anyprobe JSON / NDJSON, a table of ID LAT LON RTT lines, or an iGreedy2.0 campaign file; - for standard input)'}),
    probes: Flags.string({description: '--input with raw RIPE Atlas results: probe metadata file (locations), or "api" to ask the RIPE Atlas API (no key needed)'}),
    igreedy: Flags.boolean({description: 'also run iGreedy (the peer\'s method: alpha = 1, same cities) on the same observations, scored too with --truth'}),
    truth: Flags.string({description: 'score the sites against a site list (lines of CODE, or CODE LAT LON; or a root-servers.org / iGreedy2.0 JSON site list): a found site within 100 km of a listed one is a hit, each listed site counts once (iGreedy\'s validation)'}),
    ...htmlFlags,
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
      const asked = Object.keys(measureFlags).find((k) => (flags as Record<string, unknown>)[k] !== undefined)
      if (asked !== undefined) throw new AnyprobeError('E_USAGE', `--${asked} asks the probes of a measurement; --input reads one already made`, {hint: `drop --${asked}, or measure with --from`, exitCode: EXIT.usage})
      const name = flags.input === '-' ? 'standard input' : flags.input
      // --probes api: ask the RIPE Atlas API where the probes are, once the results are read
      const probesFromApi = flags.probes === PROBES_FROM_API
      const atlasProbes = flags.probes === undefined || probesFromApi ? undefined : (await (await import('../vantage/atlas/probe-file.js')).readProbeFile(flags.probes)).probes
      const stats = newStats()
      const source = decompressedInput(flags.input === '-' ? process.stdin : createReadStream(flags.input, {highWaterMark: 64 << 10}), stats, name)
      method = null
      // a vantage point measured several times counts with its lowest RTT
      const byVp = new Map<string, SiteObservation>()
      const keep = (o: SiteObservation): void => {
        const prev = byVp.get(o.vp)
        if (prev === undefined || (o.rttMs !== null && (prev.rttMs === null || o.rttMs < prev.rttMs))) byVp.set(o.vp, {...o, identity: o.identity ?? prev?.identity ?? null})
      }
      try {
        const {head, stream} = await peekStream(source)
        if (looksLikeLatencyTable(head)) {
          // iGreedy / MiGreedy's input: each line carries its own location (--location fills or corrects one)
          if (flags.probes !== undefined) throw new AnyprobeError('E_USAGE', `--probes: ${sanitize(name, 200)} is a latency table (ID LAT LON RTT...), whose lines carry their own locations`, {hint: 'drop --probes; it locates the probe ids of raw RIPE Atlas results', exitCode: EXIT.usage})
          for await (const o of readLatencyTable(stream, stats)) keep(placeTableRow(o, locs))
        } else if (looksLikeIGreedyCampaign(head)) {
          // iGreedy2.0's campaign file: its elements carry their probes' locations, like a table's lines
          if (flags.probes !== undefined) throw new AnyprobeError('E_USAGE', `--probes: ${sanitize(name, 200)} is an iGreedy2.0 campaign file, whose results carry their own locations`, {hint: 'drop --probes; it locates the probe ids of raw RIPE Atlas results', exitCode: EXIT.usage})
          const meta = {target: null as string | null}
          for await (const o of readIGreedyCampaign(stream, stats, meta)) keep(placeTableRow(o, locs))
          target ??= meta.target
        } else for await (const batch of readSavedBatches(stream, stats, {loadAtlas: loadAtlasModule, ...(atlasProbes ? {atlasProbes} : {})})) for (const item of batch) {
          if (item.type === 'outcome') {
            keep(observationFromOutcome(item.outcome, locs))
            target ??= item.outcome.result?.target ?? null
            method ??= item.outcome.result?.kind ?? null
          } else if (item.type === 'row') {
            const pop = item.row.pop
            const {v, given, placeholder} = placeVantage(item.row.vantage, locs)
            keep({vp: item.row.vantage.id, lat: v.lat, lon: v.lon, rttMs: item.row.rttMs, identity: pop === null ? null : {code: pop.code, city: pop.city, country: pop.country, lat: null, lon: null, evidence: item.row.evidence}, ...(given ? {locationGiven: true} : placeholder ? {locationPlaceholder: true} : {})})
          } else if (item.type === 'meta') {
            target ??= item.target
            method ??= item.method
          }
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
          throw new AnyprobeError('E_BAD_INPUT', `cannot read ${sanitize(name, 200)}: ${(e as NodeJS.ErrnoException).code}`, {hint: 'give a RIPE Atlas download or a file written by anyprobe --json / --ndjson', exitCode: EXIT.usage})
        }
        throw e
      }
      if (byVp.size === 0) throw nothingReadError(name, stats)
      obs.push(...byVp.values())
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
          process.stderr.write(`note: ${n} RIPE Atlas probe${n === 1 ? ' has' : 's have'} no location here: give their metadata with --probes FILE, or --probes api to ask the RIPE Atlas API (no key needed)\n`)
        }
      }
      const doc = done(sitesDocument(obs, {target, method}))
      if (!this.jsonEnabled()) this.log(renderSites(doc))
      if (!htmlOk) process.exitCode = EXIT.write
      if (locateError !== null) {
        process.stderr.write(formatError(locateError))
        process.exitCode = locateError.exitCode
      }
      const err = partialInputError(name, stats, 'the sites above are of the values that could be read')
      if (err !== null) {
        process.stderr.write(formatError(err))
        process.exitCode = err.exitCode
      }
      return doc
    }
    if (target === null) throw new AnyprobeError('E_USAGE', 'a target is needed (or --input FILE)', {hint: 'anyprobe sites 198.51.100.10 --from netns:... --location NAME=LAT,LON', exitCode: EXIT.usage})
    const plan = planFromParse(flags.method as ProbeMethod, target, {flags, metadata}, SITES_PLAN)
    const outcomes = await runVantages({specs: parseFrom(flags.from), plan, flags, out: {json: this.jsonEnabled(), log: (t) => this.log(t)}, locations: locs})
    for (const o of outcomes) obs.push(observationFromOutcome(o, locs))
    const doc = done(sitesDocument(obs, {target, method}))
    if (!this.jsonEnabled() && !flags.ndjson) this.log(renderSites(doc))
    process.exitCode = exitCodeOf(outcomes) // 0 every vantage point answered, 9 some, 4 none
    if (!htmlOk && process.exitCode === EXIT.ok) process.exitCode = EXIT.write // 10 ranks below 9 and 4
    return doc
  }
}

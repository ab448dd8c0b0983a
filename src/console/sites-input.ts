// `sites --input FILE [--input FILE ...]`: saved results read into one observation per vantage
// point. Several files are several campaigns towards one target (RIPE Atlas measurements of
// different sizes or days, an anyprobe catchment and an iGreedy table): recall is bounded by how
// many vantage points there are, so reading them together finds more sites than any one of them. A
// vantage point in several files counts with its lowest RTT (as one measured several times in one
// file does). Each file is read as `report` reads it (src/store/read.ts), streamed; what one file
// could not give is said per file and loses nothing read from the others.
//
// One file is one target: a RIPE Atlas daily dump, or results of several measurements saved
// together, holds many targets, and their RTTs merged per vantage point would be sites of none of
// them (a wrong, confident answer). The results of the target asked (TARGET, matched by name or
// address) are read, or, when TARGET names none of the file's targets (it is also a free label),
// those of the first target in the file; the others are counted and said in a warning.
import {createReadStream} from 'node:fs'
import type {Readable} from 'node:stream'

import {resultRtt, shortEvidence} from '../analysis/catchment.js'
import {OwnNetworkCount, ownNetworkTarget, TargetPicker, targetKey} from '../analysis/one-target.js'
import {keepLowestRtt, observationOf} from '../analysis/sites/document.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {type Answer, countAnswers, measuredExit, rowAnswer, rowFailure, sharedFailureExit} from '../model/exit.js'
import {answerOfOutcome} from './multi-run.js'
import type {VantageOutcome} from '../model/probe.js'
import type {SiteObservation} from '../model/sites.js'
import {looksLikeIGreedyCampaign, readIGreedyCampaign} from '../store/igreedy-campaign.js'
import {looksLikeLatencyTable, readLatencyTable} from '../store/latency-table.js'
import {decompressedInput, newStats, nothingReadError, partialInputError, readSavedBatches, type ReadStats} from '../store/read.js'
import {peekStream} from '../util/peek.js'
import {probesNotListed as probesNotListedOf} from './probes-flag.js'
import {sanitize} from '../util/sanitize.js'
import type {ProbeFile} from '../vantage/atlas/probe-file.js'
import {loadAtlasModule} from '../vantage/index.js'
import {type Locations, placeTableRow, placeVantage, tableVantage, unmatchedLocations, unmatchedLocationsWarning} from '../vantage/locations.js'
import type {VantagePoint} from '../model/vantage.js'

export function observationFromOutcome(o: VantageOutcome, locs: Locations | null): SiteObservation {
  const {v, given, placeholder} = placeVantage(o.vantage, locs)
  const r = o.result
  const base = r === null ? observationOf(v, null, null, null) : observationOf(v, resultRtt(r), r.pop, shortEvidence(r.pop, r))
  // every place the probe read was too far for its RTT: a contradiction for sites to list
  const rejected = r !== null && r.kind !== 'ping' && r.pop === null ? (r.popRejected ?? []) : []
  const obs = rejected.length === 0 ? base : {...base, rejected: rejected.map((x) => ({code: sanitize(x.code, 40), distanceKm: x.distanceKm}))}
  return given ? {...obs, locationGiven: true} : placeholder ? {...obs, locationPlaceholder: true} : obs
}

// Whether the target answered a vantage point, as the exit code counts it: model/exit.ts answerOf,
// one rule with report, catchment and trace / dns / http --from (a saved outcome's by
// answerOfOutcome, a saved catchment row's by rowAnswer, a table line's by its RTT: tableRead).

/**
 * An observation read, with its answer and, when it has no result, its error code (sharedFailureExit:
 * every vantage point failed with one error said before measuring, e.g. all E_RESOLVE, exits with
 * that error's code as the live run did); both dropped before the sites are found.
 */
type Read = SiteObservation & {answer: Answer; failure: string | null}
const ANSWER_RANK: Readonly<Record<Answer, number>> = {own: 0, silent: 1, answered: 2}

/** keepLowestRtt, and a vantage point that answered in any result read counts as answered. */
function keepRead(byVp: Map<string, Read>, o: Read): void {
  const prev = byVp.get(o.vp)
  keepLowestRtt(byVp, o)
  const now = byVp.get(o.vp)!
  if (prev !== undefined && ANSWER_RANK[prev.answer] > ANSWER_RANK[now.answer]) byVp.set(o.vp, {...now, answer: prev.answer})
}

// the rules of what one target is, shared with report / diff / catchment (src/analysis/one-target.ts)
export {ownNetworkTarget, TargetPicker} from '../analysis/one-target.js'

export interface SitesInput {
  obs: SiteObservation[]
  target: string | null
  method: string | null
  /** per file, what could not be used (E_BAD_INPUT, exit 7), in the order given; empty when all was read */
  errors: AnyprobeError[]
  /** of `obs`, the vantage points whose target answered (in any of their results read) */
  answered: number
  /** of `obs`, the vantage points that failed for a reason of their own in every result read (exit 6 when that is all) */
  ownFailures: number
  /** every vantage point read failed with one error said before measuring: its exit code (model/exit.ts sharedFailureExit), else null */
  failedAs?: number | null
  /** notes for stderr: the files name different targets, a file holds results of other targets */
  warnings: string[]
  /**
   * Whether the results of the TARGET asked were read: true when a file's results named it, false
   * when a file held several targets and none was TARGET (the sites are of `target`, not of
   * TARGET: TargetPicker.askedMissed), null otherwise (no TARGET, or TARGET only labels the one
   * target of the input)
   */
  askedRead: boolean | null
}

/**
 * One target's observations per address measured. A name the probes resolved themselves may give
 * them different servers (DNS steering: a CDN's unicast front-ends near each probe), and disjoint
 * RTT discs to different addresses prove nothing about anycast: `pick` keeps one address (TARGET
 * when it is one of them, else the one most probes measured) when a family has several. One address
 * per family (a name's v4 and v6 anycast addresses) is kept whole.
 */
export class ByAddress {
  private readonly groups = new Map<string, Map<string, Read>>()

  keep(addr: string | null, o: Read): void {
    const k = addr ?? ''
    let g = this.groups.get(k)
    if (g === undefined) this.groups.set(k, (g = new Map()))
    keepRead(g, o)
  }

  pick(asked: string | null, name: string | null, label: string): {kept: Read[]; note: string | null} {
    const all = (): Read[] => [...this.groups.values()].flatMap((g) => [...g.values()])
    const addrs = [...this.groups.keys()].filter((a) => a !== '')
    const v6 = addrs.filter((a) => a.includes(':')).length
    if (v6 <= 1 && addrs.length - v6 <= 1) return {kept: all(), note: null}
    const size = (a: string): number => this.groups.get(a)!.size
    const askedKey = asked === null ? null : targetKey(asked)
    const chosen = addrs.find((a) => targetKey(a) === askedKey) ?? addrs.reduce((x, y) => (size(y) > size(x) ? y : x))
    const kept = [...this.groups.get(chosen)!.values(), ...(this.groups.get('')?.values() ?? [])]
    const others = addrs.filter((a) => a !== chosen).sort((x, y) => size(y) - size(x))
    const n = others.reduce((t, a) => t + size(a), 0)
    const list = others.slice(0, 5).map((a) => `${sanitize(a, 45)} (${size(a)})`).join(', ')
    const note = `${sanitize(label, 200)}: ${name === null ? 'the target' : sanitize(name, 100)} was measured at ${addrs.length} addresses (the probes resolved it themselves, and DNS gave them different servers), and different servers answering from different places says nothing of anycast: the sites are of ${sanitize(chosen, 45)} (${size(chosen)} probes); ${n} probe${n === 1 ? '' : 's'}' results of the others were left out (${list}${others.length > 5 ? ', ...' : ''}). Name another address as TARGET to see its sites`
    return {kept, note}
  }
}

/**
 * The exit code of `sites --input`, by the rule every command follows (model/exit.ts), over what was
 * read: 7 some input could not be used; then 6 when `--probes api` could not be asked (`locate`), 2
 * for a file of the wrong kind among several; 4 the target answered none of the vantage points read
 * (6 when each failed for a reason of its own), 9 some; 10 the page could not be written; 0.
 * `report` of the same file says the same.
 */
export function sitesInputExit(input: Pick<SitesInput, 'obs' | 'answered' | 'ownFailures' | 'errors' | 'failedAs'>, o: {writeFailed: boolean; locate: AnyprobeError | null}): number {
  const data = input.errors.some((e) => e.exitCode === EXIT.data)
  const other = o.locate ?? input.errors.find((e) => e.exitCode !== EXIT.data) ?? null
  return measuredExit({answered: input.answered, total: input.obs.length, ownFailures: input.ownFailures, data, writeFailed: o.writeFailed, unmeasured: other?.exitCode ?? null, failedAs: input.failedAs ?? null})
}

/** What a measuring flag asks, for the refusal when it goes with --input (nothing is measured then). */
const MEASURING: Readonly<Record<string, string>> = {
  method: 'says how the vantage points measure; --input reads results already measured (their method is the file\'s, the document\'s "method")',
  concurrency: 'says how many vantage points are measured at once; --input measures none',
  progress: 'shows the vantage points as they are measured; --input measures none',
  ndjson: 'prints each vantage point\'s outcome as it is measured; --input measures none (--json prints the sites document)',
}

/** vantage flags that go only with some --from (console/vantage-flags.ts): asking a measurement too */
const VANTAGE_ONLY = ['dry-run', 'atlas-msm', 'remote-command', 'ssh-option', 'vp-timeout']

/**
 * The flag the user set that would do nothing with --input (`probeFlags`: the probe's own, as trace /
 * dns / http spell them; the vantage flags of some --from only; then MEASURING's), or null. A flag left at
 * its default (--method ping, --concurrency 8) or turned off (--no-progress) asks nothing.
 */
export function measuringFlagWithInput(flags: Record<string, unknown>, probeFlags: readonly string[], fromDefault: (name: string) => boolean): {name: string; message: string; hint: string} | null {
  for (const name of [...probeFlags, ...VANTAGE_ONLY, ...Object.keys(MEASURING)]) {
    const v = flags[name]
    if (v === undefined || v === false || fromDefault(name)) continue
    const what = MEASURING[name] ?? 'asks the probes of a measurement; --input reads one already made'
    return {name, message: `--${name} ${what}`, hint: `drop --${name}, or measure with --from`}
  }
  return null
}

/** The warning when RIPE Atlas probes of the results are not in the --probes metadata (./probes-flag.ts); sites can also fetch them. */
export function probesNotListed(obs: Iterable<SiteObservation>, probes: ReadonlyMap<number, unknown>): string | null {
  return probesNotListedOf(Array.from(obs, (o) => o.vp), probes, ', or --probes api')
}

/** A latency table's or campaign file's line: an RTT is an answer, '-' none (`see`: its id was read). */
function tableRead(o: SiteObservation, see: ((v: VantagePoint) => void) | null): Read {
  see?.(tableVantage(o.vp))
  return {...o, answer: o.rttMs === null ? 'silent' : 'answered', failure: null}
}

const shown = (name: string): string => (name === '-' ? 'standard input' : name)

/**
 * Read every file; `probes` = the RIPE Atlas probe metadata (for raw results), or undefined.
 * Throws (nothing analysed) when a file is missing, when --probes goes with a file whose lines
 * carry their own locations, or when no file gave anything.
 */
export async function readSitesInputs(names: readonly string[], opts: {locs: Locations | null; probes?: ProbeFile['probes'] | undefined; probesGiven: boolean; target?: string | null}): Promise<SitesInput> {
  // the vantage points read, by id, when locations are given: a name that matched none is said
  const seen = new Map<string, VantagePoint>()
  const see = opts.locs === null || opts.locs.size === 0 ? null : (v: VantagePoint): void => void (seen.has(v.id) || seen.set(v.id, v))
  if (names.filter((n) => n === '-').length > 1) throw new AnyprobeError('E_USAGE', '--input - (standard input) can be given once', {hint: 'save the other results to a file', exitCode: EXIT.usage})
  const byVp = new Map<string, Read>()
  // per vantage point: its one error code in every result read, null when any result (or another code) was read
  const failures = new Map<string, string | null>()
  const targets: Array<{target: string; name: string}> = []
  const methods = new Set<string>()
  const errors: AnyprobeError[] = []
  let firstEmpty: AnyprobeError | null = null
  const warnings: string[] = []
  let askedRead: boolean | null = null
  for (const name of names) {
    const stats = newStats()
    let read = 0
    const meta = await readOne(name, stats, {...opts, see}, (o) => {
      read++
      keepRead(byVp, o)
      failures.set(o.vp, failures.has(o.vp) && failures.get(o.vp) !== o.failure ? null : o.failure)
    })
    warnings.push(...meta.warnings)
    if (meta.asked !== null) askedRead = askedRead === true || meta.asked
    if (meta.target !== null && !targets.some((t) => t.target === meta.target)) targets.push({target: meta.target, name})
    for (const m of meta.methods) methods.add(m)
    if (read === 0) {
      // everything was left out for a reason said in a warning: that reason is the error
      const e =
        meta.warnings.length > 0 && stats.values > 0
          ? new AnyprobeError('E_BAD_INPUT', `nothing in ${sanitize(shown(name), 200)} measured one target: ${meta.warnings.join('; ')}`, {hint: 'give results of a measurement of one public address or name', exitCode: EXIT.data})
          : nothingReadError(shown(name), stats)
      firstEmpty ??= e
      if (names.length > 1) errors.push(e)
      continue
    }
    const err = partialInputError(shown(name), stats, names.length > 1 ? 'the sites above are of the values that could be read from every file' : 'the sites above are of the values that could be read')
    if (err !== null) errors.push(err)
  }
  if (byVp.size === 0) throw firstEmpty ?? nothingReadError(shown(names[0] ?? '-'), newStats())
  // a name in one file and its address in another is one target; two services are not, and are
  // not refused either (the files cannot tell which): said, so that a mixed-up file is noticed
  if (targets.length > 1)
    warnings.push(`the files name different targets: ${targets.map((t) => `${sanitize(t.target, 100)} (${sanitize(shown(t.name), 100)})`).join(', ')}; they are read as measurements of one target (${sanitize(targets[0]!.target, 100)})`)
  const missing = opts.probes === undefined ? null : probesNotListed(byVp.values(), opts.probes)
  if (missing !== null) warnings.push(missing)
  // a --location / --locations name that matched no vantage point read placed nothing: said, as
  // report and catchment say it (a typo, or a file written for another campaign)
  const unmatched = unmatchedLocationsWarning(unmatchedLocations(opts.locs, seen.values()), [...seen.values()])
  if (unmatched !== null) warnings.push(unmatched)
  const obs: SiteObservation[] = []
  for (const {answer: _, failure: _f, ...o} of byVp.values()) obs.push(o)
  const {answered, ownFailures} = countAnswers(Array.from(byVp.values(), (o) => o.answer))
  return {obs, answered, ownFailures, failedAs: sharedFailureExit(failures.values()), target: targets[0]?.target ?? null, method: methods.size === 0 ? null : [...methods].join('+'), errors, warnings, askedRead}
}

async function readOne(
  name: string,
  stats: ReadStats,
  opts: {locs: Locations | null; probes?: ProbeFile['probes'] | undefined; probesGiven: boolean; target?: string | null; see: ((v: VantagePoint) => void) | null},
  keep: (o: Read) => void,
): Promise<{target: string | null; methods: string[]; warnings: string[]; asked: boolean | null}> {
  const label = shown(name)
  let input: Readable
  if (name === '-') input = process.stdin
  else input = createReadStream(name, {highWaterMark: 64 << 10})
  const source = decompressedInput(input, stats, label)
  let target: string | null = null
  const methods: string[] = []
  const method = (m: string | null): void => {
    if (m !== null && !methods.includes(m)) methods.push(m)
  }
  // the file's results per target they name: those of the asked target, and those of its first
  const picker = new TargetPicker(opts.target)
  let addressNote: string | null = null
  /** results left out because they measured each probe's own network, per address */
  const ownNetwork = new OwnNetworkCount()
  const ofTarget = {asked: new ByAddress(), first: new ByAddress()}
  const savedNotes: string[] = []
  const ownLocations = (what: string): AnyprobeError =>
    new AnyprobeError('E_USAGE', `--probes: ${sanitize(label, 200)} is ${what}, whose lines carry their own locations`, {hint: 'drop --probes; it locates the probe ids of raw RIPE Atlas results', exitCode: EXIT.usage})
  try {
    const {head, stream} = await peekStream(source)
    if (looksLikeLatencyTable(head)) {
      // iGreedy / MiGreedy's input: each line carries its own location (--location fills or corrects one)
      if (opts.probesGiven) throw ownLocations('a latency table (ID LAT LON RTT...)')
      for await (const o of readLatencyTable(stream, stats)) keep(tableRead(placeTableRow(o, opts.locs), opts.see))
    } else if (looksLikeIGreedyCampaign(head)) {
      // iGreedy2.0's campaign file: its elements carry their probes' locations, like a table's lines
      if (opts.probesGiven) throw ownLocations('an iGreedy2.0 campaign file')
      const meta = {target: null as string | null}
      for await (const o of readIGreedyCampaign(stream, stats, meta)) keep(tableRead(placeTableRow(o, opts.locs), opts.see))
      target = meta.target
    } else
      // impossible RTTs kept: the analysis counts them as impossibleRtt (analysis/sites/clean.ts), by the rule report and diff drop them by
      for await (const batch of readSavedBatches(stream, stats, {name: label, loadAtlas: loadAtlasModule, impossibleRtts: 'keep', ...(opts.probes ? {atlasProbes: opts.probes} : {})}))
        for (const item of batch) {
          if (item.type === 'outcome') {
            opts.see?.(item.outcome.vantage)
            const r = item.outcome.result
            const own = ownNetworkTarget(item.outcome)
            if (own !== null) {
              ownNetwork.add(own)
              continue
            }
            // a failed vantage point names no target: it is kept (as one without RTT)
            const to = r === null ? null : picker.pick(r.target, r.targetAddr)
            const read = (): Read => ({...observationFromOutcome(item.outcome, opts.locs), answer: answerOfOutcome(item.outcome), failure: r === null ? (item.outcome.error?.code ?? null) : null})
            if (r === null) keep(read())
            else if (to !== null) ofTarget[to].keep(r.targetAddr, read())
            if (to !== null) method(r?.kind ?? null)
          } else if (item.type === 'row') {
            opts.see?.(item.row.vantage)
            const pop = item.row.pop
            const {v, given, placeholder} = placeVantage(item.row.vantage, opts.locs)
            keep({answer: rowAnswer(item.row), failure: rowFailure(item.row), vp: item.row.vantage.id, lat: v.lat, lon: v.lon, rttMs: item.row.rttMs, identity: pop === null ? null : {code: pop.code, city: pop.city, country: pop.country, lat: null, lon: null, evidence: item.row.evidence}, ...(given ? {locationGiven: true} : placeholder ? {locationPlaceholder: true} : {})})
          } else if (item.type === 'meta') {
            target ??= item.target
            method(item.method)
            // a saved report --json: what its reading left out is left out of these rows too
            for (const n of item.notes ?? []) if (!savedNotes.includes(n)) savedNotes.push(n)
          }
        }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new AnyprobeError('E_BAD_INPUT', `cannot read ${sanitize(label, 200)}: ${code}`, {hint: 'give a RIPE Atlas download or a file written by anyprobe --json / --ndjson', exitCode: EXIT.usage})
    }
    throw e
  } finally {
    // what was read before an error is kept, as every other line is
    const {kept, note} = ofTarget[picker.chosen].pick(opts.target ?? null, picker.chosenName(), label)
    for (const o of kept) keep(o)
    addressNote = note
  }
  const warnings = [...savedNotes, picker.warning(label), addressNote]
  warnings.push(ownNetwork.note(label))
  const asked = picker.chosen === 'asked' ? true : picker.askedMissed() ? false : null
  return {target: picker.chosenName() ?? target, methods, warnings: warnings.filter((w) => w !== null), asked}
}

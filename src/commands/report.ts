// anyprobe report <file | ->: the catchment of saved measurements. Reads what anyprobe wrote (--json
// of trace/dns/http/catchment, multi documents, --ndjson outcomes) or raw RIPE Atlas results, streamed
// (src/store/read.ts), through the same catchment function as the live run (src/analysis).
import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {CatchmentResult} from '../analysis/catchment.js'
import {OneTargetCatchment} from '../analysis/catchment-scope.js'
import {singleLossNote} from '../analysis/catchment-way.js'
import {watchTargetNote} from '../analysis/one-target.js'
import {BaseCommand, formatError} from '../base-command.js'
import {stdoutWriter} from '../console/output.js'
import {htmlFlagsFor, locator, writeHtmlReport} from './html-flags.js'
import {TimelineCollector} from '../render/html/timeline-data.js'
import {countedAtEnd, outageAtEndWarning, type ReplayEvent, unmeasuredAtEndWarning, WatchReplay} from '../analysis/watch/index.js'
import {bundledAsnLookup} from '../enrich/asn.js'
import {CachedReverseResolver} from '../enrich/rdns.js'
import {probesNotListed, readProbesFlag} from '../console/probes-flag.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {countAnswers, measuredExit, OwnFaults, ownFaultWarning, rowAnswer, rowFailure, sharedFailureExit, watchExit} from '../model/exit.js'
import {renderCatchment} from '../render/catchment.js'
import {renderLiveEvent} from '../render/expect.js'
import {renderWatchStart} from '../render/watch.js'
import {checkOutputPath, SAVED_HTML_PATH_HINT} from '../util/output-path.js'
import {sanitize} from '../util/sanitize.js'
import {plural} from '../util/plural.js'
import {decompressedInput, impossibleRttNote, type InputFormat, newStats, nothingReadError, partialInputError, readSavedBatches, type ReadStats, type ReportItem} from '../store/read.js'
import {loadAtlasModule} from '../vantage/index.js'

export interface ReportResult extends CatchmentResult {
  /** what was read: format, values, and the ones that could not be used */
  input: {
    format: InputFormat
    values: number
    unparseable: number
    truncated: boolean
    errors: Array<{where: string; message: string}>
    /** RIPE Atlas results of kinds with no site signal (sslcert, ntp, wifi), by kind */
    otherKinds: Record<string, number>
    /** values read after a repair (a line ending in `,`, raw control characters in strings) */
    repaired: number
    /** results left out of the catchment, and why: other targets than the one kept, addresses private to each probe (empty: none) */
    notes: string[]
  }
}

export default class Report extends BaseCommand {
  static override summary = 'The catchment of saved measurements (anyprobe JSON/NDJSON or raw RIPE Atlas results)'

  static override description = `Reads a file (or - for standard input) and prints the same catchment a live \`anyprobe catchment\` prints: one row per vantage point, one per PoP, the failed ones.

Accepted, detected from the content: a single anyprobe result (trace, dns, http --json), a multi-vantage document (--json with --from), a catchment document, NDJSON of results or outcomes (--ndjson), and raw RIPE Atlas results as a JSON array or one per line (a recorded result stream's ["atlas_result", RESULT] lines too). Any size: the input is streamed, memory stays flat.

Raw RIPE Atlas results go through the Atlas backend's parser and enrichment (reverse DNS of hops unless --no-rdns, hints, hop ASNs and the answering network of HTTP results from the bundled ASN database, PoP verdict), the same as a live atlas: run. Probe metadata (country, ASN, location) is not fetched: give it with --probes FILE (a saved /api/v2/probes/ page, RIPE Atlas's daily probe archive decompressed, or a JSON array / NDJSON of probe objects); with locations, the speed-of-light check of PoP candidates works as in a live run.

A vantage point with several results of one method (a repeated measurement) counts with its latest one, except that one unanswered result after answered ones is packet loss, not an outage (two in a row are, as watch counts them): then its latest answered result counts, said in a note; measured more than one way (several methods; RIPE Atlas: several measurement ids, e.g. a ping and a traceroute of one target), with the latest result of a way that named a PoP (a ping names none), else one the target answered, and that result's RTT (the others said in a warning).

One catchment is of one service (the same rules as sites --input): results of several targets in one file (concatenated downloads, a daily dump) give the catchment of --target (a name or an address) or else of the first target in the file, and the others are counted in a warning; results that measured an address private to each probe (a RIPE Atlas DNS measurement with use_probe_resolver asking 192.168.1.1, 10.0.0.1, fd00::1: each probe's own router or resolver) are left out and said, never shown as PoPs. --json lists what was left out in "input.notes" (a saved report --json read again keeps its notes). A file with nothing else: E_BAD_INPUT (exit 7).

A file written by \`watch --out\` is judged again: the same events as the live watch (each vantage point's starting state, shift, failover, flap, outage, recovered, load-balanced) and its summary, found by the same analysis with the settings on the file's watch-start line; --json prints them as NDJSON, as watch --json does. Observations without a start line are judged with the interval and flows read from them.

A line or element that cannot be used is counted and skipped; the catchment of the rest is still printed, then error E_BAD_INPUT on stderr (exit 7). --json adds an "input" object (format, values read, unparseable, the first errors).

Exit codes (the same rule as every command): 0 everything was read and the target answered every vantage point; 9 it answered some; 4 it answered none; 7 some input could not be used (or none could); 2 the file cannot be opened (missing, a directory, no permission) or is of a kind report does not take (watch --json events: report the watch --out file instead; an error document; RIPE Atlas probe metadata or a measurement's description, RIPE Atlas results only of kinds that name no site (sslcert, ntp, wifi), or no text at all (a binary file, /dev/zero): E_BAD_INPUT, its hint says what to give), or --html names a path that cannot be written (said before the file is read); 10 the --html page could not be written after all. A watch file is judged as the live watch judged it: a vantage point answered when it answered at least one probe and was not in an outage when the watch ended (9, or 4 when every one was; said in a warning); one whose last round the backend could not measure has no known state at the end: 6, as live.`

  static override examples = [
    '<%= config.bin %> report catchment.json',
    '<%= config.bin %> catchment 198.51.100.10 --from @vps.txt --ndjson | <%= config.bin %> report -',
    '<%= config.bin %> report atlas-results.json --json',
    '<%= config.bin %> report atlas-results.json --probes 20261122.json --no-rdns',
    '<%= config.bin %> report watch.ndjson --json',
    '<%= config.bin %> report catchment.json --html catchment.html --locations vps.txt',
  ]

  static override args = {
    file: Args.string({description: 'saved anyprobe JSON / NDJSON, or RIPE Atlas results; - for standard input', required: true}),
  }

  static override flags = {
    target: Flags.string({
      description: 'results of several targets in one file: the catchment of this one (a name or an address, as the results name it); default: the first target in the file, the others said in a warning',
    }),
    probes: Flags.string({
      description: 'raw RIPE Atlas results: probe metadata file (API probes page, daily probe archive, or probe objects) for each probe\'s country, ASN and location',
    }),
    rdns: Flags.boolean({
      default: true,
      allowNo: true,
      description: 'raw RIPE Atlas traceroutes: look up the reverse DNS of hop addresses, as a live Atlas run does (--no-rdns: offline, PoPs only from what the results carry)',
    }),
    ...htmlFlagsFor('the catchment map, and the failover timeline of each watch when FILE is a watch --out file'),
  }

  protected override logJson(json: unknown): void {
    // a watch file's events were written as NDJSON while it was read
    if (json === undefined) return
    super.logJson(json)
  }

  public async run(): Promise<ReportResult | undefined> {
    const {args, flags} = await this.parse(Report)
    // a page that cannot be written is said now, before the input is read (standard input cannot be
    // read twice) and rendered, as catchment, watch and sites check theirs: not exit 10 at the end
    if (flags.html !== undefined) checkOutputPath('--html', flags.html, SAVED_HTML_PATH_HINT)
    const name = args.file === '-' ? 'standard input' : args.file
    let source: AsyncIterable<Buffer | string>
    if (args.file === '-') {
      source = process.stdin
    } else {
      try {
        const st = await stat(args.file)
        if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      } catch (e) {
        throw new AnyprobeError('E_BAD_INPUT', `cannot read ${sanitize(args.file, 200)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
          hint: 'give a file written by anyprobe --json / --ndjson, RIPE Atlas results, or - for standard input',
          exitCode: EXIT.usage,
        })
      }
      source = createReadStream(args.file, {highWaterMark: 64 << 10})
    }

    // read first: a bad --probes file fails before any of the input is consumed
    const atlasProbes = (await readProbesFlag(flags.probes))?.probes
    const locate = locator(flags)
    // one timeline per watch in the file (--out appends, so a file may hold several; their round
    // numbers start again at 0, and one collector merged them into invented "FRA+IAD" rounds)
    let timeline = flags.html === undefined ? null : new TimelineCollector()
    const timelines = timeline === null ? [] : [timeline]
    const stats: ReadStats = newStats()
    const builder = new OneTargetCatchment(flags.target ?? null, {askedIsChoice: true})
    let target: string | null = null
    let method: CatchmentResult['method'] | null = null
    // what the reading that wrote a saved report --json left out (its input.notes): still true of its rows
    const savedNotes: string[] = []
    // a `watch --out` file: judged again, event by event, as the live watch printed them
    const json = this.jsonEnabled()
    // its rounds as judged go to the watch's timeline, as the live watch's do (a hint agreeing with the catchment)
    const replay = new WatchReplay({onRoundJudged: (id, round, cur) => timeline?.judged(id, round, cur)})
    let watchLines = 0
    // every watch's summary as the live watch counts it at its end (a vantage point still in an
    // outage answered nothing: analysis/watch/state.ts, one rule for both), and its warning
    const watchVps: Array<{answered: number}> = []
    const watchWarnings: string[] = []
    const faults = new OwnFaults()
    let watchOwnFailures = 0
    // whether any watch had vantage points whose newest round was not measured (the replay's ledger)
    let watchUnmeasured = false
    // the targets the file's watches measured (their start lines): --target does not choose among them
    const watchTargets = new Set<string>()
    // --json of a watch file: its events as NDJSON, in chunks through the one writer of stdout
    const out = stdoutWriter()
    // each vantage point's starting state too, as the live watch prints it (the timeline leaves it out)
    const show = (events: ReplayEvent[]): void => {
      timeline?.addEvents(events)
      for (const e of events) {
        if (e.type === 'summary') {
          const atEnd = countedAtEnd(e)
          watchVps.push(...atEnd.vantagePoints)
          // vantage points whose last probes failed for a reason of their own (vantageFault), as the live watch counts them
          const own = faults.count(e.vantagePoints.map((v) => v.vantageId))
          watchOwnFailures += own
          faults.clear()
          // a vantage point whose last round the backend could not measure: its state at the end is
          // unknown, 6 as the live watch exits (src/watch/session.ts unknownAtEnd); the replay's
          // analyser keeps that ledger, as the live watch's does
          const ids = e.vantagePoints.map((v) => v.vantageId)
          const unknown = replay.unmeasuredAtEnd(e)
          if (unknown.length > 0) watchUnmeasured = true
          const code = watchExit(atEnd, {ownFailures: own, unmeasured: unknown.length > 0 ? EXIT.network : null})
          if (unknown.length > 0) watchWarnings.push(unmeasuredAtEndWarning(unknown.length, ids.length, code))
          const w = code === EXIT.network && unknown.length === 0 ? ownFaultWarning(e.vantagePoints.length) : outageAtEndWarning(e, code)
          if (w !== null) watchWarnings.push(w)
        }
        if (json) out.record(e)
        else this.log(renderLiveEvent(e))
      }
    }
    // one item, synchronously (a small function the loop below calls: it stays optimised)
    const take = (item: ReportItem): void => {
      if (item.type === 'outcome') builder.add(item.outcome, item.failedTarget ?? null, item.how ?? null, item.failedMethod ?? null)
      else if (item.type === 'row') builder.addRow(item.row, {target: item.target, method: item.method})
      else if (item.type === 'observation') {
        watchLines++
        try {
          faults.observe(item.observation)
          show(replay.push(item.observation))
          timeline?.observe(item.observation)
        } catch (e) {
          // one observation the analysis refuses loses that line, never the whole saved watch
          if (!(e instanceof AnyprobeError)) throw e
          stats.unparseable++
          if (stats.errors.length < 5) stats.errors.push({where: `observation ${watchLines}`, message: e.message})
        }
      } else if (item.type === 'watch-history') {
        show(item.end ? replay.historyEnd() : replay.historyStart())
      } else if (item.type === 'watch-unmeasured') {
        // a round the backend could not measure: not measured, as the live watch counted it
        show(replay.unmeasured(item.vantageId, item.round))
      } else if (item.type === 'watch-start') {
        watchLines++
        if (item.start.target !== '') watchTargets.add(item.start.target)
        // the previous watch's last events (its summary) still go to its own timeline
        show(replay.start(item.start))
        if (timeline !== null && timeline.used()) timelines.push((timeline = new TimelineCollector()))
        timeline?.setStart(item.start)
        if (!json) this.log(renderWatchStart(item.start))
      } else {
        target ??= item.target
        method ??= item.method
        for (const n of item.notes ?? []) if (!savedNotes.includes(n)) savedNotes.push(n)
      }
    }
    const rdns = flags.rdns ? new CachedReverseResolver() : null
    for await (const batch of readSavedBatches(decompressedInput(source, stats, name), stats, {name, loadAtlas: loadAtlasModule, rdns: rdns ?? undefined, answerAsn: bundledAsnLookup, ...(atlasProbes ? {atlasProbes} : {})})) {
      for (const item of batch) take(locate.item(item))
      if (out.pending()) await out.flush()
    }
    if (watchLines > 0) show(replay.finish())
    await out.flush()
    for (const w of replay.watches) {
      if (w.start !== null) continue
      process.stderr.write(
        `note: ${sanitize(name, 200)} has observations without a watch start line; judged as every ${w.options.intervalMs} ms x ${plural(w.options.flows ?? 1, 'flow')}, read from them, with the default flap rules\n`,
      )
    }
    // what was left out of the catchment (other targets, each probe's own network), said before it
    const notes = [...savedNotes, ...builder.notes(name).filter((n) => !savedNotes.includes(n))]
    // RTTs no measurement gives (negative, 1e308 in a hand-edited file): dropped while reading, said
    const rttNote = impossibleRttNote(name, stats)
    if (rttNote !== null) notes.push(rttNote)
    const rdnsNote = rdns?.unansweredNote() ?? null
    if (rdnsNote !== null) notes.push(rdnsNote)
    const catchment = builder.size === 0 ? null : builder.result({target, method})
    // --probes that lacks some of the results' probes (another day's archive, one page of several): said
    const unlisted = atlasProbes === undefined || catchment === null ? null : probesNotListed(catchment.vantagePoints.map((r) => r.vantage.id), atlasProbes)
    if (unlisted !== null) notes.push(unlisted)
    // a repeated measurement's vantage points whose latest result was one loss after answers: counted with the answer, said
    const lost = catchment === null ? null : singleLossNote(catchment.vantagePoints)
    if (lost !== null && !notes.includes(lost)) notes.push(lost)
    // --target picks results and catchments, never a watch's events: said, not ignored
    const watchNote = flags.target === undefined || watchLines === 0 ? null : watchTargetNote(name, flags.target, [...watchTargets])
    if (watchNote !== null) process.stderr.write(`warning: ${watchNote}\n`)
    for (const n of notes) process.stderr.write(`warning: ${n}\n`)
    if (builder.size === 0 && watchLines === 0) {
      if (builder.ownNetwork > 0) {
        throw new AnyprobeError('E_BAD_INPUT', `nothing in ${sanitize(name, 200)} measured one service: ${notes.join('; ')}`, {
          hint: 'give results of a measurement of one public address or name (a DNS measurement that asks the target, not each probe\'s resolver)',
          exitCode: EXIT.data,
        })
      }
      throw nothingReadError(name, stats)
    }

    const result: ReportResult | undefined =
      catchment === null
        ? undefined
        : {
            ...locate(catchment),
            input: {format: stats.format, values: stats.values, unparseable: stats.unparseable, truncated: stats.truncated, errors: stats.errors, otherKinds: stats.otherKinds, repaired: stats.repaired, notes},
          }
    if (result && !json) this.log(renderCatchment(result))
    const htmlOk = flags.html === undefined || writeHtmlReport(flags.html, {catchment: result ?? null, timelines: watchLines > 0 ? timelines.filter((t) => t.used()).map((t) => t.data()) : [], notes: watchNote === null ? notes : [...notes, watchNote]})
    const other = Object.entries(stats.otherKinds)
    if (other.length > 0) {
      process.stderr.write(`note: ${other.map(([k, n]) => `${n} ${k}`).join(', ')} RIPE Atlas result(s) read: ${other.length === 1 ? 'this kind carries' : 'these kinds carry'} no sign of which site answered, so they are not in the catchment\n`)
    }
    const rows = result?.vantagePoints ?? []
    // the catchment's rows by the one rule catchment and sites --input count by (model/exit.ts rowAnswer)
    const counted = countAnswers(rows.map(rowAnswer))
    const answered = counted.answered + watchVps.filter((v) => v.answered > 0).length
    for (const w of watchWarnings) process.stderr.write(`${w}\n`)
    // every row failed with one error said before measuring (all E_RESOLVE: 3): that error's code,
    // as the live catchment exited (model/exit.ts sharedFailureExit); a watch's vantage points are no rows
    const failedAs = watchVps.length === 0 ? sharedFailureExit(rows.map(rowFailure)) : null
    process.exitCode = measuredExit({answered, total: counted.total + watchVps.length, writeFailed: !htmlOk, ownFailures: watchOwnFailures + counted.ownFailures, unmeasured: watchUnmeasured ? EXIT.network : null, failedAs})
    const err = partialInputError(name, stats, `the ${result ? 'catchment' : 'events'} above ${result ? 'is' : 'are'} of the values that could be read; check how the file was written (one JSON value per line for NDJSON)`)
    if (err !== null) {
      process.stderr.write(formatError(err))
      process.exitCode = err.exitCode
    }
    return result
  }
}

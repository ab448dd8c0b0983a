// One saved catchment, read from a file in any form `anyprobe report` reads (a catchment document,
// a multi document, NDJSON outcomes, raw RIPE Atlas results, any of them gzipped), through report's
// reader (src/store/read.ts, with its decompression) and the same catchment function. For `anyprobe diff`.
import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'

import type {CatchmentMethod, CatchmentResult} from '../analysis/catchment.js'
import {OneTargetCatchment} from '../analysis/catchment-scope.js'
import {CachedReverseResolver} from '../enrich/rdns.js'
import {AnyprobeError, EXIT} from '../model/errors.js'
import {sanitize} from '../util/sanitize.js'
import type {AtlasProbeMeta} from './atlas/parse.js'
import {decompressedInput, impossibleRttNote, newStats, nothingReadError, partialInputError, readSavedBatches, type ReadStats, type ReportItem} from '../store/read.js'
import {loadAtlasModule} from './index.js'

export interface CatchmentFile {
  catchment: CatchmentResult
  stats: ReadStats
  /** the file held watch observations, which a diff ignores */
  watchLines: number
  /** some of the file could not be used (values left out, or it breaks off): the error to give after the diff of what was read */
  partial: AnyprobeError | null
  /** results left out of its catchment and why (other targets than the first, each probe's own network: analysis/catchment-scope.ts) */
  notes: string[]
  /** RTTs dropped as impossible while reading it (store/read.ts impossibleRttNote), said; null: none */
  rttNote: string | null
}

const PARTIAL_HINT = 'the diff above is of the values that could be read; check how the file was written (one JSON value per line for NDJSON)'

/** `target`: of a file of several targets, the one to read (as report --target: a name or an address); else its first */
/** `place`: each item read, before the catchment is built (--location / --locations: its PoP is judged with the location) */
export async function readCatchmentFile(path: string, opts: {rdns: boolean; atlasProbes?: ReadonlyMap<number, AtlasProbeMeta>; target?: string | null; place?: (item: ReportItem) => ReportItem}): Promise<CatchmentFile> {
  // `-`: standard input, as report reads it (diff - after.json: a catchment piped in)
  const stdin = path === '-'
  const name = stdin ? 'standard input' : path
  if (!stdin) {
    try {
      const st = await stat(path)
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    } catch (e) {
      throw new AnyprobeError('E_BAD_INPUT', `cannot read ${sanitize(path, 200)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
        hint: 'give a catchment saved by anyprobe (--json / --ndjson) or RIPE Atlas results, or - for standard input',
        exitCode: EXIT.usage,
      })
    }
  }
  const stats = newStats()
  // one service per catchment, by the rules report and sites use
  const builder = new OneTargetCatchment(opts.target ?? null, {askedIsChoice: true})
  let target: string | null = null
  let method: CatchmentMethod | null = null
  let watchLines = 0
  const savedNotes: string[] = []
  // gzipped files are read as they are, as `report` reads them; a gzip stream that breaks is a cut input in stats
  const source = decompressedInput(stdin ? process.stdin : createReadStream(path, {highWaterMark: 64 << 10}), stats, name)
  for await (const batch of readSavedBatches(source, stats, {name, loadAtlas: loadAtlasModule, rdns: opts.rdns ? new CachedReverseResolver() : undefined, ...(opts.atlasProbes ? {atlasProbes: opts.atlasProbes} : {})})) for (const read of batch) {
    const item = opts.place ? opts.place(read) : read
    if (item.type === 'outcome') builder.add(item.outcome, item.failedTarget ?? null, item.how ?? null, item.failedMethod ?? null)
    else if (item.type === 'row') builder.addRow(item.row, {target: item.target, method: item.method})
    else if (item.type === 'meta') {
      target ??= item.target
      method ??= item.method
      // a saved report --json: what its reading left out is still left out of these rows
      for (const n of item.notes ?? []) if (!savedNotes.includes(n)) savedNotes.push(n)
    } else watchLines++
  }
  if (builder.size === 0) {
    // a file of another kind, refused by what it is (as bzip2, or --probes with a latency table):
    // a usage error (exit 2), not input that could be read only in part (7)
    if (watchLines > 0) {
      throw new AnyprobeError('E_USAGE', `${sanitize(name, 200)} is a watch --out file: it holds observations over time, not one catchment`, {
        hint: 'diff two catchments (catchment --json / --ndjson, report --json, or Atlas results); report FILE judges a watch, report --html FILE draws it',
        exitCode: EXIT.usage,
      })
    }
    if (builder.ownNetwork > 0) {
      throw new AnyprobeError('E_BAD_INPUT', `nothing in ${sanitize(name, 200)} measured one service: ${builder.notes(name).join('; ')}`, {
        hint: 'give results of a measurement of one public address or name (a DNS measurement that asks the target, not each probe\'s resolver)',
        exitCode: EXIT.data,
      })
    }
    throw nothingReadError(name, stats)
  }
  const notes = [...savedNotes, ...builder.notes(name, 'diff --target NAME|ADDRESS compares another')]
  return {catchment: builder.result({target, method}), stats, watchLines, partial: partialInputError(name, stats, PARTIAL_HINT), notes, rttNote: impossibleRttNote(name, stats)}
}

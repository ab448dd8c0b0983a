// `--probes FILE` of report, diff and sites --input: RIPE Atlas probe metadata for raw results. Read
// before any input is consumed (a bad file fails first), loaded only when given (the Atlas module is
// not part of every command's start-up), and its notes (missing pages, dropped locations) said on
// stderr as it is read; they are returned too, for a document that carries them (sites' inputNotes).
// probesNotListed: the note when the results' probes are not all in it (report, sites --input).
import type {ProbeFile} from '../vantage/atlas/probe-file.js'

export async function readProbesFlag(path: string | undefined): Promise<ProbeFile | undefined> {
  if (path === undefined) return undefined
  const file = await (await import('../vantage/atlas/probe-file.js')).readProbeFile(path)
  for (const n of file.notes) process.stderr.write(`note: ${n}\n`)
  return file
}

/**
 * The note when RIPE Atlas probes of the results (vantage ids "atlas:N") are not in the --probes
 * metadata (a list of other probes, an archive of another day): they stay without a location, so
 * no speed-of-light check and no map place for them. Null when every probe is listed.
 * `more`: another way to give them, for a command that has one (sites: --probes api).
 */
export function probesNotListed(vantageIds: Iterable<string>, probes: ReadonlyMap<number, unknown>, more = ''): string | null {
  let atlas = 0
  let missing = 0
  const some: number[] = []
  for (const vp of vantageIds) {
    const m = /^atlas:(\d{1,10})$/.exec(vp)
    if (m === null) continue
    atlas++
    const id = Number(m[1])
    if (probes.has(id)) continue
    missing++
    if (some.length < 5) some.push(id)
  }
  if (missing === 0) return null
  return `${missing} of the ${atlas} RIPE Atlas probes in the results ${missing === 1 ? 'is' : 'are'} not in the --probes metadata (e.g. ${some.join(', ')}): ${missing === 1 ? 'it has' : 'they have'} no location here; give a probe list that holds them (every page of an API query, or the archive of the measurement's day)${more}`
}

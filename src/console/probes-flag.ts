// `--probes FILE` of report, diff and sites --input: RIPE Atlas probe metadata for raw results. Read
// before any input is consumed (a bad file fails first), loaded only when given (the Atlas module is
// not part of every command's start-up), and its notes (missing pages, dropped locations) said on
// stderr as it is read; they are returned too, for a document that carries them (sites' inputNotes).
import type {ProbeFile} from '../vantage/atlas/probe-file.js'

export async function readProbesFlag(path: string | undefined): Promise<ProbeFile | undefined> {
  if (path === undefined) return undefined
  const file = await (await import('../vantage/atlas/probe-file.js')).readProbeFile(path)
  for (const n of file.notes) process.stderr.write(`note: ${n}\n`)
  return file
}

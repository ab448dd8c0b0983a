// Durations read like 50ms, 2s, 1m, 1h (and 1.5s). A bare number means seconds, as in traceroute -w.
import {AnyprobeError, EXIT} from '../model/errors.js'

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}

export function parseDuration(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text)
  if (!m) {
    throw new AnyprobeError('E_BAD_DURATION', `${what}: cannot read "${text}" as a duration`, {
      hint: 'write it like 50ms, 2s, 1m or 1h (a bare number is seconds)',
      exitCode: EXIT.usage,
    })
  }
  const ms = Number(m[1]) * UNITS[(m[2] ?? 's').toLowerCase()]!
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new AnyprobeError('E_BAD_DURATION', `${what}: must be greater than zero (got "${text}")`, {
      hint: 'write it like 50ms, 2s, 1m or 1h',
      exitCode: EXIT.usage,
    })
  }
  return ms
}

// A `watch --out` file: its start lines (one per watch appended) and its observations.
import {readFileSync} from 'node:fs'

import type {Observation, WatchStart} from '../../src/model/watch.js'

export function readWatchOut(path: string): {starts: WatchStart[]; observations: Observation[]} {
  const starts: WatchStart[] = []
  const observations: Observation[] = []
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const v = JSON.parse(line) as WatchStart | Observation
    if ('kind' in v && v.kind === 'watch-start') starts.push(v)
    else observations.push(v as Observation)
  }
  return {starts, observations}
}

// `report` of a `watch --out` file whose last rounds the backend could not measure (a Globalping
// API that refused the later rounds: `watch-unmeasured` lines) exits as the live watch did: 6, the
// state at the end unknown, with the live watch's warning. Before, the live watch exited 6 and
// report of its file 0 ("the target answered every vantage point"), from answers rounds before.
// The live session (src/watch/session.ts) runs on a stream of observations and unmeasured rounds
// with --out; report is run on that file.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import {liveWatchToFile, reportCommand, watchEndFixture} from '../helpers/watch-end-fixture.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-report-unmeasured-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T06:01:00.000Z')
const {start, vp, ob} = watchEndFixture(T0)
const IDS = [['ap-vp-ber', 'FRA'], ['ap-vp-nyc', 'IAD']] as const

/** 20 rounds; the rounds [from, to) of `ids` are not measured (the backend refused them) */
async function live(name: string, ids: readonly string[], from: number, to = 20): Promise<{file: string; exitCode: number | undefined; reports: string[]}> {
  const events: RoundEvent[] = []
  for (let r = 0; r < 20; r++) {
    for (const [id, pop] of IDS) {
      if (ids.includes(id) && r >= from && r < to) events.push({type: 'unmeasured', vantage: vp(id), round: r})
      else events.push({type: 'observation', vantage: vp(id), observation: ob(id, r, pop)})
    }
    events.push({type: 'round', round: r})
  }
  return liveWatchToFile(start, events, join(dir, `${name}.ndjson`))
}

const report = reportCommand

describe('report of a watch --out file whose last rounds were not measured: the live watch exit', () => {
  it('one vantage point unmeasured at the end: 6 as live, with the same warning', async () => {
    const l = await live('one', ['ap-vp-nyc'], 15)
    assert.equal(l.exitCode, 6, l.reports.join('\n'))
    const said = l.reports.find((x) => x.includes('was not measured'))!
    assert.ok(said, l.reports.join('\n'))
    for (const args of [[l.file], [l.file, '--json']]) {
      const r = report(args)
      assert.equal(r.status, 6, r.stderr)
      assert.ok(r.stderr.split('\n').includes(said), r.stderr)
    }
  })

  it('rounds not measured in the middle, measured again at the end: 0 as live', async () => {
    const l = await live('middle', ['ap-vp-nyc'], 8, 12)
    assert.equal(l.exitCode, 0, l.reports.join('\n'))
    const r = report([l.file])
    assert.equal(r.status, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /was not measured/)
  })
})

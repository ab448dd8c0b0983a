// `report` of a `watch --out` file ends as the live watch ended: a vantage point still in an outage
// when the watch stopped did not answer (exit 9, or 4 when that is every one), with the live
// watch's warning. Found in round 5: the live watch exited 9 and `report` of its --out file 0
// ("the target answered every vantage point"). The live session (src/watch/session.ts) runs on a
// stream of observations with --out; report is run on that file and must give the same code and
// the same warning line (one rule: analysis/watch/state.ts countedAtEnd / outageAtEndWarning).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import {liveWatchToFile, reportCommand, watchEndFixture} from '../helpers/watch-end-fixture.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-report-end-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T05:01:00.000Z')
const {start, vp, ob} = watchEndFixture(T0)

/** the live watch of 30 rounds (`lost[id]`: the rounds [from, to) in which that vantage point gets no answer), saved with --out */
async function live(name: string, lost: Record<string, [number, number]>): Promise<{file: string; exitCode: number | undefined; reports: string[]}> {
  const events: RoundEvent[] = []
  for (let r = 0; r < 30; r++) {
    for (const [id, pop] of [['ap-vp-ber', 'FRA'], ['ap-vp-nyc', 'IAD']] as const) {
      events.push({type: 'observation', vantage: vp(id), observation: ob(id, r, r >= (lost[id]?.[0] ?? Infinity) && r < lost[id]![1] ? null : pop)})
    }
    events.push({type: 'round', round: r})
  }
  return liveWatchToFile(start, events, join(dir, `${name}.ndjson`))
}

const report = reportCommand

describe('report of a watch --out file: the exit code of the live watch', () => {
  it('one vantage point in an outage at the end: exit 9 as live, with the same warning', async () => {
    const l = await live('one-out', {'ap-vp-nyc': [20, 30]})
    assert.equal(l.exitCode, 9)
    for (const args of [[l.file], [l.file, '--json']]) {
      const r = report(args)
      assert.equal(r.status, 9, r.stderr)
      assert.ok(r.stderr.split('\n').includes(l.reports.find((x) => x.startsWith('warning:'))!), r.stderr)
      assert.match(r.stderr, /1 vantage point\(s\) in an outage when the watch ended \(exit 9\): ap-vp-nyc/)
    }
  })

  it('every vantage point in an outage at the end: exit 4 as live', async () => {
    const l = await live('all-out', {'ap-vp-ber': [25, 30], 'ap-vp-nyc': [20, 30]})
    assert.equal(l.exitCode, 4)
    const r = report([l.file])
    assert.equal(r.status, 4, r.stderr)
    assert.match(r.stderr, /answered no vantage point at the end: each was in an outage/)
  })

  it('an outage that recovered before the end, and a clean run: exit 0 as live, no warning', async () => {
    for (const lost of [{}, {'ap-vp-nyc': [10, 20]}] as Array<Record<string, [number, number]>>) {
      const l = await live(`clean-${Object.keys(lost).length}`, lost)
      assert.equal(l.exitCode, 0)
      const r = report([l.file])
      if (Object.keys(lost).length > 0) assert.match(r.stdout, /ap-vp-nyc recovered/)
      assert.equal(r.status, 0, r.stderr)
      assert.doesNotMatch(r.stderr, /warning/)
    }
  })
})

// The --html failover timeline's lanes and a PoP named only as a hint (under 0.5, model/pop-confidence.ts).
// A hint of a PoP of the catchment the vantage point is in agrees with it: the watch analyser's
// "now" stays that catchment, unmarked (analysis/watch/analyzer.ts hintRound), as the summary, the
// live line, --metrics and the "PoP now" column beside the lanes say it. Reported: the lanes marked
// it 'NRT?' on every round (a colour and a legend entry of its own, as if it had moved where the
// watch said it had not). A hint of another PoP is no catchment: 'LONDON?' still. The live page and
// report --html of its --out file draw the same lanes.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {WatchSession} from '../../src/watch/session.js'
import {reportCommand, watchEndFixture} from '../helpers/watch-end-fixture.js'

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0)
const I = 100
const V = 'ap-vp-tyo'
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-timeline-hint-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** an answer naming `pop` with `confidence` */
type Answer = readonly [string, number]
const NRT = ['NRT', 0.9] as const
const NRT_HINT = ['NRT', 0.45] as const
const LONDON_HINT = ['LONDON', 0.48] as const

/** A page's lane for V: each segment as PoP×rounds ('-': no answer). */
function lane(page: string): string[] {
  return [...page.matchAll(/<rect class="(?:seg|gap)" data-vantage="([^"]*)" data-(pop|gap)="([^"]*)"[^>]*><title>[^<]*\((\d+) rounds?\)<\/title>/g)]
    .filter((m) => m[1] === V)
    .map((m) => `${m[2] === 'gap' ? '-' : m[3]}×${m[4]}`)
}

let runs = 0
/** Rounds (an answer per flow) through the live session with --html and --out; then report --html of the --out file. */
async function pages(rounds: ReadonlyArray<readonly Answer[]>): Promise<{live: string; report: string}> {
  const n = ++runs
  const html = join(dir, `live-${n}.html`)
  const out = join(dir, `out-${n}.ndjson`)
  const start = {...watchEndFixture(T0).start, intervalMs: I, flows: rounds[0]!.length}
  const session = await WatchSession.open({start, json: true, write: () => {}, tty: false, report: () => {}, extras: {}, html, out})
  for (const [round, answers] of rounds.entries()) {
    for (const [flow, [pop, c]] of answers.entries()) {
      session.observe({vantageId: V, round, flow, sentAt: T0 + round * I + flow, receivedAt: T0 + round * I + flow + 1, rttMs: 0.4, pop, popConfidence: c, answered: true})
    }
  }
  await session.finish('test')
  const reported = join(dir, `report-${n}.html`)
  const r = reportCommand([out, '--html', reported])
  assert.equal(r.status, 0, r.stderr)
  return {live: readFileSync(html, 'utf8'), report: readFileSync(reported, 'utf8')}
}

describe('html timeline: a hint that agrees with the catchment is that catchment on the lane', () => {
  it("hints of NRT while at NRT are NRT (one segment, no 'NRT?'); a hint of LONDON is LONDON?; an agreeing hint after it NRT again", async () => {
    const p = await pages([NRT, NRT_HINT, NRT_HINT, NRT, LONDON_HINT, LONDON_HINT, NRT_HINT, NRT_HINT].map((a) => [a]))
    assert.deepEqual(lane(p.live), ['NRT×4', 'LONDON?×2', 'NRT×2'])
    assert.doesNotMatch(p.live, /data-pop="NRT\?"/)
    // the column beside the lanes says the same
    assert.match(p.live, new RegExp(`<td>${V}</td><td>NRT</td>`))
    assert.deepEqual(lane(p.report), lane(p.live), 'report --html of the --out file draws the same lane')
  })

  it('a hint of a PoP of a load-balanced catchment: that PoP, no ?', async () => {
    const FRA = ['FRA', 0.9] as const
    const AMS = ['AMS', 0.9] as const
    const AMS_HINT = ['AMS', 0.45] as const
    const p = await pages([[FRA, AMS], [FRA, AMS], [FRA, AMS], [AMS_HINT, AMS_HINT], [AMS_HINT, AMS_HINT]])
    assert.deepEqual(lane(p.live), ['AMS+FRA×3', 'AMS×2'])
    assert.deepEqual(lane(p.report), lane(p.live))
  })
})

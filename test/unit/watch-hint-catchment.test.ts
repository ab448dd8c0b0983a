// A PoP named only as a hint (popConfidence under 0.5, model/pop-confidence.ts) is no catchment in a
// watch: a DNS server that starts answering CHAOS TXT 'london-1' (a lone server name, "likely a
// server's name", 0.48) after a confident 'nrt1.example' printed `recovered at LONDON`, `shift NRT ->
// LONDON`, `failover NRT -> LONDON`, `now LONDON [LONDON 10, NRT 4]` and `failovers: 1` (review
// finding, reproduced on main). The hint is kept and marked '?'; no move, flip or page comes from it.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {analyze, createWatchAnalyzer} from '../../src/analysis/watch/index.js'
import type {Observation, WatchEvent, WatchSummaryEvent} from '../../src/model/watch.js'
import {TimelineCollector} from '../../src/render/html/timeline-data.js'
import {timelineSection} from '../../src/render/html/timeline.js'
import {renderWatchEvent, renderWatchSummary} from '../../src/render/watch.js'
import {WatchMetrics} from '../../src/watch/metrics.js'
import {LiveView} from '../../src/watch/view.js'
import {schemaErrors} from '../helpers/schema.js'

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0)
const I = 250

/** One vantage point's rounds: [PoP, confidence] answered, '*' lost, null answered with no PoP. */
function obs(rounds: ReadonlyArray<readonly [string, number] | '*' | null>, vantageId = 'local'): Observation[] {
  return rounds.map((r, round) => ({
    vantageId,
    round,
    flow: 0,
    sentAt: T0 + round * I,
    receivedAt: r === '*' ? null : T0 + round * I + 1,
    rttMs: r === '*' ? null : 0.4,
    pop: r === '*' || r === null ? null : r[0],
    ...(r === '*' || r === null ? {} : {popConfidence: r[1]}),
    answered: r !== '*',
  }))
}

const NRT = ['NRT', 0.9] as const
const LONDON = ['LONDON', 0.48] as const
const times = <T>(n: number, x: T): T[] => Array.from({length: n}, () => x)
const run = (o: Observation[], flapThreshold = 3): WatchEvent[] => analyze(o, {intervalMs: I, flapThreshold})
const summaryOf = (ev: WatchEvent[]): WatchSummaryEvent => ev.find((e): e is WatchSummaryEvent => e.type === 'summary')!
const types = (ev: WatchEvent[]): string[] => ev.filter((e) => e.type !== 'summary').map((e) => e.type)

describe('watch: a PoP named only as a hint is no catchment', () => {
  // the reviewer's run: NRT, the responder swapped (a few lost), then london-1 answering
  const swap = [...times(4, NRT), '*', '*', '*', ...times(10, LONDON)] as const

  it('a swap to a hinted name is an outage and a recovery at the hint, no shift, no failover', () => {
    const ev = run(obs(swap))
    assert.deepEqual(types(ev), ['outage', 'recovered', 'hint'])
    const hint = ev.find((e) => e.type === 'hint')!
    assert.equal(renderWatchEvent(hint), '12:00:01.750 local answers, PoP only hinted (LONDON?, confidence 0.48); no confident PoP since NRT')
    const rec = ev.find((e) => e.type === 'recovered')!
    assert.equal(rec.type === 'recovered' && rec.pop, 'LONDON')
    assert.equal(rec.type === 'recovered' && rec.popConfidence, 0.48)
    assert.match(renderWatchEvent(rec), /recovered at LONDON\?: .*its PoP only a hint/)
    const sum = summaryOf(ev)
    assert.equal(sum.failover.count, 0)
    assert.equal(sum.flippingVantagePoints, 0)
    const v = sum.vantagePoints[0]!
    assert.equal(v.flips, 0)
    // "now" is the hint, said as one; confident counts apart from hinted ones
    assert.equal(v.pop, 'LONDON')
    assert.equal(v.popConfidence, 0.48)
    assert.deepEqual(v.pops, [{pop: 'NRT', observations: 4}])
    assert.deepEqual(v.hintedPops, [{pop: 'LONDON', observations: 10}])
    assert.deepEqual(sum.pops.map((p) => [p.pop, p.current]), [['NRT', 0]])
    for (const e of ev) assert.deepEqual(schemaErrors('watch-event.schema.json', e), [], e.type)
    const text = renderWatchSummary(sum)
    assert.match(text, /now LONDON\? +\(only a hint\)/)
    assert.match(text, /\[NRT 4, LONDON\? 10\]/)
    assert.doesNotMatch(text, /failovers:/)
  })

  it('a graceful change of the identity to a hint is no shift; an outage after it says the last PoP as a hint', () => {
    const ev = run(obs([...times(3, NRT), ...times(3, LONDON), '*', '*']))
    assert.deepEqual(types(ev), ['hint', 'outage'])
    const out = ev.find((e) => e.type === 'outage')!
    assert.equal(out.type === 'outage' && out.lastPop, 'LONDON')
    assert.equal(out.type === 'outage' && out.lastPopConfidence, 0.48)
    assert.match(renderWatchEvent(out), /last at LONDON\?/)
    assert.deepEqual(schemaErrors('watch-event.schema.json', out), [])
  })

  it('hint flips feed no flap; a confident move after a hint is one shift from the old catchment', () => {
    const flips = [NRT, LONDON, NRT, LONDON, NRT, LONDON, NRT] as const
    const ev = run(obs([...flips]), 2)
    // said once per hinted PoP (not every other round), never a flip or a flap
    assert.deepEqual(types(ev), ['hint'])
    assert.equal(summaryOf(ev).vantagePoints[0]!.flips, 0)
    assert.equal(summaryOf(ev).vantagePoints[0]!.popConfidence, undefined, 'back at a confident NRT: no hint now')
    const moved = run(obs([...times(3, NRT), ...times(2, LONDON), ...times(2, ['LHR', 0.9] as const)]))
    const shifts = moved.filter((e) => e.type === 'shift')
    assert.equal(shifts.length, 1)
    assert.equal(shifts[0]!.type === 'shift' && `${shifts[0]!.from}->${shifts[0]!.to}`, 'NRT->LHR')
    assert.equal(shifts[0]!.type === 'shift' && shifts[0]!.unlocatedProbes, 2, 'the hinted answers are unlocated ones')
  })

  it('a hint of the PoP it is in already leaves "now" that catchment, counted apart', () => {
    const sum = summaryOf(run(obs([...times(3, NRT), ...times(2, ['NRT', 0.45] as const)])))
    const v = sum.vantagePoints[0]!
    assert.equal(v.pop, 'NRT')
    assert.equal(v.popConfidence, undefined)
    assert.deepEqual(v.hintedPops, [{pop: 'NRT', observations: 2}])
    assert.match(renderWatchSummary(sum), /now NRT +5 answered.*\[NRT 3, NRT\? 2\]/)
  })

  it('a PoP whose confidence is not known (older --out files) is judged as before', () => {
    const o = obs([...times(3, NRT), ...times(3, LONDON)]).map(({popConfidence: _c, ...x}) => x)
    const ev = run(o)
    assert.deepEqual(types(ev), ['shift'])
    assert.equal(summaryOf(ev).vantagePoints[0]!.hintedPops, undefined)
  })

  it("the HTML page's PoP now and the lane mark the hint '?'", () => {
    const o = obs(swap)
    const t = new TimelineCollector()
    for (const x of o) t.observe(x)
    t.addEvents(run(o))
    const html = timelineSection(t.data())
    assert.match(html, /<td>local<\/td><td>LONDON\? <span class="sub">\(only a hint\)<\/span><\/td>/)
    assert.ok(t.data().lanes[0]!.segments.some((g) => g.pop === 'LONDON?'))
    assert.match(html, />recovered at LONDON\?: /)
    assert.doesNotMatch(html, /data-event="(shift|failover)"/)
  })
})

describe('--metrics: a hinted PoP counts no shift or failover and is the site marked ?', () => {
  it('the reviewer swap: failovers 0, site_changes 0, site LONDON? at the end; a confident answer puts its PoP back', async () => {
    const a = createWatchAnalyzer({intervalMs: I, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 0})
    // as the session makes it: a hint agrees with the catchment the analyser has
    const m = new WatchMetrics((id) => a.catchment(id))
    const scrape = async (): Promise<string> => m.text()
    const feed = async (o: Observation[]): Promise<string> => {
      for (const x of o) {
        m.observe(x)
        for (const e of [...a.push(x), ...a.flushRound(x.round)]) m.event(e)
      }
      return scrape()
    }
    const swap = [...times(4, NRT), '*', '*', '*', ...times(10, LONDON)] as const
    const all = obs([...swap, NRT])
    let text = await feed(all.slice(0, -1))
    assert.match(text, /^anyprobe_failovers_total\{vantage="local"\} 0$/m)
    assert.match(text, /^anyprobe_site_changes_total\{vantage="local"\} 0$/m)
    assert.match(text, /^anyprobe_site_info\{vantage="local",site="LONDON\?"\} 1$/m)
    text = await feed(all.slice(-1))
    assert.deepEqual(text.match(/^anyprobe_site_info\{.*$/gm), ['anyprobe_site_info{vantage="local",site="NRT"} 1'])
    // a hint of the site it is at already leaves it as it is (the summary's "now NRT" alike)
    text = await feed(obs([...times(18, NRT), ['NRT', 0.45]]).slice(-1))
    assert.deepEqual(text.match(/^anyprobe_site_info\{.*$/gm), ['anyprobe_site_info{vantage="local",site="NRT"} 1'])
  })
})

describe('the live catchment line marks a hinted PoP ?', () => {
  it("a terminal's block says LONDON? while the server answers a hint, NRT again after a confident answer", () => {
    let screen = ''
    const view = new LiveView((t) => (screen += t), true)
    const o = obs([NRT, LONDON, NRT])
    view.observe(o[0]!)
    assert.match(screen, /local\s+NRT\s+rtt/)
    // a line above the block redraws it at once (observations redraw it at most 10 times a second)
    screen = ''
    view.observe(o[1]!)
    view.line('-')
    assert.match(screen, /local\s+LONDON\?\s+rtt/)
    screen = ''
    view.observe(o[2]!)
    view.line('-')
    assert.match(screen, /local\s+NRT\s+rtt/)
    view.close()
  })
})

// Read of the merged change (session 8): a hint naming the PoP the vantage point is in already
// agrees with its catchment, so it ends a loss like a confident answer there. It did not: one probe
// lost long before stayed counted through ten agreeing hints, and the next move read as a failover
// with a 3 s gap (NRT, NRT, *, NRT? x10, FRA: failover NRT -> FRA, gapMs 3000, lostProbes 1).
describe('watch: a hint agreeing with the catchment ends a loss', () => {
  const NRTHINT = ['NRT', 0.45] as const
  const FRA = ['FRA', 0.9] as const
  it('a loss long before agreeing hints does not make the next move a failover', () => {
    const ev = run(obs([NRT, NRT, '*', ...times(10, NRTHINT), FRA, FRA]))
    assert.deepEqual(types(ev), ['shift'])
    const shift = ev.find((e) => e.type === 'shift')!
    assert.equal(shift.type === 'shift' && shift.gapMs, I)
    assert.equal(summaryOf(ev).failover.count, 0)
  })
  it('a recovery at a hint of the catchment it is in is said without the hint mark', () => {
    const ev = run(obs([NRT, NRT, '*', '*', '*', NRTHINT, NRTHINT]))
    const rec = ev.find((e) => e.type === 'recovered')!
    assert.equal(rec.type === 'recovered' && rec.pop, 'NRT')
    assert.equal(rec.type === 'recovered' ? rec.popConfidence : 'x', undefined)
    assert.equal(summaryOf(ev).vantagePoints[0]!.pop, 'NRT')
    assert.equal(summaryOf(ev).vantagePoints[0]!.popConfidence, undefined)
  })
})

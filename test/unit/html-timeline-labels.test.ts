// The failover timeline's event labels: events at (nearly) the same moment on one lane (a silent
// cut ends with recovered + shift + failover + flap at once) each get their own row, none drawn over
// another, and the lane grows so its labels stay above its bar and below the lane before it.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {analyze} from '../../src/analysis/watch/index.js'
import type {LiveWatchEvent} from '../../src/model/expect.js'
import type {Observation} from '../../src/model/watch.js'
import {TimelineCollector} from '../../src/render/html/timeline-data.js'
import {htmlReport} from '../../src/render/html/index.js'
import {textWidth} from '../../src/render/html/map-layout.js'
import {timelineSection} from '../../src/render/html/timeline.js'
import {WATCH_T0, sampleCatchment, sampleObservations, sampleStart} from '../helpers/html-fixtures.js'

const iso = (t: number): string => new Date(t).toISOString()

/** What a watch printed at the end of the sample's silent cut (round 32): five events at one time. */
function cutEvents(): LiveWatchEvent[] {
  const at = iso(WATCH_T0 + 32 * 200)
  const v = {vantageId: 'ap-vp-ber', round: 32, at, schemaVersion: 1, kind: 'watch-event'}
  return [
    {...v, type: 'outage', at: iso(WATCH_T0 + 21 * 200), round: 21, since: iso(WATCH_T0 + 20 * 200), lostProbes: 2, lastAnswerAt: iso(WATCH_T0 + 19 * 200), lastPop: 'FRA'},
    {...v, type: 'recovered', since: iso(WATCH_T0 + 20 * 200), lostProbes: 12, durationMs: 2400, pop: 'IAD', resolutionMs: 200, clockJump: false},
    {...v, type: 'shift', from: 'FRA', to: 'IAD', lastOldAt: iso(WATCH_T0 + 19 * 200), firstNewAt: at, gapMs: 2600, lostProbes: 12, unlocatedProbes: 0, rttBeforeMs: 5, rttAfterMs: 5, resolutionMs: 200, clockJump: false},
    {...v, type: 'failover', from: 'FRA', to: 'IAD', lastOldAt: iso(WATCH_T0 + 19 * 200), firstNewAt: at, gapMs: 2600, lostProbes: 12, unlocatedProbes: 0, rttBeforeMs: 5, rttAfterMs: 5, resolutionMs: 200, clockJump: false, gapMinMs: 2400},
    {...v, type: 'flap', pops: ['FRA', 'IAD'], flips: 3, windowMs: 60000, threshold: 3, flipsPerMinute: 3, since: iso(WATCH_T0)},
    {...v, type: 'unexpected', pop: 'IAD', rttMs: 5, since: at, holdRounds: 1, vantage: {kind: 'netns', id: 'ap-vp-ber', name: null, asn: null, country: null, lat: null, lon: null}, broken: [{rule: 0, name: 'rule 0', why: 'pop-not-allowed', detail: 'landed on IAD'}]},
  ] as unknown as LiveWatchEvent[]
}

interface Label {
  type: string
  vantage: string
  x: number
  y: number
  text: string
}

function labels(svg: string): Label[] {
  const out: Label[] = []
  for (const m of svg.matchAll(/<g class="ev [^"]*" data-event="([^"]+)" data-vantage="([^"]+)">(?:(?!<\/g>)[\s\S])*?<text x="([\d.]+)" y="([\d.]+)">([^<]*)<\/text><\/g>/g)) {
    out.push({type: m[1]!, vantage: m[2]!, x: Number(m[3]), y: Number(m[4]), text: m[5]!})
  }
  return out
}

function page(): string {
  const t = new TimelineCollector()
  t.setStart(sampleStart())
  for (const o of sampleObservations()) t.observe(o)
  t.addEvents(cutEvents())
  return timelineSection(t.data())
}

describe('html: timeline labels', () => {
  it('events at the same moment on one lane are each labelled in a row of their own, none over another', () => {
    const ls = labels(page()).filter((l) => l.vantage === 'ap-vp-ber')
    assert.equal(ls.length, 6, 'every event is drawn')
    for (const a of ls) {
      for (const b of ls) {
        if (a === b || a.y !== b.y) continue
        // 7.5 units a character (12.5px text); two labels on one row must not share any x
        const overlap = a.x < b.x + b.text.length * 7.5 && b.x < a.x + a.text.length * 7.5
        assert.ok(!overlap, `"${a.text}" and "${b.text}" are drawn over each other at y=${a.y}`)
      }
    }
    const atCut = ls.filter((l) => l.type !== 'outage')
    assert.equal(new Set(atCut.map((l) => l.y)).size, atCut.length, 'five labels at one time: five rows')
  })

  it("an outage's label says what it lost in all (its recovery's count, 12), not the 2 lost when it was declared; one not recovered says so", () => {
    const ber = labels(page()).filter((l) => l.vantage === 'ap-vp-ber' && l.type === 'outage')
    assert.equal(ber.length, 1)
    assert.match(ber[0]!.text, /^outage \(12 lost in all\)$/)
    // the recovery's duration runs from the last answer (durationMs), not from the outage's start
    const back = labels(page()).filter((l) => l.vantage === 'ap-vp-ber' && l.type === 'recovered')
    assert.equal(back.length, 1)
    assert.match(back[0]!.text, /^recovered at IAD: 2\.4 s since the last answer$/)
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    for (const o of sampleObservations()) t.observe(o)
    t.addEvents(cutEvents().filter((e) => e.type === 'outage'))
    const open = labels(timelineSection(t.data())).filter((l) => l.type === 'outage')
    assert.equal(open.length, 1)
    assert.match(open[0]!.text, /^outage from 12:00:04 UTC \(not recovered\)$/)
    assert.doesNotMatch(open[0]!.text, /2 lost/)
  })

  it('a lane with more labels is taller: its labels stay above its bar and below the lane before it', () => {
    const svg = page()
    const bars = [...svg.matchAll(/<rect class="lane-bg" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]))
    assert.equal(bars.length, 2)
    const [berBar, nycBar] = bars as [number, number]
    const ber = labels(svg).filter((l) => l.vantage === 'ap-vp-ber')
    assert.ok(Math.max(...ber.map((l) => l.y)) < berBar, 'every ap-vp-ber label is above its bar')
    assert.ok(Math.min(...ber.map((l) => l.y)) > 0, 'and inside the picture')
    assert.ok(nycBar > berBar + 22, 'the next lane starts below the first bar')
    const height = Number(/viewBox="0 0 \d+ ([\d.]+)"/.exec(svg)![1])
    assert.ok(height > nycBar + 22, 'the axis is under the last lane')
  })

  it('a lane without events takes only its bar: a hundred quiet vantage points are a compact page', () => {
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    const obs = sampleObservations().filter((o) => o.vantageId === 'ap-vp-nyc')
    for (let i = 0; i < 100; i++) for (const o of obs) t.observe({...o, vantageId: `atlas:${1000 + i}`})
    for (const o of sampleObservations()) t.observe(o)
    t.addEvents(cutEvents())
    const svg = timelineSection(t.data())
    const bars = [...svg.matchAll(/<rect class="lane-bg" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]))
    assert.equal(bars.length, 102)
    const steps = bars.slice(1).map((b, i) => b - bars[i]!)
    // quiet lanes follow each other a bar apart (22 px and a 10 px gap), not three empty label rows more
    assert.ok(steps.filter((d) => d <= 34).length >= 99, `lane steps ${[...new Set(steps)].join(',')}`)
    const height = Number(/viewBox="0 0 \d+ ([\d.]+)"/.exec(svg)![1])
    assert.ok(height < 102 * 34 + 200, `${height} px tall`)
    // the busy lane still has its labels above its bar
    const ber = labels(svg).filter((l) => l.vantage === 'ap-vp-ber')
    const berBar = bars[[...svg.matchAll(/data-lane="([^"]+)"/g)].findIndex((m) => m[1] === 'ap-vp-ber')]!
    assert.ok(ber.length >= 5 && Math.max(...ber.map((l) => l.y)) < berBar)
  })

  it('no time-axis label runs off the picture: one at the right end ends there', () => {
    const svg = page()
    const width = Number(/viewBox="0 0 (\d+) /.exec(svg)![1])
    const axis = /<g class="axis">(.*?)<\/g>/.exec(svg)![1]!
    const ticks = [...axis.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">(\d\d:\d\d:\d\d)<\/text>/g)]
    assert.ok(ticks.length >= 3)
    for (const [, x, anchor, text] of ticks) {
      const half = (text!.length * 7.5) / 2
      const right = anchor === 'end' ? Number(x) : Number(x) + half
      assert.ok(right <= width, `${text} ends at ${right} of ${width}`)
    }
  })

  it('a Globalping vantage id (3.DE.Frankfurt-am-Main.AS24940, as globalping/parse.ts names a probe) is drawn whole, inside the picture', () => {
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    const id = '3.DE.Frankfurt-am-Main.AS24940'
    for (const o of sampleObservations()) t.observe(o.vantageId === 'ap-vp-nyc' ? {...o, vantageId: id} : o)
    const svg = timelineSection(t.data())
    const names = [...svg.matchAll(/<text class="lane-name" x="([\d.]+)"[^>]*text-anchor="end">([^<]*)<\/text>/g)].map((m) => ({x: Number(m[1]), text: m[2]!}))
    assert.deepEqual(names.map((n) => n.text).sort(), [id, 'ap-vp-ber'].sort())
    for (const n of names) assert.ok(n.x - textWidth(n.text, 12.5, true) >= 0, `${n.text} starts at ${n.x - textWidth(n.text, 12.5, true)}`)
    // the bars start after the names
    const bar = Number(/<rect class="lane-bg" x="([\d.]+)"/.exec(svg)![1])
    assert.ok(bar > names[0]!.x)
  })

  it('a flapping lane (40 shifts in a few minutes) stays at most six label rows tall: the rest are marks without labels, counted beside the lane', () => {
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    for (const o of sampleObservations()) t.observe(o)
    const shifts = Array.from({length: 40}, (_, i) => ({
      schemaVersion: 1, kind: 'watch-event', type: 'shift', at: iso(WATCH_T0 + 1000 + i * 200), vantageId: 'ap-vp-ber', round: 5 + i,
      from: i % 2 ? 'AMS' : 'SIN', to: i % 2 ? 'SIN' : 'AMS', lastOldAt: iso(WATCH_T0 + 800 + i * 200), firstNewAt: iso(WATCH_T0 + 1000 + i * 200),
      gapMs: 200, lostProbes: 0, unlocatedProbes: 0, rttBeforeMs: 5, rttAfterMs: 5, resolutionMs: 200, clockJump: false,
    }))
    t.addEvents(shifts as unknown as LiveWatchEvent[])
    const svg = timelineSection(t.data())
    assert.equal((svg.match(/data-event="shift" data-vantage="ap-vp-ber"/g) ?? []).length, 40, 'every event keeps its mark')
    const ls = labels(svg)
    assert.ok(ls.length >= 6 && ls.length < 40, `${ls.length} labels`)
    assert.ok(new Set(ls.map((l) => l.y)).size <= 6, 'at most six rows')
    assert.match(svg, new RegExp(`\\+${40 - ls.length} unlabelled`))
    const bars = [...svg.matchAll(/<rect class="lane-bg" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]))
    assert.ok(bars[0]! < 6 * 15 + 20, `the first bar at y=${bars[0]}, under six rows`)
  })
})

describe('html: timeline legend', () => {
  it('answered rounds without a PoP (watch --method icmp) have their grey in the legend; a watch that names PoPs does not', () => {
    const t = new TimelineCollector()
    t.setStart({...sampleStart(), method: 'icmp'})
    for (const o of sampleObservations()) t.observe({...o, pop: null})
    assert.match(timelineSection(t.data()), /answered, no PoP named/)
    const named = new TimelineCollector()
    for (const o of sampleObservations()) named.observe(o)
    assert.doesNotMatch(timelineSection(named.data()), /answered, no PoP named/)
  })
})

describe('html: the footer', () => {
  it('credits the world map only on a page that draws one (a timeline-only page has no map)', () => {
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    for (const o of sampleObservations()) t.observe(o)
    assert.doesNotMatch(htmlReport({timeline: t.data()}), /Natural Earth/)
    assert.match(htmlReport({catchment: sampleCatchment()}), /map: Natural Earth via world-atlas/)
  })
})

describe('html timeline: the summary table', () => {
  it('a vantage point in an outage at the end: "PoP now" says no answer (last at FRA), not FRA', () => {
    const obs: Observation[] = []
    for (let round = 0; round < 10; round++) {
      const answered = round < 5
      obs.push({vantageId: 'vp-a', round, flow: 0, sentAt: WATCH_T0 + round * 200, receivedAt: answered ? WATCH_T0 + round * 200 + 5 : null, rttMs: answered ? 5 : null, pop: answered ? 'FRA' : null, answered})
      obs.push({vantageId: 'vp-b', round, flow: 0, sentAt: WATCH_T0 + round * 200, receivedAt: WATCH_T0 + round * 200 + 7, rttMs: 7, pop: 'IAD', answered: true})
    }
    const t = new TimelineCollector()
    t.setStart(sampleStart())
    for (const o of obs) t.observe(o)
    t.addEvents(analyze(obs, {intervalMs: 200}))
    const html = timelineSection(t.data())
    const row = (id: string): string => new RegExp(`<tr><td>${id}</td><td>(.*?)</td>`).exec(html)?.[1] ?? ''
    assert.match(row('vp-a'), /^no answer .*outage; last at FRA/)
    assert.equal(row('vp-b'), 'IAD')
  })
})

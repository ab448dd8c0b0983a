// The maps can be read: a regional map shows a region a person recognises (at least MIN_EXTENT_KM
// each way, not a few hundred km of 110m coastline around one town), vantage points on one spot are
// spread so each is seen, and no map label is drawn over another (F-root's sites in Europe:
// Frankfurt, London, Amsterdam, Paris were one smudge of text). Run through the real renderers on
// the repository's real RIPE Atlas fixtures; label boxes from the SVG, sized as the layout sizes them
// (the browser test measures the real ones).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {geoDistance} from 'd3-geo'

import type {CatchmentResult} from '../../src/model/catchment.js'
import type {SitesDocument} from '../../src/model/sites.js'
import {catchmentMapSection} from '../../src/render/html/catchment-map.js'
import {sitesMapInput, sitesMapSection} from '../../src/render/html/sites-map.js'
import {type Box, overlaps, placeMapLabels, spreadColocated, textWidth} from '../../src/render/html/map-layout.js'
import {lonSpan, MAP_HEIGHT, MAP_WIDTH, MIN_EXTENT_KM, regionWorld, world} from '../../src/render/html/world.js'
import {ROOT, runCommand} from '../helpers/cli.js'
import {atlasCampaignFiles} from '../helpers/sites-fixtures.js'

const EARTH_KM = 6371.0088

/** km between two pixels of a map, along the ground */
function kmBetween(w: ReturnType<typeof regionWorld>, a: [number, number], b: [number, number]): number {
  const pa = w.projection.invert!(a)!
  const pb = w.projection.invert!(b)!
  return geoDistance(pa, pb) * EARTH_KM
}

/** Real places from the repository's RIPE Atlas probe pages (probes-page1/2.json). */
function probe(id: number): {lat: number; lon: number} {
  for (const f of ['probes-page1.json', 'probes-page2.json']) {
    const page = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/atlas', f), 'utf8')) as {results: Array<{id: number; geometry: {coordinates: [number, number]}}>}
    const p = page.results.find((r) => r.id === id)
    if (p) return {lat: p.geometry.coordinates[1], lon: p.geometry.coordinates[0]}
  }
  throw new Error(`probe ${id} not in the fixtures`)
}

interface SvgLabel {
  text: string
  box: Box
}

/** Every map label of a page, with the box the text covers (bold .lbl 12px, .vlbl 10.5px). */
function svgLabels(html: string): SvgLabel[] {
  const out: SvgLabel[] = []
  for (const m of html.matchAll(/<text class="(lbl|vlbl)" x="([\d.-]+)" y="([\d.-]+)"(?: text-anchor="(start|middle|end)")?[^>]*>([^<]*)<\/text>/g)) {
    const [size, bold] = m[1] === 'lbl' ? [12, true] : [10.5, false]
    const text = m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    const w = textWidth(text, size, bold)
    const x = Number(m[2])
    const y = Number(m[3])
    const x0 = m[4] === 'end' ? x - w : m[4] === 'middle' ? x - w / 2 : x
    out.push({text, box: {x0, y0: y - size * 0.8, x1: x0 + w, y1: y + size * 0.25}})
  }
  return out
}

function assertNoOverlap(ls: SvgLabel[]): void {
  for (let i = 0; i < ls.length; i++) {
    for (let j = i + 1; j < ls.length; j++) assert.ok(!overlaps(ls[i]!.box, ls[j]!.box), `"${ls[i]!.text}" and "${ls[j]!.text}" overlap`)
  }
}

function oneTownCatchment(): CatchmentResult {
  // atlas:12185 and atlas:22880: two Bay Area probes of measurement 3606560, 40 km apart
  const vp = (id: number) => ({kind: 'atlas' as const, id: `atlas:${id}`, name: null, asn: null, country: 'US', ...probe(id)})
  const row = (id: number) => ({vantage: vp(id), pop: null, rttMs: 20, reached: true, evidence: null, error: null})
  return {schemaVersion: 1, kind: 'catchment', target: '194.0.25.10', method: 'trace', vantagePoints: [row(12185), row(22880)], pops: [], summary: {vantagePoints: 2, measured: 2, located: 0, unlocated: 2, failed: 0}} as unknown as CatchmentResult
}

describe('html maps: extent, co-located marks, labels', () => {
  it('a regional map of one town (Helsinki, RIPE Atlas probe 6036) or two Bay Area probes spans at least MIN_EXTENT_KM each way', () => {
    assert.ok(MIN_EXTENT_KM >= 1500)
    for (const pts of [[probe(6036)], [probe(12185), probe(22880)]]) {
      const w = regionWorld(pts)
      const across = kmBetween(w, [0, MAP_HEIGHT / 2], [MAP_WIDTH, MAP_HEIGHT / 2])
      const down = kmBetween(w, [MAP_WIDTH / 2, 0], [MAP_WIDTH / 2, MAP_HEIGHT])
      assert.ok(down >= MIN_EXTENT_KM * 0.95, `north-south ${Math.round(down)} km`)
      assert.ok(across >= MIN_EXTENT_KM * 0.95, `east-west ${Math.round(across)} km`)
      // still regional: not the world map
      assert.ok(across < 9000, `east-west ${Math.round(across)} km`)
    }
  })

  it('points on both sides of the antimeridian (Auckland, Suva, Apia) get a map of the Pacific around them, not the world', () => {
    // places as city coordinates (GeoNames): RIPE Atlas has probes in each
    const pts = [{lat: -36.85, lon: 174.76}, {lat: -18.14, lon: 178.44}, {lat: -13.83, lon: -171.76}]
    assert.deepEqual(lonSpan(pts.map((p) => p.lon)), [174.76, -171.76 + 360])
    const w = regionWorld(pts)
    assert.notEqual(w, world(), 'a regional map, not the world map')
    const across = kmBetween(w, [0, MAP_HEIGHT / 2], [MAP_WIDTH, MAP_HEIGHT / 2])
    assert.ok(across < 9000 && across >= MIN_EXTENT_KM * 0.95, `east-west ${Math.round(across)} km`)
    for (const p of pts) {
      const xy = w.project(p.lat, p.lon)!
      assert.ok(xy[0] > 10 && xy[0] < MAP_WIDTH - 10 && xy[1] > 10 && xy[1] < MAP_HEIGHT - 10, `${p.lat},${p.lon} at ${xy.join(',')}`)
    }
    // one side only: unchanged
    assert.deepEqual(lonSpan([2.35, 13.4, -0.12]), [-0.12, 13.4])
  })

  it('vantage points on one spot are drawn apart (each its own mark), with labels over nothing', () => {
    const c = oneTownCatchment()
    // the same spot: the second probe moved onto the first
    ;(c.vantagePoints[1]!.vantage as {lat: number; lon: number}).lat = c.vantagePoints[0]!.vantage.lat!
    ;(c.vantagePoints[1]!.vantage as {lat: number; lon: number}).lon = c.vantagePoints[0]!.vantage.lon!
    const html = catchmentMapSection(c)
    const dots = [...html.matchAll(/<circle class="vp[^"]*" data-vantage="([^"]+)"[^>]* cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"/g)].map((m) => ({id: m[1]!, x: Number(m[2]), y: Number(m[3]), r: Number(m[4])}))
    assert.equal(dots.length, 2)
    const gap = Math.hypot(dots[0]!.x - dots[1]!.x, dots[0]!.y - dots[1]!.y)
    assert.ok(gap >= dots[0]!.r + dots[1]!.r, `the two marks are ${gap.toFixed(1)} px apart`)
    assert.equal([...html.matchAll(/class="spoke"/g)].length, 2, 'a spoke from the spot to each')
    const ls = svgLabels(html)
    assert.deepEqual(ls.map((l) => l.text).sort(), ['atlas:12185', 'atlas:22880'])
    assertNoOverlap(ls)
    for (const l of ls) for (const d of dots) assert.ok(!overlaps(l.box, {x0: d.x - d.r, y0: d.y - d.r, x1: d.x + d.r, y1: d.y + d.r}), `${l.text} over a mark`)
  })

  it('with many vantage points (RIPE Atlas has hundreds in Amsterdam), a pile on one spot is counted beside it; no label over another', () => {
    const c = oneTownCatchment()
    const row = c.vantagePoints[0]!
    const at = (i: number, lat: number, lon: number) => ({...row, vantage: {...row.vantage, id: `atlas:${i}`, lat, lon}})
    // 60 in Amsterdam, 12 in Frankfurt, 5 in Paris, one in Berlin
    c.vantagePoints = [
      ...Array.from({length: 60}, (_, i) => at(i, 52.37, 4.9)),
      ...Array.from({length: 12}, (_, i) => at(100 + i, 50.11, 8.68)),
      ...Array.from({length: 5}, (_, i) => at(200 + i, 48.86, 2.35)),
      at(300, 52.52, 13.4),
    ]
    const html = catchmentMapSection(c)
    const piles = [...html.matchAll(/data-pile="(\d+)"[^>]*>([^<]*)</g)].map((m) => `${m[1]} ${m[2]}`).sort()
    assert.deepEqual(piles, ['12 ×12', '5 ×5', '60 ×60'])
    assertNoOverlap(svgLabels(html))
  })

  it('sites --input of F-root (RIPE Atlas): no site label over another; the ones left off are counted and in the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-maplayout-'))
    try {
      const html = join(dir, 's.html')
      const r = await runCommand('sites', ['--input', join(ROOT, 'test/fixtures/sites/f-ripe.tsv'), '--html', html])
      assert.equal(r.status, 0, r.stderr)
      const page = readFileSync(html, 'utf8')
      const ls = svgLabels(page)
      const sites = [...page.matchAll(/<g class="site-mark" data-pop-site="([^"]+)"/g)].map((m) => m[1]!)
      assert.ok(sites.length >= 25, `${sites.length} sites`)
      assertNoOverlap(ls)
      const left = Number(/data-unlabelled="(\d+)"/.exec(page)?.[1] ?? 0)
      assert.equal(ls.length + left, sites.length, 'every site is labelled or counted as left off')
      assert.ok(ls.length >= sites.length - 5, `${ls.length} of ${sites.length} labelled`)
      for (const want of ['London', 'Amsterdam']) assert.ok(ls.some((l) => l.text === want), `${want} labelled`)
      for (const s of sites) assert.ok(page.includes(`data-pop-legend="${s}"`), `${s} in the table`)
      // the README's words under its picture of this page (docs/img/sites-map.png) count the same sites
      assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), new RegExp(`screenshot-sites\\.ts\` \\(no lab\\): ${sites.length} sites`))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('placeMapLabels: a label that has no free spot is left off (null), never drawn over another', () => {
    // forty labels for one spot: the spots around it fill up
    const wanted = Array.from({length: 40}, (_, i) => ({x: 100, y: 100, r: 5, text: `label ${i}`, size: 12}))
    const spots = placeMapLabels(wanted, {width: 300, height: 200})
    const boxes = spots.filter((s) => s !== null).map((s) => s!.box)
    assert.ok(boxes.length >= 8 && boxes.length < 40, `${boxes.length} placed`)
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlaps(boxes[i]!, boxes[j]!))
    for (const b of boxes) assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 300 && b.y1 <= 200)
  })

  it('spreadColocated: marks on one spot go on a ring at least minDist apart; a lone mark stays', () => {
    const out = spreadColocated([[50, 50], [50, 50], [50.5, 50], [200, 50]], 10)
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) assert.ok(Math.hypot(out[i]!.x - out[j]!.x, out[i]!.y - out[j]!.y) >= 10 - 1e-9)
    assert.deepEqual(out[3], {x: 200, y: 50, from: null})
    assert.ok(out[0]!.from !== null)
  })
})

describe('html maps: what is not on the map', () => {
  it('sites --input of a RIPE Atlas ping download without --probes: the sites section says why nothing is placed and how to place it (the document\'s inputNotes); the 276 ids are folded under their count', async () => {
    const f = atlasCampaignFiles('f-ripe.tsv')
    const dir = mkdtempSync(join(tmpdir(), 'anyprobe-maplayout-'))
    try {
      const html = join(dir, 's.html')
      const r = await runCommand('sites', ['--input', f.results, '--html', html, '--json'])
      assert.equal(r.status, 0, r.stderr)
      const page = readFileSync(html, 'utf8')
      // the note as the document carries it (commands/sites.ts sets inputNotes after it wrote the
      // page, so the page is drawn here from the document it printed)
      const doc = JSON.parse(r.stdout) as SitesDocument
      const section = sitesMapSection(sitesMapInput(doc, []))
      assert.match(section, /<p class="sub note" data-note>276 RIPE Atlas probes have no location here: give their metadata with --probes FILE/)
      assert.match(page, /no site found/)
      assert.match(page, /<details class="unplaced-list"><summary[^>]*>Not on the map \(276\)<\/summary>/)
      assert.equal([...page.matchAll(/<li class="vp-unplaced"/g)].length, 276, 'every one still listed (and its DOM contract kept)')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a short list stays open', () => {
    const c = oneTownCatchment()
    for (const r of c.vantagePoints) (r.vantage as {lat: number | null}).lat = null
    const html = catchmentMapSection(c)
    assert.match(html, /<h3[^>]*>Not on the map \(2\)<\/h3>/)
    assert.doesNotMatch(html, /<details/)
  })
})


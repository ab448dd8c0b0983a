// The HTML report in a real browser (Debian's chromium, headless, via playwright-core): each kind of
// page (catchment map, failover timeline, sites map, diff) opens from a file with no request at all
// (every request is recorded and aborted), has the DOM contract (data-vantage / data-pop on each
// vantage point, data-pop-site on each PoP, data-event + data-vantage on each timeline event),
// draws each vantage point where it is, escapes hostile text, and renders something (a screenshot
// with many distinct colours). Runs in a few seconds, offline (passes under `unshare -n`).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {createWatchAnalyzer, optionsOfStart} from '../../src/analysis/watch/index.js'
import {diffCatchments} from '../../src/analysis/diff.js'
import {diffHtml} from '../../src/render/html/diff.js'
import {htmlReport, TimelineCollector} from '../../src/render/html/index.js'
import {world} from '../../src/render/html/world.js'
import {ExpectTracker, parseExpectFile} from '../../src/analysis/expect.js'
import type {StateEvent} from '../../src/model/expect.js'
import {TestBrowser} from '../helpers/browser.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {atlasCampaignFiles, SITES_DIR} from '../helpers/sites-fixtures.js'
import {EVIL, sampleCatchment, sampleObservations, sampleStart} from '../helpers/html-fixtures.js'

let browser: TestBrowser
let dir = ''
before(async () => {
  browser = await TestBrowser.launch()
  dir = mkdtempSync(join(tmpdir(), 'anyprobe-html-'))
})
after(async () => {
  await browser?.close()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

function save(name: string, html: string): string {
  const f = join(dir, name)
  writeFileSync(f, html)
  return f
}

function timeline() {
  const s = sampleStart()
  const a = createWatchAnalyzer(optionsOfStart(s))
  const t = new TimelineCollector()
  t.setStart(s)
  for (const o of sampleObservations()) {
    t.observe(o)
    t.addEvents(a.push(o))
  }
  t.addEvents(a.finish())
  return t.data()
}

describe('HTML report in chromium', () => {
  it('catchment map: every vantage point at its place with its PoP, PoPs drawn, nothing fetched, text escaped', async () => {
    const c = sampleCatchment()
    const file = save('catchment.html', htmlReport({catchment: c}))
    const {page, requests} = await browser.open(file)
    // no script ran from the hostile evidence, and it shows as text
    assert.equal(await page.locator('img').count(), 0)
    assert.ok((await page.content()).includes('&lt;img src=x onerror=alert(1)&gt;'))

    const marks = await page.$$eval('svg circle.vp', (els) => els.map((e) => ({id: e.getAttribute('data-vantage'), pop: e.getAttribute('data-pop'), state: e.getAttribute('data-state'), cx: Number(e.getAttribute('cx')), cy: Number(e.getAttribute('cy')), fill: getComputedStyle(e).fill})))
    const byId = new Map(marks.map((m) => [m.id, m]))
    // placed: every row with a location and a result
    for (const r of c.vantagePoints.filter((r) => r.vantage.lat !== null && r.reached !== null)) {
      const m = byId.get(r.vantage.id)
      assert.ok(m, `${r.vantage.id} drawn`)
      const [x, y] = world().project(r.vantage.lat!, r.vantage.lon!)!
      assert.ok(Math.abs(m.cx - x) < 0.2 && Math.abs(m.cy - y) < 0.2, `${r.vantage.id} at its location`)
    }
    assert.equal(byId.get('1001')!.pop, 'fra')
    assert.equal(byId.get('1002')!.pop, 'iad')
    assert.equal(byId.get('1003')!.pop, 'sin')
    assert.equal(byId.get('1006')!.pop, '')
    // unreached: hollow (white fill), reached: filled with its PoP's colour
    assert.equal(byId.get('1004')!.state, 'unreached')
    assert.equal(byId.get('1004')!.fill, 'rgb(255, 255, 255)')
    assert.notEqual(byId.get('1002')!.fill, 'rgb(255, 255, 255)')
    assert.equal(byId.get('1002')!.fill, 'rgb(31, 119, 180)', 'IAD, the biggest PoP, has the first colour')
    assert.notEqual(byId.get('1001')!.fill, byId.get('1002')!.fill)
    // no location / failed: listed beside the map with the same attributes
    const listed = await page.$$eval('li.vp-unplaced', (els) => els.map((e) => [e.getAttribute('data-vantage'), e.getAttribute('data-pop')]))
    assert.deepEqual(listed.sort(), [['1005', 'iad'], ['1007', '']])
    // PoPs at their places, a line from each located vantage point
    const sites = await page.$$eval('[data-pop-site]', (els) => els.map((e) => e.getAttribute('data-pop-site')).sort())
    assert.deepEqual(sites, ['fra', 'iad', 'sin'])
    assert.equal(await page.locator('path.link').count(), 4)
    // legend: share and median RTT of each PoP
    const legend = await page.$$eval('[data-pop-legend]', (els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()))
    assert.match(legend[0]!, /IAD .*Ashburn.* 3 42\.9% 5\.00/)
    // click shows the evidence
    await page.locator('circle.vp[data-vantage="1003"]').click({force: true})
    assert.match(await page.locator('#detail').innerText(), /PoP SIN.*\n.*rtt 12\.5 ms[\s\S]*evidence: dns-identity s1\.sin/)
    const png = await page.screenshot({fullPage: true})
    assert.ok((await browser.distinctColours(png)) > 50, 'the screenshot is not blank')
    assert.deepEqual(requests, [], 'the page fetched nothing')
  })

  it('failover timeline: the lane shows FRA, a gap, then IAD, and the failover event with its gap', async () => {
    const file = save('timeline.html', htmlReport({timeline: timeline()}))
    const {page, requests} = await browser.open(file)
    const segs = await page.$$eval('[data-lane="ap-vp-ber"] rect[data-vantage]', (els) => els.map((e) => e.getAttribute('data-pop') ?? `gap:${e.getAttribute('data-gap')}`))
    assert.deepEqual(segs, ['FRA', 'gap:12', 'IAD'])
    const nyc = await page.$$eval('[data-lane="ap-vp-nyc"] rect[data-vantage]', (els) => els.map((e) => e.getAttribute('data-pop')))
    assert.deepEqual(nyc, ['IAD'])
    const events = await page.$$eval('[data-event]', (els) => els.map((e) => `${e.getAttribute('data-vantage')} ${e.getAttribute('data-event')}: ${e.querySelector('text')!.textContent}`))
    assert.ok(events.includes('ap-vp-ber failover: failover FRA→IAD gap 2.6 s'), events.join('\n'))
    assert.ok(events.some((e) => e.startsWith('ap-vp-ber outage:')))
    assert.ok(events.some((e) => e.startsWith('ap-vp-ber shift:')))
    assert.ok(!events.some((e) => e.startsWith('ap-vp-nyc')))
    // the failover mark sits between the last FRA and the first IAD segment
    const box = async (sel: string) => (await page.locator(sel).first().boundingBox())!
    const fra = await box('[data-lane="ap-vp-ber"] rect[data-pop="FRA"]')
    const iad = await box('[data-lane="ap-vp-ber"] rect[data-pop="IAD"]')
    const fo = await box('[data-event="failover"] path.bracket')
    // (the last FRA round's bar runs one interval past its probe, where the bracket starts)
    const interval = fra.width / 20
    assert.ok(Math.abs(fo.x - (fra.x + fra.width - interval)) < 3 && Math.abs(fo.x + fo.width - iad.x) < 3, `the bracket spans the gap: ${JSON.stringify({fra, iad, fo})}`)
    // axis and summary
    assert.ok((await page.locator('.axis text').count()) >= 4)
    assert.match(await page.locator('table.summary').innerText(), /ap-vp-ber\s+IAD\s+48\/60\s+12\s+1\s+1/)
    const png = await page.screenshot({fullPage: true})
    assert.ok((await browser.distinctColours(png)) > 20)
    assert.deepEqual(requests, [])
  })

  it('sites map: discs, sites and vantage points, from a hand-made input', async () => {
    const file = save('sites.html', htmlReport({
      sites: {
        target: '198.51.100.10',
        sites: [
          {code: 'FRA', city: 'Frankfurt am Main', country: 'DE', lat: 50.11, lon: 8.68, evidence: 'discs of 1001, 1006', areaKm: 5200, confirmed: true},
          {code: EVIL, city: null, country: null, lat: 1.35, lon: 103.8, evidence: EVIL, areaKm: null, confirmed: false},
        ],
        discs: [
          {vantageId: '1001', lat: 52.52, lon: 13.4, radiusKm: 500, site: 'FRA', rttMs: 5},
          {vantageId: '1006', lat: 48.85, lon: 2.35, radiusKm: 600, site: 'FRA', rttMs: 6},
        ],
        vantagePoints: [
          {id: '1001', lat: 52.52, lon: 13.4, site: 'FRA'},
          {id: '1006', lat: 48.85, lon: 2.35, site: 'FRA'},
          {id: 'nowhere', lat: null, lon: null, site: null},
        ],
      },
    }))
    const {page, requests} = await browser.open(file)
    assert.equal(await page.locator('path.disc').count(), 2)
    assert.deepEqual(await page.$$eval('[data-pop-site]', (els) => els.map((e) => e.getAttribute('data-pop-site'))), ['FRA', EVIL])
    assert.deepEqual(await page.$$eval('circle.vp', (els) => els.map((e) => e.getAttribute('data-vantage'))), ['1001', '1006'])
    assert.equal(await page.locator('li.vp-unplaced[data-vantage="nowhere"]').count(), 1)
    assert.equal(await page.locator('img').count(), 0)
    assert.deepEqual(requests, [])
  })

  it('timeline with --expect: unexpected and expected marked and labelled on their lane; state lines add nothing', async () => {
    // ap-vp-ber must stay at FRA: it fails over to IAD (unexpected), then comes back (expected)
    const s = sampleStart()
    const obs = sampleObservations().map((o) => (o.vantageId === 'ap-vp-ber' && o.round >= 50 ? {...o, pop: 'FRA'} : o))
    const a = createWatchAnalyzer(optionsOfStart(s))
    const tracker = new ExpectTracker(parseExpectFile(JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'ber stays in FRA', match: {vantage: 'ap-vp-ber'}, pops: ['FRA']}]})), 2)
    const t = new TimelineCollector()
    t.setStart(s)
    // a watch over a stream opens with one state line per vantage point
    const state = (id: string, pop: string): StateEvent => ({schemaVersion: 1, kind: 'watch-event', type: 'state', at: new Date(obs[0]!.sentAt).toISOString(), vantageId: id, round: 0, vantage: null, answered: true, pop, rttMs: 5})
    t.addEvents([state('ap-vp-ber', 'FRA'), state('ap-vp-nyc', 'IAD')])
    for (const o of obs) {
      t.observe(o)
      t.addEvents(a.push(o))
      t.addEvents(tracker.observe({id: o.vantageId, vantage: null, tags: []}, {vantageId: o.vantageId, round: o.round, at: o.sentAt, answered: o.answered, pop: o.pop, rttMs: o.rttMs}))
    }
    t.addEvents(a.finish())
    const {page, requests} = await browser.open(save('timeline-expect.html', htmlReport({timeline: t.data()})))
    const events = await page.$$eval('[data-event]', (els) => els.map((e) => `${e.getAttribute('data-vantage')} ${e.getAttribute('data-event')}: ${e.querySelector('text')!.textContent}`))
    assert.ok(events.includes('ap-vp-ber unexpected: unexpected IAD: ber stays in FRA'), events.join('\n'))
    assert.ok(events.includes('ap-vp-ber expected: expected again at FRA'), events.join('\n'))
    assert.equal(events.filter((e) => / (unexpected|expected):/.test(e)).length, 2)
    assert.equal(await page.locator('[data-event="state"]').count(), 0, 'state lines are not events')
    assert.ok(!events.some((e) => e.startsWith('ap-vp-nyc')), 'nyc kept its rules and has no event')
    // marked where it happened: the unexpected mark inside the IAD segment, the expected one at the return to FRA
    const mark = async (sel: string) => Number(await page.locator(`${sel} line`).first().getAttribute('x1'))
    const seg = async (pop: string, i: number) => page.$$eval(`[data-lane="ap-vp-ber"] rect[data-pop="${pop}"]`, (els, i) => {
      const e = els[i as number]!
      return [Number(e.getAttribute('x')), Number(e.getAttribute('x')) + Number(e.getAttribute('width'))]
    }, i)
    const [iad0, iad1] = await seg('IAD', 0)
    const [fra0] = await seg('FRA', 1)
    const un = await mark('[data-event="unexpected"]')
    const ex = await mark('[data-event="expected"]')
    assert.ok(un >= iad0! && un <= iad1!, `unexpected at ${un}, IAD ${iad0}..${iad1}`)
    assert.ok(ex >= fra0! && ex > un, `expected at ${ex}, FRA again from ${fra0}`)
    // it stands out: its own colour, not the plain event's
    const colour = (sel: string) => page.locator(`${sel} text`).first().evaluate((e) => getComputedStyle(e).fill)
    assert.notEqual(await colour('[data-event="unexpected"]'), await colour('[data-event="shift"]'))
    assert.deepEqual(requests, [])
  })

  it('sites map of a real `sites --input --html` (F-root, RIPE Atlas ping + probe archive): discs, sites, vantage points', async () => {
    const f = atlasCampaignFiles('f-ripe.tsv')
    const html = join(dir, 'sites-froot.html')
    const r = await runCommand('sites', ['--input', f.results, '--probes', f.probes, '--json', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {sites: Array<{code: string | null; city: string | null; lat: number; lon: number; evidence: Array<{vp: string; radiusKm: number | null}>}>}
    const {page, requests} = await browser.open(html)
    // every site placed, named by its code or city
    const sites = await page.$$eval('[data-pop-site]', (els) => els.map((e) => e.getAttribute('data-pop-site')!))
    assert.equal(sites.length, doc.sites.length)
    assert.ok(sites.includes('Amsterdam') || sites.some((x) => /AMS/i.test(x)), sites.join(','))
    // the discs that prove each site: one per vantage point named in its evidence, centred on it
    const wantDiscs = doc.sites.reduce((n, s) => n + new Set(s.evidence.filter((e) => e.radiusKm !== null).map((e) => e.vp)).size, 0)
    assert.equal(await page.locator('path.disc').count(), wantDiscs)
    assert.ok(wantDiscs >= doc.sites.length)
    // every located vantage point at its location; those proving a site carry its name
    const marks = await page.$$eval('circle.vp', (els) => els.map((e) => ({id: e.getAttribute('data-vantage')!, site: e.getAttribute('data-pop')!, cx: Number(e.getAttribute('cx')), cy: Number(e.getAttribute('cy'))})))
    assert.equal(marks.length, 276)
    const probes = JSON.parse(readFileSync(f.probes, 'utf8')).objects as Array<{id: number; latitude: number; longitude: number}>
    for (const p of probes.slice(0, 50)) {
      const m = marks.find((x) => x.id === `atlas:${p.id}` || x.id === String(p.id))
      assert.ok(m, `probe ${p.id} drawn`)
      const [x, y] = world().project(p.latitude, p.longitude)!
      assert.ok(Math.abs(m.cx - x) < 0.2 && Math.abs(m.cy - y) < 0.2, `probe ${p.id} at its location`)
    }
    const proving = new Set(doc.sites.flatMap((s) => s.evidence.map((e) => e.vp)))
    assert.equal(marks.filter((m) => m.site !== '').length, proving.size)
    // a site's triangle sits where the document places it
    const first = doc.sites[0]!
    const [sx] = world().project(first.lat, first.lon)!
    const tri = await page.locator('[data-pop-site] path.site').first().getAttribute('d')
    assert.ok(Math.abs(Number(/^M([\d.]+)/.exec(tri!)![1]) - sx) < 0.2, tri!)
    // the labels as chromium draws them (its font, its widths): none over another
    const boxes = await page.$$eval('svg text.lbl', (els) => els.map((e) => {
      const b = e.getBoundingClientRect()
      return {t: e.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom}
    }))
    assert.ok(boxes.length >= doc.sites.length - 5, `${boxes.length} labels`)
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!]
        assert.ok(!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1), `"${a.t}" and "${b.t}" overlap in chromium`)
      }
    }
    const png = await page.screenshot({fullPage: true})
    assert.ok((await browser.distinctColours(png)) > 50, 'the screenshot is not blank')
    assert.deepEqual(requests, [])
  })

  it('sites map: a site seen but not placed (J-root, RIPE Atlas) is a dashed disc around its vantage point, listed', async () => {
    const html = join(dir, 'sites-jroot.html')
    const r = await runCommand('sites', ['--input', join(SITES_DIR, 'j-atlas-100.tsv'), '--json', '--html', html])
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {notPlaced: Array<{vp: string; radiusKm: number}>}
    assert.ok(doc.notPlaced.length >= 1)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    const {page, requests} = await browser.open(html)
    const drawn = await page.$$eval('path.disc-unplaced', (els) => els.map((e) => ({vp: e.getAttribute('data-disc-unplaced')!, d: e.getAttribute('d')!, fill: e.getAttribute('fill')})))
    assert.deepEqual(drawn.map((x) => x.vp).sort(), doc.notPlaced.map((n) => n.vp).sort())
    for (const x of drawn) {
      assert.ok(x.d.length > 20, 'a drawn outline')
      assert.equal(x.fill, 'none')
    }
    assert.deepEqual((await page.$$eval('[data-not-placed]', (els) => els.map((e) => e.getAttribute('data-not-placed')!))).sort(), doc.notPlaced.map((n) => n.vp).sort())
    // probes and sites all in Europe: a map of Europe, not a smudge on the world map
    const x = async (site: string): Promise<number> => Number(/^M([\d.]+)/.exec((await page.locator(`[data-pop-site="${site}"] path.site`).getAttribute('d'))!)![1])
    const onPage = Math.abs((await x('Kyiv')) - (await x('Dublin')))
    const onWorld = Math.abs(world().project(50.45, 30.52)![0] - world().project(53.35, -6.26)![0])
    assert.ok(onPage > 3 * onWorld, `Dublin to Kyiv: ${onPage} px on the page, ${onWorld} px on the world map`)
    assert.deepEqual(requests, [])
  })

  it('diff: the moved vantage point is outlined on the map and listed with from and to', async () => {
    const a = sampleCatchment()
    const b = sampleCatchment()
    b.vantagePoints[0]!.pop = {code: 'iad', city: 'Ashburn', country: 'US', confidence: 0.9}
    b.pops = [{...b.pops[0]!, vantagePoints: ['1001', '1002', '1004', '1005']}, b.pops[2]!]
    const d = diffCatchments(a, b)
    const {page, requests} = await browser.open(save('diff.html', diffHtml(d, a, b)))
    const rows = await page.$$eval('tr[data-change]', (els) => els.map((e) => `${e.getAttribute('data-vantage')} ${e.getAttribute('data-change')} ${(e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()}`))
    assert.deepEqual(rows, ['1001 moved 1001 moved FRA IAD 4.10 4.10'], 'RTTs as the CLI table prints them')
    const moved = await page.locator('section.catchment').first().locator('circle.vp.moved').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-vantage')} ${e.getAttribute('data-pop')}`))
    assert.deepEqual(moved, ['1001 iad'])
    assert.deepEqual(requests, [])
  })

  it('a page that does fetch is caught (the request check can fail)', async () => {
    const file = save('fetching.html', '<!DOCTYPE html><html><body><img src="http://192.0.2.1/tile.png"><script src="https://cdn.example/x.js"></script></body></html>')
    const {requests} = await browser.open(file)
    assert.deepEqual(requests.sort(), ['http://192.0.2.1/tile.png', 'https://cdn.example/x.js'])
  })
})

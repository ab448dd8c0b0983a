// The HTML report and `anyprobe diff` on the lab, checked in a real browser (chromium, every request
// aborted and recorded):
//  1. `report --html` of a catchment from every vantage point draws each one at its location (given
//     with --locations test/lab/vp-locations.txt: netns vantage points carry none) with its PoP;
//  2. `diff` of a catchment before and during a withdrawal of FRA lists exactly the vantage points
//     that moved (exit 8), and its --html outlines them;
//  3. `report --html` of a `watch --out` file recorded during a silent cut of FRA shows the failover
//     on ap-vp-ber's lane, with its gap; the watch's own --html (written at its end) shows it too.
// Needs root; probes stay inside the lab's ap-* namespaces.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {after, before, describe, it} from 'node:test'

import type {CatchmentResult} from '../../src/analysis/catchment.js'
import type {DiffResult} from '../../src/analysis/diff.js'
import {world} from '../../src/render/html/world.js'
import {parseLocations} from '../../src/vantage/locations.js'
import {TestBrowser} from '../helpers/browser.js'
import {schemaErrors} from '../helpers/schema.js'
import {ANYPROBE, E, isRoot, lab, REPO, run, VPS} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'
const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const NS = VPS.map((vp) => E[`AP_VP_NS_${vp}`]!)
const FROM = `netns:${NS.join(',')}`
const EXPECT: Record<string, string> = Object.fromEntries(VPS.map((vp) => [E[`AP_VP_NS_${vp}`]!, E[`AP_VP_EXPECT_${vp}`]!]))
const BER = E.AP_VP_NS_ber ?? 'ap-vp-ber'
const LOCATIONS = `${REPO}test/lab/vp-locations.txt`
const anyprobe = (args: string[]) => run(process.execPath, [ANYPROBE, ...args], 120_000)

async function mustLab(...args: string[]): Promise<void> {
  const r = await lab(...args)
  if (r.code !== 0) throw new Error(`lab.sh ${args.join(' ')} failed: ${r.stderr}${r.stdout}`)
}

let dir = ''
let browser: TestBrowser | null = null
before(async () => {
  if (!isRoot) return
  dir = mkdtempSync(join(tmpdir(), 'anyprobe-lab-html-'))
  browser = await TestBrowser.launch()
  await mustLab('wait-converged', '30')
})
after(async () => {
  await browser?.close()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

async function catchmentTo(file: string): Promise<CatchmentResult> {
  const r = await anyprobe(['catchment', ANYCAST, '--method', 'dns', '--from', FROM, '--json'])
  assert.equal(r.code, 0, r.stderr)
  writeFileSync(file, r.stdout)
  return JSON.parse(r.stdout) as CatchmentResult
}

describe('HTML report and diff in the lab', {skip}, () => {
  it('report --html: every vantage point at its location, coloured by the PoP it reaches; diff before/during a withdrawal lists exactly the movers', {timeout: 120_000}, async () => {
    const beforeFile = join(dir, 'before.json')
    const c = await catchmentTo(beforeFile)
    const html = join(dir, 'catchment.html')
    const r = await anyprobe(['report', beforeFile, '--html', html, '--locations', LOCATIONS])
    assert.equal(r.code, 0, r.stderr)
    const {page, requests} = await browser!.open(html)
    const locs = parseLocations(readFileSync(LOCATIONS, 'utf8'))
    const marks = await page.$$eval('circle.vp', (els) => els.map((e) => ({id: e.getAttribute('data-vantage')!, pop: e.getAttribute('data-pop')!, cx: Number(e.getAttribute('cx')), cy: Number(e.getAttribute('cy'))})))
    assert.deepEqual(marks.map((m) => m.id).sort(), [...NS].sort(), 'every vantage point is on the map')
    for (const m of marks) {
      assert.equal(m.pop.toUpperCase(), EXPECT[m.id], `${m.id} coloured by its PoP`)
      const l = locs.get(m.id)!
      const [x, y] = world().project(l.lat, l.lon)!
      assert.ok(Math.abs(m.cx - x) < 0.2 && Math.abs(m.cy - y) < 0.2, `${m.id} at its location`)
    }
    const sites = await page.$$eval('[data-pop-site]', (els) => els.map((e) => e.getAttribute('data-pop-site')!.toUpperCase()).sort())
    assert.deepEqual(sites, [...new Set(Object.values(EXPECT))].sort())
    assert.equal(await page.locator('path.link').count(), NS.length)
    assert.equal(await page.locator('li.vp-unplaced').count(), 0)
    assert.ok((await browser!.distinctColours(await page.screenshot({fullPage: true}))) > 50)
    assert.deepEqual(requests, [])
    assert.equal(c.vantagePoints.length, NS.length)

    // FRA withdrawn: only the vantage points whose home is FRA move
    const duringFile = join(dir, 'during.json')
    let faulted = false
    try {
      await mustLab('withdraw', 'fra')
      faulted = true
      await mustLab('wait-converged', '30')
      await catchmentTo(duringFile)
    } finally {
      if (faulted) {
        await lab('restore', 'fra')
        await lab('wait-converged', '30')
      }
    }
    const diffHtml = join(dir, 'diff.html')
    const d = await anyprobe(['diff', beforeFile, duringFile, '--json', '--html', diffHtml, '--locations', LOCATIONS])
    assert.equal(d.code, 8, `exit 8 when something moved: ${d.stderr}`)
    const doc = JSON.parse(d.stdout) as DiffResult
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    const movers = NS.filter((ns) => EXPECT[ns] === 'FRA').sort()
    assert.ok(movers.length > 0)
    assert.deepEqual(doc.changes.map((ch) => ch.vantage.id).sort(), movers, 'exactly the vantage points at FRA moved')
    for (const ch of doc.changes) {
      assert.equal(ch.type, 'moved')
      assert.equal(ch.from!.code.toUpperCase(), 'FRA')
      assert.notEqual(ch.to!.code.toUpperCase(), 'FRA')
    }
    assert.equal(doc.summary.unchanged, NS.length - movers.length)
    const dp = await browser!.open(diffHtml)
    const rows = await dp.page.$$eval('tr[data-change]', (els) => els.map((e) => e.getAttribute('data-vantage')!).sort())
    assert.deepEqual(rows, movers)
    assert.equal(await dp.page.locator('section.catchment').first().locator('circle.vp.moved').count(), movers.length)
    assert.deepEqual(dp.requests, [])
  })

  it('report --html of a watch --out recorded during a silent cut: the failover on ap-vp-ber\'s lane with its gap', {timeout: 120_000}, async () => {
    await mustLab('wait-converged', '30')
    const out = join(dir, 'watch.ndjson')
    const live = join(dir, 'live.html')
    const other = NS.find((ns) => ns !== BER && EXPECT[ns] !== 'FRA')!
    const child = spawn(process.execPath, [ANYPROBE, 'watch', ANYCAST, '--from', `netns:${BER},${other}`, '--method', 'dns', '--interval', '100ms', '--failover', '--json', '--out', out, '--html', live], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    let faulted = false
    try {
      // steady: answers from FRA for a while, and the live page written
      const deadline = Date.now() + 20_000
      while (!(existsSync(live) && readFileSync(out, 'utf8').split('\n').filter((l) => l.includes(`"vantageId":"${BER}"`) && l.includes('"pop":"FRA"')).length >= 20)) {
        if (Date.now() > deadline) throw new Error(`watch never settled at FRA: ${stderr}`)
        await sleep(200)
      }
      await mustLab('cut', 'fra')
      faulted = true
      const until = Date.now() + 20_000
      while (!stdout.includes('"type":"failover"')) {
        if (Date.now() > until) throw new Error(`no failover: ${stdout} ${stderr}`)
        await sleep(200)
      }
      await sleep(1000)
    } finally {
      child.kill('SIGTERM')
      await closed
      if (faulted) {
        await lab('restore', 'fra')
        await lab('wait-converged', '30')
      }
    }
    const failover = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as {type: string; gapMs?: number; vantageId?: string}).find((e) => e.type === 'failover')!
    assert.equal(failover.vantageId, BER)

    const html = join(dir, 'timeline.html')
    const r = await anyprobe(['report', out, '--html', html])
    assert.equal(r.code, 0, r.stderr)
    for (const file of [html, live]) {
      const {page, requests} = await browser!.open(file)
      const drawn = await page.$$eval(`[data-lane="${BER}"] rect[data-vantage]`, (els) => els.map((e) => e.getAttribute('data-pop') ?? 'gap'))
      // a round skipped under load (not sent on time) breaks a segment in two of the same state
      const segs = drawn.filter((s, k) => k === 0 || s !== drawn[k - 1])
      const i = segs.indexOf('gap')
      assert.ok(i > 0 && segs[i - 1] === 'FRA' && segs[i + 1] === 'IAD', `${file}: FRA, a gap, then IAD on ${BER}'s lane: ${segs.join(' ')}`)
      const label = await page.locator(`[data-event="failover"][data-vantage="${BER}"] text`).textContent()
      assert.match(label!, new RegExp(`^failover FRA→IAD gap ${(failover.gapMs! / 1000).toFixed(1)} s$`))
      const otherLane = await page.$$eval(`[data-lane="${other}"] rect[data-vantage]`, (els) => els.map((e) => e.getAttribute('data-pop') ?? 'gap'))
      assert.deepEqual([...new Set(otherLane)], [EXPECT[other]], `${other} stays at its PoP`)
      assert.equal(await page.locator(`[data-event][data-vantage="${other}"]`).count(), 0)
      assert.ok((await browser!.distinctColours(await page.screenshot({fullPage: true}))) > 20)
      assert.deepEqual(requests, [])
    }
  })
})

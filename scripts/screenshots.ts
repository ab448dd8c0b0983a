// The README's screenshots, from the lab (root; run through scripts/screenshots.sh, which holds the
// lab lock and brings the lab up and down): a catchment from every vantage point by DNS
// (docs/img/catchment-map.png), and a watch during a silent cut of FRA (docs/img/failover-timeline.png),
// each rendered by `anyprobe report --html` and photographed by chromium.
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {TestBrowser} from '../test/helpers/browser.js'
import {ANYPROBE, E, lab, REPO, run, VPS} from '../test/lab/lib.js'

const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const NS = VPS.map((vp) => E[`AP_VP_NS_${vp}`]!)
const BER = E.AP_VP_NS_ber ?? 'ap-vp-ber'
const OUT = join(REPO, 'docs/img')
const anyprobe = async (args: string[]): Promise<string> => {
  const r = await run(process.execPath, [ANYPROBE, ...args], 120_000)
  if (r.code !== 0) throw new Error(`anyprobe ${args.join(' ')}: exit ${r.code}: ${r.stderr}`)
  return r.stdout
}
const must = async (...args: string[]): Promise<void> => {
  const r = await lab(...args)
  if (r.code !== 0) throw new Error(`lab.sh ${args.join(' ')}: ${r.stderr}${r.stdout}`)
}

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-shots-'))
mkdirSync(OUT, {recursive: true})
const browser = await TestBrowser.launch()
try {
  await must('wait-converged', '30')
  // 1. the catchment
  const c = join(dir, 'catchment.json')
  writeFileSync(c, await anyprobe(['catchment', ANYCAST, '--method', 'dns', '--from', `netns:${NS.join(',')}`, '--json']))
  const ch = join(dir, 'catchment.html')
  await anyprobe(['report', c, '--html', ch, '--locations', join(REPO, 'test/lab/vp-locations.txt')])
  const a = await browser.open(ch, {width: 1280, height: 900})
  if (a.requests.length) throw new Error(`the page fetched ${a.requests.join(' ')}`)
  writeFileSync(join(OUT, 'catchment-map.png'), await a.page.locator('section.catchment').screenshot())

  // 2. a watch of every vantage point, FRA cut silently after ~4 s
  const out = join(dir, 'watch.ndjson')
  const child = spawn(process.execPath, [ANYPROBE, 'watch', ANYCAST, '--from', `netns:${NS.join(',')}`, '--method', 'dns', '--interval', '100ms', '--failover', '--json', '--out', out], {stdio: ['ignore', 'pipe', 'inherit']})
  let events = ''
  child.stdout!.on('data', (b: Buffer) => (events += b.toString()))
  const closed = new Promise((resolve) => child.on('close', resolve))
  try {
    // steady first: 40 answers from FRA at ap-vp-ber (the children take a moment to start)
    const steady = Date.now() + 30_000
    const fraAnswers = (): number => {
      try {
        return readFileSync(out, 'utf8').split('\n').filter((l) => l.includes(`"vantageId":"${BER}"`) && l.includes('"pop":"FRA"')).length
      } catch {
        return 0
      }
    }
    while (fraAnswers() < 40 && Date.now() < steady) await sleep(200)
    await must('cut', 'fra')
    const until = Date.now() + 20_000
    while (!events.includes('"type":"failover"') && Date.now() < until) await sleep(200)
    await sleep(3000)
  } finally {
    child.kill('SIGTERM')
    await closed
    await lab('restore', 'fra')
    await lab('wait-converged', '30')
  }
  if (!events.includes('"type":"failover"')) throw new Error('no failover seen')
  const th = join(dir, 'timeline.html')
  await anyprobe(['report', out, '--html', th])
  const b = await browser.open(th, {width: 1030, height: 900})
  writeFileSync(join(OUT, 'failover-timeline.png'), await b.page.locator('section.timeline').screenshot())
  for (const f of ['catchment-map.png', 'failover-timeline.png']) console.log(`${OUT}/${f}: ${Math.round(statSync(join(OUT, f)).size / 1024)} KiB`)
} finally {
  await browser.close()
  rmSync(dir, {recursive: true, force: true})
}

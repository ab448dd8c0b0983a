// The README's sites map (docs/img/sites-map.png): `anyprobe sites --input --html` of the F-root
// campaign in test/fixtures/sites (real RIPE Atlas probe ids, locations and min RTTs, written as a
// ping download and a probe archive), photographed by chromium. No lab, no network.
// Run: node --import tsx scripts/screenshot-sites.ts
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {TestBrowser} from '../test/helpers/browser.js'
import {ROOT, runCommand} from '../test/helpers/cli.js'
import {atlasCampaignFiles} from '../test/helpers/sites-fixtures.js'

const OUT = join(ROOT, 'docs/img')
mkdirSync(OUT, {recursive: true})
const dir = mkdtempSync(join(tmpdir(), 'anyprobe-shots-'))
const browser = await TestBrowser.launch()
try {
  const f = atlasCampaignFiles('f-ripe.tsv')
  const html = join(dir, 'sites.html')
  const r = await runCommand('sites', ['--input', f.results, '--probes', f.probes, '--html', html])
  if (r.status !== 0) throw new Error(`anyprobe sites: exit ${r.status}: ${r.stderr}`)
  const p = await browser.open(html, {width: 1400, height: 900})
  if (p.requests.length) throw new Error(`the page fetched ${p.requests.join(' ')}`)
  writeFileSync(join(OUT, 'sites-map.png'), await p.page.locator('section.sites').screenshot())
  console.log(`${OUT}/sites-map.png: ${Math.round(statSync(join(OUT, 'sites-map.png')).size / 1024)} KiB`)
} finally {
  await browser.close()
  rmSync(dir, {recursive: true, force: true})
}

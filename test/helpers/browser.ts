// A real browser for the HTML report tests: Debian's chromium (/usr/bin/chromium) driven by
// playwright-core, headless, with a fresh profile, and nothing downloaded. Every request the page
// makes is recorded and, unless it is the page's own file, aborted: a report that tries to fetch
// anything (a tile, a script, a font) is caught by the `requests` list.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {type Browser, chromium, type Page} from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface OpenPage {
  page: Page
  /** every request the page made, the page's own file excepted */
  requests: string[]
}

export class TestBrowser {
  private constructor(
    private readonly browser: Browser,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<TestBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'anyprobe-chromium-'))
    // playwright gives chromium a fresh temporary profile of its own (it refuses --user-data-dir here)
    const browser = await chromium.launch({executablePath: CHROMIUM, args: ARGS, headless: true, env: {...process.env, TMPDIR: profile}})
    return new TestBrowser(browser, profile)
  }

  /** Opens an HTML file from disk (as a user would) in a new context. */
  async open(file: string, viewport = {width: 1400, height: 1100}): Promise<OpenPage> {
    const context = await this.browser.newContext({viewport, serviceWorkers: 'block'})
    const url = pathToFileURL(file).href
    const requests: string[] = []
    context.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url())
    })
    await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()))
    const page = await context.newPage()
    await page.goto(url, {waitUntil: 'load'})
    return {page, requests}
  }

  async close(): Promise<void> {
    await this.browser.close()
    rmSync(this.profile, {recursive: true, force: true})
  }

  /** Distinct colours in a PNG screenshot, sampled (every 7th pixel), decoded by the browser on a blank page of its own. */
  async distinctColours(png: Buffer): Promise<number> {
    const page = await this.browser.newPage()
    try {
      return await distinctIn(page, png)
    } finally {
      await page.close()
    }
  }
}

async function distinctIn(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64: string) => {
    const img = new Image()
    img.src = `data:image/png;base64,${b64}`
    await img.decode()
    const c = document.createElement('canvas')
    c.width = img.width
    c.height = img.height
    const ctx = c.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    const d = ctx.getImageData(0, 0, c.width, c.height).data
    const seen = new Set<number>()
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!)
    return seen.size
  }, png.toString('base64'))
}

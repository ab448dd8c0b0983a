// `watch --out` appends, so one file may hold several watches, each with round numbers from 0.
// report --html draws one timeline per watch. Before, one collector merged them by round number:
// the second watch's IAD rounds and the first's FRA rounds became invented "FRA+IAD" (load-balanced)
// rounds, and the page showed only the last watch's summary.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import type {Observation} from '../../src/model/watch.js'
import {runCommand} from '../helpers/cli.js'
import {WATCH_T0, sampleStart} from '../helpers/html-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-report-watches-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** One watch of ap-vp-ber: 10 rounds at `pop`, starting at t0. */
function watch(t0: number, pop: string): string[] {
  const start = {...sampleStart(), at: new Date(t0).toISOString()}
  const obs: Observation[] = Array.from({length: 10}, (_, r) => ({vantageId: 'ap-vp-ber', round: r, flow: 0, sentAt: t0 + r * 200, receivedAt: t0 + r * 200 + 5, rttMs: 5, pop, answered: true}))
  return [start, ...obs].map((x) => JSON.stringify(x))
}

describe('report --html of a file with two watches', () => {
  it('draws one timeline per watch, each with its own PoP and summary, no merged rounds', async () => {
    const file = join(dir, 'two.ndjson')
    writeFileSync(file, [...watch(WATCH_T0, 'FRA'), ...watch(WATCH_T0 + 60_000, 'IAD')].join('\n') + '\n')
    const html = join(dir, 'two.html')
    const r = await runCommand('report', [file, '--html', html])
    assert.equal(r.status, 0, r.stderr)
    const page = readFileSync(html, 'utf8')
    assert.deepEqual([...page.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]), ['Failover timeline: watch 1 of 2', 'Failover timeline: watch 2 of 2'])
    assert.doesNotMatch(page, /data-pop="FRA\+IAD"/, 'no invented load-balanced rounds')
    const sections = page.split('<section class="timeline">').slice(1)
    assert.equal(sections.length, 2)
    assert.match(sections[0]!, /data-vantage="ap-vp-ber" data-pop="FRA"/)
    assert.doesNotMatch(sections[0]!, /data-pop="IAD"/)
    assert.match(sections[1]!, /data-vantage="ap-vp-ber" data-pop="IAD"/)
    assert.match(sections[0]!, /<td>ap-vp-ber<\/td><td>FRA<\/td>/, 'the first watch keeps its own summary')
    assert.match(sections[1]!, /<td>ap-vp-ber<\/td><td>IAD<\/td>/)
  })

  it('a file with one watch keeps the plain heading', async () => {
    const file = join(dir, 'one.ndjson')
    writeFileSync(file, watch(WATCH_T0, 'FRA').join('\n') + '\n')
    const html = join(dir, 'one.html')
    const r = await runCommand('report', [file, '--html', html])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual([...readFileSync(html, 'utf8').matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]), ['Failover timeline'])
  })
})

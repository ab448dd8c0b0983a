// watch --from globalping: when Globalping cannot measure a round (the API down: HTTP 503 on the
// POST, as it is when this host loses its network between rounds the request never arrives), the
// round has no observation from the probes it did not measure: a gap, not an outage of the target.
// Before, every probe was an unanswered observation of that round, and two such rounds were an
// "outage" of every vantage point: a page for an operator whose target was fine.
// The Globalping replay server on 127.0.0.1 plays 5 rounds of two probes; rounds 2 and 3 fail.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {WatchSummaryEvent} from '../../src/model/watch.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {gpTestBackend, gpWatch, type GpWatchEnd} from '../helpers/globalping-watch.js'
import {gpFixture, type GpReplayServer, type GpRoute, rateHeaders, startGlobalpingReplay} from '../helpers/globalping-replay.js'

const ROUNDS = 5
const DOWN = new Set([2, 3])

interface Entry {
  probe: Record<string, unknown>
  result: Record<string, unknown>
}
const template = gpFixture<{results: Entry[]} & Record<string, unknown>>('dns-finished.json')
const probes = (template.results as Entry[]).slice(0, 2)

function routes(): GpRoute[] {
  const out: GpRoute[] = []
  for (let r = 0; r < ROUNDS; r++) {
    if (DOWN.has(r)) {
      out.push({method: 'POST', path: 'measurements', status: 503, body: {error: {type: 'api_error', message: 'Service Unavailable'}}, times: 1})
      continue
    }
    const id = `2gpdown${r}aaaaaaaaaaaaaaaaa`
    out.push({method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, 2, 500, 2 * (r + 1)), body: {id, probesCount: 2}, times: 1})
    out.push({path: `measurements/${id}`, body: {...template, id, probesCount: 2, limit: 2, results: probes}})
  }
  return out
}

describe('watch --from globalping: rounds Globalping could not measure (replay server)', () => {
  let srv: GpReplayServer
  let got: GpWatchEnd
  const outDir = mkdtempSync(join(tmpdir(), 'anyprobe-gp-unmeasured-'))
  const outFile = join(outDir, 'watch.ndjson')

  before(async () => {
    srv = await startGlobalpingReplay({routes: routes()})
    got = await gpWatch(gpTestBackend(srv.url, 'DE,JP,limit=2'), {count: ROUNDS, intervalMs: 40, out: outFile})
  })
  after(async () => {
    await srv.close()
    rmSync(outDir, {recursive: true, force: true})
  })

  it('report of the --out file counts the rounds not measured as the live watch did (watch-unmeasured lines), not as skipped', async () => {
    const lines = readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {kind?: string})
    const marks = lines.filter((l) => l.kind === 'watch-unmeasured')
    assert.equal(marks.length, 2 * DOWN.size)
    for (const l of marks) assert.deepEqual(schemaErrors('watch-out.schema.json', l), [])
    const r = await runCommand('report', [outFile, '--json'])
    const replayed = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as WatchSummaryEvent).find((e) => e.type === 'summary')!
    assert.deepEqual([replayed.skippedRounds, replayed.unmeasuredRounds], [got.summary.skippedRounds, got.summary.unmeasuredRounds], r.stderr)
  })

  it('no outage: the rounds not measured are a gap, not unanswered probes', () => {
    assert.deepEqual(got.events.filter((e) => e.type !== 'state' && e.type !== 'summary').map((e) => e.type), [], JSON.stringify(got.events, null, 1))
    assert.equal(got.summary.vantagePoints.length, 2)
    for (const v of got.summary.vantagePoints) assert.equal(v.lost, 0, v.vantageId)
    assert.equal(got.summary.observations, 2 * (ROUNDS - DOWN.size))
    assert.equal(got.exitCode, 0, got.stderr.join('\n'))
  })

  it('says once why, and that those probes were counted as not measured, not as unanswered or skipped', () => {
    const said = got.stderr.filter((l) => /error E_NETWORK in round 2: Globalping answered .* HTTP 503/.test(l))
    assert.equal(said.length, 1, got.stderr.join('\n'))
    assert.match(said[0]!, /counted as not measured, not as unanswered or skipped/)
  })

  it('the summary counts them as not measured (unmeasuredRounds), not as skipped: they were asked for on time', () => {
    // before: skippedRounds 4, the text's "skipped: not sent on time", the wrong reason
    assert.equal(got.summary.skippedRounds, 0)
    assert.equal(got.summary.unmeasuredRounds, 2 * DOWN.size)
    for (const v of got.summary.vantagePoints) assert.deepEqual([v.skippedRounds, v.unmeasuredRounds], [0, DOWN.size], v.vantageId)
    assert.deepEqual(schemaErrors('watch-event.schema.json', got.summary), [])
  })
})

// The API went away while a round's measurement was running (one probe's result in, the other
// still in progress; then HTTP 503 on every poll): the probe whose result never came was not
// measured, it did not fail to get an answer. Before, it was an unanswered observation with
// E_NETWORK: two such rounds were an outage of the target (an outage event, with no vantageError:
// anyprobe_outages_total, the alert that pages), for a target that was fine.
describe('watch --from globalping: a round the API went away in the middle of (replay server)', () => {
  const PARTIAL = new Set([1, 2])
  const ROUNDS2 = 4
  let srv: GpReplayServer
  let got: GpWatchEnd

  before(async () => {
    const out: GpRoute[] = []
    for (let r = 0; r < ROUNDS2; r++) {
      const id = `2gphalf${r}aaaaaaaaaaaaaaaaa`
      out.push({method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, 2, 500, 2 * (r + 1)), body: {id, probesCount: 2}, times: 1})
      if (PARTIAL.has(r)) {
        const half = [probes[0]!, {probe: probes[1]!.probe, result: {status: 'in-progress', rawOutput: ''}}]
        out.push({path: `measurements/${id}`, body: {...template, id, status: 'in-progress', probesCount: 2, limit: 2, results: half}, times: 1})
        out.push({path: `measurements/${id}`, status: 503, body: {error: {type: 'api_error', message: 'Service Unavailable'}}})
      } else out.push({path: `measurements/${id}`, body: {...template, id, probesCount: 2, limit: 2, results: probes}})
    }
    srv = await startGlobalpingReplay({routes: out})
    got = await gpWatch(gpTestBackend(srv.url, 'DE,JP,limit=2'), {count: ROUNDS2, intervalMs: 40})
  })
  after(async () => {
    await srv.close()
  })

  it('no outage and nothing lost: the probe whose result never came was not measured in those rounds', () => {
    assert.deepEqual(got.events.filter((e) => e.type !== 'state' && e.type !== 'summary').map((e) => e.type), [], JSON.stringify(got.events, null, 1))
    const [first, second] = got.summary.vantagePoints
    assert.deepEqual([first!.answered, first!.lost, first!.unmeasuredRounds], [ROUNDS2, 0, 0], first!.vantageId)
    assert.deepEqual([second!.answered, second!.lost, second!.unmeasuredRounds, second!.skippedRounds], [ROUNDS2 - PARTIAL.size, 0, PARTIAL.size, 0], second!.vantageId)
    assert.equal(got.exitCode, 0, got.stderr.join('\n'))
  })

  it('says once why', () => {
    const said = got.stderr.filter((l) => /in round 1: .*not measured/.test(l))
    assert.equal(said.length, 1, got.stderr.join('\n'))
  })
})

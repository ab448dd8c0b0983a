// watch --from globalping: a long watch, against the Globalping replay server (127.0.0.1) on a
// virtual clock. Globalping keeps a measurement 7 days (config measurement.resultTTL); a POST with
// `locations: <an id it no longer has>` is 422 no_probes_found (jsdelivr/globalping
// src/probe/router.ts findWithMeasurementId -> no probes -> runner.ts 422; the globalping-typescript
// client's own test posts a non-existent id and expects that 422). The replay server answers so
// once the id it is asked for is 7 virtual days old.
//  1. Every round asked for the probes by round 0's id: from day 7 on every round was 422, not
//     measured, and the watch went on measuring nothing. Now each round asks by the round before's.
//  2. When no round could be measured for 7 days (the API down), even the newest id is gone: the
//     watch says so and ends (exit 6: the backend could not measure), where it went on asking with an expired id for ever.
//  3. A probe missing from a later measurement: results were matched to vantage points by their
//     position, so the next probe's result (its PoP) landed on the missing probe's vantage point,
//     and the missing one was an unanswered probe (E_NO_RESULT): an outage of the target. Now
//     results go by the probe's identity, and a gone probe is its vantage point's own failure.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {EXIT} from '../../src/model/errors.js'
import type {RoundEvent} from '../../src/model/probe.js'
import type {Observation} from '../../src/model/watch.js'
import {type GlobalpingBackend, RESULT_TTL_MS} from '../../src/vantage/globalping/index.js'
import {schemaErrors} from '../helpers/schema.js'
import {virtualClock} from '../helpers/virtual-clock.js'
import {gpAnswered, gpDnsTemplate, type GpEntry, gpTestBackend, gpWatch, type GpWatchEnd} from '../helpers/globalping-watch.js'
import {type GpRecordedRequest, type GpReplayServer, type GpRoute, rateHeaders, startGlobalpingReplay} from '../helpers/globalping-replay.js'

const DAY = 86_400_000

type Entry = GpEntry
const template = gpDnsTemplate()
const [fra, tyo, sea] = template.results as [Entry, Entry, Entry]
const FRA = gpAnswered(fra, 'ns1.de-fra.k.ripe.net')
const TYO = gpAnswered(tyo, 'ns2.jp-tyo.k.ripe.net')
const SEA = gpAnswered(sea, 'ns1.us-sea.k.ripe.net')

const idOf = (r: number): string => `2gpttl${String(r).padStart(2, '0')}aaaaaaaaaaaaaaaaa`

/**
 * A Globalping that forgets a measurement 7 days after it was made: the POST that asks for the
 * probes of such an id is 422 no_probes_found, as the API answers it. `made` is the virtual time
 * each id was created at; `now` the virtual clock.
 */
function expiry(made: Map<string, number>, now: () => number): GpRoute {
  const expired = (req: GpRecordedRequest): boolean => {
    const loc = (JSON.parse(req.body) as {locations?: unknown}).locations
    if (typeof loc !== 'string') return false
    const at = made.get(loc)
    return at === undefined || now() - at >= RESULT_TTL_MS
  }
  return {method: 'POST', path: 'measurements', status: 422, when: expired, body: {error: {type: 'no_probes_found', message: 'No matching IPv4 probes available.'}, links: {documentation: 'https://globalping.io/docs/api.globalping.io#post-/v1/measurements'}}}
}

/** round r's measurement: created (its id remembered with the virtual time), then finished with `results` */
function measured(r: number, results: Entry[], made: Map<string, number>, now: () => number): GpRoute[] {
  const id = idOf(r)
  return [
    {method: 'POST', path: 'measurements', status: 202, headers: rateHeaders(id, results.length, 500, results.length), body: {id, probesCount: results.length}, times: 1, when: () => (made.set(id, now()), true)},
    {path: `measurements/${id}`, body: {...template, id, probesCount: results.length, results}},
  ]
}

const backendFor = (srv: GpReplayServer, clock: ReturnType<typeof virtualClock>, selector: string): GlobalpingBackend => gpTestBackend(srv.url, selector, {clock})

/**
 * The backend's own rounds (no watch on top) against a replay server that plays `results` as one
 * measurement a round, a round a virtual second; its events pushed to `evs`. The server, to close.
 */
async function roundEvents(results: Entry[][], selector: string, evs: RoundEvent[]): Promise<GpReplayServer> {
  const clock = virtualClock()
  const made = new Map<string, number>()
  const srv = await startGlobalpingReplay({routes: results.flatMap((rs, r) => measured(r, rs, made, clock.now))})
  const plan = {method: 'dns' as const, target: '193.0.14.129', intervalMs: 1000, flows: 1, timeoutMs: 1000, count: results.length, durationMs: null}
  for await (const e of backendFor(srv, clock, selector).rounds(plan as never, {signal: new AbortController().signal})) evs.push(e)
  return srv
}

const watch = (backend: GlobalpingBackend, count: number, intervalMs: number): Promise<GpWatchEnd> => gpWatch(backend, {count, intervalMs})

const posts = (srv: GpReplayServer): unknown[] => srv.requests.filter((r) => r.method === 'POST').map((r) => (JSON.parse(r.body) as {locations: unknown}).locations)

describe('watch --from globalping: a 12-day watch outlives the 7 days Globalping keeps a measurement (replay server, virtual clock)', () => {
  const ROUNDS = 12
  let srv: GpReplayServer
  let got: Awaited<ReturnType<typeof watch>>

  before(async () => {
    const clock = virtualClock()
    const made = new Map<string, number>()
    const routes: GpRoute[] = [expiry(made, clock.now)]
    for (let r = 0; r < ROUNDS; r++) routes.push(...measured(r, [FRA, TYO], made, clock.now))
    srv = await startGlobalpingReplay({routes})
    got = await watch(backendFor(srv, clock, 'DE,JP,limit=2'), ROUNDS, DAY)
  })
  after(async () => {
    await srv.close()
  })

  it('every round is measured, the last five too (they were 422 and not measured: round 0\'s id had expired)', () => {
    assert.equal(got.summary.unmeasuredRounds, 0, got.stderr.join('\n'))
    assert.equal(got.summary.observations, 2 * ROUNDS)
    for (const v of got.summary.vantagePoints) assert.deepEqual([v.answered, v.lost, v.unmeasuredRounds], [ROUNDS, 0, 0], v.vantageId)
    assert.ok(!got.stderr.some((l) => /422|E_USAGE/.test(l)), got.stderr.join('\n'))
    assert.equal(got.exitCode, 0, got.stderr.join('\n'))
    assert.deepEqual(schemaErrors('watch-event.schema.json', got.summary), [])
  })

  it('each round asks for the same probes by the round before\'s measurement, never one older than an interval', () => {
    const locs = posts(srv)
    assert.equal(locs.length, ROUNDS)
    assert.deepEqual(locs[0], [{magic: 'DE'}, {magic: 'JP'}])
    for (let r = 1; r < ROUNDS; r++) assert.equal(locs[r], idOf(r - 1), `round ${r}`)
  })
})

describe('watch --from globalping: no round measured for 8 days, the newest measurement of the probes expired (replay server, virtual clock)', () => {
  const ROUNDS = 12
  const DOWN_UNTIL = 8 // rounds 1..7 cannot be created (HTTP 503), round 8 asks with round 0's id, 8 days old
  let srv: GpReplayServer
  let got: Awaited<ReturnType<typeof watch>>

  before(async () => {
    const clock = virtualClock()
    const made = new Map<string, number>()
    const routes: GpRoute[] = [...measured(0, [FRA, TYO], made, clock.now)]
    // the API down first (it is asked nothing about ids), then a Globalping that forgets after 7 days
    routes.push({method: 'POST', path: 'measurements', status: 503, body: {error: {type: 'api_error', message: 'Service Unavailable'}}, times: DOWN_UNTIL - 1}, expiry(made, clock.now))
    for (let r = DOWN_UNTIL; r < ROUNDS; r++) routes.push(...measured(r, [FRA, TYO], made, clock.now))
    srv = await startGlobalpingReplay({routes})
    got = await watch(backendFor(srv, clock, 'DE,JP,limit=2'), ROUNDS, DAY)
  })
  after(async () => {
    await srv.close()
  })

  it('says the probes cannot be asked for again, and why, once', () => {
    const said = got.stderr.filter((l) => /no longer knows the probes of measurement 2gpttl00/.test(l))
    assert.equal(said.length, 1, got.stderr.join('\n'))
    assert.match(said[0]!, /in round 8: .*7 days.*the watch of them ends/s)
  })

  it('ends there (exit 6, the backend could not measure: EXIT.network) instead of asking with the expired id round after round', () => {
    // before: rounds 9, 10, 11 posted the same expired id again, 422 each, the watch measured nothing and exited 0
    assert.equal(posts(srv).length, DOWN_UNTIL + 1, JSON.stringify(posts(srv)))
    assert.equal(got.exitCode, EXIT.network, got.stderr.join('\n'))
    // what was measured is kept: round 0, and the rounds not measured counted as such
    assert.equal(got.summary.observations, 2)
    for (const v of got.summary.vantagePoints) assert.deepEqual([v.answered, v.lost, v.unmeasuredRounds], [1, 0, DOWN_UNTIL], v.vantageId)
  })
})

describe('watch --from globalping: a probe missing from a later measurement (replay server)', () => {
  // round 1: the Tokyo probe is not in the measurement at all; round 2: back, results in another order
  const RESULTS = [
    [FRA, TYO, SEA],
    [FRA, SEA],
    [SEA, FRA, TYO],
    [FRA, TYO, SEA],
  ]
  const POP: Record<string, string> = {DE: 'FRA', JP: 'TYO', US: 'SEA'}
  let srv: GpReplayServer
  const evs: RoundEvent[] = []

  before(async () => {
    srv = await roundEvents(RESULTS, 'DE,JP,US,limit=3', evs)
  })
  after(async () => {
    await srv.close()
  })

  const observations = (): Observation[] => evs.flatMap((e) => (e.type === 'observation' ? [e.observation] : []))

  it('every answer stays on its own probe\'s vantage point (before: Seattle\'s SEA on the Tokyo vantage point in round 1)', () => {
    for (const o of observations().filter((x) => x.answered)) {
      const cc = o.vantageId.split('.')[1]!
      // the PoP named from the NSID (ns1.de-fra.k.ripe.net -> ...FRA)
      assert.ok(o.pop?.endsWith(POP[cc]!), `${o.vantageId} round ${o.round}: ${o.pop}`)
    }
    assert.equal(observations().filter((o) => o.answered).length, 3 + 2 + 3 + 3)
  })

  it('the missing probe is its vantage point\'s own failure (E_VP_GONE, vantageFault), said, not an unanswered target', () => {
    const tokyo = observations().filter((o) => o.vantageId.startsWith('2.JP.'))
    assert.deepEqual(
      tokyo.map((o) => [o.round, o.answered, o.error ?? null, o.vantageFault ?? null]),
      [
        [0, true, null, null],
        [1, false, 'E_VP_GONE', true],
        [2, true, null, null],
        [3, true, null, null],
      ],
    )
    const notes = evs.flatMap((e) => (e.type === 'note' ? [e.text] : []))
    assert.equal(notes.filter((t) => /probe 2\.JP\.Tokyo\.AS2516 is not in round 1's measurement/.test(t)).length, 1, notes.join('\n'))
  })
})

describe('watch --from globalping: a probe gone for three rounds is its own outage, not the target\'s (replay server)', () => {
  const RESULTS = [[FRA, TYO], [FRA], [FRA], [FRA], [FRA, TYO]]
  let srv: GpReplayServer
  let got: Awaited<ReturnType<typeof watch>>

  before(async () => {
    const clock = virtualClock()
    const made = new Map<string, number>()
    srv = await startGlobalpingReplay({routes: RESULTS.flatMap((rs, r) => measured(r, rs, made, clock.now))})
    got = await watch(backendFor(srv, clock, 'DE,JP,limit=2'), RESULTS.length, 1000)
  })
  after(async () => {
    await srv.close()
  })

  it('the outage event carries vantageError E_VP_GONE (before: a plain outage, E_NO_RESULT, the alert that pages for the target)', () => {
    const outages = got.events.filter((e) => e.type === 'outage') as Array<{vantageId: string; vantageError?: string}>
    assert.deepEqual(
      outages.map((o) => [o.vantageId, o.vantageError ?? null]),
      [['2.JP.Tokyo.AS2516', 'E_VP_GONE']],
      JSON.stringify(got.events, null, 1),
    )
    const tokyo = got.summary.vantagePoints.find((v) => v.vantageId === '2.JP.Tokyo.AS2516')!
    assert.deepEqual([tokyo.answered, tokyo.lost], [2, 3])
  })
})

describe('watch --from globalping: the newest measurement unknown to Globalping all the same, an older one is (replay server)', () => {
  const ROUNDS = 4
  let srv: GpReplayServer
  let got: Awaited<ReturnType<typeof watch>>

  before(async () => {
    const clock = virtualClock()
    const made = new Map<string, number>()
    // Globalping answers 422 for round 1's id (lost, whatever the reason), round 0's is still there
    const lost: GpRoute = {method: 'POST', path: 'measurements', status: 422, when: (req) => (JSON.parse(req.body) as {locations?: unknown}).locations === idOf(1), body: {error: {type: 'no_probes_found', message: 'No matching IPv4 probes available.'}}}
    srv = await startGlobalpingReplay({routes: [lost, ...Array.from({length: ROUNDS}, (_, r) => measured(r, [FRA, TYO], made, clock.now)).flat()]})
    got = await watch(backendFor(srv, clock, 'DE,JP,limit=2'), ROUNDS, 3_600_000)
  })
  after(async () => {
    await srv.close()
  })

  it('the round asks again by the older one at once (a refused POST costs nothing): every round measured, said once', () => {
    assert.deepEqual(posts(srv).slice(1), [idOf(0), idOf(1), idOf(0), idOf(2)])
    assert.equal(got.summary.observations, 2 * ROUNDS, got.stderr.join('\n'))
    assert.equal(got.summary.unmeasuredRounds, 0)
    assert.equal(got.stderr.filter((l) => /round 2: Globalping no longer knows measurement 2gpttl01.*older one \(2gpttl00/.test(l)).length, 1, got.stderr.join('\n'))
    assert.equal(got.exitCode, 0, got.stderr.join('\n'))
  })
})

describe('watch --from globalping: a probe Globalping re-geolocates mid-watch (replay server)', () => {
  // round 1 on: the Frankfurt probe is placed in Nuremberg (same country, ASN, network)
  const NUE: Entry = {probe: {...FRA.probe, city: 'Nuremberg', latitude: 49.45, longitude: 11.08}, result: FRA.result}
  const RESULTS = [[FRA, TYO], [NUE, TYO], [NUE, TYO]]
  let srv: GpReplayServer
  const evs: RoundEvent[] = []

  before(async () => {
    srv = await roundEvents(RESULTS, 'DE,JP,limit=2', evs)
  })
  after(async () => {
    await srv.close()
  })

  it('stays the same vantage point, answered every round, its new place said once', () => {
    const de = evs.flatMap((e) => (e.type === 'observation' && e.observation.vantageId === '1.DE.Frankfurt.AS24940' ? [e.observation] : []))
    assert.deepEqual(de.map((o) => o.answered), [true, true, true])
    assert.equal(evs.filter((e) => e.type === 'vantage' && e.vantage.city === 'Nuremberg').length, 1)
    assert.equal(evs.filter((e) => e.type === 'note' && /now places probe 1\.DE\.Frankfurt\.AS24940 at Nuremberg/.test(e.text)).length, 1)
  })
})

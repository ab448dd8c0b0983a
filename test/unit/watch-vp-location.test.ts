// watch names a located vantage point's PoPs where it is, as catchment does: a netns/ssh/local
// vantage point placed with --location / --locations gets the verdict's speed-of-light check with
// each probe's RTT (catchment's one-shot children are told --vp-location for it). Before, the watch
// named every PoP as if the vantage point were nowhere: the same answer read SANTA in the watch and
// SANTACLARA in catchment from the same place, so an --expect file --learn'ed from one broke in the other.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Observation as InferObservation} from '../../src/infer/index.js'
import {verdictOfObservations} from '../../src/infer/verdict.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import type {Observation} from '../../src/model/watch.js'
import {startChild} from '../../src/vantage/live/children.js'
import {namerAt, popNamer} from '../../src/vantage/live/probe.js'

// a CHAOS identity naming a city two countries share (Santa Clara, California / Cuba): the RTT from a placed vantage point decides
const signals: InferObservation[] = [{signal: 'dns-identity', input: 'santa-clara1.example.net'}]
const SANTA_CLARA_CA = {lat: 37.35, lon: -121.95}
const vantage = (at: {lat: number; lon: number} | null): VantagePoint => ({kind: 'netns', id: 'ap-vp-sjc', name: 'ap-vp-sjc', asn: null, country: null, lat: at?.lat ?? null, lon: at?.lon ?? null})
const catchmentCode = (rttMs: number, at: {lat: number; lon: number} | null): string | null => verdictOfObservations(signals, {rttMs, vpLocation: at})?.code.toUpperCase() ?? null

describe('watch: PoPs named where the vantage point is', () => {
  it('precondition: the place decides this identity (the verdict differs placed and unplaced)', () => {
    assert.notEqual(catchmentCode(2.4, SANTA_CLARA_CA), catchmentCode(2.4, null), 'pick another identity: this one no longer depends on where the vantage point is')
  })

  it('namerAt: a placed vantage point gets the placed verdict (catchment\'s), an unplaced one the plain one', () => {
    const name = popNamer()
    const code = (n: {code: string} | null): string | null => n?.code ?? null
    assert.equal(code(namerAt(name, vantage(SANTA_CLARA_CA))(signals, 2.4)), catchmentCode(3, SANTA_CLARA_CA))
    assert.equal(code(namerAt(name, vantage(null))(signals, 2.4)), catchmentCode(2.4, null))
    // one cache for every vantage point: the unplaced reading is not served to the placed one, nor back
    assert.equal(code(namerAt(name, vantage(SANTA_CLARA_CA))(signals, 2.4)), catchmentCode(3, SANTA_CLARA_CA))
  })

  it('a netns/ssh child\'s observations are named where its vantage point is placed', async () => {
    const line = JSON.stringify({vantageId: 'x', round: 0, flow: 0, sentAt: 1_765_000_000_000, receivedAt: 1_765_000_000_002, rttMs: 2.4, pop: null, answered: true, signals})
    const seen: Observation[] = []
    const child = startChild(
      {vantage: vantage(SANTA_CLARA_CA), via: 'netns', file: 'sh', args: ['-c', `printf '%s\\n' '${line}'`], command: 'anyprobe', name: popNamer(), stopGraceMs: 1000},
      (o) => seen.push(o),
      () => {},
    )
    const end = await child.done
    assert.equal(end.failure, null)
    assert.equal(seen.length, 1)
    assert.equal(seen[0]!.pop, catchmentCode(3, SANTA_CLARA_CA))
  })
})

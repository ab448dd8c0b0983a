// The fast paths of the Atlas report path must be invisible: enrichAtlasOutcomes (one wait per
// batch, hops built synchronously) gives exactly what the plain composition gives (enrichHops per
// trace, the target's reverse name, inferAtlasPop), over the shared corpus traceroutes named with
// the corpus router names, with and without a vantage location, an ASN lookup and a resolver that
// answers null for some addresses.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {AsnLookup} from '../../src/enrich/asn.js'
import type {ReverseResolver} from '../../src/enrich/rdns.js'
import {enrichHops} from '../../src/enrich/trace.js'
import {hostnameHint, popExplanation} from '../../src/infer/index.js'
import type {TraceResult} from '../../src/model/trace.js'
import {enrichAtlasOutcomes, explainAtlasPop, inferAtlasPop, memoHint, parseAtlasResult} from '../../src/vantage/atlas/index.js'
import type {ProbeResult, VantageOutcome} from '../../src/vantage/types.js'

/** The verdict and, beside it, why there is none (popReason, popRejected), as every result carries them. */
function withPop<T extends ProbeResult>(r: T): T {
  return r.kind === 'ping' ? {...r, pop: inferAtlasPop(r)} : {...r, pop: inferAtlasPop(r), ...popExplanation(explainAtlasPop(r))}
}
import {corpusPath} from '../helpers/shared.js'

const CORPUS = corpusPath()
const FIXTURE = fileURLToPath(new URL('../fixtures/atlas/results-3606560.json', import.meta.url))

/** The straightforward composition the batch path replaces: one enrichHops per trace. */
async function reference(outcomes: readonly VantageOutcome[], rdns: ReverseResolver, asn: AsnLookup): Promise<VantageOutcome[]> {
  return Promise.all(
    outcomes.map(async (oc) => {
      const r = oc.result
      if (r === null) return oc
      if (r.kind !== 'trace') return {...oc, result: withPop(r)}
      const [hops, targetHostname] = await Promise.all([enrichHops(r.hops, {rdns, asn, hint: hostnameHint}), rdns.reverse(r.targetAddr)])
      const t: TraceResult = {...r, hops, targetHostname}
      return {...oc, result: withPop(t)}
    }),
  )
}

function rawResults(): Array<Record<string, unknown>> {
  const own = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Array<Record<string, unknown>>
  if (!existsSync(CORPUS)) return own
  const kinds = ['traceroute', 'dns', 'http', 'ping']
  const corpus = kinds.flatMap((k) => (JSON.parse(readFileSync(`${CORPUS}atlas_results/${k}.json`, 'utf8')) as {entries: Array<{input: Record<string, unknown>}>}).entries.map((e) => e.input))
  return [...own, ...corpus]
}

function routerNames(): string[] {
  const own = ['ae1-0.cr1.fra03.transit.example', 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', 'be3041.ccr41.ams03.atlas.cogentco.com', 'core1.ash1.he.net']
  if (!existsSync(CORPUS)) return own
  const corpus = (JSON.parse(readFileSync(`${CORPUS}router_hostnames.json`, 'utf8')) as {entries: Array<{input: {hostname: string}}>}).entries.map((e) => e.input.hostname)
  return [...own, ...corpus]
}

describe('enrichAtlasOutcomes', () => {
  it('gives what enrichHops + inferAtlasPop per trace give, over the corpus results named with corpus router names', async () => {
    const raws = rawResults()
    const names = routerNames()
    const asn: AsnLookup = {lookup: (a) => (a.endsWith('1') ? {asn: 64500 + a.length, org: `org ${a.length}`} : null)}
    let compared = 0
    for (let shift = 0; shift < 40; shift++) {
      // a deterministic resolver: some addresses have no name, the rest one of the corpus names
      const rdns: ReverseResolver = {
        reverse: async (a) => {
          const h = [...a].reduce((x, ch) => (x * 31 + ch.charCodeAt(0)) >>> 0, shift)
          return h % 5 === 0 ? null : names[h % names.length]!
        },
      }
      const outcomes: VantageOutcome[] = []
      for (const [i, raw] of raws.entries()) {
        for (const oc of parseAtlasResult(structuredClone(raw)).outcomes) {
          // half the batches from probes with a known place, so the RTT bound takes part
          if (shift % 2 === 1) oc.vantage = {...oc.vantage, lat: -50 + ((i * 37 + shift * 11) % 100), lon: -170 + ((i * 53 + shift * 7) % 340)}
          outcomes.push(oc)
        }
      }
      const want = await reference(outcomes, rdns, asn)
      const got = await enrichAtlasOutcomes(outcomes, {rdns, asn, hint: shift % 3 === 0 ? undefined : memoHint()})
      assert.deepEqual(got, want, `shift ${shift}`)
      assert.equal(JSON.stringify(got), JSON.stringify(want), `shift ${shift}: same key order`)
      compared += got.length
    }
    // with the shared corpus beside the repository (as in CI) hundreds; without it, the fixture's own two results
    assert.ok(compared >= 40 * (existsSync(CORPUS) ? 10 : 2), `only ${compared} outcomes compared`)
  })

  it('a resolver that fails fails the batch, as before', async () => {
    const outcomes = parseAtlasResult((JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[])[0]).outcomes
    const rdns: ReverseResolver = {reverse: async () => Promise.reject(new Error('resolver down'))}
    await assert.rejects(enrichAtlasOutcomes(outcomes, {rdns}), /resolver down/)
  })
})

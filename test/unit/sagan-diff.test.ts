// A differential test against RIPE's own result parser: real results from ripe.atlas.sagan's test
// suite (test/fixtures/sagan/, see its README) and the shared corpus, each field anyprobe reads
// compared with the value sagan's tests assert. A field anyprobe's model does not carry is named
// as such (never silently skipped); every other difference fails.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {HttpResult} from '../../src/model/http.js'
import type {PingResult} from '../../src/model/ping.js'
import type {TraceResult} from '../../src/model/trace.js'
import {type AtlasParsed, parseAtlasResult} from '../../src/vantage/atlas/parse.js'

const FIX = fileURLToPath(new URL('../fixtures/sagan/', import.meta.url))
// beside the repository (as for test/unit/atlas-parse.test.ts), or where the shared material lives
const CORPUS = [fileURLToPath(new URL('../../../shared/corpus/atlas_results/', import.meta.url)), '/work/shared/corpus/atlas_results/'].find((d) => existsSync(d)) ?? ''

interface Case {
  test: string
  result: Record<string, unknown>
  sagan: Record<string, unknown>
}
const load = (f: string): Case[] => (JSON.parse(readFileSync(FIX + f, 'utf8')) as {results: Case[]}).results

/** sagan's isoformat() ("2012-06-24T07:45:08+00:00") as ISO 8601 in UTC with ms */
const iso = (s: unknown): string | null => (typeof s === 'string' ? new Date(Date.parse(s)).toISOString() : null)
const median = (xs: Array<number | null>): number | null => {
  const s = xs.filter((x): x is number => x !== null).sort((a, b) => a - b)
  if (s.length === 0) return null
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : Math.round(((s[m - 1]! + s[m]!) / 2) * 1000) / 1000
}

type Reader = (p: AtlasParsed) => unknown
const NOT_IN_MODEL = Symbol('not in the model')

/** Compare each sagan value with what `readers` read from our parse; returns the differences. */
function diff(c: Case, p: AtlasParsed, readers: Record<string, Reader | typeof NOT_IN_MODEL>, tally: {same: number; unmodelled: Set<string>}): string[] {
  const out: string[] = []
  for (const [field, want] of Object.entries(c.sagan)) {
    const read = readers[field]
    if (read === undefined) {
      out.push(`${c.test}: no reader for sagan field ${field}`)
      continue
    }
    if (read === NOT_IN_MODEL) {
      tally.unmodelled.add(field)
      continue
    }
    const got = read(p)
    try {
      assert.deepEqual(got, want)
      tally.same++
    } catch {
      out.push(`${c.test}: ${field}: sagan ${JSON.stringify(want)}, anyprobe ${JSON.stringify(got)}`)
    }
  }
  return out
}

const common: Record<string, Reader> = {
  origin: (p) => p.meta.origin,
  firmware: (p) => p.meta.firmware,
  measurement_id: (p) => p.meta.msmId,
  probe_id: (p) => p.meta.probeId,
  created: (p) => p.meta.createdAt,
  destination_name: (p) => p.meta.dstName,
  destination_address: (p) => p.meta.dstAddr,
  is_malformed: (p) => p.status === 'malformed',
}

const pingOf = (p: AtlasParsed): PingResult => p.outcomes[0]!.result as PingResult
const httpOf = (p: AtlasParsed): HttpResult[] => p.outcomes.map((o) => o.result as HttpResult)
const traceOf = (p: AtlasParsed): TraceResult => p.outcomes[0]!.result as TraceResult

describe('differential: anyprobe\'s Atlas parser against ripe.atlas.sagan\'s asserted values', () => {
  const report = (name: string, t: {same: number; unmodelled: Set<string>}, n: number): void => {
    console.log(`# ${name}: ${n} results, ${t.same} fields identical to sagan; not in anyprobe's model: ${[...t.unmodelled].join(', ') || 'none'}`)
  }

  it('ping (firmware 0, 1 and 4460-4560)', () => {
    const tally = {same: 0, unmodelled: new Set<string>()}
    const cases = load('ping.json')
    const problems: string[] = []
    for (const c of cases) {
      const p = parseAtlasResult(c.result)
      problems.push(
        ...diff({...c, sagan: {...c.sagan, created: iso(c.sagan.created)}}, p, {
          ...common,
          af: (q) => pingOf(q).family,
          rtt_average: (q) => pingOf(q).avgMs,
          rtt_min: (q) => pingOf(q).minMs,
          rtt_max: (q) => pingOf(q).maxMs,
          rtt_median: (q) => median(pingOf(q).rttMs),
          packets_received: (q) => pingOf(q).received,
          packets_sent: (q) => pingOf(q).sent,
          packets_rtt: (q) => pingOf(q).rttMs,
        }, tally),
      )
    }
    report('ping', tally, cases.length)
    assert.deepEqual(problems, [])
    assert.ok(tally.same >= 120)
  })

  it('http (firmware 0/1 malformed, firmware 1 text form, 4430-4520)', () => {
    const tally = {same: 0, unmodelled: new Set<string>()}
    const cases = load('http.json')
    const problems: string[] = []
    for (const c of cases) {
      const p = parseAtlasResult(c.result)
      problems.push(
        ...diff({...c, sagan: {...c.sagan, ...(c.sagan.created ? {created: iso(c.sagan.created)} : {})}}, p, {
          ...common,
          // the URL: sagan's uri, or (none given) ours is the address fetched from
          uri: (q) => (q.status === 'ok' && typeof c.result.uri === 'string' ? httpOf(q)[0]!.url : null),
          method: (q) => httpOf(q)[0]!.method,
          responses: (q) =>
            httpOf(q).map((h, i) => ({
              af: (c.sagan.responses as Array<{af: unknown}>)[i]!.af, // not in the model (the address says it)
              body_size: h.bodyBytes,
              destination_address: h.targetAddr,
              code: h.status,
              response_time: h.timings.totalMs,
              version: h.httpVersion === '' ? null : h.httpVersion,
            })),
        }, tally),
      )
    }
    report('http', tally, cases.length)
    assert.deepEqual(problems, [])
    assert.ok(tally.same >= 50)
  })

  it('traceroute (firmware 4460, 4480)', () => {
    const tally = {same: 0, unmodelled: new Set<string>()}
    const cases = load('traceroute.json')
    const problems: string[] = []
    for (const c of cases) {
      const p = parseAtlasResult(c.result)
      problems.push(
        ...diff({...c, sagan: {...c.sagan, end_time: iso(c.sagan.end_time)}}, p, {
          ...common,
          af: (q) => traceOf(q).family,
          end_time: (q) => q.meta.endTime,
          paris_id: (q) => traceOf(q).flowId,
          protocol: (q) => traceOf(q).protocol.toUpperCase(),
          total_hops: (q) => traceOf(q).hops.length,
          hop3_index: (q) => traceOf(q).hops[3]!.ttl,
          hop3_packet0_origin: (q) => traceOf(q).hops[3]!.replies[0]!.addr,
          hop3_packet1_rtt: (q) => traceOf(q).hops[3]!.rttMs[1],
          last_hop_index: (q) => traceOf(q).hops.at(-1)!.ttl,
          ip_path_3_1: (q) => traceOf(q).hops[3]!.replies[1]!.addr,
        }, tally),
      )
    }
    report('traceroute', tally, cases.length)
    assert.deepEqual(problems, [])
  })

  it('the shared corpus: the fields every result has are sagan\'s, and no entry throws', {skip: CORPUS === '' ? 'no shared corpus' : false}, () => {
    const simple: Record<string, Reader> = {...common, seconds_since_sync: (p) => p.meta.lts === -1 ? null : p.meta.lts}
    let same = 0
    let results = 0
    const problems: string[] = []
    for (const f of ['dns.json', 'http.json', 'ntp.json', 'ping.json', 'sslcert.json', 'traceroute.json']) {
      const entries = (JSON.parse(readFileSync(CORPUS + f, 'utf8')) as {entries: Array<{id: string; input: unknown; expected: {checks?: Array<{expr: string; op?: string; value?: unknown}>}}>}).entries
      for (const e of entries) {
        results++
        const p = parseAtlasResult(e.input)
        for (const ch of e.expected.checks ?? []) {
          const field = ch.expr === 'created.isoformat()' ? 'created' : ch.expr
          const read = simple[field]
          if (read === undefined || (ch.op !== '==' && ch.op !== 'is')) continue
          // sagan reads a malformed result's fields too; anyprobe only says it is malformed
          if (p.status === 'malformed' && field !== 'is_malformed') continue
          const want = field === 'created' ? iso(ch.value) : ch.value
          const got = read(p)
          if (JSON.stringify(got) === JSON.stringify(want)) same++
          else problems.push(`${e.id}: ${field}: sagan ${JSON.stringify(want)}, anyprobe ${JSON.stringify(got)}`)
        }
      }
    }
    console.log(`# corpus: ${results} results, ${same} common fields identical to sagan`)
    assert.deepEqual(problems, [])
    assert.ok(results >= 61 && same >= 140, `${results} results, ${same} fields`)
  })
})

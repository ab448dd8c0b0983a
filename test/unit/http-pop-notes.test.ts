// What the http text and JSON say about where the PoP came from.
// 1. `--pop-header X-Nope` on a response without it: the PoP silently came from cf-ray, with
//    popHeaders ["x-nope"] in the JSON and no word that the operator's own header was missing. Now
//    popNotes (JSON, schema) and a `note:` line above the PoP say so, and where the PoP came from.
// 2. `--follow` to another host: the final response's `cf-ray ...-SYD` was printed right above
//    `PoP: unknown (cf-ray carries no PoP code)`, a reason about the redirect's cf-ray. Now each
//    header table says whose response it is, the one the PoP is read from last, above the PoP.
// Servers on 127.0.0.1 and 127.0.0.2 (loopback only); the header shapes are Cloudflare's (a ray id
// with its -IATA suffix, and a redirect's bare id as some edges send on a 301).
import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import {after, before, describe, it} from 'node:test'

import {normalizeHttpTarget} from '../../src/engines/http/probe.js'
import {isPopHeader} from '../../src/infer/index.js'
import type {PopVerdict} from '../../src/model/pop.js'
import {type HttpPlan, popHeaderNotes, probeHttpTarget} from '../../src/pipeline/http.js'
import {renderHttp} from '../../src/render/http.js'
import {schemaErrors} from '../helpers/schema.js'

const plan = (url: string, more: Partial<HttpPlan> = {}): HttpPlan => ({
  url: normalizeHttpTarget(url), method: 'GET', host: null, headers: {}, insecure: false, timeoutMs: 3000,
  follow: false, cfTrace: false, popHeaders: [], vpLocation: null, ...more,
})

const syd = {code: 'syd', evidence: [{signal: 'http-header', input: 'cf-ray: 8a1b2c3d4e5f6789-SYD', code: 'syd', weight: 0.95}]} as unknown as PopVerdict

describe('popHeaderNotes', () => {
  it('a missing or empty --pop-header says so and where the PoP came from; one that is there says nothing', () => {
    assert.deepEqual(popHeaderNotes(['x-nope'], {'cf-ray': '8a1b2c3d4e5f6789-SYD'}, syd, null), [
      '--pop-header x-nope is not in the response: the PoP SYD was read from cf-ray instead',
    ])
    assert.match(popHeaderNotes(['x-pop'], {'x-pop': '  '}, syd, null)[0]!, /^--pop-header x-pop is empty in the response/)
    assert.deepEqual(popHeaderNotes(['x-pop'], {'x-pop': 'FRA'}, syd, null), [])
    assert.deepEqual(popHeaderNotes([], {}, syd, null), [])
    assert.deepEqual(popHeaderNotes(['x-nope'], {}, null, 0), [
      "--pop-header x-nope is not in redirect 1's response (the target's, which the PoP is read from): no PoP came from the other headers either",
    ])
    // a header named like a prototype member is no header of the response
    assert.equal(popHeaderNotes(['constructor'], {}, null, null).length, 1)
  })
})

describe('popHeaderNotes names only the headers the PoP was read from', () => {
  // audit-cli 10: "the PoP FRA was read from cf-ray, x-served-by" when x-served-by was not read at
  // all (control characters in its value): evidence set aside (no code, no weight) is no source
  it('a header not read (control characters) or read with no code is not named; one read is', async () => {
    const {inferPopExplained} = await import('../../src/infer/index.js')
    const {verdict} = inferPopExplained(
      [
        {signal: 'http-header', header: 'cf-ray', input: '8a1b2c3d4e5f6789-FRA'},
        {signal: 'http-header', header: 'x-served-by', input: 'cache-fra\u0007-FRA'},
      ] as never,
      {vpLocation: null, rttMs: null},
    )
    assert.equal(verdict?.code, 'fra')
    assert.ok(verdict!.evidence.some((e) => e.input.startsWith('x-served-by')), 'the set-aside header is in the evidence (the case of the finding)')
    assert.deepEqual(popHeaderNotes(['x-pop'], {'cf-ray': '8a1b2c3d4e5f6789-FRA'}, verdict, null), ['--pop-header x-pop is not in the response: the PoP FRA was read from cf-ray instead'])
  })
})

describe('http text and JSON: where the PoP came from', () => {
  let target: Server
  let other: Server
  let home = 0
  let away = 0
  before(async () => {
    // the other service's edge, on another address: its cf-ray names SYD
    other = createServer((_q, r) => r.writeHead(200, {'cf-ray': '8a1b2c3d4e5f6789-SYD', server: 'cloudflare'}).end('x'))
    await new Promise<void>((res) => other.listen(0, '127.0.0.2', () => res()))
    away = (other.address() as {port: number}).port
    target = createServer((q, r) => {
      if (q.url === '/away') r.writeHead(301, {location: `http://127.0.0.2:${away}/`, 'cf-ray': '8a1b2c3d4e5f6789', server: 'cloudflare'}).end()
      else r.writeHead(200, {'cf-ray': '8a1b2c3d4e5f6789-SYD', server: 'cloudflare'}).end('x')
    })
    await new Promise<void>((res) => target.listen(0, '127.0.0.1', () => res()))
    home = (target.address() as {port: number}).port
  })
  after(() => {
    target.close()
    other.close()
  })

  it('--pop-header missing: popNotes in the JSON (schema) and a note right above the PoP', async () => {
    const r = await probeHttpTarget(plan(`http://127.0.0.1:${home}/`, {popHeaders: ['x-nope']}))
    assert.equal(r.pop?.code, 'syd')
    assert.deepEqual(r.popNotes, ['--pop-header x-nope is not in the response: the PoP SYD was read from cf-ray instead'])
    assert.deepEqual(schemaErrors('http.schema.json', r), [])
    const lines = renderHttp(r).split('\n')
    const at = lines.findIndex((l) => l.startsWith('PoP: SYD'))
    assert.equal(lines[at - 1], 'note: --pop-header x-nope is not in the response: the PoP SYD was read from cf-ray instead')
    // with the header there, no note
    const none = await probeHttpTarget(plan(`http://127.0.0.1:${home}/`, {popHeaders: ['cf-ray']}))
    assert.deepEqual(none.popNotes, [])
    assert.doesNotMatch(renderHttp(none), /note: /)
  })

  it('--follow to another host: the header table above the PoP is the redirect\'s, whose cf-ray the reason speaks of; the final one is labelled', async () => {
    const r = await probeHttpTarget(plan(`http://127.0.0.1:${home}/away`, {follow: true, popHeaders: ['x-nope']}))
    assert.equal(r.popFrom?.index, 0)
    assert.equal(r.pop, null)
    assert.match(r.popReason ?? '', /cf-ray/)
    assert.deepEqual(schemaErrors('http.schema.json', r), [])
    const text = renderHttp(r, isPopHeader)
    const lines = text.split('\n')
    const pop = lines.findIndex((l) => l.startsWith('PoP: '))
    const hopLabel = lines.findIndex((l) => l.startsWith("redirect 1's response (127.0.0.1, the target's; the PoP below is read from it)"))
    const finalLabel = lines.findIndex((l) => l.startsWith("final response (127.0.0.2, another service's edge; not read for the PoP)"))
    assert.ok(finalLabel >= 0 && hopLabel > finalLabel && pop > hopLabel, text)
    // between the redirect's label and the PoP: its own cf-ray (no PoP code), not the final one's SYD
    const between = lines.slice(hopLabel, pop).join('\n')
    assert.match(between, /cf-ray\s+8a1b2c3d4e5f6789$/m)
    assert.doesNotMatch(between, /SYD/)
    assert.match(lines.slice(finalLabel, hopLabel).join('\n'), /cf-ray\s+8a1b2c3d4e5f6789-SYD/)
    // the target's own timings are shown too (the timing line is the final response's, another edge's)
    assert.match(text, /^timing of redirect 1 \(the target's\): dns - \| connect [\d.]+ ms \|/m)
    // and the --pop-header note names the redirect's response, the one the PoP is read from
    assert.match(between, /note: --pop-header x-nope is not in redirect 1's response/)
  })
})

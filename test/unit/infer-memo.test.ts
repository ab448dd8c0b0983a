// The inference caches must be invisible: every cached answer equals the uncached one, callers
// cannot change what the cache holds, and the caches stay bounded.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {hostnameCandidates, hostnameCandidatesUncached, hostnameHint, hostnameHints, sharedHostnameCandidates} from '../../src/infer/hostname.js'
import {inferPopExplained, toHint, type Observation} from '../../src/infer/index.js'
import {boundedMemo} from '../../src/util/memo.js'
import {corpusPath} from '../helpers/shared.js'

const CORPUS = corpusPath('router_hostnames.json')

/** Synthetic names in every shape the reader distinguishes, plus the shared corpus when it is there. */
function names(): string[] {
  const own = [
    'ae1-0.cr1.fra03.transit.example',
    'et-0-0-0.edge1.frankfurt1.pop.anycast.example',
    'be3041.ccr41.ams03.atlas.cogentco.com',
    'ae-2.r21.amstnl02.nl.bb.gin.ntt.net',
    '100ge0-35.core2.cph1.he.net',
    'core1.ash1.he.net',
    'ntt-ic-337606-sea-b2.c.telia.net',
    'ffm-bb2-link.ip.twelve99.net',
    'ec2-3-5-140-1.eu-central-1.compute.amazonaws.com',
    'xe-1.cr1.luxembourg.example.net',
    'nto-new-york.example.net',
    'LosAngeles9.example.net',
    '0.ae2.pr0.nyc20.tbone.rr.com',
    'unn-1.2.3.4.example.net',
    'cgn1.example.net',
    'cr0-ema1.example.net',
    '"fra1.example.net."',
    'a.b.c',
    '',
    '.',
    'x'.repeat(300) + '.fra.net',
  ]
  if (!existsSync(CORPUS)) return own
  const corpus = (JSON.parse(readFileSync(CORPUS, 'utf8')) as {entries: Array<{input: {hostname: string}}>}).entries.map((e) => e.input.hostname)
  return [...own, ...corpus]
}

describe('hostname reading memo', () => {
  it('gives what the uncached reader gives, on the first call and on later ones', () => {
    for (const n of names()) {
      const fresh = hostnameCandidatesUncached(n)
      for (let pass = 0; pass < 3; pass++) {
        assert.deepEqual(hostnameCandidates(n), fresh, `${n} (pass ${pass})`)
        assert.deepEqual([...sharedHostnameCandidates(n)], fresh, `${n} (shared, pass ${pass})`)
        assert.deepEqual(hostnameHints(n), fresh.map(toHint), n)
        assert.deepEqual(hostnameHint(n), fresh[0] === undefined ? null : toHint(fresh[0]), n)
      }
    }
  })

  it('hands out copies: a caller that changes its readings does not change the next answer', () => {
    const n = 'ae1-0.cr1.fra03.transit.example'
    const first = hostnameCandidates(n)
    assert.ok(first.length > 0)
    for (const c of first) {
      c.note = 'changed'
      c.confidence = 0
    }
    first.length = 0
    assert.deepEqual(hostnameCandidates(n), hostnameCandidatesUncached(n))
  })

  it('the shared readings cannot be changed', () => {
    const shared = sharedHostnameCandidates('ae1-0.cr1.fra03.transit.example')
    assert.ok(shared.length > 0)
    assert.throws(() => {
      ;(shared[0] as {note: string}).note = 'changed'
    }, TypeError)
    assert.throws(() => (shared as unknown[]).push(null), TypeError)
  })

  it('fusion reads the shared readings without changing them (inner-proxy notes go on copies)', () => {
    const obs: Observation[] = [
      {signal: 'hop-hostname', input: 'ae1-0.cr1.fra03.transit.example', distance: 1},
      {signal: 'hop-hostname', input: 'et-0-0-0.edge1.frankfurt1.pop.anycast.example', distance: 2},
      {signal: 'dest-hostname', input: 'fra1.example.net'},
      // Cloudflare in front of Vercel: the Vercel header becomes an inner proxy and its notes change
      {signal: 'http-header', header: 'cf-ray', input: '8a1b2c3d4e5f6789-FRA'},
      {signal: 'http-header', header: 'x-vercel-id', input: 'fra1::iad1::abcd-1700000000000-0123456789ab'},
      {signal: 'user', header: 'X-Site', input: 'ams03.example.net'},
    ]
    const before = obs.map((o) => hostnameCandidatesUncached(o.input))
    const first = inferPopExplained(obs, {vpLocation: {lat: 50.1, lon: 8.7}, rttMs: 3})
    for (let i = 0; i < 3; i++) assert.deepEqual(inferPopExplained(obs, {vpLocation: {lat: 50.1, lon: 8.7}, rttMs: 3}), first)
    assert.ok(first.verdict !== null)
    assert.ok([...first.verdict.evidence, ...first.verdict.conflicts].some((e) => e.note.includes('inner proxy')), 'the inner-proxy path ran')
    obs.forEach((o, i) => assert.deepEqual([...sharedHostnameCandidates(o.input)], before[i], o.input))
  })
})

describe('boundedMemo', () => {
  it('computes each key once while it is held', () => {
    let calls = 0
    const m = boundedMemo(10, (k) => {
      calls++
      return k.length === 0 ? undefined : k.toUpperCase()
    })
    assert.equal(m('fra'), 'FRA')
    assert.equal(m('fra'), 'FRA')
    assert.equal(m(''), undefined)
    assert.equal(m(''), undefined, 'an undefined value is a hit too')
    assert.equal(calls, 2)
  })

  it('holds at most max entries: past the bound it starts over', () => {
    let calls = 0
    const m = boundedMemo(3, (k) => {
      calls++
      return k
    })
    for (const k of ['a', 'b', 'c']) m(k)
    assert.equal(m.size, 3)
    m('a')
    assert.equal(calls, 3, 'a is held')
    m('d') // a 4th key: the memo starts over and holds only d
    assert.equal(m.size, 1)
    assert.equal(calls, 4)
    m('a')
    assert.equal(calls, 5, 'a was dropped')
    for (let i = 0; i < 1000; i++) {
      m(`k${i}`)
      assert.ok(m.size <= 3, `size ${m.size}`)
    }
  })
})

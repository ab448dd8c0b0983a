// Hostname readings that need context: customer/access-line names (a short line word is not an
// airport), and country/state labels or a country-code TLD beside a spelled city. The reviewer's
// names (round 4) and more of the same kind, none of them in the corpus.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {hostnameCandidates as hostnameCandidatesOf} from '../../src/infer/hostname.js'
import {hostnameHint, inferPop} from '../../src/infer/index.js'

/** The place a name is confidently read as (>= 0.5), or null: what an operator would be told. */
function confidentCity(name: string): string | null {
  const h = hostnameHint(name)
  return h !== null && h.city !== null && h.confidence >= 0.5 ? `${h.city}, ${h.country}` : null
}

/** The verdict for the name as a destination (what `geohint` reports). */
function verdict(name: string): {city: string | null; country: string | null; confidence: number} | null {
  const v = inferPop([{signal: 'dest-hostname', input: name}])
  return v === null ? null : {city: v.city, country: v.country, confidence: v.confidence}
}

describe('access-line names: a short line word is not an airport', () => {
  it("the reviewer's names: no confident Resistencia / Chapelco", () => {
    assert.equal(confidentCity('syn-098-123-045-067.res.spectrum.com'), null)
    assert.equal(confidentCity('cpc1-lutn1-2-0-cust123.9-3.cable.virginm.net'), null)
    const v = verdict('syn-098-123-045-067.res.spectrum.com')
    assert.ok(v === null || v.city === null || v.confidence < 0.5, JSON.stringify(v))
  })

  it('a metro code beside the line word wins over an obscure airport ("nyc" of cpe-...nyc.res.rr.com)', () => {
    assert.equal(confidentCity('cpe-70-1-2-3.nyc.res.rr.com'), 'New York, US')
    assert.equal(verdict('cpe-70-1-2-3.nyc.res.rr.com')?.city, 'New York')
    assert.equal(confidentCity('cpe-98-1-2-3.chi.res.example.net'), 'Chicago, US')
    assert.equal(confidentCity('host-81-2-3-4.lon.res.example.net'), 'London, GB')
  })

  it('more access names: an embedded address or a line word makes a small airport code need support', () => {
    for (const n of [
      'cpe-24-1-2-3.res.rr.com',
      'syn-071-002-003-004.res.example-cable.com',
      'dsl-81-2-3-4.cpc.example-isp.net',
      'cpe-70-1-2-3.socal.res.rr.com',
    ]) {
      assert.equal(confidentCity(n), null, n)
    }
  })

  it('a large airport in an access name is still read, with less confidence', () => {
    // ("man" itself is a network word there: see hostname-operators.test.ts)
    const h = hostnameHint('host-203-0-113-7.lhr.example-broadband.net')
    assert.equal(h?.city, 'London')
    assert.ok(h!.confidence < 0.8, String(h!.confidence))
  })

  it('a site-code shape in a label of its own stays trusted beside an embedded address (CDN server names)', () => {
    assert.equal(confidentCity('server-81-2-3-4.bzn3.example-cdn.net'), 'Bozeman, US')
    assert.equal(confidentCity('ip-10-20-30-40.yqr1.example-cdn.net'), 'Regina, CA')
  })

  it('backbone names are unchanged: interface numbers are not an embedded address', () => {
    assert.equal(confidentCity('xe-0-6-0-15.cr1.bzn1.example.net'), 'Bozeman, US')
    const h = hostnameHint('xe-0-6-0-15.cr1.bzn1.example.net')
    assert.ok(h!.confidence >= 0.8, String(h!.confidence))
  })
})

describe('country / state labels and the country-code TLD beside a city', () => {
  it('a state label picks the same-named US city over the famous one ("paris.tx")', () => {
    assert.equal(confidentCity('ae0.br1.paris.tx.example.net'), 'Paris, US')
    assert.equal(confidentCity('ae1.br2.berlin.nh.example.net'), 'Berlin, US')
    const v = verdict('ae0.br1.paris.tx.example.net')
    assert.equal(v?.country, 'US')
  })

  it('a city in another country than the state label says stays below 0.5', () => {
    for (const n of ['ae0.br1.paris.tx.example.net', 'ae1.br2.berlin.nh.example.net']) {
      const foreign = hostnameCandidatesOf(n).filter((c) => c.country !== 'US')
      assert.ok(foreign.length > 0, n)
      for (const c of foreign) assert.ok(c.confidence < 0.5, `${n}: ${c.city} ${c.country} ${c.confidence}`)
    }
  })

  it('a small town abroad is not read from a ccTLD name ("thorn1.nsw.optusnet.com.au" is not Thorn, NL)', () => {
    assert.equal(confidentCity('c211-1-2-3.thorn1.nsw.optusnet.com.au'), null)
    assert.equal(confidentCity('cr1.wells.example.com.au'), null)
    assert.equal(confidentCity('core.dover.example.de'), null)
    assert.equal(confidentCity('gw1.bree.example.nl'), null)
  })

  it('an Australian state label in an .au name is context: the site keeps the country, a foreign namesake loses', () => {
    const thorn = hostnameHint('c211-1-2-3.thorn1.nsw.optusnet.com.au')
    assert.equal(thorn?.city, null)
    assert.equal(thorn?.country, 'AU')
    assert.equal(confidentCity('gw.richmond.vic.example.com.au'), 'Richmond, AU')
    assert.equal(confidentCity('xe-1.core.perth.wa.example.com.au'), 'Perth, AU')
    for (const c of hostnameCandidatesOf('gw.richmond.vic.example.com.au')) {
      if (c.country !== 'AU') assert.ok(c.confidence < 0.5, `${c.city} ${c.country} ${c.confidence}`)
    }
  })

  it('a big city abroad still reads from a ccTLD name (routers abroad are common)', () => {
    assert.equal(confidentCity('xe-1.core.london.example.nl'), 'London, GB')
    assert.equal(confidentCity('ae1.frankfurt.example.se'), 'Frankfurt am Main, DE')
    assert.equal(confidentCity('gw1.perth.example.co.uk'), 'Perth, GB')
  })
})

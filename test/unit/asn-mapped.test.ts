// IPv4-mapped IPv6 addresses (::ffff:192.0.2.1: what a dual-stack socket reports for an IPv4 peer,
// and what a Globalping or RIPE Atlas result or a saved file may carry) are the IPv4 address they
// map. By its text such an address was classed 'reserved' (so the answering-address rule never
// looked it up: no edge trust), skipped an IPv4-only --asn-db, and counted as another target than
// the same address written as IPv4. Offline: the bundled GeoLite2 ASN database, no traffic.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import maxmind, {type Response} from 'maxmind'

import {familyOf} from '../../src/analysis/catchment.js'
import {targetKey} from '../../src/analysis/one-target.js'
import {answeringAsn} from '../../src/enrich/answer-asn.js'
import {bundledAsnDbPath, bundledAsnLookup, MmdbAsnLookup} from '../../src/enrich/asn.js'
import type {ProbeResult} from '../../src/model/probe.js'
import {isPublicAddress, unmappedText} from '../../src/util/target.js'

// Google Public DNS's 8.8.8.0/24: a range the bundled database holds (checked below, not assumed)
const V4 = '8.8.8.8'
const MAPPED = [`::ffff:${V4}`, '::ffff:808:808', '0:0:0:0:0:FFFF:0808:0808']

describe('IPv4-mapped IPv6 addresses are looked up as the IPv4 address they map', () => {
  it('unmappedText: the dotted quad of every spelling; other addresses as given', () => {
    for (const m of MAPPED) assert.equal(unmappedText(m), V4)
    for (const other of [V4, '2001:db8::ffff', '::1', 'ffff::1', 'not an address']) assert.equal(unmappedText(other), other)
  })

  it('a mapped public address is public', () => {
    assert.equal(isPublicAddress(V4), true)
    for (const m of MAPPED) assert.equal(isPublicAddress(m), true, m)
    assert.equal(isPublicAddress('::ffff:192.168.1.1'), false)
  })

  it('the answering-address rule (edge trust) finds the network of a mapped answering address', async () => {
    const db = await bundledAsnLookup()
    const plain = answeringAsn(V4, db)
    assert.ok(plain !== null && plain.asn > 0, 'the bundled database holds 8.8.8.8')
    for (const m of MAPPED) assert.deepEqual(answeringAsn(m, db), plain, m)
  })

  it('an IPv4-only database (ipVersion 4, as per-family ASN files are) answers a mapped address', async () => {
    const path = await bundledAsnDbPath()
    assert.ok(path !== null, 'the bundled GeoLite2 ASN database is present')
    const reader = await maxmind.open<Response>(path, {watchForUpdates: false})
    // the bundled reader, declared to hold IPv4 only: what a user's IPv4 file is to the lookup
    const v4only = new MmdbAsnLookup([{path, ipVersion: 4, get: (a) => reader.get(a)}])
    const plain = v4only.lookup(V4)
    assert.ok(plain !== null)
    for (const m of MAPPED) assert.deepEqual(v4only.lookup(m), plain, m)
  })

  it('a mapped target is the same target, measured over IPv4', () => {
    for (const m of MAPPED) assert.equal(targetKey(m), targetKey(V4), m)
    const r = {kind: 'ping', targetAddr: MAPPED[0]} as unknown as ProbeResult
    assert.equal(familyOf(r), 4)
  })
})

import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import {openAsnLookup} from '../../src/enrich/asn.js'
import {CachedReverseResolver} from '../../src/enrich/rdns.js'
import {enrichHops} from '../../src/enrich/trace.js'
import {AnyprobeError} from '../../src/model/errors.js'
import type {TraceHop} from '../../src/model/trace.js'
import {type DnsTestServer, startDnsServer} from '../helpers/dns-server.js'

describe('ASN lookup (bundled GeoLite2 ASN, offline)', () => {
  it('finds the origin AS of public IPv4 and IPv6 addresses', async () => {
    const asn = await openAsnLookup()
    assert.equal(asn.lookup('193.0.14.129')?.asn, 25152) // k.root-servers.net, RIPE NCC
    assert.equal(asn.lookup('2001:4860:4860::8888')?.asn, 15169)
    assert.match(asn.lookup('8.8.8.8')?.org ?? '', /google/i)
  })
  it('gives null for documentation and private space', async () => {
    const asn = await openAsnLookup()
    assert.equal(asn.lookup('198.51.100.10'), null)
    assert.equal(asn.lookup('10.0.0.1'), null)
  })
  it('a user database that cannot be opened is E_MMDB with a hint', async () => {
    await assert.rejects(openAsnLookup(['/nonexistent/asn.mmdb']), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_MMDB' && e.hint !== null)
  })
})

describe('reverse DNS (against a real DNS server on loopback)', () => {
  let server: DnsTestServer
  let port = 0
  const names: Record<string, string> = {
    '1.0.18.198.in-addr.arpa': 'ae1-0.cr1.fra03.transit.example',
    '2.0.18.198.in-addr.arpa': 'evil\u001b[31m.example',
  }
  before(async () => {
    server = await startDnsServer({
      answer: ({query: q}) => {
        const qname = q.questions?.[0]?.name ?? ''
        if (qname === '3.0.18.198.in-addr.arpa') return null // never answers: the timeout path
        const name = names[qname]
        return {
          type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (name ? 0 : 3), questions: q.questions,
          answers: name ? [{type: 'PTR', name: qname, ttl: 60, data: name}] : [],
        }
      },
    })
    port = server.port
  })
  after(() => server.close())
  const queries = (): number => server.udpQueries

  it('resolves, sanitises, caches, and times out to null', async () => {
    const r = new CachedReverseResolver({servers: [`127.0.0.1:${port}`], timeoutMs: 300})
    assert.equal(await r.reverse('198.18.0.1'), 'ae1-0.cr1.fra03.transit.example')
    // c-ares already escapes some bytes (\\027); whatever the path, no raw ESC may come out
    const evil = await r.reverse('198.18.0.2')
    assert.match(evil ?? '', /^evil\\(x1b|027)\[31m\.example$/)
    assert.ok(!(evil ?? '').includes('\u001b'))
    const before = queries()
    assert.equal(await r.reverse('198.18.0.1'), 'ae1-0.cr1.fra03.transit.example')
    assert.equal(queries(), before, 'second lookup came from the cache')
    const t0 = Date.now()
    assert.equal(await r.reverse('198.18.0.3'), null)
    assert.ok(Date.now() - t0 < 1500, 'timeout bounded')
    assert.equal(await r.reverse('198.18.0.9'), null) // NXDOMAIN
  })

  it('says when none of many hop addresses got a name (offline: c-ares says ENOTFOUND for a silent resolver too), never when one did', async () => {
    const silent = new CachedReverseResolver({servers: [`127.0.0.1:${port}`], timeoutMs: 200})
    assert.equal(await silent.reverse('198.18.0.3'), null) // the server stays silent
    const nx = new CachedReverseResolver({servers: [`127.0.0.1:${port}`], timeoutMs: 300})
    for (let i = 9; i < 13; i++) await nx.reverse(`198.18.0.${i}`) // NXDOMAIN: an answer, no name
    assert.equal(nx.unansweredNote(), null, 'four addresses without a name: nothing to say')
    await nx.reverse('198.18.0.3') // silent, as a resolver that cannot be reached
    assert.match(nx.unansweredNote() ?? '', /^reverse DNS: none of the 5 hop addresses looked up has a name .*--no-rdns/)
    await nx.reverse('198.18.0.1')
    assert.equal(nx.unansweredNote(), null, 'a name came back: the resolver works')
    assert.deepEqual(nx.tally, {lookups: 6, named: 1})
  })

  it('the cache is bounded: full, it starts over (a lookup is then asked again), never above its size', async () => {
    const r = new CachedReverseResolver({servers: [`127.0.0.1:${port}`], timeoutMs: 300, maxEntries: 2})
    await r.reverse('198.18.0.1')
    await r.reverse('198.18.0.9')
    assert.equal(r.size, 2)
    const before = queries()
    await r.reverse('198.18.0.2')
    assert.equal(r.size, 1, 'started over')
    assert.equal(await r.reverse('198.18.0.1'), 'ae1-0.cr1.fra03.transit.example')
    assert.equal(queries(), before + 2, 'the forgotten address was asked again')
    assert.ok(r.size <= 2)
  })

  it('enrichHops fills hostname, ASN and hint, and leaves silent hops null', async () => {
    const r = new CachedReverseResolver({servers: [`127.0.0.1:${port}`], timeoutMs: 300})
    const hop = (ttl: number, addr: string | null): TraceHop => ({
      ttl, addr, addrs: addr ? [addr] : [], hostname: null, asn: null, asOrg: null, rttMs: [addr ? 1 : null], replies: [], hint: null,
    })
    const hops = await enrichHops([hop(1, '198.18.0.1'), hop(2, null), hop(3, '193.0.14.129')], {
      rdns: r,
      asn: await openAsnLookup(),
      hint: (h) => (h.includes('fra') ? {code: 'fra', codeType: 'iata', token: 'fra03', city: 'Frankfurt', country: 'DE', lat: 50, lon: 8.6, confidence: 0.9} : null),
    })
    assert.equal(hops[0]!.hostname, 'ae1-0.cr1.fra03.transit.example')
    assert.equal(hops[0]!.hint?.code, 'fra')
    assert.equal(hops[1]!.hostname, null)
    assert.equal(hops[1]!.hint, null)
    assert.equal(hops[2]!.asn, 25152)
  })
})

// RIPE Atlas DNS results: in a reply to a CHAOS question, records that do not answer it (a parked
// domain's wildcard IN TXT given for any question, another owner) are not the identity, as the dns
// engine reads its own replies (engines/dns/packet.ts): an identity made of a wildcard record named a site.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import dnsPacket from 'dns-packet'

import type {DnsResult} from '../../src/model/dns.js'
import {parseAtlasResult} from '../../src/vantage/atlas/parse.js'
import {schemaErrors} from '../helpers/schema.js'

// a real hostname.bind result (K-root, msm 1423386), its reply replaced
const real = (JSON.parse(readFileSync('test/fixtures/atlas/results-1423386.json', 'utf8')) as Array<Record<string, unknown>>)[0]!
const withAnswer = (answer: {class: 'CH' | 'IN'; name: string}): Record<string, unknown> => ({
  ...real,
  result: {
    ...(real.result as Record<string, unknown>),
    abuf: dnsPacket
      .encode({type: 'response', id: 1, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{type: 'TXT', class: 'CH', name: 'hostname.bind'}], answers: [{type: 'TXT', class: answer.class, name: answer.name, ttl: 0, data: 'ns1.gb-lon.k.ripe.net'}]})
      .toString('base64'),
  },
})
const parse = (raw: Record<string, unknown>): DnsResult => parseAtlasResult(JSON.parse(JSON.stringify(raw)) as Record<string, unknown>).outcomes[0]!.result as DnsResult

describe('RIPE Atlas CHAOS replies: only records answering the question are the identity', () => {
  it('an IN TXT or another owner in the reply: no identity (so no PoP); the record kept as otherRecords', () => {
    for (const answer of [{class: 'IN', name: 'hostname.bind'}, {class: 'CH', name: 'www.example.net'}] as const) {
      const r = parse(withAnswer(answer))
      assert.deepEqual(r.queries[0]!.answers, [], JSON.stringify(answer))
      assert.match(r.queries[0]!.otherRecords?.[0] ?? '', /ns1\.gb-lon\.k\.ripe\.net/)
      assert.equal(r.identity.hostnameBind, null, JSON.stringify(r.identity))
      assert.deepEqual(schemaErrors('dns.schema.json', r), [])
    }
  })

  it('the CH TXT answer is the identity, as before', () => {
    const r = parse(withAnswer({class: 'CH', name: 'hostname.bind'}))
    assert.deepEqual(r.queries[0]!.answers, ['ns1.gb-lon.k.ripe.net'])
    assert.equal(r.identity.hostnameBind, 'ns1.gb-lon.k.ripe.net')
  })
})

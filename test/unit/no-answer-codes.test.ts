// One mapping of "the target did not answer, and how" to a stable code, exit code and hint, for
// http and dns alike (audit-cli 8: dns's exit 4 and 7 came with neither code nor hint).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {toHttpError} from '../../src/engines/http/request.js'
import type {DnsResult} from '../../src/model/dns.js'
import {dnsNoAnswerError} from '../../src/util/dns-no-answer.js'

const ctx = {host: '127.0.0.1', port: 8053, phase: 'connect' as const, url: new URL('http://127.0.0.1:8053/'), timeoutMs: 1000}
const dns = (errors: string[], transport: 'udp' | 'tcp' = 'udp') =>
  ({answered: false, targetAddr: '127.0.0.1', port: 8053, transport, params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'}, queries: errors.map((error) => ({error}))}) as unknown as DnsResult

describe('no answer: dns gives the code, exit code and hint http gives for the same situation', () => {
  it('a closed port', () => {
    const h = toHttpError(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}), ctx)
    const d = dnsNoAnswerError(dns(['refused', 'refused']))!
    assert.deepEqual([d.code, d.exitCode], [h.code, h.exitCode])
    assert.match(d.hint!, /^nothing listens on port 8053 there; check the port/)
    assert.match(h.hint!, /^nothing listens on port 8053 there; check the port/)
  })
  it('no reply within the timeout', async () => {
    const {TimeoutError} = await import('../../src/engines/http/request.js')
    const h = toHttpError(new TimeoutError('t'), ctx)
    const d = dnsNoAnswerError(dns(['timeout', 'timeout']))!
    assert.deepEqual([d.code, d.exitCode, d.hint], [h.code, h.exitCode, h.hint])
  })
  it('replies that are not the protocol: E_BAD_INPUT, exit 7, as a response that is not HTTP', () => {
    const h = toHttpError(Object.assign(new Error('Parse Error: Expected HTTP/'), {code: 'HPE_INVALID_CONSTANT'}), ctx)
    const d = dnsNoAnswerError(dns(['malformed', 'timeout']))!
    assert.deepEqual([d.code, d.exitCode], [h.code, h.exitCode])
    assert.match(d.message, /1 malformed reply from 127\.0\.0\.1/)
  })
  it('nothing left this host: E_NETWORK, exit 6; a router said unreachable: E_UNREACHABLE, exit 4; an answer: none', () => {
    assert.deepEqual([dnsNoAnswerError(dns(['network']))!.code, dnsNoAnswerError(dns(['network']))!.exitCode], ['E_NETWORK', 6])
    assert.deepEqual([dnsNoAnswerError(dns(['unreachable']))!.code, dnsNoAnswerError(dns(['unreachable']))!.exitCode], ['E_UNREACHABLE', 4])
    assert.equal(dnsNoAnswerError({...dns([]), answered: true} as DnsResult), null)
  })
})

// dns --json said a server that gave no answer only as "answered": false and each query's error:
// the stable code (E_UNREACHABLE, E_TIMEOUT, ...) and hint were on stderr alone, where http's JSON
// carries them in "noAnswer" ({code, message, hint}, null when it answered). dns's JSON now has the
// same field with the same shape, the code and hint of the warning it prints (model/no-answer.ts);
// a saved one read back (report, a vantage point's child) is sanitised as http's is.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import type {DnsResult} from '../../src/model/dns.js'
import {checkResult} from '../../src/store/validate.js'
import {runCommand} from '../helpers/cli.js'
import {startDnsServer, type DnsTestServer} from '../helpers/dns-server.js'
import {closedTcpPort, closedUdpPort} from '../helpers/loopback-server.js'
import {dnsIdentityServer, type Loopback} from '../helpers/loopback-vantage.js'
import {schemaErrors} from '../helpers/schema.js'

type NoAnswer = {code: string; message: string; hint: string | null} | null | undefined

describe('dns --json: why the server did not answer, as http says it', () => {
  let silent: DnsTestServer
  let answering: Loopback
  before(async () => {
    silent = await startDnsServer({answer: () => null})
    answering = await dnsIdentityServer('fra')
  })
  after(async () => {
    await Promise.all([silent.close(), answering.close()])
  })

  it('a closed port: noAnswer {code E_UNREACHABLE, message, hint}, as the warning on stderr, valid against dns.schema.json', async () => {
    const r = await runCommand('dns', ['127.0.0.1', '--port', String(await closedUdpPort()), '--timeout', '500ms', '--json'])
    assert.equal(r.status, 4, r.stderr)
    const doc = JSON.parse(r.stdout) as {answered: boolean; noAnswer: NoAnswer}
    assert.equal(doc.answered, false)
    assert.ok(doc.noAnswer, 'noAnswer is set')
    assert.deepEqual(Object.keys(doc.noAnswer).sort(), ['code', 'hint', 'message'])
    assert.equal(doc.noAnswer.code, 'E_UNREACHABLE')
    assert.match(doc.noAnswer.message, /^127\.0\.0\.1 port \d+\/udp: the port is closed/)
    assert.match(doc.noAnswer.hint ?? '', /^nothing listens on port \d+ there/)
    // the same code and message the warning gives
    assert.ok(r.stderr.includes(`warning: ${doc.noAnswer.code}: ${doc.noAnswer.message} (exit 4)`), r.stderr)
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
  })

  it('silence: E_TIMEOUT; an answer: noAnswer null; both valid against the schema', async () => {
    const [quiet, ok] = await Promise.all([
      runCommand('dns', ['127.0.0.1', '--port', String(silent.port), '--timeout', '300ms', '--json']),
      runCommand('dns', ['127.0.0.1', '--port', String(answering.port), '--timeout', '1s', '--json']),
    ])
    assert.equal(quiet.status, 4, quiet.stderr)
    const q = JSON.parse(quiet.stdout) as {noAnswer: NoAnswer}
    assert.equal(q.noAnswer?.code, 'E_TIMEOUT')
    assert.match(q.noAnswer?.hint ?? '', /raise --timeout/)
    assert.equal(ok.status, 0, ok.stderr)
    const a = JSON.parse(ok.stdout) as {noAnswer: NoAnswer}
    assert.equal(a.noAnswer, null)
    assert.deepEqual(schemaErrors('dns.schema.json', q), [])
    assert.deepEqual(schemaErrors('dns.schema.json', a), [])
  })

  it('the same shape as http --json noAnswer of a closed port', async () => {
    const [d, h] = await Promise.all([
      runCommand('dns', ['127.0.0.1', '--port', String(await closedUdpPort()), '--timeout', '500ms', '--json']),
      runCommand('http', [`http://127.0.0.1:${await closedTcpPort()}/`, '--timeout', '1s', '--json']),
    ])
    const dn = (JSON.parse(d.stdout) as {noAnswer: NoAnswer}).noAnswer
    const hn = (JSON.parse(h.stdout) as {noAnswer: NoAnswer}).noAnswer
    assert.ok(dn && hn, `${d.stderr}${h.stderr}`)
    assert.deepEqual(Object.keys(dn).sort(), Object.keys(hn).sort())
    assert.equal(dn.code, hn.code)
    assert.deepEqual([d.status, h.status], [4, 4])
  })

  it('read back from a file or a child: sanitised as http\'s is', () => {
    const saved = {
      schemaVersion: 1, kind: 'dns', target: '127.0.0.1', targetAddr: '127.0.0.1', port: 53, transport: 'udp',
      vantage: {kind: 'local', id: 'local', name: null, asn: null, country: null, lat: null, lon: null},
      startedAt: '2026-12-07T00:00:00.000Z', durationMs: 1, params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'},
      queries: [{qname: '.', qclass: 'IN', qtype: 'SOA', nsidRequested: true, rcode: null, rttMs: null, answers: [], nsid: null, aa: null, truncated: null, error: 'timeout'}],
      identity: {hostnameBind: null, idServer: null, versionBind: null, nsid: null}, answered: false, pop: null,
      noAnswer: {code: 'E_TIMEOUT', message: 'no reply \u001b[31mred', hint: 'wait\u0007'},
    }
    const r = checkResult(saved) as DnsResult & {noAnswer: NoAnswer}
    assert.equal(typeof r, 'object')
    assert.ok(r.noAnswer)
    assert.doesNotMatch(r.noAnswer.message, /\u001b/)
    assert.doesNotMatch(r.noAnswer.hint ?? '', /\u0007/)
    assert.equal(r.noAnswer.code, 'E_TIMEOUT')
  })
})

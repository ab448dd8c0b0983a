// A saved dns or http result whose noAnswer is not the {code, message, hint} object (a string or a
// number in a hand-made file) was kept as it was and written out again wherever a checked result is
// (a vantage point's child line in a --from run's JSON), a document its own schema refuses. Read
// back, such a noAnswer is null (no reason known), as the model allows; a well-formed one is kept
// (dns-no-answer-json.test.ts checks its sanitising).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {checkResult} from '../../src/store/validate.js'
import {schemaErrors} from '../helpers/schema.js'

const vantage = {kind: 'local', id: 'local', name: null, asn: null, country: null, lat: null, lon: null}

const dns = (noAnswer: unknown): Record<string, unknown> => ({
  schemaVersion: 1, kind: 'dns', target: '127.0.0.1', targetAddr: '127.0.0.1', port: 53, transport: 'udp', vantage,
  startedAt: '2026-12-07T00:00:00.000Z', durationMs: 1, params: {timeoutMs: 1000, qname: '.', qtype: 'SOA'},
  queries: [{qname: '.', qclass: 'IN', qtype: 'SOA', nsidRequested: true, rcode: null, rttMs: null, answers: [], nsid: null, aa: null, truncated: null, error: 'timeout'}],
  identity: {hostnameBind: null, idServer: null, versionBind: null, nsid: null}, answered: false, pop: null, noAnswer,
})

const http = (noAnswer: unknown): Record<string, unknown> => ({
  schemaVersion: 1, kind: 'http', target: 'http://127.0.0.1:9/', url: 'http://127.0.0.1:9/', targetAddr: '127.0.0.1', targetAsn: null, method: 'GET', vantage,
  startedAt: '2026-12-07T00:00:00.000Z', params: {timeoutMs: 1000, host: null, follow: false, insecure: false, requestHeaders: {}, popHeaders: []},
  httpVersion: null, status: null, answered: false, headers: {}, timings: {dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: null},
  bodyBytes: 0, redirects: [], cfTrace: null, cfTraceError: null, pop: null, noAnswer,
})

// not the object the schema describes: the wrong type, or an object without a code or message
const BAD: unknown[] = ['E_TIMEOUT', 4, true, ['E_TIMEOUT'], {}, {code: 7, message: 'x', hint: null}, {code: 'not a code', message: 'x', hint: null}, {code: 'E_TIMEOUT', hint: null}]

describe('a saved noAnswer that is not {code, message, hint}', () => {
  for (const [kind, make, schema] of [['dns', dns, 'dns.schema.json'], ['http', http, 'http.schema.json']] as const) {
    it(`${kind}: read back as null, and the result valid against ${schema}`, () => {
      for (const bad of BAD) {
        const r = checkResult(JSON.parse(JSON.stringify(make(bad))))
        assert.ok(typeof r !== 'string', `${JSON.stringify(bad)}: ${String(r)}`)
        assert.equal((r as {noAnswer?: unknown}).noAnswer, null, JSON.stringify(bad))
        assert.deepEqual(schemaErrors(schema, r), [], JSON.stringify(bad))
      }
      // a good one, and none at all (older files), stay as they were
      const good = checkResult(make({code: 'E_TIMEOUT', message: 'no reply', hint: null})) as {noAnswer?: unknown}
      assert.deepEqual(good.noAnswer, {code: 'E_TIMEOUT', message: 'no reply', hint: null})
      const older = make(null)
      delete older.noAnswer
      assert.equal('noAnswer' in (checkResult(older) as object), false)
    })
  }

})

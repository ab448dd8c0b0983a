// EAI_AGAIN (the resolver could not be reached or did not answer: no network, resolver down) was
// reported as a bad name, "check the name" (audit-cli 10). It is still E_RESOLVE, exit 3 (README:
// a name did not resolve, nothing was measured), with its own words and hint; a name the resolver
// says does not exist keeps "check the name". Fake resolvers: the machine's is never asked.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {toHttpError} from '../../src/engines/http/request.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {resolveTarget} from '../../src/util/target.js'

const failing = (code: string) => (async () => {
  throw Object.assign(new Error(`getaddrinfo ${code} svc.example.net`), {code})
}) as never
const ctx = {host: 'svc.example.net', port: 80, phase: 'dns' as never, url: new URL('http://svc.example.net/'), timeoutMs: 1000}

describe('a resolver that did not answer is not a bad name', () => {
  it('resolveTarget (trace, dns, catchment, watch): EAI_AGAIN says the resolver, not the name', async () => {
    const e = await resolveTarget('svc.example.net', null, failing('EAI_AGAIN')).then(() => null, (x: unknown) => x as AnyprobeError)
    assert.ok(e instanceof AnyprobeError)
    assert.deepEqual([e.code, e.exitCode], ['E_RESOLVE', 3])
    assert.match(e.message, /resolver did not answer/)
    assert.doesNotMatch(e.hint ?? '', /check the name/)
    assert.match(e.hint ?? '', /nothing against the name.*resolv\.conf/)
    const bad = await resolveTarget('svc.example.net', null, failing('ENOTFOUND')).then(() => null, (x: unknown) => x as AnyprobeError)
    assert.match(bad!.hint ?? '', /^check the name/)
  })
  it('http: the same words (and the same code, exit 3)', () => {
    const e = toHttpError(Object.assign(new Error('getaddrinfo EAI_AGAIN svc.example.net'), {code: 'EAI_AGAIN'}), ctx)
    assert.deepEqual([e.code, e.exitCode], ['E_RESOLVE', 3])
    assert.match(e.message, /resolver did not answer/)
    assert.doesNotMatch(e.hint ?? '', /check the name/)
    const bad = toHttpError(Object.assign(new Error('getaddrinfo ENOTFOUND svc.example.net'), {code: 'ENOTFOUND'}), ctx)
    assert.match(bad.hint ?? '', /^check the name/)
  })
})

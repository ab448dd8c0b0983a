// --asn-db takes a database whose records carry ASNs. A GeoLite2-City file opens as well as any
// .mmdb, and was taken without a word: every hop then had no ASN from it (or the bundled one's,
// hiding the file). Such a file is E_MMDB (exit 2) naming what it is, and a trace refuses it
// before a probe is sent, as it does a missing file (which it used to refuse only after probing,
// losing the trace it had measured).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {asnOfRecord, openAsnLookup} from '../../src/enrich/asn.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {type TracePlan, traceTarget} from '../../src/pipeline/trace.js'
import {runCommand} from '../helpers/cli.js'

const DBS = 'node_modules/geolite2/dbs'
const CITY = `${DBS}/GeoLite2-City.mmdb`
const COUNTRY = `${DBS}/GeoLite2-Country.mmdb`
const ASN = `${DBS}/GeoLite2-ASN.mmdb`

const isMmdbError = (kind: string) => (e: unknown): boolean => {
  assert.ok(e instanceof AnyprobeError, String(e))
  assert.equal(e.code, 'E_MMDB')
  assert.match(e.message, new RegExp(kind))
  // the hint says what the file is and what is wanted
  assert.match(e.hint ?? '', new RegExp(kind))
  assert.match(e.hint ?? '', /autonomous_system_number/)
  assert.match(e.hint ?? '', /GeoLite2-ASN/)
  return true
}

describe('--asn-db: a database without ASNs is refused', () => {
  it('GeoLite2-City and GeoLite2-Country are E_MMDB naming their database type', async () => {
    await assert.rejects(openAsnLookup([CITY], false), isMmdbError('GeoLite2-City'))
    await assert.rejects(openAsnLookup([COUNTRY], false), isMmdbError('GeoLite2-Country'))
  })
  it('a City database before a good one is still refused (it would not be consulted for anything)', async () => {
    await assert.rejects(openAsnLookup([CITY, ASN], false), isMmdbError('GeoLite2-City'))
  })
  it('GeoLite2-ASN is taken and answers', async () => {
    const asn = await openAsnLookup([ASN], false)
    assert.equal(asn.lookup('8.8.8.8')?.asn, 15169)
    assert.equal(asn.lookup('2001:4860:4860::8888')?.asn, 15169)
  })
})

describe('asnOfRecord: the record layouts the lookup reads', () => {
  it('top level (GeoLite2-ASN, GeoIP2-ISP, DB-IP ASN Lite) and traits (GeoIP2-Enterprise, DB-IP compat=Enterprise)', () => {
    assert.deepEqual(asnOfRecord({autonomous_system_number: 64500, autonomous_system_organization: 'Example\u001b[31m'}), {asn: 64500, org: 'Example\\x1b[31m'})
    assert.deepEqual(asnOfRecord({isp: 'X', autonomous_system_number: 64501}), {asn: 64501, org: null})
    assert.deepEqual(asnOfRecord({city: {}, traits: {autonomous_system_number: 64502, autonomous_system_organization: 'Ent'}}), {asn: 64502, org: 'Ent'})
  })
  it('a record without a numeric ASN is none (City records; IPinfo writes "asn": "AS174", which it does not read)', () => {
    assert.equal(asnOfRecord({city: {names: {en: 'X'}}, traits: {is_anycast: true}}), null)
    assert.equal(asnOfRecord({asn: 'AS174', as_name: 'Cogent'}), null)
    assert.equal(asnOfRecord({autonomous_system_number: '174'}), null)
    assert.equal(asnOfRecord(null), null)
    assert.equal(asnOfRecord('x'), null)
  })
})

describe('trace: a bad --asn-db is refused before anything is measured', () => {
  const plan = (asnDbs: string[]): TracePlan => ({
    target: '127.0.0.1', protocol: 'icmp', port: null, maxHops: 2, firstHop: 1, probes: 1, timeoutMs: 200, rate: null, flowId: null,
    gapLimit: 5, family: null, dns: false, asn: true, asnDbs, vpLocation: null,
  })
  for (const [what, file] of [['a City database', CITY], ['a missing file', '/nonexistent/asn.mmdb']] as const) {
    it(`${what}: E_MMDB and no transport opened`, async () => {
      let opened = 0
      const transport = (): never => {
        opened++
        throw new Error('the trace started')
      }
      await assert.rejects(traceTarget(plan([file]), {transport}), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_MMDB')
      assert.equal(opened, 0)
    })
  }
  it('--no-asn does not read the files (nothing would be looked up in them)', async () => {
    let opened = 0
    const transport = (): never => {
      opened++
      throw new Error('the trace started')
    }
    await assert.rejects(traceTarget({...plan([CITY]), asn: false}, {transport}), /the trace started/)
    assert.equal(opened, 1)
  })
  it('the command: trace --asn-db GeoLite2-City.mmdb exits 2 with E_MMDB and the type on stderr, and prints no trace', async () => {
    const r = await runCommand('trace', ['--asn-db', CITY, '127.0.0.1', '--max-hops', '2'])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /E_MMDB/)
    assert.match(r.stderr, /GeoLite2-City/)
    assert.doesNotMatch(r.stdout, /trace to/)
  })
})

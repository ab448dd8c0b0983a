// anyprobe dns / anyprobe http against the live lab (NSD with hostname.bind + NSID, nginx with
// CF-RAY / X-Served-By / /cdn-cgi/trace), from every vantage point, then across a failover
// (withdraw FRA: ap-vp-ber must name another PoP; FRA restored in a finally).
// Needs root and the built CLI (npm run build); run via test/lab/run-lab-tests.sh.
// Every probe goes to the lab's anycast address, from inside the lab's ap-vp-* namespaces.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {before, describe, it} from 'node:test'

import type {DnsResult} from '../../src/model/dns.js'
import type {HttpResult} from '../../src/model/http.js'
import {schemaErrors} from '../helpers/schema.js'
import {anyprobeJson, E, isRoot, lab, REPO, run, VPS} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'

/** `anyprobe <args> --json` inside a VP's namespace; the parsed document and the exit code. */
async function anyprobe<T>(vp: string, args: string[]): Promise<{code: number; doc: T; stderr: string}> {
  const {run: r, json} = await anyprobeJson<T>(vp, args)
  return {code: r.code, doc: json, stderr: r.stderr}
}

async function dnsPop(vp: string, extra: string[] = []): Promise<{doc: DnsResult; code: number}> {
  const {code, doc, stderr} = await anyprobe<DnsResult>(vp, ['dns', E.AP_ANYCAST4 ?? '198.51.100.10', ...extra])
  assert.equal(code, 0, `dns from ${vp} exited ${code}: ${stderr}`)
  assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
  return {doc, code}
}

async function httpPop(vp: string, url: string, extra: string[] = []): Promise<HttpResult> {
  const {code, doc, stderr} = await anyprobe<HttpResult>(vp, ['http', url, ...extra])
  assert.equal(code, 0, `http from ${vp} exited ${code}: ${stderr}`)
  assert.deepEqual(schemaErrors('http.schema.json', doc), [])
  return doc
}

describe('anyprobe dns / http in the lab', {skip}, () => {
  before(async () => {
    assert.ok(existsSync(`${REPO}dist/commands/dns.js`), 'build the CLI first: npm run build')
    // bring the lab up only if it is not there: `up` rebuilds a faulted lab, which would pull it
    // from under anyone else using it
    const ns = await run('ip', ['netns', 'list'])
    if (!/\bap-vp-ber\b/.test(ns.stdout)) assert.equal((await lab('up')).code, 0, 'lab.sh up')
    const w = await lab('wait-converged', '30')
    assert.equal(w.code, 0, `lab did not converge: ${w.stdout}${w.stderr}`)
  })

  for (const vp of VPS) {
    it(`from ${vp}: dns names ${E[`AP_VP_EXPECT_${vp}`]} from hostname.bind and NSID`, async () => {
      const want = E[`AP_VP_EXPECT_${vp}`]!
      const pop = want.toLowerCase()
      const {doc} = await dnsPop(vp)
      assert.equal(doc.pop?.code.toUpperCase(), want, JSON.stringify(doc.pop))
      assert.equal(doc.identity.hostnameBind, E[`AP_POP_IDENTITY_${pop}`])
      assert.equal(doc.identity.idServer, E[`AP_POP_IDENTITY_${pop}`])
      assert.deepEqual(doc.identity.nsid, {text: E[`AP_POP_NSID_${pop}`], hex: Buffer.from(E[`AP_POP_NSID_${pop}`]!).toString('hex')})
      assert.ok(doc.queries.every((q) => q.rcode !== null && q.rttMs !== null && q.rttMs > 0))
      assert.ok(doc.pop!.evidence.some((e) => e.signal === 'dns-identity'))
    })

    it(`from ${vp}: http names ${E[`AP_VP_EXPECT_${vp}`]} from CF-RAY / X-Served-By / cdn-cgi/trace`, async () => {
      const want = E[`AP_VP_EXPECT_${vp}`]!
      const doc = await httpPop(vp, `http://${E.AP_ANYCAST4}/`, ['--cf-trace'])
      assert.equal(doc.status, 200)
      assert.equal(doc.pop?.code.toUpperCase(), want, JSON.stringify(doc.pop))
      assert.match(doc.headers['cf-ray'] ?? '', new RegExp(`-${want}$`))
      assert.equal(doc.cfTrace?.colo, want)
      assert.equal(doc.timings.dnsMs, null, 'an address needs no DNS')
      assert.equal(doc.timings.tlsMs, null, 'http:// has no TLS')
      assert.ok(doc.timings.connectMs !== null && doc.timings.connectMs > 0)
      assert.equal(doc.targetAddr, E.AP_ANYCAST4)
    })
  }

  it('over TCP and IPv6 too (from sao: IAD, 30 ms away, so the RTT is real)', async () => {
    const tcp = await dnsPop('sao', ['--tcp'])
    assert.equal(tcp.doc.transport, 'tcp')
    assert.equal(tcp.doc.pop?.code.toUpperCase(), E.AP_VP_EXPECT_sao)
    // the sao access link adds 15 ms each way
    assert.ok(tcp.doc.queries.every((q) => q.rttMs !== null && q.rttMs >= 25), JSON.stringify(tcp.doc.queries.map((q) => q.rttMs)))
    const {doc: v6} = await anyprobe<DnsResult>('sao', ['dns', E.AP_ANYCAST6 ?? '2001:db8:100::10'])
    assert.equal(v6.pop?.code.toUpperCase(), E.AP_VP_EXPECT_sao)
    const h6 = await httpPop('sao', `http://[${E.AP_ANYCAST6}]/`)
    assert.equal(h6.pop?.code.toUpperCase(), E.AP_VP_EXPECT_sao)
    assert.ok(h6.timings.connectMs !== null && h6.timings.connectMs >= 25)
  })

  it('a hostname is resolved (DNS phase timed) through the VP resolver: http://www.anycast.example/', async () => {
    const doc = await httpPop('nyc', 'http://www.anycast.example/')
    assert.ok(doc.timings.dnsMs !== null && doc.timings.dnsMs >= 0)
    assert.equal(doc.pop?.code.toUpperCase(), E.AP_VP_EXPECT_nyc)
  })

  it('http to an address the network cannot reach (a router sends net unreachable): exit 4, not 6 (a local network error)', async () => {
    // t-iad has no route to 198.18.200.0/24 and answers sao's SYN with ICMP net unreachable, when
    // its ICMP rate limit lets it (else the connect times out: exit 4 as well). It read exit 6.
    // the vantage point worked, the target did not answer: a result with answered false (not an error document)
    const {run: r, json} = await anyprobeJson<{answered: boolean; noAnswer: {code: string}}>('sao', ['http', 'http://198.18.200.1/', '--timeout', '1s'])
    assert.equal(r.code, 4, r.stdout + r.stderr)
    assert.equal(json.answered, false)
    assert.ok(['E_UNREACHABLE', 'E_TIMEOUT'].includes(json.noAnswer.code), json.noAnswer.code)
    assert.deepEqual(schemaErrors('http.schema.json', json), [])
  })

  it('withdraw FRA: ber names its failover PoP in dns and http; restored afterwards', async () => {
    const home = E.AP_VP_EXPECT_ber!
    const failover = E.AP_VP_FAILOVER_ber!
    assert.equal((await dnsPop('ber')).doc.pop?.code.toUpperCase(), home)
    const w = await lab('withdraw', 'fra')
    try {
      assert.equal(w.code, 0, `lab.sh withdraw fra: ${w.stdout}${w.stderr}`)
      const conv = await lab('wait-converged', '30')
      assert.equal(conv.code, 0, `no failover: ${conv.stdout}${conv.stderr}`)
      const dns = (await dnsPop('ber')).doc
      assert.notEqual(dns.pop?.code.toUpperCase(), home)
      assert.equal(dns.pop?.code.toUpperCase(), failover)
      assert.equal(dns.identity.hostnameBind, E[`AP_POP_IDENTITY_${failover.toLowerCase()}`])
      const http = await httpPop('ber', `http://${E.AP_ANYCAST4}/`)
      assert.equal(http.pop?.code.toUpperCase(), failover)
    } finally {
      const r = await lab('restore', 'fra')
      await lab('wait-converged', '30')
      assert.equal(r.code, 0, `lab.sh restore fra: ${r.stdout}${r.stderr}`)
    }
    assert.equal((await dnsPop('ber')).doc.pop?.code.toUpperCase(), home, 'back home after restore')
  })
})

// Names a local network gives itself (hosts file, nss-myhostname, the home router) name no
// operator's site: never a confident place, on every path that reads a hostname (geohint
// --kind hostname, a trace hop's hint, fusion of hop and destination names), while public router
// names keep their answers. Shapes: "_gateway" from nss-myhostname(8); "runsc" the hostname gVisor
// writes to a sandbox's /etc/hosts; "NAME.fritz.box" AVM's home-network names; ".home.arpa"
// RFC 8375; ".lan"/".internal"/".corp" RFC 6762 Appendix G; "localhost.localdomain" /etc/hosts.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {geohintRecord} from '../../src/commands/geohint.js'
import {nullAsnLookup} from '../../src/enrich/asn.js'
import {enrichHops} from '../../src/enrich/trace.js'
import {hostnameHint, hostnameHints} from '../../src/infer/hostname.js'
import {identityCandidates} from '../../src/infer/identity.js'
import {inferPopExplained, type Observation} from '../../src/infer/index.js'
import {localName} from '../../src/infer/local.js'
import {isConfidentPop} from '../../src/model/pop-confidence.js'
import type {TraceHop} from '../../src/model/trace.js'

const best = (name: string): number => hostnameHints(name)[0]?.confidence ?? 0

describe('localName: which names a local network gave itself', () => {
  it('one label, or labels under never-delegated local suffixes (every trailing one taken off)', () => {
    assert.deepEqual(localName('_gateway'), {kind: 'single-label', host: ['_gateway'], suffix: null})
    assert.deepEqual(localName('runsc.'), {kind: 'single-label', host: ['runsc'], suffix: null})
    assert.deepEqual(localName('Berlin.FRITZ.box'), {kind: 'local-suffix', host: ['Berlin'], suffix: 'fritz.box'})
    assert.deepEqual(localName('nas.home.arpa'), {kind: 'local-suffix', host: ['nas'], suffix: 'home.arpa'})
    assert.deepEqual(localName('rtr1.fra.corp.internal'), {kind: 'local-suffix', host: ['rtr1', 'fra'], suffix: 'corp.internal'})
    assert.deepEqual(localName('fritz.box'), {kind: 'local-suffix', host: [], suffix: 'fritz.box'})
  })
  it('public names, and local words that are not the suffix, are not local', () => {
    for (const n of ['ae-1.r01.ldn01.gb.bb.gin.ntt.net', 'be1.lon.cogentco.com', 'home.example.net', 'lan.fra03.example.net', 'x.arpa', 'box.example.de', '']) {
      assert.equal(localName(n), null, n)
    }
  })
})

describe('hostname readings of local names (geohint --kind hostname)', () => {
  it("nss-myhostname's _gateway and a router's 'gateway' are no place (Gateway, US 0.6 before)", () => {
    for (const n of ['_gateway', 'gateway', 'Gateway', 'gateway.lan', 'Gateway.localdomain', 'gateway.home.arpa', 'gateway.docker.internal', 'modem']) {
      assert.deepEqual(hostnameHints(n), [], n)
    }
  })
  it('a lone word is no site code: runsc from /etc/hosts is not {code: runsc, operator, 0.5}', () => {
    for (const n of ['runsc', 'ubnt', 'unifi.localdomain', 'pi.hole', 'fritz.box', 'easy.box', 'kubernetes.default.svc.cluster.local', 'ip-172-31-32-1.eu-west-1.compute.internal']) {
      assert.equal(hostnameHint(n), null, n)
    }
  })
  it('a city word or site code alone in a local name is a hint under 0.5, still said', () => {
    const cases: Array<[string, string]> = [
      ['london', 'GB'],
      ['DESKTOP-MADRID', 'ES'],
      ['fra1', 'DE'],
      ['berlin.fritz.box', 'DE'],
      ['denver.home.arpa', 'US'],
      ['seattle.localdomain', 'US'],
      ['paris.lan', 'FR'],
      ['amsterdam-pc.office.lan', 'NL'],
    ]
    for (const [n, country] of cases) {
      const h = hostnameHint(n)
      assert.ok(h !== null, `${n}: still a hint`)
      assert.equal(h.country, country, n)
      assert.ok(h.confidence < 0.5 && h.confidence > 0.3, `${n}: ${h.confidence}`)
      for (const x of hostnameHints(n)) assert.ok(x.confidence < 0.5, `${n}: ${x.city} ${x.confidence}`)
    }
  })
  it('public router names keep their answers (NTT, Cogent, Charter CLLI, a role word beside the site)', () => {
    const keep: Array<[string, string]> = [
      ['ae-1.r01.ldn01.gb.bb.gin.ntt.net', 'London'],
      ['be1.lon.cogentco.com', 'London'],
      ['bu-ether14.dllstx976iw-bcr00.tbone.rr.com', 'Dallas'],
      ['gateway.fra1.example.net', 'Frankfurt am Main'],
    ]
    for (const [n, city] of keep) {
      const h = hostnameHint(n)
      assert.equal(h?.city, city, n)
      assert.ok(h.confidence >= 0.5, `${n}: ${h.confidence}`)
    }
  })
  it('the geohint record of a local name has no confident pop', () => {
    const g = geohintRecord('_gateway', 'hostname')
    assert.equal(g.pop, null)
    assert.equal(g.confidence, null)
    const l = geohintRecord('london', 'hostname')
    assert.equal(l.pop?.city, 'London')
    assert.ok(l.confidence !== null && l.confidence < 0.5, String(l.confidence))
    // auto-detection sends a dotless word to the identity rules: _gateway is no place there either
    assert.equal(geohintRecord('_gateway', 'auto').pop, null)
  })
})

describe('fusion and the trace hop path', () => {
  it("a trace's hop hint (enrichHops with the engine's hostnameHint) for local names", async () => {
    const names: Record<string, string> = {'192.168.1.1': '_gateway', '172.17.0.1': 'runsc', '10.0.0.2': 'london', '198.18.0.9': 'be1.lon.cogentco.com'}
    const hop = (ttl: number, addr: string): TraceHop => ({ttl, addr, addrs: [addr], hostname: null, asn: null, asOrg: null, rttMs: [1], replies: [], hint: null})
    const hops = await enrichHops(Object.keys(names).map((a, i) => hop(i + 1, a)), {
      rdns: {reverse: async (a) => names[a] ?? null},
      asn: nullAsnLookup,
      hint: hostnameHint,
    })
    assert.equal(hops[0]!.hostname, '_gateway')
    assert.equal(hops[0]!.hint, null, 'no "gateway Gateway" in the hint column')
    assert.equal(hops[1]!.hint, null, 'no runsc site code')
    assert.ok(hops[2]!.hint !== null && hops[2]!.hint.confidence < 0.5)
    assert.equal(hops[3]!.hint?.city, 'London')
    assert.ok(hops[3]!.hint.confidence >= 0.5)
  })
  it('hop and destination names of a local network give no confident verdict', () => {
    for (const input of ['_gateway', 'gateway', 'runsc', 'london', 'berlin.fritz.box']) {
      for (const signal of ['hop-hostname', 'dest-hostname'] as const) {
        const o: Observation = {signal, input, distance: 1}
        assert.equal(isConfidentPop(inferPopExplained([o]).verdict), false, `${signal} ${input}`)
      }
    }
  })
  it('a tie the RTT bound breaks does not lift a local name over 0.5 (santa-clara, near San Jose)', () => {
    const v = inferPopExplained([{signal: 'dest-hostname', input: 'santa-clara'}], {vpLocation: {lat: 37.34, lon: -121.89}, rttMs: 2}).verdict
    assert.equal(v?.country, 'US')
    assert.ok(v.confidence < 0.5, String(v.confidence))
  })
  it('a public name beside a local first hop still decides', () => {
    const v = inferPopExplained([
      {signal: 'hop-hostname', input: '_gateway', distance: 5},
      {signal: 'dest-hostname', input: 'be1.lon.cogentco.com'},
    ]).verdict
    assert.equal(v?.city, 'London')
    assert.ok(isConfidentPop(v))
  })
})

describe('identities and header values keep their own rules', () => {
  it('a server under a local suffix answering hostname.bind is read as a local name', () => {
    const c = identityCandidates('berlin.fritz.box')[0]
    assert.equal(c?.country, 'DE')
    assert.ok(c.confidence < 0.5, String(c.confidence))
    assert.deepEqual(identityCandidates('_gateway'), [])
  })
  it('server names of one label read as before: a colo code stands, a lone word is a hint once (not halved twice)', () => {
    assert.ok((identityCandidates('fra08')[0]?.confidence ?? 0) >= 0.5)
    assert.equal(identityCandidates('fra1')[0]?.confidence, 0.475)
  })
  it("a --pop-header value names the site as the user says: 'fra1' is not a local name there", () => {
    const v = inferPopExplained([{signal: 'user', header: 'x-edge', input: 'fra1'}]).verdict
    assert.equal(v?.city, 'Frankfurt am Main')
    assert.ok(isConfidentPop(v))
  })
})

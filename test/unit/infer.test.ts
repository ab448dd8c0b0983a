// PoP inference (src/infer): tokenizer, code types, non-place tokens, operator conventions,
// context, DNS identities, the CDN header table, RTT feasibility, fusion and sanitising.
// Names here are synthetic or follow public naming conventions; the corpus has its own test.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  decodeAzureRef,
  googleDnsSite,
  HEADER_RULES,
  hintForHop,
  hostnameHint,
  hostnameHints,
  inferPop,
  labelInfo,
  labelParts,
  parseDnsIdentity,
  parseHeader,
  parseHeaders,
  parseVpLocation,
  readingsOf,
  rttFeasibility,
  splitDomain,
  tokenRaw,
} from '../../src/infer/index.js'
import {isAnyprobeError} from '../../src/model/errors.js'

function best(name: string) {
  const h = hostnameHint(name)
  assert.ok(h, `no hint for ${name}`)
  return h
}

describe('tokenizer', () => {
  it('splits on punctuation, digit/letter boundaries and CamelCase, and joins spelled cities', () => {
    const texts = (l: string) => labelInfo(l).tokens.map((t) => `${t.kind}:${t.text}`)
    assert.deepEqual(texts('xe-0-0-1'), ['run:xe'])
    assert.deepEqual(texts('fra03'), ['run:fra'])
    assert.ok(texts('LosAngeles9').includes('run:losangeles'))
    assert.ok(texts('nto-new-york').includes('join:newyork'))
    assert.ok(texts('sv1-santa-clara').includes('join:santaclara'))
    assert.ok(texts('100ge0-35').includes('run:ge'))
    assert.ok(!texts('cr0-ema1').includes('join:crema'), 'a role word does not join a city name')
  })
  it('records digits after a code and recovers the token as written', () => {
    const info = labelInfo('sjc01')
    assert.equal(info.tokens[0]!.digitsAfter, true)
    assert.equal(tokenRaw(labelParts('sjc01'), info.tokens[0]!), 'sjc01')
    const join = labelInfo('N75-New-York').tokens.find((t) => t.kind === 'join')!
    assert.equal(tokenRaw(labelParts('N75-New-York'), join), 'New-York')
  })
  it('memoises by shape: labels differing only in digits share the analysis', () => {
    assert.equal(labelInfo('fra03'), labelInfo('fra17'))
    assert.notEqual(labelInfo('fra03'), labelInfo('ams03'))
  })
  it('a bare 2-letter label is a region unless it is an infrastructure word', () => {
    assert.ok(labelInfo('nl').regions)
    assert.equal(labelInfo('bb').regions, null) // Barbados, but in router names: backbone
    assert.equal(labelInfo('ae').regions, null)
  })
})

describe('domain split', () => {
  it('registrable domain and multi-label public suffixes', () => {
    assert.deepEqual(splitDomain('be1.ccr41.ams03.atlas.cogentco.com'.split('.')), {
      host: ['be1', 'ccr41', 'ams03', 'atlas'],
      domain: 'cogentco.com',
      registrable: 'cogentco',
    })
    assert.equal(splitDomain('ae1.170.bdr1.b.sea.aarnet.net.au'.split('.')).domain, 'aarnet.net.au')
    assert.equal(splitDomain('c01.HKG.eroot'.split('.')).domain, null)
    assert.equal(splitDomain('s1.fra.anycast.example'.split('.')).domain, 'anycast.example')
  })
})

describe('non-place tokens', () => {
  it('interface and role names have no readings (or only soft ones, for words that are also airport codes)', () => {
    for (const t of ['ae', 'xe', 'et', 'ge', 'be', 'hu', 'te', 'gi', 'core', 'edge', 'bb', 'gin', 'static', 'customer', 'link', 'ic', 'ix', 'rtr', 'gw', 'pe', 'mx', 'agg', 'dist', 'tcore', 'ecore', 'pos', 'vlan', 'bundle', 'lag', 'port', 'ccr', 'mpd', 'car', 'sub', 'pop']) {
      assert.ok(readingsOf(t).every((r) => r.soft === true), t)
    }
    assert.deepEqual(readingsOf('sub'), [], 'sub is never Surabaya')
  })
  it('a word that is also an airport code is a place only as a site code with digits (Cologne CGN, Toulouse TLS, Rio GIG)', () => {
    assert.equal(best('be2815.ccr41.cgn03.atlas.cogentco.com').city, 'Köln')
    assert.equal(best('0.ae1.BR2.TLS8.ALTER.NET').country, 'FR')
    assert.equal(best('ae1.cr1.gig2.example.net').country, 'BR')
    assert.equal(hostnameHint('x.nat.example.net'), null)
    assert.equal(best('gig0-1-0.cr1.fra1.example.net').code, 'fra')
    assert.equal(hostnameHint('cgn-pool-7.nat.example.net'), null)
    assert.equal(hostnameHint('pos-2-3-0-0-cr01.atlanta.ga.ibone.comcast.net')?.city, 'Atlanta')
  })
  it('a name made only of interface, role and infrastructure words names no place', () => {
    assert.equal(hostnameHint('xe-0-0-1.core1.static.customer.example.net'), null)
    assert.equal(hostnameHint('verizon-com.customer.alter.net'), null)
    assert.equal(hostnameHint('a23-45-67-89.deploy.static.akamaitechnologies.com'), null)
    assert.equal(hostnameHint('unn-198.51.100.7.example.org'), null)
  })
})

describe('code types', () => {
  it('IATA with digits in the site position', () => {
    const h = best('be2815.ccr41.ams03.atlas.cogentco.com')
    assert.deepEqual([h.code, h.codeType, h.city, h.country, h.token], ['ams', 'iata', 'Amsterdam', 'NL', 'ams03'])
    assert.ok(h.confidence >= 0.8)
  })
  it('IATA metro codes', () => {
    const h = best('0.et-9-1-2.GW15.NYC1.ALTER.NET')
    assert.equal(h.code, 'nyc')
    assert.equal(h.city, 'New York')
  })
  it('UN/LOCODE', () => {
    const h = best('ge-0-0-0.ar1.jptyo.access.example')
    assert.deepEqual([h.code, h.codeType, h.city], ['jptyo', 'locode', 'Tokyo'])
    assert.equal(best('lo0.r1.usqas2.example.net').city, 'Ashburn')
  })
  it('CLLI', () => {
    const h = best('ae-5.r23.asbnva02.us.bb.gin.ntt.net')
    assert.deepEqual([h.code, h.codeType, h.city, h.country], ['asbnva', 'clli', 'Ashburn', 'US'])
    assert.equal(best('b3407.nycmny-lcr-22.verizon-gni.net').city, 'New York')
  })
  it('ICAO', () => {
    const h = best('ae1.cr1.eddf.example.net')
    assert.deepEqual([h.code, h.codeType, h.country], ['eddf', 'icao', 'DE'])
  })
  it('spelled cities, CamelCase, joined words', () => {
    assert.equal(best('ae-3-80.edge2.LosAngeles9.Level3.net').city, 'Los Angeles')
    assert.equal(best('AMAZONCOM.car2.StLouis1.Level3.net').city, 'St. Louis')
    assert.equal(best('if-ae-9-2.tcore1.nto-new-york.as6453.net').city, 'New York City')
    assert.equal(best('et-0-0-1.edge1.frankfurt1.pop.anycast.example').city, 'Frankfurt am Main')
    assert.equal(best('if-ae-39-2.tcore1.pvu-paris.as6453.net').city, 'Paris') // not Provo
  })
  it('the lab naming', () => {
    assert.equal(best('ae1-0.cr1.fra03.transit.example').city, 'Frankfurt am Main')
    assert.equal(best('s1.fra.anycast.example').code, 'fra')
    assert.equal(best('et-0-0-0.edge1.singapore1.pop.anycast.example').city, 'Singapore')
    assert.equal(best('et-0-0-0.edge1.ashburn1.pop.anycast.example').country, 'US')
    assert.equal(best('ge-0-0-1.ar2.brsao.access.example').city, 'São Paulo')
    assert.equal(hostnameHint('ns.anycast.example'), null)
    assert.equal(parseDnsIdentity('fra-s1')[0]?.code, 'fra')
  })
  it('a country name is context, but a city-state keeps its city', () => {
    assert.equal(best('xe-1.cr1.hongkong1.example.net').city, 'Hong Kong')
    assert.equal(best('xe-1.cr1.luxembourg.example.net').country, 'LU')
  })
  it('an unknown code in the site position is an operator code with no city', () => {
    const h = best('core23.fsn1.hetzner.com')
    assert.deepEqual([h.code, h.codeType, h.city], ['fsn', 'operator', null])
  })
  it('street addresses are facilities, not the city of that name', () => {
    const h = best('be-3411-pe11.60hudson.ny.ibone.comcast.net')
    assert.equal(h.city, null)
    assert.equal(h.country, 'US')
  })
  it('hostnameHints lists every candidate, best first', () => {
    const all = hostnameHints('xe-1.cr1.london1.example.net')
    assert.ok(all.length >= 2)
    assert.equal(all[0]!.country, 'GB')
    assert.ok(all.some((h) => h.country === 'CA'))
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.confidence >= all[i]!.confidence)
  })
  it('hintForHop tolerates missing names', () => {
    assert.equal(hintForHop(null), null)
    assert.equal(hintForHop('be1.ccr21.sea02.atlas.cogentco.com')?.city, 'Seattle')
  })
})

describe('context and operator conventions', () => {
  it('a state label chooses among same-named cities', () => {
    const mn = best('pos-0-0-0-0-ar01.roseville.mn.minn.comcast.net')
    assert.equal(mn.city, 'Roseville')
    const ca = best('te-0-7-0-18-sur03.roseville.ca.sfba.comcast.net')
    assert.equal(ca.country, 'US')
    const mnLat = mn.lat!
    assert.ok(Math.abs(mnLat - 45) < 1, 'Roseville, MN')
    assert.ok(Math.abs(ca.lat! - 38.75) < 1, 'Roseville, CA')
  })
  it('a country label rules out a reading elsewhere: KPN asd is not Andros Town', () => {
    const h = best('asd-s8-rou-1041.NL.eurorings.net')
    assert.deepEqual([h.code, h.codeType, h.city, h.country], ['asd', 'operator', null, 'NL'])
  })
  it('country labels: uk is GB, a single-letter DTAG site keeps its country', () => {
    assert.equal(best('197.ge-1-3-2.mpr1.lhr2.uk.above.net').country, 'GB')
    const dtag = best('m-eb7-i.M.DE.NET.DTAG.DE')
    assert.deepEqual([dtag.code, dtag.codeType, dtag.city, dtag.country], ['m', 'operator', null, 'DE'])
  })
  it('he.net ash is Ashburn (CAIDA), not Nashua', () => {
    const h = best('port-channel1.core3.ash1.he.net')
    assert.deepEqual([h.code, h.codeType, h.city, h.country], ['ash', 'operator', 'Ashburn', 'US'])
  })
  it('Arelion site mnemonics are operator codes with unknown city', () => {
    for (const [name, code] of [
      ['ldn-bb2-link.ip.twelve99.net', 'ldn'],
      ['sea-b2-link.ip.twelve99.net', 'sea'],
      ['ntt-ic-337606-sea-b2.c.telia.net', 'sea'],
      ['palo-b22-link.telia.net', 'palo'],
    ]) {
      const h = best(name)
      assert.deepEqual([h.code, h.codeType, h.city], [code, 'operator', null], name)
    }
  })
  it('AWS region names: a city where AWS names one, else an operator code', () => {
    const fra = best('ec2-3-120-1-2.eu-central-1.compute.amazonaws.com')
    assert.deepEqual([fra.code, fra.codeType, fra.city], ['eu-central-1', 'operator', 'Frankfurt am Main'])
    assert.equal(best('ec2-54-1-2-3.compute-1.amazonaws.com').city, 'Ashburn')
    const or = best('ec2-1-2-3-4.us-west-2.compute.amazonaws.com')
    assert.deepEqual([or.codeType, or.city], ['operator', null])
  })
  it('common words are not cities: "central", "orange"', () => {
    assert.equal(hostnameHint('ae2.core.orange.example.net'), null)
    assert.equal(hostnameHint('host.central.example.net'), null)
  })
  it('Verizon FiOS names carry CLLI codes; other codes are private', () => {
    const h = best('so-15-0-1-0.RES-BB-RTR1.verizon-gni.net')
    assert.deepEqual([h.codeType, h.city, h.country], ['operator', null, 'US'])
  })
})

describe('DNS identities', () => {
  const top = (s: string) => parseDnsIdentity(s)[0] ?? null
  it('root-server letter formats', () => {
    assert.equal(top('lax1a.c.root-servers.org')?.code, 'lax')
    assert.equal(top('sel1f.f.root-servers.org')?.city, 'Seoul')
    assert.equal(top('BRU.cf.f.root-servers.org')?.code, 'bru')
    assert.equal(top('001.hkg.h.root-servers.org')?.code, 'hkg')
    assert.equal(top('c01.MCI.eroot')?.code, 'mci')
    assert.equal(top('b3-sin')?.city, 'Singapore')
    assert.equal(top('M-CDG-1')?.code, 'cdg')
    assert.equal(top('rootns-elams2')?.code, 'ams')
  })
  it('K-root and L-root are UN/LOCODEs', () => {
    const k = top('ns1.jp-tyo.k.ripe.net')!
    assert.deepEqual([k.code, k.codeType, k.city, k.country], ['jptyo', 'locode', 'Tokyo', 'JP'])
    assert.equal(top('aa.us-lax.l.root')?.city, 'Los Angeles')
    assert.equal(top('de-fra-aa')?.codeType, 'locode')
  })
  it('G-root and I-root site ids are not IATA', () => {
    const g = top('g.root-servers-con2-1.net')!
    assert.deepEqual([g.code, g.codeType, g.city], ['con2', 'operator', null])
    const i = top('s1.bei')!
    assert.deepEqual([i.code, i.codeType, i.city], ['bei', 'operator', null])
  })
  it('resolvers: Cloudflare, Quad9 / PCH, OpenDNS, CleanBrowsing', () => {
    assert.equal(top('yul01')?.code, 'yul')
    assert.equal(top('"LHR"')?.code, 'lhr')
    assert.equal(top('res700.fra.rrdns.pch.net')?.code, 'fra')
    assert.equal(top('res100.qzrh2.rrdns.pch.net')?.code, 'zrh')
    assert.equal(top('res121.qdub1.on.quad9.net')?.code, 'dub')
    assert.equal(top('server m12.ams')?.code, 'ams')
    assert.equal(top('CleanBrowsing v1.6a - dns-edge-newyork1')?.city, 'New York City')
    assert.equal(top('CleanBrowsing v1.6a - dns-edge-canada-toronto3')?.country, 'CA')
  })
  it('opaque identities name nothing confidently', () => {
    for (const s of ['u4.sub', 'AkamaiRecursive_...', 'foo', 'Answerx_On_snloca-rdns-05']) {
      const h = top(s)
      assert.ok(h === null || h.city === null || h.confidence < 0.5, `${s}: ${JSON.stringify(h)}`)
    }
  })
  it('Google Public DNS: longest prefix of the egress address', () => {
    const locations = ['34.64.0.0/16 xxx', '34.64.1.0/24 icn ', '2404:6800:4000::/36 tpe']
    assert.equal(googleDnsSite(['34.64.1.7'], locations), 'icn')
    assert.equal(googleDnsSite(['34.64.9.7'], locations), 'xxx')
    assert.equal(googleDnsSite(['2404:6800:4001::1'], locations), 'tpe')
    assert.equal(googleDnsSite(['198.51.100.7'], locations), null)
  })
})

describe('CDN header table', () => {
  it('every row is data: provider, header names, a pattern with a named group, a code type', () => {
    for (const r of HEADER_RULES) {
      assert.ok(r.provider && r.headers.length > 0 && r.pattern instanceof RegExp)
      assert.ok(/\(\?<(code|city)>/.test(r.pattern.source), `${r.provider}: pattern names its code`)
      for (const h of r.headers) assert.equal(h, h.toLowerCase())
    }
  })
  const cases: Array<[string, string, string, string, string | null]> = [
    // header, value, provider, code, city
    ['CF-RAY', '4968f5278537a67d-DUB', 'cloudflare', 'dub', 'Dublin'],
    ['cf-trace', 'fl=1\nh=x\nip=1.1.1.1\ncolo=TPE\nloc=VN\n', 'cloudflare', 'tpe', null],
    ['X-Served-By', 'cache-ams21082-AMS', 'fastly', 'ams', 'Amsterdam'],
    ['X-Amz-Cf-Pop', 'FRA56-P5', 'cloudfront', 'fra', 'Frankfurt am Main'],
    ['x-vercel-id', 'bom1::djm5z-1788688501471-5e5ac090f2b1', 'vercel', 'bom', 'Mumbai'],
    ['fly-request-id', '01GC9PEZWAT9JTNVGQ3ACEFBMK-ams', 'fly', 'ams', 'Amsterdam'],
    ['Fly-Region', 'sjc', 'fly', 'sjc', 'San Jose'],
    ['Server', 'BunnyCDN-DE1-1085', 'bunny', 'de1', null],
    // Edgecast's pop is its own site id (2-letter city + instance letter: dab, nyd, hkc): no place
    ['Server', 'ECS (phl/9D60)', 'edgecast', 'phl', null],
    ['x-edge-location', 'chzh', 'keycdn', 'chzh', null],
    ['x-77-pop', 'frankfurtDE', 'cdn77', 'frankfurt', 'Frankfurt am Main'],
    ['X-MSEdge-Ref', 'Ref A: 68AF Ref B: CO1EDGE0108 Ref C: 2018-10-22T18:52:28Z', 'microsoft-edge', 'co1', null],
    ['x-id', 'sg1-hw-edge-gc17', 'gcore', 'sg1', null],
    ['X-HW', '1614175418.dop005.fr8.t,1614175418.cds021.fr8.c', 'stackpath', 'fr8', null],
  ]
  for (const [header, value, provider, code, city] of cases) {
    it(`${provider} ${header}`, () => {
      const r = parseHeader(header, value)
      assert.ok(r, `${header}: ${value}`)
      assert.equal(r.provider, provider)
      assert.equal(r.code, code)
      if (city !== null) assert.equal(r.hint.city, city)
    })
  }
  it('/cdn-cgi/trace: colo= is the PoP, loc= (the client country) is never read', () => {
    const r = parseHeader('cf-trace', 'colo=HKG\nloc=VN\n')!
    assert.equal(r.code, 'hkg')
    assert.equal(r.hint.country, 'HK')
    assert.equal(parseHeader('cf-trace', 'loc=VN\nip=1.2.3.4'), null)
  })
  it('Fastly shielding: X-Served-By lists the edge LAST, X-Forwarded-Server and Debug-Path FIRST', () => {
    assert.equal(parseHeader('X-Served-By', 'cache-hkg17928-HKG, cache-hnd18734-HND')!.code, 'hnd')
    assert.equal(parseHeader('X-Forwarded-Server', 'cache-hnd18734-HND, cache-hkg17928-HKG')!.code, 'hnd')
    const dp = parseHeader('Fastly-Debug-Path', '(D cache-lcy1128-LCY 1415969775) (F cache-sjc3128-SJC 1415969775)')!
    assert.equal(dp.code, 'lcy')
    assert.deepEqual(dp.path, ['cache-lcy1128-LCY', 'cache-sjc3128-SJC'])
  })
  it('Fastly data-centre codes that are not airports are operator codes', () => {
    const r = parseHeader('Fastly-FF', 'qZarR/12OL0QOq4VyQPmqQ/CTp17AZv0d6cSG5nUSxU=!WDC!cache-wdc5548-WDC')!
    assert.deepEqual([r.code, r.codeType, r.hint.city], ['wdc', 'operator', null])
  })
  it('CloudFront keeps the full PoP id as the site', () => {
    const r = parseHeader('x-amz-cf-pop', 'EWR52-C3')!
    assert.deepEqual([r.code, r.site], ['ewr', 'EWR52-C3'])
  })
  it('Azure Front Door: the edge name is inside the base64 reference', () => {
    const ref = '0zxV+XAAAAABKMMOjBv2NT4TY6SQVjC0zV1NURURHRTA2MTkANDM3YzgyY2QtMzYwYS00YTU0LTk0YzMtNWZmNzA3NjQ3Nzgz'
    assert.match(decodeAzureRef(ref)!, /WSTEDGE0619/)
    assert.equal(parseHeader('X-Azure-Ref', ref)!.code, 'wst')
  })
  it('values without a PoP and unknown headers give nothing', () => {
    assert.equal(parseHeader('CF-RAY', '7d4b1f9e8c2a1234'), null)
    assert.equal(parseHeader('Server', 'nginx'), null)
    assert.equal(parseHeader('X-Request-Id', 'fra-123'), null)
  })
  it('a user-named header is read with the generic rules', () => {
    assert.equal(parseHeader('X-Server-Location', 'fra03', {userHeaders: ['x-server-location']})?.hint.city, 'Frankfurt am Main')
    assert.equal(parseHeader('X-Server-Location', 'fra03'), null)
  })
  it('stacked proxies: the outermost wins', () => {
    const r = parseHeaders({'X-Vercel-Id': 'iad1::82mqm', 'Cf-Ray': '8c9a1b2c3d4e5f6a-FRA'})
    assert.equal(r[0]!.provider, 'cloudflare')
  })
})

describe('RTT feasibility', () => {
  it('parseVpLocation: lat,lon, airport codes, errors with a hint', () => {
    assert.deepEqual(parseVpLocation('50.03,8.57'), {lat: 50.03, lon: 8.57, label: '50.03,8.57'})
    const fra = parseVpLocation('FRA')
    assert.ok(Math.abs(fra.lat - 50.03) < 0.1)
    assert.ok(Math.abs(parseVpLocation('nyc').lon + 74) < 1)
    for (const bad of ['95,10', 'nowhere-at-all-xyz', '']) {
      assert.throws(() => parseVpLocation(bad), (e) => isAnyprobeError(e) && e.code === 'E_USAGE' && e.hint !== null)
    }
  })
  it('a place farther than the RTT allows is infeasible', () => {
    const fra = {lat: 50.03, lon: 8.57}
    assert.equal(rttFeasibility(fra, {lat: 51.47, lon: -0.45}, 10).feasible, true) // LHR ~650 km
    assert.equal(rttFeasibility(fra, {lat: 40.64, lon: -73.78}, 10).feasible, false) // JFK ~6200 km
  })
  it('rejects the far reading and keeps the feasible one among ambiguous readings', () => {
    const name = 'xe-1.cr1.london1.example.net'
    const without = inferPop([{signal: 'dest-hostname', input: name}])!
    assert.equal(without.country, 'GB')
    const v = inferPop([{signal: 'dest-hostname', input: name}], {vpLocation: parseVpLocation('YYZ'), rttMs: 6})!
    assert.equal(v.country, 'CA')
    assert.equal(v.city, 'London')
    assert.ok(v.evidence.some((e) => e.signal === 'rtt-feasibility' && /rejected london \(London, GB\)/.test(e.note)))
  })
  it('a verdict the RTT rules out entirely becomes a conflict, not a verdict', () => {
    const v = inferPop(
      [
        {signal: 'hop-hostname', input: 'be1.ccr41.jfk05.atlas.cogentco.com', distance: 1},
        {signal: 'hop-hostname', input: 'be1.ccr41.fra03.atlas.cogentco.com', distance: 2},
      ],
      {vpLocation: {lat: 50.1, lon: 8.7}, rttMs: 3},
    )!
    assert.equal(v.code, 'fra')
    assert.ok(v.conflicts.some((c) => c.code === 'jfk' && /RTT/.test(c.note) && c.weight < 0))
  })
})

describe('fusion', () => {
  it('returns null when nothing supports a verdict', () => {
    assert.equal(inferPop([]), null)
    assert.equal(inferPop([{signal: 'hop-hostname', input: 'xe-0-0-1.core1.static.example.net'}]), null)
    assert.equal(inferPop([{signal: 'http-header', header: 'server', input: 'nginx'}]), null)
  })
  it('agreeing signals on one metro raise confidence', () => {
    const header = {signal: 'http-header' as const, header: 'cf-ray', input: '4968f5278537a67d-LHR'}
    const alone = inferPop([header])!
    const both = inferPop([header, {signal: 'hop-hostname', input: 'be1.ccr41.lon13.atlas.cogentco.com', distance: 1}])!
    assert.equal(both.city, 'London')
    assert.ok(both.confidence > alone.confidence, `${both.confidence} > ${alone.confidence}`)
    assert.equal(both.evidence.filter((e) => e.weight > 0).length, 2)
    assert.deepEqual(both.conflicts, [])
  })
  it('metro agreement: EWR and a New York name are one place', () => {
    const v = inferPop([
      {signal: 'http-header', header: 'x-amz-cf-pop', input: 'EWR52-C3'},
      {signal: 'hop-hostname', input: '0.ae2.pr0.nyc20.tbone.rr.com', distance: 1},
    ])!
    assert.equal(v.code, 'ewr')
    assert.equal(v.conflicts.length, 0)
  })
  it('identity outweighs hops; the disagreeing hop is listed as a conflict', () => {
    const v = inferPop([
      {signal: 'http-header', header: 'cf-ray', input: '4968f5278537a67d-DUB'},
      {signal: 'hop-hostname', input: 'be2815.ccr41.ams03.atlas.cogentco.com', distance: 1},
    ])!
    assert.equal(v.code, 'dub')
    assert.equal(v.conflicts.length, 1)
    assert.equal(v.conflicts[0]!.code, 'ams')
    assert.ok(v.conflicts[0]!.weight < 0)
    assert.ok(v.confidence < 0.95)
  })
  it('nearer hops outweigh farther ones', () => {
    const v = inferPop([
      {signal: 'hop-hostname', input: 'be1.ccr41.ams03.atlas.cogentco.com', distance: 3},
      {signal: 'hop-hostname', input: 'be1.ccr41.fra03.atlas.cogentco.com', distance: 1},
    ])!
    assert.equal(v.code, 'fra')
  })
  it('several weak hops agreeing beat one stronger hop', () => {
    const v = inferPop([
      {signal: 'hop-hostname', input: 'be1.ccr41.ams03.atlas.cogentco.com', distance: 1},
      {signal: 'hop-hostname', input: 'ae-1.r02.amstnl02.nl.bb.gin.ntt.net', distance: 2},
      {signal: 'hop-hostname', input: 'ae-6.edge2.Amsterdam1.Level3.net', distance: 3},
      {signal: 'dns-identity', input: 's1.bei'},
    ])!
    assert.equal(v.city, 'Amsterdam')
  })
  it('stacked CDNs: an inner provider header counts like a hop, not as a rival identity', () => {
    // Cloudflare in front writes Server "cloudflare" (it cannot be changed; another Server beside a
    // cf-ray means a proxy further out: test/unit/infer-self-ids.test.ts)
    const obs = [
      {signal: 'http-header' as const, header: 'server', input: 'cloudflare'},
      {signal: 'http-header' as const, header: 'cf-ray', input: '8c9a1b2c3d4e5f6a-FRA'},
      {signal: 'http-header' as const, header: 'x-vercel-id', input: 'iad1::82mqm'},
    ]
    const v = inferPop(obs)!
    assert.equal(v.code, 'fra')
    assert.equal(v.conflicts.length, 1)
    assert.match(v.conflicts[0]!.note, /inner proxy/)
    assert.ok(v.confidence >= 0.75, `confidence ${v.confidence}`)
    assert.ok(!v.evidence.some((e) => /server/.test(e.input)), 'Server: cloudflare is not evidence')
  })
  it('an operator code with no place still makes a verdict, with city null', () => {
    const v = inferPop([{signal: 'http-header', header: 'server', input: 'BunnyCDN-FR1-1349'}])!
    assert.deepEqual([v.code, v.codeType, v.city, v.lat], ['fr1', 'operator', null, null])
  })
  it('a known PoP header without a code is shown as evidence, not dropped silently', () => {
    const v = inferPop([
      {signal: 'http-header', header: 'cf-ray', input: '7d4b1f9e8c2a1234'},
      {signal: 'dns-identity', input: 'res700.fra.rrdns.pch.net'},
    ])!
    assert.ok(v.evidence.some((e) => e.code === null && /cf-ray carries no PoP code/.test(e.note)))
  })
  it('sanitises control characters in every echoed input', () => {
    const v = inferPop([{signal: 'dns-identity', input: 'res700.fra.rrdns.pch.net\u001b[31m'}])
    const w = inferPop([{signal: 'dest-hostname', input: 'ae1.cr1.fra03.example.net\u0007\u202e'}])!
    for (const e of [...(v?.evidence ?? []), ...w.evidence]) {
      assert.doesNotMatch(e.input, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/)
      assert.doesNotMatch(e.note, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/)
    }
    assert.match(w.evidence[0]!.input, /\\x07\\x202e/)
  })
})

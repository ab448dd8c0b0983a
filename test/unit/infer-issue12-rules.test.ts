// Inference classes that failed on real names outside the corpus (issue 12). Each is a general
// rule, tested on real names (test/fixtures/heldout, with sources) and on the forms the rule
// covers; none is a table keyed on an input.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {geohintRecord} from '../../src/commands/geohint.js'
import {hostnameHint, inferPopExplained, parseHeader} from '../../src/infer/index.js'

describe('a public code no dictionary knows is no PoP, whichever header carries it', () => {
  const unknown: Array<[string, string]> = [
    ['cf-ray', '4968f5278537a67d-QQZ'],
    ['cf-trace', 'colo=QQZ'],
    ['x-amz-cf-pop', 'QQZ50-C1'],
    ['x-vercel-id', 'qqz1::iad1::abc-123'],
    ['fly-request-id', '01H2X3Y4Z5-qqz'],
    ['fly-region', 'qqz'],
    ['x-edge-location', 'qqz'],
  ]
  for (const [h, v] of unknown) {
    it(`${h}: ${v}`, () => {
      assert.equal(parseHeader(h, v), null)
      const ex = inferPopExplained([{signal: 'http-header', header: h, input: v}])
      assert.equal(ex.verdict, null)
      assert.match(ex.reason ?? '', /carries no PoP code/)
    })
  }
  it('known codes in the same headers still name their PoP; documented private codes stay codes', () => {
    assert.equal(parseHeader('cf-ray', '4968f5278537a67d-DUB')?.hint.city, 'Dublin')
    assert.equal(parseHeader('x-amz-cf-pop', 'GRU3-P7')?.hint.country, 'BR')
    assert.equal(parseHeader('fly-region', 'qro')?.hint.country, 'MX')
    // Fastly's WDC and Edgecast's nyb are private codes their providers document: kept, placeless
    assert.deepEqual([parseHeader('x-served-by', 'cache-wdc5548-WDC')?.code, parseHeader('x-served-by', 'cache-wdc5548-WDC')?.hint.city], ['wdc', null])
    assert.equal(parseHeader('server', 'ECS (nyb/1D2E)')?.code, 'nyb')
  })
})

describe("the operator's country breaks ties between same-named places", () => {
  it('a .ca name says London, Ontario; a .uk name Perth, Scotland; the ccTLD never outvotes a real city', () => {
    assert.deepEqual([hostnameHint('www.sjhc.london.on.ca')?.city, hostnameHint('www.sjhc.london.on.ca')?.country], ['London', 'CA'])
    assert.equal(hostnameHint('xe-0.cr1.london.example.ca')?.country, 'CA')
    assert.equal(hostnameHint('www.perth.uhi.ac.uk')?.country, 'GB')
    assert.equal(hostnameHint('ntp.perth.nmi.gov.au')?.country, 'AU')
    // no ccTLD: the most populous London
    assert.equal(hostnameHint('xe-0.cr1.london.example.net')?.country, 'GB')
    // a village of the name in the operator's country does not win (Paris, Ontario)
    assert.equal(hostnameHint('ae1.paris.example.ca')?.country, 'FR')
    // a vanity ccTLD says nothing of the operator
    assert.equal(hostnameHint('xe-0.cr1.london.example.io')?.country, 'GB')
    // a known operator's home country: Comcast's Birmingham is in Alabama
    assert.equal(hostnameHint('ae1.birmingham.comcast.net')?.country, 'US')
  })
})

describe('a spelled city name outweighs a short prefix that merely looks like an IATA code', () => {
  it('CamelCase and dashed forms', () => {
    assert.equal(hostnameHint('sea1-LosAngeles-ae0.example.net')?.city, 'Los Angeles')
    assert.equal(hostnameHint('ae1.chiNewYork1.example.net')?.city, 'New York City')
    assert.equal(hostnameHint('if-ae-2-2.tcore2.LVW-LosAngeles.as6453.net')?.city, 'Los Angeles')
    assert.equal(hostnameHint('acr2-loopback.NewYork.cw.net')?.city, 'New York City')
    // alone, the code is still the site
    assert.equal(hostnameHint('sea1.example.net')?.city, 'Seattle')
  })
})

describe('CLLI-style codes outside North America', () => {
  it('4-letter place + 2-letter geopolitical code, CLLI codes that are not ISO included', () => {
    assert.equal(hostnameHint('as-6.r21.sngpsi02.sg.bb.gin.ntt.net')?.city, 'Singapore')
    assert.equal(hostnameHint('ae1.sngpsi02.example.net')?.city, 'Singapore')
    assert.equal(hostnameHint('ae-9.r24.tkokhk01.hk.bb.gin.ntt.net')?.city, 'Hong Kong')
    assert.equal(hostnameHint('ce-0-0-0-2.r01.stocse01.se.bb.gin.ntt.net')?.city, 'Stockholm')
    assert.equal(hostnameHint('ae-9.r24.londen12.uk.bb.gin.ntt.net')?.city, 'London')
  })
})

describe("Bunny's Server header", () => {
  it('the PoP code is Bunny\'s own: kept as an operator code, no place invented (PHX1 is not read as Phoenix)', () => {
    for (const v of ['BunnyCDN-PHX1-1155', 'BunnyCDN-PH1-1245', 'BunnyCDN-TW1-1121', 'BunnyCDN-FR1-1349']) {
      const r = parseHeader('server', v)
      assert.equal(r?.provider, 'bunny', v)
      assert.equal(r?.codeType, 'operator', v)
      assert.equal(r?.hint.city, null, v)
    }
  })
})

describe('a /cdn-cgi/trace body piped into geohint', () => {
  // a real body (test/fixtures/heldout/cdn_headers.json ho-cdn-038)
  const body = 'fl=80f417\nh=cloudflare.com\nip=111.249.78.157\nts=1772941360.629\nvisit_scheme=https\nuag=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36\ncolo=TPE\nsliver=none\nhttp=http/2\nloc=TW\ntls=TLSv1.3\nsni=plaintext\nwarp=off\ngateway=off\nrbi=off\nkex=X25519MLKEM768'
  it('line by line: only colo= names the PoP; loc= (the client\'s country) and the rest name nothing, with why', () => {
    const located = body.split('\n').map((l) => geohintRecord(l, 'auto')).filter((r) => r.pop !== null)
    assert.deepEqual(located.map((r) => [r.input, r.pop!.code, r.pop!.city]), [['colo=TPE', 'tpe', 'Taoyuan City']])
    const loc = geohintRecord('loc=TW', 'auto')
    assert.equal(loc.kind, 'header')
    assert.match(loc.evidence[0]!.note, /cf-trace carries no PoP code/)
  })
  it('the whole body as one input: colo=', () => {
    assert.equal(geohintRecord(body, 'auto').pop?.code, 'tpe')
  })
})

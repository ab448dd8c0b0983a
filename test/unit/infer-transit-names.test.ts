// Router names of transit and access networks as public traceroutes show them (GitHub issues,
// READMEs and notes quoting traceroute output), read by the general rules: no confident place
// from a code the name itself contradicts, and the safe "site code, place unknown" where the
// operator's mnemonics are its own. Sources of the shapes:
// - Liberty Global aorta.net "de-fra04d-rc1-ae-12-0", "de-bon01a-rd03-ae-0-0", "ie-dub01a-ra3-ae34-0"
//   (traceroutes from Vodafone Germany / Virgin Media Ireland customers);
// - DFN X-WiN "xr-bay1-te1-1.x-win.dfn.de", "cr-tub2-te0-0-0-7-4.x-win.dfn.de", "xr-pot1-te1-3.x-win.dfn.de";
// - Deutsche Telekom "f-ed11-i.F.DE.NET.DTAG.DE", "n-ea9-i.N.DE.NET.DTAG.DE", customer lines
//   "p3e9bf742.dip0.t-ipconnect.de"; Vodafone "ip-081-210-178-029.um21.pools.vodafone-ip.de";
// - Arelion "ffm-bb1-link.ip.twelve99.net", "prs-b3-link.ip.twelve99.net", "be6.cr3-fra1.ip.twelve99.net";
// - AT&T "sffca22crs.ip.att.net", "cgcil403igs.ip.att.net", "cr1.n54ny.ip.att.net";
// - Vodafone (cw.net) "ae32-100-pcr1.fnt.cw.net", "telia-gw.fnt.cw.net" (handing over to Arelion's
//   ffm), "ae34-xcr1.mrx.cw.net", "ae47.0-xcr1.sng.cw.net", older "acr1-ge-2-1-0.Boston.cw.net";
// - RETN "ae14-229.RT.DL.MSK.RU.retn.net", "et002-3.RT.EQ6.HKI.FI.retn.net".
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {hostnameHints} from '../../src/infer/hostname.js'

const best = (name: string) => hostnameHints(name)[0] ?? null
const confidentElsewhere = (name: string, country: string): string | null => {
  for (const h of hostnameHints(name)) if (h.confidence >= 0.5 && h.country !== null && h.country !== country) return `${h.code} ${h.city}, ${h.country} ${h.confidence}`
  return null
}

describe('a country code before the site code is context', () => {
  it('"de-bon01a" is not Bonaire (BON) but a German site; the same shape elsewhere keeps its airport', () => {
    assert.equal(confidentElsewhere('de-bon01a-rd03-ae-0-0.aorta.net', 'DE'), null)
    const h = best('de-bon01a-rd03-ae-0-0.aorta.net')!
    assert.deepEqual([h.code, h.country], ['bon', 'DE'], 'the site code, with the country the label names, not "de"')
    assert.equal(best('de-fra04d-rc1-ae-12-0.aorta.net')?.city, 'Frankfurt am Main')
    assert.equal(best('ie-dub01a-ra3-ae34-0.aorta.net')?.city, 'Dublin')
    assert.equal(best('ch-gva01a-ra1-ge-1-1-0.aorta.net')?.country, 'CH')
  })
  it('a role word that is also a country code is not one ("cr-" core router, not Costa Rica), nor letters under another country\'s TLD', () => {
    assert.equal(best('cr-fra1.example.net')?.city, 'Frankfurt am Main')
    assert.ok((best('cr-fra1.example.net')?.confidence ?? 0) >= 0.9)
    assert.notEqual(best('sn-sinqt1-bo403-ae1.singnet.com.sg')?.country, 'SN')
  })
})

describe('a small airport abroad under a country-code TLD stays a hint', () => {
  it('DFN (.de): bay is not Baia Mare, tub not Tubuai, x-win not Winton', () => {
    for (const n of ['xr-bay1-te1-1.x-win.dfn.de', 'cr-tub2-te0-0-0-7-4.x-win.dfn.de', 'xr-pot1-te1-3.x-win.dfn.de']) {
      assert.equal(confidentElsewhere(n, 'DE'), null, n)
    }
  })
  it('a large airport abroad keeps its reading (a German operator in Amsterdam)', () => {
    assert.equal(best('ae1.cr1.ams2.example.de')?.city, 'Amsterdam')
    assert.ok((best('ae1.cr1.ams2.example.de')?.confidence ?? 0) >= 0.5)
  })
})

describe('access pools are no site code', () => {
  it('Telekom dip0 and Vodafone pools', () => {
    assert.equal(best('p3e9bf742.dip0.t-ipconnect.de'), null)
    assert.notEqual(best('ip-081-210-178-029.um21.pools.vodafone-ip.de')?.code, 'pools')
  })
  it('a word in the label that carries the customer\'s line is no site code (it was one at 0.5)', () => {
    for (const n of ['dynamic-acs-24-1-2-3.zoominternet.net', 'cpc1-lutn1-2-0-cust123.9-3.cable.virginm.net']) {
      for (const h of hostnameHints(n)) assert.ok(!(h.codeType === 'operator' && h.confidence >= 0.5), `${n}: ${JSON.stringify(h)}`)
    }
    // a product word in a router's own label is not a line: Verizon's RES (Reston) stays a site code
    assert.equal(best('so-15-0-1-0.RES-BB-RTR1.verizon-gni.net')?.code, 'res')
  })
})

describe('big transit networks: no wrong confident place', () => {
  it('Arelion, Deutsche Telekom, AT&T names name no city elsewhere than their own', () => {
    // each is a site code the operator keeps to itself (or a place we read right); none may name a
    // confident city in another country
    const cases: Array<[string, string]> = [
      ['ffm-bb1-link.ip.twelve99.net', 'DE'], ['prs-b3-link.ip.twelve99.net', 'FR'], ['be6.cr3-fra1.ip.twelve99.net', 'DE'],
      ['f-ed11-i.F.DE.NET.DTAG.DE', 'DE'], ['n-ea9-i.N.DE.NET.DTAG.DE', 'DE'],
      ['sffca22crs.ip.att.net', 'US'], ['cgcil403igs.ip.att.net', 'US'], ['cr1.n54ny.ip.att.net', 'US'], ['cr1.dlstx.ip.att.net', 'US'],
    ]
    for (const [n, cc] of cases) assert.equal(confidentElsewhere(n, cc), null, n)
  })
})

describe('Vodafone (cw.net) site mnemonics are its own', () => {
  it('fnt is not Flint, mrx not Mahshahr: a site code with the place unknown; spelled cities stay', () => {
    for (const n of ['ae32-100-pcr1.fnt.cw.net', 'telia-gw.fnt.cw.net', 'ae34-xcr1.mrx.cw.net', 'ae47.0-xcr1.sng.cw.net']) {
      const h = best(n)
      assert.equal(h?.codeType, 'operator', `${n}: ${JSON.stringify(h)}`)
      assert.equal(h?.city, null, n)
    }
    assert.equal(best('ae47.0-xcr1.sng.cw.net')?.code, 'sng')
    assert.equal(best('acr1-ge-2-1-0.Boston.cw.net')?.city, 'Boston')
  })
})

describe('carriers\' city abbreviations that no airport has', () => {
  it('RETN\'s MSK (Moscow) and HKI (Helsinki), beside the country label', () => {
    assert.equal(best('ae14-229.RT.DL.MSK.RU.retn.net')?.city, 'Moscow')
    assert.equal(best('et002-3.RT.EQ6.HKI.FI.retn.net')?.city, 'Helsinki')
    assert.ok((best('ae14-218.rt.rad.hki.fi.retn.net')?.confidence ?? 0) >= 0.8)
  })
})

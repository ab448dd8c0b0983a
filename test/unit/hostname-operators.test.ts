// Router names of the big transit and cloud networks as they appear in public traceroutes (round 5).
// The shape of each name is marked with where it was seen; the names themselves are written for
// these tests (none is a corpus entry). What is guarded: no confident wrong place from an
// operator's private code, and the place where the operator's convention is public.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {hostnameCandidates} from '../../src/infer/hostname.js'
import {hostnameHint} from '../../src/infer/index.js'

/** The place a name is confidently read as (>= 0.5), or null: what an operator would be told. */
function confidentCity(name: string): string | null {
  const h = hostnameHint(name)
  return h !== null && h.city !== null && h.confidence >= 0.5 ? `${h.city}, ${h.country}` : null
}

/** No reading of the name puts it confidently in this country. */
function neverConfidentIn(name: string, country: string): void {
  for (const c of hostnameCandidates(name)) {
    assert.ok(!(c.country === country && c.city !== null && c.confidence >= 0.5), `${name}: ${c.city}, ${c.country} @${c.confidence}`)
  }
}

describe("Arelion's customer-side interconnect names (twelve99-cust.net)", () => {
  // shape: "cloudflare-ic328260-dls-b23.ip.twelve99-cust.net", "verizon-ic-315152-ash-b1.ip.twelve99-cust.net"
  // (public traceroutes on GitHub); the site is Arelion's own mnemonic, as in ip.twelve99.net
  it('the site mnemonic is an operator code, not the airport of those letters', () => {
    for (const [name, code] of [
      ['cloudflare-ic328260-dls-b23.ip.twelve99-cust.net', 'dls'], // DLS is Dallesport, WA
      ['examplepeer-ic-300001-sjo-b21.ip.twelve99-cust.net', 'sjo'], // SJO is San José, Costa Rica
      ['examplecdn-ic342124-sea-b2.ip.twelve99-cust.net', 'sea'],
      ['sjo-b23-v6.ip.twelve99.net', 'sjo'], // the IPv6 router names
    ] as const) {
      const h = hostnameHint(name)
      assert.deepEqual([h?.code, h?.codeType, h?.city], [code, 'operator', null], name)
      assert.equal(confidentCity(name), null, name)
    }
    neverConfidentIn('examplepeer-ic-300001-sjo-b21.ip.twelve99-cust.net', 'CR')
  })

  it('"ic" without a dash before the id is the same interconnect shape in ip.twelve99.net', () => {
    // shape: "github-ic345015-ash-b2.ip.twelve99.net" (public traceroute)
    const [c] = hostnameCandidates('examplepeer-ic345015-ash-b2.ip.twelve99.net')
    assert.deepEqual([c?.code, c?.codeType, c?.city], ['ash', 'operator', null])
    assert.match(c!.note, /Arelion site mnemonic/) // read by the site pattern, not guessed
  })

  it('an interconnect name without a site names nothing', () => {
    assert.equal(hostnameHint('examplepeer-ic-382666.ip.twelve99-cust.net'), null)
  })
})

describe('Microsoft (msn.net): the site is the label before "ntwk"', () => {
  // shape: "{iface}.{role}{nn}.{site}{nn}.ntwk.msn.net", e.g. "ae24-0.ier02.fra21.ntwk.msn.net"
  it('the role label is never the site: "ibr01" is not Ibaraki, Japan', () => {
    for (const n of ['be-8-0.ibr01.bl20.ntwk.msn.net', 'be-100-0.ibr01.by21.ntwk.msn.net', 'be-5-0.ibr02.xx9.ntwk.msn.net']) {
      neverConfidentIn(n, 'JP')
      assert.ok(hostnameCandidates(n).every((c) => c.code !== 'ibr'), n)
    }
  })

  it("Microsoft's own abbreviations give the place its list states", () => {
    assert.equal(confidentCity('be-8-0.ibr01.bl20.ntwk.msn.net'), 'Ashburn, US')
    assert.equal(confidentCity('ae20-0.ier01.chg20.ntwk.msn.net'), 'Chicago, US') // CHG is Chaoyang, China
    assert.equal(confidentCity('ae21-0.ier01.san20.ntwk.msn.net'), 'San Antonio, US') // SAN is San Diego
    assert.equal(confidentCity('be-1-0.ibr02.co1.ntwk.msn.net'), 'Quincy, US')
  })

  it('IATA site codes are read in the site position; an unlisted code is a code with the place unknown', () => {
    assert.equal(confidentCity('ae24-0.ier02.fra21.ntwk.msn.net'), 'Frankfurt am Main, DE')
    assert.equal(confidentCity('ae22-0.icr02.ams30.ntwk.msn.net'), 'Amsterdam, NL')
    const by = hostnameHint('be-100-0.ibr01.by21.ntwk.msn.net')
    assert.deepEqual([by?.code, by?.codeType, by?.city], ['by', 'operator', null])
  })

  it('the abbreviation list is not applied outside the site position (an older name shape)', () => {
    assert.equal(confidentCity('xe-1-0-0.co2-97c-1a.ntwk.msn.net'), null)
  })
})

describe('a code after a number inside one label is not the site', () => {
  // shape: IIJ "osk008agr02.iij.net" (public traceroute): Osaka 008, an aggregation router 02
  it('"agr" of "osk008agr02" is not Agra, India', () => {
    assert.equal(confidentCity('osk008agr02.iij.net'), null)
    neverConfidentIn('tky001agr01.example.net', 'IN')
  })
  it('a leading site code keeps its reading', () => {
    assert.equal(confidentCity('fra008agr02.example.net'), 'Frankfurt am Main, DE')
  })
})

describe('network words in customer-line names', () => {
  it('"man" (a metropolitan area network) beside an embedded address is not Manchester', () => {
    assert.equal(confidentCity('host-203-0-113-7.man.example-broadband.net'), null)
    assert.equal(confidentCity('dsl-81-2-3-4.isp.example.com'), null) // ISP is Islip, NY
    assert.equal(confidentCity('ppp-81-2-3-4.nas.example.net'), null) // NAS is Nassau
    // and "man" is not offered as a site code either
    assert.ok(hostnameCandidates('host-203-0-113-7.man.example-broadband.net').every((c) => !(c.codeType === 'operator' && c.city === null)))
  })
  it('the site-code shape "man01" in a backbone name is still Manchester', () => {
    assert.equal(confidentCity('te0-0-2-0.rcr11.man01.example.net'), 'Manchester, GB')
  })
  it('a bare "man" label is a metropolitan area network anywhere (the Polish MANs: "man.poznan.pl")', () => {
    // shape: the PIONIER metropolitan networks name their routers under man.{city}.pl
    assert.equal(confidentCity('core1.man.poznan.pl'), null)
    assert.equal(confidentCity('rtr.man.lodz.pl'), null)
  })
})

describe('Lumen / Level3: a placeholder word in the city position', () => {
  // shape: "lag-101.ear1.Metro2.Level3.net" (a public .NET test of hop labels); Level3 spells the
  // city there ("ae-1-3502.ear2.Frankfurt1.Level3.net")
  it('"Metro2" is not Metro, Indonesia, and the role label "ear1" left of it is not Kearney, NE', () => {
    assert.equal(confidentCity('lag-101.ear1.Metro2.Level3.net'), null)
    assert.equal(confidentCity('lag-7.ear3.Metro1.net.lumen.tech'), null)
  })
  it('a spelled city there is still read, and a role word that is an airport still can be the site when nothing follows it', () => {
    assert.equal(confidentCity('ae-2-3612.ear2.Chicago2.Level3.net'), 'Chicago, US')
    assert.equal(confidentCity('lag-18.ear1.mad2.sp.lumen.tech'), 'Madrid, ES')
  })
})

describe('Charter / Spectrum: CLLI codes with a building code, or after the role number', () => {
  // shapes (public traceroutes): "lag-21.lsancarc0yw-bcr00.netops.charter.com",
  // "lag-806.bbr01dllstx.netops.charter.com", "lag-46.mcr11rochnyei.netops.charter.com",
  // "lag-19.hcr01snaxtx40.netops.charter.com", "bu-ether14.atlngamq46w-bcr00.tbone.rr.com"
  it('an 8-letter CLLI (place + building) beside a number is the site', () => {
    assert.equal(confidentCity('lag-21.lsancarc0yw-bcr00.netops.charter.com'), 'Los Angeles, US')
    assert.equal(confidentCity('bu-ether14.atlngamq46w-bcr00.tbone.rr.com'), 'Atlanta, US')
    assert.equal(confidentCity('lag-29-10.nwrknjmd67w-bcr00.netops.charter.com'), 'Newark, US')
  })
  it('a CLLI code after the role number is the site', () => {
    assert.equal(confidentCity('lag-806.bbr01dllstx.netops.charter.com'), 'Dallas, US')
    assert.equal(confidentCity('lag-46.mcr11rochnyei.netops.charter.com'), 'Rochester, US')
  })
  it('the role before the number is not an airport when a word follows the number ("hcr" is not Holy Cross, AK)', () => {
    assert.equal(confidentCity('lag-19.hcr01snaxtx40.netops.charter.com'), null)
  })
  it('an 8-letter word without a number beside it is not read as a CLLI code', () => {
    assert.ok(hostnameCandidates('core.lsancarc.example.net').every((c) => c.codeType !== 'clli'))
  })
})

describe('role words and ambiguous city names', () => {
  it('"agr" (an aggregation router) is no site: NTT OCN "po-1.agr01.tky6.ocn.ad.jp" is not Agra', () => {
    // shape: NTT OCN {iface}.{role}{nn}.{site}{n}.ocn.ad.jp; Cogent's "agr11.fra05" is the same role
    neverConfidentIn('po-1.agr01.tky6.ocn.ad.jp', 'IN')
    assert.equal(confidentCity('te0-0-0-0.agr11.fra05.atlas.cogentco.com'), 'Frankfurt am Main, DE')
    assert.ok(hostnameCandidates('te0-0-0-0.agr11.fra05.atlas.cogentco.com').every((c) => c.country !== 'IN'))
  })

  it('a name two sizeable cities share is read with less confidence than an unambiguous one', () => {
    // Level3 spells the city: "ae-1.edge2.Valencia1.Level3.net" (Valencia, Venezuela 1.4M / Spain 0.8M)
    const valencia = hostnameHint('ae-1.edge2.Valencia1.Level3.net')!
    const vienna = hostnameHint('ae-103.bar4.Vienna1.Level3.net')!
    assert.ok(valencia.confidence <= vienna.confidence - 0.1, `${valencia.confidence} vs ${vienna.confidence}`)
    // the doubt lowers the lead, it does not hand it to the smaller city; when the two stay within
    // 0.1 of each other (round 6) neither is confident: the name alone is a coin flip (Level3 has
    // a Valencia in Spain; Venezuela's is the larger), the RTT bound or another hop decides
    assert.equal(valencia.city, 'Valencia')
    assert.equal(valencia.country, 'VE')
    assert.ok(valencia.confidence < 0.5)
    const richmond = hostnameHint('ae-7.bar1.Richmond1.Level3.net')!
    assert.deepEqual([richmond.city, richmond.country], ['Richmond', 'US'])
    assert.ok(richmond.confidence < 0.5)
  })
})

describe('an airport abroad under a country-code TLD', () => {
  it('a small or mid-size airport in another country than the TLD is not confident ("cor" in .es is not Córdoba, AR)', () => {
    assert.equal(confidentCity('mail.cor.example.es'), null)
    assert.equal(confidentCity('gw1.bzn.example.de'), null) // BZN Bozeman: scheduled, not large
  })
  it('a large airport or a metro code abroad keeps its reading (an Australian network in Seattle)', () => {
    assert.equal(confidentCity('ae2.bdr1.b.sea.example.net.au'), 'Seattle, US')
    assert.equal(confidentCity('xe-0-0-0.cr1.lon.example.nl'), 'London, GB')
  })
  it('an airport in the TLD country keeps its reading', () => {
    assert.equal(confidentCity('core1.poz.example.pl'), 'Poznań, PL')
  })
})

describe('hosting words are not airports', () => {
  // destinations of traceroutes are often hosting names: "vps123.example-hosting.com", "ded4567.example.net"
  it('"vps" (Destin, FL), "ded" (Dehradun), "xen" (Xingcheng), "mon" (Mount Cook) name no place', () => {
    for (const n of ['vps123.example-hosting.com', 'host.vps.example.com', 'ded4567.example.net', 'xen8.example.com', 'mon7.example.com', 'host.nas.example.com']) {
      assert.equal(confidentCity(n), null, n)
      assert.ok(hostnameCandidates(n).every((c) => c.codeType !== 'iata'), n)
    }
  })
})

describe("SURF's node names (surf.net): Dutch railway station abbreviations, not airports", () => {
  // shapes: "asd001a-jnx-01" / "ut002a-jnx-01" (SURF's orchestration code), location codes
  // "Asd001A", "Gn001A", "Ledn001A", "Mt001A", "Ut001A" (its dashboard data), and
  // "AE8.1117.JNR01.Asd001A.surf.net" (a public traceroute from Radboud University)
  it('the listed codes are their Dutch cities', () => {
    assert.equal(confidentCity('asd001a-jnx-01-ae1.core.surf.net'), 'Amsterdam, NL')
    assert.equal(confidentCity('AE8.1117.JNR01.Asd001A.surf.net'), 'Amsterdam, NL')
    assert.equal(confidentCity('xe-0-1-0.ut002a-jnx-01.surf.net'), 'Utrecht, NL')
    assert.equal(confidentCity('ae1.Ledn001A.surf.net'), 'Leiden, NL')
  })
  it('an unlisted code is a site code with the place unknown, never the airport of its letters', () => {
    neverConfidentIn('asd001a-jnx-01-ae1.core.surf.net', 'BS') // ASD is Andros Town, Bahamas
    assert.equal(confidentCity('ehv001a-jnx-01.surf.net'), null) // EHV (Eindhoven) is not listed
    for (const c of hostnameCandidates('dt001a-jnx-01.surf.net')) assert.ok(c.city === null || c.country === 'NL' || c.confidence < 0.5)
  })
})

describe('same-named cities: the name alone does not choose between them', () => {
  // shape: Tata's "{iface}.tcore1.{site}-{city}.as6453.net" (public traceroutes); Santa Clara, Cuba
  // (250k people) read ahead of Santa Clara, California (126k) by population alone
  it("Tata's Santa Clara is California's without RTT evidence, Cuba's only when the RTT bound says so", async () => {
    const {inferPop} = await import('../../src/infer/index.js')
    const name = 'if-ae-8-2.tcore1.sv1-santa-clara.as6453.net'
    assert.equal(confidentCity(name), 'Santa Clara, US')
    const hop = [{signal: 'hop-hostname' as const, input: name, distance: 1}]
    const havana = {lat: 23.11, lon: -82.37}
    assert.equal(inferPop(hop, {vpLocation: havana, rttMs: 3})?.country, 'CU') // California is > 3 ms away
    assert.equal(inferPop(hop, {vpLocation: {lat: 37.35, lon: -121.96}, rttMs: 2})?.country, 'US')
  })
  it('a tie with nothing to break it is no confident place; a TLD or a country label breaks it', () => {
    for (const n of ['ae1.cr1.valencia.example.net', 'ae1.cr1.richmond.example.net', 'ae1.cr1.santa-clara.example.net']) assert.equal(confidentCity(n), null, n)
    assert.equal(confidentCity('ae1.cr1.valencia.example.es'), 'Valencia, ES')
    assert.equal(confidentCity('ae1.cr1.richmond.va.us.example.net'), 'Richmond, US')
  })
  it('the RTT bound breaks the tie: the namesake left takes back its confidence', async () => {
    const {inferPop} = await import('../../src/infer/index.js')
    const hop = (input: string) => [{signal: 'hop-hostname' as const, input, distance: 1}]
    const nearValencia = inferPop(hop('ae1.cr1.valencia.example.net'), {vpLocation: {lat: 39.47, lon: -0.38}, rttMs: 2})!
    assert.deepEqual([nearValencia.city, nearValencia.country], ['Valencia', 'ES'])
    // a bound that rules nothing out leaves the tie as it was (a hop's own weight < 1 applies to both)
    const far = inferPop(hop('ae1.cr1.valencia.example.net'), {vpLocation: {lat: 39.47, lon: -0.38}, rttMs: 400})!
    assert.ok(nearValencia.confidence >= far.confidence + 0.1, `${nearValencia.confidence} vs ${far.confidence}`)
    assert.ok(far.confidence < 0.5, String(far.confidence))
  })
})

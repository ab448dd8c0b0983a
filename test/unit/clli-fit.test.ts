// The CLLI rule's choice among towns whose names contain the 4 letters: the town the letters
// abbreviate in the CLLI way (first letter, consonants, word initials; the whole name) beats a
// bigger town whose longer name merely contains them. None of these codes is in the hand table.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {abbreviationFit, clliPlace} from '../../src/geo/clli.js'
import {hostnameHint} from '../../src/infer/index.js'

describe('CLLI rule: the abbreviated town, not a longer name containing the letters', () => {
  it("the reviewer's code: sntcca is Santa Clara, not Santa Clarita", () => {
    const hit = clliPlace('sntcca')
    assert.equal(hit?.source, 'rule')
    assert.equal(hit?.place.city, 'Santa Clara')
    assert.equal(hostnameHint('99-1-2-3.lightspeed.sntcca.sbcglobal.net')?.city, 'Santa Clara')
  })

  it('more codes of the same kind (each read as a bigger or longer-named town before)', () => {
    const cases: Array<[string, string]> = [
      ['sntrca', 'Santa Rosa'], // was Santa Clarita: reaching its r skips the consonants c and l
      ['clvsca', 'Clovis'], // was Chula Vista
      ['vcvlca', 'Vacaville'], // was Victorville
      ['snmrca', 'San Marcos'], // was Santa Maria
      ['mntnca', 'Mountain View'], // was Moncton
      ['pmpnfl', 'Pompano Beach'], // was Pembroke Pines
      ['crlgfl', 'Coral Gables'], // was Coral Springs
      ['blngil', 'Bolingbrook'], // was Belmont Cragin
      ['grndtx', 'Grand Prairie'], // was Garland
    ]
    for (const [code, city] of cases) assert.equal(clliPlace(code)?.place.city, city, code)
  })

  it('the fit: dropped vowels are free, skipped consonants and unused letters cost', () => {
    assert.equal(abbreviationFit('sttl', 'Seattle'), 0.15) // one unused letter ("e")
    assert.ok(abbreviationFit('sntc', 'Santa Clara') < abbreviationFit('sntc', 'Santa Clarita'))
    assert.ok(abbreviationFit('clvs', 'Clovis') < abbreviationFit('clvs', 'Chula Vista'))
    assert.equal(abbreviationFit('xyzw', 'Seattle'), Number.POSITIVE_INFINITY)
  })
})

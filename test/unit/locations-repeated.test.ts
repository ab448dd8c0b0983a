// A second `--location NAME=...` for the same NAME silently replaced the first (audit-cli 9:
// `--location local=3,4` twice with other places, the last one won without a word). Two places for
// one vantage point is a mistake only the user can settle: E_USAGE naming both; the same place twice is fine.
// A --locations FILE listing one id on two lines kept the last line in silence too: now E_BAD_INPUT
// (the file is input) naming the id and both line numbers, with the flag's hint; the same line twice is accepted once.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {AnyprobeError} from '../../src/model/errors.js'
import {locationsOf, parseLocationArgs, parseLocations} from '../../src/vantage/locations.js'
import {ROOT, runCommand} from '../helpers/cli.js'

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

describe('--locations FILE listing one vantage point twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anyprobe-locations-twice-'))
  after(() => rmSync(dir, {recursive: true, force: true}))

  const refused = (re: RegExp) => (e: unknown): boolean => {
    assert.ok(e instanceof AnyprobeError)
    assert.equal(e.code, 'E_BAD_INPUT')
    assert.equal(e.exitCode, 2)
    assert.match(e.message, re)
    assert.match(e.hint ?? '', /one line per vantage point/)
    return true
  }

  it('two different places: E_BAD_INPUT naming the id and both line numbers, with a hint (the last one won in silence)', () => {
    const text = '# vps\nap-vp-ber 52.52 13.405 DE\nap-vp-nyc 40.71 -74.0 US\n\nap-vp-ber 50.11 8.68 DE\n'
    assert.throws(() => parseLocations(text, 'vps.txt'), refused(/^vps\.txt lines 2 and 5 put ap-vp-ber in two places/))
    // the same country given in two ways is the same entry; another country is another place
    assert.throws(() => parseLocations('x 1 2 DE\nx 1 2 FR\n', 'f'), refused(/^f lines 1 and 2 put x in two countries/))
    // a bare id and the same id with its kind are one vantage point, as for --location
    assert.throws(() => parseLocations('ap-vp-ber 52.5 13.4\nnetns:ap-vp-ber 40.7 -74\n', 'f'), refused(/lines 1 and 2 put ap-vp-ber in two places/))
  })

  it('the same entry twice is accepted once (also written another way: 52.52 and 52.520, de and DE, a country on one line only)', () => {
    const twice = parseLocations('ap-vp-ber 52.52 13.405 DE\nap-vp-ber 52.520 13.405 de # again\n')
    assert.equal(twice.size, 1)
    assert.deepEqual(twice.get('ap-vp-ber'), {lat: 52.52, lon: 13.405, country: 'DE'})
    assert.deepEqual(parseLocations('v 1 2\nv 1 2 DE\n').get('v'), {lat: 1, lon: 2, country: 'DE'})
    assert.deepEqual(parseLocations('v 1 2 DE\nv 1 2\n').get('v'), {lat: 1, lon: 2, country: 'DE'})
  })

  it('through the commands: report --locations FILE exits 2 before reading its input, naming both lines', async () => {
    const file = join(dir, 'vps.txt')
    writeFileSync(file, 'local 1 2\nlocal 3 4\n')
    const r = await runCommand('report', [join(ROOT, 'test/fixtures/report/catchment-http.json'), '--no-rdns', '--locations', file])
    assert.equal(r.status, 2, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /error E_BAD_INPUT: .*vps\.txt lines 1 and 2 put local in two places/)
    assert.match(r.stderr, /hint: give one line per vantage point/)
  })
})

// --probes FILE as users save it. Shapes: the API's probe list (/api/v2/probes/?id__in=..., pages of
// {"count", "next", "previous", "results"}, GeoJSON geometry [lon, lat]: atlas.ripe.net/docs/apis/
// rest-api-manual/probes/) and the daily archive ({"objects": [...]}, flat latitude/longitude).
// A user who follows "next" with `curl ... >> probes.json` gets the pages back to back; a probe may
// be listed twice (two archive days); a page may be missing. None of it may lose a location.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {probesNotListed} from '../../src/console/sites-input.js'
import {AnyprobeError} from '../../src/model/errors.js'
import {readProbeFile, topLevelValues} from '../../src/vantage/atlas/probe-file.js'
import {runCommand} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-probe-file-'))
after(() => rmSync(dir, {recursive: true, force: true}))

function probe(id: number, lat: number | null, lon: number | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {id, asn_v4: 3333, asn_v6: null, country_code: 'NL', description: `probe {${id}} "home"`, geometry: lat === null ? null : {type: 'Point', coordinates: [lon, lat]}, is_anchor: false, status: {id: 1, name: 'Connected'}, tags: [{name: 'system: IPv4 Works', slug: 'system-ipv4-works'}], ...extra}
}
const page = (results: unknown[], count: number, next: string | null): string => JSON.stringify({count, next, previous: null, results})
const NEXT = 'https://atlas.ripe.net/api/v2/probes/?id__in=1,2,3&page=2'
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const where = (f: Awaited<ReturnType<typeof readProbeFile>>, id: number): [number | null, number | null] | undefined => {
  const m = f.probes.get(id)
  return m === undefined ? undefined : [m.lat, m.lon]
}

describe('--probes FILE: pages, repeats, gaps', () => {
  const p1 = page([probe(1, 52.37, 4.89), probe(2, 40.71, -74.0)], 3, NEXT)
  const p2 = page([probe(3, -33.87, 151.21)], 3, null)

  it('API pages appended to one file, with or without a newline between them: every probe, [lon, lat] read as such', async () => {
    for (const [name, text] of [
      ['nl', `${p1}\n${p2}\n`],
      ['back-to-back', p1 + p2],
      ['pretty', `${JSON.stringify(JSON.parse(p1), null, 2)}\n${JSON.stringify(JSON.parse(p2), null, 2)}`],
    ] as const) {
      const f = await readProbeFile(file(`${name}.json`, text))
      assert.deepEqual([where(f, 1), where(f, 2), where(f, 3)], [[52.37, 4.89], [40.71, -74.0], [-33.87, 151.21]], name)
      assert.deepEqual(f.notes, [], name)
    }
  })

  it('page 1 of 2 alone: read, and a note says the other page is missing', async () => {
    const f = await readProbeFile(file('p1.json', p1))
    assert.equal(f.probes.size, 2)
    assert.equal(f.notes.length, 1)
    assert.match(f.notes[0]!, /holds 2 of the 3 probes .*"next"/)
  })

  it('a probe listed twice: the later entry wins, but its missing location does not erase the earlier one', async () => {
    const later = {...probe(1, null, null), country_code: 'BE', asn_v4: 5432}
    const f = await readProbeFile(file('dup.json', JSON.stringify([probe(1, 52.37, 4.89), later, probe(2, 40.71, -74.0), probe(2, 41.0, -73.0)])))
    assert.deepEqual(where(f, 1), [52.37, 4.89])
    assert.equal(f.probes.get(1)!.country, 'BE')
    assert.equal(f.probes.get(1)!.asnV4, 5432)
    assert.deepEqual(where(f, 2), [41.0, -73.0])
  })

  it('the archive shape: geometry null with flat latitude/longitude is located, never swapped', async () => {
    const f = await readProbeFile(file('archive.json', JSON.stringify({meta: {total_count: 1}, objects: [{...probe(7, null, null), latitude: 52.37, longitude: 4.89}, {...probe(8, null, null), latitude: '40.71', longitude: '-74.0', country_code: 'US'}]})))
    assert.deepEqual(where(f, 7), [52.37, 4.89])
    assert.deepEqual(where(f, 8), [40.71, -74.0]) // written as strings (a list converted from CSV)
  })

  it('a location its own country says is swapped (or [0, 0]) is dropped and said, never swapped back; true ones stay', async () => {
    // coordinates of public places (Amsterdam, Frankfurt, New York, Sydney, Nairobi): as [lon, lat] they are right
    const good = [probe(1, 52.37, 4.89), {...probe(2, 50.11, 8.68), country_code: 'DE'}, {...probe(3, -33.87, 151.21), country_code: 'AU'}, {...probe(4, 40.71, -74.0), country_code: 'US'}]
    // written [lat, lon] by a script: each lands off its country
    const bad = [{...probe(11, 4.89, 52.37)}, {...probe(12, 8.68, 50.11), country_code: 'DE'}, {...probe(13, -74.0, 40.71), country_code: 'US'}, {...probe(14, 36.82, -1.29), country_code: 'KE'}]
    const f = await readProbeFile(file('swapped.json', JSON.stringify([...good, ...bad, probe(20, 0, 0)])))
    assert.deepEqual([1, 2, 3, 4].map((id) => where(f, id)), [[52.37, 4.89], [50.11, 8.68], [-33.87, 151.21], [40.71, -74.0]])
    assert.deepEqual([11, 12, 13, 14, 20].map((id) => where(f, id)), [[null, null], [null, null], [null, null], [null, null], [null, null]])
    assert.equal(f.probes.get(12)!.country, 'DE') // the probe stays, with what else it said
    assert.equal(f.notes.length, 1)
    assert.match(f.notes[0]!, /4 outside the probe's country and inside it with latitude and longitude swapped, 1 at \[0, 0\] \(probe 11: NL at 4\.89, 52\.37;/)
  })

  it('report, diff and sites print the file\'s notes (here: page 1 of 2)', async () => {
    const p = file('page1-only.json', p1)
    const results = 'test/fixtures/atlas/results-1423386.json'
    for (const [cmd, args] of [
      ['report', [results, '--probes', p, '--no-rdns']],
      ['diff', [results, results, '--probes', p, '--no-rdns']],
      ['sites', ['--input', results, '--probes', p]],
    ] as const) {
      const r = await runCommand(cmd, [...args])
      assert.match(r.stderr, /note: --probes .*page1-only\.json holds 2 of the 3 probes/, `${cmd}: ${r.stderr}`)
    }
  })

  it('a value that breaks off is E_BAD_INPUT naming its line, not a silent partial list', async () => {
    await assert.rejects(
      readProbeFile(file('cut.json', `${p1}\n${p2.slice(0, 40)}`)),
      (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && /line 2 is not JSON/.test(e.message) && e.hint !== undefined,
    )
  })

  it('a measurement description or an API error saved as --probes is refused (exit 2), never read as probes', async () => {
    // /api/v2/measurements/ID/ and an API error document (atlas.ripe.net/docs/apis/rest-api-manual/)
    const msm = file('msm.json', JSON.stringify({id: 1423386, type: 'ping', af: 4, target: 'k.root-servers.net', result: 'https://atlas.ripe.net/api/v2/measurements/1423386/results/'}))
    const err = file('err.json', JSON.stringify({error: {status: 404, code: 104, title: 'Not Found', detail: 'Not found.'}}))
    for (const [f, what] of [[msm, /measurement's description \(measurement 1423386\), not probe metadata/], [err, /API error \(404 Not Found\).*not probe metadata/]] as const)
      await assert.rejects(readProbeFile(f), (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && what.test(e.message))
  })

  // JSON's whitespace is space, tab, LF and CR: a form feed, a vertical tab or a no-break space
  // where a value should start is refused with where it is (JS's \s took them as blanks and the
  // scan stood still: `--probes` of "\f\n" filled memory until the run died). A BOM beginning a
  // page is what a Windows tool leaves when it saves each page (PowerShell's Out-File -Append):
  // skipped, and both pages are read, as without it.
  it('a character JSON does not count as whitespace is E_BAD_INPUT naming its offset; a BOM between pages is skipped', async () => {
    for (const [name, text, offset, cp] of [
      ['ff', '\x0c\n', 0, 'U+000C'],
      ['vt', `${p1}\x0b${p2}`, p1.length, 'U+000B'],
      ['nbsp', `${p1}\n\u00a0${p2}`, p1.length + 1, 'U+00A0'],
      ['ff-between', `${p1}\n\x0c\n${p2}`, p1.length + 1, 'U+000C'],
    ] as const) {
      await assert.rejects(
        readProbeFile(file(`${name}.json`, text)),
        (e: unknown) => e instanceof AnyprobeError && e.code === 'E_BAD_INPUT' && e.exitCode === 2 && e.message.includes(`at character ${offset}, ${cp}:`) && e.hint !== undefined,
        name,
      )
    }
    const f = await readProbeFile(file('bom-pages.json', `\uFEFF${p1}\n\uFEFF${p2}\n`))
    assert.deepEqual([where(f, 1), where(f, 2), where(f, 3)], [[52.37, 4.89], [40.71, -74.0], [-33.87, 151.21]])
    assert.deepEqual(f.notes, [])
    // back to back, no newline: the same
    assert.equal((await readProbeFile(file('bom-joined.json', `${p1}\uFEFF${p2}`))).probes.size, 3)
  })

  it('topLevelValues always moves on: each stray character is a value of its own, with its offset', () => {
    for (const junk of ['\x0c', '\x0b', '\u00a0', '\u2028', '\x00']) {
      const v = topLevelValues(`{"a":1}${junk}{"b":2}`)
      assert.deepEqual(v.map((x) => [x.text, x.offset]), [['{"a":1}', 0], [junk, 7], ['{"b":2}', 7 + junk.length]], JSON.stringify(junk))
    }
    assert.deepEqual(topLevelValues('\uFEFF[1]\uFEFF[2]').map((x) => x.text), ['[1]', '[2]'])
  })

  it('report and sites refuse such a --probes file at once (exit 2, E_BAD_INPUT), never hang', async () => {
    const ff = file('ff-cmd.json', '\x0c\n')
    const results = 'test/fixtures/atlas/results-1423386.json'
    for (const [cmd, args] of [
      ['report', [results, '--probes', ff, '--no-rdns']],
      ['sites', ['--input', results, '--probes', ff]],
    ] as const) {
      const r = await runCommand(cmd, [...args])
      assert.equal(r.status, 2, `${cmd}: ${r.stderr}`)
      assert.match(r.stderr, /E_BAD_INPUT.*at character 0, U\+000C/, cmd)
    }
  })

  it('topLevelValues does not cut inside strings', () => {
    assert.deepEqual(
      topLevelValues('{"a": "} {"}[1,\n2] {"b": "\\"}"}').map((v) => v.text),
      ['{"a": "} {"}', '[1,\n2]', '{"b": "\\"}"}'],
    )
  })

  it('probes of the results not in the list are counted in a warning', () => {
    const obs = [10, 11, 12].map((id) => ({vp: `atlas:${id}`, lat: null, lon: null, rttMs: 1, identity: null}))
    assert.match(probesNotListed(obs, new Map([[10, {}]])) ?? '', /^2 of the 3 RIPE Atlas probes .* \(e\.g\. 11, 12\)/)
    assert.equal(probesNotListed(obs, new Map([10, 11, 12].map((id) => [id, {}]))), null)
  })
})

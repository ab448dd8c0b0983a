// anyprobe catchment from the lab's four vantage points (netns:), by dns, http and trace: each VP
// must name the PoP it really reaches (ber FRA, nyc IAD, tyo SIN, sao IAD), the shares must follow,
// and `anyprobe report` on the saved --json must reproduce the catchment exactly (and on a saved
// --ndjson, name the same PoPs). ping: RTT only, no PoP. A namespace that does not exist is a failed
// vantage point, and the others still report. Needs root; probes stay inside the lab's ap-* namespaces.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {CatchmentResult, CatchmentVantagePoint} from '../../src/analysis/catchment.js'
import {schemaErrors} from '../helpers/schema.js'
import {ANYPROBE, E, isRoot, lab, run, VPS} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces)'
const ANYCAST = E.AP_ANYCAST4 ?? '198.51.100.10'
const NS = VPS.map((vp) => E[`AP_VP_NS_${vp}`]!)
const FROM = `netns:${NS.join(',')}`
const EXPECT: Record<string, string> = Object.fromEntries(VPS.map((vp) => [E[`AP_VP_NS_${vp}`]!, E[`AP_VP_EXPECT_${vp}`]!]))
// a verdict may name the PoP's airport or the city its routers are named after (edge1.ashburn1)
const PLACE: Record<string, RegExp> = {FRA: /^Frankfurt/, IAD: /^(Ashburn|Washington)/, SIN: /^Singapore$/}

function namesPop(row: CatchmentVantagePoint, iata: string): boolean {
  return row.pop !== null && (row.pop.code.toUpperCase() === iata || PLACE[iata]!.test(row.pop.city ?? ''))
}

const anyprobe = (args: string[]) => run(process.execPath, [ANYPROBE, ...args], 120_000)

let dir = ''
before(async () => {
  if (!isRoot) return
  dir = mkdtempSync(join(tmpdir(), 'anyprobe-catchment-'))
  const w = await lab('wait-converged', '30')
  assert.equal(w.code, 0, `lab not converged: ${w.stderr}${w.stdout}`)
})
after(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
})

function checkCatchment(c: CatchmentResult, method: string): void {
  assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
  assert.equal(c.kind, 'catchment')
  assert.equal(c.method, method)
  assert.equal(c.target, ANYCAST)
  assert.equal(c.vantagePoints.length, NS.length)
  for (const row of c.vantagePoints) {
    const want = EXPECT[row.vantage.id]!
    assert.equal(row.vantage.kind, 'netns')
    assert.equal(row.error, null, `${row.vantage.id}: ${JSON.stringify(row.error)}`)
    assert.ok(namesPop(row, want), `${method}: ${row.vantage.id} should reach ${want}, got ${JSON.stringify(row.pop)} (${row.evidence})`)
    assert.equal(row.reached, true)
    assert.ok(row.rttMs !== null && row.rttMs > 0, `${row.vantage.id} rtt ${row.rttMs}`)
    assert.ok(row.evidence, 'evidence')
  }
  // sao's path crosses the 15 ms delay line: its RTT shows it
  assert.ok(c.vantagePoints.find((r) => r.vantage.id === 'ap-vp-sao')!.rttMs! >= 25)
  const shares = Object.fromEntries(c.pops.map((p) => [p.vantagePoints.slice().sort().join(' '), p.share]))
  assert.deepEqual(shares, {'ap-vp-nyc ap-vp-sao': 0.5, 'ap-vp-ber': 0.25, 'ap-vp-tyo': 0.25})
  assert.deepEqual(c.summary, {vantagePoints: 4, measured: 4, located: 4, unlocated: 0, failed: 0})
}

describe('anyprobe catchment in the lab', {skip}, () => {
  for (const method of ['dns', 'http', 'trace']) {
    it(`--method ${method}: every VP names the PoP it reaches; report reproduces the saved --json exactly`, async () => {
      const live = await anyprobe(['catchment', ANYCAST, '--method', method, '--from', FROM, '--json'])
      assert.equal(live.code, 0, live.stderr)
      const c = JSON.parse(live.stdout) as CatchmentResult
      checkCatchment(c, method)

      const file = join(dir, `catchment-${method}.json`)
      writeFileSync(file, live.stdout)
      const rep = await anyprobe(['report', file, '--json'])
      assert.equal(rep.code, 0, rep.stderr)
      const {input, ...again} = JSON.parse(rep.stdout) as CatchmentResult & {input: unknown}
      assert.deepEqual(again, c, 'report reproduces the live catchment')
      assert.deepEqual(input, {format: 'json-document', values: 4, unparseable: 0, truncated: false, errors: [], otherKinds: {}, repaired: 0, notes: []})
    })
  }

  it('--ndjson streams one outcome per VP; report on it names the same PoPs; the text table reads the same', async () => {
    const live = await anyprobe(['catchment', ANYCAST, '--method', 'dns', '--from', FROM, '--ndjson'])
    assert.equal(live.code, 0, live.stderr)
    const lines = live.stdout.trim().split('\n')
    assert.equal(lines.length, 4)
    for (const l of lines) assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/outcomeLine', JSON.parse(l)), [])
    const file = join(dir, 'catchment-dns.ndjson')
    writeFileSync(file, live.stdout)
    const rep = await anyprobe(['report', file, '--json'])
    assert.equal(rep.code, 0, rep.stderr)
    checkCatchment(JSON.parse(rep.stdout) as CatchmentResult, 'dns')
    const text = await anyprobe(['report', file])
    assert.match(text.stdout, /^catchment of 198\.51\.100\.10 by dns from 4 vantage points \(4 with a PoP named, 0 without, 0 failed\)/)
    assert.match(text.stdout, /netns:ap-vp-tyo +- +- +SIN \(Singapore\)/)
    assert.match(text.stdout, /IAD +Washington, D\.C\., US +2 +50\.0%/)
  })

  it('--method ping: RTTs only, pop null; a missing namespace fails alone (exit 9: some answered)', async () => {
    const live = await anyprobe(['catchment', ANYCAST, '--method', 'ping', '--from', `${FROM},ap-no-such-vp`, '--json'])
    assert.equal(live.code, 9, live.stderr)
    const c = JSON.parse(live.stdout) as CatchmentResult
    assert.deepEqual(schemaErrors('catchment.schema.json', c), [])
    assert.deepEqual(c.summary, {vantagePoints: 5, measured: 4, located: 0, unlocated: 4, failed: 1})
    assert.deepEqual(c.pops, [])
    const missing = c.vantagePoints.find((r) => r.vantage.id === 'ap-no-such-vp')!
    assert.equal(missing.error?.code, 'E_VP_NETNS')
    for (const r of c.vantagePoints.filter((x) => x.error === null)) {
      assert.equal(r.pop, null)
      assert.ok(r.rttMs !== null && r.rttMs > 0)
    }
    assert.ok(c.vantagePoints.find((r) => r.vantage.id === 'ap-vp-sao')!.rttMs! >= 25)
  })

  it('dns --from several VPs: a multi document whose results carry their VP', async () => {
    const live = await anyprobe(['dns', ANYCAST, '--from', FROM, '--json'])
    assert.equal(live.code, 0, live.stderr)
    const doc = JSON.parse(live.stdout)
    assert.deepEqual(schemaErrors('catchment.schema.json#/$defs/multi', doc), [])
    for (const o of doc.outcomes) {
      assert.deepEqual(schemaErrors('dns.schema.json', o.result), [])
      assert.equal(o.result.vantage.id, o.vantage.id)
      assert.equal(o.result.pop.code.toUpperCase(), EXPECT[o.vantage.id])
    }
  })
})

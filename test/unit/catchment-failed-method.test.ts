// A catchment whose every vantage point failed: the method is what the file says, never "an unknown
// method" when it said one. RIPE Atlas error results carry their measurement's type (shape of a
// traceroute result whose probe could not send: `"result": [{"hop": 255, "error": "connect failed:
// Network is unreachable"}]`, as RIPE Atlas documents traceroute results, and a DNS `"error":
// {"timeout": 5000}`); a multi document of failed vantage points says no method: "no result to
// tell the method". report and diff read the same way (one catchment builder).
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-failed-method-'))
after(() => rmSync(dir, {recursive: true, force: true}))
const file = (name: string, v: unknown): string => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(v))
  return p
}
const traceFail = (prb: number) => ({fw: 5080, lts: 30, endtime: 1765000010, dst_name: '192.0.2.53', dst_addr: '192.0.2.53', src_addr: '10.0.0.2', proto: 'ICMP', af: 4, size: 48, paris_id: 1, result: [{hop: 255, error: 'connect failed: Network is unreachable'}], msm_id: 5001, prb_id: prb, timestamp: 1765000000, msm_name: 'Traceroute', from: `203.0.113.${prb}`, type: 'traceroute', group_id: 5001, stored_timestamp: 1765000020})
const vp = (id: string) => ({kind: 'ssh', id: `ssh:${id}`, name: id, asn: null, country: null, lat: null, lon: null})

describe('the method of a catchment whose every vantage point failed', () => {
  const atlas = file('trace-failed.json', [traceFail(11), traceFail(12)])
  const multi = file('multi-failed.json', {schemaVersion: 1, kind: 'multi', target: '198.51.100.10', outcomes: ['a', 'b'].map((i) => ({vantage: vp(i), result: null, error: {code: 'E_SSH', message: 'refused', hint: null}}))})

  it('report: RIPE Atlas error results of a traceroute measurement are "by trace"', async () => {
    const r = await runCommand('report', [atlas, '--no-rdns'])
    assert.match(r.stdout, /^catchment of 192\.0\.2\.53 by trace from 2 vantage points/)
    const j = JSON.parse((await runCommand('report', [atlas, '--no-rdns', '--json'])).stdout)
    assert.equal(j.method, 'trace')
    assert.deepEqual(schemaErrors('catchment.schema.json', j), [])
  })

  it('diff: the same method on each side (not null), so no methods-differ against a trace catchment', async () => {
    const d = JSON.parse((await runCommand('diff', [atlas, atlas, '--json'])).stdout)
    assert.deepEqual([d.before.method, d.after.method], ['trace', 'trace'])
  })

  it('a file that says no method: "no result to tell the method", null in --json', async () => {
    const r = await runCommand('report', [multi])
    assert.match(r.stdout, /^catchment of 198\.51\.100\.10 \(no result to tell the method\) from 2 vantage points/)
    assert.doesNotMatch(r.stdout, /unknown method/)
    const d = JSON.parse((await runCommand('diff', [multi, multi, '--json'])).stdout)
    assert.deepEqual([d.before.method, d.after.method], [null, null])
  })
})

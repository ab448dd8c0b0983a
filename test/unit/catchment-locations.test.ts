// catchment --location: a netns / ssh vantage point placed by the user is placed in the outcomes,
// and its probe is told where it is (--vp-location), so its PoP verdict rules out the places its
// RTT cannot reach (before, the location only labelled the table: a Sydney vantage point answered
// in 1 ms "by Frankfurt" was taken as it came).
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {dnsIdentityServer, type Loopback, REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'

describe('catchment --location tells the probe where it is', () => {
  let dns: Loopback
  let undo: () => void
  let dir: string
  before(async () => {
    dns = await dnsIdentityServer('fra')
    undo = withFakeSsh()
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-catchloc-'))
  })
  after(async () => {
    undo()
    await dns.close()
    rmSync(dir, {recursive: true, force: true})
  })
  type Outcome = {vantage: {lat: number | null; lon: number | null}; result: {pop: {code: string; rejected?: Array<{code: string}>; contradiction?: {kind: string} | null} | null} | null}
  const run = async (where: string): Promise<{outcome: Outcome; argv: string}> => {
    const log = join(dir, `argv-${where}`)
    process.env.FAKE_SSH_LOG = log
    try {
      const r = await runCommand('catchment', ['127.0.0.1', '--method', 'dns', '--port', String(dns.port), '--timeout', '500ms', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND, '--location', `vp-ber=${where}`, '--ndjson'])
      assert.ok(r.status === 0 || r.status === 9, r.stderr)
      return {outcome: JSON.parse(r.stdout.trim().split('\n')[0]!) as Outcome, argv: readFileSync(log, 'utf8')}
    } finally {
      delete process.env.FAKE_SSH_LOG
    }
  }

  it('placed at Frankfurt: the probe gets --vp-location, the outcome carries the place, FRA stands with nothing ruled out', async () => {
    const {outcome, argv} = await run('50.11,8.68')
    assert.match(argv, /--vp-location=50\.11,8\.68/)
    assert.deepEqual([outcome.vantage.lat, outcome.vantage.lon], [50.11, 8.68])
    assert.equal(outcome.result?.pop?.code, 'fra')
    assert.deepEqual(outcome.result?.pop?.rejected ?? [], [])
  })

  it('placed at Sydney: a 2 ms answer cannot come from Frankfurt: the verdict rules it out by the RTT and says the location is the likelier error', async () => {
    const {outcome, argv} = await run('-33.87,151.21')
    assert.match(argv, /--vp-location=-33\.87,151\.21/)
    const pop = outcome.result?.pop
    assert.ok(pop?.rejected?.some((r) => r.code.toLowerCase().includes('frankfurt') || r.code.toLowerCase() === 'fra'), JSON.stringify(pop))
    assert.equal(pop?.contradiction?.kind, 'vantage-location', JSON.stringify(pop?.contradiction))
  })

  it('the contradiction reaches the catchment rows: --json (schema-valid), the table (a mark and why), report of the saved document', async () => {
    const args = ['127.0.0.1', '--method', 'dns', '--port', String(dns.port), '--timeout', '500ms', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND, '--location', 'vp-ber=-33.87,151.21']
    const json = await runCommand('catchment', [...args, '--json'])
    const doc = JSON.parse(json.stdout) as {vantagePoints: Array<{pop: {code: string; contradiction?: {kind: string; reason: string}} | null}>}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.vantagePoints[0]?.pop?.contradiction?.kind, 'vantage-location', json.stdout)
    const table = await runCommand('catchment', args)
    assert.match(table.stdout, /FRA[^\n]* !/)
    assert.match(table.stdout, /\n! the PoP stands against the vantage point's stated location \(1\):\n {2}ssh:vp-ber {2}\S/)
    const saved = join(dir, 'saved-catchment.json')
    writeFileSync(saved, json.stdout)
    const report = await runCommand('report', [saved])
    assert.match(report.stdout, /! the PoP stands against the vantage point's stated location \(1\)/, report.stdout)
  })

  it('an explicit --vp-location of the user is not overridden', async () => {
    const {withVpLocation} = await import('../../src/vantage/local.js')
    const plan = {method: 'dns', target: 'x', cliArgs: ['--vp-location', 'FRA'], options: {}} as never
    assert.deepEqual((withVpLocation(plan, {kind: 'ssh', id: 'a', name: 'a', asn: null, country: null, lat: 1, lon: 2}) as {cliArgs: string[]}).cliArgs, ['--vp-location', 'FRA'])
    const ping = {method: 'ping', target: 'x', cliArgs: [], options: {}} as never
    assert.deepEqual((withVpLocation(ping, {kind: 'ssh', id: 'a', name: 'a', asn: null, country: null, lat: 1, lon: 2}) as {cliArgs: string[]}).cliArgs, [])
  })
})

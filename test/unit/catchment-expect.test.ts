// catchment --expect --json: the broken rules are in the JSON document (`expect`), so a script can
// tell which vantage point broke which rule from stdout alone (they used to go only to stderr, as
// text). Run as a user runs it: the command from the sources in a child process, two vantage points
// (--from local, and ssh:vp-ber through the fake ssh that runs the command here) against a loopback
// DNS server that names its site. Also: --vp-location given to catchment or watch with vantage points
// elsewhere gets the hint to --location, as trace / dns / http --from do (it was oclif's
// "Nonexistent flag").
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {dnsIdentityServer, type Loopback, REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'
import {schemaErrors} from '../helpers/schema.js'

describe('catchment --expect --json names the broken rules', () => {
  let fra: Loopback
  let undoSsh: () => void
  let dir: string
  before(async () => {
    fra = await dnsIdentityServer('fra')
    undoSsh = withFakeSsh()
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-catchment-expect-'))
  })
  after(async () => {
    undoSsh()
    await fra.close()
    rmSync(dir, {recursive: true, force: true})
  })
  const argv = (port: number, expect: string): string[] => [
    '127.0.0.1', '--port', String(port), '--timeout', '400ms', '--method', 'dns',
    '--from', 'local', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND, '--expect', expect, '--json',
  ]

  it('exit 8, and expect.violations says which vantage point broke which rule; stderr says the same', async () => {
    const expect = join(dir, 'ber-iad.json')
    // a rule for ber only: local has no rule, so no verdict
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'ber stays in IAD', match: {vantage: 'vp-ber'}, pops: ['IAD']}]}))
    const r = await runCommand('catchment', argv(fra.port, expect))
    assert.equal(r.status, 8, r.stderr)
    const doc = JSON.parse(r.stdout) as {expect: {file: string; judged: number; violations: Array<{vantageId: string; pop: string | null; broken: Array<{rule: number; name: string; why: string; detail: string}>}>}}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.equal(doc.expect.file, expect)
    assert.equal(doc.expect.judged, 1)
    assert.deepEqual(doc.expect.violations, [
      {vantageId: 'vp-ber', pop: 'fra', broken: [{rule: 0, name: 'ber stays in IAD', why: 'pop-not-allowed', detail: 'landed on FRA; allowed: IAD'}]},
    ])
    assert.match(r.stderr, /1 vantage point\(s\) break the rules of .*\n {2}vp-ber at fra: ber stays in IAD: landed on FRA; allowed: IAD/)
  })

  it('exit 0 when every judged vantage point keeps the rules: expect.violations is empty, judged counts both', async () => {
    const expect = join(dir, 'all-fra.json')
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{notPops: ['IAD']}]}))
    const r = await runCommand('catchment', argv(fra.port, expect))
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as {expect: {judged: number; violations: unknown[]}}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.deepEqual([doc.expect.judged, doc.expect.violations], [2, []])
  })

  it('--ndjson: the outcomes, then one catchment-expect line with the broken rules (a dashboard reading stdout sees them)', async () => {
    const expect = join(dir, 'ber-iad-ndjson.json')
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'ber stays in IAD', match: {vantage: 'vp-ber'}, pops: ['IAD']}]}))
    const r = await runCommand('catchment', argv(fra.port, expect).map((a) => (a === '--json' ? '--ndjson' : a)))
    assert.equal(r.status, 8, r.stderr)
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepEqual(lines.map((l) => l.kind), ['outcome', 'outcome', 'catchment-expect'])
    for (const l of lines.slice(0, 2)) assert.deepEqual(schemaErrors('outcome.schema.json', l), [])
    const last = lines[2]!
    assert.deepEqual(schemaErrors('catchment-expect.schema.json', last), [])
    assert.deepEqual(last, {
      schemaVersion: 1, kind: 'catchment-expect', target: '127.0.0.1', method: 'dns', file: expect, judged: 1,
      violations: [{vantageId: 'vp-ber', pop: 'fra', broken: [{rule: 0, name: 'ber stays in IAD', why: 'pop-not-allowed', detail: 'landed on FRA; allowed: IAD'}]}],
      uncertain: [], unmatchedRules: [],
    })
    // stderr still tells the person at the terminal
    assert.match(r.stderr, /1 vantage point\(s\) break the rules of /)
  })

  it('a rule whose match fits no vantage point (a typo) is named, exit 7, not "every vantage point keeps the rules"', async () => {
    const expect = join(dir, 'typo.json')
    writeFileSync(expect, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'typo', match: {vantage: 'lcoal'}, pops: ['FRA']}, {notPops: ['IAD']}]}))
    const r = await runCommand('catchment', argv(fra.port, expect))
    assert.equal(r.status, 7, r.stderr)
    const doc = JSON.parse(r.stdout) as {expect: {judged: number; unmatchedRules: unknown[]}}
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
    assert.deepEqual([doc.expect.judged, doc.expect.unmatchedRules], [2, [{rule: 0, name: 'typo'}]])
    assert.match(r.stderr, /a rule of .*typo\.json matched no vantage point, so it checked nothing: "typo"/)
  })

  it('without --expect the document has no expect (the schema keeps it optional)', async () => {
    const r = await runCommand('catchment', argv(fra.port, '').filter((a) => a !== '--expect' && a !== ''))
    assert.equal(r.status, 0, r.stderr)
    const doc = JSON.parse(r.stdout) as Record<string, unknown>
    assert.equal('expect' in doc, false)
    assert.deepEqual(schemaErrors('catchment.schema.json', doc), [])
  })
})

describe('--vp-location with vantage points elsewhere: the hint to --location', () => {
  it('catchment: E_USAGE pointing to --location / --locations (not "Nonexistent flag")', async () => {
    const r = await runCommand('catchment', ['198.51.100.10', '--from', 'netns:ap-vp-ber', '--vp-location', 'FRA'])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /error E_USAGE: --vp-location says where this host is; it does not go with --from netns:ap-vp-ber\nhint: --location NAME=LAT,LON .*--locations FILE/)
    assert.doesNotMatch(r.stderr, /Nonexistent flag/)
  })

  it('watch: E_USAGE pointing to --location / --locations, before anything starts', async () => {
    const r = await runCommand('watch', ['198.51.100.10', '--from', 'netns:ap-vp-ber', '--vp-location', 'FRA', '--count', '1'])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /error E_USAGE: --vp-location says where this host is \(trace, dns, http\); watch does not take it\nhint: --location NAME=LAT,LON .*--locations FILE/)
    assert.doesNotMatch(r.stderr, /Nonexistent flag/)
  })
})

// watch --expect over a real loopback DNS server whose identity is a lone server name ("nrt3", the
// shape many operators give hostname.bind: a site code and a number, no operator domain): the
// inference names NRT only as a hint (under 0.5, src/infer/identity.ts), so a rule `pops: [FRA]` is
// not broken by it — the watch said UNEXPECTED and exited 8 (review finding), where `diff` does not
// page on such a naming. The confidence travels with the observation (popConfidence) from the
// prober's namer to the expect tracker; a confident naming of another site still breaks the rule.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCommand} from '../helpers/cli.js'
import {dnsIdentityServer, type Loopback} from '../helpers/loopback-vantage.js'
import {schemaErrors} from '../helpers/schema.js'

describe('watch --expect: a hint is uncertain, not a breach', () => {
  let hint: Loopback
  let sure: Loopback
  let dir: string
  let rules: string
  before(async () => {
    hint = await dnsIdentityServer('nrt', 'nrt3')
    sure = await dnsIdentityServer('nrt')
    dir = mkdtempSync(join(tmpdir(), 'anyprobe-watch-hint-'))
    rules = join(dir, 'fra.json')
    writeFileSync(rules, JSON.stringify({schemaVersion: 1, kind: 'expect', rules: [{name: 'local at FRA', match: {vantage: 'local'}, pops: ['FRA']}]}))
  })
  after(async () => {
    await hint.close()
    await sure.close()
    rmSync(dir, {recursive: true, force: true})
  })
  const argv = (port: number): string[] => ['127.0.0.1', '--method', 'dns', '--port', String(port), '--interval', '200ms', '--timeout', '150ms', '--count', '2', '--expect', rules, '--json']

  it('NRT named only as a hint: no unexpected event, exit 0, the summary counts it uncertain and stderr says so', async () => {
    const r = await runCommand('watch', argv(hint.port))
    assert.equal(r.status, 0, r.stderr)
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as {type: string; expect?: {uncertain?: number; brokeRules: number}})
    assert.deepEqual(events.filter((e) => e.type === 'unexpected'), [])
    const summary = events.find((e) => e.type === 'summary')!
    assert.deepEqual([summary.expect?.brokeRules, summary.expect?.uncertain], [0, 1])
    assert.match(r.stderr, /named a PoP only as a hint \(confidence under 0\.5\)/)
    // the starting state carries the confidence (schema-valid), and the text marks the hint
    const state = events.find((e) => e.type === 'state') as unknown as {pop: string; popConfidence?: number}
    assert.equal(state.pop, 'NRT')
    assert.ok(state.popConfidence !== undefined && state.popConfidence < 0.5, JSON.stringify(state))
    assert.deepEqual(schemaErrors('watch-event.schema.json', state), [])
    const text = await runCommand('watch', argv(hint.port).filter((a) => a !== '--json'))
    assert.match(text.stdout, /local starts at NRT\? \(a hint\)/)
  })

  it('NRT named confidently (s1.nrt.anycast.example) still breaks the rule: exit 8', async () => {
    const r = await runCommand('watch', argv(sure.port))
    assert.equal(r.status, 8, r.stderr)
    assert.match(r.stdout, /"type":"unexpected"/)
  })
})

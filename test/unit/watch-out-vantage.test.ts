// watch --out writes a vantage point's description once (and again when it changes), not on every
// line: netns and ssh children attach it to every observation, and a lab drill's file (2 vantage
// points, 50 ms, 26 s) was 264 KB instead of 147 KB. `report` of the file still knows each vantage
// point (the state events carry it), and a description that changed (a RIPE Atlas probe's country
// learnt later) is written again.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import type {RoundEvent} from '../../src/model/probe.js'
import type {VantagePoint} from '../../src/model/vantage.js'
import {type Observation, WATCH_SCHEMA_VERSION, type WatchStart} from '../../src/model/watch.js'
import {WatchSession} from '../../src/watch/session.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-out-vantage-'))
after(() => rmSync(dir, {recursive: true, force: true}))

const T0 = Date.parse('2026-12-07T04:26:09.000Z')
const start: WatchStart = {
  schemaVersion: WATCH_SCHEMA_VERSION, kind: 'watch-start', at: new Date(T0).toISOString(), target: '198.51.100.10', method: 'dns',
  intervalMs: 50, flows: 1, flapThreshold: 3, flapWindowMs: 60_000, outageAfter: 2, reorderRounds: 2,
}
const vp = (id: string, country: string | null): VantagePoint => ({kind: 'netns', id, name: id, asn: null, country, lat: null, lon: null})

describe('watch --out: the vantage point once per change', () => {
  it('written on the first line of each vantage point and when it changes; report still states each with it', async () => {
    const events: RoundEvent[] = []
    for (let r = 0; r < 20; r++) {
      for (const [id, pop] of [['ap-vp-ber', 'FRA'], ['ap-vp-nyc', 'IAD']] as const) {
        // as a netns child's lines come: the vantage point on every observation; ber's country is learnt at round 10
        const v = vp(id, id === 'ap-vp-ber' && r >= 10 ? 'DE' : null)
        const o: Observation = {vantageId: id, vantage: v, round: r, flow: 0, sentAt: T0 + r * 50, receivedAt: T0 + r * 50 + 1, rttMs: 0.4, pop, answered: true}
        events.push({type: 'observation', vantage: v, observation: o})
      }
      events.push({type: 'round', round: r})
    }
    const file = join(dir, 'w.ndjson')
    let text = ''
    const session = await WatchSession.open({start, json: true, write: (t) => (text += t), tty: false, report: () => {}, extras: {}, out: file})
    await session.consume((async function* () { yield* events })())
    await session.finish('test')
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {vantageId?: string; round?: number; vantage?: VantagePoint})
    for (const l of lines) assert.deepEqual(schemaErrors('watch-out.schema.json', l), [])
    const withVantage = lines.filter((l) => l.vantage !== undefined).map((l) => `${l.vantageId} ${l.round} ${l.vantage!.country}`)
    assert.deepEqual(withVantage, ['ap-vp-ber 0 null', 'ap-vp-nyc 0 null', 'ap-vp-ber 10 DE'])
    const r = await runCommand('report', [file, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const states = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'state')
    assert.deepEqual(states.map((e) => [e.vantageId, e.vantage?.id]), [['ap-vp-ber', 'ap-vp-ber'], ['ap-vp-nyc', 'ap-vp-nyc']])
    const live = text.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'state')
    assert.deepEqual(states, live)
  })
})

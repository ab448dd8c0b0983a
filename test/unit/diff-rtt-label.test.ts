// `anyprobe diff`: the "largest RTT changes" table labels a vantage point as every other table of
// the diff does (netns:ap-vp-nyc), where it printed the bare id (ap-vp-nyc) and a netns and an ssh
// vantage point of one name read alike; the JSON row says the kind (vantageKind, schema).
// Input: the lab DNS catchment (test/fixtures/diff/lab-dns-before.json, catchment --json in the
// lab), its nyc RTT raised in the "after" copy as a congested path would.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import type {CatchmentResult} from '../../src/analysis/catchment.js'
import {diffCatchments} from '../../src/analysis/diff.js'
import {renderDiff} from '../../src/render/diff.js'
import {ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const before = (): CatchmentResult => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/diff/lab-dns-before.json'), 'utf8')) as CatchmentResult

describe('diff RTT table: the vantage point as the other tables label it', () => {
  it('netns:ap-vp-nyc, not ap-vp-nyc; the row carries vantageKind', () => {
    const after = before()
    const nyc = after.vantagePoints.find((r) => r.vantage.id === 'ap-vp-nyc')!
    nyc.rttMs = 40.524
    const d = diffCatchments(before(), after)
    assert.deepEqual(d.rtt[0], {vantageId: 'ap-vp-nyc', vantageKind: 'netns', pop: 'iad', beforeMs: 0.524, afterMs: 40.524, deltaMs: 40})
    assert.deepEqual(schemaErrors('diff.schema.json', d), [])
    const text = renderDiff(d)
    const table = text.slice(text.indexOf('largest RTT changes'))
    assert.match(table, /\nnetns:ap-vp-nyc +IAD +0\.52 +40\.5 +\+40\.0 ms/)
    // the schema holds the new field required: a row without it is refused
    const {vantageKind: _, ...old} = d.rtt[0]!
    assert.notDeepEqual(schemaErrors('diff.schema.json', {...d, rtt: [old]}), [])
  })
})

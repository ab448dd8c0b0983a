// Two catchments with no vantage point in common (RIPE Atlas gives other probes to each new
// measurement made with a selector such as atlas:area=WW,n=50; a live catchment from netns beside
// an Atlas download): nothing could be compared vantage point by vantage point, yet diff printed
// "no vantage point changed PoP" and exited 0, the all-clear a cron job alerts on. Now: the text
// says none could be compared, a "no-common" warning (schemas/diff.schema.json), and exit 7.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {noCommonWarning} from '../../src/analysis/diff-warnings.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

const LAB = 'test/fixtures/diff/lab-dns-before.json' // 4 netns vantage points (real lab output)
const LAB_AFTER = 'test/fixtures/diff/lab-dns-withdraw-fra.json'
const ATLAS = 'test/fixtures/atlas/results-1423386.json' // atlas:6036 (real result)

describe('diff of two files with no vantage point in common', () => {
  it('says none could be compared (not "no vantage point changed PoP"), warns no-common, exits 7', async () => {
    const [t, j] = await Promise.all([runCommand('diff', [LAB, ATLAS]), runCommand('diff', [LAB, ATLAS, '--json'])])
    assert.equal(t.status, 7, t.stderr)
    assert.doesNotMatch(t.stdout, /no vantage point changed PoP/)
    assert.match(t.stdout, /no vantage point is in both files: none could be compared/)
    assert.match(t.stderr, /^warning: no vantage point is in both files \(4 before, 1 after/m)
    assert.equal(j.status, 7)
    const doc = JSON.parse(j.stdout)
    assert.deepEqual(schemaErrors('diff.schema.json', doc), [])
    assert.ok(doc.warnings.some((w: {code: string}) => w.code === 'no-common'))
  })

  it('some in both: compared as before, no such warning', async () => {
    const r = await runCommand('diff', [LAB, LAB_AFTER, '--json'])
    assert.equal(r.status, 8, r.stderr)
    assert.ok(!JSON.parse(r.stdout).warnings.some((w: {code: string}) => w.code === 'no-common'))
  })

  it('noCommonWarning: only with none in common and rows on both sides', () => {
    assert.equal(noCommonWarning(1, {before: 4, after: 1}), null)
    assert.equal(noCommonWarning(0, {before: 0, after: 1}), null)
    assert.equal(noCommonWarning(0, {before: 4, after: 1})?.code, 'no-common')
  })
})

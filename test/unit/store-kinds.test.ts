// One list of the kinds the readers take (src/store/kinds.ts): read.ts's classify reads each one
// (never "a document which holds no measurement"), wrong-kind.ts calls none of them the wrong file,
// and a damaged one of them (a multi document without its outcomes) is said as damaged, exit 7,
// not as a document of another kind.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {RESULT_KINDS, TAKEN_KINDS} from '../../src/store/kinds.js'
import {classify} from '../../src/store/read.js'
import {wrongKindHint} from '../../src/store/wrong-kind.js'
import {runCommand} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'anyprobe-kinds-'))
after(() => rmSync(dir, {recursive: true, force: true}))

describe('store/kinds.ts: the kinds read.ts takes, one list', () => {
  it('every taken kind is read by classify (as an item, or as a damaged value of that kind), never as another kind', () => {
    for (const kind of TAKEN_KINDS) {
      const c = classify({schemaVersion: 1, kind})
      if (typeof c === 'string') assert.doesNotMatch(c, /holds no measurement/, kind)
      assert.equal(wrongKindHint({schemaVersion: 1, kind}), null, kind)
    }
    assert.ok([...RESULT_KINDS].every((k) => TAKEN_KINDS.has(k)))
  })

  it('a kind not in the list is another command\'s document: classify says so and wrong-kind gives a hint', () => {
    for (const kind of ['sites', 'diff', 'geohint', 'dry-run']) {
      assert.equal(TAKEN_KINDS.has(kind), false)
      assert.match(classify({schemaVersion: 1, kind}) as string, /holds no measurement/)
      assert.match(wrongKindHint({schemaVersion: 1, kind}) ?? '', /give what a measurement wrote/)
    }
  })

  it('a multi document without its outcomes is damaged input (exit 7), not a document of another kind', async () => {
    const f = join(dir, 'multi.json')
    writeFileSync(f, JSON.stringify({schemaVersion: 1, kind: 'multi', target: '198.51.100.10', method: 'dns', outcomes: null}))
    assert.match(classify({schemaVersion: 1, kind: 'multi'}) as string, /a damaged anyprobe "multi" document \(outcomes missing or not a list\)/)
    const r = await runCommand('report', [f])
    assert.equal(r.status, 7, r.stderr)
    assert.match(r.stderr, /damaged anyprobe "multi" document/)
  })
})

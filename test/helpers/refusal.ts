// The error a refused call throws, as the fields a user sees (code, exit status, message, hint).
import assert from 'node:assert/strict'

import {AnyprobeError} from '../../src/model/errors.js'

export interface Refusal {
  code: string
  exitCode: number
  message: string
  hint: string | null | undefined
}

export function refusal(run: () => unknown): Refusal {
  try {
    run()
  } catch (e) {
    assert.ok(e instanceof AnyprobeError, `not an AnyprobeError: ${String(e)}`)
    return {code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint}
  }
  assert.fail('not refused')
}

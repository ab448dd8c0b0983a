// One written form per target (analysis/one-target.ts targetKey): report/diff/sites --target with
// an IPv6 address in brackets or another spelling picked the file's first target instead.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {TargetPicker, targetKey} from '../../src/analysis/one-target.js'

test('addresses in any spelling are one key; names lower case without the root dot', () => {
  assert.equal(targetKey('[2001:db8::1]'), '2001:db8::1')
  assert.equal(targetKey('2001:DB8:0:0::1'), '2001:db8::1')
  assert.equal(targetKey(' 193.0.14.129 '), '193.0.14.129')
  assert.equal(targetKey('K.Root-Servers.NET.'), 'k.root-servers.net')
})

test('--target [2001:db8:0:0::1] picks the results of 2001:db8::1, not the first target', () => {
  const p = new TargetPicker('[2001:db8:0:0::1]')
  assert.equal(p.pick('192.0.2.9', '192.0.2.9'), 'first')
  assert.equal(p.pick('2001:db8::1', '2001:db8::1'), 'asked')
})

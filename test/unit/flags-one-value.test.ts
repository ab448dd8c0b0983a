// Repeatable flags take one value each time, so the argument after one is the argument: `trace
// --asn-db x.mmdb TARGET` said TARGET was missing (the flag took it as a second database), and
// `http --header 'A: b' URL` took the URL for a second header.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCommand} from '../helpers/cli.js'

test('trace --asn-db FILE TARGET: the target is the target (the missing file is the error, exit 2)', async () => {
  const r = await runCommand('trace', ['--asn-db', '/nonexistent/asn.mmdb', '127.0.0.1'])
  assert.doesNotMatch(r.stderr, /Missing 1 required arg/)
  assert.match(r.stderr, /E_MMDB|asn\.mmdb/)
})

test('http --header H URL and --pop-header NAME URL: the URL is the URL', async () => {
  for (const flag of [['--header', 'X-A: b'], ['--pop-header', 'X-Site']]) {
    const r = await runCommand('http', [...flag, 'http://127.0.0.1:1/', '--timeout', '500ms'])
    assert.doesNotMatch(r.stderr, /Missing 1 required arg/, flag.join(' '))
    assert.equal(r.status, 4, `${flag.join(' ')}: connection refused on port 1 is "no answer": ${r.stderr}`)
  }
})

test('sites --input FILE TARGET: TARGET is the label, not a second input', async () => {
  const r = await runCommand('sites', ['--input', 'test/fixtures/sites/f-ripe.tsv', '192.5.5.241', '--json'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal((JSON.parse(r.stdout) as {target: string}).target, '192.5.5.241')
})

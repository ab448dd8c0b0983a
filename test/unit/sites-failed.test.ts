// Audit finding 4: `sites --from` said "left out 2 without RTT" and never why its vantage points
// failed (no code, no hint, nothing in --json). Each failed vantage point is listed as catchment
// lists it: its code, message and hint in the text, and in the document's "failed".
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {SITES_ROUNDS} from '../../src/console/sites-measure.js'
import {runCommand} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'
import {dnsIdentityServer, type Loopback, REMOTE_COMMAND, withFakeSsh} from '../helpers/loopback-vantage.js'

describe('sites --from: the vantage points that failed, with code and hint', () => {
  let dns: Loopback
  let undoSsh: () => void
  before(async () => {
    dns = await dnsIdentityServer('fra')
    undoSsh = withFakeSsh()
  })
  after(async () => {
    undoSsh()
    await dns.close()
  })
  const args = (): string[] => ['127.0.0.1', '--method', 'dns', '--port', String(dns.port), '--timeout', '400ms', '--from', 'local', '--from', 'ssh:vp-down', '--remote-command', REMOTE_COMMAND, '--location', 'local=50.1,8.7']

  it('text: "failed (1):" with the code, the message and the hint', async () => {
    const r = await runCommand('sites', args())
    assert.equal(r.status, 9, r.stderr)
    assert.match(r.stdout, /failed \(1\):\n {2}ssh:vp-down {2}E_VP_CONNECT: ssh failed: .*Connection refused\n {4}hint: check the host is up/)
  })

  it('--json: "failed" lists each failed vantage point with its error (schema-valid); none failed: empty', async () => {
    const r = await runCommand('sites', [...args(), '--json'])
    assert.equal(r.status, 9, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual(schemaErrors('sites.schema.json', doc), [])
    assert.equal(doc.failed.length, 1)
    assert.equal(doc.failed[0].vantage.id, 'vp-down')
    assert.equal(doc.failed[0].error.code, 'E_VP_CONNECT')
    assert.match(doc.failed[0].error.hint, /BatchMode/)
    const ok = await runCommand('sites', ['127.0.0.1', '--method', 'dns', '--port', String(dns.port), '--timeout', '400ms', '--from', 'ssh:vp-ber', '--remote-command', REMOTE_COMMAND, '--json'])
    assert.equal(ok.status, 0, ok.stderr)
    assert.deepEqual(JSON.parse(ok.stdout).failed, [])
    // not stopped: every planned round measured (sites-interrupt.test.ts: a run Ctrl-C stopped)
    assert.deepEqual(JSON.parse(ok.stdout).rounds, {planned: SITES_ROUNDS, completed: SITES_ROUNDS, stopped: false})
  })
})

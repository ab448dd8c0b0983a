// dns against a server whose firewall rejects the queries with an ICMP host-prohibited: the
// network said no, so the target was not reached (exit 4, as http and trace say it); only a query
// that could not leave this host (no route here) is a local network error (exit 6). Both read
// "network" before, and the reject came out as exit 6 over TCP. Needs root (a network namespace
// of its own with an nft reject rule on its loopback); skipped otherwise.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'

import {commandScript, ROOT} from '../helpers/cli.js'

const root = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v nft && command -v unshare']).status === 0
const RULES = 'add table inet t; add chain inet t in { type filter hook input priority 0; }; add rule inet t in udp dport 5353 reject with icmp type host-prohibited; add rule inet t in tcp dport 5353 reject with icmp type host-prohibited'

function dnsInNamespace(argv: string[]): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const sh = `ip link set lo up && nft '${RULES}' && exec "${process.execPath}" --import tsx --input-type=module -e "$SCRIPT"`
    const child = spawn('unshare', ['-n', 'sh', '-c', sh], {cwd: ROOT, env: {...process.env, SCRIPT: commandScript('dns', [...argv, '--json'])}, timeout: 30_000})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}

describe('dns: an ICMP reject from the target is "not reached" (4); no route here is local (6)', {skip: root ? false : 'needs root, unshare and nft'}, () => {
  for (const transport of [[], ['--tcp']]) {
    it(`${transport.length === 0 ? 'UDP' : 'TCP'}: rejected with host-prohibited: exit 4, queries say unreachable`, async () => {
      const r = await dnsInNamespace(['127.0.0.1', '--port', '5353', '--timeout', '1s', ...transport])
      assert.equal(r.status, 4, r.stderr)
      const doc = JSON.parse(r.stdout) as {queries: Array<{error: string | null}>}
      assert.ok(doc.queries.some((q) => q.error === 'unreachable'), JSON.stringify(doc.queries))
      assert.ok(doc.queries.every((q) => q.error === 'unreachable' || q.error === 'timeout'), JSON.stringify(doc.queries))
      assert.match(r.stderr, /the network said the target cannot be reached/)
    })
  }

  it('no route here (a documentation address in a namespace with only loopback): exit 6, queries say network', async () => {
    for (const transport of [[], ['--tcp']]) {
      const r = await dnsInNamespace(['192.0.2.1', '--timeout', '1s', ...transport])
      assert.equal(r.status, 6, `${transport.join('')}: ${r.stderr}`)
      const doc = JSON.parse(r.stdout) as {queries: Array<{error: string | null}>}
      assert.ok(doc.queries.every((q) => q.error === 'network'), JSON.stringify(doc.queries))
    }
  })
})

// dns against a server whose firewall rejects the queries with an ICMP host-prohibited: the
// network said no, so the target was not reached (exit 4, as http and trace say it); only a query
// that could not leave this host (no route here) is a local network error (exit 6). Both read
// "network" before, and the reject came out as exit 6 over TCP. Needs root (a network namespace
// of its own with an nft reject rule on its loopback); skipped otherwise.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'

import {commandScript, ROOT} from '../helpers/cli.js'
import {schemaErrors} from '../helpers/schema.js'

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

// The same in `watch`'s DNS prober (its flows keep the one-shot probe's exchanger open), and for
// an ICMP error the kernel hands to the next send rather than as an event: it is the flow's, so
// every query of the flow in flight ends with it (the one it was meant for too, which timed out).
// A send that fails because this host lost its route (a laptop off its network mid-watch: the
// kept socket's route is gone) is local, `network`, though the code (ENETUNREACH) is the one an
// ICMP net unreachable gives: the route check decides, as for a TCP connect.
function scriptInNamespace(setup: string, code: string): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const sh = `ip link set lo up && ${setup} && exec "${process.execPath}" --import tsx --input-type=module -e "$SCRIPT"`
    const child = spawn('unshare', ['-n', 'sh', '-c', sh], {cwd: ROOT, env: {...process.env, SCRIPT: code}, timeout: 30_000})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({status, stdout, stderr}))
  })
}

const IMPORTS =
  `const {makeDnsProber} = await import(${JSON.stringify(`${ROOT}src/vantage/live/probe.ts`)});` +
  `const {makeExchanger} = await import(${JSON.stringify(`${ROOT}src/engines/dns/transport.ts`)});`

describe('watch dns: the same reading of an ICMP reject, and of a route lost mid-watch', {skip: root ? false : 'needs root, unshare and nft'}, () => {
  it('rejected with host-prohibited: unreachable, one probe at a time or two at once, watch and one-shot alike', async () => {
    const code =
      IMPORTS +
      `const to = {addr: '127.0.0.1', port: 5353, family: 4};` +
      `const two = async (ex) => (await Promise.allSettled([ex.exchange(Buffer.alloc(12), () => true, 3000), ex.exchange(Buffer.alloc(12), () => true, 3000)])).map((r) => r.status === 'fulfilled' ? null : r.reason.kind);` +
      `const oneShot = await two(makeExchanger('udp', to));` +
      `const p = makeDnsProber({...to, timeoutMs: 3000, name: null});` +
      `const started = performance.now();` +
      `const apart = [(await p(0)).error, (await p(0)).error];` +
      `const together = (await Promise.all([p(1), p(1)])).map((a) => a.error);` +
      `const ms = performance.now() - started;` +
      `p.close();` +
      `console.log(JSON.stringify({oneShot, apart, together, ms}))`
    const r = await scriptInNamespace(`nft '${RULES}'`, code)
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {oneShot: string[]; apart: string[]; together: string[]; ms: number}
    assert.deepEqual(out.apart, ['unreachable', 'unreachable'], r.stdout)
    assert.deepEqual(out.together, ['unreachable', 'unreachable'], r.stdout)
    assert.deepEqual(out.oneShot, out.together, r.stdout)
    assert.ok(out.ms < 2000, `no reject waited for the 3 s timeout: ${r.stdout}`)
  })

  it('a route lost after the flow opened: its next probe is network (local), not unreachable', async () => {
    const code =
      IMPORTS +
      `const {spawnSync} = await import('node:child_process');` +
      `const p = makeDnsProber({addr: '192.0.2.1', port: 53, family: 4, timeoutMs: 300, name: null});` +
      `const before = (await p(0)).error;` +
      `const del = spawnSync('ip', ['route', 'del', '192.0.2.0/24', 'dev', 'lo']).status;` +
      `const after = (await p(0)).error;` +
      `p.close();` +
      `console.log(JSON.stringify({before, del, after}))`
    const r = await scriptInNamespace('ip route add 192.0.2.0/24 dev lo', code)
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {before: string; del: number; after: string}
    assert.equal(out.before, 'timeout', r.stdout)
    assert.equal(out.del, 0, 'the route was deleted')
    assert.equal(out.after, 'network', r.stdout)
  })
})

// A server that truncates its UDP replies (response rate limiting's "slip") behind a firewall that
// rejects TCP/53 with an ICMP prohibited: the retry over TCP is `unreachable`, and the document
// must still be valid (the tcpRetry error list lacked it).
describe('dns: a truncated UDP reply whose TCP retry is rejected', {skip: root ? false : 'needs root, unshare and nft'}, () => {
  it("tcpRetry says unreachable, and the document is valid against dns.schema.json", async () => {
    const tcpReject = 'add table inet t; add chain inet t in { type filter hook input priority 0; }; add rule inet t in tcp dport 5353 reject with icmp type host-prohibited'
    // a UDP server that answers every query with its question, no records and TC set
    const server =
      `const {createSocket} = await import('node:dgram');` +
      `const srv = createSocket('udp4');` +
      // header: QR, AA, TC (0x86), NOERROR; no answer, authority or additional records (the OPT dropped)
      `function questionEnd(b) { let i = 12; while (b[i] !== 0) i += b[i] + 1; return i + 5 }` +
      `srv.on('message', (m, r) => { const out = Buffer.from(m.subarray(0, questionEnd(m))); out[2] = 0x86; out[3] = 0x00; out.writeUInt16BE(0, 6); out.writeUInt16BE(0, 8); out.writeUInt16BE(0, 10); srv.send(out, r.port, r.address) });` +
      `await new Promise((res) => srv.bind(5353, '127.0.0.1', res));`
    const r = await scriptInNamespace(`nft '${tcpReject}'`, server + commandScript('dns', ['127.0.0.1', '--port', '5353', '--timeout', '1s', '--json'], '; process.exit(process.exitCode ?? 0)'))
    const doc = JSON.parse(r.stdout) as {queries: Array<{truncated: boolean; tcpRetry?: {error: string | null}}>}
    assert.ok(doc.queries.length > 0 && doc.queries.every((q) => q.truncated && q.tcpRetry?.error === 'unreachable'), JSON.stringify(doc.queries))
    assert.deepEqual(schemaErrors('dns.schema.json', doc), [])
  })
})

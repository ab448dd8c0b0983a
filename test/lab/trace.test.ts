// anyprobe trace against the lab's real BGP, ICMP and reverse DNS.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {after, describe, it} from 'node:test'

import type {TraceResult} from '../../src/model/trace.js'
import {schemaErrors} from '../helpers/schema.js'
import {ecmpPortsByUplink, portRange} from './ecmp.js'
import {ANYPROBE, anyprobeIn, anyprobeJson, E, fault, isRoot, lab, pathOf, run, VPS} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces, raw sockets)'
const trace = (vp: string, ...args: string[]) => anyprobeJson<TraceResult>(vp, ['trace', ...args])

function assertPath(r: TraceResult, expected: Array<string | null>, names: Array<string | null> | null, what: string): void {
  assert.deepEqual(r.hops.map((h) => h.addr), expected, `${what}: hop addresses`)
  for (const h of r.hops) {
    if (h.addr === null) assert.deepEqual(h.rttMs, h.rttMs.map(() => null), `${what}: silent hop ${h.ttl} has null RTTs`)
    else {
      assert.deepEqual(h.addrs, [h.addr], `${what}: hop ${h.ttl} answered from one address only`)
      for (const rtt of h.rttMs) assert.ok(rtt === null || rtt > 0, `${what}: RTT is null or positive, never 0`)
    }
  }
  if (names) assert.deepEqual(r.hops.map((h) => h.hostname), names, `${what}: reverse DNS names`)
  assert.equal(r.destinationReached, true, `${what}: destination reached`)
  assert.equal(r.stopReason, 'completed')
}

describe('anyprobe trace in the lab', {skip}, () => {
  for (const vp of VPS) {
    it(`from ${vp}: exactly the lab's hops with their names, and PoP ${E[`AP_VP_EXPECT_${vp}`]}`, async () => {
      const {run, json} = await trace(vp, E.AP_ANYCAST4!)
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(schemaErrors('trace.schema.json', json), [])
      const names = pathOf(E[`AP_VP_PATH_NAMES_${vp}`]!)
      assertPath(json, pathOf(E[`AP_VP_PATH4_${vp}`]!), names, vp)
      assert.equal(json.targetHostname, E.AP_ANYCAST_NAME)
      assert.equal(json.pop?.code.toUpperCase(), E[`AP_VP_EXPECT_${vp}`], JSON.stringify(json.pop))
      assert.ok(json.pop!.evidence.length > 0)
    })
  }

  it('IPv6 from every vantage point', async () => {
    for (const vp of VPS) {
      const {json} = await trace(vp, E.AP_ANYCAST6!)
      assertPath(json, pathOf(E[`AP_VP_PATH6_${vp}`]!), null, `${vp} v6`)
      assert.equal(json.family, 6)
      assert.equal(json.pop?.code.toUpperCase(), E[`AP_VP_EXPECT_${vp}`], `${vp} v6 PoP`)
    }
  })

  it('UDP and TCP probes follow the same path, and keep the flow id asked for', async () => {
    for (const proto of ['udp', 'tcp']) {
      const {json} = await trace('sao', E.AP_ANYCAST4!, '--protocol', proto, '--flow-id', '4242')
      assertPath(json, pathOf(E.AP_VP_PATH4_sao!), null, `sao ${proto}`)
      assert.equal(json.protocol, proto)
      assert.equal(json.flowId, 4242)
    }
  })

  it('a host with two uplinks (ap-vp-ecmp): UDP and TCP traces reach the destination whatever source address the kernel picks', async () => {
    // the source found for the checksum was one uplink's address, the kernel's packet carried the
    // other's about half the time, and the destination dropped those probes as corrupt
    for (const proto of ['udp', 'tcp']) {
      for (const flow of [40100, 40200, 40300, 40400]) {
        const r = await run('ip', ['netns', 'exec', E.AP_ECMP_NS!, process.execPath, ANYPROBE, 'trace', E.AP_ANYCAST4!, '--protocol', proto, '--flow-id', String(flow), '-n', '--json'])
        const json = JSON.parse(r.stdout) as TraceResult
        assert.equal(json.destinationReached, true, `${proto} flow ${flow}: ${json.hops.map((h) => h.addr).join(' ')}`)
        assert.equal(r.code, 0)
      }
    }
  })

  it('a host with two uplinks (ap-vp-ecmp): a flow id is traced along the path its flow takes, every run, and its packets leave by the device of their source', async () => {
    // the source was looked up from a random port (a random uplink) and the raw socket's route
    // lookup, which knows no ports, sent every probe out eth0: hops were FRA's for flows that go to
    // IAD, and probes from eth1's address were answered over IAD's 20 ms line
    const ns = E.AP_ECMP_NS!
    // four flows out of each uplink, chosen from the kernel's own route lookup: a fixed list of
    // ports landed all on one uplink on some boots (the multipath hash seed; test/lab/ecmp.ts)
    const udpByUplink = ecmpPortsByUplink('udp', 53, 4, portRange(40000, 64))
    assert.deepEqual([...udpByUplink.values()].map((p) => p.length), [4, 4], `the multipath route splits UDP flows over two uplinks: ${JSON.stringify([...udpByUplink])}`)
    const flows = [...udpByUplink.values()].flat().sort((a, b) => a - b)
    const truth = (await lab('ecmp-flow', ...flows.map(String))).stdout.trim().split('\n').map((l) => l.split(' '))
    const seen = new Set<string>()
    for (const [sport, dev, src, pop] of truth) {
      assert.notEqual(pop, '-', `lab.sh ecmp-flow ${sport}: ${dev} ${src} ${pop}`)
      seen.add(dev!)
      for (let i = 0; i < 2; i++) {
        const tcpdump = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-l', '-n', '-i', 'any', '-Q', 'out', `udp and src port ${sport}`], {stdio: ['ignore', 'pipe', 'pipe']})
        let dump = ''
        tcpdump.stdout.on('data', (d: Buffer) => (dump += d.toString()))
        await new Promise((r) => tcpdump.stderr.once('data', r)) // "listening on any ..."
        const r = await run('ip', ['netns', 'exec', ns, process.execPath, ANYPROBE, 'trace', E.AP_ANYCAST4!, '--protocol', 'udp', '--port', '53', '--flow-id', sport!, '-n', '--json'])
        await new Promise((r) => setTimeout(r, 200))
        tcpdump.kill('SIGINT')
        await new Promise((r) => tcpdump.once('exit', r))
        const json = JSON.parse(r.stdout) as TraceResult
        const what = `flow ${sport} run ${i + 1} (lab.sh ecmp-flow: ${dev} ${src} ${pop}): ${json.hops.map((h) => `${h.addr} ${h.rttMs.join('/')}`).join(', ')}`
        assert.equal(json.destinationReached, true, what)
        assert.equal(json.hops[0]!.addr, src!.replace(/\.2$/, '.1'), `${what}: hop 1 is the router on ${dev}`)
        assert.equal(json.pop?.code.toLowerCase(), pop, what)
        // tcpdump -i any: "HH:MM:SS.us eth1 Out IP 198.19.9.2.40001 > 198.51.100.10.53: ..."
        const lines = dump.split('\n').filter((l) => / Out IP /.test(l))
        assert.ok(lines.length >= 3, `${what}: tcpdump saw ${lines.length} probes`)
        for (const l of lines) assert.match(l, new RegExp(` ${dev}\\s+Out IP ${src!.replaceAll('.', '\\.')}\\.${sport} > `), `${what}: ${l}`)
      }
    }
    assert.equal(seen.size, 2, `the flows cover both uplinks (lab.sh ecmp-flow): ${[...seen].join(' ')}`)
    // TCP hashes protocol 6: the flow's route is the kernel's for TCP with these ports, not UDP's;
    // its own four ports per uplink
    const tcpByUplink = ecmpPortsByUplink('tcp', 80, 4, portRange(40000, 64))
    assert.deepEqual([...tcpByUplink.values()].map((p) => p.length), [4, 4], `the multipath route splits TCP flows over two uplinks: ${JSON.stringify([...tcpByUplink])}`)
    const tcpDevs = new Set<string>()
    for (const sport of [...tcpByUplink.values()].flat().sort((a, b) => a - b)) {
      const route = (await run('ip', ['-n', ns, '-4', 'route', 'get', E.AP_ANYCAST4!, 'ipproto', 'tcp', 'sport', String(sport), 'dport', '80'])).stdout
      const src = / src (\S+)/.exec(route)![1]!
      tcpDevs.add(src)
      const r = await run('ip', ['netns', 'exec', ns, process.execPath, ANYPROBE, 'trace', E.AP_ANYCAST4!, '--protocol', 'tcp', '--flow-id', String(sport), '-n', '--json'])
      const json = JSON.parse(r.stdout) as TraceResult
      assert.equal(json.destinationReached, true)
      assert.equal(json.hops[0]!.addr, src.replace(/\.2$/, '.1'), `tcp flow ${sport}: ${route.trim()}; hops ${json.hops.map((h) => h.addr).join(' ')}`)
    }
    assert.equal(tcpDevs.size, 2, 'the TCP flows cover both uplinks')
  })

  it('UDP to port 53 is a DNS query: every vantage point reaches its name server, which says which PoP it is', async () => {
    for (const vp of VPS) {
      const {run, json} = await trace(vp, E.AP_ANYCAST4!, '--protocol', 'udp', '--port', '53')
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(schemaErrors('trace.schema.json', json), [])
      assertPath(json, pathOf(E[`AP_VP_PATH4_${vp}`]!), null, `${vp} udp/53`)
      const want = E[`AP_VP_EXPECT_${vp}`]!
      // NSD's id.server answer and NSID, as its server in that PoP is configured (s1.fra.anycast.example, fra-s1)
      assert.ok(json.destinationIdentity?.some((i) => i.toLowerCase().includes(want.toLowerCase())), `${vp}: ${JSON.stringify(json.destinationIdentity)}`)
      assert.equal(json.pop?.code.toUpperCase(), want)
      assert.ok(json.pop!.evidence.some((e) => e.signal === 'dns-identity'), JSON.stringify(json.pop!.evidence))
    }
    // the same trace to another port ends at port unreachable, with no identity
    const {json} = await trace('ber', E.AP_ANYCAST4!, '--protocol', 'udp')
    assert.equal(json.destinationReached, true)
    assert.equal(json.destinationIdentity, undefined)
  })

  it('the slow path (two silent hops, 15 ms link) costs about one round trip, not the timeout', async () => {
    const {json} = await trace('sao', E.AP_ANYCAST4!, '--timeout', '5s')
    const rtt = Math.min(...json.hops.at(-1)!.rttMs.filter((x): x is number => x !== null))
    assert.ok(rtt >= 2 * Number(E.AP_DELAY_sao_iad_MS) - 1, `destination RTT ${rtt} reflects the delayed link`)
    // silent hops wait a few times the farther RTTs, never the 5 s timeout
    assert.ok(json.durationMs < 1000, `trace took ${json.durationMs} ms`)
  })

  it('two traces at the same time each get only their own replies', async () => {
    // same vantage point, same flow id, same protocol; different targets so that crossed replies would show
    const other = E.AP_POP_SERVER_ADDR4_sin!
    const [a, b] = await Promise.all([
      trace('ber', E.AP_ANYCAST4!, '--flow-id', '777', '--no-dns'),
      trace('ber', other, '--flow-id', '777', '--no-dns'),
    ])
    assertPath(a.json, pathOf(E.AP_VP_PATH4_ber!), null, 'trace A')
    assert.equal(b.json.hops.at(-1)!.addr, other)
    assert.equal(b.json.destinationReached, true)
    for (const h of b.json.hops) assert.ok(h.addrs.length <= 1, `trace B hop ${h.ttl}: ${h.addrs.join(',')}`)
    assert.notDeepEqual(b.json.hops.map((h) => h.addr), a.json.hops.map((h) => h.addr))
  })

  describe('after a graceful withdrawal of the PoP a vantage point reaches', () => {
    after(async () => fault('restore', 'fra'))
    it('names the next PoP', async () => {
      await fault('withdraw', 'fra')
      const {json} = await trace('ber', E.AP_ANYCAST4!)
      assert.equal(json.destinationReached, true)
      assert.equal(json.pop?.code.toUpperCase(), E.AP_VP_FAILOVER_ber, JSON.stringify(json.pop))
    })
  })

  it('an unreachable target: the trace is printed and the exit code is 4', async () => {
    // 198.18.99.1 is inside the lab's benchmarking range but routed nowhere: transits answer net unreachable or stay silent
    const r = await anyprobeIn('ber', ['trace', '198.18.99.1', '--json', '--max-hops', '6', '--timeout', '300ms', '--no-dns'])
    assert.equal(r.code, 4, r.stderr)
    const json = JSON.parse(r.stdout) as TraceResult
    assert.equal(json.destinationReached, false)
    assert.ok(['unreachable', 'gap-limit', 'hop-limit'].includes(json.stopReason), json.stopReason)
  })

  it('no route at all (a namespace of its own with nothing but a down loopback): E_NETWORK, exit 6, for every protocol', async () => {
    const ns = 'ap-t-noroute' // ap- prefix: lab.sh down removes it if this test dies
    await run('ip', ['netns', 'add', ns])
    try {
      for (const proto of ['icmp', 'udp', 'tcp']) {
        // nothing can leave this namespace: the first send (ICMP) or the route lookup (UDP, TCP) fails
        const r = await run('ip', ['netns', 'exec', ns, process.execPath, ANYPROBE, 'trace', E.AP_ANYCAST4!, '--protocol', proto, '--json'])
        assert.equal(r.code, 6, `${proto}: ${r.stderr}${r.stdout}`)
        const e = (JSON.parse(r.stdout) as {error: {code: string; message: string}}).error
        assert.equal(e.code, 'E_NETWORK', proto)
        assert.match(e.message, /unreachable/i, proto)
      }
    } finally {
      await run('ip', ['netns', 'del', ns])
    }
  })
})

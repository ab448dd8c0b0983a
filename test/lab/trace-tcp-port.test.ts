// A TCP trace to an open port, from a vantage point 30 ms away (vp-sao), says open. Every Paris
// probe shares one 4-tuple and all leave together, so nginx's Linux answers SYN-ACK, RST, SYN-ACK,
// RST, ... (a SYN inside the window of the connection the previous probe half-opened is reset; seen
// with tcpdump in ap-s-iad): main said "open to some probes, closed to others" 4 times of 4 while
// `traceroute -T -p 80` and scamper ([open]) were clean. From vp-ber (short RTT) it was right already.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {TraceResult} from '../../src/model/trace.js'
import {schemaErrors} from '../helpers/schema.js'
import {anyprobeIn, anyprobeJson, E, isRoot} from './lib.js'

const skip = isRoot ? false : 'needs root (network namespaces, raw sockets)'

describe('trace --protocol tcp: the port verdict in the lab', {skip}, () => {
  it('port 80 (nginx) from sao is open, from ber too; port 81 (nothing listens) is closed', async () => {
    for (let i = 0; i < 2; i++) {
      const {run, json} = await anyprobeJson<TraceResult>('sao', ['trace', E.AP_ANYCAST4!, '--protocol', 'tcp', '--port', '80', '-n', '--no-asn'])
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(schemaErrors('trace.schema.json', json), [])
      const answers = json.hops.at(-1)!.replies.map((r) => r.tcpAnswer)
      assert.equal(json.tcpPort?.state, 'open', `run ${i + 1}: ${JSON.stringify(json.tcpPort)} ${answers.join(' ')}`)
      assert.ok(json.tcpPort!.synAcks > 0)
      assert.equal(json.tcpPort!.rstsAfterSynAck, json.tcpPort!.rsts, 'every RST followed a SYN-ACK of the same flow')
    }
    const text = await anyprobeIn('sao', ['trace', E.AP_ANYCAST4!, '--protocol', 'tcp', '--port', '80', '-n', '--no-asn'])
    assert.match(text.stdout, /destination reached at hop \d+ in \d+ ms: port 80 open \(SYN-ACK/)
    assert.doesNotMatch(text.stdout, /closed to/)
    const ber = await anyprobeJson<TraceResult>('ber', ['trace', E.AP_ANYCAST4!, '--protocol', 'tcp', '--port', '80', '-n', '--no-asn'])
    assert.equal(ber.json.tcpPort?.state, 'open')
    const closed = await anyprobeJson<TraceResult>('sao', ['trace', E.AP_ANYCAST4!, '--protocol', 'tcp', '--port', '81', '-n', '--no-asn'])
    assert.equal(closed.json.tcpPort?.state, 'closed', JSON.stringify(closed.json.tcpPort))
    assert.equal(closed.json.tcpPort!.synAcks, 0)
  })

  it('UDP to port 53: NSD answers id.server and NSID, and the trace says both', async () => {
    const {json} = await anyprobeJson<TraceResult>('sao', ['trace', E.AP_ANYCAST4!, '--protocol', 'udp', '--port', '53', '-n', '--no-asn'])
    assert.deepEqual(json.destinationIdentitySources, ['id.server', 'NSID'], JSON.stringify(json.destinationIdentity))
  })

  it('--port with ICMP is refused (exit 2), no trace sent', async () => {
    const r = await anyprobeIn('sao', ['trace', E.AP_ANYCAST4!, '--port', '53'])
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(r.stderr, /--protocol udp/)
  })
})

// The registry of trace ids in flight (src/engines/trace/trace-ids.ts): ids held at once are
// distinct, whatever the random source draws; a released id can be drawn again; UDP traces also get
// distinct residues mod UDP_TRACE_IDS (all the 8 quoted bytes carry of a UDP trace id).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {UDP_TRACE_IDS} from '../../src/engines/trace/flow.js'
import {TraceIdRegistry, traceIds} from '../../src/engines/trace/trace-ids.js'

/** a random source that keeps drawing `value`: only the registry can keep ids apart */
const stuck = (value: number) => () => value

describe('trace id registry', () => {
  it('ids held at once are distinct, even when every draw is the same number', () => {
    const reg = new TraceIdRegistry(stuck(4242))
    const leases = Array.from({length: 64}, () => reg.acquire('icmp'))
    assert.equal(new Set(leases.map((l) => l.id)).size, 64)
    assert.ok(leases.every((l) => Number.isInteger(l.id) && l.id >= 0 && l.id <= 0xffff))
    assert.equal(reg.size, 64)
  })

  it('a released id is drawn again; a second release frees nothing another trace holds', () => {
    const reg = new TraceIdRegistry(stuck(7))
    const a = reg.acquire('icmp')
    assert.equal(a.id, 7)
    const b = reg.acquire('icmp')
    assert.notEqual(b.id, 7)
    a.release()
    const c = reg.acquire('icmp')
    assert.equal(c.id, 7, 'the released id is free again')
    a.release() // a stale lease: 7 is c's now
    assert.notEqual(reg.acquire('icmp').id, 7)
    assert.equal(reg.size, 3)
  })

  it('every id can be held; one more is an error, and a release makes room', () => {
    const reg = new TraceIdRegistry(stuck(0), 512)
    const leases = Array.from({length: 512}, () => reg.acquire('tcp'))
    assert.equal(new Set(leases.map((l) => l.id)).size, 512)
    assert.throws(() => reg.acquire('icmp'), (e: unknown) => (e as {code?: string}).code === 'E_INTERNAL')
    leases[123]!.release()
    assert.equal(reg.acquire('icmp').id, leases[123]!.id)
  })

  it('UDP: traces in flight get distinct residues mod UDP_TRACE_IDS while one is free', () => {
    // a random source that draws only ids congruent mod UDP_TRACE_IDS
    let n = 0
    const reg = new TraceIdRegistry((max) => ((n++ % 30) * UDP_TRACE_IDS + 5) % max)
    const udp = Array.from({length: 200}, () => reg.acquire('udp'))
    assert.equal(new Set(udp.map((l) => l.id % UDP_TRACE_IDS)).size, 200)
    // ICMP and TCP carry the whole id: they need only a free one
    const icmp = reg.acquire('icmp')
    assert.ok(!udp.some((l) => l.id === icmp.id))
  })

  it('UDP: once every residue is held, a UDP trace still gets a distinct id', () => {
    const reg = new TraceIdRegistry(stuck(9))
    const first = Array.from({length: UDP_TRACE_IDS}, () => reg.acquire('udp'))
    assert.equal(new Set(first.map((l) => l.id % UDP_TRACE_IDS)).size, UDP_TRACE_IDS)
    const more = reg.acquire('udp')
    assert.ok(!first.some((l) => l.id === more.id))
    // releasing the extra one does not free the residue the first holder of it keeps
    more.release()
    const again = reg.acquire('udp')
    assert.ok(!first.some((l) => l.id === again.id))
  })

  it('the process-wide registry draws random ids (not counted up from 0: two processes rarely meet)', () => {
    const held = Array.from({length: 16}, () => traceIds.acquire('icmp'))
    assert.equal(new Set(held.map((l) => l.id)).size, 16)
    assert.ok(held.some((l) => l.id > 16))
    for (const l of held) l.release()
    assert.equal(traceIds.size, 0)
  })
})

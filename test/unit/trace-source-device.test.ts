// sourceDevice: which device a raw trace's send socket is pinned to, from the source address the
// flow's own route lookup chose (raw-transport.ts pinToDevice says why pinning matters).
import assert from 'node:assert/strict'
import type {NetworkInterfaceInfo} from 'node:os'
import {describe, it} from 'node:test'

import {networkError, prefsrcOf, sourceDevice} from '../../src/engines/trace/raw-transport.js'

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({address, netmask: '255.255.255.252', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/30`})
const v6 = (address: string, scopeid = 0): NetworkInterfaceInfo => ({address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/64`, scopeid})

// the lab's ap-vp-ecmp: two uplinks
const ECMP = {lo: [v4('127.0.0.1', true)], eth0: [v4('198.19.8.2')], eth1: [v4('198.19.9.2'), v6('2001:db8:9::2'), v6('fe80::1%eth1', 3)]}

describe('sourceDevice', () => {
  it("is the device holding the source: each uplink's address gives its own device", () => {
    assert.equal(sourceDevice('198.19.8.2', ECMP), 'eth0')
    assert.equal(sourceDevice('198.19.9.2', ECMP), 'eth1')
    assert.equal(sourceDevice('2001:0db8:0009::0002', ECMP), 'eth1', 'IPv6 text forms compare as addresses')
    assert.equal(sourceDevice('fe80::1', ECMP), 'eth1', 'a link-local address matches without its zone')
  })

  it('is null for an address no device holds, a loopback one, or one held by two devices (nothing to pin)', () => {
    assert.equal(sourceDevice('198.19.10.2', ECMP), null)
    assert.equal(sourceDevice('127.0.0.1', ECMP), null)
    assert.equal(sourceDevice('198.19.8.2', {...ECMP, eth2: [v4('198.19.8.2')]}), null)
  })
})

describe('prefsrcOf (TCP traces ask `ip -j route get ... ipproto tcp sport P dport Q` for their source)', () => {
  it("reads the route's preferred source", () => {
    assert.equal(prefsrcOf('[{"dst":"198.51.100.10","gateway":"198.19.9.1","dev":"eth1","prefsrc":"198.19.9.2","flags":[],"uid":0,"cache":[]}]'), '198.19.9.2')
    assert.equal(prefsrcOf('[{"dst":"2001:db8:100::10","dev":"eth1","prefsrc":"2001:0db8:9::2"}]'), '2001:db8:9::2')
  })
  it('is null when there is none to read (then the UDP lookup is used)', () => {
    for (const s of ['', 'not json', '[]', '[{"dst":"198.51.100.10","dev":"eth1"}]', '[{"prefsrc":"eth1"}]', '{"prefsrc":"198.19.9.2"}']) assert.equal(prefsrcOf(s), null, s)
  })
})

describe('networkError (a socket call failed): no route from this host says so in a hint', () => {
  it('ENETUNREACH / EHOSTUNREACH (as sendto and connect report them) get the hint; other errors do not', () => {
    const errno = (code: string, message: string) => Object.assign(new Error(message), {code})
    for (const e of [errno('ENETUNREACH', 'Network is unreachable'), errno('EHOSTUNREACH', 'connect EHOSTUNREACH 2001:db8::1:33434'), new Error('Network is unreachable')]) {
      const err = networkError('cannot send a probe to 192.0.2.1', e)
      assert.equal(err.code, 'E_NETWORK')
      assert.equal(err.exitCode, 6)
      assert.match(err.hint ?? '', /no route to the target.*ip route get/, e.message)
    }
    assert.equal(networkError('raw socket error', errno('ENOBUFS', 'No buffer space available')).hint, null)
  })
})
